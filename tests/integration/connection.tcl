# Connection commands: PING, ECHO, QUIT, TIME.

start_server {tags {connection}} {
    test {PING} {
        list [r ping] [r ping hello] [[srv client] rawcmd ping hello]
    } [list PONG hello "\$5\r\nhello\r\n"]

    test {ECHO is binary safe} {
        set v "a\x00b\r\nc"
        r echo $v
    } "a\x00b\r\nc"

    test {PING and ECHO arity} {
        assert_error "ERR wrong number of arguments for 'ping' command" {r ping a b}
        assert_error "ERR wrong number of arguments for 'echo' command" {r echo}
        assert_error "ERR wrong number of arguments for 'echo' command" {r echo a b}
    }

    test {QUIT replies OK, closes, and ignores what follows} {
        set fd [kp_raw_socket]
        kp_raw_write $fd "SET quitkey 1\r\nQUIT\r\nSET quitkey 2\r\n"
        assert_equal [kp_raw_read_until_close $fd 3000] "+OK\r\n+OK\r\n"
        kp_raw_close $fd
        r get quitkey
    } {1}

    test {TIME} {
        lassign [r time] secs usecs
        assert_range $secs [expr {[clock seconds] - 5}] [expr {[clock seconds] + 5}]
        assert_range $usecs 0 999999
        assert_error "ERR wrong number of arguments for 'time' command" {r time x}
    }

    test {TIME moves forward} {
        lassign [r time] s1 u1
        kp_sleep 20
        lassign [r time] s2 u2
        expr {($s2 * 1000000 + $u2) - ($s1 * 1000000 + $u1) >= 15000}
    } {1}
}
