# Listeners of every kind in one server, each TLS listener with its own
# configuration (listen TRANSPORT PORT|PATH key value ...).
source [file join $::kp::root tests helpers tls.tcl]

tags {tls keyport} {

set tcp_port [kp_find_available_port]
set tls2_port [kp_find_available_port]
set plain_sock [kp_tmp_path plain.sock]
set tls_sock [kp_tmp_path tls.sock]
set t [tls_transport]
set lines [list \
    "listen tcp $tcp_port bind 127.0.0.1" \
    "listen unix $plain_sock unixsocketperm 700" \
    "listen $t $tls2_port bind 127.0.0.1 tls-auth-clients no tls-cert-file [kp_tls_file keyport.crt] tls-key-file [kp_tls_file keyport.key]" \
    "listen $t $tls_sock tls-auth-clients no"]

start_server [list config_lines $lines] {
    test {plain TCP listener} {
        set c [kp_client -transport tcp -port $tcp_port]
        set v [$c ping]
        $c close
        set v
    } {PONG}

    test {unix socket listener} {
        set c [kp_client -transport unix -path $plain_sock]
        set v [$c ping]
        $c close
        set v
    } {PONG}

    test {tls-port listener requires a client certificate (global default)} {
        assert_equal [tls_ping] PONG
        assert_match {refused:*} [tls_ping -certfile "" -keyfile ""]
    }

    test {second TLS listener: its own tls-auth-clients and certificate} {
        assert_equal [tls_ping -port $tls2_port -certfile "" -keyfile ""] PONG
        set fd [kp_connect -port $tls2_port]
        set subject [dict get [tls::status $fd] subject]
        kp_io_close $fd
        assert_match {*CN=keyport generic*} $subject
    }

    test {TLS over a unix socket} {
        tls_python $tls_sock {
import socket, ssl, sys
path, d = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=d + "/ca.crt")
s = socket.socket(socket.AF_UNIX)
s.connect(path)
t = ctx.wrap_socket(s, server_hostname="localhost")
t.sendall(b"*1\r\n$4\r\nPING\r\n")
print(t.recv(100).decode().strip(), t.version())
}
    } {+PONG TLSv1.3}

    test {the same key set on all listeners works across them} {
        r set shared 1
        set c [kp_client -transport tcp -port $tcp_port]
        set v [$c get shared]
        $c close
        set v
    } {1}

    test {INFO tls lists every TLS listener} {
        set info [r info tls]
        assert_equal [regexp -all {tls_listener\d+_transport:} $info] 3
        assert_match {*cert_subject:CN=keyport generic*} $info
        assert_match {*cert_subject:CN=keyport server*} $info
    }
}

set other [expr {$t eq "openssl" ? "gnutls" : "openssl"}]
start_server [list tags [list needs:$other] config_lines [list "loadtransport $other" \
    "listen $other $tls2_port bind 127.0.0.1 tls-auth-clients no"]] {
    test "both TLS transports in one server ($t and $other)" {
        assert_equal [tls_ping] PONG
        assert_equal [tls_ping -port $tls2_port -certfile "" -keyfile ""] PONG
        set info [r info tls]
        assert_match "*transport:$t*" $info
        assert_match "*transport:$other*" $info
    }
}

}
