# protected-mode: while the default user has no password, only loopback
# and unix socket clients are served; others get Redis 7's DENIED text and
# are disconnected (Redis 7 applies it whatever `bind` says).
#
# Refusals need a client that is not on loopback. Tests only talk to
# 127.0.0.1, ::1 and unix sockets unless KP_TEST_EXTERNAL_ADDR names an
# address of this host's own non-loopback interface (e.g. the one
# `hostname -I` prints); those tests are skipped otherwise.

set ::denied_text "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."

proc external_addr {} {
    if {![info exists ::env(KP_TEST_EXTERNAL_ADDR)] || $::env(KP_TEST_EXTERNAL_ADDR) eq ""} {
        kp_skip "set KP_TEST_EXTERNAL_ADDR to a non-loopback address of this host"
    }
    return $::env(KP_TEST_EXTERNAL_ADDR)
}

# First reply line of a plain TCP PING from addr to the server, or "closed".
proc ping_from {addr} {
    set fd [kp_raw_socket -transport tcp -host $addr -port [srv port]]
    kp_raw_write $fd "PING\r\n"
    if {[catch {kp_raw_gets $fd 5000} line]} { set line closed }
    kp_raw_close $fd
    return $line
}

start_server {tags {protected}} {
    test {protected-mode is on by default} {
        r config get protected-mode
    } {protected-mode yes}

    test {Loopback clients are served while the default user has no password} {
        assert_equal [dict get [r acl getuser default] flags] {on nopass}
        set c [kp_client]
        set v [$c ping]
        $c close
        set v
    } {PONG}

    test {protected-mode can be switched at runtime} {
        assert_equal [r config set protected-mode no] OK
        assert_equal [r config get protected-mode] {protected-mode no}
        assert_equal [r config set protected-mode yes] OK
        r config get protected-mode
    } {protected-mode yes}
}

start_server {tags {protected} transport unix} {
    test {Unix socket clients are served in protected mode} {
        assert_equal [r config get protected-mode] {protected-mode yes}
        set fd [kp_raw_socket]
        kp_raw_write $fd "PING\r\n"
        set line [kp_raw_gets $fd]
        kp_raw_close $fd
        set line
    } {+PONG}
}

# ---- refusals (need KP_TEST_EXTERNAL_ADDR) ------------------------------------------

test {A non-loopback client gets Redis's DENIED text, then the connection closes} {
    set addr [external_addr]
    start_server [list tags {protected} transport tcp overrides [list bind "127.0.0.1 $addr"]] {
        set fd [kp_raw_socket -transport tcp -host $addr -port [srv port]]
        set line [kp_raw_gets $fd 5000]
        kp_raw_wait_closed $fd 5000
        kp_raw_close $fd
        assert_equal $line $::denied_text
        assert_morethan [kp_info_field [r info stats] rejected_connections] 0
        # Loopback is still served.
        assert_equal [r ping] PONG
    }
}

test {A password on the default user lifts the refusal; CONFIG SET protected-mode no too} {
    set addr [external_addr]
    start_server [list tags {protected} transport tcp overrides [list bind "127.0.0.1 $addr"]] {
        r config set requirepass pw
        assert_equal [ping_from $addr] "-NOAUTH Authentication required."
        r auth pw
        r config set requirepass ""
        assert_equal [ping_from $addr] $::denied_text
        r config set protected-mode no
        assert_equal [ping_from $addr] "+PONG"
        r config set protected-mode yes
        # ACL SETUSER on the default user counts as well.
        r acl setuser default resetpass >pw2
        assert_equal [ping_from $addr] "-NOAUTH Authentication required."
        r auth pw2
        r acl setuser default nopass
    }
}

test {enable-protected-configs local refuses a non-loopback client} {
    set addr [external_addr]
    start_server [list tags {protected} transport tcp \
                      overrides [list bind "127.0.0.1 $addr" protected-mode no \
                                     enable-protected-configs local]] {
        set c [kp_client -transport tcp -host $addr -port [srv port]]
        assert_error {ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config} {
            $c config set dir [srv dir]
        }
        $c close
        assert_equal [r config set dir [srv dir]] OK
    }
}
