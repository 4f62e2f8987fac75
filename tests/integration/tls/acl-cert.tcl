# Certificate logins (tls-auth-clients-user CN|URI|off): a client whose
# verified certificate names an existing, enabled user is that user from
# the first command, without AUTH. Runs over the transport of the run
# (--transport openssl or gnutls).
#
# Test certificates: client.crt has CN "alice" and the SAN URI
# "urn:keyport:user:alice"; keyport.crt has CN "keyport generic" and no URI.
source [file join $::kp::root tests helpers tls.tcl]

# Test certificates exist only in TLS runs; this file sets them up outside
# test bodies, so it ends here in plaintext runs.
if {[kp_tls_transport] eq ""} { return }

tags {tls keyport} {

proc generic_cert {} {
    return [list -certfile [kp_tls_file keyport.crt] -keyfile [kp_tls_file keyport.key]]
}

# A new connection (options as kp_client's) and its ACL WHOAMI.
proc whoami {args} {
    set c [kp_client {*}$args]
    set who [$c acl whoami]
    $c close
    return $who
}

proc stat {name} {
    return [kp_info_field [r info stats] $name]
}

start_server {overrides {tls-auth-clients-user CN}} {
    test {CN: the certificate's common name names the user} {
        r acl setuser alice on >unused ~alice:* +@all
        set c [kp_client]
        assert_equal [$c acl whoami] alice
        assert_equal [$c set alice:1 v] OK
        assert_equal [catch {$c set other v} e] 1
        assert_match {NOPERM*} $e
        set id [$c client id]
        assert_equal [dict get [kp_client_fields [r client list id $id]] user] alice
        $c close
        assert_equal [stat tls_cert_logins] 1
        assert_equal [stat tls_cert_login_failures] 0
    }

    test {CN: a certificate naming no user leaves the client as default} {
        assert_equal [whoami {*}[generic_cert]] default
        stat tls_cert_logins
    } {1}

    test {CN: a certificate naming a disabled user is refused and logged} {
        r acl log reset
        r acl setuser alice off
        assert_equal [whoami] default
        assert_equal [stat tls_cert_login_failures] 1
        set e [lindex [r acl log] 0]
        assert_equal [dict get $e reason] tls-cert
        assert_equal [dict get $e username] alice
        assert_equal [dict get $e object] CN
        assert_equal [dict get $e context] toplevel
        r acl setuser alice on
        assert_equal [whoami] alice
    }

    test {CN: a logged-in user still runs under its rules, and AUTH can switch} {
        r acl setuser bob on >bobpw +@all ~*
        set c [kp_client]
        assert_equal [$c acl whoami] alice
        assert_equal [$c auth bob bobpw] OK
        assert_equal [$c acl whoami] bob
        $c close
    }

    test {CN: deleting the user disconnects its certificate clients} {
        set c [kp_client]
        assert_equal [$c acl whoami] alice
        r acl deluser alice
        wait_for {[catch {$c ping}]} 5000 "client of a deleted user still connected"
        $c close
        whoami
    } {default}

    test {INFO stats show the certificate login counters; CONFIG RESETSTAT clears them} {
        r config resetstat
        list [stat tls_cert_logins] [stat tls_cert_login_failures]
    } {0 0}
}

start_server {overrides {tls-auth-clients-user URI}} {
    test {URI: the first subjectAltName URI names the user} {
        r acl setuser urn:keyport:user:alice on nopass +@all
        r acl setuser alice on nopass +@all
        assert_equal [whoami] urn:keyport:user:alice
        # No URI in the certificate: no login.
        assert_equal [whoami {*}[generic_cert]] default
    }
}

start_server {overrides {tls-auth-clients-user off}} {
    test {off: certificates never log anyone in} {
        r acl setuser alice on nopass +@all
        whoami
    } {default}

    test {CONFIG SET tls-auth-clients-user applies to new connections} {
        r config set tls-auth-clients-user CN
        assert_equal [whoami] alice
        r config set tls-auth-clients-user off
        whoami
    } {default}
}

start_server {overrides {tls-auth-clients-user CN requirepass boot}} {
    test {A certificate login needs no password even when the default user has one} {
        set c [kp_client]
        $c auth boot
        $c acl setuser alice on >alicepw +@all ~*
        $c close
        set c [kp_client]
        assert_equal [$c ping] PONG
        assert_equal [$c acl whoami] alice
        $c close
        # A certificate naming no user gets NOAUTH as usual.
        set c [kp_client {*}[generic_cert]]
        assert_error {NOAUTH Authentication required.} {$c ping}
        $c close
    }
}

start_server {overrides {tls-auth-clients optional tls-auth-clients-user CN}} {
    test {A client without a certificate stays default} {
        r acl setuser alice on nopass +@all
        whoami -certfile "" -keyfile ""
    } {default}
}

set second [kp_find_available_port]
set lines [list "listen [tls_transport] $second bind 127.0.0.1 [tls_listen_keys tls-auth-clients-user CN]"]
start_server [list config_lines $lines] {
    test {tls-auth-clients-user per listener} {
        r acl setuser alice on nopass +@all
        # The tls-port listener keeps the global default (off).
        assert_equal [whoami] default
        assert_equal [whoami -port $second] alice
    }
}

}
