# CONFIG SET of tls-* directives: atomic reload (new context built first),
# failures keep the old context and say why, live connections keep working.
source [file join $::kp::root tests helpers tls.tcl]

# Subject of the certificate a new connection to the innermost server sees.
proc tls_server_subject {} {
    set fd [kp_connect]
    set st [tls::status $fd]
    kp_io_close $fd
    return [dict get $st subject]
}

proc tls_copy_pair {name cert key} {
    file copy -force [kp_tls_file $cert] [file join [kp_tmp_dir] $name.crt]
    file copy -force [kp_tls_file $key] [file join [kp_tmp_dir] $name.key]
}

tags {tls} {

start_server {} {
    test {CONFIG SET tls-cert-file/tls-key-file switches the certificate} {
        assert_match {*CN=keyport server*} [tls_server_subject]
        r config set tls-cert-file [kp_tls_file keyport.crt] tls-key-file [kp_tls_file keyport.key]
        assert_match {*CN=keyport generic*} [tls_server_subject]
    }

    test {the connection that issued the reload keeps working} {
        r ping
    } {PONG}

    test {CONFIG GET returns the new file} {
        lindex [r config get tls-cert-file] 1
    } [kp_tls_file keyport.crt]
}

start_server {} {
    set pair [file join [kp_tmp_dir] reload-[pid]]
    tls_copy_pair reload-[pid] server.crt server.key
    r config set tls-cert-file $pair.crt tls-key-file $pair.key

    test {CONFIG SET with the same path reloads the file's new content} {
        assert_match {*CN=keyport server*} [tls_server_subject]
        tls_copy_pair reload-[pid] keyport.crt keyport.key
        r config set tls-cert-file $pair.crt
        assert_match {*CN=keyport generic*} [tls_server_subject]
    }
    file delete -force $pair.crt $pair.key
}

start_server {tags {keyport}} {
    set live [kp_client]
    $live set k v

    test {reload failure: expired certificate, old context stays} {
        assert_error {*expired on 2020-01-02*} {
            r config set tls-cert-file [kp_tls_file expired.crt] tls-key-file [kp_tls_file expired.key]
        }
        assert_match {*CN=keyport server*} [tls_server_subject]
        lindex [r config get tls-cert-file] 1
    } [kp_tls_file server_cert]

    test {reload failure: key does not match the certificate} {
        assert_error {*does not match*} {
            r config set tls-key-file [kp_tls_file client.key]
        }
        tls_ping
    } {PONG}

    test {reload failure: unreadable file} {
        assert_error {*cannot open: No such file or directory*} {
            r config set tls-cert-file /nonexistent/x.crt
        }
        tls_ping
    } {PONG}

    test {reload failure: wrong key password, then the right one succeeds} {
        assert_error {*wrong tls-key-file-pass*} {
            r config set tls-cert-file [kp_tls_file keyport.crt] \
                tls-key-file [kp_tls_file keyport-enc.key] tls-key-file-pass nope
        }
        assert_match {*CN=keyport server*} [tls_server_subject]
        r config set tls-cert-file [kp_tls_file keyport.crt] \
            tls-key-file [kp_tls_file keyport-enc.key] tls-key-file-pass keyport-test-password
        assert_match {*CN=keyport generic*} [tls_server_subject]
    }

    test {reload failure: a CA is needed to verify clients} {
        assert_error {*needs tls-ca-cert-file or tls-ca-cert-dir*} {
            r config set tls-ca-cert-file ""
        }
        tls_ping
    } {PONG}

    test {a connection opened before the reloads still works} {
        $live get k
    } {v}

    test {CONFIG SET tls-auth-clients applies to new connections} {
        assert_match {refused:*} [tls_ping -certfile "" -keyfile ""]
        r config set tls-auth-clients no
        assert_equal [tls_ping -certfile "" -keyfile ""] PONG
        r config set tls-auth-clients yes
        assert_match {refused:*} [tls_ping -certfile "" -keyfile ""]
    }

    test {CONFIG SET tls-protocols applies to new connections} {
        r config set tls-protocols TLSv1.2
        assert_match {refused:*} [tls_ping -tlsoptions {-tls1.2 0 -tls1.3 1}]
        r config set tls-protocols "TLSv1.2 TLSv1.3"
        tls_ping -tlsoptions {-tls1.2 0 -tls1.3 1}
    } {PONG}
    $live close
}

}
