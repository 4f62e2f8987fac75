# Command propagation: what each write hands to the AOF, read back from the
# incremental AOF file (appendfsync always, so a reply means it is on disk).
# Deterministic rewrites (absolute TTLs, INCRBYFLOAT, SPOP, the blocking
# pops), no-op writes (nothing), MULTI/EXEC wrapping, lazy and active expiry,
# blocked clients served, the dirty counter, and the AOF replayed on restart.
# The expected forms are those of Redis 7.0.15, checked against it.

# The RESP commands of data (annotations skipped), each as a list.
proc prop_parse {data} {
    set out {}
    set i 0
    set n [string length $data]
    while {$i < $n} {
        set e [string first "\r\n" $data $i]
        if {$e < 0} { fail "torn AOF data at offset $i" }
        set line [string range $data $i [expr {$e - 1}]]
        set i [expr {$e + 2}]
        if {[string index $line 0] eq "#"} continue
        set argv {}
        for {set j 0} {$j < [string range $line 1 end]} {incr j} {
            set e [string first "\r\n" $data $i]
            set len [string range $data [expr {$i + 1}] [expr {$e - 1}]]
            set i [expr {$e + 2}]
            lappend argv [string range $data $i [expr {$i + $len - 1}]]
            set i [expr {$i + $len + 2}]
        }
        lappend out $argv
    }
    return $out
}

# Remembers where the AOF ends; prop_new returns what was appended since.
proc prop_mark {} {
    set ::prop_path [kp_aof_incr_path]
    set ::prop_offset [file size $::prop_path]
}

proc prop_new {} {
    set f [open $::prop_path rb]
    seek $f $::prop_offset
    set data [read $f]
    close $f
    return [prop_parse $data]
}

# Asserts that exactly cmds (a list of commands) were propagated since the
# mark, and marks again.
proc assert_propagated {cmds} {
    set got [prop_new]
    prop_mark
    assert_equal $got [lrange $cmds 0 end]
    return
}

# The dirty counter: changes since the last save.
proc prop_dirty {} { return [kp_persist_info rdb_changes_since_last_save] }

proc wait_blocked {n} {
    wait_for {[kp_info_field [r info clients] blocked_clients] == $n} 5000 \
        "expected $n blocked clients"
}

proc blocked_client {args} {
    set rd [kp_client -deferred]
    $rd {*}$args
    wait_blocked 1
    return $rd
}

set prop_conf [list appendonly yes appendfsync always enable-debug-command yes]

start_server [list tags {propagate} overrides $prop_conf] {
    # Lazy expiry only, unless a test turns active expiry on.
    r debug set-active-expire 0
    r set warmup 1
    prop_mark

    test {Writes that change nothing propagate nothing} {
        r del s h z l str
        r sadd s a
        r hset h f v
        r zadd z 1 a
        r rpush l x
        r set str abc
        r pfadd hll a
        prop_mark
        set before [prop_dirty]
        assert_equal [r sadd s a] 0
        assert_equal [r srem s nope] 0
        assert_equal [r del nokey] 0
        assert_equal [r unlink nokey] 0
        assert_equal [r expire nokey 100] 0
        assert_equal [r expire str 100 xx] 0
        assert_equal [r persist str] 0
        assert_equal [r lpushx nolist a] 0
        assert_equal [r set str x nx] {}
        assert_equal [r setnx str x] 0
        assert_equal [r msetnx str 1 other 2] 0
        assert_equal [r zadd z 1 a] 0
        assert_equal [r zrem z nope] 0
        assert_equal [r hdel h nope] 0
        assert_equal [r hsetnx h f w] 0
        assert_equal [r setrange str 1 ""] 3
        assert_equal [r ltrim l 0 -1] OK
        assert_equal [r lrem l 0 nope] 0
        assert_equal [r smove s s2 nope] 0
        assert_equal [r rename str str] OK
        assert_equal [r pfadd hll a] 0
        assert_equal [r getex str] abc
        assert_equal [r getdel nokey] {}
        assert_equal [r bitfield str get u8 0] 97
        assert_equal [r setbit str 1 1] 1
        assert_equal [r move nokey 3] 0
        assert_equal [r lpop nolist] {}
        assert_equal [r spop noset] {}
        assert_equal [r zpopmin noz] {}
        assert_equal [r sinterstore nodst s noset] 0
        assert_equal [r getex str persist] abc
        assert_equal [prop_dirty] $before
        assert_propagated {}
    }

    test {Plain writes propagate their own argv} {
        r set k v
        r lpush l2 a b
        r hset h f v
        r rename k k2
        r copy k2 k3
        r move k3 4
        r swapdb 5 6
        r del k2 l2 nokey
        assert_propagated {{set k v} {lpush l2 a b} {hset h f v} {rename k k2} {copy k2 k3}
            {move k3 4} {swapdb 5 6} {del k2 l2 nokey}}
    }

    test {HSET of an unchanged value still counts and propagates, as Redis} {
        set before [prop_dirty]
        assert_equal [r hset h f v g w] 1
        assert_equal [expr {[prop_dirty] - $before}] 2
        assert_propagated {{hset h f v g w}}
    }

    test {server.dirty counts changes as Redis does} {
        r del s l
        set d [prop_dirty]
        r sadd s a b c
        assert_equal [expr {[prop_dirty] - $d}] 3
        set d [prop_dirty]
        r rpush l a b c d e
        r ltrim l 1 2
        assert_equal [expr {[prop_dirty] - $d}] 8
        set d [prop_dirty]
        r mset a 1 b 2 c 3
        assert_equal [expr {[prop_dirty] - $d}] 3
        set d [prop_dirty]
        r pfadd newhll x y z
        assert_equal [expr {[prop_dirty] - $d}] 4
        prop_mark
    }

    test {EXPIRE, PEXPIRE and EXPIREAT propagate as PEXPIREAT with an absolute time} {
        r set k v
        prop_mark
        r expire k 100
        set t1 [r pexpiretime k]
        r pexpire k 200000
        set t2 [r pexpiretime k]
        r expireat k 4000000000
        r pexpireat k 4000000001000
        r expire k 50 lt
        set t3 [r pexpiretime k]
        assert_range [expr {$t1 - [clock milliseconds]}] 90000 100000
        assert_propagated [list [list PEXPIREAT k $t1] [list PEXPIREAT k $t2] \
                               {PEXPIREAT k 4000000000000} {pexpireat k 4000000001000} \
                               [list PEXPIREAT k $t3 lt]]
    }

    test {EXPIRE with a time already past propagates DEL} {
        r set k1 v
        r set k2 v
        r set k3 v
        prop_mark
        assert_equal [r expire k1 -1] 1
        assert_equal [r pexpireat k2 1] 1
        assert_equal [r expireat k3 0] 1
        assert_equal [r exists k1 k2 k3] 0
        assert_propagated {{DEL k1} {DEL k2} {DEL k3}}
    }

    test {SET with EX/PX/EXAT/PXAT, SETEX and PSETEX propagate as SET ... PXAT} {
        r set k v ex 100
        set t1 [r pexpiretime k]
        r set k v px 100000 nx get
        r set k w px 100000 xx
        set t2 [r pexpiretime k]
        r set k v exat 4000000000
        r set k v pxat 4000000000123
        r setex k 100 v
        set t3 [r pexpiretime k]
        r psetex k 100000 v
        set t4 [r pexpiretime k]
        assert_propagated [list [list SET k v PXAT $t1] [list SET k w PXAT $t2] \
                               {SET k v PXAT 4000000000000} {SET k v PXAT 4000000000123} \
                               [list SET k v PXAT $t3] [list SET k v PXAT $t4]]
    }

    test {SET GET propagates without GET; KEEPTTL and NX/XX stay} {
        r set k v get
        r set k w xx GET get keepttl
        r set fresh v nx
        assert_propagated {{set k v} {set k w xx keepttl} {set fresh v nx}}
    }

    test {GETEX propagates PEXPIREAT, PERSIST or DEL; GETSET SET; GETDEL DEL} {
        r set k v
        prop_mark
        r getex k ex 100
        set t1 [r pexpiretime k]
        r getex k pxat 4000000000000
        r getex k persist
        r getex k persist
        r getex k exat 1
        r set k v
        r getset k w
        r getdel k
        assert_propagated [list [list PEXPIREAT k $t1] {PEXPIREAT k 4000000000000} {PERSIST k} \
                               {DEL k} {set k v} {SET k w} {DEL k}]
    }

    test {INCRBYFLOAT and HINCRBYFLOAT propagate their result} {
        r set f 10 ex 100
        prop_mark
        assert_equal [r incrbyfloat f 0.25] 10.25
        assert_equal [r incrbyfloat f 1e2] 110.25
        assert_equal [r hincrbyfloat hf x 1.5] 1.5
        assert_equal [r hincrbyfloat hf x 2e1] 21.5
        assert_range [r ttl f] 90 100
        assert_propagated {{SET f 10.25 KEEPTTL} {SET f 110.25 KEEPTTL} {HSET hf x 1.5}
            {HSET hf x 21.5}}
    }

    test {SPOP propagates SREM of what it popped, or DEL when it took everything} {
        r del s
        r sadd s a b c d e f g h i j
        prop_mark
        set one [r spop s]
        set some [r spop s 3]
        set many [r spop s 5]
        set rest [r spop s 10]
        assert_equal [llength $rest] 1
        set expected [list [list SREM s $one] MULTI]
        foreach m $some { lappend expected [list SREM s $m] }
        lappend expected EXEC MULTI
        foreach m $many { lappend expected [list SREM s $m] }
        lappend expected EXEC {DEL s}
        assert_propagated $expected
        r sadd s x
        prop_mark
        r spop s
        assert_propagated {{SREM s x}}
    }

    test {Multi-key and blocking pops served at once propagate the plain pop} {
        r del l z d
        r rpush l a b c d e f
        r zadd z 1 a 2 b 3 c 4 d 5 e
        prop_mark
        r lmpop 1 l left count 2
        r blmpop 0 2 nol l right count 10
        r rpush l a b
        r blpop nol l 0
        r brpop l 0
        r rpush l a b
        r blmove l d LEFT RIGHT 0
        r brpoplpush l d 0
        r zmpop 1 z min
        r bzmpop 0 1 z max count 10
        r zadd z 1 a
        r bzpopmin z 0
        assert_propagated {{LPOP l 2} {RPOP l 4} {rpush l a b} {LPOP l} {RPOP l} {rpush l a b}
            {LMOVE l d LEFT RIGHT} {RPOPLPUSH l d} {ZPOPMIN z 1} {ZPOPMAX z 4} {zadd z 1 a}
            {ZPOPMIN z}}
    }

    test {Clients served after blocking propagate the non-blocking form after the push} {
        r del l d z
        prop_mark
        set rd [blocked_client blpop l 0]
        r rpush l a b
        assert_equal [$rd read] {l a}
        $rd brpoplpush l d 0
        assert_equal [$rd read] b
        $rd blmove l d LEFT RIGHT 0
        wait_blocked 1
        r rpush l c
        assert_equal [$rd read] c
        $rd blmpop 0 1 l right count 5
        wait_blocked 1
        r rpush l x y
        assert_equal [$rd read] {l {y x}}
        $rd bzpopmin z 0
        wait_blocked 1
        r zadd z 1 a 2 b
        assert_equal [$rd read] {z a 1}
        $rd bzmpop 0 1 z max count 3
        assert_equal [$rd read] {z {{b 2}}}
        $rd bzmpop 0 1 z max count 3
        wait_blocked 1
        r zadd z 3 c 4 d
        assert_equal [$rd read] {z {{d 4} {c 3}}}
        $rd close
        assert_propagated {{rpush l a b} {LPOP l} {RPOPLPUSH l d} {rpush l c}
            {LMOVE l d left right} {rpush l x y} {RPOP l 2} {zadd z 1 a 2 b} {ZPOPMIN z}
            {ZPOPMAX z 1} {zadd z 3 c 4 d} {ZPOPMAX z 2}}
    }

    test {EXEC wraps two or more propagated commands in MULTI/EXEC} {
        r multi
        r set a 1
        r incr n
        r get a
        r exec
        assert_propagated {MULTI {set a 1} {incr n} EXEC}
    }

    test {EXEC with one write propagates it alone, with none nothing} {
        r multi
        r set a 2
        r get a
        r exec
        r multi
        r get a
        r sadd s2 a
        r srem s2 a
        r srem s2 a
        r exec
        r multi
        r get a
        r exec
        assert_propagated {{set a 2} MULTI {sadd s2 a} {srem s2 a} EXEC}
    }

    test {A transaction across databases selects inside MULTI/EXEC} {
        r multi
        r select 2
        r set a 1
        r select 3
        r set b 2
        r select 0
        r exec
        r set c 3
        assert_propagated {{SELECT 2} MULTI {set a 1} {SELECT 3} {set b 2} EXEC {SELECT 0} {set c 3}}
    }

    test {Failed commands inside EXEC are left out; an aborted EXEC propagates nothing} {
        r multi
        r set x 1
        r lpush x 2
        r set y 3
        catch {r exec}
        r watch w
        r set w 1
        r multi
        r set w 2
        assert_equal [r exec] {}
        assert_propagated {MULTI {set x 1} {set y 3} EXEC {set w 1}}
    }

    test {A key found expired propagates DEL, before the command that found it} {
        r set e1 v px 1
        r set e2 v px 1
        r set e3 v px 1
        after 20
        prop_mark
        assert_equal [r get e1] {}
        assert_equal [r set e2 new] OK
        r multi
        r exists e3
        r set other 1
        r exec
        assert_propagated {{DEL e1} MULTI {DEL e2} {set e2 new} EXEC MULTI {DEL e3} {set other 1}
            EXEC}
    }

    test {Active expiry propagates DEL on its own} {
        r set ae v px 1
        prop_mark
        r debug set-active-expire 1
        wait_for {[llength [prop_new]] > 0} 5000 "no DEL from active expiry"
        r debug set-active-expire 0
        assert_propagated {{DEL ae}}
    }

    test {PFCOUNT propagates when it updated the cached cardinality} {
        r del h1
        r pfadd h1 a b c
        prop_mark
        assert_equal [r pfcount h1] 3
        assert_equal [r pfcount h1] 3
        assert_propagated {{pfcount h1}}
    }

    test {FLUSHALL and FLUSHDB propagate even on an empty dataset; PUBLISH never} {
        r flushall
        r flushall
        r flushdb
        r publish chan msg
        assert_propagated {flushall flushall flushdb}
    }

    test {SORT BY nosort STORE of a set stores it sorted} {
        r sadd sortme c a b
        r sort sortme by nosort store sorted
        assert_equal [r lrange sorted 0 -1] {a b c}
    }

    tags {keyport} {
        test {BITFIELD that only created or padded the string still propagates (Redis: not)} {
            r del bf
            prop_mark
            assert_equal [r bitfield bf overflow fail incrby u8 0 300] {{}}
            assert_equal [r strlen bf] 1
            assert_propagated {{bitfield bf overflow fail incrby u8 0 300}}
        }
    }

    test {Restarting replays the AOF into the same dataset} {
        r flushall
        r select 0
        r set str hello ex 1000
        r incrbyfloat fl 3.5
        r rpush list a b c d
        r lmpop 1 list left count 2
        r sadd set a b c d e
        r spop set 2
        r hset hash a 1
        r hincrbyfloat hash a 0.5
        r zadd zset 1 a 2 b 3 c
        r zmpop 1 zset max
        r pfadd hll x y z
        r pfcount hll
        r setbit bits 10 1
        r select 5
        r set other v px 1000000
        r multi
        r incr counter
        r incr counter
        r exec
        r select 0
        set digest [r debug digest]
        set ttl [r pexpiretime str]
        set size [file size [kp_aof_incr_path]]
        kp_restart_server
        r debug set-active-expire 0
        assert_equal [r debug digest] $digest
        assert_equal [r pexpiretime str] $ttl
        # Loading propagated nothing: the file is as it was.
        assert_equal [file size [kp_aof_incr_path]] $size
        prop_mark
    }

    test {Nothing expires while the AOF loads: absolute times replay as written} {
        # One transaction: the APPEND cannot find the key expired already.
        r multi
        r set late v px 300
        r append late x
        r exec
        r set kept v
        after 400
        kp_restart_server
        r debug set-active-expire 0
        # Replayed as "vx" with its (past) TTL, then expired: not recreated as "x".
        assert_equal [r get late] {}
        assert_equal [r get kept] v
        prop_mark
    }
}
