# tls-auto-reload-interval: certificate files replaced on disk are picked up
# without any command; a broken replacement keeps the old context in use.
source [file join $::kp::root tests helpers tls.tcl]

# Test certificates exist only in TLS runs; this file sets them up outside
# test bodies, so it ends here in plaintext runs.
if {[kp_tls_transport] eq ""} { return }

proc autoreload_subject {} {
    set fd [kp_connect]
    set st [tls::status $fd]
    kp_io_close $fd
    return [dict get $st subject]
}

proc autoreload_copy {pair cert key} {
    # Write to a temporary name and rename, as certificate tools do.
    foreach {src dst} [list $cert $pair.crt $key $pair.key] {
        file copy -force [kp_tls_file $src] $dst.tmp
        file rename -force $dst.tmp $dst
    }
}

tags {tls keyport} {

set pair [file join [kp_tmp_dir] autoreload-[pid]]
autoreload_copy $pair server.crt server.key

start_server [list overrides [list tls-cert-file $pair.crt tls-key-file $pair.key \
                                   tls-auto-reload-interval 1]] {
    set live [kp_client]
    $live set k v

    test {INFO tls reports the auto-reload interval} {
        kp_info_field [r info tls] tls_auto_reload_interval
    } {1}

    test {replaced certificate files are reloaded without a command} {
        assert_match {*CN=keyport server*} [autoreload_subject]
        autoreload_copy $pair keyport.crt keyport.key
        wait_for_condition 50 100 {
            [kp_info_field [r info tls] tls_auto_reloads] >= 1
        } else {
            fail "the changed files were not reloaded"
        }
        assert_match {*CN=keyport generic*} [autoreload_subject]
        assert_match {*TLS files of listener * changed: reloaded*} [kp_server_log]
    }

    test {a broken replacement is refused and the old certificate stays} {
        # The key of another pair: the certificate and key no longer match.
        file copy -force [kp_tls_file client.key] $pair.key.tmp
        file rename -force $pair.key.tmp $pair.key
        wait_for_condition 50 100 {
            [kp_info_field [r info tls] tls_auto_reload_failures] >= 1
        } else {
            fail "the broken files were not noticed"
        }
        assert_match {*cannot be loaded, the previous certificates stay in use*} [kp_server_log]
        assert_match {*CN=keyport generic*} [autoreload_subject]
    }

    test {connections opened before the reloads keep working} {
        $live get k
    } {v}

    test {CONFIG SET tls-auto-reload-interval 0 stops watching} {
        r config set tls-auto-reload-interval 0
        set before [kp_info_field [r info tls] tls_auto_reloads]
        autoreload_copy $pair server.crt server.key
        after 1500
        assert_equal $before [kp_info_field [r info tls] tls_auto_reloads]
        assert_match {*CN=keyport generic*} [autoreload_subject]
    }
    $live close
}
file delete -force $pair.crt $pair.key

}
