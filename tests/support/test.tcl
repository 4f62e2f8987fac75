# Tests, tags and assertions.
#
#   test NAME BODY ?EXPECTED? ?TAGS?
#
# runs BODY in the caller's scope. The test passes when BODY raises no error
# and, if EXPECTED is given, returns exactly EXPECTED. Assertions raise errors
# starting with "assertion:"; the report shows the message and the file:line
# of the failing command. kp_skip REASON inside a body skips the test.
#
# Tags: `tags {a b} {script}`, start_server's tags and a test's own TAGS add
# up. A test is skipped when a tag rules it out (see kp__skip_reason).
#
# Counters live in ::kp::stats; the worker reports them to the master.

namespace eval ::kp {
    variable tags {}
    variable curfile ""
    variable stats
    array set stats {passed 0 failed 0 skipped 0}
}

proc tags {tags body} {
    set saved $::kp::tags
    lappend ::kp::tags {*}$tags
    set code [catch {uplevel 1 $body} result opts]
    set ::kp::tags $saved
    return -options $opts $result
}

# Why a test (or a server block) with these tags is not run, "" if it runs.
proc kp__skip_reason {tags} {
    foreach t $tags {
        switch -glob -- $t {
            keyport {
                if {$::kp::server_kind ne "keyport"} { return "keyport only" }
            }
            redis-only {
                if {$::kp::server_kind ne "redis"} { return "redis only" }
            }
            needs:redis-cli {
                if {[kp_redis_cli] eq ""} { return "redis-cli not installed" }
            }
            needs:python-redis {
                if {![kp_have_python_redis]} { return "python3-redis not installed" }
            }
            tls {
                if {[kp_tls_transport] eq ""} { return "needs --transport openssl|gnutls" }
            }
            needs:openssl - needs:gnutls {
                set t [string range $t 6 end]
                if {![kp_transport_available $t]} { return "$t transport not available" }
            }
        }
    }
    set allow {}
    foreach t $::kp::opt(tags) {
        if {[string index $t 0] eq "-"} {
            if {[lsearch -exact $tags [string range $t 1 end]] >= 0} {
                return "tag [string range $t 1 end] excluded"
            }
        } else {
            lappend allow $t
        }
    }
    if {[llength $allow]} {
        foreach t $allow {
            if {[lsearch -exact $tags $t] >= 0} { return "" }
        }
        return "no tag among {$allow}"
    }
    return ""
}

proc kp__name_selected {name} {
    if {![llength $::kp::opt(only)]} { return 1 }
    foreach pat $::kp::opt(only) {
        if {[string match $pat $name]} { return 1 }
    }
    return 0
}

proc kp_skip {{reason ""}} {
    return -code error "kp_skip:$reason"
}

proc test {name body {expected "\x00none"} {testtags {}}} {
    if {![kp__name_selected $name]} return
    set alltags [concat $::kp::tags $testtags]
    set why [kp__skip_reason $alltags]
    if {$why ne ""} {
        kp__report_skip $name $why
        return
    }
    if {$::kp::opt(verbose)} { kp_out "\[run\]: $name" }
    set ::kp::current_test $name
    set ::kp::test_frames [kp__capture_frames]
    set start [clock milliseconds]
    set code [catch {uplevel 1 $body} result opts]
    set ms [expr {[clock milliseconds] - $start}]
    set ::kp::current_test ""
    if {$code == 1 && [string match "kp_skip:*" $result]} {
        kp__report_skip $name [string range $result 8 end]
        return
    }
    set dead [kp__dead_servers]
    if {$code == 1} {
        lassign [kp__error_location $opts test $::kp::test_frames] where cmd
        if {[string match "assertion:*" $result]} {
            set msg [string range $result 10 end]
        } else {
            set msg [kp__error_message $result $opts $cmd]
        }
        kp__report_fail $name $where "$msg$dead"
    } elseif {$expected ne "\x00none" && $result ne $expected} {
        kp__report_fail $name [kp__call_location] \
            "Expected '[kp__short $result]' to equal '[kp__short $expected]'$dead"
    } elseif {$dead ne ""} {
        kp__report_fail $name [kp__call_location] [string trimleft $dead]
    } else {
        incr ::kp::stats(passed)
        kp__send_counts
        kp_out "\[ok\]: $name ($ms ms)"
    }
}

proc kp__send_counts {} {
    kp_control count [list $::kp::stats(passed) $::kp::stats(failed) $::kp::stats(skipped)]
}

proc kp__report_skip {name why} {
    incr ::kp::stats(skipped)
    kp__send_counts
    if {[kp__skip_is_noteworthy $why]} { kp_out "\[skip\]: $name ($why)" }
}

# Skips chosen by the user (--tags) or by the server under test (keyport
# only tests against redis-server) are shown with --verbose only.
proc kp__skip_is_noteworthy {why} {
    if {$::kp::opt(verbose)} { return 1 }
    return [expr {$why ni {"keyport only" "needs --transport openssl|gnutls"} &&
                  ![string match "tag *" $why] && ![string match "no tag *" $why]}]
}

# Records a failure: prints it, tells the master, marks the running servers
# so that their log tails are shown when they stop.
proc kp__report_fail {name where msg} {
    incr ::kp::stats(failed)
    kp__send_counts
    set text "\[err\]: $name in $where\n"
    foreach l [split [string trimright $msg] "\n"] { append text "    $l\n" }
    kp_out [string trimright $text]
    kp_control fail [list $name $where $msg]
    kp__mark_servers_failed
}

proc kp__short {s} {
    if {[string length $s] > 400} { return "[string range $s 0 399]... ([string length $s] bytes)" }
    return $s
}

# file:line in the test file from a list of frames (innermost first, as
# kp__capture_frames returns them). A body run by uplevel shows as "eval"
# frames whose line is relative to the literal script around them; each run
# of eval frames adds its innermost line to the line of the enclosing frame,
# until a frame that lies in the test file itself.
proc kp__location_from_frames {frames} {
    set acc 0
    set in_run 0
    foreach f $frames {
        set type [dict get $f type]
        if {$type eq "source" && [dict exists $f file] &&
            [file normalize [dict get $f file]] eq [file normalize $::kp::curfile]} {
            return "[kp__relpath $::kp::curfile]:[expr {[dict get $f line] + $acc}]"
        }
        if {$type eq "eval"} {
            if {!$in_run} { incr acc [expr {[dict get $f line] - 1}] }
            set in_run 1
        } else {
            set in_run 0
        }
    }
    return [kp__relpath $::kp::curfile]
}

# Line offset (0-based) and command text inside the body that the harness
# proc `owner` ran, from a Tcl errorInfo trace.
proc kp__errorinfo_offset {info owner} {
    set lines [split $info "\n"]
    set end [lsearch -glob $lines "*(procedure \"$owner\" line*"]
    if {$end < 0} { set end [llength $lines] }
    set acc 0
    set cmd ""
    set prev ""
    set fresh 1
    foreach l [lrange $lines 0 [expr {$end - 1}]] {
        if {[string match {*(procedure "*} $l] || [string match {*(file "*} $l]} {
            set acc 0
            set fresh 1
        } elseif {[regexp {^\s*\("[^"]+"[^)]*line (\d+)\)\s*$} $l -> n]} {
            if {$fresh} { set cmd $prev }
            set fresh 0
            incr acc [expr {$n - 1}]
        }
        set prev $l
    }
    return [list $acc [string trim $cmd]]
}

proc kp__relpath {f} {
    set root "$::kp::root/"
    if {[string first $root $f] == 0} { return [string range $f [string length $root] end] }
    return $f
}

# Frames captured when an assertion was raised (innermost first).
proc kp__capture_frames {} {
    set frames {}
    for {set i [expr {[info frame] - 1}]} {$i > 0} {incr i -1} {
        lappend frames [info frame $i]
    }
    return $frames
}

# Where an error raised by a body run by the harness proc `owner` (test,
# start_server) happened; base_frames were captured when owner started.
# Returns {location command}.
proc kp__error_location {opts owner base_frames} {
    if {[info exists ::kp::last_assert_frames] && $::kp::last_assert_frames ne ""} {
        set loc [kp__location_from_frames $::kp::last_assert_frames]
        set ::kp::last_assert_frames ""
        return [list $loc ""]
    }
    set info [dict get $opts -errorinfo]
    lassign [kp__errorinfo_offset $info $owner] acc cmd
    set base [kp__location_from_frames $base_frames]
    if {[regexp {^(.*):(\d+)$} $base -> f line]} {
        return [list "$f:[expr {$line + $acc}]" $cmd]
    }
    return [list $base $cmd]
}

# Message for a Tcl (not assertion) error: the error and the command.
proc kp__error_message {result opts cmd} {
    if {$::kp::opt(verbose)} {
        return "$result\n[dict get $opts -errorinfo]"
    }
    if {$cmd ne ""} { return "$result\n(while running $cmd)" }
    return $result
}

proc kp__call_location {} { return [kp__location_from_frames $::kp::test_frames] }

# ---- assertions --------------------------------------------------------------

proc fail {msg} {
    set ::kp::last_assert_frames [kp__capture_frames]
    error "assertion:$msg"
}

proc assert {cond {msg ""}} {
    if {![uplevel 1 [list expr $cond]]} {
        if {$msg eq ""} { set msg "Expected '$cond' to be true" }
        fail $msg
    }
}

proc assert_equal {value expected {detail ""}} {
    if {$value ne $expected} {
        fail "Expected '[kp__short $value]' to be equal to '[kp__short $expected]'[kp__detail $detail]"
    }
}

proc assert_not_equal {value expected {detail ""}} {
    if {$value eq $expected} {
        fail "Expected '[kp__short $value]' to be not equal to '[kp__short $expected]'[kp__detail $detail]"
    }
}

proc assert_match {pattern value {detail ""}} {
    if {![string match $pattern $value]} {
        fail "Expected '[kp__short $value]' to match '$pattern'[kp__detail $detail]"
    }
}

proc assert_no_match {pattern value {detail ""}} {
    if {[string match $pattern $value]} {
        fail "Expected '[kp__short $value]' to not match '$pattern'[kp__detail $detail]"
    }
}

proc assert_range {value min max {detail ""}} {
    if {![string is double -strict $value] || $value < $min || $value > $max} {
        fail "Expected '$value' to be between $min and $max[kp__detail $detail]"
    }
}

proc assert_lessthan {value than} {
    if {!($value < $than)} { fail "Expected '$value' to be less than '$than'" }
}

proc assert_morethan {value than} {
    if {!($value > $than)} { fail "Expected '$value' to be more than '$than'" }
}

proc assert_morethan_equal {value than} {
    if {!($value >= $than)} { fail "Expected '$value' to be at least '$than'" }
}

proc assert_equal_unordered {value expected} {
    if {[lsort $value] ne [lsort $expected]} {
        fail "Expected '[kp__short $value]' to have the same elements as '[kp__short $expected]'"
    }
}

# Runs script in the caller's scope; it must raise an error matching pattern.
proc assert_error {pattern script {detail ""}} {
    if {[catch {uplevel 1 $script} err]} {
        if {![string match $pattern $err]} {
            fail "Expected error matching '$pattern' but got '[kp__short $err]'[kp__detail $detail]"
        }
        return $err
    }
    fail "Expected an error matching '$pattern' but got '[kp__short $err]'[kp__detail $detail]"
}

proc assert_encoding {enc key {client r}} {
    set got [$client object encoding $key]
    if {$got ne $enc} {
        fail "Expected encoding '$enc' for key '$key' but got '$got'"
    }
}

proc assert_type {type key {client r}} {
    assert_equal [$client type $key] $type "type of $key"
}

proc kp__detail {d} {
    if {$d eq ""} { return "" }
    return " ($d)"
}

# ---- waiting -------------------------------------------------------------------

# Sleeps while the event loop runs (background flushes keep going).
proc kp_sleep {ms} {
    set ::kp::sleep_done 0
    after $ms {set ::kp::sleep_done 1}
    vwait ::kp::sleep_done
}

# Redis-style: wait_for_condition MAXTRIES DELAY_MS COND else ELSESCRIPT.
# COND is an expression evaluated in the caller's scope.
proc wait_for_condition {maxtries delay cond {elsekw ""} {elsescript ""}} {
    if {$elsekw ne "" && $elsekw ne "else"} { error "wait_for_condition: expected 'else'" }
    for {set i 0} {$i < $maxtries} {incr i} {
        if {[uplevel 1 [list expr $cond]]} return
        kp_sleep $delay
    }
    if {[uplevel 1 [list expr $cond]]} return
    if {$elsescript ne ""} {
        uplevel 1 $elsescript
    } else {
        fail "condition '$cond' not met after [expr {$maxtries * $delay}] ms"
    }
}

# wait_for COND ?TIMEOUT_MS? ?MESSAGE?: polls COND every 20 ms.
proc wait_for {cond {timeout 5000} {msg ""}} {
    set deadline [expr {[clock milliseconds] + $timeout}]
    while {[clock milliseconds] < $deadline} {
        if {[uplevel 1 [list expr $cond]]} return
        kp_sleep 20
    }
    if {[uplevel 1 [list expr $cond]]} return
    if {$msg eq ""} { set msg "condition '$cond' not met within $timeout ms" }
    fail $msg
}
