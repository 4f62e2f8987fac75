# Plaintext clients on a TLS port, handshake timeout, INFO tls, interop with
# redis-cli, openssl s_client and Python, and large transfers.
source [file join $::kp::root tests helpers tls.tcl]

set plaintext_err "-ERR This port only accepts TLS connections; connect with TLS (e.g. redis-cli --tls)"

tags {tls} {

start_server {tags {keyport}} {
    test {a plaintext RESP client on a TLS port gets a readable error, then a close} {
        set fd [kp_connect -transport tcp -port [srv tls_port]]
        kp_io_write $fd "*1\r\n\$4\r\nPING\r\n"
        set line [kp_io_read_line $fd 5000]
        kp_io_wait_closed $fd 5000
        kp_io_close $fd
        string trimright $line "\r\n"
    } $plaintext_err

    test {a plaintext inline command gets the same error} {
        set fd [kp_connect -transport tcp -port [srv tls_port]]
        kp_io_write $fd "PING\r\n"
        set line [kp_io_read_line $fd 5000]
        kp_io_close $fd
        string trimright $line "\r\n"
    } $plaintext_err

    test {redis-cli without --tls shows the error} {
        catch {exec [kp_redis_cli] -h 127.0.0.1 -p [srv tls_port] ping 2>@1} out
        assert_match {*This port only accepts TLS connections*} $out
    } {} {needs:redis-cli}

    test {plaintext clients count as failed handshakes} {
        assert_match {*tls_listener*_handshakes_failed:[1-9]*} [r info tls]
    }

    test {INFO tls describes the listener and its certificate} {
        set info [r info tls]
        assert_match "*tls_listener*_transport:[tls_transport]*" $info
        assert_match {*tls_listener*_cert_subject:CN=keyport server,O=keyport test*} $info
        assert_match {*tls_listener*_cert_serial:*} $info
        assert_match {*tls_listener*_cert_not_after:*UTC*} $info
        assert_match {*tls_listener*_handshakes_completed:[1-9]*} $info
        regexp {cert_expires_in_seconds:(-?\d+)} $info -> left
        assert_morethan $left 86400
    }
}

start_server {tags {keyport} overrides {tls-handshake-timeout 300}} {
    test {tls-handshake-timeout closes a client that never starts the handshake} {
        set fd [kp_connect -transport tcp -port [srv tls_port]]
        set start [clock milliseconds]
        kp_io_wait_closed $fd 5000
        kp_io_close $fd
        assert_range [expr {[clock milliseconds] - $start}] 200 3000
    }

    test {tls-handshake-timeout closes a client stuck in the middle of it} {
        set fd [kp_connect -transport tcp -port [srv tls_port]]
        kp_io_write $fd "\x16\x03\x01\x02\x00\x01"
        kp_io_wait_closed $fd 5000
        kp_io_close $fd
    }

    test {clients that complete the handshake are not affected} {
        set c [kp_client]
        after 600
        set v [$c ping]
        $c close
        set v
    } {PONG}
}

start_server {tags {keyport} overrides {max-new-tls-connections-per-cycle 1}} {
    test {a burst of 64 concurrent handshakes all complete (accept throttling)} {
        tls_python [srv tls_port] {
import socket, ssl, sys, threading
port, d = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=d + "/ca.crt")
ctx.load_cert_chain(d + "/client.crt", d + "/client.key")
ok = []
def one():
    t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20),
                        server_hostname="localhost")
    t.sendall(b"*1\r\n$4\r\nPING\r\n")
    if t.recv(100) == b"+PONG\r\n":
        ok.append(1)
    t.close()
threads = [threading.Thread(target=one) for _ in range(64)]
for th in threads: th.start()
for th in threads: th.join()
print(len(ok))
}
    } {64}
}

start_server {} {
    test {redis-cli --tls with a client certificate} {
        string trim [tls_cli [srv tls_port] ping]
    } {PONG} {needs:redis-cli}

    test {redis-cli --tls trusting another CA fails} {
        assert_match {*verify*} [tls_cli [srv tls_port] --cacert [kp_tls_file other-ca.crt] ping]
    } {} {needs:redis-cli}

    test {openssl s_client, TLS 1.2 and TLS 1.3} {
        assert_match {*Protocol version: TLSv1.2*} [tls_s_client [srv tls_port] -tls1_2]
        assert_match {*Protocol version: TLSv1.3*} [tls_s_client [srv tls_port] -tls1_3]
    }

    test {Python ssl client} {
        tls_python [srv tls_port] {
import socket, ssl, sys
port, d = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=d + "/ca.crt")
ctx.load_cert_chain(d + "/client.crt", d + "/client.key")
t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
t.sendall(b"*3\r\n$3\r\nSET\r\n$2\r\npy\r\n$2\r\nok\r\n*2\r\n$3\r\nGET\r\n$2\r\npy\r\n")
buf = b""
while buf.count(b"\r\n") < 3:
    buf += t.recv(100)
print(buf.decode().replace("\r\n", " ").strip())
}
    } {+OK $2 ok}

    test {a 16 MB value in both directions} {
        set v [string repeat "0123456789abcdef" 1048576]
        r set big $v
        assert_equal [string length [r get big]] 16777216
        assert_equal [r get big] $v
    }

    test {pipelined large replies to a slow reader (partial writes)} {
        r set big [string repeat x 1000000]
        tls_python [srv tls_port] {
import socket, ssl, sys, time
port, d = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=d + "/ca.crt")
ctx.load_cert_chain(d + "/client.crt", d + "/client.key")
t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
t.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 3 + b"*1\r\n$4\r\nPING\r\n")
time.sleep(0.3)
buf = b""
while not buf.endswith(b"+PONG\r\n"):
    d2 = t.recv(5000)
    if not d2:
        break
    buf += d2
print(len(buf), buf.count(b"$1000000\r\n"))
}
    } {3000043 3}

    test {a pipeline of 10000 commands} {
        set cmds {}
        for {set i 0} {$i < 10000} {incr i} { lappend cmds [list set k$i $i] }
        set res [[srv client] pipeline $cmds]
        assert_equal [llength $res] 10000
        r get k9999
    } {9999}
}

}
