# Set commands: replies (RESP2 and RESP3), intset/hashtable encodings and
# their conversion, empty-key deletion, type and argument errors.

start_server {tags {set}} {
    test {SADD returns the number of new members} {
        r del s
        assert_equal [r sadd s a b c] 3
        assert_equal [r sadd s a d] 1
        assert_equal [r sadd s a] 0
        lsort [r smembers s]
    } {a b c d}

    test {SADD of integers makes an intset, returned in ascending order} {
        r del s
        r sadd s 30 -5 10 2147483648 0
        assert_encoding intset s
        r smembers s
    } {-5 0 10 30 2147483648}

    test {SADD of a non-integer member converts to hashtable} {
        r del s
        r sadd s 1 2 3
        assert_encoding intset s
        r sadd s foo
        assert_encoding hashtable s
        lsort [r smembers s]
    } {1 2 3 foo}

    test {Non-canonical integers are strings, not intset members} {
        foreach m {007 +1 -0 " 1" 1.0 9223372036854775808} {
            r del s
            r sadd s $m
            assert_encoding hashtable s
            assert_equal [r smembers s] [list $m]
        }
        r del s
        r sadd s -9223372036854775808 9223372036854775807
        assert_encoding intset s
        r smembers s
    } {-9223372036854775808 9223372036854775807}

    test {Intset converts past set-max-intset-entries} {
        r config set set-max-intset-entries 8
        r del s
        for {set i 0} {$i < 8} {incr i} { r sadd s $i }
        assert_encoding intset s
        r sadd s 8
        assert_encoding hashtable s
        r config set set-max-intset-entries 512
        r scard s
    } {9}

    test {Intset of 512 entries stays intset, 513 converts} {
        r del s
        set args {}
        for {set i 0} {$i < 512} {incr i} { lappend args $i }
        r sadd s {*}$args
        assert_encoding intset s
        r sadd s 512
        assert_encoding hashtable s
        r scard s
    } {513}

    test {set-max-intset-entries in CONFIG GET} {
        r config get set-max-intset-entries
    } {set-max-intset-entries 512}

    test {SREM removes members and deletes the empty key} {
        r del s
        r sadd s a b c 1
        assert_equal [r srem s a x] 1
        assert_equal [r srem s nope] 0
        assert_equal [r srem s b c 1 z] 3
        list [r exists s] [r srem s a] [r srem missing a]
    } {0 0 0}

    test {SREM on an intset} {
        r del s
        r sadd s 1 2 3
        assert_equal [r srem s 2 foo 007] 1
        assert_encoding intset s
        r smembers s
    } {1 3}

    test {SCARD, SISMEMBER, SMISMEMBER} {
        r del s
        r sadd s a b 5
        assert_equal [r scard s] 3
        assert_equal [r scard missing] 0
        assert_equal [r sismember s a] 1
        assert_equal [r sismember s 5] 1
        assert_equal [r sismember s z] 0
        assert_equal [r sismember missing a] 0
        assert_equal [r smismember s a z 5] {1 0 1}
        r smismember missing a b
    } {0 0}

    test {SMEMBERS of a missing key} {
        r smembers missing
    } {}

    test {SMOVE moves members between sets} {
        r del a b
        r sadd a 1 2 x
        r sadd b 3
        assert_equal [r smove a b 2] 1
        assert_equal [r smove a b 9] 0
        assert_equal [lsort [r smembers a]] {1 x}
        assert_equal [lsort [r smembers b]] {2 3}
        assert_equal [r smove a a 1] 1
        assert_equal [r smove a a 7] 0
        assert_equal [r smove missing b 1] 0
        assert_equal [r smove a c x] 1
        assert_encoding hashtable c
        assert_equal [r smove a c 1] 1
        list [r exists a] [lsort [r smembers c]]
    } {0 {1 x}}

    test {SMOVE creates an intset destination for an integer member} {
        r del a b
        r sadd a 5 x
        r smove a b 5
        assert_encoding intset b
        r smembers b
    } {5}

    test {SMOVE type errors} {
        r del a str
        r set str v
        r sadd a 1
        assert_error {WRONGTYPE*} {r smove str a 1}
        assert_error {WRONGTYPE*} {r smove a str 1}
        r smembers a
    } {1}

    test {SPOP without count} {
        r del s
        r sadd s a b c
        set got {}
        for {set i 0} {$i < 3} {incr i} { lappend got [r spop s] }
        list [lsort $got] [r exists s] [r spop s]
    } {{a b c} 0 {}}

    test {SPOP with count} {
        r del s
        r sadd s 1 2 3 4 5 6 7 8 9 10
        set a [r spop s 3]
        assert_equal [llength $a] 3
        set b [r spop s 5]
        assert_equal [llength $b] 5
        set c [r spop s 100]
        assert_equal [lsort -integer [concat $a $b $c]] {1 2 3 4 5 6 7 8 9 10}
        list [r exists s] [r spop s 0] [r spop missing 5]
    } {0 {} {}}

    test {SPOP with count keeps the rest (hashtable)} {
        r del s
        set all {}
        for {set i 0} {$i < 50} {incr i} {
            r sadd s m$i
            lappend all m$i
        }
        set popped [r spop s 45]
        assert_equal [llength [lsort -unique $popped]] 45
        set rest [r smembers s]
        assert_equal [llength $rest] 5
        assert_equal [lsort [concat $popped $rest]] [lsort $all]
    }

    test {SPOP argument errors} {
        r del s
        r sadd s a
        assert_error {ERR value is out of range, must be positive} {r spop s -1}
        assert_error {ERR value is out of range, must be positive} {r spop s abc}
        assert_error {ERR syntax error} {r spop s 1 2}
        r scard s
    } {1}

    test {SRANDMEMBER without count and with positive count} {
        r del s
        r sadd s a b c d e
        assert {[r srandmember s] in {a b c d e}}
        set r3 [r srandmember s 3]
        assert_equal [llength [lsort -unique $r3]] 3
        assert_equal [lsort [r srandmember s 10]] {a b c d e}
        list [r srandmember missing] [r srandmember missing 3] [r srandmember s 0] [r scard s]
    } {{} {} {} 5}

    test {SRANDMEMBER with negative count repeats members} {
        r del s
        r sadd s x
        set got [r srandmember s -5]
        assert_equal $got {x x x x x}
        r del s
        r sadd s 1 2 3
        set got [r srandmember s -100]
        assert_equal [llength $got] 100
        lsort -unique $got
    } {1 2 3}

    test {SRANDMEMBER count errors} {
        r del s
        r sadd s a
        assert_error {ERR value is not an integer*} {r srandmember s abc}
        assert_error {ERR value is out of range*} {r srandmember s -9223372036854775808}
        assert_error {ERR syntax error} {r srandmember s 1 2}
    }

    test {SINTER, SUNION, SDIFF} {
        r del a b c
        r sadd a 1 2 3 4 x
        r sadd b 2 3 5 x
        r sadd c 3 x y
        assert_equal [lsort [r sinter a b c]] {3 x}
        assert_equal [lsort [r sunion a b c]] {1 2 3 4 5 x y}
        assert_equal [lsort [r sdiff a b]] {1 4}
        assert_equal [lsort [r sdiff a b c]] {1 4}
        assert_equal [r sinter a missing] {}
        assert_equal [lsort [r sunion a missing]] {1 2 3 4 x}
        assert_equal [r sdiff missing a] {}
        assert_equal [lsort [r sdiff a missing]] {1 2 3 4 x}
        assert_equal [r sdiff a a] {}
        lsort [r sinter a]
    } {1 2 3 4 x}

    test {SUNION of intsets is sorted} {
        r del a b
        r sadd a 5 1 9
        r sadd b 3 1 7
        r sunion a b
    } {1 3 5 7 9}

    test {SINTERCARD with and without LIMIT} {
        r del a b
        r sadd a 1 2 3 4 5 x
        r sadd b 2 3 4 5 6 x
        assert_equal [r sintercard 2 a b] 5
        assert_equal [r sintercard 2 a b limit 3] 3
        assert_equal [r sintercard 2 a b limit 0] 5
        assert_equal [r sintercard 2 a b limit 100] 5
        assert_equal [r sintercard 1 a] 6
        r sintercard 2 a missing
    } {0}

    test {SINTERCARD errors} {
        r del a
        r sadd a 1
        assert_error {ERR numkeys should be greater than 0} {r sintercard 0 a}
        assert_error {ERR numkeys should be greater than 0} {r sintercard abc a}
        assert_error {ERR Number of keys can't be greater than number of args} {r sintercard 3 a}
        assert_error {ERR LIMIT can't be negative} {r sintercard 1 a limit -1}
        assert_error {ERR syntax error} {r sintercard 1 a foo}
        assert_error {ERR syntax error} {r sintercard 1 a limit}
    }

    test {SINTERSTORE, SUNIONSTORE, SDIFFSTORE} {
        r del a b d
        r sadd a 1 2 3 x
        r sadd b 2 3 4 x
        assert_equal [r sinterstore d a b] 3
        assert_equal [lsort [r smembers d]] {2 3 x}
        assert_equal [r sunionstore d a b] 5
        assert_equal [lsort [r smembers d]] {1 2 3 4 x}
        assert_equal [r sdiffstore d a b] 1
        assert_equal [r smembers d] {1}
        assert_encoding intset d
        r sinterstore d a b
        assert_encoding hashtable d
        r sinterstore d a missing
    } {0}

    test {STORE forms delete the destination on an empty result} {
        r del a d
        r sadd a 1
        r set d x
        assert_equal [r sdiffstore d a a] 0
        assert_equal [r exists d] 0
        r set d x
        assert_equal [r sunionstore d missing] 0
        r exists d
    } {0}

    test {STORE forms replace the destination and its TTL} {
        r del a d
        r sadd a 1 2
        r set d x ex 100
        assert_equal [r sunionstore d a] 2
        list [r type d] [r ttl d]
    } {set -1}

    test {STORE with the destination among the sources} {
        r del a b
        r sadd a 1 2 3
        r sadd b 2 3 4
        assert_equal [r sinterstore a a b] 2
        r smembers a
    } {2 3}

    test {Set operations with a wrong type} {
        r del a str
        r sadd a 1
        r set str v
        assert_error {WRONGTYPE*} {r sinter a str}
        assert_error {WRONGTYPE*} {r sinter missing str}
        assert_error {WRONGTYPE*} {r sunion a str}
        assert_error {WRONGTYPE*} {r sdiff a str}
        assert_error {WRONGTYPE*} {r sinterstore d a str}
        assert_error {WRONGTYPE*} {r sintercard 2 a str}
        assert_error {WRONGTYPE*} {r sadd str 1}
        assert_error {WRONGTYPE*} {r srem str 1}
        assert_error {WRONGTYPE*} {r scard str}
        assert_error {WRONGTYPE*} {r sismember str 1}
        assert_error {WRONGTYPE*} {r smismember str 1}
        assert_error {WRONGTYPE*} {r smembers str}
        assert_error {WRONGTYPE*} {r spop str}
        assert_error {WRONGTYPE*} {r srandmember str}
        assert_error {WRONGTYPE*} {r sscan str 0}
    }

    test {Wrong number of arguments} {
        foreach cmd {sadd srem smove sismember smismember scard spop srandmember sinter
                     sintercard sinterstore sunion sunionstore sdiff sdiffstore sscan smembers} {
            assert_error "ERR wrong number of arguments for '$cmd' command" {r $cmd}
        }
        assert_error {ERR wrong number of arguments for 'sadd' command} {r sadd s}
        assert_error {ERR wrong number of arguments for 'scard' command} {r scard a b}
    }

    test {SSCAN of an intset returns everything at once} {
        r del s
        r sadd s 3 1 2
        r sscan s 0
    } {0 {1 2 3}}

    test {SSCAN of a hashtable walks every member once} {
        r del s
        for {set i 0} {$i < 300} {incr i} { r sadd s m$i }
        set cursor 0
        set seen {}
        while 1 {
            lassign [r sscan s $cursor count 20] cursor items
            lappend seen {*}$items
            if {$cursor == 0} break
        }
        llength [lsort -unique $seen]
    } {300}

    test {SSCAN MATCH and argument errors} {
        r del s
        r sadd s foo bar baz 1
        assert_equal [lsort [lindex [r sscan s 0 match ba* count 100] 1]] {bar baz}
        assert_error {ERR invalid cursor} {r sscan s abc}
        assert_error {ERR syntax error} {r sscan s 0 count 0}
        assert_error {ERR syntax error} {r sscan s 0 foo}
        assert_error {ERR syntax error} {r sscan s 0 type set}
        assert_error {ERR value is not an integer*} {r sscan s 0 count abc}
        r sscan missing 0 foo
    } {0 {}}

    test {OBJECT ENCODING after conversions} {
        r del s
        r sadd s 1
        set e1 [r object encoding s]
        r sadd s a
        set e2 [r object encoding s]
        r srem s a
        list $e1 $e2 [r object encoding s]
    } {intset hashtable hashtable}

    test {COPY of sets} {
        r del s d
        r sadd s 1 2 a
        assert_equal [r copy s d] 1
        r sadd d b
        list [lsort [r smembers s]] [lsort [r smembers d]] [r object encoding d]
    } {{1 2 a} {1 2 a b} hashtable}

    test {COPY of an intset keeps the encoding} {
        r del s d
        r sadd s 1 2
        r copy s d
        list [r object encoding d] [r smembers d]
    } {intset {1 2}}

    test {Big members} {
        r del s
        set big [string repeat x 100000]
        r sadd s $big a
        assert_equal [r sismember s $big] 1
        r srem s $big
        r smembers s
    } {a}

    test {Binary members} {
        r del s
        r sadd s "a\x00b" "\xff"
        assert_equal [r sismember s "a\x00b"] 1
        assert_equal [r sismember s "a"] 0
        r scard s
    } {2}
}

start_server {tags {set resp3}} {
    test {RESP3: SMEMBERS, SINTER, SUNION, SDIFF reply sets} {
        r hello 3
        r del s
        r sadd s a
        set raw [r rawcmd smembers s]
        assert_equal $raw "~1\r\n\$1\r\na\r\n"
        assert_equal [r rawcmd sinter s] "~1\r\n\$1\r\na\r\n"
        assert_equal [r rawcmd sunion s] "~1\r\n\$1\r\na\r\n"
        assert_equal [r rawcmd sdiff s] "~1\r\n\$1\r\na\r\n"
        assert_equal [r rawcmd smembers missing] "~0\r\n"
        r rawcmd sinter s missing
    } "~0\r\n"

    test {RESP3: SPOP with count replies a set, SRANDMEMBER an array} {
        r del s
        r sadd s a
        assert_equal [r rawcmd srandmember s 1] "*1\r\n\$1\r\na\r\n"
        assert_equal [r rawcmd srandmember s -2] "*2\r\n\$1\r\na\r\n\$1\r\na\r\n"
        assert_equal [r rawcmd srandmember missing 2] "*0\r\n"
        assert_equal [r rawcmd spop missing 2] "~0\r\n"
        assert_equal [r rawcmd spop missing] "_\r\n"
        r rawcmd spop s 1
    } "~1\r\n\$1\r\na\r\n"

    test {RESP3: SMISMEMBER and SISMEMBER are integers} {
        r del s
        r sadd s a
        list [r rawcmd sismember s a] [r rawcmd smismember s a b]
    } [list ":1\r\n" "*2\r\n:1\r\n:0\r\n"]
}
