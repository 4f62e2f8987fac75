# Blocking commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX
# BZMPOP. Immediate replies, blocking and wake-up (in the order clients
# blocked), timeouts, chains of BLMOVE, behaviour inside MULTI, clients that
# disconnect while blocked, CLIENT UNBLOCK, INFO and CLIENT LIST.

# Waits until the server counts n blocked clients.
proc wait_blocked {n} {
    wait_for {[kp_info_field [r info clients] blocked_clients] == $n} 5000 \
        "expected $n blocked clients, INFO says [kp_info_field [r info clients] blocked_clients]"
}

# A deferred client blocked with cmd (waits until the server counts it).
proc blocked_client {n args} {
    set rd [kp_client -deferred]
    $rd {*}$args
    wait_blocked $n
    return $rd
}

start_server {tags {blocking}} {
    test {BLPOP and BRPOP serve at once from the first non-empty list} {
        r del l1 l2 l3
        r rpush l2 a b c
        r rpush l3 x
        assert_equal [r blpop l1 l2 l3 0] {l2 a}
        assert_equal [r brpop l1 l2 l3 0] {l2 c}
        assert_equal [r blpop l1 l3 1] {l3 x}
        assert_equal [r exists l3] 0
        r lrange l2 0 -1
    } {b}

    test {BLPOP blocks until a push, then serves the pushed element} {
        r del l
        set rd [blocked_client 1 blpop l 0]
        r rpush l foo
        assert_equal [$rd read] {l foo}
        wait_blocked 0
        $rd close
        r exists l
    } {0}

    test {BRPOP on several keys is served by the first key pushed to} {
        r del k1 k2
        set rd [blocked_client 1 brpop k1 k2 0]
        r rpush k2 a b
        assert_equal [$rd read] {k2 b}
        $rd close
        r lrange k2 0 -1
    } {a}

    test {BLPOP with the same key several times} {
        r del l
        set rd [blocked_client 1 blpop l l l 0]
        r lpush l x
        assert_equal [$rd read] {l x}
        $rd close
    }

    test {Three blocked clients are served in the order they blocked} {
        r del l
        set rd1 [blocked_client 1 blpop l 0]
        set rd2 [blocked_client 2 blpop l 0]
        set rd3 [blocked_client 3 blpop l 0]
        r rpush l a b c
        set got [list [$rd1 read] [$rd2 read] [$rd3 read]]
        foreach rd [list $rd1 $rd2 $rd3] { $rd close }
        list $got [r exists l]
    } {{{l a} {l b} {l c}} 0}

    test {One element wakes only the oldest waiter; the others stay blocked} {
        r del l
        set rd1 [blocked_client 1 brpop l 0]
        set rd2 [blocked_client 2 brpop l 0]
        r lpush l first
        assert_equal [$rd1 read] {l first}
        wait_blocked 1
        r lpush l second
        assert_equal [$rd2 read] {l second}
        wait_blocked 0
        $rd1 close
        $rd2 close
    }

    test {LPUSH of several elements serves waiters from the head} {
        r del l
        set rd1 [blocked_client 1 blpop l 0]
        set rd2 [blocked_client 2 blpop l 0]
        r lpush l a b c
        set got [list [$rd1 read] [$rd2 read]]
        $rd1 close
        $rd2 close
        list $got [r lrange l 0 -1]
    } {{{l c} {l b}} a}

    test {The command after a blocking command waits for it} {
        r del l
        set rd [kp_client -deferred]
        $rd write "*3\r\n\$5\r\nBLPOP\r\n\$1\r\nl\r\n\$1\r\n0\r\n*1\r\n\$4\r\nPING\r\n"
        wait_blocked 1
        r rpush l v
        assert_equal [$rd read] {l v}
        assert_equal [$rd read] PONG
        $rd close
    }

    test {BLPOP timeout} {
        r del l
        set start [clock milliseconds]
        set res [r blpop l 0.2]
        set elapsed [expr {[clock milliseconds] - $start}]
        assert_range $elapsed 190 1500
        assert_equal [r rawcmd blpop l 0.01] "*-1\r\n"
        set res
    } {}

    test {Timeout replies are null arrays, also for BLMOVE and BRPOPLPUSH} {
        r del l
        assert_equal [r rawcmd brpop l 0.01] "*-1\r\n"
        assert_equal [r rawcmd blmove l m left left 0.01] "*-1\r\n"
        assert_equal [r rawcmd brpoplpush l m 0.01] "*-1\r\n"
        assert_equal [r rawcmd blmpop 0.01 1 l left] "*-1\r\n"
    }

    test {Timeout replies in RESP3} {
        set c [kp_client]
        $c hello 3
        assert_equal [$c rawcmd blpop l 0.01] "_\r\n"
        assert_equal [$c rawcmd blmove l m left left 0.01] "_\r\n"
        $c close
    }

    test {Timeouts of several clients fire in deadline order} {
        r del l
        set rd1 [blocked_client 1 blpop l 0.6]
        set rd2 [blocked_client 2 blpop l 0.2]
        set start [clock milliseconds]
        assert_equal [$rd2 read] {}
        set t2 [expr {[clock milliseconds] - $start}]
        assert_equal [$rd1 read] {}
        set t1 [expr {[clock milliseconds] - $start}]
        $rd1 close
        $rd2 close
        assert_lessthan $t2 $t1
        wait_blocked 0
    }

    test {Timeout argument errors} {
        assert_error {ERR timeout is not a float or out of range} {r blpop l abc}
        assert_error {ERR timeout is not a float or out of range} {r blpop l nan}
        assert_error {ERR timeout is negative} {r blpop l -1}
        assert_error {ERR timeout is negative} {r blpop l -0.01}
        assert_error {ERR timeout is negative} {r brpoplpush a b -1}
        assert_error {ERR timeout is negative} {r blmove a b left left -1}
        assert_error {ERR timeout is negative} {r blmpop -1 1 a left}
        assert_error {ERR timeout is not a float or out of range} {r blmpop x 1 a left}
        # Values too large to fit in milliseconds read as negative, as in Redis.
        assert_error {ERR timeout is negative} {r blpop l 1e20}
        assert_error {ERR syntax error} {r blmove a b up left 0}
    }

    test {A fractional timeout below one millisecond blocks forever} {
        r del l
        set rd [blocked_client 1 blpop l 0.0001]
        r rpush l late
        assert_equal [$rd read] {l late}
        $rd close
    }

    test {BRPOPLPUSH and BLMOVE serve at once when the source has data} {
        r del src dst
        r rpush src a b c
        assert_equal [r brpoplpush src dst 0] c
        assert_equal [r blmove src dst left right 0] a
        list [r lrange src 0 -1] [r lrange dst 0 -1]
    } {b {c a}}

    test {BLMOVE wakes up and moves the element} {
        r del src dst
        set rd [blocked_client 1 blmove src dst right left 0]
        r rpush src x y
        assert_equal [$rd read] y
        $rd close
        list [r lrange src 0 -1] [r lrange dst 0 -1]
    } {x y}

    test {A chain of BLMOVE clients passes an element along} {
        r del a b c
        set rd1 [blocked_client 1 blmove a b left left 0]
        set rd2 [blocked_client 2 blmove b c left left 0]
        set rd3 [blocked_client 3 blpop c 0]
        r rpush a item
        set got [list [$rd1 read] [$rd2 read] [$rd3 read]]
        foreach rd [list $rd1 $rd2 $rd3] { $rd close }
        list $got [r exists a b c]
    } {{item item {c item}} 0}

    test {BRPOPLPUSH with the same source and destination} {
        r del l
        set rd [blocked_client 1 brpoplpush l l 0]
        r rpush l a b
        assert_equal [$rd read] b
        $rd close
        r lrange l 0 -1
    } {b a}

    test {BLMOVE whose destination has the wrong type when served} {
        r del src dst
        set rd [blocked_client 1 blmove src dst left left 0]
        r set dst string
        r rpush src v
        assert_error {WRONGTYPE*} {$rd read}
        $rd close
        wait_blocked 0
        list [r lrange src 0 -1] [r get dst]
    } {v string}

    test {BLMPOP blocks and wakes with up to count elements} {
        r del l1 l2
        set rd [blocked_client 1 blmpop 0 2 l1 l2 right count 2]
        r rpush l2 a b c
        assert_equal [$rd read] {l2 {c b}}
        $rd close
        assert_equal [r blmpop 0 2 l1 l2 left] {l2 a}
        r exists l2
    } {0}

    test {A client waiting for a list ignores a key of another type} {
        r del k
        set rd [blocked_client 1 blpop k 0]
        r sadd k member
        kp_sleep 50
        assert_equal [kp_info_field [r info clients] blocked_clients] 1
        r del k
        r rpush k v
        assert_equal [$rd read] {k v}
        $rd close
    }

    test {A list pushed and emptied in one transaction serves nobody} {
        r del l
        set rd [blocked_client 1 blpop l 0]
        r multi
        r lpush l a
        r del l
        r exec
        kp_sleep 50
        assert_equal [kp_info_field [r info clients] blocked_clients] 1
        r rpush l b
        assert_equal [$rd read] {l b}
        $rd close
    }

    test {Waiters see a transaction's final state} {
        r del l
        set rd [blocked_client 1 blpop l 0]
        r multi
        r lpush l a
        r lpush l b
        r lpush l c
        r exec
        assert_equal [$rd read] {l c}
        $rd close
        r lrange l 0 -1
    } {b a}

    test {Pipelined writes are seen after the waiter was served} {
        r del l
        set rd [blocked_client 1 blpop l 0]
        set res [r pipeline {{rpush l a} {llen l}}]
        assert_equal [$rd read] {l a}
        $rd close
        set res
    } {1 0}

    test {RENAME onto a key a client waits for serves it} {
        r del src l
        set rd [blocked_client 1 blpop l 0]
        r rpush src v
        r rename src l
        assert_equal [$rd read] {l v}
        $rd close
    }

    test {SWAPDB serves clients waiting in either database} {
        r select 9
        r del l
        r select 0
        r del l
        set rd [blocked_client 1 blpop l 0]
        r select 9
        r rpush l from9
        r swapdb 0 9
        assert_equal [$rd read] {l from9}
        $rd close
        r select 0
        r exists l
    } {0}

    test {Blocking commands inside MULTI do not block} {
        r del l m
        r multi
        r blpop l 0
        r brpop l 0
        r blmove l m left left 0
        r brpoplpush l m 0
        r blmpop 0 1 l left
        assert_equal [r rawcmd exec] "*5\r\n*-1\r\n*-1\r\n\$-1\r\n\$-1\r\n*-1\r\n"
        r rpush l x
        r multi
        r blpop l 0
        r exec
    } {{l x}}

    test {A client that disconnects while blocked is forgotten} {
        r del l
        set rd [blocked_client 1 blpop l 0]
        $rd close
        wait_blocked 0
        r rpush l v
        r lrange l 0 -1
    } {v}

    test {CLIENT UNBLOCK with TIMEOUT and ERROR} {
        r del l
        set rd [kp_client -deferred]
        $rd client id
        set id [$rd read]
        $rd blpop l 0
        wait_blocked 1
        assert_equal [r client unblock $id] 1
        assert_equal [$rd read] {}
        wait_blocked 0
        $rd brpop l 0
        wait_blocked 1
        assert_equal [r client unblock $id error] 1
        assert_error {UNBLOCKED client unblocked via CLIENT UNBLOCK} {$rd read}
        assert_equal [r client unblock $id] 0
        $rd ping
        assert_equal [$rd read] PONG
        $rd close
    }

    test {CLIENT UNBLOCK errors} {
        assert_equal [r client unblock 999999] 0
        assert_error {ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR} {r client unblock 1 foo}
        assert_error {ERR value is not an integer or out of range} {r client unblock abc}
        assert_error {ERR unknown subcommand or wrong number of arguments for 'unblock'*} \
            {r client unblock 1 timeout x}
        assert_error {ERR wrong number of arguments for 'client|unblock' command} {r client unblock}
    }

    test {INFO and CLIENT LIST show blocked clients} {
        r del l
        set rd [blocked_client 1 blpop l 10]
        assert_equal [kp_info_field [r info clients] clients_in_timeout_table] 1
        set found 0
        foreach line [split [string trim [r client list]] "\n"] {
            set f [kp_client_fields $line]
            if {[dict get $f cmd] eq "blpop"} {
                assert_match {*b*} [dict get $f flags]
                set found 1
            }
        }
        assert_equal $found 1
        $rd close
        wait_blocked 0
        kp_info_field [r info clients] clients_in_timeout_table
    } {0}

    test {BZPOPMIN and BZPOPMAX serve at once and block} {
        r del z1 z2
        r zadd z2 1 a 2 b 3 c
        assert_equal [r bzpopmin z1 z2 0] {z2 a 1}
        assert_equal [r bzpopmax z1 z2 0] {z2 c 3}
        set rd [blocked_client 1 bzpopmin z1 0]
        r zadd z1 5 x 4 y
        assert_equal [$rd read] {z1 y 4}
        $rd close
        assert_equal [r rawcmd bzpopmax nosuch 0.01] "*-1\r\n"
        r zrange z1 0 -1
    } {x}

    test {BZMPOP blocks and wakes with up to count members} {
        r del z
        set rd [blocked_client 1 bzmpop 0 1 z max count 2]
        r zadd z 1 a 2 b 3 c
        assert_equal [$rd read] {z {{c 3} {b 2}}}
        $rd close
        assert_equal [r bzmpop 0 1 z min] {z {{a 1}}}
        assert_error {ERR syntax error} {r bzmpop 0 1 z middle}
        assert_error {ERR timeout is negative} {r bzpopmin z -1}
        r multi
        r bzpopmin z 0
        r bzmpop 0 1 z min
        r exec
    } {{} {}}

    test {A zset waiter is not served by a list push} {
        r del k
        set rd [blocked_client 1 bzpopmin k 0]
        r rpush k v
        kp_sleep 50
        assert_equal [kp_info_field [r info clients] blocked_clients] 1
        r del k
        r zadd k 1 m
        assert_equal [$rd read] {k m 1}
        $rd close
    }
}
