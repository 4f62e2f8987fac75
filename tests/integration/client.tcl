# CLIENT subcommands, idle timeout, maxclients and output buffer limits.

start_server {tags {client}} {
    # The CLIENT LIST fields of Redis 7.0, in order. A TLS transport may add
    # fields after these.
    set redis_fields [list id addr laddr fd name age idle flags db sub psub ssub multi qbuf \
        qbuf-free argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp]

    # Closes every client but r, so that each test counts its own.
    proc kill_other_clients {} {
        r client kill type normal skipme yes
        wait_for_condition 50 20 {[llength [kp_client_list]] == 1}
    }

    test {CLIENT ID is unique and matches CLIENT INFO} {
        set c [kp_client]
        set id1 [r client id]
        set id2 [$c client id]
        assert {$id1 != $id2}
        assert {$id1 > 0 && $id2 > 0}
        assert_equal [dict get [kp_client_fields [$c client info]] id] $id2
        $c close
    }

    test {CLIENT INFO fields} {
        set c [kp_client]
        $c select 5
        $c client setname info-test
        set line [$c client info]
        $c close
        assert_equal [string index $line end] "\n"
        set f [kp_client_fields $line]
        assert_equal [lrange [dict keys $f] 0 [expr {[llength $redis_fields] - 1}]] $redis_fields
        assert_equal [dict get $f name] info-test
        assert_equal [dict get $f db] 5
        assert_equal [dict get $f cmd] client|info
        assert_equal [dict get $f flags] [kp_client_flags]
        assert_equal [dict get $f user] default
        assert_equal [dict get $f resp] 2
        assert_equal [dict get $f multi] -1
        assert_equal [dict get $f redir] -1
        assert_match [kp_addr_pattern] [dict get $f addr]
        assert_match [kp_laddr_pattern] [dict get $f laddr]
        assert_range [dict get $f age] 0 5
        assert_range [dict get $f idle] 0 5
    }

    test {CLIENT LIST shows every client, one line each} {
        kill_other_clients
        set c1 [kp_client]
        set c2 [kp_client]
        $c1 client setname first
        $c2 client setname second
        $c2 select 3
        set lines [kp_client_list]
        assert_equal [llength $lines] 3
        set names [lsort [lmap l $lines {dict get $l name}]]
        assert_equal $names {{} first second}
        foreach l $lines {
            assert_equal [lrange [dict keys $l] 0 [expr {[llength $redis_fields] - 1}]] $redis_fields
            if {[dict get $l name] eq "second"} {
                assert_equal [dict get $l db] 3
                assert_equal [dict get $l cmd] select
            }
            if {[dict get $l name] eq ""} {
                assert_equal [dict get $l cmd] client|list
            }
        }
        $c1 close
        $c2 close
    }

    test {CLIENT LIST TYPE and ID filters} {
        kill_other_clients
        set c [kp_client]
        set id [$c client id]
        set myid [r client id]
        assert_equal [llength [split [string trim [r client list type normal]] "\n"]] 2
        set l [kp_client_fields [r client list id $id]]
        assert_equal [dict get $l id] $id
        set ls [split [string trim [r client list id $id $myid 999999]] "\n"]
        assert_equal [lsort [lmap x $ls {dict get [kp_client_fields $x] id}]] [lsort [list $id $myid]]
        $c close
    }

    test {CLIENT LIST errors} {
        assert_error "ERR Unknown client type 'foo'" {r client list type foo}
        assert_error "ERR Invalid client ID" {r client list id 1 abc}
        assert_error "ERR syntax error" {r client list id}
        assert_error "ERR syntax error" {r client list foo}
    }

    test {CLIENT SETNAME and GETNAME} {
        set c [kp_client]
        assert_equal [$c client getname] {}
        assert_equal [$c client setname my-name_1] OK
        assert_equal [$c client getname] my-name_1
        assert_equal [$c client setname ""] OK
        assert_equal [$c client getname] {}
        $c close
    }

    test {CLIENT SETNAME refuses spaces, newlines and special characters} {
        foreach bad [list "a b" "a\nb" "a\x01b" "\xe9"] {
            assert_error "ERR Client names cannot contain spaces, newlines or special characters." {
                r client setname $bad
            }
        }
        assert_error "ERR wrong number of arguments for 'client|setname' command" {r client setname}
        r client getname
    } {}

    test {CLIENT KILL ID} {
        set c [kp_client]
        set id [$c client id]
        assert_equal [r client kill id $id] 1
        assert_equal [kp_io_wait_closed [$c channel] 3000] 1
        $c close
        assert_equal [r client kill id $id] 0
        assert_error "ERR client-id should be greater than 0" {r client kill id abc}
    }

    test {CLIENT KILL ADDR and LADDR} {
        kill_other_clients
        set c [kp_client]
        set f [kp_client_fields [$c client info]]
        assert_equal [r client kill addr 1.2.3.4:5] 0
        assert_equal [r client kill laddr 1.2.3.4:5] 0
        # Unix-socket clients all share one address; skipme spares r.
        assert_equal [r client kill addr [dict get $f addr]] 1
        assert_equal [kp_io_wait_closed [$c channel] 3000] 1
        $c close
        set c [kp_client]
        set laddr [dict get [kp_client_fields [$c client info]] laddr]
        # Every client of this listener but the caller.
        assert_equal [r client kill laddr $laddr skipme yes] 1
        assert_equal [kp_io_wait_closed [$c channel] 3000] 1
        $c close
        r ping
    } {PONG}

    test {CLIENT KILL USER and SKIPME} {
        kill_other_clients
        set c [kp_client]
        $c ping
        assert_equal [r client kill user default] 1
        assert_equal [kp_io_wait_closed [$c channel] 3000] 1
        $c close
        assert_error "ERR No such user 'nouser'" {r client kill user nouser}
        r ping
    } {PONG}

    test {CLIENT KILL of the caller with SKIPME no} {
        set c [kp_client]
        set id [$c client id]
        catch {$c client kill id $id skipme no}
        assert_equal [kp_io_wait_closed [$c channel] 3000] 1
        $c close
    }

    test {CLIENT KILL old form} {
        assert_error "ERR No such client" {r client kill 1.2.3.4:5}
        set c [kp_client]
        set addr [dict get [kp_client_fields [$c client info]] addr]
        set myaddr [dict get [kp_client_fields [r client info]] addr]
        # Unix-socket clients share one address: the old form could pick r.
        if {$addr ne $myaddr} {
            assert_equal [r client kill $addr] OK
            assert_equal [kp_io_wait_closed [$c channel] 3000] 1
        }
        $c close
    }

    test {CLIENT KILL errors} {
        assert_error "ERR syntax error" {r client kill foo bar}
        assert_error "ERR syntax error" {r client kill skipme maybe}
        assert_error "ERR syntax error" {r client kill id 1 skipme maybe}
    }

    test {CLIENT NO-EVICT} {
        assert_equal [r client no-evict on] OK
        set flags [expr {[kp_client_flags] eq "U" ? "Ue" : "e"}]
        assert_match "*flags=$flags *" [r client info]
        assert_equal [r client no-evict off] OK
        assert_match "*flags=[kp_client_flags] *" [r client info]
        assert_error "ERR syntax error" {r client no-evict maybe}
    }

    test {CLIENT REPLY OFF and ON} {
        set c [kp_client -deferred]
        $c client reply off
        $c set r1 a
        $c get r1
        $c client reply on
        assert_equal [$c read] OK
        $c get r1
        assert_equal [$c read] a
        $c close
    }

    test {CLIENT REPLY SKIP skips one reply} {
        set c [kp_client -deferred]
        $c client reply skip
        $c set r2 a
        $c get r2
        assert_equal [$c read] a
        $c close
    }

    test {CLIENT REPLY errors} {
        assert_error "ERR syntax error" {r client reply foo}
    }

    test {CLIENT unknown subcommand} {
        assert_error "ERR unknown subcommand 'foo'. Try CLIENT HELP." {r client foo}
        assert_match "CLIENT <subcommand>*" [lindex [r client help] 0]
    }

    test {A killed client does not affect the others} {
        set c1 [kp_client]
        set c2 [kp_client]
        $c1 set shared 1
        r client kill id [$c1 client id]
        assert_equal [$c2 incr shared] 2
        $c1 close
        $c2 close
    }
}

start_server {tags {client} overrides {timeout 1}} {
    test {Idle clients are closed after timeout seconds} {
        set c [kp_client]
        $c ping
        set start [clock milliseconds]
        assert_equal [kp_io_wait_closed [$c channel] 5000] 1
        set elapsed [expr {[clock milliseconds] - $start}]
        $c close
        assert_range $elapsed 900 5000
    }

    test {A client that keeps talking is not closed} {
        set c [kp_client]
        for {set i 0} {$i < 8} {incr i} {
            assert_equal [$c ping] PONG
            kp_sleep 250
        }
        $c close
    }
}

start_server {tags {client} overrides {maxclients 3}} {
    # The client over the limit gets the Redis error and is closed. Over TLS,
    # a server may refuse the connection before the handshake instead (Redis
    # does), which the client sees as a failed handshake.
    proc expect_maxclients_refusal {} {
        if {[catch {kp_raw_socket} fd]} {
            assert {[kp_tls_transport] ne ""} "connect failed: $fd"
            assert_match "*handshake*" $fd
            return
        }
        if {[catch {kp_raw_gets $fd} reply]} {
            kp_raw_close $fd
            assert {[kp_tls_transport] ne ""} "no reply: $reply"
            return
        }
        assert_equal $reply "-ERR max number of clients reached"
        assert_equal [kp_raw_wait_closed $fd 3000] 1
        kp_raw_close $fd
    }

    test {maxclients: the client over the limit gets the Redis error} {
        set c1 [kp_client]
        set c2 [kp_client]
        expect_maxclients_refusal
        assert_equal [$c1 ping] PONG
        $c2 close
        # A slot is free again.
        wait_for_condition 50 20 {[llength [kp_client_list]] == 2}
        set c3 [kp_client]
        assert_equal [$c3 ping] PONG
        $c1 close
        $c3 close
    }

    test {maxclients: rejected connections count in INFO stats} {
        wait_for_condition 50 20 {[llength [kp_client_list]] == 1}
        set c1 [kp_client]
        set c2 [kp_client]
        assert_equal [$c1 ping] PONG
        assert_equal [$c2 ping] PONG
        set before [kp_info_field [r info stats] rejected_connections]
        expect_maxclients_refusal
        set after [kp_info_field [r info stats] rejected_connections]
        $c1 close
        $c2 close
        expr {$after - $before}
    } {1}
}

start_server {tags {client} overrides {client-output-buffer-limit {normal 1mb 0 0}}} {
    test {client-output-buffer-limit closes a client that does not read} {
        r set big [string repeat x 100000]
        set slow [kp_client -deferred]
        $slow client id
        set id [$slow read]
        # 200 replies of 100 KB: 20 MB that the client never reads.
        set buf ""
        for {set i 0} {$i < 200} {incr i} { append buf "*2\r\n\$3\r\nGET\r\n\$3\r\nbig\r\n" }
        kp_io_write_nowait [$slow channel] $buf
        wait_for_condition 100 50 {
            [lsearch -exact [lmap l [kp_client_list] {dict get $l id}] $id] < 0
        } else {
            fail "the slow client was not disconnected"
        }
        assert_equal [kp_io_wait_closed [$slow channel] 10000] 1
        $slow close
        r ping
    } {PONG}

    test {A client reading its replies is not closed} {
        set c [kp_client]
        for {set i 0} {$i < 50} {incr i} { $c get big }
        assert_equal [string length [$c get big]] 100000
        $c close
    }
}
