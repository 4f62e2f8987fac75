# keyport-benchmark against the server under test, over the run's transport
# (tcp, unix, openssl, gnutls): option errors, the output formats (-q, full,
# --csv, --json), command mode and __rand_int__, -t selection, pipelining
# and threads, AUTH and SELECT, -k 0, --handshake-rate, and TLS failures
# with their explanations. Every run is small (-n in the tens or hundreds)
# and bounded by a timeout.
#
# The client side uses the default TLS transport (openssl when built), so
# under --transport gnutls the two TLS libraries talk to each other. (The
# gnutls plugin as a client can stall a read that follows a TLS 1.3 session
# ticket: gtls_read returns KP_AGAIN with a whole record still buffered.)

set ::kb_bin [file join $::kp::root src keyport-benchmark]

# Connection options for the server at level, as a user would type them.
proc kb_args {{level 0}} {
    switch -- [srv $level transport] {
        tcp { return [list -h 127.0.0.1 -p [srv $level port]] }
        unix { return [list -s [srv $level unixsocket]] }
        default {
            return [list -h 127.0.0.1 -p [srv $level tls_port] --tls \
                        --cacert [kp_tls_file ca] --cert [kp_tls_file client_cert] \
                        --key [kp_tls_file client_key]]
        }
    }
}

# Runs keyport-benchmark with args as given. Returns stdout, followed by
# stderr when there is any; ::kb_status is the exit status, ::kb_stderr the
# standard error alone.
proc kb_raw {args} {
    if {![file executable $::kb_bin]} { kp_skip "src/keyport-benchmark is not built" }
    set errfile [kp_tmp_path bench.err]
    set ::kb_status 0
    set rc [catch {exec timeout 60 $::kb_bin {*}$args < /dev/null 2> $errfile} out opts]
    if {$rc} {
        set ec [dict get $opts -errorcode]
        if {[lindex $ec 0] ne "CHILDSTATUS"} {
            file delete -force $errfile
            error $out
        }
        set ::kb_status [lindex $ec 2]
        regsub {\n?child process exited abnormally$} $out {} out
    }
    set ::kb_stderr [string trimright [kp__read_file $errfile] "\n"]
    file delete -force $errfile
    if {$::kb_stderr eq ""} { return $out }
    if {$out eq ""} { return $::kb_stderr }
    return "$out\n$::kb_stderr"
}

# keyport-benchmark connected to the innermost server.
proc kb {args} {
    return [kb_raw {*}[kb_args] {*}$args]
}

# Checks that each line of text is a JSON object; returns a Tcl list of
# dicts with the keys named in fields (nested keys as a.b).
proc kb_json {text fields} {
    set script {
import json, sys
fields = sys.argv[1].split()
for line in sys.stdin.read().splitlines():
    obj = json.loads(line)
    out = []
    for f in fields:
        v = obj
        for part in f.split("/"):
            v = v[part]
        out.append(f + " {" + str(v) + "}")
    print(" ".join(out))
}
    set path [kp_tmp_path bench.json]
    set h [open $path w]
    puts -nonewline $h $text
    close $h
    set out [exec [kp_python] -c $script $fields < $path]
    file delete -force $path
    return [split [string trim $out] "\n"]
}

proc kb_stat {field} {
    return [kp_info_field [r info stats] $field]
}

proc kb_calls {cmd} {
    set info [r info commandstats]
    if {![regexp "cmdstat_$cmd:calls=(\\d+)" $info -> n]} { return 0 }
    return $n
}

# ---- options ------------------------------------------------------------------

tags {benchmark} {
    test {keyport-benchmark: bad options are refused with the reason} {
        foreach {args msg} {
            {--bogus} {unknown option '--bogus'*}
            {-c 0} {-c: '0' is not an integer between 1 and *}
            {-n abc} {-n: 'abc' is not an integer*}
            {-P -1} {-P: '-1' is not an integer between 1 and *}
            {-p 70000} {-p: '70000' is not an integer between 1 and 65535}
            {--precision 9} {--precision: '9' is not an integer between 1 and 4}
            {-r 0} {-r: '0' is not an integer between 1 and 1000000000000}
            {-k 2} {-k: '2' is not an integer between 0 and 1}
            {-t set,nosuchtest} {-t: unknown test 'nosuchtest' (tests: ping, *}
            {--duration -1} {--duration: '-1' is not a positive number of seconds}
            {--user bob} {--user needs -a*}
            {--csv --json} {--json: --csv and --json cannot be combined}
            {--tls-resume} {--tls-resume needs --tls}
            {--cacert ca.crt} {--cacert needs --tls}
            {--handshake-rate GET x} {--handshake-rate sends only PING: it takes no command}
            {-n} {-n needs a value}
        } {
            set out [kb_raw {*}$args]
            assert_equal $::kb_status 1
            assert_match "keyport-benchmark: $msg" $out
        }
    }

    test {keyport-benchmark --help and --version} {
        set out [kb_raw --help]
        assert_equal $::kb_status 0
        foreach opt {-h -p -s -a --user -c -n -d -P -r -t -k -l -q --csv --json --threads
                     --dbnum --precision --seed -e --handshake-rate --tls-resume --duration
                     --tls --tls-transport --sni --cacert --cacertdir --insecure --cert --key
                     --tls-ciphers --tls-ciphersuites} {
            assert_match "*\n  $opt *" $out
        }
        assert_match {keyport-benchmark *} [kb_raw --version]
    }

    test {keyport-benchmark: a refused connection is reported} {
        set port [kp_find_available_port]
        set out [kb_raw -h 127.0.0.1 -p $port -n 10 -q]
        assert_equal $::kb_status 1
        assert_match "keyport-benchmark: Could not connect to 127.0.0.1:$port: *refused*" $out
    }
}

# ---- output formats and request shapes ---------------------------------------------

start_server {tags {benchmark}} {
    test {keyport-benchmark -q: one line per test, counted by the server} {
        r config resetstat
        set out [kb -t set,get -n 200 -c 4 -q]
        assert_equal $::kb_status 0
        set lines [split [string trim $out] "\n"]
        assert_equal [llength $lines] 2
        assert_match {SET: * requests per second, p50=* msec} [lindex $lines 0]
        assert_match {GET: * requests per second, p50=* msec} [lindex $lines 1]
        assert {[regexp {^SET: ([0-9.]+) requests} [lindex $lines 0] -> rps] && $rps > 0}
        # Exactly -n requests of each, and the literal key without -r.
        assert_equal [kb_calls set] 200
        assert_equal [kb_calls get] 200
        assert_equal [r strlen key:__rand_int__] 3
    }

    test {keyport-benchmark full report} {
        set out [kb -t incr -n 100 -c 2]
        assert_equal $::kb_status 0
        foreach want {"====== INCR ======" "  100 requests completed in * seconds"
                      "  2 parallel clients" "  3 bytes payload" "  keep alive: 1"
                      "  multi-thread: no" "  transport: *" "Latency by percentile distribution:"
                      "100.000% <= * milliseconds (cumulative count 100)"
                      "Cumulative distribution of latencies:"
                      "  throughput summary: * requests per second"
                      "  latency summary (msec):" "  latency percentiles (msec):"} {
            assert_match "*$want*" $out
        }
        assert_match {*p50 * p90 * p99 * p99.9 * max*} $out
        r get counter:__rand_int__
    } {100}

    test {keyport-benchmark --csv: redis-benchmark's header and columns} {
        set out [kb -t ping,set -n 50 -c 2 --csv]
        assert_equal $::kb_status 0
        set lines [split [string trim $out] "\n"]
        assert_equal [lindex $lines 0] {"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"}
        set names {}
        foreach l [lrange $lines 1 end] {
            assert_match {"*","*.??","*.???","*.???","*.???","*.???","*.???","*.???"} $l
            lappend names [lindex [split $l ,] 0]
        }
        set names
    } {{"PING_INLINE"} {"PING_MBULK"} {"SET"}}

    test {keyport-benchmark --json: one object per test} {
        set out [kb -t get,lpush -n 120 -c 3 -P 4 --threads 2 --json]
        assert_equal $::kb_status 0
        set rows [kb_json $out {test requests rps threads pipeline errors latency_ms/min
            latency_ms/p50 latency_ms/p90 latency_ms/p99 latency_ms/p99.9 latency_ms/max}]
        assert_equal [llength $rows] 2
        set tests {}
        foreach row $rows {
            lappend tests [dict get $row test]
            assert_equal [dict get $row requests] 120
            assert_equal [dict get $row threads] 2
            assert_equal [dict get $row pipeline] 4
            assert_equal [dict get $row errors] 0
            assert {[dict get $row rps] > 0}
            set prev 0
            foreach k {latency_ms/min latency_ms/p50 latency_ms/p90 latency_ms/p99
                       latency_ms/p99.9 latency_ms/max} {
                assert {[dict get $row $k] >= $prev}
                set prev [dict get $row $k]
            }
        }
        list $tests [r llen mylist]
    } {{GET LPUSH} 120}

    test {keyport-benchmark: the default test list, in redis-benchmark's order} {
        r flushall
        set out [kb -n 20 -c 2 -q]
        assert_equal $::kb_status 0
        set titles {}
        foreach l [split [string trim $out] "\n"] {
            if {[regexp {^(.*): [0-9.]+ requests per second} $l -> t]} { lappend titles $t }
        }
        set titles
    } {PING_INLINE PING_MBULK SET GET INCR LPUSH RPUSH LPOP RPOP SADD HSET SPOP ZADD ZPOPMIN {LPUSH (needed to benchmark LRANGE)} {LRANGE_100 (first 100 elements)} {LRANGE_300 (first 300 elements)} {LRANGE_500 (first 500 elements)} {LRANGE_600 (first 600 elements)} {MSET (10 keys)}}

    test {keyport-benchmark -t selects tests by name, group and case} {
        set out [kb -t PING,lrange_100 -n 10 -c 1 -q]
        set titles {}
        foreach l [split [string trim $out] "\n"] {
            if {[regexp {^(.*): [0-9.]+ requests per second} $l -> t]} { lappend titles $t }
        }
        set titles
    } {PING_INLINE PING_MBULK {LPUSH (needed to benchmark LRANGE)} {LRANGE_100 (first 100 elements)}}

    test {keyport-benchmark: the request shapes of the default tests} {
        r flushall
        kb -t hset,sadd,zadd,mset -n 10 -c 1 -d 7 -q
        assert_equal $::kb_status 0
        assert_equal [r hkeys myhash] {element:__rand_int__}
        assert_equal [string length [r hget myhash element:__rand_int__]] 7
        assert_equal [r smembers myset] {element:__rand_int__}
        assert_equal [r zrange myzset 0 -1 withscores] {element:__rand_int__ 0}
        string length [r get key:__rand_int__]
    } {7}

    test {keyport-benchmark -r: random keys with 12 digits below keyspacelen} {
        r flushall
        kb -t set -n 300 -c 3 -r 50 --seed 7 -q
        set keys [r keys *]
        assert {[llength $keys] > 10 && [llength $keys] <= 50}
        foreach k $keys { assert_match {key:0000000000[0-4][0-9]} $k }
    }

    test {keyport-benchmark command mode: the command line is the title} {
        r flushall
        set out [kb -n 100 -c 2 -r 10 -q SET bench:__rand_int__ v:__rand_int__]
        assert_equal $::kb_status 0
        assert_match {SET bench:__rand_int__ v:__rand_int__: * requests per second, p50=*} $out
        set keys [lsort [r keys bench:*]]
        assert {[llength $keys] >= 2 && [llength $keys] <= 10}
        foreach k $keys {
            assert_match {bench:00000000000[0-9]} $k
            assert_match {v:00000000000[0-9]} [r get $k]
        }
        # Without -r the placeholder stays literal, as in redis-benchmark.
        kb -n 5 -c 1 -q RPUSH benchlist __rand_int__
        r lrange benchlist 0 0
    } {__rand_int__}

    test {keyport-benchmark --dbnum selects the database} {
        kb --dbnum 3 -n 5 -c 2 -q SET dbkey three
        assert_equal $::kb_status 0
        assert_equal [r get dbkey] {}
        r select 3
        set v [r get dbkey]
        r select 0
        set v
    } {three}

    test {keyport-benchmark -e prints error replies, counted in --json} {
        r set notanumber abc
        set out [kb -e -n 6 -c 1 -q INCR notanumber]
        assert_equal $::kb_status 0
        assert_match "*Error from server: ERR value is not an integer or out of range*" $out
        set row [lindex [kb_json [kb -n 6 -c 2 --json INCR notanumber] {errors requests}] 0]
        list [dict get $row errors] [dict get $row requests]
    } {6 6}

    test {keyport-benchmark -k 0 reconnects for every request} {
        set before [kb_stat total_connections_received]
        set row [lindex [kb_json [kb -k 0 -n 40 -c 4 --json PING] {requests}] 0]
        assert_equal [dict get $row requests] 40
        # 40 load connections plus the 4 first ones and the check connection.
        assert {[kb_stat total_connections_received] - $before >= 40}
    }

    test {keyport-benchmark --handshake-rate: connections per second and latency} {
        set before [kb_stat total_connections_received]
        set out [kb --handshake-rate -n 30 -c 3 --threads 2 --json]
        assert_equal $::kb_status 0
        set row [lindex [kb_json $out {test connections rps threads handshake_latency_ms/p50
            handshake_latency_ms/max cycle_latency_ms/p99.9}] 0]
        assert_equal [dict get $row test] HANDSHAKE
        assert_equal [dict get $row connections] 30
        assert_equal [dict get $row threads] 2
        assert {[dict get $row rps] > 0}
        assert {[dict get $row handshake_latency_ms/max] >= [dict get $row handshake_latency_ms/p50]}
        assert {[kb_stat total_connections_received] - $before >= 30}
        set out [kb --handshake-rate --duration 0.3 -c 2 -q]
        assert_equal $::kb_status 0
        assert_match {HANDSHAKE: * connections per second, p50=* msec} $out
    }

    test {keyport-benchmark --handshake-rate full report} {
        set out [kb --handshake-rate -n 10 -c 2]
        foreach want {"====== HANDSHAKE ======" "  10 connections completed in * seconds"
                      "  throughput summary: * new connections per second"
                      "  handshake latency (msec):" "  connect to PONG latency (msec):"} {
            assert_match "*$want*" $out
        }
    }
}

start_server {tags {benchmark} overrides {requirepass s3cret}} {
    test {keyport-benchmark -a authenticates every connection} {
        set out [kb -a s3cret -t ping -n 20 -c 2 -q]
        assert_equal $::kb_status 0
        assert_match "PING_INLINE: *PING_MBULK: *" $out
        kb -a s3cret --handshake-rate -n 4 -c 2 -q
        assert_equal $::kb_status 0
    }

    test {keyport-benchmark: a wrong password fails with the server's error} {
        set out [kb -a wrong -n 10 -q]
        assert_equal $::kb_status 1
        assert_match "keyport-benchmark: AUTH failed: WRONGPASS*" $out
    }
}

# ---- TLS ------------------------------------------------------------------------------

# A TCP listener that answers anything with a RESP error: a plaintext server.
proc kb_plain_server {} {
    set port [kp_find_available_port]
    set s [socket -server kb_plain_accept -myaddr 127.0.0.1 $port]
    return [list $s $port]
}

proc kb_plain_accept {fd addr port} {
    fconfigure $fd -blocking 0 -translation binary
    fileevent $fd readable [list kb_plain_answer $fd]
}

proc kb_plain_answer {fd} {
    catch {read $fd}
    catch {puts -nonewline $fd "-ERR unknown command\r\n"; flush $fd}
    after 500 [list catch [list close $fd]]
}

# keyport-benchmark in the background, so that this event loop serves the
# fake server meanwhile. Returns stderr; ::kb_status is the exit status.
proc kb_bg {args} {
    set errfile [kp_tmp_path bench.err]
    set h [open |[list timeout 20 $::kb_bin {*}$args 2> $errfile] r]
    fconfigure $h -blocking 0
    set ::kb_bg_done 0
    fileevent $h readable [list kb_bg_read $h]
    vwait ::kb_bg_done
    fconfigure $h -blocking 1
    set ::kb_status 0
    if {[catch {close $h} e opts]} {
        set ec [dict get $opts -errorcode]
        if {[lindex $ec 0] eq "CHILDSTATUS"} { set ::kb_status [lindex $ec 2] }
    }
    set err [kp__read_file $errfile]
    file delete -force $errfile
    return $err
}

proc kb_bg_read {h} {
    read $h
    if {[eof $h]} { set ::kb_bg_done 1 }
}

tags {benchmark} {
    test {keyport-benchmark --tls against a plaintext port} {
        if {![kp_transport_available openssl] && ![kp_transport_available gnutls]} {
            kp_skip "no TLS transport built"
        }
        if {![file executable $::kb_bin]} { kp_skip "src/keyport-benchmark is not built" }
        lassign [kb_plain_server] s port
        set err [kb_bg -h 127.0.0.1 -p $port --tls --cacert [kp_tls_file ca] -n 10 -q]
        close $s
        assert_equal $::kb_status 1
        assert_match "keyport-benchmark: Could not connect to 127.0.0.1:$port: *" $err
        assert_match "*the server does not speak TLS on this port: plaintext port?*" $err
    }
}

start_server {tags {benchmark tls}} {
    set t [srv transport]
    set ca [kp_tls_file ca]
    set crt [kp_tls_file client_cert]
    set key [kp_tls_file client_key]
    set base [list -h 127.0.0.1 -p [srv tls_port] --tls]

    test "keyport-benchmark --tls ($t): a server certificate from an unknown CA" {
        set out [kb_raw {*}$base --cacert [kp_tls_file other-ca.crt] --cert $crt --key $key -n 10]
        assert_equal $::kb_status 1
        assert_match "keyport-benchmark: Could not connect to 127.0.0.1:*: *" $out
        assert_match "*(the server certificate is not trusted: check --cacert*" $out
    }

    test "keyport-benchmark --tls ($t): no client certificate where one is required" {
        set out [kb_raw {*}$base --cacert $ca -n 10 -q]
        assert_equal $::kb_status 1
        assert_match "*the server requires a client certificate: use --cert and --key*" $out
    }

    test "keyport-benchmark --tls ($t): a missing CA file names the option" {
        set out [kb_raw {*}$base --cacert /nonexistent/ca.crt -n 10 -q]
        assert_equal $::kb_status 1
        assert_match "keyport-benchmark: *--cacert '/nonexistent/ca.crt': cannot open*" $out
    }

    test "keyport-benchmark --tls ($t): the report names the TLS session" {
        set out [kb -t get -n 20 -c 2]
        assert_equal $::kb_status 0
        assert_match "*  transport: * TLSv1.* *" $out
    }

    test "keyport-benchmark --tls ($t): --tls-resume resumes sessions" {
        set out [kb --handshake-rate --tls-resume -n 20 -c 2 --json]
        assert_equal $::kb_status 0
        set row [lindex [kb_json $out {connections sessions_resumed}] 0]
        assert_equal [dict get $row connections] 20
        assert {[dict get $row sessions_resumed] > 0}
    }

    # One client, so the first handshake is full and every later one offers
    # the session (TLS 1.2) or ticket (TLS 1.3) the previous one stored;
    # the server's own counter must agree with what the client reports.
    foreach ct {openssl gnutls} {
        foreach proto {TLSv1.2 TLSv1.3} {
            test "keyport-benchmark --tls ($t server, $ct client, $proto): --tls-resume" {
                if {![kp_transport_available $ct]} { kp_skip "$ct transport not built" }
                regexp {tls_listener\d+_sessions_resumed:(\d+)} [r info tls] -> before
                set out [kb --tls-transport $ct --tls-protocols $proto --handshake-rate \
                             --tls-resume -n 12 -c 1 --json]
                assert_equal $::kb_status 0
                set row [lindex [kb_json $out {connections sessions_resumed}] 0]
                assert_equal [dict get $row connections] 12
                assert_equal [dict get $row sessions_resumed] 11
                regexp {tls_listener\d+_sessions_resumed:(\d+)} [r info tls] -> after
                assert_equal [expr {$after - $before}] 11
            }

            test "keyport-benchmark --tls ($t server, $ct client, $proto): no resumption by default" {
                if {![kp_transport_available $ct]} { kp_skip "$ct transport not built" }
                regexp {tls_listener\d+_sessions_resumed:(\d+)} [r info tls] -> before
                set out [kb --tls-transport $ct --tls-protocols $proto --handshake-rate -n 4 -c 1 -q]
                assert_equal $::kb_status 0
                regexp {tls_listener\d+_sessions_resumed:(\d+)} [r info tls] -> after
                assert_equal $after $before
            }
        }
    }
}
