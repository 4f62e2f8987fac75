# redis-py (Debian's python3-redis) against the server. Skipped when the
# package is missing.

start_server {tags {needs:python-redis}} {
    test {redis-py: commands, errors, pipeline, scan and RESP3 when supported} {
        switch -- [srv transport] {
            tcp { set targs [list tcp 127.0.0.1 [srv port]] }
            unix { set targs [list unix [srv unixsocket]] }
            default {
                set targs [list tls 127.0.0.1 [srv tls_port] [kp_tls_file ca] \
                               [kp_tls_file client_cert] [kp_tls_file client_key]]
            }
        }
        set script [file join $::kp::root tests support redis_py_check.py]
        set status 0
        if {[catch {exec [kp_python] $script {*}$targs 2>@1} out opts]} {
            set status [lindex [dict get $opts -errorcode] 2]
        }
        assert_equal $status 0 $out
        assert_match "*\ndone*" $out
        assert_no_match "*FAIL*" $out
        r get py:p50
    } {50}
}
