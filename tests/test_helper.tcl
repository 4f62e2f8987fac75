# keyport integration test runner (./runtest).
#
# The master process picks the test files (tests/integration/*.tcl and one
# level of subdirectories), runs each one in its own worker process (tclsh
# test_helper.tcl --worker FILE ...), up to --clients at a time, shows their
# output as it comes and prints the summary, ending with the line
# "N passed, M failed[, K skipped]"; the exit status is 1 when a test failed,
# a server crashed or a file timed out. A worker starts its own servers on
# ports from its own range and reports to the master through lines starting
# with "@@" (see runner.tcl).
#
# What a test file can use (details at each proc):
#   test NAME BODY ?EXPECTED? ?TAGS?    tags {..} {..}    kp_skip REASON
#   start_server {tags {} overrides {} config_lines {} transport T args {}
#                 client 1} BODY                                (server.tcl)
#   srv ?LEVEL? KEY, r ?LEVEL? CMD.., reconnect, kp_restart_server,
#   kp_server_log, kp_server_stderr, wait_for_log, kp_server_alive,
#   kp_server_expect_exit
#   kp_client ?-deferred? ?connect options?   (resp.tcl: read, rawcmd,
#                                              pipeline, readraw ...)
#   kp_connect / kp_raw_socket with -transport -host -port -path -cafile
#   -certfile -keyfile -tlsoptions; kp_raw_write/gets/read/wait_closed/close,
#   kp_io_* (io.tcl), kp_can_connect
#   kp_find_available_port, kp_tmp_path, kp_tmp_dir
#   kp_tls_file ROLE|NAME, kp_tls_transport, kp_transport_available
#   kp_exec_server ARGV ?MS?, kp_spawn_server, kp_spawned_output,
#   kp_stop_spawned                             (one-shot server runs)
#   assert, assert_equal, assert_not_equal, assert_match, assert_no_match,
#   assert_error, assert_range, assert_encoding, assert_type,
#   assert_lessthan, assert_morethan, assert_equal_unordered, fail,
#   wait_for_condition MAXTRIES DELAY COND else SCRIPT, wait_for, kp_sleep
#   kp_info_field, kp_info_dict, kp_client_fields, kp_client_list,
#   kp_addr_pattern, kp_laddr_pattern, kp_client_flags, kp_redis_cli_args
#                                                               (util.tcl)
#   kp_redis_start/stop, kp_with_redis, kp_require_redis_peer (Debian's
#   redis-server as a peer), kp_fill_dataset, kp_dataset, kp_key_value,
#   kp_persist_info, kp_wait_bgsave, kp_wait_aof_rewrite, kp_wait_aof_written, kp_read_binary,
#   kp_write_binary, kp_aof_dir, kp_aof_incr_path, kp_run_tool,
#   kp_append_config, kp_shutdown_server                     (persist.tcl)
# Tags with a meaning of their own: keyport (skipped against redis-server),
# redis-only, tls (run only with --transport openssl|gnutls),
# needs:redis-cli, needs:python-redis, needs:openssl, needs:gnutls.

namespace eval ::kp {}
set ::kp::root [file normalize [file join [file dirname [info script]] ..]]
cd $::kp::root

foreach f {io resp test server util persist runner} {
    source [file join $::kp::root tests support $f.tcl]
}

proc kp_usage {} {
    puts {Usage: ./runtest [options]
  --single FILE         run only this test file (repeatable); FILE may be
                        tests/integration/x.tcl, integration/x or x
  --only GLOB           run only tests whose name matches (repeatable)
  --tags 'a -b'         run tests tagged a (any listed); skip tests tagged b
  --clients N           test files run in N parallel workers (default 4)
  --transport T         tcp (default), unix, openssl or gnutls
  --server-binary PATH  server to test (default src/keyport-server);
                        /usr/bin/redis-server skips tests tagged keyport
  --timeout SECS        per test file (default 300)
  --verbose             show each test as it starts and the servers
  --dont-clean          keep tests/tmp/ server directories
  --list-tests          print the test files that would run and exit
  --help}
}

array set ::kp::opt {
    single {} only {} tags {} clients 4 transport tcp
    server_binary src/keyport-server timeout 300 verbose 0 dont_clean 0
    list_tests 0 worker "" slot 0 port_base 0 start_timeout 15000 server_kind ""
}

proc kp_parse_args {argv} {
    for {set i 0} {$i < [llength $argv]} {incr i} {
        set a [lindex $argv $i]
        set v [lindex $argv [expr {$i + 1}]]
        switch -- $a {
            --single { lappend ::kp::opt(single) $v; incr i }
            --only { lappend ::kp::opt(only) $v; incr i }
            --tags { lappend ::kp::opt(tags) {*}$v; incr i }
            --clients { set ::kp::opt(clients) $v; incr i }
            --transport { set ::kp::opt(transport) $v; incr i }
            --server-binary { set ::kp::opt(server_binary) $v; incr i }
            --timeout { set ::kp::opt(timeout) $v; incr i }
            --verbose { set ::kp::opt(verbose) 1 }
            --dont-clean { set ::kp::opt(dont_clean) 1 }
            --list-tests { set ::kp::opt(list_tests) 1 }
            --worker { set ::kp::opt(worker) $v; incr i }
            --slot { set ::kp::opt(slot) $v; incr i }
            --port-base { set ::kp::opt(port_base) $v; incr i }
            --server-kind { set ::kp::opt(server_kind) $v; incr i }
            --help - -h { kp_usage; exit 0 }
            default {
                puts stderr "runtest: unknown option '$a' (see --help)"
                exit 2
            }
        }
        if {$a in {--single --only --tags --clients --transport --server-binary
                   --timeout --worker --slot --port-base --server-kind} &&
            $i >= [llength $argv]} {
            puts stderr "runtest: $a needs a value"
            exit 2
        }
    }
    if {$::kp::opt(transport) ni {tcp unix openssl gnutls}} {
        puts stderr "runtest: --transport must be tcp, unix, openssl or gnutls"
        exit 2
    }
    foreach k {clients timeout} {
        if {![string is integer -strict $::kp::opt($k)] || $::kp::opt($k) < 1} {
            puts stderr "runtest: --$k needs a positive number"
            exit 2
        }
    }
}

kp_parse_args $argv
kp_detect_server
if {$::kp::opt(worker) ne ""} {
    exit [kp_worker_main]
}
exit [kp_master_main]
