# SHUTDOWN and SIGTERM: the server stops cleanly and removes its pid file.

set pidfile [kp_tmp_path shutdown1.pid]
start_server [list tags {shutdown} overrides [list pidfile $pidfile]] {
    test {The pid file holds the server pid} {
        wait_for {[file exists $pidfile]} 3000
        set f [open $pidfile r]
        set content [string trim [read $f]]
        close $f
        assert_equal $content [srv pid]
    }

    test {SHUTDOWN errors} {
        assert_error "ERR syntax error" {r shutdown foo}
        assert_error "ERR syntax error" {r shutdown save nosave}
        assert_error "ERR syntax error" {r shutdown abort now}
        assert_error "ERR syntax error" {r shutdown nosave abort}
        assert_error "ERR No shutdown in progress." {r shutdown abort}
        r ping
    } {PONG}

    test {SHUTDOWN stops the server and removes the pid file} {
        set other [kp_client]
        $other ping
        kp_server_expect_exit
        [srv client] timeout 5000
        assert_error "connection closed*" {r shutdown nosave}
        wait_for {![kp_server_alive]} 5000 "server still running after SHUTDOWN"
        assert_equal [kp_io_wait_closed [$other channel] 3000] 1
        $other close
        assert_equal [file exists $pidfile] 0
        if {[srv transport] eq "unix"} {
            assert_equal [file exists [srv unixsocket]] 0
        }
    }
}

set pidfile [kp_tmp_path shutdown2.pid]
start_server [list tags {shutdown} overrides [list pidfile $pidfile save "3600 1"]] {
    test {SIGTERM stops the server, saves (save points are set) and removes the pid file} {
        wait_for {[file exists $pidfile]} 3000
        r set k v
        kp_server_expect_exit
        exec kill -TERM [srv pid]
        wait_for {![kp_server_alive]} 10000 "server still running after SIGTERM"
        wait_for_log "*Received SIGTERM scheduling shutdown...*"
        wait_for_log "*Saving the final RDB snapshot before exiting.*"
        assert [file exists [file join [srv dir] dump.rdb]]
        file exists $pidfile
    } {0}
}

start_server {tags {shutdown}} {
    test {SHUTDOWN without a pid file} {
        kp_server_expect_exit
        [srv client] timeout 5000
        catch {r shutdown}
        wait_for {![kp_server_alive]} 5000 "server still running after SHUTDOWN"
    }
}
