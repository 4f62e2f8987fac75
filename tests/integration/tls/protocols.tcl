# Protocol, cipher and ciphersuite selection, DH parameters, and session
# resumption (tls-session-caching and its cache settings).
source [file join $::kp::root tests helpers tls.tcl]

tags {tls} {

start_server {overrides {tls-protocols TLSv1.2}} {
    test {tls-protocols TLSv1.2: TLS 1.2 is negotiated} {
        assert_match {*Protocol version: TLSv1.2*} [tls_s_client [srv tls_port]]
    }

    test {tls-protocols TLSv1.2: a TLS 1.3-only client is refused} {
        assert_match {refused:*} [tls_ping -tlsoptions {-tls1.2 0 -tls1.3 1}]
    }
}

start_server {overrides {tls-protocols "tlsv1.3"}} {
    test {tls-protocols is case-insensitive; TLSv1.3 only refuses TLS 1.2 clients} {
        assert_match {*Protocol version: TLSv1.3*} [tls_s_client [srv tls_port]]
        assert_match {refused:*} [tls_ping -tlsoptions {-tls1.2 1 -tls1.3 0}]
    }
}

start_server {overrides {tls-protocols {"TLSv1.2 TLSv1.3"}}} {
    test {the default protocol set negotiates TLS 1.3} {
        assert_match {*Protocol version: TLSv1.3*} [tls_s_client [srv tls_port]]
    }
}

start_server {overrides {tls-protocols TLSv1.2 tls-ciphers ECDHE-ECDSA-CHACHA20-POLY1305}} {
    test {tls-ciphers selects the TLS 1.2 cipher} {
        assert_match {*Ciphersuite: ECDHE-ECDSA-CHACHA20-POLY1305*} [tls_s_client [srv tls_port]]
    }

    test {tls-ciphers refuses a client offering none of them} {
        set out [tls_s_client [srv tls_port] -cipher ECDHE-ECDSA-AES128-GCM-SHA256]
        assert_no_match {*Ciphersuite:*} $out
    }
}

start_server {overrides {tls-protocols TLSv1.3 tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256}} {
    test {tls-ciphersuites selects the TLS 1.3 ciphersuite} {
        assert_match {*Ciphersuite: TLS_CHACHA20_POLY1305_SHA256*} [tls_s_client [srv tls_port]]
    }
}

set both ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256
set client_order ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305
start_server [list overrides [list tls-protocols TLSv1.2 tls-ciphers $both \
                                  tls-prefer-server-ciphers no]] {
    test {tls-prefer-server-ciphers no: the client's order wins} {
        assert_match {*Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256*} \
            [tls_s_client [srv tls_port] -cipher $client_order]
    }
}
start_server [list overrides [list tls-protocols TLSv1.2 tls-ciphers $both \
                                  tls-prefer-server-ciphers yes]] {
    test {tls-prefer-server-ciphers yes: the server's order wins} {
        assert_match {*Ciphersuite: ECDHE-ECDSA-CHACHA20-POLY1305*} \
            [tls_s_client [srv tls_port] -cipher $client_order]
    }
}

start_server [list overrides [list tls-dh-params-file [kp_tls_file dh.pem]]] {
    test {tls-dh-params-file: the server loads DH parameters and serves} {
        tls_ping
    } {PONG}
}

start_server {} {
    test {TLS 1.2 sessions are resumed (session cache)} {
        tls_resumption [srv tls_port] 1.2 3
    } {reused reused}

    test {TLS 1.3 sessions are resumed (tickets)} {
        tls_resumption [srv tls_port] 1.3 3
    } {reused reused}

    tags {keyport} {
        test {INFO tls counts resumed sessions} {
            assert_match {*tls_listener*_sessions_resumed:4*} [r info tls]
        }
    }
}

# keyport only: Redis 7.0 fails these handshakes ("session id context
# uninitialized") instead of doing a full one.
start_server {tags {keyport} overrides {tls-session-caching no}} {
    test {tls-session-caching no: TLS 1.2 sessions are not resumed} {
        tls_resumption [srv tls_port] 1.2 3
    } {full full}

    test {tls-session-caching no: TLS 1.3 sessions are not resumed} {
        tls_resumption [srv tls_port] 1.3 3
    } {full full}
}

start_server {overrides {tls-session-cache-timeout 1}} {
    test {tls-session-cache-timeout: an expired session is not resumed} {
        set port [srv tls_port]
        tls_python $port {
import socket, ssl, sys, time
port, d = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=d + "/ca.crt")
ctx.load_cert_chain(d + "/client.crt", d + "/client.key")
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
def conn(sess):
    t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                        server_hostname="localhost", session=sess)
    t.sendall(b"PING\r\n"); t.recv(100)
    return t
t = conn(None); s = t.session; t.close()
t = conn(s); assert t.session_reused; t.close()
time.sleep(2.2)
t = conn(s); print("reused" if t.session_reused else "full"); t.close()
}
    } {full}
}

}
