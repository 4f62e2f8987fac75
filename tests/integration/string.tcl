# String commands: replies, options, edge cases and error texts.

start_server {tags {string}} {
    test {SET and GET} {
        assert_equal [r set foo bar] OK
        r get foo
    } {bar}

    test {GET of a missing key is null} {
        r get nosuchkey
    } {}

    test {SET an empty string} {
        r set empty ""
        list [r get empty] [r strlen empty] [r exists empty]
    } {{} 0 1}

    test {SET overwrites and removes an existing TTL} {
        r set ttlk v ex 100
        r set ttlk w
        list [r get ttlk] [r ttl ttlk]
    } {w -1}

    test {SET NX and XX} {
        r del nx
        assert_equal [r set nx 1 nx] OK
        assert_equal [r set nx 2 nx] {}
        assert_equal [r get nx] 1
        assert_equal [r set nx 3 xx] OK
        assert_equal [r get nx] 3
        r del nx
        assert_equal [r set nx 4 xx] {}
        r exists nx
    } {0}

    test {SET GET returns the old value} {
        r del sg
        assert_equal [r set sg a get] {}
        assert_equal [r set sg b get] a
        r get sg
    } {b}

    test {SET GET with NX and XX} {
        r del sgn
        assert_equal [r set sgn a nx get] {}
        assert_equal [r get sgn] a
        assert_equal [r set sgn b nx get] a
        assert_equal [r get sgn] a
        assert_equal [r set sgn c xx get] a
        r get sgn
    } {c}

    test {SET EX, PX, EXAT, PXAT set a TTL} {
        r set e1 v ex 100
        assert_range [r ttl e1] 99 100
        r set e2 v px 100000
        assert_range [r pttl e2] 99000 100000
        r set e3 v exat [expr {[clock seconds] + 100}]
        assert_range [r ttl e3] 98 100
        r set e4 v pxat [expr {[clock milliseconds] + 100000}]
        assert_range [r pttl e4] 98000 100000
    }

    test {SET EXAT/PXAT in the past deletes the key} {
        r set past v
        assert_equal [r set past v exat 1] OK
        assert_equal [r exists past] 0
        assert_equal [r set past v pxat 1] OK
        r exists past
    } {0}

    test {SET KEEPTTL keeps the TTL} {
        r set kt v ex 100
        r set kt w keepttl
        list [r get kt] [expr {[r ttl kt] > 90}]
    } {w 1}

    test {SET option errors} {
        foreach {args err} {
            {k v ex 0} {ERR invalid expire time in 'set' command}
            {k v ex -1} {ERR invalid expire time in 'set' command}
            {k v px 0} {ERR invalid expire time in 'set' command}
            {k v exat 0} {ERR invalid expire time in 'set' command}
            {k v ex 9223372036854775807} {ERR invalid expire time in 'set' command}
            {k v px 9223372036854775807} {ERR invalid expire time in 'set' command}
            {k v ex abc} {ERR value is not an integer or out of range}
            {k v ex 10 px 10} {ERR syntax error}
            {k v nx xx} {ERR syntax error}
            {k v keepttl ex 10} {ERR syntax error}
            {k v foo} {ERR syntax error}
            {k v ex} {ERR syntax error}
        } {
            assert_equal [catch {r set {*}$args} e] 1 "set $args"
            assert_equal $e $err "set $args"
        }
        r exists k
    } {0}

    test {SETNX} {
        r del snx
        assert_equal [r setnx snx a] 1
        assert_equal [r setnx snx b] 0
        r get snx
    } {a}

    test {SETEX and PSETEX} {
        r setex sx 100 v
        assert_range [r ttl sx] 99 100
        r psetex psx 100000 v
        assert_range [r pttl psx] 99000 100000
        list [r get sx] [r get psx]
    } {v v}

    test {SETEX and PSETEX errors} {
        assert_error "ERR invalid expire time in 'setex' command" {r setex sx -1 v}
        assert_error "ERR invalid expire time in 'setex' command" {r setex sx 0 v}
        assert_error "ERR invalid expire time in 'psetex' command" {r psetex sx 0 v}
        assert_error "ERR value is not an integer or out of range" {r setex sx abc v}
        assert_error "ERR wrong number of arguments for 'setex' command" {r setex sx 10}
    }

    test {GETSET} {
        r del gs
        assert_equal [r getset gs a] {}
        assert_equal [r getset gs b] a
        r set gs c ex 100
        r getset gs d
        list [r get gs] [r ttl gs]
    } {d -1}

    test {GETDEL} {
        r set gd v
        assert_equal [r getdel gd] v
        assert_equal [r getdel gd] {}
        r exists gd
    } {0}

    test {GETEX without options does not touch the TTL} {
        r set gx v ex 100
        assert_equal [r getex gx] v
        assert_range [r ttl gx] 99 100
    }

    test {GETEX EX, PX, EXAT, PXAT and PERSIST} {
        r set gx v
        assert_equal [r getex gx ex 100] v
        assert_range [r ttl gx] 99 100
        r getex gx px 200000
        assert_range [r pttl gx] 199000 200000
        r getex gx exat [expr {[clock seconds] + 300}]
        assert_range [r ttl gx] 298 300
        r getex gx pxat [expr {[clock milliseconds] + 400000}]
        assert_range [r ttl gx] 398 400
        r getex gx persist
        r ttl gx
    } {-1}

    test {GETEX of a missing key} {
        r getex nosuchkey ex 10
    } {}

    test {GETEX with a time in the past deletes the key} {
        r set gxp v
        assert_equal [r getex gxp exat 1] v
        r exists gxp
    } {0}

    test {GETEX errors} {
        r set gx v
        assert_error "ERR invalid expire time in 'getex' command" {r getex gx ex 0}
        assert_error "ERR invalid expire time in 'getex' command" {r getex gx exat -1}
        assert_error "ERR syntax error" {r getex gx persist ex 1}
        assert_error "ERR syntax error" {r getex gx foo}
        assert_error "ERR syntax error" {r getex gx ex}
    }

    test {MSET and MGET} {
        r mset m1 a m2 b m3 c
        r mget m1 m2 nosuchkey m3
    } {a b {} c}

    test {MSET arity errors} {
        assert_error "ERR wrong number of arguments for 'mset' command" {r mset a}
        assert_error "ERR wrong number of arguments for 'mset' command" {r mset a 1 b}
    }

    test {MSET with the same key twice keeps the last value} {
        r mset dup 1 dup 2
        r get dup
    } {2}

    test {MSETNX with the same key twice keeps the last value} {
        r del nd
        list [r msetnx nd 1 nd 2] [r get nd]
    } {1 2}

    test {MSETNX sets all keys when none exists} {
        r del n1 n2
        assert_equal [r msetnx n1 a n2 b] 1
        r mget n1 n2
    } {a b}

    test {MSETNX is atomic: nothing is set when one key exists} {
        r del n3 n4
        r set n4 old
        assert_equal [r msetnx n3 a n4 b] 0
        list [r exists n3] [r get n4]
    } {0 old}

    test {APPEND and STRLEN} {
        r del ap
        assert_equal [r append ap he] 2
        assert_equal [r append ap llo] 5
        assert_equal [r strlen ap] 5
        assert_equal [r strlen nosuchkey] 0
        r get ap
    } {hello}

    test {APPEND to an integer value} {
        r set apn 12
        r append apn 34
        list [r get apn] [r incr apn]
    } {1234 1235}

    test {INCR, DECR, INCRBY, DECRBY} {
        r del cnt
        assert_equal [r incr cnt] 1
        assert_equal [r incrby cnt 10] 11
        assert_equal [r decr cnt] 10
        assert_equal [r decrby cnt 20] -10
        assert_equal [r incrby cnt -5] -15
        assert_equal [r decrby cnt -5] -10
        r get cnt
    } {-10}

    test {INCR of a non-integer value} {
        r set ni " 1"
        assert_error "ERR value is not an integer or out of range" {r incr ni}
        r set ni "1 "
        assert_error "ERR value is not an integer or out of range" {r incr ni}
        r set ni "abc"
        assert_error "ERR value is not an integer or out of range" {r incr ni}
        r set ni "12345678901234567890"
        assert_error "ERR value is not an integer or out of range" {r incr ni}
        assert_error "ERR value is not an integer or out of range" {r incrby cnt abc}
        assert_error "ERR value is not an integer or out of range" {r incrby cnt 1.5}
    }

    test {INCR and DECR overflow} {
        r set ov 9223372036854775807
        assert_error "ERR increment or decrement would overflow" {r incr ov}
        r set ov -9223372036854775808
        assert_error "ERR increment or decrement would overflow" {r decr ov}
        assert_error "ERR value is not an integer or out of range" {r decrby ov 9223372036854775808}
        r set ov 0
        assert_equal [r incrby ov -9223372036854775808] -9223372036854775808
        r set ov 0
        assert_error "ERR decrement would overflow" {r decrby ov -9223372036854775808}
        r set ov 1
        assert_error "ERR increment or decrement would overflow" {r decrby ov -9223372036854775807}
        r get ov
    } {1}

    test {INCRBYFLOAT formats its result without trailing zeros} {
        r del fl
        set out {}
        foreach inc {10.5 1e3 5.0e3 3.0000 -1010.5} { lappend out [r incrbyfloat fl $inc] }
        lappend out [r get fl]
        set out
    } {10.5 1010.5 6010.5 6013.5 5003 5003}

    test {INCRBYFLOAT decimal rounding} {
        r del fl
        list [r incrbyfloat fl 0.1] [r incrbyfloat fl 0.2] [r incrbyfloat fl 1.1e-5]
    } {0.1 0.3 0.300011}

    test {INCRBYFLOAT of big and integer values} {
        r set flb 1e20
        assert_equal [r incrbyfloat flb 0.5] 100000000000000000000
        r set flb 12345678901234567890
        assert_equal [r incrbyfloat flb 1] 12345678901234567891
        r del flz
        assert_equal [r incrbyfloat flz -0] 0
        r set fli 5
        r incrbyfloat fli 0
    } {5}

    test {INCRBYFLOAT errors} {
        r set flx abc
        assert_error "ERR value is not a valid float" {r incrbyfloat flx 1}
        r set flx 1
        assert_error "ERR value is not a valid float" {r incrbyfloat flx abc}
        assert_error "ERR value is not a valid float" {r incrbyfloat flx nan}
        assert_error "ERR value is not a valid float" {r incrbyfloat flx " 1"}
        assert_error "ERR value is not a valid float" {r incrbyfloat flx "1 "}
        assert_error "ERR increment would produce NaN or Infinity" {r incrbyfloat flx inf}
        r get flx
    } {1}

    test {SETRANGE overwrites and pads with zero bytes} {
        r set sr hello
        assert_equal [r setrange sr 1 xy] 5
        assert_equal [r get sr] hxylo
        assert_equal [r setrange sr 7 Z] 8
        r get sr
    } "hxylo\x00\x00Z"

    test {SETRANGE on a missing key} {
        r del srn
        assert_equal [r setrange srn 2 ab] 4
        r get srn
    } "\x00\x00ab"

    test {SETRANGE with an empty value does not create the key} {
        r del sre
        assert_equal [r setrange sre 0 ""] 0
        assert_equal [r setrange sre 3 ""] 0
        assert_equal [r exists sre] 0
        r set sre abc
        r setrange sre 1 ""
    } {3}

    test {SETRANGE of an integer value} {
        r set sri 1234
        r setrange sri 1 9
        list [r get sri] [r incr sri]
    } {1934 1935}

    test {SETRANGE errors} {
        assert_error "ERR offset is out of range" {r setrange sr -1 x}
        assert_error "ERR value is not an integer or out of range" {r setrange sr abc x}
        assert_error "ERR string exceeds maximum allowed size (proto-max-bulk-len)" {
            r setrange sr 536870912 x
        }
    }

    test {GETRANGE} {
        r set gr "hello world"
        list [r getrange gr 0 4] [r getrange gr -5 -1] [r getrange gr 0 -1] \
            [r getrange gr -100 100] [r getrange gr 5 2] [r getrange gr 6 1000] \
            [r getrange gr 20 30] [r getrange nosuchkey 0 -1]
    } {hello world {hello world} {hello world} {} world {} {}}

    test {GETRANGE of an integer value} {
        r set gri 12345
        list [r getrange gri 1 2] [r getrange gri -2 -1]
    } {23 45}

    test {GETRANGE errors} {
        assert_error "ERR value is not an integer or out of range" {r getrange gr 0 abc}
        assert_error "ERR wrong number of arguments for 'getrange' command" {r getrange gr 0}
    }

    test {LCS} {
        r set l1 ohmytext
        r set l2 mynewtext
        list [r lcs l1 l2] [r lcs l1 l2 len] [r lcs l1 nosuchkey] [r lcs nosuchkey nosuchkey2]
    } {mytext 6 {} {}}

    test {LCS IDX} {
        r lcs l1 l2 idx
    } {matches {{{4 7} {5 8}} {{2 3} {0 1}}} len 6}

    test {LCS IDX MINMATCHLEN WITHMATCHLEN} {
        r lcs l1 l2 idx minmatchlen 4 withmatchlen
    } {matches {{{4 7} {5 8} 4}} len 6}

    test {LCS errors} {
        assert_error "ERR If you want both the length and indexes, please just use IDX." {
            r lcs l1 l2 len idx
        }
        assert_error "ERR syntax error" {r lcs l1 l2 foo}
    }

    test {Values are binary safe} {
        set v ""
        for {set i 0} {$i < 256} {incr i} { append v [format %c $i] }
        r set bin $v
        assert_equal [r get bin] $v
        assert_equal [r strlen bin] 256
        r append bin "\x00\xff"
        assert_equal [r getrange bin 254 257] "\xfe\xff\x00\xff"
        r set "key\x00with\r\nnul" x
        r get "key\x00with\r\nnul"
    } {x}

    test {Command names are case-insensitive} {
        r SeT ci v
        r GET ci
    } {v}

    test {String commands arity errors} {
        foreach {cmd args} {
            get {} set {k} getset {k} getdel {} getex {} mget {} msetnx {k}
            append {k} strlen {} incr {} incrby {k} decrby {k} incrbyfloat {k}
            setrange {k 1} setnx {k} psetex {k 1} lcs {k}
        } {
            assert_equal [catch {r $cmd {*}$args} e] 1 $cmd
            assert_equal $e "ERR wrong number of arguments for '$cmd' command" $cmd
        }
    }
}
