# Interoperability matrix between keyport's two TLS transports and the
# TLS clients of the other library: every server transport (openssl,
# gnutls) x TLS 1.2 and 1.3 x client (gnutls-cli, openssl s_client,
# Debian's redis-cli --tls, Python's ssl) x with and without a client
# certificate. Each client sends CLIENT INFO and QUIT; the reply must show
# the server transport, the negotiated version and, exactly when the client
# presented its certificate, the verified peer subject. Then one server
# loads both transports, on two ports with different certificates.
# Clients that are not installed are skipped.
source [file join $::kp::root tests helpers tls.tcl]

# Runs argv with input on stdin (kept open, so that tools which quit on
# stdin EOF still read the whole reply) and returns stdout+stderr once the
# tool exits; the QUIT in input makes the server close the connection.
proc interop_run {argv input} {
    set f [open |[list timeout 10 {*}$argv 2>@1] r+]
    fconfigure $f -translation binary
    puts -nonewline $f $input
    flush $f
    set out [read $f]
    catch {close $f}
    return $out
}

proc interop_have {tool} {
    if {[auto_execok $tool] eq ""} { kp_skip "$tool not installed" }
}

# One client run against port with TLS version v (1.2 or 1.3), presenting
# the test client certificate when cert is 1. Returns the tool's output,
# which contains the CLIENT INFO reply.
proc interop_client {client port v cert} {
    set ca [kp_tls_file ca]
    set crt [kp_tls_file client_cert]
    set key [kp_tls_file client_key]
    set input "CLIENT INFO\r\nQUIT\r\n"
    switch -- $client {
        gnutls-cli {
            interop_have gnutls-cli
            set argv [list gnutls-cli --port $port --x509cafile $ca \
                          --priority "NORMAL:-VERS-ALL:+VERS-TLS$v"]
            if {$cert} { lappend argv --x509certfile $crt --x509keyfile $key }
            return [interop_run [list {*}$argv localhost] $input]
        }
        s_client {
            interop_have openssl
            set argv [list openssl s_client -connect 127.0.0.1:$port -CAfile $ca \
                          -verify_return_error -tls[string map {. _} $v]]
            if {$cert} { lappend argv -cert $crt -key $key }
            return [interop_run $argv $input]
        }
        redis-cli {
            if {[kp_redis_cli] eq ""} { kp_skip "redis-cli not installed" }
            # redis-cli cannot choose the version: the server allows only v.
            set argv [list [kp_redis_cli] -h 127.0.0.1 -p $port --tls --cacert $ca]
            if {$cert} { lappend argv --cert $crt --key $key }
            catch {exec {*}$argv client info 2>@1} out
            return $out
        }
        python {
            set script [string map [list @V@ [string map {. _} $v] @CERT@ $cert] {
import socket, ssl, sys
port, d = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=d + "/ca.crt")
if @CERT@:
    ctx.load_cert_chain(d + "/client.crt", d + "/client.key")
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv@V@
t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
t.sendall(b"CLIENT INFO\r\nQUIT\r\n")
buf = b""
while True:
    chunk = t.recv(4096)
    if not chunk:
        break
    buf += chunk
print(buf.decode(errors="replace"))
}]
            return [tls_python $port $script]
        }
    }
    error "unknown client $client"
}

# Checks one client's CLIENT INFO reply.
proc interop_check {out transport v cert} {
    assert_match "*transport=$transport tls-version=TLSv$v *" $out
    if {$cert} {
        assert_match "*tls-peer-subject=CN=alice*" $out
    } else {
        assert_no_match "*tls-peer-subject=*" $out
    }
}

tags {tls keyport needs:openssl needs:gnutls} {

foreach transport {openssl gnutls} {
    foreach v {1.2 1.3} {
        start_server [list transport $transport \
                          overrides [list tls-protocols TLSv$v tls-auth-clients optional]] {
            foreach client {gnutls-cli s_client redis-cli python} {
                foreach cert {1 0} {
                    set with [expr {$cert ? "with" : "without"}]
                    test "$transport server, TLS $v, $client $with a client certificate" {
                        interop_check [interop_client $client [srv tls_port] $v $cert] \
                            $transport $v $cert
                    }
                }
            }

            test "$transport server, TLS $v: a client certificate from another CA is refused" {
                interop_have openssl
                set out [interop_run [list openssl s_client -connect 127.0.0.1:[srv tls_port] \
                                          -CAfile [kp_tls_file ca] -tls[string map {. _} $v] \
                                          -cert [kp_tls_file other.crt] \
                                          -key [kp_tls_file other.key]] "CLIENT INFO\r\n"]
                assert_no_match "*transport=$transport*" $out
                assert_equal [r ping] PONG
            }

            if {$v eq "1.2"} {
                test "$transport server, TLS 1.2: a client's renegotiation is refused" {
                    interop_have openssl
                    # s_client renegotiates on a line "R" and stops at the
                    # server's no_renegotiation alert.
                    set out [interop_run [list openssl s_client -connect \
                                              127.0.0.1:[srv tls_port] -CAfile [kp_tls_file ca] \
                                              -tls1_2] "R\n"]
                    assert_match "*RENEGOTIATING*no renegotiation*" $out
                    assert_equal [r ping] PONG
                }
            }
        }
    }
}

# One server, both transports, each port with its own certificate: the
# gnutls port presents the server certificate, the openssl port the generic
# one. Clients of both libraries talk to both ports.
set ossl_port [kp_find_available_port]
start_server [list transport gnutls overrides {tls-auth-clients optional} \
                  config_lines [list "loadtransport openssl" \
    "listen openssl $ossl_port bind 127.0.0.1 tls-cert-file [kp_tls_file keyport.crt] tls-key-file [kp_tls_file keyport.key] tls-auth-clients optional"]] {
    test {both transports in one server present their own certificates} {
        set info [r info tls]
        assert_match "*transport:gnutls*cert_subject:CN=keyport server,O=keyport test*" $info
        assert_match "*transport:openssl*cert_subject:CN=keyport generic,O=keyport test*" $info
    }

    test {gnutls-cli and s_client on the gnutls port of a two-transport server} {
        interop_have gnutls-cli
        interop_have openssl
        set out [interop_client gnutls-cli [srv tls_port] 1.3 1]
        assert_match "*subject `CN=keyport server,O=keyport test'*" $out
        interop_check $out gnutls 1.3 1
        set out [interop_client s_client [srv tls_port] 1.2 0]
        assert_match "*subject=*CN = keyport server*" $out
        interop_check $out gnutls 1.2 0
    }

    test {gnutls-cli and s_client on the openssl port of a two-transport server} {
        interop_have gnutls-cli
        interop_have openssl
        set out [interop_client gnutls-cli $ossl_port 1.2 1]
        assert_match "*subject `CN=keyport generic,O=keyport test'*" $out
        interop_check $out openssl 1.2 1
        set out [interop_client s_client $ossl_port 1.3 0]
        assert_match "*subject=*CN = keyport generic*" $out
        interop_check $out openssl 1.3 0
    }

    test {redis-cli and Python on both ports of a two-transport server} {
        interop_check [interop_client redis-cli [srv tls_port] 1.3 1] gnutls 1.3 1
        interop_check [interop_client redis-cli $ossl_port 1.3 1] openssl 1.3 1
        interop_check [interop_client python [srv tls_port] 1.2 0] gnutls 1.2 0
        interop_check [interop_client python $ossl_port 1.2 1] openssl 1.2 1
    }
}

}
