# What is refused when a TLS context is built at startup, with the reason:
# expired and not-yet-valid certificates, key/certificate mismatch,
# unreadable files, encrypted keys without or with a wrong password.
source [file join $::kp::root tests helpers tls.tcl]

# Runs the server with a TLS port and the given tls-* directives (a flat
# list); returns {status output}.
proc tls_startup {directives} {
    set argv [list --loadtransport [tls_transport] --tls-transport [tls_transport] \
                  --port 0 --bind 127.0.0.1 --tls-port [kp_find_available_port] \
                  --tls-auth-clients no --dir [kp_tmp_dir]]
    foreach {k v} $directives { lappend argv --$k $v }
    set r [kp_exec_server $argv 5000]
    return [list [dict get $r status] [dict get $r output]]
}

tags {tls keyport} {

test {an expired server certificate is refused at startup, with its dates} {
    lassign [tls_startup [list tls-cert-file [kp_tls_file expired.crt] \
                              tls-key-file [kp_tls_file expired.key]]] status out
    assert_not_equal $status 0
    assert_not_equal $status timeout
    assert_match "*tls-cert-file '[kp_tls_file expired.crt]'*expired on 2020-01-02 00:00:00 UTC*" $out
}

test {a not-yet-valid server certificate is refused at startup, with its dates} {
    lassign [tls_startup [list tls-cert-file [kp_tls_file future.crt] \
                              tls-key-file [kp_tls_file future.key]]] status out
    assert_not_equal $status 0
    assert_match {*not valid before 2090-01-01 00:00:00 UTC*} $out
}

test {a key that does not match the certificate is refused} {
    lassign [tls_startup [list tls-cert-file [kp_tls_file server.crt] \
                              tls-key-file [kp_tls_file client.key]]] status out
    assert_not_equal $status 0
    assert_match "*tls-key-file '[kp_tls_file client.key]' does not match tls-cert-file*" $out
}

test {an unreadable certificate file is refused with the path and the reason} {
    lassign [tls_startup [list tls-cert-file /nonexistent/keyport.crt \
                              tls-key-file [kp_tls_file server.key]]] status out
    assert_not_equal $status 0
    assert_match {*tls-cert-file '/nonexistent/keyport.crt': cannot open: No such file or directory*} $out
}

test {an encrypted key without tls-key-file-pass is refused} {
    lassign [tls_startup [list tls-cert-file [kp_tls_file keyport.crt] \
                              tls-key-file [kp_tls_file keyport-enc.key]]] status out
    assert_not_equal $status 0
    assert_match {*the key is encrypted; set tls-key-file-pass*} $out
}

test {an encrypted key with a wrong password is refused} {
    lassign [tls_startup [list tls-cert-file [kp_tls_file keyport.crt] \
                              tls-key-file [kp_tls_file keyport-enc.key] \
                              tls-key-file-pass wrong-password]] status out
    assert_not_equal $status 0
    assert_match {*cannot decrypt the key: wrong tls-key-file-pass*} $out
}

test {tls-auth-clients yes without a CA is refused} {
    set argv [list --loadtransport [tls_transport] --port 0 --bind 127.0.0.1 \
                  --tls-port [kp_find_available_port] --dir [kp_tmp_dir] \
                  --tls-cert-file [kp_tls_file server_cert] --tls-key-file [kp_tls_file server_key]]
    set r [kp_exec_server $argv 5000]
    assert_not_equal [dict get $r status] 0
    assert_match {*needs tls-ca-cert-file or tls-ca-cert-dir*} [dict get $r output]
}

test {a bad tls-protocols value is refused, naming the value} {
    lassign [tls_startup [list tls-cert-file [kp_tls_file server_cert] \
                              tls-key-file [kp_tls_file server_key] tls-protocols "TLSv1.2 SSLv3"]] \
        status out
    assert_not_equal $status 0
    assert_match {*unknown protocol 'SSLv3'*} $out
}

test {an expiring certificate loads, with a warning in the log} {
    set h [kp_spawn_server [list --loadtransport [tls_transport] --port 0 --bind 127.0.0.1 \
                                --tls-port [kp_find_available_port] --tls-auth-clients no \
                                --dir [kp_tmp_dir] --tls-cert-file [kp_tls_file soon.crt] \
                                --tls-key-file [kp_tls_file soon.key]]]
    wait_for {[string match {*certificate expires on*} [kp_spawned_output $h]]} 5000 \
        "no expiry warning in: [kp_spawned_output $h]"
    set r [kp_stop_spawned $h]
    assert_no_match {*certificate expired*} [dict get $r output]
}

}

tags {tls} {

start_server [list overrides [list tls-cert-file [kp_tls_file keyport.crt] \
                                  tls-key-file [kp_tls_file keyport-enc.key] \
                                  tls-key-file-pass keyport-test-password]] {
    test {an encrypted key with the right tls-key-file-pass serves clients} {
        tls_ping
    } {PONG}
}

start_server [list overrides [list tls-cert-file [kp_tls_file keyport.crt] \
                                  tls-key-file [kp_tls_file keyport.key]]] {
    test {a generic certificate (serverAuth and clientAuth) serves clients} {
        tls_ping
    } {PONG}
}

}
