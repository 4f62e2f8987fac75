# Debian's redis-cli against the server: one-shot commands, -x, -n,
# --scan, --pipe. Skipped when redis-cli is not installed.

start_server {tags {needs:redis-cli cli}} {
    # Runs redis-cli connected to this server with args; stdin from input.
    # Returns stdout and stderr together; ::cli_status is the exit status.
    proc cli {args} {
        set input ""
        if {[lindex $args 0] eq "-input"} {
            set input [lindex $args 1]
            set args [lrange $args 2 end]
        }
        set cmd [list [kp_redis_cli] {*}[kp_redis_cli_args] {*}$args]
        set ::cli_status 0
        if {[catch {exec {*}$cmd << $input 2>@1} out opts]} {
            set ec [dict get $opts -errorcode]
            if {[lindex $ec 0] ne "CHILDSTATUS"} { error $out }
            set ::cli_status [lindex $ec 2]
            regsub {\nchild process exited abnormally$} $out {} out
        }
        return $out
    }

    test {redis-cli one-shot commands} {
        assert_equal [cli set clikey hello] OK
        assert_equal [cli get clikey] hello
        assert_equal [cli incr clicounter] 1
        assert_equal [cli ping] PONG
        cli mget clikey nosuchkey
    } "hello\n"

    test {redis-cli shows error replies} {
        string trim [cli nosuchcommand]
    } {ERR unknown command 'nosuchcommand', with args beginning with:}

    test {redis-cli -n selects a database} {
        cli -n 2 set indb2 yes
        assert_equal [r get indb2] {}
        r select 2
        set v [r get indb2]
        r select 0
        set v
    } {yes}

    test {redis-cli -x reads the last argument from stdin} {
        cli -input "line one\nline two" -x set fromstdin
        r get fromstdin
    } "line one\nline two"

    test {redis-cli --scan --pattern} {
        r flushdb
        for {set i 0} {$i < 200} {incr i} { r set scan:$i x }
        r set other x
        set keys [split [string trim [cli --scan --pattern scan:1*]] "\n"]
        assert_equal [llength $keys] 111
        assert_equal [llength [split [string trim [cli --scan]] "\n"]] 201
    }

    test {redis-cli --pipe mass insertion} {
        r flushdb
        set proto ""
        for {set i 0} {$i < 10000} {incr i} {
            append proto "*3\r\n\$3\r\nSET\r\n\$[string length mass:$i]\r\nmass:$i\r\n\$[string length $i]\r\n$i\r\n"
        }
        set out [cli -input $proto --pipe]
        assert_match "*errors: 0, replies: 10000*" $out
        assert_equal $::cli_status 0
        list [r dbsize] [r get mass:9999]
    } {10000 9999}

    test {redis-cli --pipe reports errors} {
        set out [cli -input "*2\r\n\$4\r\nINCR\r\n\$7\r\nmass:no\r\nSET x\r\n" --pipe]
        assert_match "*ERR wrong number of arguments for 'set' command*" $out
        assert_match "*errors: 1, replies: 2*" $out
        set ::cli_status
    } {1}

    test {redis-cli INFO} {
        assert_match "*redis_version:*" [cli info server]
    }
}
