# Generic key commands, databases and OBJECT.

start_server {tags {keyspace}} {
    test {DEL counts deleted keys once} {
        r mset a 1 b 2 c 3
        list [r del a nosuchkey a] [r del b c] [r exists a b c]
    } {1 2 0}

    test {UNLINK} {
        r mset u1 1 u2 2
        list [r unlink u1 u2 nosuchkey] [r exists u1 u2]
    } {2 0}

    test {EXISTS counts repeated keys} {
        r set ex 1
        r exists ex ex nosuchkey
    } {2}

    test {TYPE} {
        r set ty v
        list [r type ty] [r type nosuchkey]
    } {string none}

    test {Arity errors of generic commands} {
        foreach cmd {del unlink exists touch keys type} {
            assert_equal [catch {r $cmd} e] 1 $cmd
            assert_equal $e "ERR wrong number of arguments for '$cmd' command" $cmd
        }
        assert_error "ERR wrong number of arguments for 'dbsize' command" {r dbsize x}
    }

    test {KEYS with patterns} {
        r flushdb
        foreach k {hello hallo hxllo hllo heeeello abc a*c a?c "a\\b"} { r set $k 1 }
        assert_equal [lsort [r keys *]] [lsort {hello hallo hxllo hllo heeeello abc a*c a?c "a\\b"}]
        assert_equal [lsort [r keys h?llo]] {hallo hello hxllo}
        assert_equal [lsort [r keys h*llo]] {hallo heeeello hello hllo hxllo}
        assert_equal [lsort [r keys {h[ae]llo}]] {hallo hello}
        assert_equal [lsort [r keys {h[^e]llo}]] {hallo hxllo}
        assert_equal [lsort [r keys {h[a-b]llo}]] {hallo}
        assert_equal [r keys {a\*c}] {a*c}
        assert_equal [r keys {a\?c}] {a?c}
        assert_equal [lsort [r keys a?c]] {a*c a?c abc}
        assert_equal [r keys nomatch*] {}
    }

    test {DBSIZE} {
        r flushdb
        r mset d1 1 d2 2 d3 3
        r dbsize
    } {3}

    test {RANDOMKEY} {
        r flushdb
        assert_equal [r randomkey] {}
        r set only 1
        assert_equal [r randomkey] only
        r set other 1
        set seen {}
        for {set i 0} {$i < 100} {incr i} { dict set seen [r randomkey] 1 }
        lsort [dict keys $seen]
    } {only other}

    test {RENAME} {
        r flushdb
        r set src v
        assert_equal [r rename src dst] OK
        list [r exists src] [r get dst]
    } {0 v}

    test {RENAME over an existing key} {
        r set src new
        r set dst old ex 100
        r rename src dst
        list [r get dst] [r ttl dst]
    } {new -1}

    test {RENAME carries the TTL} {
        r set tsrc v ex 100
        r rename tsrc tdst
        assert_range [r ttl tdst] 99 100
        r exists tsrc
    } {0}

    test {RENAME errors and the same name} {
        assert_error "ERR no such key" {r rename nosuchkey x}
        assert_error "ERR no such key" {r rename nosuchkey nosuchkey}
        r set same v
        list [r rename same same] [r get same]
    } {OK v}

    test {RENAMENX} {
        r mset n1 a n2 b
        assert_equal [r renamenx n1 n2] 0
        assert_equal [r renamenx n1 n1] 0
        assert_equal [r renamenx n1 n3] 1
        assert_error "ERR no such key" {r renamenx nosuchkey y}
        r mget n1 n2 n3
    } {{} b a}

    test {RENAMENX carries the TTL} {
        r set rn v px 100000
        r renamenx rn rn2
        assert_range [r pttl rn2] 99000 100000
    }

    test {COPY} {
        r flushdb
        r set c1 v ex 100
        assert_equal [r copy c1 c2] 1
        assert_equal [r get c2] v
        assert_range [r ttl c2] 99 100
        assert_equal [r copy c1 c2] 0
        r set c1 w
        assert_equal [r copy c1 c2 replace] 1
        list [r get c2] [r ttl c2] [r copy nosuchkey c2]
    } {w -1 0}

    test {COPY to another database} {
        r set cdb v
        assert_equal [r copy cdb cdb db 9] 1
        r select 9
        set v [r get cdb]
        r select 0
        set v
    } {v}

    test {COPY errors} {
        r set ce v
        assert_error "ERR source and destination objects are the same" {r copy ce ce}
        assert_error "ERR DB index is out of range" {r copy ce x db 16}
        assert_error "ERR DB index is out of range" {r copy ce x db -1}
        assert_error "ERR value is not an integer or out of range" {r copy ce x db abc}
        assert_error "ERR syntax error" {r copy ce x foo}
    }

    test {COPY of a copy is independent} {
        r set orig abc
        r copy orig cp
        r append cp def
        list [r get orig] [r get cp]
    } {abc abcdef}

    test {MOVE} {
        r select 3
        r flushdb
        r select 0
        r set mv v ex 100
        assert_equal [r move mv 3] 1
        assert_equal [r exists mv] 0
        r select 3
        set res [list [r get mv] [expr {[r ttl mv] > 90}]]
        r select 0
        set res
    } {v 1}

    test {MOVE does not overwrite and keeps the source} {
        r set mx src
        r select 3
        r set mx dst
        r select 0
        assert_equal [r move mx 3] 0
        assert_equal [r move nosuchkey 3] 0
        r get mx
    } {src}

    test {COPY to the same key in the current database and SWAPDB with itself} {
        r set same v
        assert_error "ERR source and destination objects are the same" {r copy same same db 0}
        assert_equal [r copy same same2 db 0] 1
        assert_equal [r swapdb 0 0] OK
        r get same2
    } {v}

    test {Commands with thousands of arguments} {
        r flushdb
        set args {}
        for {set i 0} {$i < 10000} {incr i} { lappend args many:$i $i }
        assert_equal [r mset {*}$args] OK
        assert_equal [r dbsize] 10000
        set keys {}
        for {set i 0} {$i < 10000} {incr i} { lappend keys many:$i }
        assert_equal [lindex [r mget {*}$keys] 9999] 9999
        assert_equal [r exists {*}$keys] 10000
        assert_equal [r del {*}$keys] 10000
        r dbsize
    } {0}

    test {RANDOMKEY when every key has expired} {
        r flushdb
        for {set i 0} {$i < 20} {incr i} { r set gone:$i v px 10 }
        kp_sleep 50
        r randomkey
    } {}

    test {MOVE errors} {
        assert_error "ERR source and destination objects are the same" {r move mx 0}
        assert_error "ERR DB index is out of range" {r move mx 16}
        assert_error "ERR value is not an integer or out of range" {r move mx abc}
    }

    test {TOUCH} {
        r mset t1 1 t2 2
        r touch t1 t2 nosuchkey t1
    } {3}

    test {OBJECT ENCODING int, embstr, raw} {
        r set i 123
        assert_encoding int i
        r set i -123
        assert_encoding int i
        r set i 9223372036854775807
        assert_encoding int i
        r set i 9223372036854775808
        assert_encoding embstr i
        r set i 01
        assert_encoding embstr i
        r set e [string repeat x 44]
        assert_encoding embstr e
        r set e [string repeat x 45]
        assert_encoding raw e
        r set e abc
        r append e def
        assert_encoding raw e
        r object encoding nosuchkey
    } {}

    test {OBJECT ENCODING of non-canonical numbers and modified values} {
        foreach v {-0 1.5 " 1" +1 "1 " 007} {
            r set nc $v
            assert_encoding embstr nc
        }
        r set n 1
        r append n 2
        assert_encoding raw n
        r set n 5
        r setrange n 0 7
        assert_encoding raw n
        r set n 5
        r getrange n 0 0
        assert_encoding int n
        r set n 9999
        r incr n
        assert_encoding int n
        r get n
    } {10000}

    test {OBJECT REFCOUNT} {
        r set small 123
        assert_equal [r object refcount small] 2147483647
        r set bigval 123456
        assert_equal [r object refcount bigval] 1
        r set edge 9999
        assert_equal [r object refcount edge] 2147483647
        r set edge 10000
        assert_equal [r object refcount edge] 1
        r object refcount nosuchkey
    } {}

    test {OBJECT IDLETIME} {
        r set idle v
        assert_range [r object idletime idle] 0 1
        r object idletime nosuchkey
    } {}

    test {OBJECT FREQ without an LFU policy} {
        r set fr v
        assert_error "ERR An LFU maxmemory policy is not selected, access frequency not tracked.*" {
            r object freq fr
        }
    }

    test {OBJECT errors} {
        assert_error "ERR unknown subcommand 'foo'. Try OBJECT HELP." {r object foo x}
        assert_error "ERR wrong number of arguments for 'object|encoding' command" {r object encoding}
        assert_match "OBJECT <subcommand>*" [lindex [r object help] 0]
    }

    test {SELECT keeps databases apart} {
        r select 0
        r set sel db0
        r select 1
        assert_equal [r get sel] {}
        r set sel db1
        r select 0
        r get sel
    } {db0}

    test {SELECT errors} {
        assert_error "ERR DB index is out of range" {r select 16}
        assert_error "ERR DB index is out of range" {r select -1}
        assert_error "ERR value is not an integer or out of range" {r select abc}
    }

    test {FLUSHDB empties only the current database} {
        r select 1
        r set keep 1
        r select 0
        r set gone 1
        assert_equal [r flushdb] OK
        assert_equal [r dbsize] 0
        r select 1
        set n [r exists keep]
        r select 0
        set n
    } {1}

    test {FLUSHDB SYNC and ASYNC} {
        r mset f1 1 f2 2
        assert_equal [r flushdb sync] OK
        assert_equal [r dbsize] 0
        for {set i 0} {$i < 1000} {incr i} { r set big$i [string repeat x 100] }
        assert_equal [r flushdb async] OK
        assert_equal [r dbsize] 0
        assert_error "ERR syntax error" {r flushdb foo}
    }

    test {FLUSHALL SYNC and ASYNC empty every database} {
        r select 2
        r set x 1
        r select 0
        r set y 1
        assert_equal [r flushall sync] OK
        assert_equal [r dbsize] 0
        r select 2
        assert_equal [r dbsize] 0
        r set z 1
        r select 0
        assert_equal [r flushall async] OK
        r select 2
        assert_equal [r dbsize] 0
        r select 0
        assert_error "ERR syntax error" {r flushall foo}
        assert_error "ERR syntax error" {r flushall sync async}
    }

    test {SWAPDB} {
        r flushall
        r set in0 a
        r select 1
        r set in1 b
        r select 0
        assert_equal [r swapdb 0 1] OK
        assert_equal [r get in0] {}
        assert_equal [r get in1] b
        r select 1
        set v [r get in0]
        r select 0
        set v
    } {a}

    test {SWAPDB is seen by other clients selected on a database} {
        set c [kp_client]
        $c select 1
        assert_equal [$c get in0] a
        r swapdb 0 1
        set v [$c get in1]
        $c close
        set v
    } {b}

    test {SWAPDB carries TTLs} {
        r flushall
        r set sw v ex 100
        r swapdb 0 5
        r select 5
        set t [r ttl sw]
        r select 0
        assert_range $t 99 100
    }

    test {SWAPDB errors} {
        assert_error "ERR DB index is out of range" {r swapdb 0 16}
        assert_error "ERR DB index is out of range" {r swapdb 0 -1}
        assert_error "ERR invalid first DB index" {r swapdb a 1}
        assert_error "ERR invalid second DB index" {r swapdb 0 b}
    }

    # Full SCAN iteration from cursor 0 back to 0; returns the keys seen.
    proc scan_all {args} {
        set cursor 0
        set keys {}
        while 1 {
            lassign [r scan $cursor {*}$args] cursor batch
            lappend keys {*}$batch
            if {$cursor == 0} break
        }
        return $keys
    }

    test {SCAN returns every key of a full iteration} {
        r flushdb
        for {set i 0} {$i < 1000} {incr i} { r set key:$i $i }
        set keys [lsort -unique [scan_all count 10]]
        llength $keys
    } {1000}

    test {SCAN with COUNT 1 and the default COUNT} {
        assert_equal [llength [lsort -unique [scan_all count 1]]] 1000
        llength [lsort -unique [scan_all]]
    } {1000}

    test {SCAN MATCH} {
        set keys [lsort -unique [scan_all match key:1?? count 100]]
        llength $keys
    } {100}

    test {SCAN TYPE} {
        assert_equal [llength [lsort -unique [scan_all type string count 100]]] 1000
        assert_equal [scan_all type list count 100] {}
        assert_equal [scan_all type nosuchtype count 100] {}
    }

    test {SCAN returns keys that exist throughout while others are added} {
        set cursor 0
        set seen {}
        set added 0
        while 1 {
            lassign [r scan $cursor count 20] cursor batch
            foreach k $batch { dict set seen $k 1 }
            for {set j 0} {$j < 10} {incr j} { r set extra:[incr added] x }
            if {$cursor == 0} break
        }
        set missing 0
        for {set i 0} {$i < 1000} {incr i} {
            if {![dict exists $seen key:$i]} { incr missing }
        }
        set missing
    } {0}

    test {SCAN does not return expired keys} {
        r flushdb
        for {set i 0} {$i < 10} {incr i} {
            r set live:$i v
            r set dying:$i v px 20
        }
        kp_sleep 60
        lsort [scan_all count 5]
    } {live:0 live:1 live:2 live:3 live:4 live:5 live:6 live:7 live:8 live:9}

    test {SCAN errors} {
        assert_error "ERR invalid cursor" {r scan abc}
        assert_error "ERR invalid cursor" {r scan 18446744073709551616}
        assert_error "ERR syntax error" {r scan 0 count 0}
        assert_error "ERR syntax error" {r scan 0 match}
        assert_error "ERR syntax error" {r scan 0 type}
        assert_error "ERR syntax error" {r scan 0 foo 1}
        assert_error "ERR value is not an integer or out of range" {r scan 0 count abc}
    }
}
