# The append-only file in Redis 7.0's multi-part layout: file and manifest
# names, what is written, restart, BGREWRITEAOF with and without the RDB
# preamble, torn tails and corrupt files at startup, timestamps, CONFIG SET
# appendonly, INFO fields, write errors (MISCONF and recovery), and the RDB
# file as the starting point of a new AOF.

proc aof_dir {} { return [file join [srv dir] appendonlydir] }
proc aof_path {name} { return [file join [aof_dir] $name] }

proc aof_read {name} {
    set f [open [aof_path $name] rb]
    set data [read $f]
    close $f
    return $data
}

proc aof_write {name data {mode wb}} {
    set f [open [aof_path $name] $mode]
    puts -nonewline $f $data
    close $f
}

proc aof_files {} {
    return [lsort [glob -nocomplain -tails -directory [aof_dir] *]]
}

proc aof_manifest {} { return [aof_read appendonly.aof.manifest] }

# Name of the last incremental part in the manifest.
proc aof_incr_name {} {
    set name ""
    foreach line [split [aof_manifest] \n] {
        if {[regexp {^file (\S+) seq \d+ type i$} $line -> n]} { set name $n }
    }
    return $name
}

proc aof_info {field} { return [kp_info_field [r info persistence] $field] }

proc aof_wait_rewrite {} {
    wait_for {[aof_info aof_rewrite_in_progress] == 0 && [aof_info aof_rewrite_scheduled] == 0} \
        10000 "AOF rewrite still running"
}

# Stops the server on purpose (the AOF is written and fsynced on the way).
proc aof_stop_server {} {
    kp_server_expect_exit
    catch {r shutdown nosave}
    wait_for {![kp_server_alive]} 10000 "server still running after SHUTDOWN"
}

# Runs the server on its config file once more, expecting it to refuse to
# start; returns its output.
proc aof_start_must_fail {} {
    set res [kp_exec_server [list [srv config_file]] 10000]
    if {[dict get $res status] == 0 || [dict get $res status] eq "timeout"} {
        fail "the server started (status [dict get $res status]):\n[dict get $res output]"
    }
    return [dict get $res output]
}

proc aof_add_config {line} {
    set f [open [srv config_file] a]
    puts $f $line
    close $f
}

# The whole dataset as a sorted list of "db key type value expire" items,
# with members of sets and fields of hashes sorted.
proc aof_dataset {} {
    set out {}
    set keyspace [r info keyspace]
    foreach {- db} [regexp -all -inline {db(\d+):keys=} $keyspace] {
        r select $db
        foreach k [r keys *] {
            set t [r type $k]
            switch -- $t {
                string { set v [r get $k] }
                list { set v [r lrange $k 0 -1] }
                set { set v [lsort [r smembers $k]] }
                zset { set v [r zrange $k 0 -1 withscores] }
                hash {
                    set v {}
                    foreach {f fv} [r hgetall $k] { lappend v [list $f $fv] }
                    set v [lsort $v]
                }
            }
            lappend out [list $db $k $t $v [r pexpiretime $k]]
        }
    }
    r select 0
    return [lsort $out]
}

# Keys of every type and encoding, in two databases, some with a TTL.
proc aof_fill {} {
    r select 0
    r set str hello
    r set int 12345
    r set big [string repeat x 300]
    r rpush list a b c 1 2 3
    r rpush biglist {*}[lmap i [lseq 150] {format item-%d $i}]
    r sadd iset 1 2 3 100
    r sadd hset a b c
    r zadd zsmall 1.5 a 2 b -inf c
    r zadd zbig {*}[concat {*}[lmap i [lseq 200] {list $i m$i}]]
    r hset hsmall f1 v1 f2 v2
    r hset hbig {*}[concat {*}[lmap i [lseq 200] {list f$i v$i}]]
    r pexpire str 100000000
    r expire list 5000000
    r select 9
    r set other "in db 9"
    r lpush dbl x y
    r select 0
}

if {[info commands lseq] eq ""} {
    proc lseq {n} {
        set l {}
        for {set i 0} {$i < $n} {incr i} { lappend l $i }
        return $l
    }
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
        assert_equal [aof_info aof_enabled] 1
        assert_equal [aof_info aof_last_write_status] ok
        assert_equal [aof_info aof_last_bgrewrite_status] ok
    }

    tags {keyport} {
        test {AOF: aof_current_size counts every part (Redis leaves out a new base)} {
            set total [expr {[file size [aof_path appendonly.aof.1.base.rdb]] +
                             [file size [aof_path appendonly.aof.1.incr.aof]]}]
            assert_equal [aof_info aof_current_size] $total
        }
    }

    test {AOF: a restart replays every type, encoding, database and TTL} {
        r flushall
        aof_fill
        set before [aof_dataset]
        assert_equal [llength $before] 13
        kp_restart_server
        assert_equal [aof_dataset] $before
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
        set before [aof_dataset]
        assert_match {Background append only file rewriting started} [r bgrewriteaof]
        aof_wait_rewrite
        assert_equal [aof_files] \
            {appendonly.aof.2.base.rdb appendonly.aof.2.incr.aof appendonly.aof.manifest}
        assert_equal [aof_manifest] \
            "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
        assert_equal [string range [aof_read appendonly.aof.2.base.rdb] 0 4] REDIS
        assert_equal [aof_info aof_last_bgrewrite_status] ok
        r set after-rewrite yes
        kp_restart_server
        assert_equal [r get after-rewrite] yes
        r del after-rewrite
        assert_equal [aof_dataset] $before
    }

    test {BGREWRITEAOF without the preamble writes commands, 64 items per command} {
        r config set aof-use-rdb-preamble no
        set before [aof_dataset]
        r bgrewriteaof
        aof_wait_rewrite
        assert_equal [aof_files] \
            {appendonly.aof.3.base.aof appendonly.aof.3.incr.aof appendonly.aof.manifest}
        set base [aof_read appendonly.aof.3.base.aof]
        assert_match "\*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n*" $base
        # 150 list items: RPUSH of 64, 64 and 22 (2 + n arguments).
        assert_equal [regexp -all {\*66\r\n\$5\r\nRPUSH\r\n\$7\r\nbiglist\r\n} $base] 2
        assert_equal [regexp -all {\*24\r\n\$5\r\nRPUSH\r\n\$7\r\nbiglist\r\n} $base] 1
        # 200 hash fields: HMSET of 64, 64, 64 and 8 pairs.
        assert_equal [regexp -all {\*130\r\n\$5\r\nHMSET\r\n\$4\r\nhbig\r\n} $base] 3
        assert_equal [regexp -all {\*18\r\n\$5\r\nHMSET\r\n\$4\r\nhbig\r\n} $base] 1
        assert_equal [regexp -all {\*130\r\n\$4\r\nZADD\r\n\$4\r\nzbig\r\n} $base] 3
        assert_match "*\r\nPEXPIREAT\r\n\$3\r\nstr\r\n*" $base
        assert_match "*\r\nSELECT\r\n\$1\r\n9\r\n*" $base
        kp_restart_server
        assert_equal [aof_dataset] $before
        r config set aof-use-rdb-preamble yes
    }

    test {BGREWRITEAOF while one runs: already in progress} {
        r config set rdb-key-save-delay 100000
        r bgrewriteaof
        assert_error "ERR Background append only file rewriting already in progress" \
            {r bgrewriteaof}
        r config set rdb-key-save-delay 0
        aof_wait_rewrite
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
        assert_equal [aof_info aof_rewrite_scheduled] 1
        set rewrites [aof_info aof_rewrites]
        r config set rdb-key-save-delay 0
        wait_for {[aof_info aof_rewrites] > $rewrites} 10000 "scheduled rewrite never started"
        aof_wait_rewrite
        assert_equal [aof_info aof_last_bgrewrite_status] ok
    }

    test {Automatic rewrite on growth (auto-aof-rewrite-percentage / min-size)} {
        set rewrites [aof_info aof_rewrites]
        r config set auto-aof-rewrite-min-size 1000 auto-aof-rewrite-percentage 100
        for {set i 0} {$i < 100} {incr i} { r set key:$i [string repeat v 100] }
        wait_for {[aof_info aof_rewrites] > $rewrites} 10000 "no automatic rewrite"
        aof_wait_rewrite
        r config set auto-aof-rewrite-percentage 0
        assert_equal [llength [aof_files]] 3
    }
}

start_server [list tags {aof} overrides [list appendonly yes aof-timestamp-enabled yes]] {
    test {AOF timestamps: #TS annotations, skipped when loading} {
        r set a 1
        r set b 2
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
        aof_wait_rewrite
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
        set good [file size [aof_path $incr]]
        aof_stop_server
        aof_write $incr "*3\r\n\$3\r\nSET\r\n\$1\r\nc\r\n\$5\r\nab" ab
        kp_restart_server
        assert_match "*Truncating the AOF*$incr* at offset $good*" [kp_server_log]
        assert_equal [file size [aof_path $incr]] $good
        list [r get a] [r get b] [r exists c]
    } {1 2 0}

    test {A torn tail refuses to start when aof-load-truncated is no} {
        set incr [aof_incr_name]
        set good [file size [aof_path $incr]]
        aof_stop_server
        aof_write $incr "*2\r\n\$3\r\nDEL\r\n\$1" ab
        aof_add_config "aof-load-truncated no"
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
        set good [file size [aof_path $incr]]
        aof_stop_server
        aof_add_config "aof-load-truncated yes"
        aof_write $incr "*1\r\n\$5\r\nMULTI\r\n*3\r\n\$3\r\nSET\r\n\$1\r\na\r\n\$3\r\nnew\r\n" ab
        kp_restart_server
        assert_equal [file size [aof_path $incr]] $good
        r get a
    } {1}

    test {A corrupt middle refuses to start with the file and the offset} {
        set incr [aof_incr_name]
        r set c 3
        aof_stop_server
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
        aof_stop_server
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
        aof_stop_server
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
        aof_stop_server
        aof_write temp-rewriteaof-bg-99999.aof "partial"
        aof_write temp-appendonly.aof.incr "partial"
        aof_write temp-appendonly.aof.manifest "partial"
        kp_restart_server
        assert_equal [lsearch -all -inline [aof_files] temp-*] {}
        r get a
    } {1}

    test {A part named by the manifest must exist} {
        set incr [aof_incr_name]
        aof_stop_server
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
        aof_wait_rewrite
        assert_equal [aof_files] {appendonly.aof.1.base.rdb appendonly.aof.manifest}
        assert_equal [aof_manifest] "file appendonly.aof.1.base.rdb seq 1 type b\n"
        assert_equal [aof_info aof_enabled] 0
    }
}

start_server [list tags {aof} overrides [list appendonly no]] {
    test {INFO persistence without the AOF omits the size fields} {
        assert_equal [aof_info aof_enabled] 0
        assert_equal [aof_info aof_current_size] ""
        assert_equal [aof_info aof_buffer_length] ""
    }

    test {CONFIG SET appendonly yes writes the dataset as the first base} {
        aof_fill
        set before [aof_dataset]
        r config set appendonly yes
        wait_for {[aof_info aof_enabled] == 1 && [aof_info aof_rewrite_in_progress] == 0 &&
                  [aof_info aof_rewrite_scheduled] == 0} 10000 "AOF not enabled"
        assert_equal [aof_files] \
            {appendonly.aof.1.base.rdb appendonly.aof.1.incr.aof appendonly.aof.manifest}
        r set later 1
        assert_match "*later*" [aof_read appendonly.aof.1.incr.aof]
        r config rewrite
        kp_restart_server
        r del later
        assert_equal [aof_dataset] $before
    }

    test {CONFIG SET appendonly no stops writing} {
        r config set appendonly no
        set size [file size [aof_path appendonly.aof.1.incr.aof]]
        r set more 1
        assert_equal [file size [aof_path appendonly.aof.1.incr.aof]] $size
        assert_equal [aof_info aof_enabled] 0
    }
}

start_server [list tags {aof keyport} overrides [list appendonly no save {}]] {
    test {appendonly yes with no AOF yet starts from the RDB file (keyport)} {
        aof_fill
        set before [aof_dataset]
        r save
        aof_stop_server
        aof_add_config "appendonly yes"
        kp_restart_server
        assert_match "*No AOF exists yet*" [kp_server_log]
        assert_equal [aof_dataset] $before
        assert_equal [aof_files] \
            {appendonly.aof.1.base.rdb appendonly.aof.1.incr.aof appendonly.aof.manifest}
        # The AOF alone holds the data now.
        file delete [file join [srv dir] dump.rdb]
        kp_restart_server
        assert_equal [aof_dataset] $before
    }
}

start_server [list tags {aof keyport} overrides [list appendonly no]] {
    test {An old single-file AOF is moved into the directory} {
        aof_stop_server
        set f [open [file join [srv dir] appendonly.aof] wb]
        puts -nonewline $f "*3\r\n\$3\r\nSET\r\n\$3\r\nold\r\n\$5\r\nstyle\r\n"
        close $f
        aof_add_config "appendonly yes"
        kp_restart_server
        assert_equal [r get old] style
        assert_equal [file exists [file join [srv dir] appendonly.aof]] 0
        assert_match "file appendonly.aof seq 1 type b\n*" [aof_manifest]
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
            wait_for {[aof_info aof_last_write_status] eq "err"} 5000 "no write error"
            assert_equal [aof_info aof_last_write_error] "File too large"
            assert_error "MISCONF Errors writing to the AOF file: File too large" {r set x 1}
            assert_equal [r get before] 1
            # Nothing torn: the file still ends at the last whole command.
            assert_equal [file size [aof_path $incr]] $size
            exec prlimit --pid [srv pid] --fsize=unlimited:unlimited
            wait_for {[aof_info aof_last_write_status] eq "ok"} 5000 "no recovery"
            assert_equal [aof_info aof_last_write_error] ""
            r set after 1
            kp_restart_server
            list [r get before] [string length [r get failing]] [r get after] [r exists x]
        } {1 100 1 0}
    }
}

start_server [list tags {aof} overrides [list appendonly yes enable-debug-command yes]] {
    test {DEBUG LOADAOF reloads the dataset from the AOF} {
        aof_fill
        set before [aof_dataset]
        r debug loadaof
        assert_equal [aof_dataset] $before
    }
}
