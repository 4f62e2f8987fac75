# What only the GnuTLS transport has to get right: the mapping of the
# OpenSSL-style directives onto GnuTLS priorities (tls-ciphers semantics,
# the separate TLS 1.2 and 1.3 cipher choices, refusals), the native
# tls-gnutls-priority directive, and its own session-ID cache bound.
# docs/tls-gnutls.md describes the mapping. Runs with either TLS
# --transport; the servers here are always gnutls ones.
source [file join $::kp::root tests helpers tls.tcl]

proc gnutls_info {field} {
    return [kp_info_field [r info tls] "tls_listener0_$field"]
}

tags {tls keyport needs:gnutls} {

start_server {transport gnutls overrides {tls-auth-clients no tls-ciphers ECDHE-ECDSA-AES128-GCM-SHA256}} {
    test {tls-ciphers restricts TLS 1.2 only: TLS 1.3 keeps its default ciphersuites} {
        assert_match {*Protocol version: TLSv1.3*Ciphersuite: TLS_AES_256_GCM_SHA384*} \
            [tls_s_client [srv tls_port] -tls1_3]
    }

    test {tls-ciphers: TLS 1.2 negotiates exactly the listed suite} {
        assert_match {*Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256*} \
            [tls_s_client [srv tls_port] -tls1_2]
    }

    test {tls-ciphers: a TLS 1.2 client offering only a TLS 1.3 cipher's 1.2 suite is refused} {
        # AES-256-GCM is enabled for TLS 1.3; it must not leak into TLS 1.2.
        set out [tls_s_client [srv tls_port] -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384]
        assert_no_match {*Ciphersuite:*} $out
        assert_equal [r ping] PONG
    }

    test {INFO tls shows the priority string in effect} {
        assert_match {NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:*+AES-128-GCM*} \
            [gnutls_info gnutls_priority]
    }

    test {tls-ciphers that GnuTLS cannot enable exactly is refused, old context kept} {
        assert_error {*tls-ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384' cannot be honoured by the gnutls transport*would add 2 suites the list excludes (DHE-RSA-AES128-GCM-SHA256, ECDHE-ECDSA-AES256-GCM-SHA384)*} {
            r config set tls-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384
        }
        assert_match {*Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256*} \
            [tls_s_client [srv tls_port] -tls1_2]
    }

    test {tls-ciphers with OpenSSL aliases, order and @SECLEVEL} {
        r config set tls-ciphers {ECDHE+CHACHA20:ECDHE+AESGCM:@SECLEVEL=2} \
            tls-prefer-server-ciphers yes
        set prio [gnutls_info gnutls_priority]
        assert_match {*-CIPHER-ALL:+CHACHA20-POLY1305:+AES-256-GCM:+AES-128-GCM*} $prio
        assert_match {*%SERVER_PRECEDENCE:%PROFILE_MEDIUM*} $prio
        assert_match {*Ciphersuite: ECDHE-ECDSA-CHACHA20-POLY1305*} \
            [tls_s_client [srv tls_port] -tls1_2]
    }

    test {tls-ciphers: a list selecting nothing is refused with the OpenSSL transport's text} {
        assert_error {*tls-ciphers: no usable cipher in 'NOSUCHCIPHER'*} {
            r config set tls-ciphers NOSUCHCIPHER
        }
        wait_for_log {*tls-ciphers: 'NOSUCHCIPHER' names no cipher suite*}
    }

    test {tls-ciphers: SUITEB modes cannot be honoured and say so} {
        assert_error {*tls-ciphers: 'SUITEB128' is not supported by the gnutls transport (use tls-gnutls-priority)*} {
            r config set tls-ciphers SUITEB128
        }
    }
}

start_server {transport gnutls overrides {tls-auth-clients no tls-protocols TLSv1.3 tls-gnutls-priority "NORMAL:-VERS-ALL:+VERS-TLS1.2:%SERVER_PRECEDENCE"}} {
    test {tls-gnutls-priority is used verbatim and wins over tls-protocols} {
        assert_match {*Protocol version: TLSv1.2*} [tls_s_client [srv tls_port]]
        assert_equal [gnutls_info protocols] TLSv1.2
        assert_equal [gnutls_info gnutls_priority] {NORMAL:-VERS-ALL:+VERS-TLS1.2:%SERVER_PRECEDENCE}
        wait_for_log {*tls-gnutls-priority is set: tls-protocols not used by this context*}
    }

    test {CONFIG SET tls-gnutls-priority: a string GnuTLS refuses keeps the old context} {
        assert_error {*tls-gnutls-priority: GnuTLS refuses priority 'NORMAL:+NOSUCH' at +NOSUCH*} {
            r config set tls-gnutls-priority NORMAL:+NOSUCH
        }
        assert_match {*Protocol version: TLSv1.2*} [tls_s_client [srv tls_port]]
    }

    test {CONFIG SET tls-gnutls-priority "" returns to the Redis-style directives} {
        r config set tls-gnutls-priority ""
        assert_match {*Protocol version: TLSv1.3*} [tls_s_client [srv tls_port]]
        assert_equal [gnutls_info protocols] TLSv1.3
    }
}

start_server {transport gnutls overrides {tls-session-cache-size 1}} {
    test {tls-session-cache-size bounds the TLS 1.2 session-ID cache} {
        # Without tickets a TLS 1.2 client resumes through the server's cache;
        # with room for one session, a second client's session evicts the first.
        tls_python [srv tls_port] {
import socket, ssl, sys
port, d = int(sys.argv[1]), sys.argv[2]
def ctx():
    c = ssl.create_default_context(cafile=d + "/ca.crt")
    c.load_cert_chain(d + "/client.crt", d + "/client.key")
    c.maximum_version = ssl.TLSVersion.TLSv1_2
    c.options |= ssl.OP_NO_TICKET
    return c
def connect(c, sess=None):
    t = c.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                      server_hostname="localhost", session=sess)
    t.sendall(b"PING\r\n")
    assert t.recv(100) == b"+PONG\r\n"
    r, s = t.session_reused, t.session
    t.close()
    return r, s
a, b = ctx(), ctx()
_, sa = connect(a)
ra, _ = connect(a, sa)
assert ra, "a session in the cache is resumed"
_, sb = connect(b)
ra2, _ = connect(a, sa)
assert not ra2, "the first session was evicted"
print("ok")
}
    } {ok}
}

}
