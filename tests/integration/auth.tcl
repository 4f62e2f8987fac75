# requirepass, AUTH and HELLO AUTH.

start_server {tags {auth}} {
    test {AUTH without a configured password} {
        assert_error "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?" {
            r auth foo
        }
    }

    test {AUTH default with any password succeeds when the default user needs none} {
        r auth default whatever
    } {OK}

    test {AUTH syntax error} {
        assert_error "ERR syntax error" {r auth a b c}
        assert_error "ERR wrong number of arguments for 'auth' command" {r auth}
    }
}

start_server {tags {auth} overrides {requirepass secret}} {
    # The harness' own client is not authenticated yet.
    test {Commands before AUTH get NOAUTH} {
        set c [kp_client]
        foreach cmd {{ping} {get k} {set k v} {client id} {config get maxclients} {echo hi} {command count} {client setname x}} {
            assert_equal [catch {$c {*}$cmd} e] 1 $cmd
            assert_equal $e "NOAUTH Authentication required." $cmd
        }
        $c close
    }

    test {HELLO before AUTH} {
        set c [kp_client]
        assert_error "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time" {
            $c hello 3
        }
        assert_error "NOAUTH HELLO must be called*" {$c hello}
        $c close
    }

    test {AUTH with a wrong password} {
        set c [kp_client]
        assert_error "WRONGPASS invalid username-password pair or user is disabled." {$c auth wrong}
        assert_error "WRONGPASS invalid username-password pair or user is disabled." {$c auth default wrong}
        assert_error "WRONGPASS invalid username-password pair or user is disabled." {$c auth other secret}
        assert_error "NOAUTH Authentication required." {$c ping}
        $c close
    }

    test {AUTH with the right password} {
        set c [kp_client]
        assert_equal [$c auth secret] OK
        assert_equal [$c ping] PONG
        $c set k v
        assert_equal [$c get k] v
        $c close
    }

    test {AUTH default with the right password} {
        set c [kp_client]
        assert_equal [$c auth default secret] OK
        assert_equal [$c ping] PONG
        assert_equal [dict get [kp_client_fields [$c client info]] user] default
        $c close
    }

    test {AUTH arity is checked before authentication} {
        set c [kp_client]
        assert_error "ERR wrong number of arguments for 'auth' command" {$c auth}
        assert_error "ERR syntax error" {$c auth a b c}
        $c close
    }

    test {A failed AUTH after a good one keeps the client authenticated} {
        set c [kp_client]
        $c auth secret
        catch {$c auth wrong}
        assert_equal [$c ping] PONG
        $c close
    }

    test {HELLO AUTH authenticates and switches protocol} {
        set c [kp_client]
        set reply [$c hello 3 auth default secret]
        assert_equal [dict get $reply proto] 3
        assert_equal [$c ping] PONG
        $c close
    }

    test {HELLO AUTH with a wrong password} {
        set c [kp_client]
        assert_error "WRONGPASS invalid username-password pair or user is disabled." {
            $c hello 3 auth default wrong
        }
        assert_error "NOAUTH Authentication required." {$c ping}
        $c close
    }

    test {HELLO AUTH SETNAME} {
        set c [kp_client]
        $c hello 2 auth default secret setname authed
        set n [$c client getname]
        $c close
        set n
    } {authed}

    test {The Redis error texts on the wire} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "PING\r\nAUTH nope\r\n"
        assert_equal [kp_raw_gets $fd] "-NOAUTH Authentication required."
        assert_equal [kp_raw_gets $fd] "-WRONGPASS invalid username-password pair or user is disabled."
        kp_raw_close $fd
    }

    test {CONFIG SET requirepass: existing clients stay authenticated, new ones need the new password} {
        set c [kp_client]
        $c auth secret
        assert_equal [$c config set requirepass newpass] OK
        assert_equal [$c ping] PONG
        set n [kp_client]
        assert_error "NOAUTH Authentication required." {$n ping}
        assert_error "WRONGPASS*" {$n auth secret}
        assert_equal [$n auth newpass] OK
        $n close
        $c config set requirepass secret
        $c close
    }

    test {CONFIG SET requirepass to empty removes the password} {
        set c [kp_client]
        $c auth secret
        $c config set requirepass ""
        set n [kp_client]
        assert_equal [$n ping] PONG
        $n close
        $c config set requirepass secret
        set n [kp_client]
        assert_error "NOAUTH Authentication required." {$n ping}
        $n close
        $c close
    }
}
