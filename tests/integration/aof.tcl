# The append-only file in Redis 7.0's multi-part layout: file and manifest
# names, what is written, restart, BGREWRITEAOF with and without the RDB
# preamble, torn tails and corrupt files at startup, timestamps, CONFIG SET
# appendonly, INFO fields, write errors (MISCONF and recovery), and the RDB
# file as the starting point of a new AOF.

proc aof_path {name} { return [file join [kp_aof_dir] $name] }
proc aof_read {name} { return [kp_read_binary [aof_path $name]] }
proc aof_write {name data {mode wb}} { kp_write_binary [aof_path $name] $data $mode }

proc aof_files {} {
    return [lsort [glob -nocomplain -tails -directory [kp_aof_dir] *]]
}

proc aof_manifest {} { return [aof_read appendonly.aof.manifest] }

# Name of the last incremental part in the manifest.
proc aof_incr_name {} { return [file tail [kp_aof_incr_path]] }

# Runs the server on its config file once more, expecting it to refuse to
# start; returns its output.
proc aof_start_must_fail {} {
    set res [kp_exec_server [list [srv config_file]] 10000]
    if {[dict get $res status] == 0 || [dict get $res status] eq "timeout"} {
        fail "the server started (status [dict get $res status]):\n[dict get $res output]"
    }
    return [dict get $res output]
}

set aof_on [list appendonly yes appendfsync always enable-debug-command yes]

start_server [list tags {aof} overrides $aof_on] {
    test {AOF: directory, base, incremental and manifest names as Redis 7.0} {
        assert_equal [aof_files] \
            {appendonly.aof.1.base.rdb appendonly.aof.1.incr.aof appendonly.aof.manifest}
        assert_equal [aof_manifest] \
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        assert_equal [string range [aof_read appendonly.aof.1.base.rdb] 0 4] REDIS
    }

    test {AOF: commands are appended as RESP with SELECT when the db changes} {
        r set a 1
        r select 3
        r rpush l x y
        r select 0
        r set a 2
        assert_equal [aof_read appendonly.aof.1.incr.aof] [join {
            *2 $6 SELECT $1 0 *3 $3 set $1 a $1 1
            *2 $6 SELECT $1 3 *4 $5 rpush $1 l $1 x $1 y
            *2 $6 SELECT $1 0 *3 $3 set $1 a $1 2 ""} "\r\n"]
    }

    test {AOF: INFO persistence fields with the AOF on} {
        set fields {}
        foreach line [split [r info persistence] \n] {
            if {[regexp {^(aof_[a-z_]+):} $line -> f]} { lappend fields $f }
        }
        assert_equal $fields [concat aof_enabled aof_rewrite_in_progress aof_rewrite_scheduled \
            aof_last_rewrite_time_sec aof_current_rewrite_time_sec aof_last_bgrewrite_status \
            aof_rewrites aof_rewrites_consecutive_failures aof_last_write_status \
            aof_last_cow_size aof_current_size aof_base_size aof_pending_rewrite \
            aof_buffer_length aof_pending_bio_fsync aof_delayed_fsync]
        assert_equal [kp_persist_info aof_enabled] 1
        assert_equal [kp_persist_info aof_last_write_status] ok
        assert_equal [kp_persist_info aof_last_bgrewrite_status] ok
    }

    tags {keyport} {
        test {AOF: aof_current_size counts every part (Redis leaves out a new base)} {
            set total [expr {[file size [aof_path appendonly.aof.1.base.rdb]] +
                             [file size [aof_path appendonly.aof.1.incr.aof]]}]
            assert_equal [kp_persist_info aof_current_size] $total
        }
    }

    test {AOF: a restart replays every type, encoding, database and TTL} {
        r flushall
        lassign [kp_fill_dataset r -list 150 -hash 200 -zset 200] keys
        set before [kp_dataset r]
        assert_equal [llength $before] $keys
        kp_restart_server
        assert_equal [kp_dataset r] $before
    }

    test {AOF: MULTI/EXEC is replayed} {
        r multi
        r incr counter
        r incr counter
        r exec
        kp_restart_server
        r get counter
    } {2}

    test {BGREWRITEAOF with the RDB preamble: new base, history removed} {
        set before [kp_dataset r]
        assert_match {Background append only file rewriting started} [r bgrewriteaof]
        kp_wait_aof_rewrite
        assert_equal [aof_files] \
            {appendonly.aof.2.base.rdb appendonly.aof.2.incr.aof appendonly.aof.manifest}
        assert_equal [aof_manifest] \
            "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
        assert_equal [string range [aof_read appendonly.aof.2.base.rdb] 0 4] REDIS
        assert_equal [kp_persist_info aof_last_bgrewrite_status] ok
        r set after-rewrite yes
        kp_restart_server
        assert_equal [r get after-rewrite] yes
        r del after-rewrite
        assert_equal [kp_dataset r] $before
    }

    test {BGREWRITEAOF without the preamble writes commands, 64 items per command} {
        r config set aof-use-rdb-preamble no
        set before [kp_dataset r]
        r bgrewriteaof
        kp_wait_aof_rewrite
        assert_equal [aof_files] \
            {appendonly.aof.3.base.aof appendonly.aof.3.incr.aof appendonly.aof.manifest}
        set base [aof_read appendonly.aof.3.base.aof]
        assert_match "\*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n*" $base
        # 150 list items: RPUSH of 64, 64 and 22 (2 + n arguments).
        assert_equal [regexp -all {\*66\r\n\$5\r\nRPUSH\r\n\$7\r\nbiglist\r\n} $base] 2
        assert_equal [regexp -all {\*24\r\n\$5\r\nRPUSH\r\n\$7\r\nbiglist\r\n} $base] 1
        # 200 hash fields: HMSET of 64, 64, 64 and 8 pairs.
        assert_equal [regexp -all {\*130\r\n\$5\r\nHMSET\r\n\$7\r\nbighash\r\n} $base] 3
        assert_equal [regexp -all {\*18\r\n\$5\r\nHMSET\r\n\$7\r\nbighash\r\n} $base] 1
        assert_equal [regexp -all {\*130\r\n\$4\r\nZADD\r\n\$7\r\nbigzset\r\n} $base] 3
        assert_match "*\r\nPEXPIREAT\r\n\$3\r\nstr\r\n*" $base
        assert_match "*\r\nSELECT\r\n\$1\r\n9\r\n*" $base
        kp_restart_server
        assert_equal [kp_dataset r] $before
        r config set aof-use-rdb-preamble yes
    }

    test {BGREWRITEAOF while one runs: already in progress} {
        r config set rdb-key-save-delay 100000
        r bgrewriteaof
        assert_error "ERR Background append only file rewriting already in progress" \
            {r bgrewriteaof}
        r config set rdb-key-save-delay 0
        kp_wait_aof_rewrite
    }

    test {redis-check-aof accepts the AOF} {
        if {![file executable /usr/bin/redis-check-aof]} { kp_skip "redis-check-aof not installed" }
        r set checked 1
        catch {exec /usr/bin/redis-check-aof [aof_path appendonly.aof.manifest]} out
        assert_match "*is valid*" $out
    }
}

start_server [list tags {aof} overrides [list appendonly yes save {}]] {
    test {BGREWRITEAOF is scheduled while a BGSAVE runs} {
        r set k v
        # One key at 0.5 s: the BGSAVE child runs for about that long.
        r config set rdb-key-save-delay 500000
        r bgsave
        assert_equal [r bgrewriteaof] {Background append only file rewriting scheduled}
        assert_equal [kp_persist_info aof_rewrite_scheduled] 1
        set rewrites [kp_persist_info aof_rewrites]
        r config set rdb-key-save-delay 0
        wait_for {[kp_persist_info aof_rewrites] > $rewrites} 10000 \
            "scheduled rewrite never started"
        kp_wait_aof_rewrite
        assert_equal [kp_persist_info aof_last_bgrewrite_status] ok
    }

    test {Automatic rewrite on growth (auto-aof-rewrite-percentage / min-size)} {
        set rewrites [kp_persist_info aof_rewrites]
        r config set auto-aof-rewrite-min-size 1000 auto-aof-rewrite-percentage 100
        for {set i 0} {$i < 100} {incr i} { r set key:$i [string repeat v 100] }
        wait_for {[kp_persist_info aof_rewrites] > $rewrites} 10000 "no automatic rewrite"
        kp_wait_aof_rewrite
        r config set auto-aof-rewrite-percentage 0
        assert_equal [llength [aof_files]] 3
    }
}

start_server [list tags {aof} overrides [list appendonly yes aof-timestamp-enabled yes]] {
    test {AOF timestamps: #TS annotations, skipped when loading} {
        r set a 1
        r set b 2
        kp_wait_aof_written
        set incr [aof_read [aof_incr_name]]
        assert_match "#TS:*\r\n\*2\r\n\$6\r\nSELECT*" $incr
        regexp {#TS:(\d+)\r\n} $incr -> ts
        assert_range $ts [expr {[clock seconds] - 10}] [expr {[clock seconds] + 1}]
        kp_restart_server
        list [r get a] [r get b]
    } {1 2}

    test {AOF timestamps in a rewritten base without the preamble} {
        r config set aof-use-rdb-preamble no
        r bgrewriteaof
        kp_wait_aof_rewrite
        set base [lindex [lsearch -all -inline [aof_files] *.base.aof] 0]
        assert_match "#TS:*\r\n\*2\r\n\$6\r\nSELECT*" [aof_read $base]
        kp_restart_server
        list [r get a] [r get b]
    } {1 2}
}

start_server [list tags {aof keyport} overrides [list appendonly yes]] {
    r set a 1
    r set b 2

    test {A torn tail is truncated when aof-load-truncated is yes} {
        set incr [aof_incr_name]
        # Measured once the server is gone: with everysec a write may still
        # be buffered (postponed behind a background fsync) until shutdown.
        kp_shutdown_server nosave
        set good [file size [aof_path $incr]]
        aof_write $incr "*3\r\n\$3\r\nSET\r\n\$1\r\nc\r\n\$5\r\nab" ab
        kp_restart_server
        assert_match "*Truncating the AOF*$incr* at offset $good*" [kp_server_log]
        assert_equal [file size [aof_path $incr]] $good
        list [r get a] [r get b] [r exists c]
    } {1 2 0}

    test {A torn tail refuses to start when aof-load-truncated is no} {
        set incr [aof_incr_name]
        # Measured once the server is gone: with everysec a write may still
        # be buffered (postponed behind a background fsync) until shutdown.
        kp_shutdown_server nosave
        set good [file size [aof_path $incr]]
        aof_write $incr "*2\r\n\$3\r\nDEL\r\n\$1" ab
        kp_append_config "aof-load-truncated no"
        set out [aof_start_must_fail]
        assert_match "*Unexpected end of file*$incr*last complete command ends at offset $good*" $out
        # Back to a loadable file for the next test.
        set f [open [aof_path $incr] r+]
        chan truncate $f $good
        close $f
        kp_restart_server
        r get a
    } {1}

    test {An unterminated MULTI at the end is discarded} {
        set incr [aof_incr_name]
        # Measured once the server is gone: with everysec a write may still
        # be buffered (postponed behind a background fsync) until shutdown.
        kp_shutdown_server nosave
        set good [file size [aof_path $incr]]
        kp_append_config "aof-load-truncated yes"
        aof_write $incr "*1\r\n\$5\r\nMULTI\r\n*3\r\n\$3\r\nSET\r\n\$1\r\na\r\n\$3\r\nnew\r\n" ab
        kp_restart_server
        assert_equal [file size [aof_path $incr]] $good
        r get a
    } {1}

    test {A corrupt middle refuses to start with the file and the offset} {
        set incr [aof_incr_name]
        r set c 3
        kp_shutdown_server nosave
        set data [aof_read $incr]
        # Corrupt the '*' of the second command.
        set at [string first "*" $data 1]
        aof_write $incr "[string range $data 0 [expr {$at - 1}]]x[string range $data [expr {$at + 1}] end]"
        set out [aof_start_must_fail]
        assert_match "*Bad file format*$incr at offset $at*" $out
        aof_write $incr $data
        kp_restart_server
        r get c
    } {3}

    test {An unknown command in the AOF refuses to start} {
        set incr [aof_incr_name]
        kp_shutdown_server nosave
        set good [file size [aof_path $incr]]
        set data [aof_read $incr]
        aof_write $incr "*1\r\n\$7\r\nNOSUCHC\r\n*1\r\n\$4\r\nPING\r\n" ab
        set out [aof_start_must_fail]
        assert_match "*Unknown command 'NOSUCHC'*$incr at offset $good*" $out
        aof_write $incr $data
        kp_restart_server
        r get a
    } {1}

    test {A manifest error names the file and the line} {
        kp_shutdown_server nosave
        set manifest [aof_manifest]
        aof_write appendonly.aof.manifest "${manifest}file x seq 5 type z\n"
        set out [aof_start_must_fail]
        assert_match "*appendonly.aof.manifest*line 3: Unknown AOF file type*" $out
        aof_write appendonly.aof.manifest "file ../../etc/passwd seq 1 type b\n"
        set out [aof_start_must_fail]
        assert_match "*line 1: File can't be a path, just a filename*" $out
        aof_write appendonly.aof.manifest $manifest
        kp_restart_server
        r get a
    } {1}

    test {Temporary files a crash left behind are removed at startup} {
        kp_shutdown_server nosave
        aof_write temp-rewriteaof-bg-99999.aof "partial"
        aof_write temp-appendonly.aof.incr "partial"
        aof_write temp-appendonly.aof.manifest "partial"
        kp_restart_server
        assert_equal [lsearch -all -inline [aof_files] temp-*] {}
        r get a
    } {1}

    test {A part named by the manifest must exist} {
        set incr [aof_incr_name]
        kp_shutdown_server nosave
        file rename [aof_path $incr] [aof_path $incr.moved]
        set out [aof_start_must_fail]
        assert_match "*$incr*" $out
        file rename [aof_path $incr.moved] [aof_path $incr]
        kp_restart_server
        r get a
    } {1}
}

start_server [list tags {aof} overrides [list appendonly yes appendfilename {"my \"odd\" aof"}]] {
    test {Manifest names with blanks and quotes are quoted as Redis does} {
        r set a 1
        assert_equal [aof_read {my "odd" aof.manifest}] [join [list \
            {file "my \"odd\" aof.1.base.rdb" seq 1 type b} \
            {file "my \"odd\" aof.1.incr.aof" seq 1 type i} ""] \n]
        kp_restart_server
        r get a
    } {1}
}

start_server [list tags {aof} overrides [list appendonly no]] {
    test {BGREWRITEAOF with appendonly no writes a base and a manifest} {
        r set k v
        r bgrewriteaof
        kp_wait_aof_rewrite
        assert_equal [aof_files] {appendonly.aof.1.base.rdb appendonly.aof.manifest}
        assert_equal [aof_manifest] "file appendonly.aof.1.base.rdb seq 1 type b\n"
        assert_equal [kp_persist_info aof_enabled] 0
    }
}

start_server [list tags {aof} overrides [list appendonly no]] {
    test {INFO persistence without the AOF omits the size fields} {
        assert_equal [kp_persist_info aof_enabled] 0
        assert_equal [kp_persist_info aof_current_size] ""
        assert_equal [kp_persist_info aof_buffer_length] ""
    }

    test {CONFIG SET appendonly yes writes the dataset as the first base} {
        kp_fill_dataset r
        set before [kp_dataset r]
        r config set appendonly yes
        wait_for {[kp_persist_info aof_enabled] == 1 &&
                  [kp_persist_info aof_rewrite_in_progress] == 0 &&
                  [kp_persist_info aof_rewrite_scheduled] == 0} 10000 "AOF not enabled"
        assert_equal [aof_files] \
            {appendonly.aof.1.base.rdb appendonly.aof.1.incr.aof appendonly.aof.manifest}
        r set later 1
        kp_wait_aof_written
        assert_match "*later*" [aof_read appendonly.aof.1.incr.aof]
        r config rewrite
        kp_restart_server
        r del later
        assert_equal [kp_dataset r] $before
    }

    test {CONFIG SET appendonly no stops writing} {
        r config set appendonly no
        set size [file size [aof_path appendonly.aof.1.incr.aof]]
        r set more 1
        assert_equal [file size [aof_path appendonly.aof.1.incr.aof]] $size
        assert_equal [kp_persist_info aof_enabled] 0
    }
}

start_server [list tags {aof keyport} overrides [list appendonly no save {}]] {
    test {appendonly yes with no AOF yet starts from the RDB file (keyport)} {
        kp_fill_dataset r
        set before [kp_dataset r]
        r save
        kp_shutdown_server nosave
        kp_append_config "appendonly yes"
        kp_restart_server
        assert_match "*No AOF exists yet*" [kp_server_log]
        assert_equal [kp_dataset r] $before
        assert_equal [aof_files] \
            {appendonly.aof.1.base.rdb appendonly.aof.1.incr.aof appendonly.aof.manifest}
        # The AOF alone holds the data now.
        file delete [file join [srv dir] dump.rdb]
        kp_restart_server
        assert_equal [kp_dataset r] $before
    }
}

start_server [list tags {aof keyport} overrides [list appendonly no]] {
    test {An old single-file AOF is moved into the directory} {
        kp_shutdown_server nosave
        set f [open [file join [srv dir] appendonly.aof] wb]
        puts -nonewline $f "*3\r\n\$3\r\nSET\r\n\$3\r\nold\r\n\$5\r\nstyle\r\n"
        close $f
        kp_append_config "appendonly yes"
        kp_restart_server
        assert_equal [r get old] style
        assert_equal [file exists [file join [srv dir] appendonly.aof]] 0
        assert_match "file appendonly.aof seq 1 type b\n*" [aof_manifest]
    }
}

start_server [list tags {aof keyport} overrides [list appendonly no enable-debug-command yes]] {
    test {An old single-file AOF with an RDB preamble (Redis 4-6) is moved in and loaded} {
        # Such a file is an RDB followed by the commands written after it.
        kp_fill_dataset r
        r save
        set rdb [kp_read_binary [file join [srv dir] dump.rdb]]
        r set tail-key after
        r incr int
        r del strset
        set digest [r debug digest]
        kp_shutdown_server nosave
        file delete [file join [srv dir] dump.rdb]
        set cmds "*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n"
        append cmds "*3\r\n\$3\r\nSET\r\n\$8\r\ntail-key\r\n\$5\r\nafter\r\n"
        append cmds "*2\r\n\$4\r\nINCR\r\n\$3\r\nint\r\n"
        append cmds "*2\r\n\$3\r\nDEL\r\n\$6\r\nstrset\r\n"
        kp_write_binary [file join [srv dir] appendonly.aof] $rdb$cmds
        kp_append_config "appendonly yes"
        kp_restart_server
        assert_equal [r debug digest] $digest
        assert_equal [file exists [file join [srv dir] appendonly.aof]] 0
        assert_match "file appendonly.aof seq 1 type b\n*" [aof_manifest]
        assert_match "*Reading the remaining AOF tail of appendonly.aof*" [kp_server_log]
        # It loads again as the base of the new layout, then a rewrite
        # replaces it.
        kp_restart_server
        assert_equal [r debug digest] $digest
        r bgrewriteaof
        kp_wait_aof_rewrite
        kp_restart_server
        assert_equal [r debug digest] $digest
        assert_equal [file exists [aof_path appendonly.aof]] 0
    }

    test {A torn command after the RDB preamble is reported at its offset in the file} {
        kp_shutdown_server nosave
        set base [aof_path [lindex [lsearch -all -inline [aof_files] *.base.*] 0]]
        # The current base is an RDB: give it a command tail whose last
        # command is torn. Offsets count from the start of the file.
        set good [file size $base]
        kp_write_binary $base "*2\r\n\$4\r\nINCR\r\n\$3\r\nint\r\n" ab
        set good2 [file size $base]
        kp_write_binary $base "*2\r\n\$4\r\nINCR\r\n\$3\r\ni" ab
        kp_append_config "aof-load-truncated no"
        set out [aof_start_must_fail]
        assert_match "*Unexpected end of file*last complete command ends at offset $good2*" $out
        assert_morethan $good2 $good
    }
}

# Write errors: a file size limit on the server (prlimit) makes its AOF
# writes fail with EFBIG, which must behave like a full disk.
proc aof_limit_fsize {bytes} {
    exec prlimit --pid [srv pid] --fsize=$bytes:unlimited
}

foreach policy {everysec always} {
    start_server [list tags {aof keyport} overrides [list appendonly yes appendfsync $policy]] {
        test "AOF write errors: MISCONF, no torn command, recovery ($policy)" {
            if {[auto_execok prlimit] eq ""} { kp_skip "prlimit is not installed" }
            r set before 1
            kp_wait_aof_written
            set incr [aof_incr_name]
            set size [file size [aof_path $incr]]
            aof_limit_fsize [expr {$size + 20}]
            # This write does not fit: with everysec it is acknowledged (it
            # stays buffered); with always the connection is closed instead.
            set rc [catch {r set failing [string repeat x 100]} reply]
            if {$policy eq "always"} {
                assert_equal $rc 1
                reconnect
            } else {
                assert_equal $reply OK
            }
            wait_for {[kp_persist_info aof_last_write_status] eq "err"} 5000 "no write error"
            assert_equal [kp_persist_info aof_last_write_error] "File too large"
            assert_error "MISCONF Errors writing to the AOF file: File too large" {r set x 1}
            assert_equal [r get before] 1
            # Nothing torn: the file still ends at the last whole command.
            assert_equal [file size [aof_path $incr]] $size
            exec prlimit --pid [srv pid] --fsize=unlimited:unlimited
            wait_for {[kp_persist_info aof_last_write_status] eq "ok"} 5000 "no recovery"
            assert_equal [kp_persist_info aof_last_write_error] ""
            r set after 1
            kp_restart_server
            list [r get before] [string length [r get failing]] [r get after] [r exists x]
        } {1 100 1 0}
    }
}

start_server [list tags {aof} overrides [list appendonly yes enable-debug-command yes]] {
    test {DEBUG LOADAOF reloads the dataset from the AOF} {
        kp_fill_dataset r
        set before [kp_dataset r]
        r debug loadaof
        assert_equal [kp_dataset r] $before
    }
}
