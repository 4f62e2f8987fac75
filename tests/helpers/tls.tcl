# Helpers for tests/integration/tls: connection attempts with chosen client
# files, and the external TLS clients (openssl s_client, Python's ssl,
# redis-cli) that check interoperability and what tcl-tls cannot do
# (session resumption, TLS 1.3 ciphersuite choice).

# The TLS transport under test: the run's --transport.
proc tls_transport {} { return [kp_tls_transport] }

# Tries a TLS connection to the innermost server (or -port P) and a PING.
# Returns "PONG", or "refused: <reason>" when the handshake or the first
# exchange failed (with TLS 1.3 a refused client certificate shows up only
# at the first read, as a close). Options are kp_connect's.
proc tls_ping {args} {
    if {[catch {kp_connect -timeout 5000 {*}$args} fd]} { return "refused: $fd" }
    set rc [catch {
        kp_io_write $fd "*1\r\n\$4\r\nPING\r\n" 5000
        kp_io_read_line $fd 5000
    } line]
    kp_io_close $fd
    if {$rc} { return "refused: $line" }
    return [string trimleft [string trimright $line "\r\n"] "+"]
}

# Runs openssl s_client against port with extra arguments; returns its
# output (stdout and stderr). stdin is one PING, then EOF.
proc tls_s_client {port args} {
    set argv [list openssl s_client -brief -connect 127.0.0.1:$port \
                  -CAfile [kp_tls_file ca] -cert [kp_tls_file client_cert] \
                  -key [kp_tls_file client_key] {*}$args]
    catch {exec -ignorestderr timeout 10 {*}$argv << "PING\r\n" 2>@1} out
    return $out
}

# Runs a Python snippet with port and the test certificate directory as
# sys.argv[1] and sys.argv[2]; returns its stdout (trimmed).
proc tls_python {port script} {
    set f [kp_tmp_path tls.py]
    set h [open $f w]
    puts $h $script
    close $h
    set rc [catch {exec [kp_python] $f $port [kp_tls_dir] 2>@1} out]
    file delete -force $f
    if {$rc} { error "python: $out" }
    return [string trim $out]
}

# Python: connects `count` times offering the previous session; prints
# "reused" or "full" per connection after the first, space separated.
# version: "1.2" or "1.3".
proc tls_resumption {port version count} {
    set v [expr {$version eq "1.2" ? "TLSv1_2" : "TLSv1_3"}]
    return [tls_python $port [string map [list @V@ $v @N@ $count] {
import socket, ssl, sys
port, d = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=d + "/ca.crt")
ctx.load_cert_chain(d + "/client.crt", d + "/client.key")
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.@V@
sess, out = None, []
for i in range(@N@):
    t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                        server_hostname="localhost", session=sess)
    t.sendall(b"*1\r\n$4\r\nPING\r\n")
    assert t.recv(100) == b"+PONG\r\n"
    if i:
        out.append("reused" if t.session_reused else "full")
    sess = t.session
    t.close()
print(" ".join(out))
}]]
}

# redis-cli over TLS with the test CA and client certificate (extra args
# may add or replace files); returns its output.
proc tls_cli {port args} {
    set argv [list [kp_redis_cli] -h 127.0.0.1 -p $port --tls --cacert [kp_tls_file ca] \
                  --cert [kp_tls_file client_cert] --key [kp_tls_file client_key] {*}$args]
    catch {exec {*}$argv 2>@1} out
    return $out
}

# The merged TLS keys for a listen line using the test server certificate.
proc tls_listen_keys {args} {
    return [list tls-cert-file [kp_tls_file server_cert] tls-key-file [kp_tls_file server_key] \
                tls-ca-cert-file [kp_tls_file ca] {*}$args]
}
