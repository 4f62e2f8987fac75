# CONFIG GET/SET/RESETSTAT/REWRITE.

start_server {tags {config}} {
    test {CONFIG GET one parameter} {
        r config get maxclients
    } {maxclients 10000}

    test {CONFIG GET several parameters and patterns} {
        set d [r config get hz timeout]
        assert_equal [dict get $d hz] 10
        assert_equal [dict get $d timeout] 0
        set d [r config get max*]
        assert {[dict exists $d maxclients]}
        assert {[dict exists $d maxmemory]}
        dict for {k v} $d { assert_match max* $k }
        set d [r config get tim?out {h[yz]}]
        lsort [dict keys $d]
    } {hz timeout}

    test {CONFIG GET of an unknown parameter is empty} {
        r config get nosuchparameter
    } {}

    test {CONFIG GET * lists every parameter once} {
        set d [r config get *]
        assert {[llength $d] % 2 == 0}
        assert_equal [llength [lsort -unique [dict keys $d]]] [expr {[llength $d] / 2}]
        foreach k {port bind timeout maxclients hz proto-max-bulk-len client-query-buffer-limit
                   client-output-buffer-limit requirepass loglevel dir databases} {
            assert {[dict exists $d $k]} "$k is listed"
        }
    }

    test {CONFIG GET values of the generated config} {
        set d [r config get databases]
        assert_equal [dict get $d databases] 16
        assert_equal [lindex [r config get proto-max-bulk-len] 1] 536870912
        assert_equal [lindex [r config get client-query-buffer-limit] 1] 1073741824
        assert_equal [lindex [r config get client-output-buffer-limit] 1] \
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
    }

    test {CONFIG SET and GET} {
        assert_equal [r config set timeout 30] OK
        assert_equal [r config get timeout] {timeout 30}
        r config set timeout 0
        r config get timeout
    } {timeout 0}

    test {CONFIG SET parameter names are case-insensitive} {
        r config set TIMEOUT 5
        set v [lindex [r config get timeout] 1]
        r config set timeout 0
        set v
    } {5}

    test {CONFIG SET memory values take units} {
        r config set maxmemory 10mb
        assert_equal [lindex [r config get maxmemory] 1] 10485760
        r config set maxmemory 1gb
        assert_equal [lindex [r config get maxmemory] 1] 1073741824
        r config set maxmemory 0
        r config set client-query-buffer-limit 2mb
        assert_equal [lindex [r config get client-query-buffer-limit] 1] 2097152
        r config set client-query-buffer-limit 1gb
    }

    test {CONFIG SET client-output-buffer-limit} {
        r config set client-output-buffer-limit "normal 1mb 2mb 10"
        assert_equal [lindex [r config get client-output-buffer-limit] 1] \
            "normal 1048576 2097152 10 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        r config set client-output-buffer-limit "normal 0 0 0"
        assert_error "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration." {
            r config set client-output-buffer-limit "normal 1mb 2mb"
        }
    }

    test {CONFIG SET enum and boolean values} {
        r config set loglevel verbose
        assert_equal [lindex [r config get loglevel] 1] verbose
        r config set loglevel notice
        assert_error "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning" {
            r config set loglevel foo
        }
        assert_error "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'" {
            r config set protected-mode maybe
        }
        lindex [r config get loglevel] 1
    } {notice}

    test {CONFIG SET value errors} {
        assert_error "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer" {
            r config set hz abc
        }
        assert_error "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive" {
            r config set timeout -1
        }
        assert_error "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive" {
            r config set maxclients 0
        }
        assert_error "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive" {
            r config set port 70000
        }
        assert_error "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value" {
            r config set maxmemory 1foo
        }
        assert_error "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive" {
            r config set proto-max-bulk-len 1
        }
        assert_error "ERR CONFIG SET failed (possibly related to argument 'client-query-buffer-limit') - argument must be between 1048576 and 9223372036854775807 inclusive" {
            r config set client-query-buffer-limit 1
        }
    }

    test {CONFIG SET unknown parameter} {
        assert_error "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'" {
            r config set nosuch 1
        }
    }

    test {CONFIG SET immutable parameters} {
        foreach p {daemonize databases io-threads} {
            set v [lindex [r config get $p] 1]
            assert_error "ERR CONFIG SET failed (possibly related to argument '$p') - can't set immutable config" {
                r config set $p $v
            }
        }
    }

    test {CONFIG SET of several parameters} {
        assert_equal [r config set hz 20 timeout 30] OK
        set d [r config get hz timeout]
        list [dict get $d hz] [dict get $d timeout]
    } {20 30}

    test {CONFIG SET of several parameters is atomic: one bad value changes nothing} {
        r config set hz 20 timeout 30 maxclients 10000
        assert_error "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer" {
            r config set hz 30 timeout abc maxclients 500
        }
        set d [r config get hz timeout maxclients]
        assert_equal [dict get $d hz] 20
        assert_equal [dict get $d timeout] 30
        assert_equal [dict get $d maxclients] 10000
        assert_error "*can't set immutable config" {
            r config set hz 40 databases 16
        }
        r config get hz
    } {hz 20}

    test {CONFIG SET duplicate parameters} {
        assert_error "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter" {
            r config set hz 10 hz 20
        }
        assert_error "ERR CONFIG SET failed (possibly related to argument 'Maxclients') - duplicate parameter" {
            r config set maxclients 100 Maxclients 200
        }
        r config set hz 10 timeout 0
        lindex [r config get maxclients] 1
    } {10000}

    test {CONFIG arity and subcommand errors} {
        assert_error "ERR wrong number of arguments for 'config|get' command" {r config get}
        assert_error "ERR wrong number of arguments for 'config|set' command" {r config set}
        assert_error "ERR wrong number of arguments for 'config|set' command" {r config set maxclients}
        assert_error "ERR wrong number of arguments for 'config|resetstat' command" {r config resetstat x}
        assert_error "ERR unknown subcommand 'foo'. Try CONFIG HELP." {r config foo}
        assert_match "CONFIG <subcommand>*" [lindex [r config help] 0]
    }

    test {CONFIG SET maxclients applies to new connections} {
        r config set maxclients 2
        set c [kp_client]
        assert_equal [$c ping] PONG
        set refused [expr {[catch {
            set fd [kp_raw_socket]
            set line [kp_raw_gets $fd 3000]
            kp_raw_close $fd
        }] || $line eq "-ERR max number of clients reached"}]
        $c close
        r config set maxclients 10000
        set refused
    } {1}

    test {CONFIG RESETSTAT clears statistics} {
        for {set i 0} {$i < 20} {incr i} { r set k $i }
        catch {r nosuchcommand}
        catch {r incr nosuchcommand-arity-x y}
        assert {[kp_info_field [r info stats] total_commands_processed] > 20}
        assert_equal [r config resetstat] OK
        set stats [r info stats]
        assert_range [kp_info_field $stats total_commands_processed] 0 2
        assert_equal [kp_info_field $stats total_error_replies] 0
        assert_equal [kp_info_field $stats keyspace_hits] 0
        assert_equal [kp_info_field $stats keyspace_misses] 0
        assert_equal [string trim [r info errorstats]] "# Errorstats"
        assert_no_match "*cmdstat_set:*" [r info commandstats]
    }
}

start_server {tags {config} config_lines {{# a comment the rewrite keeps}}} {
    test {CONFIG REWRITE writes the changes into the config file} {
        r config set maxclients 1234
        r config set timeout 77
        assert_equal [r config rewrite] OK
        set f [open [srv config_file] r]
        set text [read $f]
        close $f
        assert_match "*\nmaxclients 1234\n*" "\n$text"
        assert_match "*\ntimeout 77\n*" "\n$text"
        assert_match "*# a comment the rewrite keeps*" $text
    }

    test {CONFIG REWRITE round trip: the restarted server has the new values} {
        kp_restart_server
        set d [r config get maxclients timeout]
        list [dict get $d maxclients] [dict get $d timeout]
    } {1234 77}

    test {CONFIG REWRITE replaces a value set in the file} {
        r config set timeout 88
        r config rewrite
        set f [open [srv config_file] r]
        set text [read $f]
        close $f
        assert_equal [regexp -all -line {^timeout } $text] 1
        kp_restart_server
        lindex [r config get timeout] 1
    } {88}
}
