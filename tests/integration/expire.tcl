# Expiry: the EXPIRE family and its options, TTL reads, PERSIST, lazy and
# active expiry.

start_server {tags {expire}} {
    test {EXPIRE sets a TTL and returns 1, 0 for a missing key} {
        r set k v
        assert_equal [r expire k 100] 1
        assert_range [r ttl k] 99 100
        r expire nosuchkey 100
    } {0}

    test {TTL, PTTL, EXPIRETIME, PEXPIRETIME of keys without TTL and missing keys} {
        r set nottl v
        list [r ttl nottl] [r pttl nottl] [r expiretime nottl] [r pexpiretime nottl] \
            [r ttl nosuchkey] [r pttl nosuchkey] [r expiretime nosuchkey] [r pexpiretime nosuchkey]
    } {-1 -1 -1 -1 -2 -2 -2 -2}

    test {PEXPIRE and PTTL} {
        r set pk v
        assert_equal [r pexpire pk 100000] 1
        assert_range [r pttl pk] 99000 100000
    }

    test {TTL rounds to the nearest second} {
        r set rk v
        r pexpire rk 1800
        r ttl rk
    } {2}

    test {EXPIREAT, PEXPIREAT, EXPIRETIME, PEXPIRETIME} {
        r set at v
        assert_equal [r expireat at 4102444800] 1
        assert_equal [r expiretime at] 4102444800
        assert_equal [r pexpiretime at] 4102444800000
        assert_equal [r pexpireat at 4102444800123] 1
        assert_equal [r pexpiretime at] 4102444800123
        r expiretime at
    } {4102444800}

    test {EXPIRE with zero or a negative time deletes the key} {
        r set neg v
        assert_equal [r expire neg -1] 1
        assert_equal [r exists neg] 0
        r set neg v
        assert_equal [r pexpire neg 0] 1
        assert_equal [r exists neg] 0
        r set neg v
        assert_equal [r expireat neg 1] 1
        assert_equal [r exists neg] 0
        r set neg v
        assert_equal [r pexpireat neg 1] 1
        r exists neg
    } {0}

    test {EXPIRE NX and XX} {
        r set o v
        assert_equal [r expire o 100 xx] 0
        assert_equal [r ttl o] -1
        assert_equal [r expire o 100 nx] 1
        assert_equal [r expire o 200 nx] 0
        assert_range [r ttl o] 99 100
        assert_equal [r expire o 50 xx] 1
        assert_range [r ttl o] 49 50
    }

    test {EXPIRE GT and LT} {
        r set o v
        # No TTL counts as infinite: GT never applies, LT always does.
        assert_equal [r expire o 100 gt] 0
        assert_equal [r ttl o] -1
        assert_equal [r expire o 100 lt] 1
        assert_equal [r expire o 10 gt] 0
        assert_equal [r expire o 1000 gt] 1
        assert_range [r ttl o] 999 1000
        assert_equal [r expire o 5000 lt] 0
        assert_equal [r expire o 500 lt] 1
        assert_range [r ttl o] 499 500
        # A time that fails the condition does not delete the key.
        assert_equal [r expire o -5 gt] 0
        r exists o
    } {1}

    test {PEXPIRE, EXPIREAT and PEXPIREAT take the same options} {
        r set o v
        assert_equal [r pexpire o 100000 nx] 1
        assert_equal [r pexpire o 200000 nx] 0
        assert_equal [r expireat o [expr {[clock seconds] + 1000}] gt] 1
        assert_equal [r pexpireat o [expr {[clock milliseconds] + 10000}] gt] 0
        assert_equal [r pexpireat o [expr {[clock milliseconds] + 10000}] lt] 1
        assert_range [r ttl o] 9 10
    }

    test {EXPIRE option errors} {
        r set o v
        assert_error "ERR NX and XX, GT or LT options at the same time are not compatible" {
            r expire o 100 nx xx
        }
        assert_error "ERR NX and XX, GT or LT options at the same time are not compatible" {
            r expire o 100 nx gt
        }
        assert_error "ERR GT and LT options at the same time are not compatible" {
            r expire o 100 gt lt
        }
        assert_error "ERR Unsupported option foo" {r expire o 100 foo}
        assert_error "ERR value is not an integer or out of range" {r expire o abc}
        assert_error "ERR value is not an integer or out of range" {r pexpire o 1.5}
    }

    test {EXPIRE overflow errors} {
        r set o v
        assert_error "ERR invalid expire time in 'expire' command" {r expire o 9223372036854775807}
        assert_error "ERR invalid expire time in 'expire' command" {r expire o 9223372036854775806}
        assert_error "ERR invalid expire time in 'pexpire' command" {r pexpire o 9223372036854775807}
        assert_error "ERR invalid expire time in 'expireat' command" {r expireat o 9223372036854775807}
        assert_error "ERR value is not an integer or out of range" {r expire o 9223372036854775808}
        r ttl o
    } {-1}

    test {PERSIST} {
        r set p v ex 100
        assert_equal [r persist p] 1
        assert_equal [r ttl p] -1
        assert_equal [r persist p] 0
        r persist nosuchkey
    } {0}

    test {SET KEEPTTL keeps and SET removes the TTL} {
        r set s v ex 100
        r set s w keepttl
        assert_range [r ttl s] 99 100
        r set s x
        r ttl s
    } {-1}

    test {GETEX PERSIST removes the TTL} {
        r set g v ex 100
        list [r getex g persist] [r ttl g]
    } {v -1}

    test {INCR, APPEND and SETRANGE keep the TTL; GETSET removes it} {
        r set n 1 ex 100
        r incr n
        assert_range [r ttl n] 99 100
        r append n 0
        assert_range [r ttl n] 99 100
        r setrange n 0 5
        assert_range [r ttl n] 99 100
        assert_equal [r get n] 50
        r getset n 1
        r ttl n
    } {-1}

    test {An expired key is gone when accessed} {
        r set lazy v px 50
        r set lazy2 v px 50
        kp_sleep 100
        list [r get lazy] [r exists lazy2] [r ttl lazy] [r type lazy]
    } {{} 0 -2 none}

    test {Expired keys are not returned by MGET, KEYS, RANDOMKEY} {
        r flushdb
        r set gone v px 30
        r set stay v
        kp_sleep 80
        list [r mget gone stay] [r keys *] [r randomkey]
    } {{{} v} stay stay}

    test {Writing to an expired key starts it fresh} {
        r set w 10 px 30
        kp_sleep 80
        list [r incr w] [r ttl w] [r setnx w2 x] [r append w3 a]
    } {1 -1 1 1}

    test {RENAME and COPY of an expired key fail like a missing key} {
        r set rx v px 30
        kp_sleep 80
        assert_error "ERR no such key" {r rename rx ry}
        r copy rx ry
    } {0}

    test {Active expiry removes keys nobody touches} {
        r flushdb
        set cmds {}
        for {set i 0} {$i < 100} {incr i} { lappend cmds [list set act:$i v px 300] }
        for {set i 0} {$i < 10} {incr i} { lappend cmds [list set keep:$i v] }
        lappend cmds [list dbsize]
        assert_equal [lindex [[srv client] pipeline $cmds] end] 110
        wait_for_condition 100 50 {[r dbsize] == 10} else {
            fail "active expiry left [r dbsize] keys"
        }
    }

    test {expired_keys counts expired keys} {
        set before [kp_info_field [r info stats] expired_keys]
        r set c1 v px 20
        r set c2 v px 20
        wait_for_condition 100 50 {[r exists c1] == 0 && [r exists c2] == 0}
        set after [kp_info_field [r info stats] expired_keys]
        expr {$after - $before}
    } {2}

    test {INFO keyspace counts keys with a TTL} {
        r flushdb
        r set a v
        r set b v ex 100
        r set c v ex 100
        assert_match {keys=3,expires=2,avg_ttl=*} [kp_info_field [r info keyspace] db0]
    }
}
