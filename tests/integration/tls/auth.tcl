# Client certificate modes (tls-auth-clients), wrong CAs, CA directories and
# the certificate identity (tls-auth-clients-user).
source [file join $::kp::root tests helpers tls.tcl]

tags {tls} {

start_server {} {
    test {auth yes: a client certificate signed by the CA is accepted} {
        tls_ping
    } {PONG}

    test {auth yes: a client-only certificate (clientAuth) is accepted} {
        tls_ping -certfile [kp_tls_file client.crt] -keyfile [kp_tls_file client.key]
    } {PONG}

    test {auth yes: a client without a certificate is refused} {
        assert_match {refused:*} [tls_ping -certfile "" -keyfile ""]
    }

    test {auth yes: a certificate signed by an unrelated CA is refused} {
        assert_match {refused:*} \
            [tls_ping -certfile [kp_tls_file other.crt] -keyfile [kp_tls_file other.key]]
    }

    test {a client trusting another CA rejects the server certificate} {
        assert_match {refused:*} [tls_ping -cafile [kp_tls_file other-ca.crt]]
    }

    test {the server keeps serving after refused handshakes} {
        r ping
    } {PONG}
}

start_server {overrides {tls-auth-clients no}} {
    test {auth no: a client without a certificate is accepted} {
        tls_ping -certfile "" -keyfile ""
    } {PONG}

    test {auth no: a certificate from an unrelated CA is not even asked for} {
        tls_ping -certfile [kp_tls_file other.crt] -keyfile [kp_tls_file other.key]
    } {PONG}
}

start_server {overrides {tls-auth-clients optional}} {
    test {auth optional: a client without a certificate is accepted} {
        tls_ping -certfile "" -keyfile ""
    } {PONG}

    test {auth optional: a valid client certificate is accepted} {
        tls_ping
    } {PONG}

    test {auth optional: an invalid client certificate is refused} {
        assert_match {refused:*} \
            [tls_ping -certfile [kp_tls_file other.crt] -keyfile [kp_tls_file other.key]]
    }
}

test {tls-ca-cert-dir alone verifies client certificates} {
    set dir [kp_tmp_path cadir]
    file mkdir $dir
    file copy [kp_tls_file ca] [file join $dir ca.pem]
    exec openssl rehash $dir
    start_server [list overrides [list tls-ca-cert-file "" tls-ca-cert-dir $dir]] {
        assert_equal [tls_ping] PONG
        assert_match {refused:*} \
            [tls_ping -certfile [kp_tls_file other.crt] -keyfile [kp_tls_file other.key]]
    }
    file delete -force $dir
}

start_server {tags {keyport}} {
    test {CLIENT INFO shows the verified peer certificate subject} {
        set info [r client info]
        assert_match "* transport=[tls_transport] *" $info
        assert_match {* tls-version=TLSv1.* tls-cipher=*} $info
        assert_match {* tls-peer-subject=CN=alice,O=keyport\\x20test*} $info
    }
}

start_server {tags {keyport} overrides {tls-auth-clients no}} {
    test {CLIENT INFO has no peer subject when no certificate was asked for} {
        set info [r client info]
        assert_match {* tls-version=TLSv1.*} $info
        assert_no_match {*tls-peer-subject*} $info
    }
}

start_server {tags {keyport} overrides {tls-auth-clients-user CN}} {
    test {tls-auth-clients-user CN logs a verified client in as its CN} {
        if {[catch {r acl setuser alice on nopass ~* &* +@all} err]} {
            kp_skip "ACL SETUSER not available yet: $err"
        }
        set c [kp_client]
        set who [$c acl whoami]
        $c close
        assert_equal $who alice
    }
}

start_server {tags {keyport} overrides {tls-auth-clients-user URI}} {
    test {tls-auth-clients-user URI uses the first SAN URI} {
        if {[catch {r acl setuser urn:keyport:user:alice on nopass ~* &* +@all} err]} {
            kp_skip "ACL SETUSER not available yet: $err"
        }
        set c [kp_client]
        set who [$c acl whoami]
        $c close
        assert_equal $who urn:keyport:user:alice
    }
}

}
