# Listeners: several listen lines in one server, their log lines and INFO
# entries, moving the port and unix socket at runtime, bad listen lines,
# loadtransport at runtime. keyport only.

tags {keyport listeners} {
    set p1 [kp_find_available_port]
    set p2 [kp_find_available_port]
    set sock [kp_tmp_path l.sock]
    start_server [list config_lines [list \
            "listen tcp $p1 bind 127.0.0.1" \
            "listen tcp $p2 bind 127.0.0.1" \
            "listen unix $sock unixsocketperm 700"]] {
        test {Every listen line serves clients} {
            foreach o [list [list -transport tcp -port $p1] [list -transport tcp -port $p2] \
                           [list -transport unix -path $sock]] {
                set c [kp_client {*}$o]
                assert_equal [$c ping] PONG $o
                $c close
            }
        }

        test {Clients of all listeners share the keyspace} {
            set a [kp_client -transport tcp -port $p1]
            set b [kp_client -transport unix -path $sock]
            $a set shared 42
            set v [$b get shared]
            $a close
            $b close
            set v
        } {42}

        test {The unix socket gets unixsocketperm} {
            file stat $sock st
            format %o [expr {$st(mode) & 0777}]
        } {700}

        test {The startup log has one line per listener} {
            set log [kp_server_log]
            foreach pat [list "*tcp*127.0.0.1:$p1*" "*tcp*127.0.0.1:$p2*" "*unix*$sock*"] {
                set n 0
                foreach l [split $log "\n"] { if {[string match $pat $l]} { incr n } }
                assert_equal $n 1 "log lines matching $pat"
            }
        }

        test {INFO server lists the listeners} {
            set info [r info server]
            assert_match "*:name=tcp,bind=127.0.0.1,port=$p1\r*" $info
            assert_match "*:name=tcp,bind=127.0.0.1,port=$p2\r*" $info
            assert_match "*:name=unix,bind=$sock\r*" $info
        }

        test {CLIENT LIST shows each client's local address} {
            set a [kp_client -transport tcp -port $p2]
            set laddr [dict get [kp_client_fields [$a client info]] laddr]
            $a close
            set laddr
        } "127.0.0.1:$p2"

        test {loadtransport cannot be used at runtime} {
            assert_error "ERR CONFIG SET failed (possibly related to argument 'loadtransport') - *startup*" {
                r config set loadtransport tcp
            }
        }
    }

    start_server {} {
        test {CONFIG SET port moves the TCP listener} {
            set a [kp_find_available_port]
            set b [kp_find_available_port]
            assert_equal [r config set port $a] OK
            assert_equal [lindex [r config get port] 1] $a
            assert_equal [kp_can_connect -transport tcp -port $a] 1
            assert_equal [r config set port $b] OK
            assert_equal [kp_can_connect -transport tcp -port $b] 1
            assert_equal [kp_can_connect -transport tcp -port $a] 0
            assert_match "*:name=tcp,*port=$b\r*" [r info server]
            assert_no_match "*port=$a\r*" [r info server]
            # The client that changed it is still connected.
            r ping
        } {PONG}

        test {CONFIG SET port to a port in use fails and keeps the listener} {
            set b [lindex [r config get port] 1]
            set busy [kp_find_available_port]
            set blocker [socket -server kp__never -myaddr 127.0.0.1 $busy]
            set err [catch {r config set port $busy} e]
            close $blocker
            assert_equal $err 1
            assert_match "ERR CONFIG SET failed (possibly related to argument 'port')*" $e
            assert_equal [lindex [r config get port] 1] $b
            kp_can_connect -transport tcp -port $b
        } {1}

        test {CONFIG SET unixsocket moves the unix listener} {
            set s1 [kp_tmp_path m1.sock]
            set s2 [kp_tmp_path m2.sock]
            assert_equal [r config set unixsocket $s1] OK
            assert_equal [kp_can_connect -transport unix -path $s1] 1
            assert_equal [r config set unixsocket $s2] OK
            assert_equal [kp_can_connect -transport unix -path $s2] 1
            assert_equal [kp_can_connect -transport unix -path $s1] 0
            assert_match "*:name=unix,bind=$s2\r*" [r info server]
            r ping
        } {PONG}
    }

    test {A bad listen line stops startup with file:line: listen: reason} {
        foreach line {"listen tcp notaport" "listen nosuchtransport 1234" "listen tcp 70000"} {
            set conf [kp_tmp_path badlisten.conf]
            set f [open $conf w]
            puts $f "port 0"
            puts $f $line
            close $f
            set r [kp_exec_server [list $conf] 10000]
            assert_equal [dict get $r status] 1 "$line: [dict get $r output]"
            assert_match "*$conf:2: listen: *" [dict get $r output] $line
        }
    }

    test {A listen line on a port in use stops startup} {
        set busy [kp_find_available_port]
        set blocker [socket -server kp__never -myaddr 127.0.0.1 $busy]
        set conf [kp_tmp_path busy.conf]
        set f [open $conf w]
        puts $f "port 0"
        puts $f "listen tcp $busy bind 127.0.0.1"
        close $f
        set r [kp_exec_server [list $conf] 10000]
        close $blocker
        assert_equal [dict get $r status] 1 [dict get $r output]
        assert_match "*$busy*" [dict get $r output]
    }
}
