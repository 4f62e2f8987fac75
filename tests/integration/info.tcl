# INFO sections and the counters they show.

start_server {tags {info}} {
    test {INFO without arguments has the default sections in order} {
        set s [kp_info_sections [r info]]
        set want {server clients memory stats keyspace}
        set pos -1
        foreach sec $want {
            set i [lsearch -exact $s $sec]
            assert {$i > $pos} "section $sec present and after the previous ones in {$s}"
            set pos $i
        }
        assert {[lsearch -exact $s commandstats] < 0}
    }

    test {INFO with one section shows only that section} {
        assert_equal [kp_info_sections [r info server]] {server}
        assert_equal [kp_info_sections [r info clients]] {clients}
        assert_equal [kp_info_sections [r info memory]] {memory}
        assert_equal [kp_info_sections [r info stats]] {stats}
        assert_equal [kp_info_sections [r info keyspace]] {keyspace}
    }

    test {INFO section names are case-insensitive} {
        kp_info_sections [r info SERVER]
    } {server}

    test {INFO with several sections} {
        kp_info_sections [r info server clients]
    } {server clients}

    test {INFO of an unknown section is empty} {
        r info nosuchsection
    } {}

    test {INFO all and everything include commandstats and errorstats} {
        foreach arg {all everything} {
            set s [kp_info_sections [r info $arg]]
            foreach sec {server clients memory stats commandstats errorstats keyspace} {
                assert {[lsearch -exact $s $sec] >= 0} "$sec in INFO $arg"
            }
        }
    }

    test {INFO lines are field:value ended by CRLF} {
        set info [r info]
        assert_equal [string range $info end-1 end] "\r\n"
        assert_equal [string first "\n" [string map {"\r\n" ""} $info]] -1 "bare LF"
        assert_equal [string first "\r" [string map {"\r\n" ""} $info]] -1 "bare CR"
        foreach line [split [string map {"\r\n" "\n"} $info] "\n"] {
            if {$line eq "" || [string index $line 0] eq "#"} continue
            assert_match {*:*} $line
        }
    }

    test {INFO server fields} {
        set d [kp_info_dict [r info server]]
        assert_match {[0-9]*.[0-9]*.[0-9]*} [dict get $d redis_version]
        assert_equal [dict get $d process_id] [srv pid]
        # The TCP port, else the TLS port, else 0 (Redis' rule).
        set port [srv port]
        if {$port == 0} { set port [srv tls_port] }
        assert_equal [dict get $d tcp_port] $port
        assert_match {[0-9a-f]*} [dict get $d run_id]
        assert_equal [string length [dict get $d run_id]] 40
        assert_range [dict get $d uptime_in_seconds] 0 3600
        assert_equal [dict get $d uptime_in_days] 0
        assert_equal [dict get $d hz] 10
        assert_equal [dict get $d configured_hz] 10
        assert_equal [dict get $d config_file] [file normalize [srv config_file]]
        assert_equal [dict get $d arch_bits] 64
        assert_equal [dict get $d multiplexing_api] epoll
        assert {[dict exists $d executable]}
    }

    test {INFO clients fields} {
        set c [kp_client]
        $c ping
        set d [kp_info_dict [r info clients]]
        assert_equal [dict get $d connected_clients] 2
        assert_equal [dict get $d maxclients] 10000
        assert_equal [dict get $d blocked_clients] 0
        $c close
        wait_for_condition 50 20 {[kp_info_field [r info clients] connected_clients] == 1}
    }

    test {INFO memory fields} {
        set d [kp_info_dict [r info memory]]
        assert {[dict get $d used_memory] > 0}
        assert_match {*[BKMG]} [dict get $d used_memory_human]
        assert {[dict get $d used_memory_peak] >= [dict get $d used_memory] * 0 + 1}
        assert_equal [dict get $d maxmemory] 0
        assert {[dict exists $d used_memory_rss]}
    }

    test {INFO memory grows with data} {
        set before [kp_info_field [r info memory] used_memory]
        r set bigvalue [string repeat x 4000000]
        set after [kp_info_field [r info memory] used_memory]
        r del bigvalue
        assert_morethan $after [expr {$before + 3000000}]
    }

    test {INFO keyspace lists databases with keys} {
        r flushall
        assert_equal [string trim [r info keyspace]] "# Keyspace"
        r set a 1
        r select 3
        r set b 1
        r set c 1 ex 100
        r select 0
        set d [kp_info_dict [r info keyspace]]
        assert_equal [dict keys $d] {db0 db3}
        assert_match {keys=1,expires=0,avg_ttl=0} [dict get $d db0]
        assert_match {keys=2,expires=1,avg_ttl=*} [dict get $d db3]
    }

    test {INFO stats: commands, connections, hits and misses move} {
        r config resetstat
        set s0 [kp_info_dict [r info stats]]
        r set hit v
        r get hit
        r get hit
        r get nosuchkey
        set c [kp_client]
        $c ping
        $c close
        set s1 [kp_info_dict [r info stats]]
        assert_equal [expr {[dict get $s1 keyspace_hits] - [dict get $s0 keyspace_hits]}] 2
        assert_equal [expr {[dict get $s1 keyspace_misses] - [dict get $s0 keyspace_misses]}] 1
        assert_equal [expr {[dict get $s1 total_commands_processed] - [dict get $s0 total_commands_processed]}] 6
        assert_equal [expr {[dict get $s1 total_connections_received] - [dict get $s0 total_connections_received]}] 1
        assert {[dict get $s1 total_net_input_bytes] > [dict get $s0 total_net_input_bytes]}
        assert {[dict get $s1 total_net_output_bytes] > [dict get $s0 total_net_output_bytes]}
        foreach f {instantaneous_ops_per_sec rejected_connections expired_keys evicted_keys} {
            assert {[dict exists $s1 $f]} "field $f"
        }
    }

    test {INFO stats: total_error_replies} {
        r config resetstat
        catch {r nosuchcommand}
        catch {r get}
        r set str x
        catch {r incr str}
        kp_info_field [r info stats] total_error_replies
    } {3}

    test {INFO commandstats: calls, failed and rejected calls} {
        r config resetstat
        r set cs x
        r set cs y
        catch {r incr cs}
        catch {r get}
        set d [kp_info_dict [r info commandstats]]
        assert_match {calls=2,usec=*,usec_per_call=*,rejected_calls=0,failed_calls=0} [dict get $d cmdstat_set]
        assert_match {calls=1,usec=*,usec_per_call=*,rejected_calls=0,failed_calls=1} [dict get $d cmdstat_incr]
        assert_match {calls=0,usec=*,usec_per_call=*,rejected_calls=1,failed_calls=0} [dict get $d cmdstat_get]
        assert {![dict exists $d cmdstat_append]}
    }

    test {INFO commandstats names subcommands with a bar} {
        r config resetstat
        r config get maxclients
        r client id
        set d [kp_info_dict [r info commandstats]]
        assert {[dict exists $d cmdstat_config|get]}
        assert {[dict exists $d cmdstat_client|id]}
    }

    test {INFO errorstats counts by error code} {
        r config resetstat
        catch {r nosuchcommand}
        catch {r get}
        r set es x
        catch {r incr es}
        set c [kp_client]
        catch {$c hello 9}
        $c close
        set d [kp_info_dict [r info errorstats]]
        assert_equal [dict get $d errorstat_ERR] count=3
        assert_equal [dict get $d errorstat_NOPROTO] count=1
    }
}
