# keyport-cli against the server under test, over the run's transport (tcp,
# unix, openssl, gnutls): one-shot mode, output formats, -x, -r, -e, --pipe,
# the keyspace and latency tools, URIs, AUTH, interactive mode under a
# pseudo-terminal, TLS failures with their explanations, and Debian's
# redis-server as a peer (plain and TLS, RESP3 types).

set ::kcli_bin [file join $::kp::root src keyport-cli]

# The connection options for the server at level, as a user would type them.
proc kcli_args {{level 0}} {
    set t [srv $level transport]
    switch -- $t {
        tcp { return [list -h 127.0.0.1 -p [srv $level port]] }
        unix { return [list -s [srv $level unixsocket]] }
        default {
            return [list -h 127.0.0.1 -p [srv $level tls_port] --tls --tls-transport $t \
                        --cacert [kp_tls_file ca] --cert [kp_tls_file client_cert] \
                        --key [kp_tls_file client_key]]
        }
    }
}

# Sets the environment variables of the list {K V ...}; returns what
# kcli_env_restore needs to put them back.
proc kcli_env_set {env} {
    set saved {}
    foreach {k v} $env {
        lappend saved $k [expr {[info exists ::env($k)] ? [list 1 $::env($k)] : [list 0 {}]}]
        set ::env($k) $v
    }
    return $saved
}

proc kcli_env_restore {saved} {
    foreach {k s} $saved {
        lassign $s had v
        if {$had} { set ::env($k) $v } else { unset -nocomplain ::env($k) }
    }
}

# Runs keyport-cli with args (no connection options added). Options before
# args: -input DATA (stdin), -env {K V ...}, -stderr (return stderr only).
# Returns stdout (and stderr unless -stderr); ::kcli_status is the exit
# status.
proc kcli_raw {args} {
    set input ""
    set env {}
    set only_stderr 0
    while 1 {
        switch -- [lindex $args 0] {
            -input { set input [lindex $args 1]; set args [lrange $args 2 end] }
            -env { set env [lindex $args 1]; set args [lrange $args 2 end] }
            -stderr { set only_stderr 1; set args [lrange $args 1 end] }
            default break
        }
    }
    set saved [kcli_env_set $env]
    set errfile [kp_tmp_path cli.err]
    set infile [kp_tmp_path cli.in]
    set h [open $infile wb]
    puts -nonewline $h $input
    close $h
    set ::kcli_status 0
    set rc [catch {exec timeout 30 $::kcli_bin {*}$args < $infile 2> $errfile} out opts]
    kcli_env_restore $saved
    file delete -force $infile
    if {$rc} {
        set ec [dict get $opts -errorcode]
        if {[lindex $ec 0] ne "CHILDSTATUS"} {
            file delete -force $errfile
            error $out
        }
        set ::kcli_status [lindex $ec 2]
        regsub {\n?child process exited abnormally$} $out {} out
    }
    set err [string trimright [kp__read_file $errfile] "\n"]
    file delete -force $errfile
    if {$only_stderr} { return $err }
    if {$err eq ""} { return $out }
    if {$out eq ""} { return $err }
    return "$out\n$err"
}

# keyport-cli connected to the innermost server.
proc kcli {args} {
    set pre {}
    while {[lindex $args 0] in {-input -env}} {
        lappend pre {*}[lrange $args 0 1]
        set args [lrange $args 2 end]
    }
    if {[lindex $args 0] eq "-stderr"} {
        lappend pre -stderr
        set args [lrange $args 1 end]
    }
    return [kcli_raw {*}$pre {*}[kcli_args] {*}$args]
}

# Runs keyport-cli under a pseudo-terminal (Python's pty module): each
# element of inputs is typed once the output has been quiet for a moment
# (an element made by kcli_tty_run is a command run at that point instead).
# Returns everything the terminal showed, CRs removed.
proc kcli_tty {inputs args} {
    set script {
import os, pty, sys, time, select, fcntl, termios, struct, signal, subprocess
timeout = float(sys.argv[1])
inputs = [s.encode().decode("unicode_escape").encode("latin-1") for s in sys.argv[2].split("\x1f") if s]
argv = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm"
    os.execv(argv[0], argv)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
out = b""
deadline = time.time() + timeout
def pump(quiet):
    global out
    last = time.time()
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                d = os.read(fd, 65536)
            except OSError:
                return False
            if not d:
                return False
            out += d
            last = time.time()
        elif time.time() - last >= quiet:
            return True
    return True
alive = pump(0.6)
for s in inputs:
    if not alive:
        break
    if s.startswith(b"\x01"):
        # Not typed: a command run meanwhile (e.g. a PUBLISH from elsewhere).
        subprocess.run(s[1:].decode("latin-1").split("\x02"), stdout=subprocess.DEVNULL)
    else:
        os.write(fd, s)
    alive = pump(0.4)
while alive and time.time() < deadline:
    if os.waitpid(pid, os.WNOHANG)[0]:
        pump(0.1)
        break
    alive = pump(0.2)
try:
    os.kill(pid, signal.SIGKILL)
except OSError:
    pass
sys.stdout.write(out.decode("latin-1"))
}
    set f [kp_tmp_path tty.py]
    set h [open $f w]
    puts $h $script
    close $h
    set env {}
    if {[lindex $args 0] eq "-env"} {
        set env [lindex $args 1]
        set args [lrange $args 2 end]
    }
    set saved [kcli_env_set $env]
    set rc [catch {exec [kp_python] $f 15 [join $inputs "\x1f"] $::kcli_bin {*}$args} out]
    kcli_env_restore $saved
    file delete -force $f
    if {$rc} { error "pty driver: $out" }
    return [string map {"\r" ""} $out]
}

# An input element of kcli_tty that runs argv instead of typing.
proc kcli_tty_run {argv} {
    return "\x01[join $argv \x02]"
}

proc kcli_have_redis_server {} {
    return [expr {[auto_execok redis-server] ne ""}]
}

start_server {tags {cli} overrides {enable-debug-command yes}} {
    test {keyport-cli one-shot commands print bare replies when piped} {
        assert_equal [kcli set clik hello] OK
        assert_equal [kcli get clik] hello
        assert_equal [kcli incr clicnt] 1
        assert_equal [kcli ping] PONG
        assert_equal $::kcli_status 0
        kcli mget clik nosuchkey
    } "hello\n"

    test {keyport-cli prints error replies, and -e turns them into exit status 1} {
        set out [kcli nosuchcommand]
        assert_match "ERR unknown command*" $out
        assert_equal $::kcli_status 0
        set err [kcli -stderr -e nosuchcommand]
        assert_match "ERR unknown command*" $err
        assert_equal $::kcli_status 1
        kcli -e ping
        set ::kcli_status
    } {0}

    test {keyport-cli -x reads the last argument from stdin} {
        kcli -input "line one\nline two\n" -x set fromstdin
        r get fromstdin
    } "line one\nline two\n"

    test {keyport-cli -x keeps binary bytes} {
        set data "a\x00b\r\n\xffz"
        kcli -input $data -x set binkey
        expr {[r get binkey] eq $data}
    } {1}

    test {keyport-cli -r repeats and -i paces the repeats} {
        r del rcnt
        set start [clock milliseconds]
        set out [kcli -r 3 -i 0.2 incr rcnt]
        set ms [expr {[clock milliseconds] - $start}]
        assert_equal $out "1\n2\n3"
        assert_morethan_equal $ms 400
    }

    test {keyport-cli -n selects a database} {
        kcli -n 5 set indb5 yes
        assert_equal [r get indb5] {}
        r select 5
        set v [r get indb5]
        r select 0
        set v
    } {yes}

    test {keyport-cli --no-raw shows types even when piped} {
        r set nr v
        r del nothere
        assert_equal [kcli --no-raw get nr] {"v"}
        assert_equal [kcli --no-raw get nothere] {(nil)}
        assert_equal [kcli --no-raw incr nrcnt] {(integer) 1}
        assert_equal [kcli --no-raw mget nr nothere] "1) \"v\"\n2) (nil)"
        assert_match {(error) ERR unknown command*} [kcli --no-raw nosuchcommand]
        kcli --no-raw set nr2 "a\nb\"c"
        kcli --no-raw get nr2
    } {"a\nb\"c"}

    test {keyport-cli --csv and --json} {
        r set j1 "x\"y"
        r del j2
        assert_equal [kcli --csv mget j1 j2] {"x\"y",NULL}
        assert_equal [kcli --json mget j1 j2] {["x\"y",null]}
        assert_equal [kcli --json incr jcnt] {1}
        assert_match {ERROR,"ERR unknown command*} [kcli --csv nosuchcommand]
        assert_match {error:"ERR unknown command*} [kcli --json nosuchcommand]
        set j [kcli -3 --json hello 3]
        assert_match {\{"server":*,"proto":3,*\}} $j
    }

    test {keyport-cli -d and -D delimiters in raw mode} {
        r mset d1 a d2 b
        assert_equal [kcli -d , mget d1 d2] "a,b"
        kcli -D ";" -r 2 get d1
    } "a;a;"

    test {keyport-cli RESP3 map formatting with -3} {
        set out [kcli -3 --no-raw hello 3]
        assert_match "1# \"server\" => *" $out
        assert_match "*# \"proto\" => (integer) 3*" $out
    }

    test {keyport-cli shows every RESP3 type (DEBUG PROTOCOL)} {
        if {[catch {r debug protocol map} e]} { kp_skip "no DEBUG PROTOCOL: $e" }
        set got {}
        foreach {type want} {
            string {"Hello World"}
            integer {(integer) 12345}
            double {(double) 3.141}
            bignum {(big number) 1234567999999999999999999999999999999}
            null {(nil)}
            array "1) (integer) 0\n2) (integer) 1\n3) (integer) 2"
            set "1~ (integer) 0\n2~ (integer) 1\n3~ (integer) 2"
            map "1# (integer) 0 => (false)\n2# (integer) 1 => (true)\n3# (integer) 2 => (false)"
            true {(true)}
            false {(false)}
            verbatim "This is a verbatim\nstring"
        } {
            set out [kcli -3 --no-raw debug protocol $type]
            if {$out ne $want} { lappend got "$type: '$out' (want '$want')" }
        }
        assert_equal $got {}
        # An attribute is shown before the reply it annotates; a push
        # message before the reply that follows it (--show-pushes).
        assert_match "(attribute) 1# \"key-popularity\" =>*\"Some real reply following the attribute\"" \
            [kcli -3 --no-raw debug protocol attrib]
        assert_equal [kcli -3 --no-raw --show-pushes yes debug protocol push] \
            "1) \"server-cpu-usage\"\n2) (integer) 42\n\"Some real reply following the push reply\""
        assert_equal [kcli -3 debug protocol push] "Some real reply following the push reply"
        assert_equal [kcli -3 --json debug protocol map] {{"0":false,"1":true,"2":false}}
        assert_equal [kcli -3 --csv debug protocol set] {0,1,2}
        kcli -3 debug protocol bignum
    } {1234567999999999999999999999999999999}

    test {keyport-cli SUBSCRIBE prints confirmations, then messages} {
        if {[catch {r publish nobody x} e]} { kp_skip "no pub/sub: $e" }
        set sub [open |[list timeout 3 $::kcli_bin {*}[kcli_args] subscribe ch1 ch2] r]
        wait_for {[r publish ch2 probe] > 0} 3000
        r publish ch1 hello
        set out [read $sub]
        catch {close $sub}
        set out
    } "subscribe\nch1\n1\nsubscribe\nch2\n2\nmessage\nch2\nprobe\nmessage\nch1\nhello\n"

    test {keyport-cli interactive RESP3 pub/sub: push messages shown, Ctrl-C returns to the prompt} {
        if {[catch {r publish nobody x} e]} { kp_skip "no pub/sub: $e" }
        set pub [list $::kcli_bin {*}[kcli_args] publish news flash]
        set out [kcli_tty [list "subscribe news\r" [kcli_tty_run $pub] "\x03" "ping\r" "quit\r"] \
                     -3 {*}[kcli_args]]
        assert_match "*1) \"subscribe\"\n2) \"news\"\n3) (integer) 1\n*" $out
        assert_match "*Reading messages... (press Ctrl-C to quit)*" $out
        assert_match "*1) \"message\"\n2) \"news\"\n3) \"flash\"\n*" $out
        assert_match "*PONG*" $out
    }

    test {keyport-cli --pipe mass insertion with its summary} {
        r flushdb
        set proto ""
        for {set i 0} {$i < 20000} {incr i} {
            append proto "*3\r\n\$3\r\nSET\r\n\$[string length mass:$i]\r\nmass:$i\r\n\$[string length $i]\r\n$i\r\n"
        }
        set out [kcli -input $proto --pipe]
        assert_match "*All data transferred. Waiting for the last reply...*" $out
        assert_match "*errors: 0, replies: 20000*" $out
        assert_equal $::kcli_status 0
        list [r dbsize] [r get mass:19999]
    } {20000 19999}

    test {keyport-cli --pipe counts errors and exits 1} {
        set out [kcli -input "SET a 1\r\nNOSUCHCMD\r\n*2\r\n\$3\r\nGET\r\n\$1\r\na\r\n" --pipe]
        assert_match "*ERR unknown command*" $out
        assert_match "*errors: 1, replies: 3*" $out
        set ::kcli_status
    } {1}

    test {keyport-cli --scan with --pattern and --count} {
        r flushdb
        for {set i 0} {$i < 150} {incr i} { r set scan:$i x }
        r set other x
        set keys [lsort [split [string trim [kcli --scan --pattern scan:1* --count 7]] "\n"]]
        assert_equal [llength $keys] 61
        assert_equal [lindex $keys 0] scan:1
        llength [split [string trim [kcli --scan --count 1000]] "\n"]
    } {151}

    test {keyport-cli --bigkeys reports the biggest string} {
        r flushdb
        r set small x
        r set big [string repeat y 500]
        set out [kcli --bigkeys]
        assert_equal $::kcli_status 0
        assert_match "*Biggest string found so far '\"big\"' with 500 bytes*" $out
        assert_match "*Sampled 2 keys in the keyspace!*" $out
        assert_match "*2 strings with 501 bytes*" $out
    }

    test {keyport-cli --memkeys, or a clear error without MEMORY USAGE} {
        r set mk v
        if {[catch {r memory usage mk} err]} {
            set out [kcli --memkeys]
            assert_match "*--memkeys needs the MEMORY USAGE command, which this server refused: ERR*" $out
            assert_equal $::kcli_status 1
        } else {
            set out [kcli --memkeys]
            assert_match "*Biggest string found*bytes*" $out
            assert_equal $::kcli_status 0
        }
    }

    test {keyport-cli --latency prints min max avg samples when piped} {
        set out [kcli --latency -i 0.3]
        assert_equal $::kcli_status 0
        assert_match {[0-9]* [0-9]* [0-9]*.[0-9][0-9] [0-9]*} $out
        set samples [lindex $out 3]
        assert_morethan $samples 5
        set csv [kcli --latency --csv -i 0.2]
        assert_match {[0-9]*,[0-9]*,[0-9]*.[0-9][0-9],[0-9]*} $csv
    }

    test {keyport-cli --latency-history and --latency-dist keep reporting} {
        catch {exec timeout 1.3 $::kcli_bin {*}[kcli_args] --latency-history -i 0.4} out
        assert_morethan_equal [llength [split [string trim $out] "\n"]] 2
        catch {exec timeout 1.5 $::kcli_bin {*}[kcli_args] --latency-dist -i 0.4} out
        assert_match "*K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds*" $out
    }

    test {keyport-cli --stat prints a line per interval} {
        catch {exec timeout 1.2 $::kcli_bin {*}[kcli_args] --stat -i 0.3} out
        assert_match "*keys       mem      clients blocked requests*" $out
        set rows [regexp -all -line {^[0-9]+ +[0-9.]+[BKMG] +[0-9]+ +[0-9]+ +[0-9]+ \(\+[0-9]+\)} $out]
        assert_morethan_equal $rows 2
    }

    test {keyport-cli --rdb saves a snapshot, or explains that SYNC is missing} {
        set f [kp_tmp_path dump.rdb]
        set out [kcli --rdb $f]
        if {[string match "*does not support SYNC*" $out]} {
            assert_match "*the server does not support SYNC/PSYNC (ERR unknown command*" $out
            assert_equal $::kcli_status 1
        } else {
            assert_equal $::kcli_status 0
            assert_match "*Transfer finished with success*" $out
            set h [open $f rb]
            set magic [read $h 5]
            close $h
            assert_equal $magic REDIS
        }
        file delete -force $f
    }

    test {keyport-cli --replica explains a server without SYNC} {
        if {![catch {r sync} e] || ![string match "*unknown command*" $e]} {
            # Reconnect r: a SYNC that worked made it a replica link.
            reconnect
            kp_skip "the server supports SYNC (covered by the redis-server peer test)"
        }
        set out [kcli --replica]
        assert_match "*Entering replica output mode*" $out
        assert_match "*the server does not support SYNC/PSYNC*" $out
        set ::kcli_status
    } {1}

    test {keyport-cli URI forms} {
        r set urikey u
        r select 4
        r set uridb here
        r select 0
        set t [srv transport]
        switch -- $t {
            tcp {
                assert_equal [kcli_raw -u redis://127.0.0.1:[srv port] get urikey] u
                assert_equal [kcli_raw -u redis://127.0.0.1:[srv port]/4 get uridb] here
            }
            unix {
                assert_equal [kcli_raw -u unix://[srv unixsocket] get urikey] u
                assert_equal [kcli_raw -u unix://[srv unixsocket]?db=4 get uridb] here
            }
            default {
                set tls [list --tls-transport $t --cacert [kp_tls_file ca] \
                             --cert [kp_tls_file client_cert] --key [kp_tls_file client_key]]
                assert_equal [kcli_raw -u rediss://127.0.0.1:[srv tls_port]/4 {*}$tls get uridb] here
            }
        }
        set out [kcli_raw -u http://127.0.0.1:1 ping]
        assert_match "*unsupported URI scheme*" $out
        assert_equal $::kcli_status 1
        kcli_raw -u redis://127.0.0.1:70000 ping
        set ::kcli_status
    } {1}

    test {keyport-cli connection failure message and exit status} {
        set out [kcli_raw -h 127.0.0.1 -p 1 ping]
        assert_equal $::kcli_status 1
        set out
    } {Could not connect to keyport at 127.0.0.1:1: Connection refused}

    test {keyport-cli --help covers every option} {
        set help [kcli_raw --help]
        assert_equal $::kcli_status 0
        foreach opt {-h -p -s -a -u -n -2 -3 -t -r -i -x -e -d -D --pass --askpass --user
                     --no-auth-warning --tls --tls-transport --sni --cacert --cacertdir
                     --insecure --cert --key --tls-ciphers --tls-ciphersuites --tls-protocols
                     --raw --no-raw --csv --json --quoted-json --show-pushes --pipe
                     --pipe-timeout --scan --pattern --count --bigkeys --memkeys --latency
                     --latency-history --latency-dist --stat --rdb --replica --help --version} {
            if {![regexp -line "^  [string map {- \\-} $opt]\[ ,<]" $help] &&
                ![regexp -line "^  -v, --version" $help]} {
                fail "--help does not describe $opt"
            }
        }
        kcli_raw --no-such-option
        set ::kcli_status
    } {1}

    test {keyport-cli interactive mode: prompt, replies, help, hints, completion, history} {
        set home [kp_tmp_path home]
        file mkdir $home
        set out [kcli_tty [list "set ttykey 1\r" "incr ttykey\r" "get nosuch\r" \
                               "help get\r" "set \x15" "ge\t" "\t\x15" "auth secretword\r" \
                               "quit\r"] \
                     -env [list HOME $home KEYPORTCLI_HISTFILE ""] {*}[kcli_args]]
        assert_match "*\nOK\n*" $out
        assert_match "*(integer) 2\n*" $out
        assert_match "*(nil)\n*" $out
        # HELP comes from the server's COMMAND DOCS.
        assert_match "*GET*key\n  summary: Get the value of a key\n*" $out
        # The hint after "set " shows the arguments still to type.
        assert_match "*key value*" $out
        # TAB on "ge" lists the completions.
        assert_match "*get*getdel*" $out
        set hist [kp__read_file [file join $home .keyportcli_history]]
        assert {[string first {set\040ttykey\0401} $hist] >= 0}
        assert_no_match "*secretword*" $hist
        file delete -force $home
    }

    test {keyport-cli interactive mode: CONNECT, lost connection and reconnection} {
        set args [kcli_args]
        set out [kcli_tty [list "connect 127.0.0.1 1\r" "ping\r" "quit\r"] {*}$args]
        assert_match "*Could not connect to keyport at 127.0.0.1:1: Connection refused*" $out
        assert_match "*not connected> *" $out
        # Killed by the server: the next command reconnects.
        set out [kcli_tty [list "client kill type normal skipme no\r" "ping\r" "quit\r"] {*}$args]
        reconnect
        assert_match "*(integer) *PONG*" $out
    }

    test {keyport-cli reads commands from stdin when it is not a terminal} {
        kcli -input "set piped 1\nincr piped\nget piped\n"
    } "OK\n2\n2"
}

start_server {tags {cli} overrides {requirepass clisecret}} {
    test {keyport-cli AUTH from -a, KEYPORTCLI_AUTH and REDISCLI_AUTH} {
        set out [kcli -a clisecret ping]
        assert_match "*Warning: a password on the command line*" $out
        assert_match "PONG*" $out
        assert_equal [kcli -a clisecret --no-auth-warning ping] PONG
        assert_equal [kcli -env {KEYPORTCLI_AUTH clisecret} ping] PONG
        assert_equal [kcli -env {REDISCLI_AUTH clisecret} ping] PONG
        set out [kcli -a wrong --no-auth-warning ping]
        assert_match "AUTH failed: WRONGPASS*" $out
        set ::kcli_status
    } {1}

    test {keyport-cli --askpass reads the password from the terminal without echo} {
        set out [kcli_tty [list "clisecret\r" "ping\r" "quit\r"] --askpass {*}[kcli_args]]
        assert_match "*Please input password: *" $out
        assert_no_match "*clisecret*" $out
        assert_match "*PONG*" $out
    }
}

# ---- TLS failures, explained (runs under --transport openssl|gnutls) --------

# A TCP listener that answers anything with a RESP error (a plaintext
# server), or says nothing at all (mode silent). Returns {socket port}.
proc kcli_fake_server {mode} {
    set port [kp_find_available_port]
    set s [socket -server [list kcli_fake_accept $mode] -myaddr 127.0.0.1 $port]
    return [list $s $port]
}

proc kcli_fake_accept {mode fd addr port} {
    fconfigure $fd -blocking 0 -translation binary
    if {$mode eq "plaintext"} {
        fileevent $fd readable [list kcli_fake_answer $fd]
    } else {
        after 5000 [list catch [list close $fd]]
    }
}

proc kcli_fake_answer {fd} {
    catch {read $fd}
    catch {puts -nonewline $fd "-ERR unknown command\r\n"; flush $fd}
    after 500 [list catch [list close $fd]]
}

# keyport-cli in the background (the fake servers run in this event loop).
proc kcli_bg {args} {
    set errfile [kp_tmp_path cli.err]
    set h [open |[list timeout 20 $::kcli_bin {*}$args 2> $errfile] r]
    fconfigure $h -blocking 0
    set ::kcli_bg_done 0
    fileevent $h readable [list kcli_bg_read $h]
    vwait ::kcli_bg_done
    fconfigure $h -blocking 1
    set ::kcli_status 0
    if {[catch {close $h} e opts]} {
        set ec [dict get $opts -errorcode]
        if {[lindex $ec 0] eq "CHILDSTATUS"} { set ::kcli_status [lindex $ec 2] }
    }
    set err [kp__read_file $errfile]
    file delete -force $errfile
    return $err
}

proc kcli_bg_read {h} {
    read $h
    if {[eof $h]} { set ::kcli_bg_done 1 }
}

start_server {tags {cli tls}} {
    set t [srv transport]
    set ca [kp_tls_file ca]
    set crt [kp_tls_file client_cert]
    set key [kp_tls_file client_key]
    set base [list -h 127.0.0.1 -p [srv tls_port] --tls --tls-transport $t]

    test "keyport-cli --tls ($t): a server certificate from an unknown CA" {
        set out [kcli_raw {*}$base --cacert [kp_tls_file other-ca.crt] --cert $crt --key $key ping]
        assert_equal $::kcli_status 1
        assert_match "Could not connect to keyport at 127.0.0.1:*: TLS handshake*" $out
        assert_match "*(the server certificate is not trusted: check --cacert*" $out
    }

    test "keyport-cli --tls ($t): the name to verify (--sni) does not match" {
        set out [kcli_raw {*}$base --cacert $ca --cert $crt --key $key --sni wrong.example ping]
        assert_equal $::kcli_status 1
        assert_match "*not trusted*" $out
    }

    test "keyport-cli --tls ($t): no client certificate where one is required" {
        set out [kcli_raw {*}$base --cacert $ca ping]
        assert_equal $::kcli_status 1
        assert_match "*the server requires a client certificate: use --cert and --key*" $out
    }

    test "keyport-cli --tls ($t): a plaintext server" {
        lassign [kcli_fake_server plaintext] s port
        set err [kcli_bg -h 127.0.0.1 -p $port --tls --tls-transport $t --cacert $ca ping]
        close $s
        assert_equal $::kcli_status 1
        assert_match "*the server does not speak TLS on this port: plaintext port?*" $err
    }

    test "keyport-cli --tls ($t): a server that never answers the handshake" {
        lassign [kcli_fake_server silent] s port
        set err [kcli_bg -h 127.0.0.1 -p $port --tls --tls-transport $t --cacert $ca -t 1 ping]
        close $s
        assert_equal $::kcli_status 1
        assert_match "*TLS handshake timed out after 1000 ms*plaintext port?*" $err
    }

    test "keyport-cli --tls ($t): a missing CA file names the option" {
        set out [kcli_raw {*}$base --cacert /nonexistent/ca.crt ping]
        assert_equal $::kcli_status 1
        assert_match "*--cacert '/nonexistent/ca.crt': cannot open*" $out
    }

    # Without --cacert the client trusts only the system store, which does
    # not hold the test CA: --insecure skips certificate and name checks.
    foreach ct {openssl gnutls} {
        test "keyport-cli --tls ($t server, $ct client): --insecure without the server's CA" {
            if {![kp_transport_available $ct]} { kp_skip "$ct transport not built" }
            set cbase [list -h 127.0.0.1 -p [srv tls_port] --tls --tls-transport $ct \
                           --cert $crt --key $key]
            set out [kcli_raw {*}$cbase ping]
            assert_equal $::kcli_status 1
            assert_match "*the server certificate is not trusted*" $out
            assert_equal [kcli_raw {*}$cbase --insecure ping] PONG
            assert_equal $::kcli_status 0
            assert_equal [kcli_raw {*}$cbase --insecure --sni wrong.example ping] PONG
            assert_equal $::kcli_status 0
        }
    }

    test "keyport-cli without --tls on a TLS port" {
        set out [kcli_raw -h 127.0.0.1 -p [srv tls_port] ping]
        assert_match "*TLS*" $out
    } {} {keyport}
}

# ---- Debian's redis-server as a peer ------------------------------------------

# Starts /usr/bin/redis-server with args on free ports. Returns a dict with
# port (plain, or 0), tls_port (or 0), chan, pid, log.
proc kcli_start_redis {tls} {
    set port [kp_find_available_port]
    set log [kp_tmp_path redis.log]
    set argv [list redis-server --bind 127.0.0.1 --save "" --appendonly no \
                  --enable-debug-command yes --dir [kp_tmp_dir] --logfile $log]
    set tls_port 0
    if {$tls} {
        set tls_port [kp_find_available_port]
        lappend argv --port $port --tls-port $tls_port --tls-cert-file [kp_tls_file server_cert] \
            --tls-key-file [kp_tls_file server_key] --tls-ca-cert-file [kp_tls_file ca]
    } else {
        lappend argv --port $port
    }
    lassign [kp__spawn $argv $log.out $log.err] chan pid
    kp_control server $pid
    set deadline [expr {[clock milliseconds] + 10000}]
    while {[clock milliseconds] < $deadline} {
        if {![catch {exec $::kcli_bin -p $port ping} r] && $r eq "PONG"} break
        after 50
    }
    return [dict create port $port tls_port $tls_port chan $chan pid $pid log $log]
}

proc kcli_stop_redis {h} {
    kp__reap [dict get $h chan] [dict get $h pid]
    kp_control server-exit [dict get $h pid]
    foreach f [list [dict get $h log] [dict get $h log].out [dict get $h log].err] {
        file delete -force $f
    }
}

if {[kcli_have_redis_server]} {
    test {keyport-cli against Debian's redis-server: every RESP3 type} {
        set h [kcli_start_redis 0]
        set p [list -h 127.0.0.1 -p [dict get $h port]]
        set got {}
        foreach {type want} {
            string {"Hello World"}
            integer {(integer) 12345}
            double {(double) 3.141}
            bignum {(big number) 1234567999999999999999999999999999999}
            null {(nil)}
            array "1) (integer) 0\n2) (integer) 1\n3) (integer) 2"
            set "1~ (integer) 0\n2~ (integer) 1\n3~ (integer) 2"
            map "1# (integer) 0 => (false)\n2# (integer) 1 => (true)\n3# (integer) 2 => (false)"
            true {(true)}
            false {(false)}
            verbatim "This is a verbatim\nstring"
        } {
            set out [kcli_raw {*}$p -3 --no-raw debug protocol $type]
            if {$out ne $want} { lappend got "$type: '$out' (want '$want')" }
        }
        # An attribute is shown before the reply it annotates; a push
        # message before the reply that follows it.
        set attr [kcli_raw {*}$p -3 --no-raw debug protocol attrib]
        set push [kcli_raw {*}$p -3 --no-raw --show-pushes yes debug protocol push]
        set json [kcli_raw {*}$p -3 --json debug protocol map]
        kcli_stop_redis $h
        assert_equal $got {}
        assert_match "(attribute) 1# \"key-popularity\" =>*\"Some real reply following the attribute\"" $attr
        assert_match "1) \"server-cpu-usage\"\n2) (integer) 42\n\"Some real reply following the push reply\"" $push
        set json
    } {{"0":false,"1":true,"2":false}}

    test {keyport-cli against Debian's redis-server: pub/sub, --rdb and --replica} {
        set h [kcli_start_redis 0]
        set port [dict get $h port]
        set p [list -h 127.0.0.1 -p $port]
        # SUBSCRIBE: confirmations, then messages, until the process ends.
        set sub [open |[list timeout 3 $::kcli_bin {*}$p subscribe ch1 ch2] r]
        after 800
        kcli_raw {*}$p publish ch1 hello
        kcli_raw {*}$p publish ch2 world
        set out [read $sub]
        catch {close $sub}
        set f [kp_tmp_path peer.rdb]
        set rdb [kcli_raw {*}$p --rdb $f]
        set rdb_status $::kcli_status
        set magic ""
        if {[file exists $f]} {
            set fh [open $f rb]
            set magic [read $fh 5]
            close $fh
            file delete -force $f
        }
        kcli_raw {*}$p config set repl-diskless-sync no
        set rep [open |[list timeout 4 $::kcli_bin {*}$p --replica 2>@1] r]
        after 1500
        kcli_raw {*}$p set replkey "a b"
        set repout [read $rep]
        catch {close $rep}
        kcli_stop_redis $h
        assert_equal $out "subscribe\nch1\n1\nsubscribe\nch2\n2\nmessage\nch1\nhello\nmessage\nch2\nworld\n"
        assert_equal $rdb_status 0
        assert_match "*Transfer finished with success after*" $rdb
        assert_equal $magic REDIS
        assert_match "*\"set\",\"replkey\",\"a b\"*" $repout
    }

    tags {needs:openssl} {
        test {keyport-cli --tls talks to Debian's redis-server --tls-port (openssl and gnutls)} {
            set h [kcli_start_redis 1]
            set res {}
            foreach t {openssl gnutls} {
                if {![kp_transport_available $t]} continue
                lappend res $t [kcli_raw -h 127.0.0.1 -p [dict get $h tls_port] --tls \
                                    --tls-transport $t --cacert [kp_tls_file ca] \
                                    --cert [kp_tls_file client_cert] \
                                    --key [kp_tls_file client_key] ping]
                lappend res [kcli_raw -u rediss://127.0.0.1:[dict get $h tls_port] \
                                 --tls-transport $t --cacert [kp_tls_file ca] \
                                 --cert [kp_tls_file client_cert] --key [kp_tls_file client_key] \
                                 -3 --json hello 3]
            }
            kcli_stop_redis $h
            foreach {t ping hello} $res {
                assert_equal $ping PONG "$t"
                assert_match {\{"server":"redis",*"proto":3,*\}} $hello
            }
        }
    }
}
