# RESP parsing: inline and multibulk requests, pipelining, protocol errors
# (exact texts, and only the offending client is closed), size limits.

start_server {tags {protocol}} {
    # Sends bytes on a fresh raw connection; returns the first reply line
    # and whether the server closed the connection afterwards.
    proc proto_error_of {bytes} {
        set fd [kp_raw_socket]
        # The server may close before it read everything: the reply counts.
        catch {kp_raw_write $fd $bytes}
        set line [kp_raw_gets $fd]
        set closed [kp_raw_wait_closed $fd 3000]
        kp_raw_close $fd
        return [list $line $closed]
    }

    test {Inline command} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "SET inl hello\r\nGET inl\r\n"
        assert_equal [kp_raw_gets $fd] "+OK"
        assert_equal [kp_raw_gets $fd] {$5}
        assert_equal [kp_raw_gets $fd] "hello"
        kp_raw_close $fd
    }

    test {Inline command ended by a bare newline} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "PING\n"
        assert_equal [kp_raw_gets $fd] "+PONG"
        kp_raw_close $fd
    }

    test {Inline quoting: double quotes, escapes and single quotes} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "SET q \"a b\"\r\nGET q\r\nSET q \"\\x41\\x42\\n\"\r\nSTRLEN q\r\nSET q 'c d'\r\nGET q\r\n"
        assert_equal [kp_raw_gets $fd] "+OK"
        assert_equal [kp_raw_gets $fd] {$3}
        assert_equal [kp_raw_gets $fd] "a b"
        assert_equal [kp_raw_gets $fd] "+OK"
        assert_equal [kp_raw_gets $fd] ":3"
        assert_equal [kp_raw_gets $fd] "+OK"
        assert_equal [kp_raw_gets $fd] {$3}
        assert_equal [kp_raw_gets $fd] "c d"
        kp_raw_close $fd
    }

    test {Empty inline lines and empty multibulk are ignored} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "\r\n\r\n*0\r\n*-1\r\nPING\r\n"
        assert_equal [kp_raw_gets $fd] "+PONG"
        kp_raw_close $fd
    }

    test {Multibulk request} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "*3\r\n\$3\r\nSET\r\n\$2\r\nmb\r\n\$5\r\nhello\r\n*2\r\n\$3\r\nGET\r\n\$2\r\nmb\r\n"
        assert_equal [kp_raw_gets $fd] "+OK"
        assert_equal [kp_raw_gets $fd] {$5}
        assert_equal [kp_raw_gets $fd] "hello"
        kp_raw_close $fd
    }

    test {Multibulk request split into single bytes} {
        set fd [kp_raw_socket]
        set req "*3\r\n\$3\r\nSET\r\n\$5\r\nsplit\r\n\$3\r\nxyz\r\n"
        foreach ch [split $req ""] { kp_raw_write $fd $ch }
        assert_equal [kp_raw_gets $fd] "+OK"
        kp_raw_close $fd
        r get split
    } {xyz}

    test {Binary-safe arguments with CR, LF and NUL} {
        set v "a\r\nb\x00c\r"
        r set bin $v
        assert_equal [r get bin] $v
        r strlen bin
    } {7}

    test {Empty arguments and an empty key} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "*3\r\n\$3\r\nSET\r\n\$0\r\n\r\n\$0\r\n\r\n*2\r\n\$6\r\nEXISTS\r\n\$0\r\n\r\n"
        assert_equal [kp_raw_gets $fd] "+OK"
        assert_equal [kp_raw_gets $fd] ":1"
        kp_raw_close $fd
        r del ""
    } {1}

    test {Many clients interleaving pipelines} {
        set clients {}
        for {set i 0} {$i < 30} {incr i} { lappend clients [kp_client -deferred] }
        for {set round 0} {$round < 20} {incr round} {
            set i 0
            foreach c $clients {
                kp_io_write_nowait [$c channel] "*2\r\n\$4\r\nINCR\r\n\$[string length many:$i]\r\nmany:$i\r\n"
                incr i
            }
        }
        set i 0
        foreach c $clients {
            for {set round 1} {$round <= 20} {incr round} {
                assert_equal [$c read] $round "client $i"
            }
            $c close
            incr i
        }
        r get many:29
    } {20}

    test {Pipelining 1000 commands in one write} {
        set fd [kp_raw_socket]
        set buf ""
        for {set i 0} {$i < 1000} {incr i} {
            append buf "*3\r\n\$3\r\nSET\r\n\$[string length pk$i]\r\npk$i\r\n\$[string length $i]\r\n$i\r\n"
        }
        append buf "*2\r\n\$3\r\nGET\r\n\$5\r\npk999\r\n"
        kp_raw_write $fd $buf
        set oks 0
        for {set i 0} {$i < 1000} {incr i} {
            if {[kp_raw_gets $fd] eq "+OK"} { incr oks }
        }
        assert_equal $oks 1000
        assert_equal [kp_raw_gets $fd] {$3}
        assert_equal [kp_raw_gets $fd] 999
        kp_raw_close $fd
    }

    test {Pipelining with the client helper, mixed replies and errors} {
        set replies [[srv client] pipeline {{set p1 a} {incr p1} {get p1} {append p1 b} {nosuchcmd}}]
        assert_equal [lrange $replies 0 0] {OK}
        assert_match "ERR value is not an integer or out of range" [lindex $replies 1]
        assert_equal [lindex $replies 2] a
        assert_equal [lindex $replies 3] 2
        assert_match "ERR unknown command 'nosuchcmd'*" [lindex $replies 4]
    }

    test {Unknown command error text} {
        catch {r foocmd a b} e
        set e
    } {ERR unknown command 'foocmd', with args beginning with: 'a' 'b' }

    test {Unknown command without arguments} {
        catch {r foocmd} e
        set e
    } {ERR unknown command 'foocmd', with args beginning with: }

    test {Unknown command error shows at most 128 bytes of arguments} {
        catch {r foocmd [string repeat a 200] b} e
        assert_equal $e "ERR unknown command 'foocmd', with args beginning with: '[string repeat a 128]' "
        catch {r foocmd [string repeat a 20] [string repeat b 120] c} e
        set e
    } "ERR unknown command 'foocmd', with args beginning with: '[string repeat a 20]' '[string repeat b 105]' "

    test {Wrong number of arguments error text} {
        catch {r get} e
        assert_equal $e "ERR wrong number of arguments for 'get' command"
        catch {r set a} e
        set e
    } {ERR wrong number of arguments for 'set' command}

    foreach {desc bytes expected} {
        "invalid multibulk length (not a number)" "*abc\r\n"
            "-ERR Protocol error: invalid multibulk length"
        "invalid multibulk length (too large)" "*2000000000000\r\n"
            "-ERR Protocol error: invalid multibulk length"
        "expected dollar" "*1\r\nx\r\n"
            "-ERR Protocol error: expected '\$', got 'x'"
        "invalid bulk length (not a number)" "*1\r\n\$abc\r\n"
            "-ERR Protocol error: invalid bulk length"
        "invalid bulk length (negative)" "*1\r\n\$-5\r\n"
            "-ERR Protocol error: invalid bulk length"
        "unbalanced quotes" "set k \"abc\r\n"
            "-ERR Protocol error: unbalanced quotes in request"
        "unbalanced quotes after closing quote" "set k \"a\"b\r\n"
            "-ERR Protocol error: unbalanced quotes in request"
        "unbalanced single quote" "set k 'a\r\n"
            "-ERR Protocol error: unbalanced quotes in request"
    } {
        test "Protocol error: $desc" {
            proto_error_of $bytes
        } [list $expected 1]
    }

    test {Protocol error: too big mbulk count string} {
        proto_error_of "*[string repeat 1 70000]"
    } [list "-ERR Protocol error: too big mbulk count string" 1]

    test {Protocol error: too big bulk count string} {
        proto_error_of "*1\r\n\$[string repeat 1 70000]"
    } [list "-ERR Protocol error: too big bulk count string" 1]

    test {Protocol error: too big inline request} {
        proto_error_of [string repeat x 70000]
    } [list "-ERR Protocol error: too big inline request" 1]

    test {Commands before a protocol error in the same write are answered} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "PING\r\n*1\r\nx\r\n"
        assert_equal [kp_raw_gets $fd] "+PONG"
        assert_equal [kp_raw_gets $fd] "-ERR Protocol error: expected '\$', got 'x'"
        assert_equal [kp_raw_wait_closed $fd 3000] 1
        kp_raw_close $fd
    }

    test {A protocol error closes only the offending client} {
        set healthy [kp_client]
        $healthy set survivor yes
        set fd [kp_raw_socket]
        kp_raw_write $fd "*1\r\n\$-5\r\n"
        assert_equal [kp_raw_gets $fd] "-ERR Protocol error: invalid bulk length"
        assert_equal [kp_raw_wait_closed $fd 3000] 1
        kp_raw_close $fd
        assert_equal [$healthy ping] PONG
        assert_equal [$healthy get survivor] yes
        assert_equal [r ping] PONG
        $healthy close
    }

    test {An incomplete request waits for the rest} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "*2\r\n\$4\r\nECHO\r\n\$5\r\nhel"
        # No reply, connection still open.
        assert_equal [kp_raw_wait_closed $fd 200] 0
        kp_raw_write $fd "lo\r\n"
        assert_equal [kp_raw_gets $fd] {$5}
        assert_equal [kp_raw_gets $fd] "hello"
        kp_raw_close $fd
    }

    test {Values of 1 MB and 16 MB round trip} {
        set v1 [string repeat "abcdefgh" 131072]
        r set v1m $v1
        assert_equal [r strlen v1m] 1048576
        assert_equal [r get v1m] $v1
        set v16 [string repeat "0123456789abcdef" 1048576]
        r set v16m $v16
        assert_equal [r strlen v16m] 16777216
        assert_equal [r get v16m] $v16
        r del v1m v16m
    } {2}

    test {A 1 MB value written in many small pieces} {
        set fd [kp_raw_socket]
        set v [string repeat "z" 1048576]
        kp_raw_write $fd "*3\r\n\$3\r\nSET\r\n\$5\r\npiece\r\n\$1048576\r\n"
        for {set off 0} {$off < 1048576} {incr off 65536} {
            kp_raw_write $fd [string range $v $off [expr {$off + 65535}]]
        }
        kp_raw_write $fd "\r\n"
        assert_equal [kp_raw_gets $fd] "+OK"
        kp_raw_close $fd
        r strlen piece
    } {1048576}
}

start_server {tags {protocol} overrides {proto-max-bulk-len 1mb}} {
    test {proto-max-bulk-len: a bulk just at the limit is accepted} {
        r set atlimit [string repeat a 1048576]
        r strlen atlimit
    } {1048576}

    test {proto-max-bulk-len: a longer bulk is a protocol error} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "*3\r\n\$3\r\nSET\r\n\$1\r\nk\r\n\$1048577\r\n"
        assert_equal [kp_raw_gets $fd] "-ERR Protocol error: invalid bulk length"
        assert_equal [kp_raw_wait_closed $fd 3000] 1
        kp_raw_close $fd
        r ping
    } {PONG}

    test {proto-max-bulk-len: SETRANGE and APPEND cannot grow a string past it} {
        assert_error "ERR string exceeds maximum allowed size (proto-max-bulk-len)" {
            r setrange big 1048576 x
        }
        r set app [string repeat a 1048570]
        assert_error "ERR string exceeds maximum allowed size (proto-max-bulk-len)" {
            r append app [string repeat b 10]
        }
        r strlen app
    } {1048570}
}

start_server {tags {protocol} overrides {client-query-buffer-limit 1mb}} {
    test {client-query-buffer-limit: a client over the limit is disconnected} {
        set healthy [kp_client]
        set fd [kp_raw_socket]
        # Announce a 4 MB argument, then send 2 MB of it.
        set err [catch {
            kp_raw_write $fd "*3\r\n\$3\r\nSET\r\n\$1\r\nq\r\n\$4194304\r\n"
            set chunk [string repeat q 65536]
            for {set i 0} {$i < 32} {incr i} { kp_raw_write $fd $chunk }
        }]
        assert_equal [kp_raw_wait_closed $fd 5000] 1
        kp_raw_close $fd
        assert_equal [$healthy ping] PONG
        assert_equal [r exists q] 0
        $healthy close
    }

    test {client-query-buffer-limit: a pipeline of small commands is not cut} {
        set buf ""
        for {set i 0} {$i < 3000} {incr i} {
            append buf "*3\r\n\$3\r\nSET\r\n\$4\r\nsmal\r\n\$200\r\n[string repeat s 200]\r\n"
        }
        set fd [kp_raw_socket]
        kp_raw_write $fd $buf
        for {set i 0} {$i < 3000} {incr i} { assert_equal [kp_raw_gets $fd] "+OK" }
        kp_raw_close $fd
    }
}
