# Hash commands: replies, error texts, encodings (listpack <-> hashtable
# thresholds), empty-key deletion, RESP3 shapes and keyspace events.
# Every test also passes against Debian's redis-server 7.0.

# Fills key with n fields "f<i>" -> "v<i>".
proc hash_fill {key n} {
    r del $key
    set args {}
    for {set i 0} {$i < $n} {incr i} { lappend args f$i v$i }
    r hset $key {*}$args
}

start_server {tags {hash}} {
    test {HSET adds fields and replies the number of new ones} {
        r del h
        assert_equal [r hset h a 1 b 2] 2
        assert_equal [r hset h a 10 c 3] 1
        list [r hget h a] [r hget h b] [r hget h c] [r hlen h]
    } {10 2 3 3}

    test {HSET with a missing value is an arity error} {
        assert_error "ERR wrong number of arguments for 'hset' command" {r hset h a 1 b}
        assert_error "ERR wrong number of arguments for 'hset' command" {r hset h a}
        assert_error "ERR wrong number of arguments for 'hmset' command" {r hmset h a 1 b}
    }

    test {HMSET replies OK} {
        r del h
        list [r hmset h x 1 y 2] [r hgetall h]
    } {OK {x 1 y 2}}

    test {HSETNX sets only missing fields} {
        r del h
        assert_equal [r hsetnx h a 1] 1
        assert_equal [r hsetnx h a 2] 0
        r hget h a
    } {1}

    test {HGET and HMGET of missing fields and keys} {
        r del h nokey
        r hset h a 1
        list [r hget h nope] [r hget nokey a] [r hmget h a nope a] [r hmget nokey a b]
    } {{} {} {1 {} 1} {{} {}}}

    test {HLEN, HSTRLEN, HEXISTS} {
        r del h
        r hset h a hello b 12345 c -7 d ""
        list [r hlen h] [r hstrlen h a] [r hstrlen h b] [r hstrlen h c] [r hstrlen h d] \
            [r hstrlen h nope] [r hexists h a] [r hexists h nope] [r hlen nokey] \
            [r hstrlen nokey a] [r hexists nokey a]
    } {4 5 5 2 0 0 1 0 0 0 0}

    test {HKEYS, HVALS, HGETALL keep insertion order in a listpack} {
        r del h
        r hset h z 1 a 2 m 3
        list [r hkeys h] [r hvals h] [r hgetall h] [r hkeys nokey] [r hgetall nokey]
    } {{z a m} {1 2 3} {z 1 a 2 m 3} {} {}}

    test {HGETALL of a hashtable hash returns every pair} {
        hash_fill big 600
        assert_encoding hashtable big
        set d [r hgetall big]
        assert_equal [dict size $d] 600
        assert_equal [dict get $d f599] v599
        assert_equal [llength [r hkeys big]] 600
        lsort [lrange [lsort -unique [r hvals big]] 0 2]
    } {v0 v1 v10}

    test {HDEL replies the number removed and deletes the empty hash} {
        r del h
        r hset h a 1 b 2 c 3
        assert_equal [r hdel h a nope a] 1
        assert_equal [r hdel nokey a] 0
        assert_equal [r hdel h b c] 2
        r exists h
    } {0}

    test {HDEL on a hashtable hash} {
        hash_fill big 600
        for {set i 0} {$i < 599} {incr i} { r hdel big f$i }
        assert_encoding hashtable big
        assert_equal [r hgetall big] {f599 v599}
        r hdel big f599
        r exists big
    } {0}

    test {HINCRBY} {
        r del h
        assert_equal [r hincrby h n 5] 5
        assert_equal [r hincrby h n -7] -2
        r hset h s abc big 9223372036854775807
        assert_error "ERR hash value is not an integer" {r hincrby h s 1}
        assert_error "ERR increment or decrement would overflow" {r hincrby h big 1}
        assert_error "ERR value is not an integer or out of range" {r hincrby h n x}
        assert_error "ERR value is not an integer or out of range" {r hincrby h n 1.5}
        r hget h n
    } {-2}

    test {HINCRBYFLOAT} {
        r del h
        assert_equal [r hincrbyfloat h f 10.5] 10.5
        assert_equal [r hincrbyfloat h f 0.1] 10.6
        assert_equal [r hincrbyfloat h g 3.0e3] 3000
        r hset h s abc i 5
        assert_equal [r hincrbyfloat h i 1.5] 6.5
        assert_error "ERR hash value is not a float" {r hincrbyfloat h s 1}
        assert_error "ERR value is not a valid float" {r hincrbyfloat h f x}
        assert_error "ERR value is NaN or Infinity" {r hincrbyfloat h f inf}
        r hset h huge 1e4932
        assert_error "ERR increment would produce NaN or Infinity" {r hincrbyfloat h huge 1e4932}
        r hget h f
    } {10.6}

    test {WRONGTYPE for every hash command} {
        r del str
        r set str x
        foreach cmd {
            {hset str a 1} {hsetnx str a 1} {hmset str a 1} {hget str a} {hmget str a}
            {hdel str a} {hlen str} {hstrlen str a} {hexists str a} {hkeys str}
            {hvals str} {hgetall str} {hincrby str a 1} {hincrbyfloat str a 1}
            {hrandfield str} {hrandfield str 2} {hscan str 0}
        } {
            assert_error "WRONGTYPE Operation against a key holding the wrong kind of value" \
                {r {*}$cmd} $cmd
        }
    }

    test {Arity errors} {
        foreach cmd {{hget h} {hmget h} {hdel h} {hlen} {hstrlen h} {hexists h} {hkeys}
                     {hincrby h a} {hincrbyfloat h a} {hrandfield} {hscan h} {hsetnx h a}} {
            set name [lindex $cmd 0]
            assert_error "ERR wrong number of arguments for '$name' command" {r {*}$cmd} $cmd
        }
    }

    test {Binary-safe fields and values} {
        r del h
        r hset h "a\x00b" "\xff\x00" "" empty
        list [r hget h "a\x00b"] [r hget h ""] [r hexists h a] [r hstrlen h "a\x00b"]
    } [list "\xff\x00" empty 0 2]

    test {Integer-looking fields and values stay exact} {
        r del h
        r hset h 0 0 -1 -1 007 007 9223372036854775807 x 12 -9223372036854775808
        list [r hget h 0] [r hget h -1] [r hget h 007] [r hget h 7] \
            [r hget h 9223372036854775807] [r hget h 12] [r hkeys h]
    } {0 -1 007 {} x -9223372036854775808 {0 -1 007 9223372036854775807 12}}
}

start_server {tags {hash encoding}} {
    test {Small hashes are listpacks, the *-ziplist-* names are aliases} {
        r del h
        r hset h a 1
        assert_encoding listpack h
        assert_equal [r config get hash-max-ziplist-entries] {hash-max-ziplist-entries 512}
        assert_equal [r config get hash-max-listpack-value] {hash-max-listpack-value 64}
        r config set hash-max-ziplist-entries 10
        assert_equal [r config get hash-max-listpack-entries] {hash-max-listpack-entries 10}
        r config set hash-max-listpack-entries 512
        r type h
    } {hash}

    test {Conversion to hashtable past hash-max-listpack-entries} {
        r config set hash-max-listpack-entries 4
        hash_fill h 4
        assert_encoding listpack h
        r hset h f3 again
        assert_encoding listpack h
        r hset h f4 v4
        assert_encoding hashtable h
        # Deleting does not convert back.
        r hdel h f0 f1 f2 f3
        assert_encoding hashtable h
        r config set hash-max-listpack-entries 512
        r hgetall h
    } {f4 v4}

    test {Conversion to hashtable past hash-max-listpack-value} {
        set long [string repeat x 65]
        foreach {cmd} [list [list hset h f $long] [list hset h $long v] [list hsetnx h $long v] \
                           [list hincrby h $long 1] [list hincrbyfloat h $long 1] \
                           [list hmset h a 1 $long 2]] {
            r del h
            r hset h a 1
            r {*}$cmd
            assert_encoding hashtable h
        }
        r del h
        r hset h f [string repeat x 64]
        assert_encoding listpack h
        r hincrbyfloat h g 1e300
        assert_encoding hashtable h
        string length [r hget h g]
    } {301}

    test {Many fields in one HSET stay a listpack when they fit} {
        r del h
        set args {}
        for {set i 0} {$i < 600} {incr i} { lappend args same v$i }
        r hset h {*}$args
        list [r object encoding h] [r hget h same]
    } {listpack v599}

    test {hash-max-listpack-value errors} {
        assert_error "*argument must be a memory value*" {r config set hash-max-listpack-value -1}
        assert_error "*argument must be between 0 and 9223372036854775807 inclusive*" \
            {r config set hash-max-listpack-entries -1}
        r config set hash-max-listpack-value 1kb
        set v [r config get hash-max-listpack-value]
        r config set hash-max-listpack-value 64
        set v
    } {hash-max-listpack-value 1024}

    test {COPY of a hash in both encodings} {
        foreach n {3 600} enc {listpack hashtable} {
            hash_fill src $n
            r del dst
            assert_equal [r copy src dst] 1
            assert_encoding $enc dst
            r hset src f0 changed
            assert_equal [r hget dst f0] v0
            assert_equal [r hlen dst] $n
        }
    }
}

start_server {tags {hash hrandfield}} {
    test {HRANDFIELD without a count} {
        r del h
        assert_equal [r hrandfield nokey] {}
        r hset h a 1 b 2 c 3
        assert_match {[abc]} [r hrandfield h]
        hash_fill big 600
        assert_match {f*} [r hrandfield big]
    }

    test {HRANDFIELD count errors} {
        assert_error "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807" \
            {r hrandfield h -9223372036854775808}
        assert_error "ERR value is out of range" {r hrandfield h 4611686018427387904 withvalues}
        assert_error "ERR syntax error" {r hrandfield h 1 foo}
        assert_error "ERR syntax error" {r hrandfield h 1 withvalues x}
        assert_error "ERR value is not an integer or out of range" {r hrandfield h x}
        list [r hrandfield nokey 3] [r hrandfield h 0] [r hrandfield nokey -3 withvalues]
    } {{} {} {}}

    foreach n {5 600} enc {listpack hashtable} {
        test "HRANDFIELD counts on a $enc hash" {
            hash_fill h $n
            assert_encoding $enc h
            # Whole hash when the count is at least the size.
            set all [r hrandfield h [expr {$n + 10}]]
            assert_equal [llength $all] $n
            assert_equal [llength [lsort -unique $all]] $n
            # Distinct fields for every positive count below the size.
            foreach count [list 1 2 [expr {$n / 2}] [expr {$n - 1}] [expr {$n / 4 + 1}]] {
                set got [r hrandfield h $count]
                assert_equal [llength $got] $count
                assert_equal [llength [lsort -unique $got]] $count
            }
            # Negative counts repeat.
            assert_equal [llength [r hrandfield h -50]] 50
            set pairs [r hrandfield h -20 withvalues]
            assert_equal [llength $pairs] 40
            foreach {f v} $pairs { assert_equal v[string range $f 1 end] $v }
            set pairs [r hrandfield h 3 withvalues]
            assert_equal [llength $pairs] 6
            foreach {f v} $pairs { assert_equal [r hget h $f] $v }
        }
    }

    test {HRANDFIELD with a negative count reaches every field} {
        hash_fill h 5
        lsort -unique [r hrandfield h -200]
    } {f0 f1 f2 f3 f4}
}

start_server {tags {hash hscan}} {
    test {HSCAN returns a listpack hash in one call} {
        r del h
        r hset h a 1 b 2 ab 3
        list [r hscan h 0] [r hscan h 0 match a*] [r hscan h 0 count 1] [r hscan nokey 0]
    } {{0 {a 1 b 2 ab 3}} {0 {a 1 ab 3}} {0 {a 1 b 2 ab 3}} {0 {}}}

    test {HSCAN iterates a hashtable hash to cursor 0} {
        hash_fill h 1000
        set cursor 0
        set seen {}
        set calls 0
        while 1 {
            lassign [r hscan h $cursor count 20] cursor items
            foreach {f v} $items { dict set seen $f $v }
            incr calls
            if {$cursor == 0} break
        }
        assert_morethan $calls 10
        assert_equal [dict size $seen] 1000
        dict get $seen f777
    } {v777}

    test {HSCAN MATCH on a hashtable hash} {
        hash_fill h 1000
        set cursor 0
        set seen {}
        while 1 {
            lassign [r hscan h $cursor match f99* count 100] cursor items
            foreach {f v} $items { lappend seen $f }
            if {$cursor == 0} break
        }
        lsort -unique $seen
    } {f99 f990 f991 f992 f993 f994 f995 f996 f997 f998 f999}

    # Found with the difftest's ZSCAN mismatch (seed 21), the same count:
    # Redis doubles an HSCAN's COUNT, each field coming with its value.
    test {HSCAN COUNT counts fields, not fields plus values} {
        hash_fill h 600
        assert_encoding hashtable h
        lassign [r hscan h 0 count 1000] cursor items
        assert_equal [list $cursor [llength $items]] {0 1200}
        lassign [r hscan h 0 count 250] cursor items
        assert {$cursor != 0 && [llength $items] >= 500}
    }

    test {HSCAN option errors} {
        r del h
        r hset h a 1
        assert_error "ERR syntax error" {r hscan h 0 count 0}
        assert_error "ERR syntax error" {r hscan h 0 foo bar}
        assert_error "ERR syntax error" {r hscan h 0 type string}
        assert_error "ERR syntax error" {r hscan h 0 count}
        assert_error "ERR value is not an integer or out of range" {r hscan h 0 count x}
        assert_error "ERR invalid cursor" {r hscan h abc}
    }
}

start_server {tags {hash resp3}} {
    test {RESP3 reply shapes of hash commands} {
        r hello 3
        r del h
        r hset h a 1
        assert_equal [r rawcmd hgetall h] "%1\r\n\$1\r\na\r\n\$1\r\n1\r\n"
        assert_equal [r rawcmd hgetall nokey] "%0\r\n"
        assert_equal [r rawcmd hget nokey a] "_\r\n"
        assert_equal [r rawcmd hmget h a b] "*2\r\n\$1\r\n1\r\n_\r\n"
        assert_equal [r rawcmd hrandfield h] "\$1\r\na\r\n"
        assert_equal [r rawcmd hrandfield nokey] "_\r\n"
        assert_equal [r rawcmd hrandfield h 1 withvalues] "*1\r\n*2\r\n\$1\r\na\r\n\$1\r\n1\r\n"
        assert_equal [r rawcmd hrandfield h -2 withvalues] \
            "*2\r\n*2\r\n\$1\r\na\r\n\$1\r\n1\r\n*2\r\n\$1\r\na\r\n\$1\r\n1\r\n"
        assert_equal [r rawcmd hrandfield h -2] "*2\r\n\$1\r\na\r\n\$1\r\na\r\n"
        assert_equal [r rawcmd hincrbyfloat h f 1.5] "\$3\r\n1.5\r\n"
        r rawcmd hscan h 0
    } "*2\r\n\$1\r\n0\r\n*4\r\n\$1\r\na\r\n\$1\r\n1\r\n\$1\r\nf\r\n\$3\r\n1.5\r\n"

    test {RESP2 HRANDFIELD WITHVALUES is flat} {
        r hello 2
        r del h
        r hset h a 1
        r rawcmd hrandfield h -2 withvalues
    } "*4\r\n\$1\r\na\r\n\$1\r\n1\r\n\$1\r\na\r\n\$1\r\n1\r\n"
}

start_server {tags {hash notifications}} {
    test {Keyspace events of hash commands} {
        r config set notify-keyspace-events KEA
        set sub [kp_client]
        $sub psubscribe "__keyevent@*__:*"
        r del h
        r hset h a 1 n 1
        r hsetnx h b 2
        r hincrby h n 1
        r hincrbyfloat h n 1.5
        r hdel h a
        r hdel h b n
        set events {}
        for {set i 0} {$i < 7} {incr i} {
            set m [$sub read]
            if {[lindex $m 0] eq "psubscribe"} { set m [$sub read] }
            lappend events [lindex [split [lindex $m 2] :] 1]
        }
        $sub close
        r config set notify-keyspace-events ""
        set events
    } {hset hset hincrby hincrbyfloat hdel hdel del}
}
