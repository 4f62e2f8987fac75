# ABI conformance suite: every deliberately broken fake transport in
# tests/abi/ must stop keyport-server at startup with a non-zero exit status
# and the exact loader message ("<file>: <reason>"), both from the command
# line (--loadtransport) and from a config file ("<conf>:<line>:
# loadtransport: <file>: <reason>"). The older-minor fake (the tcp code
# declared as ABI 1.0, named tcp10) must load and serve a client.
#
# Usage (from anywhere): tclsh tests/abi/run.tcl   (make test-abi)
# Needs src/keyport-server, the tcp plugin and tests/abi/fake-*.so built.

set root [file normalize [file join [file dirname [info script]] .. ..]]
set server [file join $root src keyport-server]
set abidir [file join $root tests abi]
set tmpdir [file join $root tests tmp abi]
file mkdir $tmpdir

set passed 0
set failed 0

proc pass {name} {
    global passed
    incr passed
    puts "\[ok\] $name"
}

proc fail {name why} {
    global failed
    incr failed
    puts "\[err\] $name: $why"
}

# The ABI version the server speaks, from the header it was built with.
set fh [open [file join $root include keyport transport.h]]
set header [read $fh]
close $fh
regexp {#define KP_ABI_MAJOR (\d+)} $header -> major
regexp {#define KP_ABI_MINOR (\d+)} $header -> minor

if {$::tcl_platform(pointerSize) != 8} {
    puts "tests/abi/run.tcl: the expected struct sizes assume an LP64 platform"
    exit 1
}
set size_1_0 224
set size_1_1 240
set order [expr {$::tcl_platform(byteOrder) eq "littleEndian" ? "little" : "big"}]
set fp_tail "size_t=8 long=8 time_t=8 off_t=8 byte-order=$order"
set tcp_so [file join $root transports tcp keyport-tcp.so]

# fake name -> {transports loaded before it, expected reason}
set cases [list \
    wrong-major [list {} \
        "transport ABI major version [expr {$major + 1}] is not supported (server ABI is $major.$minor)"] \
    newer-minor [list {} \
        "transport ABI $major.[expr {$minor + 1}] is newer than the server's $major.$minor"] \
    short-struct [list {} \
        "descriptor struct_size $size_1_0 is smaller than ABI $major.$minor requires ($size_1_1)"] \
    missing-op [list {} "missing mandatory op for a stream transport: accept"] \
    duplicate [list {tcp} "transport 'tcp' is already loaded from $tcp_so"] \
    no-entry [list {} "no kp_transport_entry symbol (not a keyport transport)"] \
    bad-fingerprint [list {} \
        "build fingerprint mismatch: transport has ptr=4 $fp_tail, server has ptr=8 $fp_tail"] \
    empty-field [list {} "empty descriptor fields: version, license"] \
    bad-name [list {} "invalid transport name 'Bad Name' (use 1 to 31 of a-z, 0-9, '_', '-')"] \
    bad-caps [list {} \
        "capabilities must contain exactly one of KP_CAP_STREAM and KP_CAP_LAYERED"] \
    entry-error [list {} "entry point failed: simulated failure in the entry point"] \
    init-error [list {} "init failed: simulated failure in init"] \
]

# Runs the server to completion (10 s at most); returns {status output}.
proc run_server {args} {
    global server
    set rc [catch {exec timeout 10 $server {*}$args </dev/null 2>@1} out opts]
    if {$rc == 0} {return [list 0 $out]}
    set code [dict get $opts -errorcode]
    if {[lindex $code 0] eq "CHILDSTATUS"} {return [list [lindex $code 2] $out]}
    return [list -1 "$out ($code)"]
}

# Asserts a refused start: non-zero status and want in the output.
proc expect_refused {name want args} {
    lassign [run_server {*}$args] status out
    if {$status == 0} {
        fail $name "server exited with status 0; output: $out"
    } elseif {$status == 124} {
        fail $name "server kept running (killed after 10 s); output: $out"
    } elseif {[string first $want $out] < 0} {
        fail $name "status $status, expected \"$want\" in: $out"
    } else {
        pass $name
    }
}

foreach {fake spec} $cases {
    lassign $spec preload reason
    set so [file join $abidir fake-$fake.so]
    if {![file exists $so]} {
        fail $fake "$so is not built (make tests/abi/fake-$fake.so)"
        continue
    }
    set want "$so: $reason"

    # Command line.
    set cmdline [list --port 0]
    foreach t $preload {lappend cmdline --loadtransport $t}
    lappend cmdline --loadtransport $so
    expect_refused "$fake (command line)" $want {*}$cmdline

    # Config file: the error names the file and the line.
    set conf [file join $tmpdir $fake.conf]
    set fh [open $conf w]
    puts $fh "# ABI conformance: fake-$fake"
    puts $fh "port 0"
    foreach t $preload {puts $fh "loadtransport $t"}
    puts $fh "loadtransport $so"
    close $fh
    set line [expr {3 + [llength $preload]}]
    expect_refused "$fake (config file)" "$conf:$line: loadtransport: $want" $conf
}

# A name that resolves to no file lists where it looked.
expect_refused "unknown name (command line)" \
    "cannot find transport 'nosuch' (looked in [file join $root transports nosuch keyport-nosuch.so], " \
    --port 0 --loadtransport nosuch

# ---------- the older-minor fake loads and serves ----------

proc free_port {} {
    set s [socket -server {apply {{chan addr port} {close $chan}}} -myaddr 127.0.0.1 0]
    set port [lindex [fconfigure $s -sockname] 2]
    close $s
    return $port
}

# Is the process gone (or a zombie waiting to be reaped)?
proc process_gone {pid} {
    if {[catch {open /proc/$pid/stat} fh]} {return 1}
    set stat [read $fh]
    close $fh
    return [regexp {\) Z } $stat]
}

proc older_minor_serves {} {
    global server abidir tmpdir
    set name "older-minor (ABI 1.0 tcp10 serves PING)"
    set so [file join $abidir fake-older-minor.so]
    if {![file exists $so]} {
        fail $name "$so is not built"
        return
    }
    set port [free_port]
    set log [file join $tmpdir older-minor.log]
    set pid [exec $server --port 0 --loadtransport $so --listen tcp10 $port bind 127.0.0.1 \
                 </dev/null >$log 2>@1 &]
    set sock ""
    for {set i 0} {$i < 100 && $sock eq ""} {incr i} {
        if {[process_gone $pid]} break
        if {[catch {socket 127.0.0.1 $port} s]} {
            after 50
        } else {
            set sock $s
        }
    }
    if {$sock eq ""} {
        catch {exec kill -9 $pid}
        set fh [open $log]
        set out [read $fh]
        close $fh
        fail $name "could not connect to port $port; server output: $out"
        return
    }
    fconfigure $sock -translation binary -buffering none
    puts -nonewline $sock "*1\r\n\$4\r\nPING\r\n"
    set reply [string trimright [gets $sock] "\r"]
    if {$reply ne "+PONG"} {
        fail $name "PING replied \"$reply\""
    } else {
        pass $name
    }
    # A successful SHUTDOWN closes the connection without a reply.
    puts -nonewline $sock "*2\r\n\$8\r\nSHUTDOWN\r\n\$6\r\nNOSAVE\r\n"
    close $sock
    for {set i 0} {$i < 100 && ![process_gone $pid]} {incr i} {after 50}
    if {[process_gone $pid]} {
        pass "older-minor (SHUTDOWN stops the server)"
    } else {
        catch {exec kill -9 $pid}
        fail "older-minor (SHUTDOWN stops the server)" "server still running after 5 s"
    }
}
older_minor_serves

puts "$passed passed, $failed failed"
exit [expr {$failed ? 1 : 0}]
