# Master and worker processes of ./runtest.
#
# Worker -> master lines ("@@" lines are never shown):
#   @@server <b64 pid>        a server process was started (killed on timeout)
#   @@server-exit <b64 pid>   ... and reaped
#   @@fail <b64 {name where message}>
#   @@count <b64 {passed failed skipped}>   counts so far
#   @@done <b64 {passed failed skipped}>    the file is finished
# Every other line is test output, shown as is.

namespace eval ::kp {
    variable server_kind keyport
}

proc kp_out {text} {
    puts stdout $text
    flush stdout
}

proc kp_control {type payload} {
    if {$::kp::opt(worker) eq ""} return
    puts stdout "@@$type [binary encode base64 [encoding convertto utf-8 $payload]]"
    flush stdout
}

proc kp_detect_server {} {
    set bin $::kp::opt(server_binary)
    if {[file pathtype $bin] ne "absolute"} { set bin [file join $::kp::root $bin] }
    set ::kp::opt(server_binary) $bin
    if {$::kp::opt(server_kind) ne ""} {
        # A worker: the master already checked the binary.
        set ::kp::server_kind $::kp::opt(server_kind)
        return
    }
    if {![file executable $bin]} {
        puts stderr "runtest: server binary $bin not found or not executable (run make)"
        exit 1
    }
    set ::kp::server_kind keyport
    if {![catch {exec $bin --version 2>@1} v] && [string match "Redis server*" $v]} {
        set ::kp::server_kind redis
    }
    if {$::kp::server_kind eq "redis" && $::kp::opt(transport) eq "gnutls"} {
        puts stderr "runtest: redis-server has no gnutls transport"
        exit 1
    }
}

# ---- worker -------------------------------------------------------------------------

proc kp_worker_main {} {
    set base [expr {$::kp::opt(port_base) + $::kp::opt(slot) * 200}]
    kp_set_port_range $base 200
    set ::kp::tmp_files {}
    set file [file normalize $::kp::opt(worker)]
    set ::kp::curfile $file
    if {[catch {uplevel #0 [list source $file]} err opts]} {
        kp__report_fail "test file" [kp__relpath $file] "$err\n[dict get $opts -errorinfo]"
    }
    # A body that escaped start_server's own cleanup (it should not).
    while {[llength $::kp::servers]} {
        set s [lindex $::kp::servers end]
        set ::kp::servers [lrange $::kp::servers 0 end-1]
        kp__shutdown $s
    }
    if {$::kp::stats(failed) == 0 && !$::kp::opt(dont_clean)} {
        foreach f $::kp::tmp_files { file delete -force $f }
    }
    kp_control done [list $::kp::stats(passed) $::kp::stats(failed) $::kp::stats(skipped)]
    return 0
}

# ---- master -------------------------------------------------------------------------

proc kp_test_files {} {
    set files [lsort [glob -nocomplain [file join $::kp::root tests integration *.tcl]]]
    foreach d [lsort [glob -nocomplain -type d [file join $::kp::root tests integration *]]] {
        lappend files {*}[lsort [glob -nocomplain [file join $d *.tcl]]]
    }
    if {![llength $::kp::opt(single)]} { return $files }
    set out {}
    foreach s $::kp::opt(single) {
        set cands [list $s [file join $::kp::root $s] [file join $::kp::root tests $s] \
                       [file join $::kp::root tests $s.tcl] \
                       [file join $::kp::root tests integration $s.tcl] \
                       [file join $::kp::root tests integration $s]]
        set found ""
        foreach c $cands {
            if {[file isfile $c]} { set found [file normalize $c]; break }
        }
        if {$found eq ""} {
            puts stderr "runtest: no test file '$s'"
            exit 2
        }
        lappend out $found
    }
    return $out
}

proc kp__durations_file {} { return [file join $::kp::root tests tmp durations.txt] }

# Longest files first (from the previous run), unknown ones before them.
proc kp_order_files {files} {
    array set d {}
    catch {
        set f [open [kp__durations_file] r]
        foreach l [split [read $f] \n] {
            if {[llength $l] == 2} { set d([lindex $l 0]) [lindex $l 1] }
        }
        close $f
    }
    set keyed {}
    foreach f $files {
        set k [kp__relpath $f]
        lappend keyed [list $f [expr {[info exists d($k)] ? $d($k) : 1e9}]]
    }
    return [lmap x [lsort -real -decreasing -index 1 $keyed] {lindex $x 0}]
}

proc kp_master_main {} {
    set files [kp_test_files]
    if {$::kp::opt(list_tests)} {
        foreach f $files { puts [kp__relpath $f] }
        return 0
    }
    # Certificates are made in every run: some tests of plaintext runs use
    # TLS too (a TLS client against a plaintext port, a TLS peer server).
    if {[catch {kp_ensure_tls_certs} err]} {
        puts stderr "runtest: $err"
        if {[kp_tls_transport] ne ""} { return 1 }
    }
    file mkdir [file join $::kp::root tests tmp]
    set ::kp::m(queue) [kp_order_files $files]
    set ::kp::m(running) 0
    set ::kp::m(free_slots) {}
    for {set i 0} {$i < $::kp::opt(clients)} {incr i} { lappend ::kp::m(free_slots) $i }
    # Below the usual ephemeral range (32768-60999); each worker slot owns
    # 200 ports from here, so parallel workers never probe the same one.
    set ::kp::m(port_base) [expr {20000 + ([pid] * 7919 % 40) * 200}]
    set ::kp::m(failures) {}
    set ::kp::m(durations) {}
    array set ::kp::stats {passed 0 failed 0 skipped 0}
    set ::kp::m(start) [clock milliseconds]
    kp_out "Testing [file tail $::kp::opt(server_binary)] ($::kp::server_kind) over\
            $::kp::opt(transport), [llength $files] files, $::kp::opt(clients) clients"
    kp__spawn_workers
    kp__timeout_tick
    while {$::kp::m(running) > 0} { vwait ::kp::m(running) }
    kp__save_durations
    set secs [expr {([clock milliseconds] - $::kp::m(start)) / 1000.0}]
    if {[llength $::kp::m(failures)]} {
        kp_out "\n!!! The following tests failed:"
        foreach f $::kp::m(failures) { kp_out $f }
    }
    kp_out "\nAll files done in [format %.1f $secs] s."
    set line "$::kp::stats(passed) passed, $::kp::stats(failed) failed"
    if {$::kp::stats(skipped)} { append line ", $::kp::stats(skipped) skipped" }
    kp_out $line
    return [expr {$::kp::stats(failed) > 0 ? 1 : 0}]
}

proc kp__worker_argv {file slot} {
    set a [list [info nameofexecutable] [file join $::kp::root tests test_helper.tcl] \
               --worker $file --slot $slot --port-base $::kp::m(port_base) \
               --transport $::kp::opt(transport) --server-binary $::kp::opt(server_binary) \
               --server-kind $::kp::server_kind]
    if {[llength $::kp::opt(tags)]} { lappend a --tags $::kp::opt(tags) }
    foreach o $::kp::opt(only) { lappend a --only $o }
    if {$::kp::opt(verbose)} { lappend a --verbose }
    if {$::kp::opt(dont_clean)} { lappend a --dont-clean }
    return $a
}

proc kp__spawn_workers {} {
    while {[llength $::kp::m(queue)] && [llength $::kp::m(free_slots)]} {
        set file [lindex $::kp::m(queue) 0]
        set ::kp::m(queue) [lrange $::kp::m(queue) 1 end]
        set slot [lindex $::kp::m(free_slots) 0]
        set ::kp::m(free_slots) [lrange $::kp::m(free_slots) 1 end]
        set chan [open |[list {*}[kp__worker_argv $file $slot] 2>@1] r]
        fconfigure $chan -blocking 0 -buffering line -translation auto
        set ::kp::w($chan) [dict create file $file slot $slot start [clock milliseconds] \
                                servers {} done 0 pid [pid $chan] counts {0 0 0}]
        fileevent $chan readable [list kp__worker_readable $chan]
        incr ::kp::m(running)
    }
}

proc kp__worker_readable {chan} {
    while {[gets $chan line] >= 0} {
        if {[regexp {^@@(\S+) (.*)$} $line -> type b64]} {
            set payload [encoding convertfrom utf-8 [binary decode base64 $b64]]
            kp__control_line $chan $type $payload
        } else {
            kp_out $line
        }
    }
    if {[eof $chan]} { kp__worker_finished $chan "" }
}

proc kp__control_line {chan type payload} {
    upvar #0 ::kp::w($chan) w
    switch -- $type {
        server { dict lappend w servers $payload }
        server-exit {
            dict set w servers [lsearch -all -inline -not -exact [dict get $w servers] $payload]
        }
        fail {
            lassign $payload name where msg
            lappend ::kp::m(failures) "\[err\]: $name in $where"
        }
        count { dict set w counts $payload }
        done {
            dict set w counts $payload
            dict set w done 1
        }
    }
}

proc kp__worker_finished {chan why} {
    upvar #0 ::kp::w($chan) w
    fileevent $chan readable {}
    set file [kp__relpath [dict get $w file]]
    if {$why ne ""} {
        catch {exec kill -KILL [dict get $w pid]}
    }
    foreach p [dict get $w servers] { catch {exec kill -KILL $p} }
    fconfigure $chan -blocking 1
    set status ""
    if {[catch {close $chan} err]} { set status $err }
    set secs [expr {([clock milliseconds] - [dict get $w start]) / 1000.0}]
    lassign [dict get $w counts] p f s
    incr ::kp::stats(passed) $p
    incr ::kp::stats(failed) $f
    incr ::kp::stats(skipped) $s
    if {$why ne ""} {
        incr ::kp::stats(failed)
        kp_out "\[err\]: $file $why"
        lappend ::kp::m(failures) "\[err\]: $file $why"
    } elseif {![dict get $w done]} {
        incr ::kp::stats(failed)
        kp_out "\[err\]: $file: worker exited before finishing $status"
        lappend ::kp::m(failures) "\[err\]: $file: worker exited before finishing"
    } else {
        lappend ::kp::m(durations) [list $file [format %.1f $secs]]
        if {$::kp::opt(verbose)} { kp_out "\[done\]: $file ([format %.1f $secs] s)" }
    }
    lappend ::kp::m(free_slots) [dict get $w slot]
    unset ::kp::w($chan)
    incr ::kp::m(running) -1
    kp__spawn_workers
}

proc kp__timeout_tick {} {
    set now [clock milliseconds]
    foreach chan [array names ::kp::w] {
        if {$now - [dict get $::kp::w($chan) start] > $::kp::opt(timeout) * 1000} {
            kp__worker_finished $chan "timed out after $::kp::opt(timeout) s"
        }
    }
    after 1000 kp__timeout_tick
}

proc kp__save_durations {} {
    array set d {}
    catch {
        set f [open [kp__durations_file] r]
        foreach l [split [read $f] \n] {
            if {[llength $l] == 2} { set d([lindex $l 0]) [lindex $l 1] }
        }
        close $f
    }
    foreach x $::kp::m(durations) { set d([lindex $x 0]) [lindex $x 1] }
    catch {
        set f [open [kp__durations_file] w]
        foreach k [lsort [array names d]] { puts $f [list $k $d($k)] }
        close $f
    }
}
