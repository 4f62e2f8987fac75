# keyport-check-rdb and keyport-check-aof (src/check_*.c) against RDB and
# AOF files written by Debian's redis-server 7.0 and by keyport, and
# Debian's redis-check-rdb / redis-check-aof against keyport's files.
# The Redis peer parts are skipped when redis-server or redis-tools are not
# installed.

set ::ct_check_rdb [file join $::kp::root src keyport-check-rdb]
set ::ct_check_aof [file join $::kp::root src keyport-check-aof]

# Copies src to dst keeping its first n bytes.
proc ct_truncated_copy {src dst n} {
    kp_write_binary $dst [string range [kp_read_binary $src] 0 [expr {$n - 1}]]
}

# Copies src to dst with the byte at offset inverted.
proc ct_flipped_copy {src dst offset} {
    set d [kp_read_binary $src]
    binary scan [string index $d $offset] cu b
    set d [string replace $d $offset $offset [binary format c [expr {$b ^ 0xff}]]]
    kp_write_binary $dst $d
}

# The offset reported after "--- RDB ERROR DETECTED ---", or -1.
proc ct_rdb_error_offset {out} {
    if {[regexp -- {--- RDB ERROR DETECTED ---\n\[offset (\d+)\] (\S[^\n]*)} $out -> off why]} {
        return $off
    }
    return -1
}

proc ct_info_count {out what} {
    if {[regexp "\\\[info\\\] (\\d+) $what" $out -> n]} { return $n }
    return -1
}

# ---- Debian's redis-server as a peer -----------------------------------------

# Runs redis-server on dir until it answers or exits. Returns "up" and the
# value of str (and stops it), or the error of kp_redis_start.
proc ct_redis_starts {dir args} {
    if {[catch {kp_redis_start $dir {*}$args} h]} { return $h }
    set v [[dict get $h client] get str]
    kp_redis_stop $h
    return "up $v"
}

if {[kp_redis_tools_missing] eq ""} {
    test {keyport-check-rdb accepts a dump written by redis-server 7.0} {
        set dir [kp_new_dir redis-rdb]
        set h [kp_redis_start $dir]
        lassign [kp_fill_dataset [dict get $h client]] keys expires
        [dict get $h client] save
        kp_redis_stop $h
        set ::ct_redis_dump $dir/dump.rdb
        lassign [kp_run_tool [list $::ct_check_rdb $dir/dump.rdb]] status out
        assert_equal $status 0 $out
        assert_match "*\\\[offset 0\\\] Checking RDB file $dir/dump.rdb*" $out
        assert_match "*AUX FIELD redis-ver = '7.0.*'*" $out
        assert_match "*AUX FIELD aof-base = '0'*" $out
        assert_match "*Selecting DB ID 0*Selecting DB ID 3*" $out
        assert_match "*Checksum OK*RDB looks OK*" $out
        assert_equal [ct_info_count $out "keys read"] $keys $out
        assert_equal [ct_info_count $out expires] $expires $out
        assert_equal [ct_info_count $out "already expired"] 0 $out
    }

    test {keyport-check-rdb rejects truncated and corrupted dumps with the offset} {
        set src $::ct_redis_dump
        set size [file size $src]
        set dir [kp_new_dir bad-rdb]
        foreach n [list 5 9 30 [expr {$size / 2}] [expr {$size - 9}] [expr {$size - 1}]] {
            ct_truncated_copy $src $dir/t.rdb $n
            lassign [kp_run_tool [list $::ct_check_rdb $dir/t.rdb]] status out
            assert_equal $status 1 "truncated to $n: $out"
            set off [ct_rdb_error_offset $out]
            assert_range $off 0 $n "truncated to $n: $out"
            assert_no_match "*RDB looks OK*" $out
        }
        # A flipped byte inside a value is caught (at the latest by the
        # CRC64 trailer); a flipped magic at once.
        foreach at [list 0 [expr {$size / 2}] [expr {$size - 12}]] {
            ct_flipped_copy $src $dir/f.rdb $at
            lassign [kp_run_tool [list $::ct_check_rdb $dir/f.rdb]] status out
            assert_equal $status 1 "flipped at $at: $out"
            assert_range [ct_rdb_error_offset $out] 0 $size "flipped at $at: $out"
        }
        # Redis' own checker agrees that these files are bad.
        lassign [kp_run_tool [list redis-check-rdb $dir/f.rdb]] status out
        assert_equal $status 1 $out
    }

    test {keyport-check-aof accepts AOF directories written by redis-server 7.0} {
        foreach preamble {yes no} {
            set dir [kp_new_dir redis-aof-$preamble]
            set h [kp_redis_start $dir --appendonly yes --aof-use-rdb-preamble $preamble \
                       --aof-timestamp-enabled yes]
            set c [dict get $h client]
            kp_fill_dataset $c
            $c bgrewriteaof
            kp_wait_aof_rewrite $c
            $c set after-rewrite 1
            $c multi
            $c incr counter
            $c incr counter
            $c exec
            kp_redis_stop $h
            set m $dir/appendonlydir/appendonly.aof.manifest
            lassign [kp_run_tool [list $::ct_check_aof $m]] status out
            assert_equal $status 0 $out
            assert_match "*All AOF files and manifest are valid*" $out
            if {$preamble} {
                assert_match "*AUX FIELD aof-base = '1'*RDB looks OK*" $out
            }
            lassign [kp_run_tool [list redis-check-aof $m]] status rout
            assert_equal $status 0 $rout
        }
    }

    test {keyport-check-aof reports a torn tail; --fix repairs it so redis-server starts} {
        set dir [kp_new_dir torn-aof]
        set h [kp_redis_start $dir --appendonly yes]
        kp_fill_dataset [dict get $h client]
        kp_redis_stop $h
        set m $dir/appendonlydir/appendonly.aof.manifest
        set incr [kp_aof_incr_path $dir/appendonlydir]
        set good [file size $incr]
        # A write cut short: a SET whose last argument is incomplete.
        kp_write_binary $incr "*3\r\n\$3\r\nSET\r\n\$5\r\ntorn!\r\n\$10\r\nonly" ab
        set torn [file size $incr]

        lassign [kp_run_tool [list $::ct_check_aof $m]] status out
        assert_equal $status 1 $out
        assert_match "*ok_up_to=$good,*diff=[expr {$torn - $good}]*" $out
        assert_match "*\\\[offset [expr {$good + 29}]\\\] unexpected end of file*" $out
        assert_match "*not valid. Use the --fix option*" $out
        assert_match "redis-server did not start*" [ct_redis_starts $dir --appendonly yes \
                                                          --aof-load-truncated no]

        # Declined: nothing changes.
        lassign [kp_run_tool [list $::ct_check_aof --fix $m] "n\n"] status out
        assert_equal $status 1 $out
        assert_match "*Continue? \\\[y/N\\\]: Aborting...*" $out
        assert_equal [file size $incr] $torn

        lassign [kp_run_tool [list $::ct_check_aof --fix $m] "y\n"] status out
        assert_equal $status 0 $out
        assert_match "*This will shrink the AOF * from $torn bytes, with [expr {$torn - $good}] bytes, to $good bytes*" $out
        assert_match "*Successfully truncated AOF*" $out
        assert_equal [file size $incr] $good
        lassign [kp_run_tool [list redis-check-aof $m]] status rout
        assert_equal $status 0 $rout
        assert_equal [ct_redis_starts $dir --appendonly yes --aof-load-truncated no] "up hello"
    }

    test {keyport-check-aof --fix never splits a transaction, like redis-check-aof} {
        set dir [kp_new_dir multi-aof]
        set h [kp_redis_start $dir --appendonly yes]
        kp_fill_dataset [dict get $h client]
        kp_redis_stop $h
        set incr [kp_aof_incr_path $dir/appendonlydir]
        kp_write_binary $incr "*1\r\n\$5\r\nMULTI\r\n*3\r\n\$3\r\nSET\r\n\$1\r\nk\r\n\$1\r\nv\r\n" ab
        file copy $dir/appendonlydir $dir/copy
        set m appendonly.aof.manifest
        lassign [kp_run_tool [list $::ct_check_aof --fix $dir/appendonlydir/$m] y] status out
        assert_equal $status 0 $out
        assert_match "*end of file inside MULTI*" $out
        lassign [kp_run_tool [list redis-check-aof --fix $dir/copy/$m] y] status rout
        assert_equal $status 0 $rout
        assert_equal [file size $incr] [file size [kp_aof_incr_path $dir/copy $m]]
    }
}

test {keyport-check-aof --truncate-to-timestamp cuts at the first later annotation} {
    set dir [kp_new_dir ts-aof]
    set cmd1 "*3\r\n\$3\r\nSET\r\n\$1\r\na\r\n\$1\r\n1\r\n"
    set multi "*1\r\n\$5\r\nMULTI\r\n$cmd1#TS:250\r\n$cmd1*1\r\n\$4\r\nEXEC\r\n"
    set body "#TS:100\r\n$cmd1#TS:200\r\n$multi$cmd1#TS:300\r\n$cmd1"
    kp_write_binary $dir/appendonly.aof.1.incr.aof $body
    kp_write_binary $dir/m "file appendonly.aof.1.incr.aof seq 1 type i\n"
    set cut_multi [string first "*1\r\n\$5\r\nMULTI" $body]
    set cut_300 [string first "#TS:300" $body]
    foreach {ts want} [list 1000 [string length $body] 300 [string length $body] \
                           299 $cut_300 250 $cut_300 249 $cut_multi 200 $cut_multi] {
        kp_write_binary $dir/appendonly.aof.1.incr.aof $body
        lassign [kp_run_tool [list $::ct_check_aof --truncate-to-timestamp $ts $dir/m]] status out
        assert_equal $status 0 "ts $ts: $out"
        assert_equal [file size $dir/appendonly.aof.1.incr.aof] $want "ts $ts: $out"
    }
    kp_write_binary $dir/appendonly.aof.1.incr.aof $body
    lassign [kp_run_tool [list $::ct_check_aof --truncate-to-timestamp 99 $dir/m]] status out
    assert_equal $status 1 $out
    assert_match "*has nothing before timestamp 99*" $out
    assert_equal [file size $dir/appendonly.aof.1.incr.aof] [string length $body]
    lassign [kp_run_tool [list $::ct_check_aof --truncate-to-timestamp soon $dir/m]] status out
    assert_equal $status 1 $out
}

test {keyport-check-aof refuses a bad manifest and names the line} {
    set dir [kp_new_dir bad-manifest]
    kp_write_binary $dir/a.1.incr.aof "*1\r\n\$4\r\nPING\r\n"
    foreach {text why} {
        "file a.1.incr.aof seq 1 type i\nfile b.aof seq\n" "*line 2*"
        "file ../a.1.incr.aof seq 1 type i\n" "*line 1*not a path*"
        "file a.1.incr.aof seq 2 type i\nfile a.1.incr.aof seq 1 type i\n" "*line 2*increase*"
        "file a.1.incr.aof seq 1 type b\nfile a.1.incr.aof seq 2 type b\n" "*line 2*second base*"
        "file a.1.incr.aof seq 1 type x\n" "*line 1*unknown file type*"
        "file a.1.incr.aof seq 1 type i" "*line 1*newline*"
    } {
        kp_write_binary $dir/m $text
        lassign [kp_run_tool [list $::ct_check_aof $dir/m]] status out
        assert_equal $status 1 "$text: $out"
        assert_match $why $out "$text: $out"
    }
    # As for Redis, a manifest is a file that starts with "file".
    kp_write_binary $dir/m "file a.1.incr.aof seq 1 type i\n# comment\nfile old.aof seq 1 type h\n"
    lassign [kp_run_tool [list $::ct_check_aof $dir/m]] status out
    assert_equal $status 0 $out
    kp_write_binary $dir/m "file missing.aof seq 1 type i\n"
    lassign [kp_run_tool [list $::ct_check_aof $dir/m]] status out
    assert_equal $status 1 $out
    assert_match "*missing.aof*No such file*" $out
}

test {The checkers' usage errors, --help and --version} {
    foreach tool [list $::ct_check_rdb $::ct_check_aof] {
        lassign [kp_run_tool [list $tool]] status out
        assert_equal $status 1 $out
        assert_match "*Usage: [file tail $tool]*" $out
        lassign [kp_run_tool [list $tool --help]] status out
        assert_equal $status 0 $out
        lassign [kp_run_tool [list $tool --version]] status out
        assert_equal $status 0 $out
        assert_match "[file tail $tool] *" $out
        lassign [kp_run_tool [list $tool [kp_tmp_path none]]] status out
        assert_equal $status 1 $out
        assert_match "*No such file*" $out
    }
    lassign [kp_run_tool [list $::ct_check_aof --fix]] status out
    assert_equal $status 1 $out
    lassign [kp_run_tool [list $::ct_check_aof --fix --truncate-to-timestamp 5 x]] status out
    assert_equal $status 1 $out
}

# ---- keyport's own files --------------------------------------------------------

start_server {tags {keyport check-tools}} {
    test {keyport-check-rdb and redis-check-rdb accept keyport's dump} {
        lassign [kp_fill_dataset [srv client]] keys expires
        r save
        set dump [file join [srv dir] dump.rdb]
        lassign [kp_run_tool [list $::ct_check_rdb $dump]] status out
        assert_equal $status 0 $out
        assert_match "*Selecting DB ID 0*Selecting DB ID 3*" $out
        assert_match "*Checksum OK*RDB looks OK*" $out
        assert_equal [ct_info_count $out "keys read"] $keys $out
        assert_equal [ct_info_count $out expires] $expires $out
        if {[auto_execok redis-check-rdb] eq ""} { kp_skip "redis-check-rdb not installed" }
        lassign [kp_run_tool [list redis-check-rdb $dump]] status rout
        assert_equal $status 0 $rout
        assert_match "*RDB looks OK*" $rout
        assert_equal [ct_info_count $rout "keys read"] $keys $rout
    }
}

start_server {tags {keyport check-tools} overrides {appendonly yes aof-timestamp-enabled yes}} {
    test {keyport-check-aof and redis-check-aof accept keyport's AOF} {
        kp_fill_dataset [srv client]
        r bgrewriteaof
        kp_wait_aof_rewrite [srv client]
        r set after-rewrite 1
        r multi
        r incr counter
        r incr counter
        r exec
        kp_wait_aof_written
        set m [file join [kp_aof_dir] appendonly.aof.manifest]
        set incr [kp_aof_incr_path]
        assert_morethan [file size $incr] 0
        lassign [kp_run_tool [list $::ct_check_aof $m]] status out
        assert_equal $status 0 $out
        assert_match "*All AOF files and manifest are valid*" $out
        assert_match "*AUX FIELD aof-base = '1'*RDB looks OK*" $out
        if {[auto_execok redis-check-aof] eq ""} { kp_skip "redis-check-aof not installed" }
        lassign [kp_run_tool [list redis-check-aof $m]] status rout
        assert_equal $status 0 $rout
    }

    test {A torn tail of keyport's AOF: refused with aof-load-truncated no, repaired by --fix} {
        set dir [kp_new_dir kp-torn]
        file copy [kp_aof_dir] $dir/appendonlydir
        set m $dir/appendonlydir/appendonly.aof.manifest
        set incr [kp_aof_incr_path $dir/appendonlydir]
        set good [file size $incr]
        kp_write_binary $incr "*2\r\n\$3\r\nDEL\r\n\$4\r\nsho" ab

        set port [kp_find_available_port]
        set args [list --port $port --bind 127.0.0.1 --dir $dir --appendonly yes \
                      --aof-load-truncated no]
        set r [kp_exec_server $args 10000]
        assert_equal [dict get $r status] 1 [dict get $r output]

        lassign [kp_run_tool [list $::ct_check_aof --fix $m] y] status out
        assert_equal $status 0 $out
        assert_equal [file size $incr] $good

        set h [kp_spawn_server $args]
        wait_for {[kp_can_connect -transport tcp -host 127.0.0.1 -port $port]} 10000 \
            "server did not start: [kp_spawned_output $h]"
        set c [kp_client -transport tcp -host 127.0.0.1 -port $port]
        set v [list [$c get str] [$c get counter] [$c dbsize]]
        $c close
        kp_stop_spawned $h
        assert_equal $v [list hello 2 [r dbsize]]
    }
}
