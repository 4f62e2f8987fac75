# List commands: replies (RESP2 and RESP3), options, error texts, empty-key
# deletion, big lists spanning many quicklist nodes, encodings and config.

start_server {tags {list}} {
    test {LPUSH and RPUSH return the new length} {
        r del l
        assert_equal [r rpush l a b] 2
        assert_equal [r lpush l c d] 4
        assert_equal [r rpush l e] 5
        r lrange l 0 -1
    } {d c a b e}

    test {LPUSHX and RPUSHX only push to existing lists} {
        r del nx l
        assert_equal [r lpushx nx a] 0
        assert_equal [r rpushx nx a b] 0
        assert_equal [r exists nx] 0
        r rpush l m
        assert_equal [r lpushx l a b] 3
        assert_equal [r rpushx l y z] 5
        r lrange l 0 -1
    } {b a m y z}

    test {LLEN} {
        r del l
        assert_equal [r llen l] 0
        r rpush l 1 2 3
        r llen l
    } {3}

    test {LRANGE with negative and out of range indexes} {
        r del l
        r rpush l 0 1 2 3 4 5 6 7 8 9
        assert_equal [r lrange l 0 2] {0 1 2}
        assert_equal [r lrange l -3 -1] {7 8 9}
        assert_equal [r lrange l -100 1] {0 1}
        assert_equal [r lrange l 8 100] {8 9}
        assert_equal [r lrange l 5 2] {}
        assert_equal [r lrange l 10 20] {}
        assert_equal [r lrange l -1 -2] {}
        assert_equal [r lrange nosuchkey 0 -1] {}
        assert_error {ERR value is not an integer or out of range} {r lrange l a 1}
        assert_error {ERR value is not an integer or out of range} {r lrange l 0 1.5}
    }

    test {LINDEX} {
        r del l
        r rpush l a b 10 c
        list [r lindex l 0] [r lindex l 2] [r lindex l -1] [r lindex l -4] [r lindex l 4] \
            [r lindex l -5] [r lindex nosuchkey 0]
    } {a 10 c a {} {} {}}

    test {LINDEX checks the key before the index} {
        assert_equal [r lindex nosuchkey notanumber] {}
        assert_error {ERR value is not an integer or out of range} {r lindex l notanumber}
    }

    test {LSET} {
        r del l
        r rpush l a b c
        assert_equal [r lset l 1 B] OK
        assert_equal [r lset l -1 C] OK
        assert_error {ERR index out of range} {r lset l 3 x}
        assert_error {ERR index out of range} {r lset l -4 x}
        assert_error {ERR no such key} {r lset nosuchkey 0 x}
        assert_error {ERR value is not an integer or out of range} {r lset l x y}
        r lrange l 0 -1
    } {a B C}

    test {LINSERT BEFORE and AFTER} {
        r del l
        r rpush l a b c
        assert_equal [r linsert l before b X] 4
        assert_equal [r linsert l after c Y] 5
        assert_equal [r linsert l BEFORE a Z] 6
        assert_equal [r linsert l after nosuch Q] -1
        assert_equal [r linsert nosuchkey after a Q] 0
        assert_error {ERR syntax error} {r linsert l middle a Q}
        assert_error {ERR syntax error} {r linsert nosuchkey middle a Q}
        r lrange l 0 -1
    } {Z a X b c Y}

    test {LINSERT matches the first occurrence from the head} {
        r del l
        r rpush l x 1 x 2
        r linsert l after x Y
        r lrange l 0 -1
    } {x Y 1 x 2}

    test {LPOP and RPOP single elements} {
        r del l
        r rpush l a b c
        assert_equal [r lpop l] a
        assert_equal [r rpop l] c
        assert_equal [r lpop l] b
        list [r exists l] [r lpop l] [r rpop l]
    } {0 {} {}}

    test {LPOP and RPOP with count} {
        r del l
        r rpush l 1 2 3 4 5
        assert_equal [r lpop l 2] {1 2}
        assert_equal [r rpop l 2] {5 4}
        assert_equal [r lpop l 0] {}
        assert_equal [r rpop l 10] {3}
        assert_equal [r exists l] 0
    }

    test {LPOP with count: errors and null shapes in RESP2} {
        r del l
        r rpush l a
        assert_error {ERR value is out of range, must be positive} {r lpop l -1}
        assert_error {ERR value is out of range, must be positive} {r lpop l abc}
        assert_error {ERR wrong number of arguments for 'lpop' command} {r lpop l 1 2}
        assert_equal [r rawcmd lpop nosuchkey 1] "*-1\r\n"
        assert_equal [r rawcmd lpop nosuchkey 0] "*-1\r\n"
        assert_equal [r rawcmd lpop nosuchkey] "\$-1\r\n"
        assert_equal [r rawcmd lpop l 0] "*0\r\n"
        assert_equal [r rawcmd rpop l 5] "*1\r\n\$1\r\na\r\n"
    }

    test {LPOP and LINDEX null shapes in RESP3} {
        set c [kp_client]
        $c hello 3
        $c del l
        assert_equal [$c rawcmd lpop l 1] "_\r\n"
        assert_equal [$c rawcmd lpop l] "_\r\n"
        assert_equal [$c rawcmd lindex l 0] "_\r\n"
        assert_equal [$c rawcmd lpos l x] "_\r\n"
        assert_equal [$c rawcmd lmpop 1 l left] "_\r\n"
        assert_equal [$c rawcmd lmove l m left left] "_\r\n"
        $c rpush l a
        assert_equal [$c rawcmd lpop l 0] "*0\r\n"
        $c close
    }

    test {LTRIM} {
        r del l
        r rpush l 0 1 2 3 4 5 6
        assert_equal [r ltrim l 1 -2] OK
        assert_equal [r lrange l 0 -1] {1 2 3 4 5}
        r ltrim l -3 100
        assert_equal [r lrange l 0 -1] {3 4 5}
        assert_equal [r ltrim nosuchkey 0 1] OK
        assert_error {ERR value is not an integer or out of range} {r ltrim l a 1}
        r ltrim l 2 1
        r exists l
    } {0}

    test {LREM from the head, from the tail and everything} {
        r del l
        r rpush l a b a c a d a
        assert_equal [r lrem l 2 a] 2
        assert_equal [r lrange l 0 -1] {b c a d a}
        assert_equal [r lrem l -1 a] 1
        assert_equal [r lrange l 0 -1] {b c a d}
        assert_equal [r lrem l 0 a] 1
        assert_equal [r lrem l 0 nothing] 0
        assert_equal [r lrem nosuchkey 0 a] 0
        assert_error {ERR value is not an integer or out of range} {r lrem l x a}
        r lrange l 0 -1
    } {b c d}

    test {LREM deletes the emptied list} {
        r del l
        r rpush l x x x
        assert_equal [r lrem l 0 x] 3
        r exists l
    } {0}

    test {LREM compares integers and strings by value} {
        r del l
        r rpush l 10 010 10 abc
        assert_equal [r lrem l 0 10] 2
        r lrange l 0 -1
    } {010 abc}

    test {LPOS} {
        r del l
        r rpush l a b c 1 2 3 c c
        assert_equal [r lpos l c] 2
        assert_equal [r lpos l c rank 2] 6
        assert_equal [r lpos l c rank -1] 7
        assert_equal [r lpos l c rank -3] 2
        assert_equal [r lpos l c count 0] {2 6 7}
        assert_equal [r lpos l c count 2] {2 6}
        assert_equal [r lpos l c count 2 rank -1] {7 6}
        assert_equal [r lpos l c count 0 maxlen 3] {2}
        assert_equal [r lpos l c maxlen 2] {}
        assert_equal [r lpos l 3] 5
        assert_equal [r lpos l x] {}
        assert_equal [r lpos l x count 5] {}
        assert_equal [r lpos nosuchkey x] {}
        assert_equal [r lpos nosuchkey x count 1] {}
    }

    test {LPOS errors} {
        assert_error {ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list} {r lpos l c rank 0}
        assert_error {ERR COUNT can't be negative} {r lpos l c count -1}
        assert_error {ERR COUNT can't be negative} {r lpos l c count x}
        assert_error {ERR MAXLEN can't be negative} {r lpos l c maxlen -1}
        assert_error {ERR syntax error} {r lpos l c foo}
        assert_error {ERR syntax error} {r lpos l c rank}
        assert_error {ERR value is not an integer or out of range} {r lpos l c rank x}
    }

    test {LMOVE in all four directions} {
        r del src dst
        r rpush src 1 2 3 4
        assert_equal [r lmove src dst left left] 1
        assert_equal [r lmove src dst left right] 2
        assert_equal [r lmove src dst right left] 4
        assert_equal [r lmove src dst RIGHT RIGHT] 3
        list [r exists src] [r lrange dst 0 -1]
    } {0 {4 1 2 3}}

    test {LMOVE and RPOPLPUSH rotate a list onto itself} {
        r del l
        r rpush l a b c
        assert_equal [r rpoplpush l l] c
        assert_equal [r lmove l l left right] c
        r rpush single x
        assert_equal [r lmove single single left left] x
        list [r lrange l 0 -1] [r lrange single 0 -1]
    } {{a b c} x}

    test {LMOVE errors} {
        r del src dst str
        r set str v
        r rpush src a
        assert_error {ERR syntax error} {r lmove src dst up left}
        assert_error {ERR syntax error} {r lmove src dst left down}
        assert_equal [r lmove nosuchkey dst left left] {}
        assert_error {WRONGTYPE*} {r lmove src str left left}
        assert_error {WRONGTYPE*} {r lmove str src left left}
        assert_error {WRONGTYPE*} {r rpoplpush src str}
        # A wrong destination leaves the source untouched.
        r lrange src 0 -1
    } {a}

    test {LMPOP} {
        r del l1 l2
        r rpush l2 a b c d
        assert_equal [r lmpop 2 l1 l2 left] {l2 a}
        assert_equal [r lmpop 2 l1 l2 right count 2] {l2 {d c}}
        assert_equal [r lmpop 2 l1 l2 LEFT COUNT 10] {l2 b}
        assert_equal [r exists l2] 0
        assert_equal [r lmpop 2 l1 l2 left] {}
    }

    test {LMPOP errors} {
        r del l str
        r set str v
        r rpush l a
        assert_error {ERR numkeys should be greater than 0} {r lmpop 0 l left}
        assert_error {ERR numkeys should be greater than 0} {r lmpop -1 l left}
        assert_error {ERR numkeys should be greater than 0} {r lmpop x l left}
        assert_error {ERR syntax error} {r lmpop 2 l left}
        assert_error {ERR syntax error} {r lmpop 1 l middle}
        assert_error {ERR syntax error} {r lmpop 1 l left foo}
        assert_error {ERR syntax error} {r lmpop 1 l left count 1 count 1}
        assert_error {ERR count should be greater than 0} {r lmpop 1 l left count 0}
        assert_error {ERR count should be greater than 0} {r lmpop 1 l left count -5}
        assert_error {ERR wrong number of arguments for 'lmpop' command} {r lmpop 1 l}
        assert_error {WRONGTYPE*} {r lmpop 2 str l left}
        r lrange l 0 -1
    } {a}

    test {Wrong type errors} {
        r del str
        r set str v
        foreach cmd {
            {lpush str a} {rpush str a} {lpushx str a} {rpushx str a} {llen str}
            {lrange str 0 1} {lindex str 0} {lset str 0 a} {linsert str before a b}
            {lpop str} {rpop str} {lpop str 2} {ltrim str 0 1} {lrem str 0 a}
            {lpos str a} {blpop str 0} {brpop str 0} {blmove str x left left 0}
            {brpoplpush str x 0} {blmpop 0 1 str left}
        } {
            assert_error {WRONGTYPE Operation against a key holding the wrong kind of value} \
                [list r {*}$cmd]
        }
        r get str
    } {v}

    test {Arity errors} {
        foreach {cmd n} {
            lpush 1 rpush 1 lpushx 1 rpushx 1 llen 0 lrange 2 lindex 1 lset 2 linsert 3
            lpop 0 rpop 0 ltrim 2 lrem 2 lpos 1 lmove 3 rpoplpush 1 lmpop 2 blpop 1 brpop 1
            blmove 4 brpoplpush 2 blmpop 3
        } {
            set args [lrepeat $n k]
            assert_error "ERR wrong number of arguments for '$cmd' command" [list r $cmd {*}$args]
        }
    }

    test {Binary-safe elements} {
        r del l
        set v "a\x00b\r\nc"
        r rpush l $v ""
        list [r lindex l 0] [r lindex l 1] [r lpos l $v] [r lrem l 1 ""]
    } [list "a\x00b\r\nc" "" 0 1]

    test {Integers are stored compactly and read back as text} {
        r del l
        r rpush l 0 -1 9223372036854775807 -9223372036854775808 18446744073709551616 007 1.5
        r lrange l 0 -1
    } {0 -1 9223372036854775807 -9223372036854775808 18446744073709551616 007 1.5}

    test {OBJECT ENCODING of a list is quicklist} {
        r del l
        r rpush l a
        assert_encoding quicklist l
        r type l
    } {list}

    test {A big list spans many nodes and keeps its order} {
        r del big
        set expected {}
        for {set i 0} {$i < 2000} {incr i} {
            lappend expected "element-$i-[string repeat x [expr {$i % 50}]]"
        }
        foreach chunk [lrange $expected 0 999] { r rpush big $chunk }
        r rpush big {*}[lrange $expected 1000 end]
        assert_equal [r llen big] 2000
        assert_equal [r lrange big 0 -1] $expected
        assert_equal [r lindex big 1234] [lindex $expected 1234]
        assert_equal [r lindex big -777] [lindex $expected end-776]
        assert_equal [r lpos big [lindex $expected 1500]] 1500
        assert_encoding quicklist big
    }

    test {LINSERT, LSET and LREM in the middle of a big list} {
        r del big
        for {set i 0} {$i < 1000} {incr i} { r rpush big $i }
        set model {}
        for {set i 0} {$i < 1000} {incr i} { lappend model $i }
        for {set i 0} {$i < 100} {incr i} {
            set pivot [expr {($i * 37) % 1000}]
            r linsert big after $pivot "after-$pivot"
            set idx [lsearch -exact $model $pivot]
            set model [linsert $model [expr {$idx + 1}] "after-$pivot"]
        }
        r lset big 500 changed
        lset model 500 changed
        assert_equal [r lrem big 0 after-0] 1
        set model [lsearch -all -inline -not -exact $model after-0]
        assert_equal [r llen big] [llength $model]
        assert_equal [r lrange big 0 -1] $model
    }

    test {LTRIM and LRANGE across node boundaries} {
        r del big
        for {set i 0} {$i < 3000} {incr i} { lappend vals [string repeat v 20]$i }
        r rpush big {*}$vals
        r ltrim big 1000 -1001
        assert_equal [r llen big] 1000
        assert_equal [r lrange big 0 -1] [lrange $vals 1000 1999]
        assert_equal [r lrange big 990 1010] [lrange $vals 1990 1999]
    }

    test {Popping big ranges with a count} {
        r del big
        for {set i 0} {$i < 1500} {incr i} { r rpush big $i }
        set got [r rpop big 1000]
        assert_equal [llength $got] 1000
        assert_equal [lindex $got 0] 1499
        assert_equal [lindex $got end] 500
        set rest [r lpop big 600]
        assert_equal [llength $rest] 500
        assert_equal [lindex $rest end] 499
        r exists big
    } {0}

    test {list-max-listpack-size and its ziplist alias} {
        set old [lindex [r config get list-max-listpack-size] 1]
        assert_equal $old -2
        r config set list-max-ziplist-size 4
        assert_equal [r config get list-max-listpack-size] {list-max-listpack-size 4}
        assert_equal [r config get list-max-ziplist-size] {list-max-ziplist-size 4}
        r del l
        r rpush l 1 2 3 4 5 6 7 8 9
        assert_equal [r lrange l 0 -1] {1 2 3 4 5 6 7 8 9}
        assert_error {*argument couldn't be parsed into an integer*} \
            {r config set list-max-listpack-size abc}
        r config set list-max-listpack-size $old
        r config get list-max-listpack-size
    } {list-max-listpack-size -2}

    test {list-compress-depth is accepted and stored} {
        assert_equal [r config get list-compress-depth] {list-compress-depth 0}
        r config set list-compress-depth 2
        r del l
        r rpush l a b c
        assert_equal [r lrange l 0 -1] {a b c}
        assert_error {*argument must be between 0 and 2147483647 inclusive*} \
            {r config set list-compress-depth -1}
        r config set list-compress-depth 0
        r config get list-compress-depth
    } {list-compress-depth 0}

    test {COPY of a list is independent of the original} {
        r del l l2
        r rpush l a b c
        assert_equal [r copy l l2] 1
        r rpush l2 d
        r lpop l
        list [r lrange l 0 -1] [r lrange l2 0 -1] [r object encoding l2]
    } {{b c} {a b c d} quicklist}

    test {RENAME keeps the list} {
        r del l l3
        r rpush l x y
        r rename l l3
        list [r exists l] [r lrange l3 0 -1]
    } {0 {x y}}

    test {Keyspace events of list commands} {
        r config set notify-keyspace-events KEl
        set sub [kp_client]
        $sub psubscribe "__keyevent@*__:*"
        r del l
        r rpush l a b c
        r lpush l z
        r linsert l before a q
        r lset l 0 y
        r lrem l 1 q
        r ltrim l 0 -1
        r lpop l
        r rpop l 2
        set events {}
        for {set i 0} {$i < 8} {incr i} {
            set m [$sub read]
            if {[lindex $m 0] eq "psubscribe"} { set m [$sub read] }
            lappend events [lindex [split [lindex $m 2] :] 1]
        }
        $sub close
        r config set notify-keyspace-events ""
        set events
    } {rpush lpush linsert lset lrem ltrim lpop rpop}
}
