# Startup: --test-config, config errors naming file:line: directive, the
# command line, and the built-in default. keyport only (Redis words its
# config errors differently).

tags {keyport startup} {
    # Writes text to a fresh config file and returns its path.
    proc write_conf {name text} {
        set path [kp_tmp_path $name]
        set f [open $path w]
        puts -nonewline $f $text
        close $f
        return $path
    }

    # Runs the server on a config that must be refused; returns its output.
    proc refused_output {conf {args {}}} {
        set r [kp_exec_server [list $conf {*}$args] 10000]
        assert_equal [dict get $r status] 1 "exit status for [file tail $conf]: [dict get $r output]"
        return [dict get $r output]
    }

    test {--test-config accepts a good config and binds nothing} {
        set port [kp_find_available_port]
        set conf [write_conf good.conf "port $port\nbind 127.0.0.1\nmaxclients 100\n"]
        set r [kp_exec_server [list $conf --test-config] 10000]
        assert_equal [dict get $r status] 0 [dict get $r output]
        assert_equal [kp_can_connect -transport tcp -host 127.0.0.1 -port $port] 0
    }

    test {--test-config refuses a bad config with the reason} {
        set conf [write_conf bad.conf "port 0\nmaxclients abc\n"]
        set out [refused_output $conf --test-config]
        assert_match "*$conf:2: maxclients: *" $out
    }

    test {Unknown directive: file:line: directive: reason} {
        set conf [write_conf unknown.conf "port 0\n\n# comment\nnosuchdirective 1\n"]
        assert_match "*$conf:4: nosuchdirective: *" [refused_output $conf]
    }

    test {Bad number} {
        set conf [write_conf number.conf "port 0\ntimeout abc\n"]
        assert_match "*$conf:2: timeout: *" [refused_output $conf]
    }

    test {Number out of range} {
        set conf [write_conf range.conf "port 70000\n"]
        assert_match "*$conf:1: port: *" [refused_output $conf]
    }

    test {Bad enum value} {
        set conf [write_conf enum.conf "port 0\nloglevel loud\n"]
        set out [refused_output $conf]
        assert_match "*$conf:2: loglevel: *" $out
        assert_match "*debug*verbose*notice*warning*" $out
    }

    test {Bad boolean value} {
        set conf [write_conf bool.conf "port 0\nprotected-mode maybe\n"]
        assert_match "*$conf:2: protected-mode: *" [refused_output $conf]
    }

    test {Include of a missing file} {
        set missing [kp_tmp_path missing.conf]
        set conf [write_conf include.conf "port 0\ninclude $missing\n"]
        set out [refused_output $conf]
        assert_match "*$conf:2: include: *" $out
        assert_match "*$missing*" $out
    }

    test {An error inside an included file names that file} {
        set inner [write_conf inner.conf "timeout 1\nhz abc\n"]
        set conf [write_conf outer.conf "port 0\ninclude $inner\n"]
        assert_match "*$inner:2: hz: *" [refused_output $conf]
    }

    test {loadtransport of a missing transport} {
        set conf [write_conf loadt.conf "port 0\nloadtransport nosuchtransport\n"]
        set out [refused_output $conf]
        assert_match "*$conf:2: loadtransport: *" $out
        assert_match "*nosuchtransport*" $out
    }

    test {A bad listen line stops startup} {
        set conf [write_conf listen.conf "port 0\nlisten nosuchtransport 1234\n"]
        assert_match "*$conf:2: listen: *" [refused_output $conf]
    }

    test {A missing config file} {
        set missing [kp_tmp_path nosuch.conf]
        set r [kp_exec_server [list $missing] 10000]
        assert_equal [dict get $r status] 1
        assert_match "*$missing*" [dict get $r output]
    }

    test {Command-line errors name the option} {
        set r [kp_exec_server [list --port abc] 10000]
        assert_equal [dict get $r status] 1
        assert_match "*--port: *" [dict get $r output]
    }

    test {Command-line options override the config file} {
        set port [kp_find_available_port]
        set conf [write_conf cmdline.conf "port 0\nmaxclients 100\n"]
        set h [kp_spawn_server [list $conf --port $port --bind 127.0.0.1 --maxclients 777]]
        wait_for {[kp_can_connect -transport tcp -host 127.0.0.1 -port $port]} 10000 \
            "server did not listen on $port: [kp_spawned_output $h]"
        set c [kp_client -transport tcp -host 127.0.0.1 -port $port]
        set v [$c config get maxclients]
        $c close
        set r [kp_stop_spawned $h]
        assert_equal [dict get $r status] 0
        set v
    } {maxclients 777}

    test {Without any config the server listens on 127.0.0.1:6379} {
        if {[catch {socket -server kp__never -myaddr 127.0.0.1 6379} s]} {
            kp_skip "port 6379 is in use"
        }
        close $s
        set h [kp_spawn_server {}]
        set ok [expr {![catch {
            wait_for {[kp_can_connect -transport tcp -host 127.0.0.1 -port 6379]} 10000
        }]}]
        set out [kp_spawned_output $h]
        set r [kp_stop_spawned $h]
        assert $ok "no answer on 127.0.0.1:6379: $out"
        assert_match "*127.0.0.1:6379*" $out
        dict get $r status
    } {0}
}
