# Transport-aware connections and buffered, timeout-bounded I/O.
#
# Every byte a test sends to a server goes through a channel made by
# kp_connect, so that one test runs unchanged over tcp, unix (through
# unix_bridge.py, since Tcl has no unix sockets), openssl and gnutls (both
# through tcl-tls on the client side).
#
# Channels are binary and non-blocking. Reads wait in the event loop with a
# deadline, so a server that never answers fails the test instead of hanging
# the whole run. Bytes read ahead are kept per channel in ::kp::io::buf.

namespace eval ::kp::io {
    variable buf     ;# channel -> bytes read but not consumed
    variable waitvar ;# channel -> event flag for vwait
    variable default_timeout 10000
    array set buf {}
    array set waitvar {}
}

# Options of kp_connect (all optional):
#   -transport tcp|unix|openssl|gnutls   default: the run's --transport
#   -host H -port P                      tcp and TLS
#   -path P                              unix
#   -cafile F -certfile F -keyfile F     TLS client files ("" to omit one)
#   -tlsoptions {...}                    extra tls::socket options
#   -timeout MS                          connect and handshake deadline
#   -server LEVEL                        take host/port/path from that server
#                                        (default 0: the innermost one)
# Returns the channel. Errors: "connect ...: reason".
proc kp_connect {args} {
    set o [dict create -transport "" -host "" -port "" -path "" -timeout 10000 \
               -cafile "<default>" -certfile "<default>" -keyfile "<default>" \
               -tlsoptions {} -server 0]
    foreach {k v} $args {
        if {![dict exists $o $k]} { error "kp_connect: unknown option $k" }
        dict set o $k $v
    }
    set transport [dict get $o -transport]
    if {$transport eq ""} {
        if {[kp_server_level_exists [dict get $o -server]]} {
            set transport [srv [dict get $o -server] transport]
        } else {
            set transport $::kp::opt(transport)
        }
    }
    set host [dict get $o -host]
    if {$host eq ""} {
        set host [expr {[kp_server_level_exists [dict get $o -server]] ?
                        [srv [dict get $o -server] host] : "127.0.0.1"}]
    }
    switch -- $transport {
        tcp {
            set port [kp__connect_port $o port]
            if {[catch {socket $host $port} fd]} {
                error "connect tcp $host:$port: $fd"
            }
        }
        unix {
            set path [dict get $o -path]
            if {$path eq ""} { set path [srv [dict get $o -server] unixsocket] }
            set fd [kp__unix_connect $path]
        }
        openssl - gnutls - tls {
            set port [kp__connect_port $o tls_port]
            set fd [kp__tls_connect $host $port $o]
        }
        default { error "kp_connect: unknown transport '$transport'" }
    }
    fconfigure $fd -translation binary -blocking 0 -buffering none
    set ::kp::io::buf($fd) ""
    return $fd
}

proc kp__connect_port {o key} {
    set port [dict get $o -port]
    if {$port eq ""} { set port [srv [dict get $o -server] $key] }
    if {$port eq "" || $port == 0} { error "kp_connect: no port to connect to" }
    return $port
}

# Python to run the unix bridge with: Debian's first (python3-redis lives
# there), else whatever python3 PATH finds.
proc kp_python {} {
    if {[file executable /usr/bin/python3]} { return /usr/bin/python3 }
    set p [auto_execok python3]
    if {$p eq ""} { error "python3 is required for unix-socket clients" }
    return [lindex $p 0]
}

proc kp__unix_connect {path} {
    if {![file exists $path]} {
        error "connect unix $path: no such socket"
    }
    set bridge [file join $::kp::root tests support unix_bridge.py]
    lassign [chan pipe] status_r status_w
    if {[catch {open |[list [kp_python] -S $bridge $path 2>@ $status_w] r+} fd]} {
        close $status_r
        close $status_w
        error "connect unix $path: $fd"
    }
    close $status_w
    # The bridge says "ok" once connected, or why it could not connect.
    set n [gets $status_r line]
    close $status_r
    if {$line ne "ok"} {
        catch {close $fd}
        if {$n < 0} { set line "bridge exited" }
        error "connect unix $path: [regsub {^error: } $line {}]"
    }
    return $fd
}

# The TLS files a client presents by default: the client certificate made by
# utils/gen-test-certs.sh (see kp_tls_file).
proc kp__tls_connect {host port o} {
    package require tls
    set opts [list -require 1 -tls1 0 -tls1.1 0 -tls1.2 1 -tls1.3 1 -command kp__tls_callback]
    foreach {opt role} {-cafile ca -certfile client_cert -keyfile client_key} {
        set v [dict get $o $opt]
        if {$v eq "<default>"} { set v [kp_tls_file $role] }
        if {$v ne ""} { lappend opts $opt $v }
    }
    if {[dict get $o -cafile] eq ""} {
        # No CA: do not verify the server.
        set opts [lreplace $opts 1 1 0]
    }
    lappend opts {*}[dict get $o -tlsoptions]
    if {[catch {tls::socket {*}$opts $host $port} fd]} {
        error "connect tls $host:$port: $fd"
    }
    fconfigure $fd -translation binary -blocking 0 -buffering none
    set deadline [expr {[clock milliseconds] + [dict get $o -timeout]}]
    while 1 {
        if {[catch {tls::handshake $fd} done]} {
            catch {close $fd}
            error "connect tls $host:$port: handshake failed: $done"
        }
        if {$done} break
        if {![kp__wait $fd readable $deadline]} {
            catch {close $fd}
            error "connect tls $host:$port: handshake timed out"
        }
    }
    return $fd
}

# tcl-tls callback: keeps the verification result, and keeps tcl-tls from
# printing errors of connections the server closed (tests check those).
proc kp__tls_callback {option args} {
    if {$option eq "verify"} { return [lindex $args 3] }
    return 1
}

# Waits until fd is readable (or writable) or the deadline (ms clock) passes.
# Returns 1 if the event happened, 0 on timeout.
proc kp__wait {fd what deadline} {
    set ms [expr {$deadline - [clock milliseconds]}]
    if {$ms <= 0} { return 0 }
    set ::kp::io::waitvar($fd) ""
    fileevent $fd $what [list set ::kp::io::waitvar($fd) event]
    set timer [after $ms [list set ::kp::io::waitvar($fd) timeout]]
    vwait ::kp::io::waitvar($fd)
    after cancel $timer
    catch {fileevent $fd $what {}}
    return [expr {$::kp::io::waitvar($fd) eq "event"}]
}

# Reads what is available into the channel buffer, waiting up to the
# deadline for at least one byte. Errors "connection closed" at end of file
# and "timeout ..." at the deadline.
proc kp__fill {fd deadline} {
    while 1 {
        if {[catch {read $fd} data]} {
            error "connection closed ($data)"
        }
        if {$data ne ""} {
            append ::kp::io::buf($fd) $data
            return
        }
        if {[eof $fd]} { error "connection closed" }
        if {![kp__wait $fd readable $deadline]} {
            error "timeout reading from server"
        }
    }
}

proc kp__deadline {timeout} {
    if {$timeout eq ""} { set timeout $::kp::io::default_timeout }
    return [expr {[clock milliseconds] + $timeout}]
}

# One line without its CRLF (a bare LF also ends a line).
proc kp_io_read_line {fd {timeout ""}} {
    set deadline [kp__deadline $timeout]
    while 1 {
        set i [string first "\n" $::kp::io::buf($fd)]
        if {$i >= 0} {
            set line [string range $::kp::io::buf($fd) 0 [expr {$i - 1}]]
            set ::kp::io::buf($fd) [string range $::kp::io::buf($fd) [expr {$i + 1}] end]
            return [string trimright $line "\r"]
        }
        kp__fill $fd $deadline
    }
}

# Exactly n bytes.
proc kp_io_read_bytes {fd n {timeout ""}} {
    set deadline [kp__deadline $timeout]
    while {[string length $::kp::io::buf($fd)] < $n} {
        kp__fill $fd $deadline
    }
    set data [string range $::kp::io::buf($fd) 0 [expr {$n - 1}]]
    set ::kp::io::buf($fd) [string range $::kp::io::buf($fd) $n end]
    return $data
}

# Everything until the server closes (or the timeout, which is an error).
proc kp_io_read_until_close {fd {timeout ""}} {
    set deadline [kp__deadline $timeout]
    while 1 {
        if {[catch {kp__fill $fd $deadline} err]} {
            if {[string match "connection closed*" $err]} break
            error $err
        }
    }
    set data $::kp::io::buf($fd)
    set ::kp::io::buf($fd) ""
    return $data
}

# Returns 1 once the server has closed fd (bytes it sent first are
# discarded), 0 if it is still open after timeout ms.
proc kp_io_wait_closed {fd {timeout ""}} {
    set deadline [kp__deadline $timeout]
    while 1 {
        if {[catch {kp__fill $fd $deadline} err]} {
            return [string match "connection closed*" $err]
        }
        set ::kp::io::buf($fd) ""
    }
}

# Writes data and waits (up to the deadline) until the channel buffers are
# empty. Errors "connection closed" if the server went away.
proc kp_io_write {fd data {timeout ""}} {
    if {[catch {puts -nonewline $fd $data; flush $fd} err]} {
        error "connection closed ($err)"
    }
    set deadline [kp__deadline $timeout]
    while {[chan pending output $fd] > 0} {
        if {![kp__wait $fd writable $deadline]} {
            error "timeout writing to server"
        }
        if {[catch {flush $fd} err]} { error "connection closed ($err)" }
    }
}

# Queues data without waiting for it to leave (pipelines, slow readers).
proc kp_io_write_nowait {fd data} {
    if {[catch {puts -nonewline $fd $data; flush $fd} err]} {
        error "connection closed ($err)"
    }
}

proc kp_io_close {fd} {
    catch {unset ::kp::io::buf($fd)}
    catch {unset ::kp::io::waitvar($fd)}
    # Non-blocking close: never wait for a bridge process or pending output.
    catch {fconfigure $fd -blocking 0}
    catch {close $fd}
}

# ---- raw sockets for hand-written protocol bytes -------------------------

# kp_raw_socket ?kp_connect options? -> channel. Use kp_raw_write,
# kp_raw_gets, kp_raw_read, kp_raw_wait_closed and kp_raw_close on it.
proc kp_raw_socket {args} { return [kp_connect {*}$args] }
proc kp_raw_write {fd data} { kp_io_write $fd $data }
proc kp_raw_gets {fd {timeout ""}} { return [kp_io_read_line $fd $timeout] }
proc kp_raw_read {fd n {timeout ""}} { return [kp_io_read_bytes $fd $n $timeout] }
proc kp_raw_read_until_close {fd {timeout ""}} { return [kp_io_read_until_close $fd $timeout] }
proc kp_raw_wait_closed {fd {timeout ""}} { return [kp_io_wait_closed $fd $timeout] }
proc kp_raw_close {fd} { kp_io_close $fd }

# Can a client connect and get PONG? Used to check that a listener is
# there (1) or gone (0).
proc kp_can_connect {args} {
    if {[catch {kp_connect {*}$args -timeout 3000} fd]} { return 0 }
    set ok 0
    if {![catch {kp_io_write $fd "PING\r\n" 3000; kp_io_read_line $fd 3000} line]} {
        set ok [expr {$line eq "+PONG" || [string match "-NOAUTH*" $line]}]
    }
    kp_io_close $fd
    return $ok
}
