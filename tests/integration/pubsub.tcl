# Pub/Sub: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBE forms,
# PUBLISH, SPUBLISH, PUBSUB, the RESP2 subscribed mode, RESP3 push messages,
# the pubsub client class, and keyspace notifications.

# Reads n replies from a deferred client.
proc read_n {c n} {
    set out {}
    for {set i 0} {$i < $n} {incr i} { lappend out [$c read] }
    return $out
}

start_server {tags {pubsub}} {
    test {SUBSCRIBE and UNSUBSCRIBE replies carry the subscription count} {
        set c [kp_client -deferred]
        $c subscribe a b
        assert_equal [read_n $c 2] {{subscribe a 1} {subscribe b 2}}
        $c subscribe a
        assert_equal [$c read] {subscribe a 2}
        $c unsubscribe a x
        assert_equal [read_n $c 2] {{unsubscribe a 1} {unsubscribe x 1}}
        $c unsubscribe
        assert_equal [$c read] {unsubscribe b 0}
        $c unsubscribe
        set r [$c read]
        $c close
        set r
    } {unsubscribe {} 0}

    test {PUBLISH delivers to channel subscribers and returns the count} {
        set c1 [kp_client -deferred]
        set c2 [kp_client -deferred]
        $c1 subscribe news
        $c1 read
        $c2 subscribe news other
        read_n $c2 2
        assert_equal [r publish news hello] 2
        assert_equal [r publish other x] 1
        assert_equal [r publish nobody x] 0
        assert_equal [$c1 read] {message news hello}
        assert_equal [read_n $c2 2] {{message news hello} {message other x}}
        $c1 close
        $c2 close
    }

    test {PSUBSCRIBE and pattern messages} {
        set c [kp_client -deferred]
        $c psubscribe n* a?c
        assert_equal [read_n $c 2] {{psubscribe n* 1} {psubscribe a?c 2}}
        $c subscribe news
        assert_equal [$c read] {subscribe news 3}
        assert_equal [r publish news x] 2
        set got [read_n $c 2]
        assert_equal [lsort $got] [lsort {{message news x} {pmessage n* news x}}]
        assert_equal [r publish abc y] 1
        assert_equal [$c read] {pmessage a?c abc y}
        $c punsubscribe n*
        assert_equal [$c read] {punsubscribe n* 2}
        $c punsubscribe
        assert_equal [$c read] {punsubscribe a?c 1}
        $c punsubscribe
        set r [$c read]
        $c close
        set r
    } {punsubscribe {} 1}

    test {PUBSUB CHANNELS, NUMSUB, NUMPAT} {
        set c [kp_client -deferred]
        $c subscribe ch1 ch2
        read_n $c 2
        $c psubscribe p1* p2*
        read_n $c 2
        set c2 [kp_client -deferred]
        $c2 psubscribe p1*
        $c2 read
        assert_equal [lsort [r pubsub channels]] {ch1 ch2}
        assert_equal [r pubsub channels *1] {ch1}
        assert_equal [r pubsub numsub ch1 ch2 nope] {ch1 1 ch2 1 nope 0}
        assert_equal [r pubsub numsub] {}
        assert_equal [r pubsub numpat] 2
        $c close
        $c2 close
        wait_for_condition 50 20 {[r pubsub numpat] == 0} else { fail "patterns remain" }
        list [r pubsub channels] [r pubsub numsub ch1]
    } {{} {ch1 0}}

    test {INFO stats counts channels, patterns and shard channels} {
        set c [kp_client -deferred]
        $c subscribe i1 i2
        read_n $c 2
        $c psubscribe ip*
        $c read
        $c ssubscribe is1
        $c read
        set info [r info stats]
        set got [list [kp_info_field $info pubsub_channels] [kp_info_field $info pubsub_patterns] \
                     [kp_info_field $info pubsubshard_channels]]
        $c close
        set got
    } {2 1 1}

    test {PUBSUB errors and HELP} {
        assert_error {ERR unknown subcommand 'foo'. Try PUBSUB HELP.} {r pubsub foo}
        assert_error {ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.} {r pubsub channels a b}
        assert_error {ERR wrong number of arguments for 'pubsub|numpat' command} {r pubsub numpat x}
        assert_error {ERR wrong number of arguments for 'pubsub' command} {r pubsub}
        assert_error {ERR wrong number of arguments for 'publish' command} {r publish a}
        assert_error {ERR wrong number of arguments for 'subscribe' command} {r subscribe}
        assert_match {PUBSUB <subcommand>*} [lindex [r pubsub help] 0]
    }

    test {SSUBSCRIBE, SPUBLISH, SUNSUBSCRIBE and the shard PUBSUB subcommands} {
        set c [kp_client -deferred]
        $c ssubscribe s1 s2
        assert_equal [read_n $c 2] {{ssubscribe s1 1} {ssubscribe s2 2}}
        $c subscribe plain
        assert_equal [$c read] {subscribe plain 1}
        assert_equal [r spublish s1 hi] 1
        assert_equal [$c read] {smessage s1 hi}
        assert_equal [r publish s1 hi] 0
        assert_equal [lsort [r pubsub shardchannels]] {s1 s2}
        assert_equal [r pubsub shardnumsub s1 x] {s1 1 x 0}
        $c sunsubscribe s1
        assert_equal [$c read] {sunsubscribe s1 1}
        $c sunsubscribe
        assert_equal [$c read] {sunsubscribe s2 0}
        $c sunsubscribe
        set r [$c read]
        $c close
        set r
    } {sunsubscribe {} 0}

    test {RESP2 subscribed mode allows only the pub/sub commands, PING and QUIT} {
        set c [kp_client]
        $c subscribe a
        assert_error {ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context} {$c get x}
        assert_error {ERR Can't execute 'pubsub|numsub': only*} {$c pubsub numsub a}
        assert_equal [$c ping] {pong {}}
        assert_equal [$c ping hi] {pong hi}
        assert_equal [$c psubscribe x*] {psubscribe x* 2}
        assert_equal [$c unsubscribe a] {unsubscribe a 1}
        assert_error {ERR Can't execute 'set'*} {$c set x 1}
        assert_equal [$c punsubscribe] {punsubscribe x* 0}
        # Out of subscribed mode everything runs again.
        assert_equal [$c ping] {PONG}
        assert_equal [$c set x 1] {OK}
        $c subscribe a
        assert_equal [$c quit] {OK}
        $c close
    }

    test {RESET leaves subscribed mode} {
        set c [kp_client]
        $c subscribe a
        $c psubscribe b*
        assert_equal [$c reset] {RESET}
        assert_equal [$c ping] {PONG}
        assert_equal [r pubsub numsub a] {a 0}
        assert_equal [r pubsub numpat] 0
        $c close
    }

    test {RESP3 push messages and commands in subscribed mode} {
        set c [kp_client]
        $c hello 3
        assert_equal [$c rawcmd subscribe a] ">3\r\n\$9\r\nsubscribe\r\n\$1\r\na\r\n:1\r\n"
        assert_equal [$c set k v] {OK}
        assert_equal [$c rawcmd ping] "+PONG\r\n"
        assert_equal [r publish a hi] 1
        assert_equal [$c readrawreply] ">3\r\n\$7\r\nmessage\r\n\$1\r\na\r\n\$2\r\nhi\r\n"
        # A publish to itself: the message comes before the reply.
        assert_equal [$c rawcmd publish a me] ">3\r\n\$7\r\nmessage\r\n\$1\r\na\r\n\$2\r\nme\r\n"
        assert_equal [$c readrawreply] ":1\r\n"
        assert_equal [$c rawcmd unsubscribe] ">3\r\n\$11\r\nunsubscribe\r\n\$1\r\na\r\n:0\r\n"
        assert_equal [$c rawcmd unsubscribe] ">3\r\n\$11\r\nunsubscribe\r\n_\r\n:0\r\n"
        $c close
    }

    test {CLIENT LIST shows subscriptions and the P flag} {
        set c [kp_client]
        $c client setname subber
        $c subscribe a b
        $c psubscribe p*
        $c ssubscribe s
        set line {}
        foreach l [split [r client list] "\n"] {
            if {[string match "*name=subber*" $l]} { set line $l }
        }
        set f [kp_client_fields $line]
        # P leads the flags (U follows it on unix sockets).
        list [dict get $f sub] [dict get $f psub] [dict get $f ssub] \
            [string index [dict get $f flags] 0] \
            [llength [split [string trim [r client list type pubsub]] "\n"]]
    } {2 1 1 P 1}

    test {Pub/sub clients obey the pubsub output buffer limit} {
        r config set client-output-buffer-limit "pubsub 100000 0 0"
        set c [kp_client -deferred]
        $c subscribe flood
        $c read
        # More than the socket buffers can absorb.
        set payload [string repeat x 100000]
        for {set i 0} {$i < 300} {incr i} { r publish flood $payload }
        wait_for_condition 50 50 {[r pubsub numsub flood] eq {flood 0}} else {
            fail "the slow subscriber was not disconnected"
        }
        r config set client-output-buffer-limit "pubsub 33554432 8388608 60"
        catch {$c close}
    }

    test {Subscriptions die with the client} {
        set c [kp_client -deferred]
        $c subscribe gone
        $c read
        assert_equal [r pubsub numsub gone] {gone 1}
        $c close
        wait_for_condition 50 20 {[r pubsub numsub gone] eq {gone 0}} else {
            fail "subscription survived the client"
        }
    }
}

start_server {tags {pubsub notifications}} {
    test {notify-keyspace-events parsing and its canonical form} {
        set out {}
        foreach f {KEA Kg$ An Kn Em Amn g$lshzxetdmnKE {}} {
            r config set notify-keyspace-events $f
            lappend out [lindex [r config get notify-keyspace-events] 1]
        }
        set out
    } {AKE {g$K} A nK Em Am AKEm {}}

    test {notify-keyspace-events rejects unknown classes} {
        assert_error {ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.} {r config set notify-keyspace-events KZ}
        lindex [r config get notify-keyspace-events] 1
    } {}

    # Subscribes to every notification; returns the client.
    proc notify_client {} {
        set c [kp_client -deferred]
        $c psubscribe __key*__:*
        $c read
        return $c
    }

    # The next n notifications as channel/message pairs.
    proc next_notifications {c n} {
        set out {}
        for {set i 0} {$i < $n} {incr i} {
            lassign [$c read] kind pattern channel msg
            lappend out "$channel $msg"
        }
        return $out
    }

    test {Keyspace and keyevent notifications} {
        r config set notify-keyspace-events KEA
        set c [notify_client]
        r set foo bar
        assert_equal [next_notifications $c 2] {{__keyspace@0__:foo set} {__keyevent@0__:set foo}}
        r select 9
        r del nothing
        r set k 1
        r select 0
        assert_equal [next_notifications $c 2] {{__keyspace@9__:k set} {__keyevent@9__:set k}}
        $c close
    }

    test {Only the enabled classes and kinds are published} {
        r config set notify-keyspace-events Es
        set c [notify_client]
        r set foo bar
        r sadd s a
        assert_equal [next_notifications $c 1] {{__keyevent@0__:sadd s}}
        r config set notify-keyspace-events K$
        r sadd s b
        r append foo x
        assert_equal [next_notifications $c 1] {{__keyspace@0__:foo append}}
        $c close
    }

    test {Events of string and generic commands} {
        r config set notify-keyspace-events Kgs$
        r flushall
        set c [notify_client]
        r set a 1 ex 100
        r incr a
        r incrbyfloat a 1.5
        r setrange a 0 x
        r persist a
        r expire a 100
        r rename a b
        r copy b c
        r move c 1
        r getdel b
        r mset x 1 y 2
        r setbit bits 3 1
        r setbit bits 3 1
        r pfadd h a
        r bitop or d bits
        r sadd s1 1
        r sinterstore s2 s1
        r spop s2
        set got [next_notifications $c 18]
        $c close
        set got
    } {{__keyspace@0__:a set} {__keyspace@0__:a expire} {__keyspace@0__:a incrby} {__keyspace@0__:a incrbyfloat} {__keyspace@0__:a setrange} {__keyspace@0__:a persist} {__keyspace@0__:a expire} {__keyspace@0__:a rename_from} {__keyspace@0__:b rename_to} {__keyspace@0__:c copy_to} {__keyspace@0__:c move_from} {__keyspace@1__:c move_to} {__keyspace@0__:b del} {__keyspace@0__:x set} {__keyspace@0__:y set} {__keyspace@0__:bits setbit} {__keyspace@0__:h pfadd} {__keyspace@0__:d set}}

    test {Set events} {
        r config set notify-keyspace-events Egs
        r del s1 s2 s3
        set c [notify_client]
        r sadd s1 1 2
        r srem s1 1
        r smove s1 s2 2
        r sunionstore s3 s2
        r sdiffstore s3 s2 s2
        r spop s2
        set got [next_notifications $c 9]
        $c close
        set got
    } {{__keyevent@0__:sadd s1} {__keyevent@0__:srem s1} {__keyevent@0__:srem s1} {__keyevent@0__:del s1} {__keyevent@0__:sadd s2} {__keyevent@0__:sunionstore s3} {__keyevent@0__:del s3} {__keyevent@0__:spop s2} {__keyevent@0__:del s2}}

    test {Expired keys notify "expired"} {
        r config set notify-keyspace-events Ex
        r del e
        set c [notify_client]
        r set e 1 px 50
        after 100
        r get e
        set got [next_notifications $c 1]
        $c close
        set got
    } {{__keyevent@0__:expired e}}

    test {Key misses and new keys (m and n, outside A)} {
        r config set notify-keyspace-events KEA
        r del miss newkey
        set c [notify_client]
        r get miss
        r config set notify-keyspace-events Emn
        r get miss
        r set newkey 1
        # OBJECT does not report misses.
        r object encoding miss
        r set newkey 2
        r pfadd otherkey a
        set got [next_notifications $c 3]
        $c close
        set got
    } {{__keyevent@0__:keymiss miss} {__keyevent@0__:new newkey} {__keyevent@0__:new otherkey}}

    test {RESP3 clients get notifications as push messages} {
        r config set notify-keyspace-events KEA
        set c [kp_client]
        $c hello 3
        $c subscribe __keyevent@0__:set
        r set pushed 1
        set raw [$c readrawreply]
        $c close
        r config set notify-keyspace-events ""
        set raw
    } ">3\r\n\$7\r\nmessage\r\n\$18\r\n__keyevent@0__:set\r\n\$6\r\npushed\r\n"
}
