# Servers under test.
#
#   start_server {?tags {...}? ?overrides {directive value ...}?
#                 ?config_lines {line ...}? ?transport T? ?args {...}?
#                 ?client 0|1?} { body }
#
# writes a config file into tests/tmp/<server dir>/, starts the server with
# its stdout/stderr in that directory, waits until it answers, creates the
# client `r` over the server's transport, runs body, then stops the server
# (SIGTERM), scans its output for crashes and sanitizer reports, and prints
# the log tail if a test failed meanwhile.
#
# overrides replace the generated directives of the same name (an empty
# value is written as ""); config_lines are appended verbatim (listen lines,
# a second loadtransport, ...), duplicate loadtransport lines dropped.
# transport overrides --transport for this server only.
#
# Inside body: `srv ?LEVEL? KEY` (LEVEL 0 is the innermost server, -1 the
# one around it), `r ?LEVEL? CMD...`, reconnect, kp_server_log,
# wait_for_log, kp_restart_server, kp_server_expect_exit.
#
# srv keys: pid host port tls_port unixsocket transport dir config_file
#   stdout stderr client (the command behind r).

namespace eval ::kp {
    variable servers {}      ;# stack of server dicts, innermost last
    variable server_seq 0
    variable port_next 0
    variable port_first 0
    variable port_last 0
}

# ---- environment facts -----------------------------------------------------

proc kp_tls_transport {} {
    if {$::kp::opt(transport) in {openssl gnutls}} { return $::kp::opt(transport) }
    return ""
}

proc kp_is_tls_transport {t} { return [expr {$t in {openssl gnutls tls}}] }

proc kp_transport_available {name} {
    if {$::kp::server_kind eq "redis"} { return [expr {$name in {tcp unix openssl}}] }
    return [file exists [file join $::kp::root transports $name keyport-$name.so]]
}

proc kp_redis_cli {} {
    if {![info exists ::kp::redis_cli]} {
        set p [auto_execok redis-cli]
        set ::kp::redis_cli [expr {$p eq "" ? "" : [lindex $p 0]}]
    }
    return $::kp::redis_cli
}

proc kp_have_python_redis {} {
    if {![info exists ::kp::python_redis]} {
        set ::kp::python_redis [expr {![catch {exec [kp_python] -c "import redis" 2>/dev/null}]}]
    }
    return $::kp::python_redis
}

# Paths of the test certificates in tests/tls (utils/gen-test-certs.sh).
# Roles: ca, ca_key, server_cert, server_key, client_cert, client_key; any
# other value is a file name inside tests/tls.
proc kp_tls_dir {} { return [file join $::kp::root tests tls] }

proc kp_tls_file {role} {
    set d [kp_tls_dir]
    switch -- $role {
        ca { set names {ca.crt} }
        ca_key { set names {ca.key} }
        server_cert { set names {server.crt keyport.crt redis.crt} }
        server_key { set names {server.key keyport.key redis.key} }
        client_cert { set names {client.crt keyport.crt redis.crt} }
        client_key { set names {client.key keyport.key redis.key} }
        default { return [file join $d $role] }
    }
    foreach n $names {
        if {[file exists [file join $d $n]]} { return [file join $d $n] }
    }
    error "TLS test file for '$role' missing in $d (tried: $names); run utils/gen-test-certs.sh"
}

# Makes the test certificates when they are missing. Called by the master
# before workers start, so that they never race.
proc kp_ensure_tls_certs {} {
    set gen [file join $::kp::root utils gen-test-certs.sh]
    if {[file exists $gen]} {
        # The script keeps existing files and only fills in what is missing.
        if {[catch {exec sh $gen [kp_tls_dir] 2>@1} out]} {
            error "utils/gen-test-certs.sh failed:\n$out"
        }
    }
    if {![file exists [file join [kp_tls_dir] ca.crt]]} {
        error "tests/tls/ca.crt is missing and utils/gen-test-certs.sh does not exist"
    }
}

# ---- ports and temporary paths ---------------------------------------------

proc kp_set_port_range {first count} {
    set ::kp::port_first $first
    set ::kp::port_last [expr {$first + $count - 1}]
    set ::kp::port_next $first
}

# A port nobody listens on now, from this worker's own range (so parallel
# workers never pick the same one), probed by binding it.
proc kp_find_available_port {} {
    set span [expr {$::kp::port_last - $::kp::port_first + 1}]
    for {set i 0} {$i < $span} {incr i} {
        set p $::kp::port_next
        incr ::kp::port_next
        if {$::kp::port_next > $::kp::port_last} { set ::kp::port_next $::kp::port_first }
        if {![catch {socket -server kp__never -myaddr 127.0.0.1 $p} s]} {
            close $s
            return $p
        }
    }
    error "no free port in $::kp::port_first-$::kp::port_last"
}

proc kp__never {fd args} { close $fd }

proc kp_tmp_dir {} {
    set d [file join $::kp::root tests tmp]
    file mkdir $d
    return $d
}

# A fresh path in tests/tmp (not created). Unix socket paths must stay under
# 108 bytes: when the tree lives deep, sockets go to /tmp instead. The worker
# removes these paths when its file passed (and --dont-clean is not given).
proc kp_tmp_path {name} {
    set n [incr ::kp::server_seq]
    set p [file join [kp_tmp_dir] "[pid]-$n-$name"]
    if {[string match *.sock $name] && [string length $p] > 100} {
        set p "/tmp/kp-[pid]-$n-$name"
    }
    lappend ::kp::tmp_files $p
    return $p
}

# ---- process control ---------------------------------------------------------

# Is pid a running (not zombie) process?
proc kp_pid_alive {pid} {
    if {[catch {open /proc/$pid/stat r} f]} { return 0 }
    set s [read $f]
    close $f
    if {![regexp {\) (\S)} $s -> state]} { return 0 }
    return [expr {$state ne "Z" && $state ne "X"}]
}

# Starts argv with stdout/stderr going to files. Returns {chan pid}.
proc kp__spawn {argv stdout stderr {append 0}} {
    set r [expr {$append ? ">>" : ">"}]
    set e [expr {$append ? "2>>" : "2>"}]
    set chan [open |[list {*}$argv $r $stdout $e $stderr] w]
    return [list $chan [pid $chan]]
}

# Stops (SIGTERM, then SIGKILL after 10 s) and reaps a spawned process.
# Returns {how detail}: how is "exit" (detail: status), "signal" (detail:
# name), "killed" (had to use SIGKILL).
proc kp__reap {chan pid {sig TERM} {grace 10000}} {
    set killed 0
    if {[kp_pid_alive $pid]} {
        catch {exec kill -$sig $pid}
        set deadline [expr {[clock milliseconds] + $grace}]
        while {[kp_pid_alive $pid] && [clock milliseconds] < $deadline} {
            after 10
        }
        if {[kp_pid_alive $pid]} {
            catch {exec kill -KILL $pid}
            set killed 1
        }
    }
    fconfigure $chan -blocking 1
    set how exit
    set detail 0
    if {[catch {close $chan} err opts]} {
        set ec [dict get $opts -errorcode]
        switch -- [lindex $ec 0] {
            CHILDSTATUS { set detail [lindex $ec 2] }
            CHILDKILLED { set how signal; set detail [lindex $ec 2] }
        }
    }
    if {$killed} { set how killed }
    return [list $how $detail]
}

# ---- crash detection ---------------------------------------------------------

proc kp__read_file {path} {
    if {[catch {open $path r} f]} { return "" }
    fconfigure $f -translation binary
    set d [read $f]
    close $f
    return $d
}

proc kp__tail {text n} {
    set lines [split [string trimright $text "\n"] "\n"]
    return [join [lrange $lines end-[expr {$n - 1}] end] "\n"]
}

# Lines of the server output that report a crash or a sanitizer finding.
proc kp__crash_lines {text} {
    set pats {*AddressSanitizer* *LeakSanitizer* *ThreadSanitizer* *"runtime error:"*
        *"BUG REPORT"* *"crashed by signal"* *"Guru Meditation"* *"assertion failed"*
        *"ASSERTION FAILED"* *"Fatal internal error"*}
    set out {}
    foreach l [split $text "\n"] {
        foreach p $pats {
            if {[string match [string map {\" ""} $p] $l]} { lappend out $l; break }
        }
    }
    return $out
}

# ---- the server stack ---------------------------------------------------------

proc kp_server_level_exists {level} {
    set n [llength $::kp::servers]
    return [expr {$n + $level - 1 >= 0 && $level <= 0}]
}

proc kp__server_index {level} {
    set i [expr {[llength $::kp::servers] - 1 + $level}]
    if {$i < 0 || $level > 0} { error "no server at level $level" }
    return $i
}

proc srv {args} {
    if {[llength $args] == 1} {
        set level 0
        set key [lindex $args 0]
    } else {
        lassign $args level key
    }
    set s [lindex $::kp::servers [kp__server_index $level]]
    if {![dict exists $s $key]} { error "srv: no key '$key'" }
    return [dict get $s $key]
}

proc kp__srv_set {level key value} {
    set i [kp__server_index $level]
    set s [lindex $::kp::servers $i]
    dict set s $key $value
    lset ::kp::servers $i $s
}

proc r {args} {
    set level 0
    if {[string is integer -strict [lindex $args 0]] && [lindex $args 0] <= 0} {
        set level [lindex $args 0]
        set args [lrange $args 1 end]
    }
    set c [srv $level client]
    if {$c eq ""} { error "server at level $level has no client" }
    return [$c {*}$args]
}

# Replaces r with a fresh connection (after HELLO 3, AUTH, a kill...).
proc reconnect {{level 0}} {
    set c [srv $level client]
    if {$c ne ""} { catch {$c close} }
    kp__srv_set $level client [kp_client -server $level]
}

proc kp_server_log {{level 0}} { return [kp__read_file [srv $level stdout]] }
proc kp_server_stderr {{level 0}} { return [kp__read_file [srv $level stderr]] }

# Waits until a log line matches the glob pattern; returns that line.
proc wait_for_log {pattern {timeout 5000} {level 0}} {
    set deadline [expr {[clock milliseconds] + $timeout}]
    while 1 {
        foreach l [split [kp_server_log $level] "\n"] {
            if {[string match $pattern $l]} { return $l }
        }
        if {[clock milliseconds] >= $deadline} break
        kp_sleep 20
    }
    fail "no log line matching '$pattern' within $timeout ms"
}

proc kp_server_alive {{level 0}} { return [kp_pid_alive [srv $level pid]] }

# The test makes this server exit (SHUTDOWN): not a crash if it exits 0.
proc kp_server_expect_exit {{level 0}} { kp__srv_set $level expect_exit 1 }

proc kp__mark_servers_failed {} {
    for {set i 0} {$i < [llength $::kp::servers]} {incr i} {
        set s [lindex $::kp::servers $i]
        dict set s failed 1
        lset ::kp::servers $i $s
    }
}

# After each test: a server that died without being asked to fails that
# test. Returns "" or the text to add to the test's report.
proc kp__dead_servers {} {
    set text ""
    for {set i 0} {$i < [llength $::kp::servers]} {incr i} {
        set s [lindex $::kp::servers $i]
        if {[dict get $s expect_exit] || [dict get $s dead_reported]} continue
        if {![kp_pid_alive [dict get $s pid]]} {
            dict set s dead_reported 1
            lset ::kp::servers $i $s
            append text "\nserver pid [dict get $s pid] died during this test\n[kp__log_tail $s 30]"
        }
    }
    return $text
}

proc kp__log_tail {s n} {
    set out "--- server log tail ([kp__relpath [dict get $s stdout]]) ---\n"
    append out [kp__tail [kp__read_file [dict get $s stdout]] $n]
    set err [kp__read_file [dict get $s stderr]]
    if {[string trim $err] ne ""} {
        append out "\n--- server stderr ---\n[kp__tail $err $n]"
    }
    return $out
}

# ---- config generation -----------------------------------------------------------

proc kp__config_text {s overrides config_lines} {
    set t [dict get $s transport]
    set redis [expr {$::kp::server_kind eq "redis"}]
    set d [dict create]
    dict set d dir [dict get $s dir]
    # No save points and no AOF unless a test asks (overrides): a stop
    # or FLUSHALL then writes nothing, for keyport and Redis alike.
    dict set d save {""}
    dict set d appendonly no
    set loads {}
    switch -- $t {
        tcp {
            dict set d port [dict get $s port]
            dict set d bind 127.0.0.1
        }
        unix {
            dict set d port 0
            dict set d unixsocket [dict get $s unixsocket]
            dict set d unixsocketperm 700
        }
        openssl - gnutls {
            if {!$redis} { lappend loads "loadtransport $t" }
            dict set d port 0
            dict set d bind 127.0.0.1
            dict set d tls-port [dict get $s tls_port]
            if {!$redis} { dict set d tls-transport $t }
            dict set d tls-cert-file [kp_tls_file server_cert]
            dict set d tls-key-file [kp_tls_file server_key]
            dict set d tls-ca-cert-file [kp_tls_file ca]
        }
    }
    foreach {k v} $overrides {
        if {$v eq ""} { set v {""} }
        dict set d $k $v
    }
    set lines $loads
    foreach l $config_lines {
        if {[regexp {^\s*loadtransport\s} $l]} {
            if {$redis} continue
            if {[string trim $l] in [lmap x $lines {string trim $x}]} continue
            set lines [linsert $lines 0 $l]
        }
    }
    dict for {k v} $d { lappend lines "$k $v" }
    foreach l $config_lines {
        if {![regexp {^\s*loadtransport\s} $l]} { lappend lines $l }
    }
    return "[join $lines \n]\n"
}

# ---- start / stop -------------------------------------------------------------------

proc start_server {options body} {
    set o [dict create tags {} overrides {} config_lines {} transport "" args {} client 1]
    foreach {k v} $options {
        if {$k eq "lines"} { set k config_lines }
        if {![dict exists $o $k]} { error "start_server: unknown option '$k'" }
        dict set o $k $v
    }
    set frames [kp__capture_frames]
    set saved_tags $::kp::tags
    lappend ::kp::tags {*}[dict get $o tags]
    set why [kp__skip_reason $::kp::tags]
    if {$why ne ""} {
        set n [regexp -all -line {^\s*test\s} $body]
        incr ::kp::stats(skipped) $n
        kp__send_counts
        if {[kp__skip_is_noteworthy $why]} {
            kp_out "\[skip\]: $n tests of a server tagged {[dict get $o tags]} ($why)"
        }
        set ::kp::tags $saved_tags
        return
    }
    set t [dict get $o transport]
    if {$t eq ""} { set t $::kp::opt(transport) }
    if {[catch {kp__launch $t [dict get $o overrides] [dict get $o config_lines] \
                    [dict get $o args]} s]} {
        set ::kp::tags $saved_tags
        kp__report_fail "start_server {[dict get $o tags]}" [kp__location_from_frames $frames] $s
        return
    }
    lappend ::kp::servers $s
    set code 0
    if {[dict get $o client]} {
        if {[catch {reconnect} err]} {
            kp__report_fail "start_server: connect" [kp__location_from_frames $frames] $err
            set code -1
        }
    }
    if {$code == 0} {
        set code [catch {uplevel 1 $body} result opts]
        if {$code == 1} {
            lassign [kp__error_location $opts start_server $frames] where cmd
            kp__report_fail "start_server body" $where [kp__error_message $result $opts $cmd]
        }
    }
    set s [lindex $::kp::servers end]
    set ::kp::servers [lrange $::kp::servers 0 end-1]
    set ::kp::tags $saved_tags
    kp__shutdown $s
}

# Allocates ports, writes the config, starts and waits. Returns the server
# dict. Retries with other ports when one was taken in the meantime.
proc kp__launch {transport overrides config_lines extra_args} {
    if {$transport ni {tcp unix openssl gnutls}} { error "unknown transport '$transport'" }
    set n [incr ::kp::server_seq]
    set dir [file join [kp_tmp_dir] "server.[pid].$n"]
    file delete -force $dir
    file mkdir $dir
    set s [dict create pid 0 chan "" host 127.0.0.1 port 0 tls_port 0 unixsocket "" \
               transport $transport dir $dir config_file [file join $dir keyport.conf] \
               stdout [file join $dir stdout] stderr [file join $dir stderr] client "" \
               failed 0 expect_exit 0 dead_reported 0 args $extra_args]
    if {$transport eq "unix"} {
        set sock [file join $dir s.sock]
        if {[string length $sock] > 100} { set sock "/tmp/kp-[pid]-$n.sock" }
        dict set s unixsocket $sock
    }
    for {set attempt 0} {$attempt < 10} {incr attempt} {
        if {$transport eq "tcp"} { dict set s port [kp_find_available_port] }
        if {[kp_is_tls_transport $transport]} { dict set s tls_port [kp_find_available_port] }
        set f [open [dict get $s config_file] w]
        puts -nonewline $f [kp__config_text $s $overrides $config_lines]
        close $f
        set s [kp__start_process $s 0]
        if {[dict get $s pid] != 0} { return $s }
        if {![dict get $s port_in_use]} break
    }
    error [dict get $s start_error]
}

# Starts the process of s from its config file and waits until it answers.
# On failure returns s with pid 0, start_error and port_in_use set.
proc kp__start_process {s append} {
    set argv [list $::kp::opt(server_binary) [dict get $s config_file] {*}[dict get $s args]]
    lassign [kp__spawn $argv [dict get $s stdout] [dict get $s stderr] $append] chan pid
    dict set s chan $chan
    dict set s pid $pid
    kp_control server $pid
    if {$::kp::opt(verbose)} { kp_out "  (server pid $pid, [kp__relpath [dict get $s dir]])" }
    set deadline [expr {[clock milliseconds] + $::kp::opt(start_timeout)}]
    set ready 0
    while {[clock milliseconds] < $deadline} {
        if {![kp_pid_alive $pid]} break
        if {[kp__answers $s]} { set ready 1; break }
        after 20
    }
    if {$ready} { return $s }
    lassign [kp__reap $chan $pid KILL 2000] how detail
    kp_control server-exit $pid
    set log "[kp__read_file [dict get $s stdout]][kp__read_file [dict get $s stderr]]"
    dict set s port_in_use [string match -nocase "*address already in use*" $log]
    set what [expr {$how eq "exit" ? "exited with status $detail" :
                    ($how eq "signal" ? "died of $detail" : "never answered")}]
    dict set s start_error "server failed to start ([kp__relpath [dict get $s config_file]]): $what\n[kp__log_tail $s 40]"
    dict set s pid 0
    dict set s chan ""
    return $s
}

# Does the server answer a PING (any reply, NOAUTH included)?
proc kp__answers {s} {
    set t [dict get $s transport]
    set o [list -transport $t -host [dict get $s host] -timeout 2000]
    switch -- $t {
        tcp { lappend o -port [dict get $s port] }
        unix {
            if {![file exists [dict get $s unixsocket]]} { return 0 }
            lappend o -path [dict get $s unixsocket]
        }
        default { lappend o -port [dict get $s tls_port] }
    }
    if {[catch {kp_connect {*}$o} fd]} { return 0 }
    set ok [expr {![catch {
        kp_io_write $fd "*1\r\n\$4\r\nPING\r\n" 2000
        kp_io_read_line $fd 2000
    } line] && [string index $line 0] in {+ -}}]
    kp_io_close $fd
    return $ok
}

# Stops the server of s and reports crashes. Keeps its directory when
# something failed (or with --dont-clean).
proc kp__shutdown {s} {
    if {[dict get $s client] ne ""} { catch {[dict get $s client] close} }
    set pid [dict get $s pid]
    set was_alive [kp_pid_alive $pid]
    lassign [kp__reap [dict get $s chan] $pid] how detail
    kp_control server-exit $pid
    set problems {}
    if {$how eq "killed"} {
        lappend problems "server pid $pid did not exit within 10 s of SIGTERM"
    } elseif {$how eq "signal" && !($was_alive && $detail in {SIGTERM})} {
        lappend problems "server pid $pid died of $detail"
    } elseif {$how eq "exit" && $detail != 0} {
        lappend problems "server pid $pid exited with status $detail"
    }
    set out "[kp__read_file [dict get $s stdout]]\n[kp__read_file [dict get $s stderr]]"
    set crash [kp__crash_lines $out]
    if {[llength $crash]} {
        lappend problems "crash or sanitizer report in the server output:\n  [join [lrange $crash 0 9] "\n  "]"
    }
    if {[llength $problems] && ![dict get $s dead_reported]} {
        kp__report_fail "server [kp__relpath [dict get $s dir]]" [kp__relpath $::kp::curfile] \
            "[join $problems \n]\n[kp__log_tail $s 40]"
        dict set s failed 1
    } elseif {[dict get $s failed] && ![dict get $s dead_reported]} {
        kp_out [kp__indent [kp__log_tail $s 25]]
    }
    if {[dict get $s failed] || $::kp::opt(dont_clean)} {
        if {[dict get $s failed]} { kp_out "    (server files kept in [kp__relpath [dict get $s dir]])" }
    } else {
        file delete -force [dict get $s dir]
        if {[string match /tmp/* [dict get $s unixsocket]]} {
            file delete -force [dict get $s unixsocket]
        }
    }
}

proc kp__indent {text} {
    return "    [join [split $text \n] "\n    "]"
}

# Stops and starts the server at level with its (possibly rewritten) config
# file, same ports; r is reconnected.
proc kp_restart_server {{level 0}} {
    set i [kp__server_index $level]
    set s [lindex $::kp::servers $i]
    if {[dict get $s client] ne ""} { catch {[dict get $s client] close} }
    lassign [kp__reap [dict get $s chan] [dict get $s pid]] how detail
    kp_control server-exit [dict get $s pid]
    if {$how ne "exit" || $detail != 0} {
        fail "server did not stop cleanly before restart: $how $detail"
    }
    set s [kp__start_process $s 1]
    if {[dict get $s pid] == 0} {
        lset ::kp::servers $i $s
        fail [dict get $s start_error]
    }
    dict set s expect_exit 0
    dict set s client ""
    lset ::kp::servers $i $s
    reconnect $level
}

# ---- one-shot runs (startup tests) -----------------------------------------------

# Runs the server binary with argv until it exits (or timeout ms, then it is
# killed). Returns a dict: status (exit code, "signal NAME" or "timeout"),
# output (stdout and stderr together).
proc kp_exec_server {argv {timeout 10000}} {
    set h [kp_spawn_server $argv]
    set deadline [expr {[clock milliseconds] + $timeout}]
    while {[kp_pid_alive [dict get $h pid]] && [clock milliseconds] < $deadline} {
        after 10
    }
    set timedout [kp_pid_alive [dict get $h pid]]
    set r [kp_stop_spawned $h]
    if {$timedout} { dict set r status timeout }
    return $r
}

# Starts the server binary with argv in the background. Returns a handle
# for kp_spawned_output and kp_stop_spawned.
proc kp_spawn_server {argv} {
    set out [kp_tmp_path out]
    lassign [kp__spawn [list $::kp::opt(server_binary) {*}$argv] $out $out.err] chan pid
    kp_control server $pid
    return [dict create chan $chan pid $pid out $out]
}

proc kp_spawned_output {h} {
    return "[kp__read_file [dict get $h out]][kp__read_file [dict get $h out].err]"
}

proc kp_stop_spawned {h} {
    lassign [kp__reap [dict get $h chan] [dict get $h pid] TERM 5000] how detail
    kp_control server-exit [dict get $h pid]
    set output [kp_spawned_output $h]
    if {!$::kp::opt(dont_clean)} { file delete -force [dict get $h out] [dict get $h out].err }
    set status [expr {$how eq "exit" ? $detail : "signal $detail"}]
    set crash [kp__crash_lines $output]
    if {[llength $crash]} {
        kp__report_fail "server run [dict get $h pid]" [kp__relpath $::kp::curfile] \
            "crash or sanitizer report:\n[join $crash \n]"
    }
    return [dict create status $status output $output]
}
