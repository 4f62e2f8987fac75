# Transactions: MULTI EXEC DISCARD WATCH UNWATCH. Queued replies, errors
# while queueing (EXECABORT) versus errors while running, nesting, WATCH
# invalidation by writes, expiry, FLUSHDB/FLUSHALL and SWAPDB.

# Turns active expiry on or off: DEBUG SET-ACTIVE-EXPIRE where it exists,
# else keyport's hidden active-expire-enabled directive.
proc set_active_expire {on} {
    if {[catch {r debug set-active-expire $on}]} {
        r config set active-expire-enabled [expr {$on ? "yes" : "no"}]
    }
}

start_server {tags {multi} overrides {enable-debug-command yes}} {
    test {MULTI queues commands and EXEC runs them} {
        r del a l
        assert_equal [r multi] OK
        assert_equal [r set a 1] QUEUED
        assert_equal [r incr a] QUEUED
        assert_equal [r rpush l x y] QUEUED
        assert_equal [r get a] QUEUED
        r exec
    } {OK 2 2 2}

    test {EXEC of an empty transaction} {
        r multi
        r exec
    } {}

    test {Errors while running are part of EXEC's reply} {
        r del s l
        r set s string
        r multi
        r set k1 v1
        r lpush s x
        r incr s
        r set k2 v2
        set res [r pipeline {exec}]
        list [lindex $res 0] [r get k1] [r get k2]
    } {{OK {WRONGTYPE Operation against a key holding the wrong kind of value} {ERR value is not an integer or out of range} OK} v1 v2}

    test {Unknown command while queueing aborts EXEC} {
        r del k
        r multi
        r set k v
        assert_error {ERR unknown command 'nosuchcommand'*} {r nosuchcommand a}
        r set k w
        assert_error {EXECABORT Transaction discarded because of previous errors.} {r exec}
        r exists k
    } {0}

    test {Wrong arity while queueing aborts EXEC} {
        r del k
        r multi
        r set k v
        assert_error {ERR wrong number of arguments for 'get' command} {r get}
        assert_error {EXECABORT*} {r exec}
        r exists k
    } {0}

    test {Unknown subcommand while queueing aborts EXEC} {
        r multi
        assert_error {ERR unknown subcommand*} {r config nosuchsub}
        assert_error {EXECABORT*} {r exec}
        r ping
    } {PONG}

    test {Commands not allowed inside a transaction abort EXEC} {
        r multi
        assert_error {ERR Command not allowed inside a transaction} {r shutdown}
        assert_error {EXECABORT*} {r exec}
        r ping
    } {PONG}

    test {The client leaves MULTI after EXECABORT} {
        r multi
        catch {r nosuchcommand}
        catch {r exec}
        assert_error {ERR EXEC without MULTI} {r exec}
        r set k v
    } {OK}

    test {Nested MULTI is refused without aborting the transaction} {
        r del k
        r multi
        assert_error {ERR MULTI calls can not be nested} {r multi}
        r set k v
        r exec
    } {OK}

    test {EXEC and DISCARD without MULTI} {
        assert_error {ERR EXEC without MULTI} {r exec}
        assert_error {ERR DISCARD without MULTI} {r discard}
    }

    test {DISCARD drops the queued commands} {
        r del k
        r multi
        r set k v
        assert_equal [r discard] OK
        assert_error {ERR EXEC without MULTI} {r exec}
        r exists k
    } {0}

    test {WATCH inside MULTI is refused without aborting the transaction} {
        r multi
        assert_error {ERR WATCH inside MULTI is not allowed} {r watch k}
        r ping
        r exec
    } {PONG}

    test {Replies of a transaction in RESP3} {
        set c [kp_client]
        $c hello 3
        $c del k
        $c multi
        $c set k 1
        $c get nosuchkey
        assert_equal [$c rawcmd exec] "*2\r\n+OK\r\n_\r\n"
        $c watch k
        r set k 2
        $c multi
        $c ping
        assert_equal [$c rawcmd exec] "_\r\n"
        $c close
    }

    test {EXEC fails when a WATCHed key was changed by another client} {
        r set x 1
        r watch x
        set c [kp_client]
        $c set x 2
        $c close
        r multi
        r ping
        assert_equal [r rawcmd exec] "*-1\r\n"
        r get x
    } {2}

    test {EXEC succeeds when WATCHed keys did not change} {
        r set x 1
        r set y 1
        r watch x y
        r multi
        r incr x
        r exec
    } {2}

    test {The client's own write before MULTI also invalidates WATCH} {
        r set x 1
        r watch x
        r set x 2
        r multi
        r ping
        r exec
    } {}

    test {Writes queued in the transaction itself do not fail it} {
        r set x 1
        r watch x
        r multi
        r incr x
        r incr x
        r exec
    } {2 3}

    test {WATCH is invalidated by list, delete and expire commands} {
        foreach change {{rpush wl a} {del wl} {expire wl 100} {lpop wl} {rename wl wl2}} {
            r del wl wl2
            r rpush wl a b
            r watch wl
            r {*}$change
            r multi
            r ping
            assert_equal [r exec] {} "after $change"
        }
    }

    test {WATCH of a missing key is invalidated when it is created} {
        r del newkey
        r watch newkey
        r set newkey v
        r multi
        r ping
        r exec
    } {}

    test {UNWATCH forgets the watched keys} {
        r set x 1
        r watch x
        r set x 2
        r unwatch
        r multi
        r ping
        r exec
    } {PONG}

    test {EXEC and DISCARD unwatch} {
        r set x 1
        r watch x
        r multi
        r ping
        r exec
        r set x 2
        r multi
        r ping
        assert_equal [r exec] PONG
        r watch x
        r multi
        r discard
        r set x 3
        r multi
        r ping
        r exec
    } {PONG}

    test {WATCH remembers the database of a key} {
        r select 5
        r set x 30
        r watch x
        r select 1
        r set x 10
        r select 5
        r multi
        r ping
        set res [r exec]
        r select 0
        set res
    } {PONG}

    test {A WATCHed key that expires fails EXEC} {
        r del x
        r set x 1 px 50
        r watch x
        after 120
        r multi
        r ping
        r exec
    } {}

    test {A WATCHed key deleted by active expiry fails EXEC} {
        r del x
        r set x 1 px 20
        r watch x
        wait_for {[r dbsize] == 0 || [r exists x] == 0} 3000
        r multi
        r ping
        r exec
    } {}

    test {A key already expired when WATCHed does not fail EXEC when deleted} {
        set_active_expire 0
        r del x
        r set x 1 px 1
        after 20
        r watch x
        # The lookup deletes it: no change for WATCH.
        assert_equal [r exists x] 0
        r multi
        r ping
        set res [r exec]
        set_active_expire 1
        set res
    } {PONG}

    test {FLUSHALL and FLUSHDB invalidate WATCHed keys that exist} {
        r set x 1
        r watch x
        r flushall
        r multi
        r ping
        assert_equal [r exec] {}
        r set x 1
        r watch x
        r flushdb
        r multi
        r ping
        r exec
    } {}

    test {FLUSHALL does not invalidate WATCHed keys that do not exist} {
        r del x
        r watch x
        r flushall
        r multi
        r ping
        r exec
    } {PONG}

    test {SWAPDB invalidates WATCHed keys that exist in either database} {
        r flushall
        r set x 30
        r watch x
        r swapdb 0 1
        r multi
        r ping
        assert_equal [r exec] {}
        r flushall
        r select 1
        r set x 30
        r select 0
        r watch x
        r swapdb 0 1
        r multi
        r ping
        assert_equal [r exec] {}
        r flushall
        r watch x
        r swapdb 0 1
        r multi
        r ping
        r exec
    } {PONG}

    test {CLIENT LIST counts queued commands} {
        set c [kp_client]
        $c multi
        $c set a b
        $c get a
        set line {}
        foreach l [split [string trim [r client list]] "\n"] {
            set f [kp_client_fields $l]
            if {[dict get $f cmd] eq "get" || [dict get $f cmd] eq "set"} { set line $f }
        }
        assert_equal [dict get $line multi] 2
        assert_match {*x*} [dict get $line flags]
        $c close
        dict get [kp_client_fields [r client info]] multi
    } {-1}

    test {The dirty flag shows in CLIENT LIST} {
        set c [kp_client]
        $c set wx 1
        $c watch wx
        r set wx 2
        set flags {}
        foreach l [split [string trim [r client list]] "\n"] {
            set f [kp_client_fields $l]
            if {[dict get $f cmd] eq "watch"} { set flags [dict get $f flags] }
        }
        $c close
        string match *d* $flags
    } {1}

    test {RESET leaves MULTI and forgets WATCH} {
        set c [kp_client]
        $c set x 1
        $c watch x
        $c multi
        $c set x 5
        assert_equal [$c reset] RESET
        assert_error {ERR EXEC without MULTI} {$c exec}
        r set x 2
        $c multi
        $c ping
        set res [$c exec]
        $c close
        list $res [r get x]
    } {PONG 2}

    test {A client closing inside MULTI leaves nothing behind} {
        set c [kp_client]
        $c watch x
        $c multi
        $c set x never
        $c close
        r set x 1
        r get x
    } {1}

    test {Commands after EXEC run normally} {
        r multi
        r select 3
        r set inner v
        r exec
        set res [r get inner]
        r select 0
        list $res [r get inner]
    } {v {}}
}
