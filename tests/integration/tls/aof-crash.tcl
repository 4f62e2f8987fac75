# Crash safety of the AOF: writers send acknowledged writes over TLS while
# the server is killed with SIGKILL at random moments (a bounded number of
# rounds), then the server is restarted and every writer checks its data.
#
#   appendfsync always    every acknowledged write is there after a restart;
#   appendfsync everysec  the acknowledged writes missing after a restart
#                         span at most about one second (2 s allowed).
#
# Each writer (Python's ssl module, the test certificates) owns one list and
# RPUSHes 1, 2, 3 ... one command at a time. When its connection breaks it
# waits for the server to come back and compares the list with what was
# acknowledged: the list must be exactly 1..N, with N acknowledged or one
# more (a write in flight when the server died may have been applied).

source [file join $::kp::root tests helpers tls.tcl]

# TLS runs only: the test certificates exist only there.
if {[kp_tls_transport] eq ""} { return }

set ::aof_crash_writer {
import socket, ssl, sys, time, threading

port, certdir, prefix, nwriters, out = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                        int(sys.argv[4]), sys.argv[5])
ctx = ssl.create_default_context(cafile=certdir + "/ca.crt")
ctx.load_cert_chain(certdir + "/client.crt", certdir + "/client.key")

def connect(deadline):
    while True:
        try:
            s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
                                server_hostname="localhost")
            return s, s.makefile("rb")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)

def call(s, f, *args):
    cmd = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        cmd += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(cmd)
    return f.readline()

def read_array(f, header):
    n = int(header[1:])
    items = []
    for _ in range(n):
        ln = int(f.readline()[1:])
        items.append(f.read(ln + 2)[:-2])
    return items

results = {}

def writer(i):
    key = "%s:%d" % (prefix, i)
    s, f = connect(time.monotonic() + 10)
    acked, times = 0, []
    while True:
        try:
            reply = call(s, f, "RPUSH", key, acked + 1)
        except OSError:
            break
        if not reply.startswith(b":"):
            break
        acked += 1
        times.append(time.monotonic())
    s.close()
    # The server is being restarted: wait for it, then check.
    s, f = connect(time.monotonic() + 20)
    while True:
        reply = call(s, f, "LRANGE", key, 0, -1)
        if not reply.startswith(b"-LOADING"):
            break
        time.sleep(0.05)
    items = read_array(f, reply)
    s.close()
    n = len(items)
    ordered = items == [str(k).encode() for k in range(1, n + 1)]
    lost = max(0, acked - n)
    # The span of acknowledgements that did not survive, in ms.
    window = 0.0
    if lost:
        first_lost = times[n] if n < len(times) else times[-1]
        window = (times[-1] - first_lost) * 1000
    results[i] = "%s acked=%d present=%d ordered=%d lost=%d window_ms=%.1f" % (
        key, acked, n, int(ordered), lost, window)

threads = [threading.Thread(target=writer, args=(i,)) for i in range(nwriters)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(out, "w") as fh:
    for i in range(nwriters):
        fh.write(results.get(i, "writer %d failed" % i) + "\n")
    fh.write("done\n")
}

# Kills the innermost server with SIGKILL and starts it again on the same
# config and ports (kp_restart_server insists on a clean stop).
proc aof_crash_kill_and_restart {} {
    set i [expr {[llength $::kp::servers] - 1}]
    set s [lindex $::kp::servers $i]
    catch {[dict get $s client] close}
    lassign [kp__reap [dict get $s chan] [dict get $s pid] KILL 5000] how detail
    kp_control server-exit [dict get $s pid]
    set s [kp__start_process $s 1]
    if {[dict get $s pid] == 0} {
        lset ::kp::servers $i $s
        fail "restart after SIGKILL failed: [dict get $s start_error]"
    }
    dict set s client ""
    dict set s expect_exit 0
    lset ::kp::servers $i $s
    reconnect
}

# One round: start the writers, let them run for a random moment, kill and
# restart the server, collect each writer's report.
proc aof_crash_round {round nwriters} {
    set script [kp_tmp_path aof-crash.py]
    set f [open $script w]
    puts $f $::aof_crash_writer
    close $f
    set out [kp_tmp_path aof-crash-$round.out]
    set pid [exec [kp_python] $script [srv tls_port] [kp_tls_dir] r$round $nwriters $out \
                 >& $out.log &]
    # Wait until every writer has written something, then a random moment.
    wait_for {[r exists r$round:[expr {$nwriters - 1}]]} 10000 "writers did not start"
    after [expr {100 + int(rand() * 600)}]
    aof_crash_kill_and_restart
    set deadline [expr {[clock milliseconds] + 30000}]
    while {!([file exists $out] && [string match "*done*" [kp__read_file $out]])} {
        if {[clock milliseconds] > $deadline} {
            catch {exec kill $pid}
            fail "writers did not report:\n[kp__read_file $out.log]"
        }
        kp_sleep 20
    }
    set lines [lrange [split [string trim [kp__read_file $out]] \n] 0 end-1]
    file delete -force $out $out.log $script
    return $lines
}

proc aof_crash_field {line name} {
    if {![regexp "$name=(\\S+)" $line -> v]} { fail "writer report without $name: $line" }
    return $v
}

tags {tls keyport} {

start_server {overrides {appendonly yes appendfsync always} tags {aof}} {
    test {SIGKILL during acknowledged TLS writes, appendfsync always: nothing acknowledged is lost} {
        set total 0
        for {set round 0} {$round < 8} {incr round} {
            foreach line [aof_crash_round $round 3] {
                set acked [aof_crash_field $line acked]
                set present [aof_crash_field $line present]
                assert_equal [aof_crash_field $line ordered] 1 "$line"
                assert_equal [aof_crash_field $line lost] 0 "round $round: $line"
                # At most the one write in flight may be there unacknowledged.
                assert_range $present $acked [expr {$acked + 1}]
                incr total $acked
            }
        }
        assert_morethan $total 100
        puts "    appendfsync always: $total acknowledged writes over 8 kills, none lost"
    }
}

start_server {overrides {appendonly yes appendfsync everysec} tags {aof}} {
    test {SIGKILL during acknowledged TLS writes, appendfsync everysec: at most about 1 s lost} {
        set worst 0.0
        set lost_total 0
        set total 0
        for {set round 0} {$round < 4} {incr round} {
            foreach line [aof_crash_round $round 2] {
                assert_equal [aof_crash_field $line ordered] 1 "$line"
                set window [aof_crash_field $line window_ms]
                if {$window > $worst} { set worst $window }
                incr lost_total [aof_crash_field $line lost]
                incr total [aof_crash_field $line acked]
            }
        }
        assert_lessthan $worst 2000
        puts "    appendfsync everysec: $total acknowledged writes over 4 kills,\
              $lost_total lost, worst window ${worst} ms"
    }
}

}
