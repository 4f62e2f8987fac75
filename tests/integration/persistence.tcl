# RDB persistence control: SAVE, BGSAVE [SCHEDULE], LASTSAVE, save points,
# MISCONF after a failed background save, SHUTDOWN and SIGTERM saving, the
# startup load (and its refusal of a corrupt file), INFO persistence.
#
# Every server here gets its own `dir` from the harness; the ones that save
# on shutdown (save points) end each block with a writable dir.

# ---- helpers ----------------------------------------------------------------

proc sinfo {field} {
    return [kp_info_field [r info stats] $field]
}

proc dump_path {{name dump.rdb}} {
    return [file join [srv dir] $name]
}

# Files named temp-*.rdb left in dir.
proc temp_files {dir} {
    return [glob -nocomplain -directory $dir temp-*.rdb]
}

# Count of log lines matching pattern.
proc log_count {pattern} {
    set n 0
    foreach l [split [kp_server_log] "\n"] {
        if {[string match $pattern $l]} { incr n }
    }
    return $n
}

# The pid at the end of the last log line matching pattern.
proc last_log_pid {pattern} {
    set pid ""
    foreach l [split [kp_server_log] "\n"] {
        if {[string match $pattern $l]} { regexp {(\d+)\s*$} $l -> pid }
    }
    return $pid
}

# ---- SAVE, LASTSAVE, the startup load ------------------------------------------

start_server {tags {persistence} overrides {save "" enable-protected-configs yes}} {
    test {SAVE and a restart keep every type and the TTLs} {
        lassign [kp_fill_dataset r] total
        set keys0 [r dbsize]
        set before [kp_dataset r]
        assert_equal [r save] OK
        assert [file exists [dump_path]]
        kp_restart_server
        assert_equal [r dbsize] $keys0
        assert_equal [kp_dataset r] $before
        wait_for_log "*DB loaded from disk*"
        assert_equal [kp_persist_info rdb_last_load_keys_loaded] $total
        assert_equal [kp_persist_info rdb_last_load_keys_expired] 0
    }

    test {LASTSAVE is the time of the last successful save} {
        set before [r lastsave]
        assert_range $before [expr {[clock seconds] - 60}] [clock seconds]
        # LASTSAVE has a one second resolution (and time() may lag the
        # clock by a tick).
        wait_for {[clock milliseconds] > ($before + 1) * 1000 + 100} 3000
        r save
        set after [r lastsave]
        assert_morethan $after $before
        assert_equal [kp_persist_info rdb_last_save_time] $after
    }

    test {SAVE resets rdb_changes_since_last_save} {
        r set k1 v1
        r set k2 v2
        assert_morethan_equal [kp_persist_info rdb_changes_since_last_save] 2
        r save
        kp_persist_info rdb_changes_since_last_save
    } {0}

    test {SAVE and BGSAVE argument errors} {
        assert_error "ERR wrong number of arguments for 'save' command" {r save x}
        assert_error "ERR wrong number of arguments for 'lastsave' command" {r lastsave x}
        assert_error "ERR syntax error" {r bgsave foo}
        assert_error "ERR syntax error" {r bgsave schedule now}
    }

    test {SAVE is refused inside MULTI} {
        r multi
        assert_error "ERR *" {r save}
        assert_error "EXECABORT*" {r exec}
    }

    test {CONFIG SET dbfilename takes effect for the next save} {
        r config set dbfilename other.rdb
        r set marker 1
        r save
        r config set dbfilename dump.rdb
        file exists [dump_path other.rdb]
    } {1}

    test {A failed SAVE leaves the previous file intact and no temp file} {
        r save
        set good [kp_read_binary [dump_path]]
        # A directory where the file should go: the final rename fails.
        file mkdir [dump_path dir.rdb]
        r config set dbfilename dir.rdb
        r set another 1
        assert_error "ERR" {r save}
        r config set dbfilename dump.rdb
        assert_equal [kp_read_binary [dump_path]] $good
        assert_equal [temp_files [srv dir]] {}
        file delete -force [dump_path dir.rdb]
    }
}

# ---- BGSAVE -------------------------------------------------------------------------

start_server {tags {persistence} overrides {save ""}} {
    test {BGSAVE saves a snapshot while writes go on} {
        for {set i 0} {$i < 1000} {incr i} { r set "key:$i" $i }
        set forks [sinfo total_forks]
        set saves [kp_persist_info rdb_saves]
        # 2 ms per key: the child runs about two seconds.
        r config set rdb-key-save-delay 2000
        assert_equal [r bgsave] {Background saving started}
        assert_equal [kp_persist_info rdb_bgsave_in_progress] 1
        assert_equal [kp_persist_info current_save_keys_total] 1000
        assert_morethan_equal [kp_persist_info rdb_current_bgsave_time_sec] 0
        # Writes are served while the child saves; they are not in its
        # snapshot.
        r set during-save 1
        r del key:0
        assert_error "ERR Background save already in progress" {r bgsave}
        assert_error "ERR Background save already in progress" {r bgsave schedule}
        assert_error "ERR Background save already in progress" {r save}
        kp_wait_bgsave
        r config set rdb-key-save-delay 0
        assert_equal [kp_persist_info rdb_last_bgsave_status] ok
        assert_equal [kp_persist_info rdb_saves] [expr {$saves + 1}]
        assert_equal [sinfo total_forks] [expr {$forks + 1}]
        assert_morethan [sinfo latest_fork_usec] 0
        assert_morethan_equal [kp_persist_info rdb_last_bgsave_time_sec] 1
        assert_equal [kp_persist_info rdb_current_bgsave_time_sec] -1
        assert_morethan [kp_persist_info rdb_last_cow_size] 0
        # Changes made while it saved are still unsaved.
        assert_morethan_equal [kp_persist_info rdb_changes_since_last_save] 2
        wait_for_log "*Background saving terminated with success*"
        kp_restart_server
        list [r dbsize] [r exists during-save] [r get key:0] [r get key:999]
    } {1000 0 0 999}

    test {BGSAVE inside EXEC is scheduled and runs after the transaction} {
        set saves [kp_persist_info rdb_saves]
        r multi
        r set in-multi 1
        r bgsave
        assert_equal [r exec] {OK {Background saving scheduled}}
        wait_for {[kp_persist_info rdb_saves] > $saves} 5000 "scheduled BGSAVE never started"
        kp_wait_bgsave
        assert_equal [kp_persist_info rdb_last_bgsave_status] ok
    }

    test {BGSAVE SCHEDULE with no child starts at once} {
        assert_equal [r bgsave schedule] {Background saving started}
        kp_wait_bgsave
    }

    test {BGSAVE while an AOF rewrite runs: refused, or SCHEDULE waits for it} {
        for {set i 0} {$i < 500} {incr i} { r set "aof:$i" $i }
        r config set rdb-key-save-delay 2000
        assert_match {Background append only file rewriting*} [r bgrewriteaof]
        wait_for {[kp_persist_info aof_rewrite_in_progress] == 1} 5000
        assert_error {ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.} {r bgsave}
        set saves [kp_persist_info rdb_saves]
        assert_equal [r bgsave schedule] {Background saving scheduled}
        assert_equal [kp_persist_info rdb_bgsave_in_progress] 0
        r config set rdb-key-save-delay 0
        wait_for {[kp_persist_info rdb_saves] > $saves} 20000 "scheduled BGSAVE never started"
        kp_wait_bgsave
        assert_equal [kp_persist_info rdb_last_bgsave_status] ok
    }

    test {CONFIG RESETSTAT clears rdb_saves, total_forks and latest_fork_usec} {
        r config resetstat
        list [kp_persist_info rdb_saves] [sinfo total_forks] [sinfo latest_fork_usec]
    } {0 0 0}
}

# ---- save points ----------------------------------------------------------------

start_server {tags {persistence} overrides {save "1 2"}} {
    test {A save point starts a BGSAVE} {
        r set a 1
        r set b 2
        wait_for_log "*2 changes in 1 seconds. Saving...*" 5000
        wait_for_log "*Background saving terminated with success*" 10000
        wait_for {[kp_persist_info rdb_changes_since_last_save] == 0} 2000
        assert [file exists [dump_path]]
    }

    test {One change is below the save point} {
        set saves [kp_persist_info rdb_saves]
        r set c 3
        kp_sleep 2200
        assert_equal [kp_persist_info rdb_saves] $saves
        kp_persist_info rdb_changes_since_last_save
    } {1}
}

# ---- MISCONF after a failed BGSAVE ---------------------------------------------------

set misconf {MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.}

start_server {tags {persistence} overrides {save "3600 1" enable-protected-configs yes}} {
    set gooddir [srv dir]
    set baddir [file join [srv dir] gone]

    # dir becomes a directory that no longer exists: every save fails.
    proc break_dir {baddir} {
        file mkdir $baddir
        r config set dir $baddir
        file delete -force $baddir
    }

    test {A failed BGSAVE is logged and shown in INFO} {
        r set k v
        break_dir $baddir
        assert_equal [r bgsave] {Background saving started}
        kp_wait_bgsave
        wait_for_log "*Background saving error*"
        assert_equal [kp_persist_info rdb_last_bgsave_status] err
    }

    tags {keyport} {
        test {INFO says why the BGSAVE failed (rdb_last_bgsave_error)} {
            assert_match "*No such file or directory*" [kp_persist_info rdb_last_bgsave_error]
        }
    }

    test {Writes are refused with MISCONF, reads are served} {
        assert_error $misconf {r set k v2}
        assert_error $misconf {r incr counter}
        assert_equal [r exists k] 1
        r get k
    } {v}

    test {MISCONF needs stop-writes-on-bgsave-error and save points} {
        r config set stop-writes-on-bgsave-error no
        assert_equal [r set k v3] OK
        r config set stop-writes-on-bgsave-error yes
        assert_error "MISCONF*" {r set k v4}
        r config set save ""
        assert_equal [r set k v5] OK
        r config set save "3600 1"
        assert_error "MISCONF*" {r set k v6}
    }

    test {SHUTDOWN refuses to exit when the final save fails} {
        assert_error "ERR Errors trying to SHUTDOWN. Check logs." {r shutdown}
        wait_for_log "*Error trying to save the DB, can't exit.*"
        assert [kp_server_alive]
        r exists k
    } {1}

    test {SIGTERM with a failing save keeps the server running} {
        set refusals [log_count "*Error trying to save the DB, can't exit.*"]
        exec kill -TERM [srv pid]
        wait_for_log "*Received SIGTERM scheduling shutdown*"
        wait_for {[log_count "*Error trying to save the DB, can't exit.*"] > $refusals} 5000
        assert [kp_server_alive]
        r exists k
    } {1}

    test {Writes are accepted again after a good BGSAVE} {
        r config set dir $gooddir
        assert_equal [r bgsave] {Background saving started}
        kp_wait_bgsave
        assert_equal [kp_persist_info rdb_last_bgsave_status] ok
        r set k v7
    } {OK}

    test {A good SAVE clears the error too} {
        break_dir $baddir
        r bgsave
        kp_wait_bgsave
        assert_error "MISCONF*" {r set k v8}
        r config set dir $gooddir
        assert_equal [r save] OK
        assert_equal [kp_persist_info rdb_last_bgsave_status] ok
        r set k v9
    } {OK}

    # Whatever failed above, the harness's SIGTERM must be able to save.
    catch {r config set dir $gooddir}
}

start_server {tags {persistence} overrides {save "1 1" enable-protected-configs yes}} {
    test {After a failed BGSAVE, save points wait 5 seconds before retrying} {
        set baddir [file join [srv dir] gone]
        file mkdir $baddir
        r config set dir $baddir
        file delete -force $baddir
        try {
            r set a 1
            wait_for_log "*Background saving error*" 5000
            set tries [log_count "*changes in 1 seconds. Saving...*"]
            kp_sleep 3000
            assert_equal [log_count "*changes in 1 seconds. Saving...*"] $tries
        } finally {
            # A good dir again: the retry after the delay succeeds (and the
            # harness's SIGTERM can save).
            r config set dir [srv dir]
        }
        wait_for {[kp_persist_info rdb_last_bgsave_status] eq "ok"} 8000
        assert_morethan [log_count "*changes in 1 seconds. Saving...*"] $tries
    }
}

# ---- FLUSHALL, a child killed by a signal ---------------------------------------------

start_server {tags {persistence} overrides {save "3600 1"}} {
    test {FLUSHALL with save points saves the empty dataset at once} {
        r set a 1
        r flushall
        wait_for_log "*DB saved on disk*"
        assert [file exists [dump_path]]
        kp_persist_info rdb_changes_since_last_save
    } {0}

    test {FLUSHALL kills a running BGSAVE} {
        for {set i 0} {$i < 200} {incr i} { r set "k$i" $i }
        r config set rdb-key-save-delay 100000
        try {
            assert_equal [r bgsave] {Background saving started}
            r flushall
        } finally {
            r config set rdb-key-save-delay 0
        }
        kp_wait_bgsave r 5000
        # Stopped on purpose: not a failed save.
        assert_equal [kp_persist_info rdb_last_bgsave_status] ok
        assert_equal [temp_files [srv dir]] {}
        kp_restart_server
        r dbsize
    } {0}

    test {A BGSAVE child killed by a signal fails the save and leaves no temp file} {
        for {set i 0} {$i < 200} {incr i} { r set "k$i" $i }
        set started [log_count "*Background saving started by pid*"]
        r config set rdb-key-save-delay 100000
        try {
            assert_equal [r bgsave] {Background saving started}
            wait_for {[log_count "*Background saving started by pid*"] > $started} 5000
            set child [last_log_pid "*Background saving started by pid*"]
            # Let it create its temp file first.
            wait_for {[temp_files [srv dir]] ne {}} 5000
            exec kill -KILL $child
            kp_wait_bgsave r 5000
        } finally {
            r config set rdb-key-save-delay 0
        }
        wait_for_log "*Background saving terminated by signal 9*"
        assert_equal [kp_persist_info rdb_last_bgsave_status] err
        assert_equal [temp_files [srv dir]] {}
        assert_error "MISCONF*" {r set k v}
        assert_equal [r bgsave] {Background saving started}
        kp_wait_bgsave
        assert_equal [kp_persist_info rdb_last_bgsave_status] ok
        r set k v
    } {OK}
}

# ---- SHUTDOWN and SIGTERM -----------------------------------------------------------

start_server {tags {persistence shutdown} overrides {save ""}} {
    test {SHUTDOWN SAVE saves without save points} {
        r set saved-by-shutdown 1
        kp_shutdown_server save
        kp_restart_server
        r get saved-by-shutdown
    } {1}

    test {SHUTDOWN without save points does not save} {
        r set not-saved 1
        kp_shutdown_server
        kp_restart_server
        list [r exists not-saved] [r exists saved-by-shutdown]
    } {0 1}

    test {SHUTDOWN NOW and FORCE are accepted} {
        r set now-force 1
        kp_shutdown_server save now force
        kp_restart_server
        r get now-force
    } {1}

    test {SHUTDOWN kills a running BGSAVE and leaves no temp file} {
        for {set i 0} {$i < 200} {incr i} { r set "k$i" $i }
        r config set rdb-key-save-delay 100000
        r bgsave
        wait_for {[kp_persist_info rdb_bgsave_in_progress] == 1}
        kp_shutdown_server nosave
        wait_for_log "*There is a child saving an .rdb. Killing it!*"
        wait_for {[temp_files [srv dir]] eq {}} 2000 "temp file left: [temp_files [srv dir]]"
        kp_restart_server
    }
}

start_server {tags {persistence shutdown} overrides {save "3600 1" enable-protected-configs yes}} {
    test {SIGTERM saves when save points are set} {
        r set by-sigterm 1
        kp_restart_server
        r get by-sigterm
    } {1}

    test {SHUTDOWN NOSAVE does not save even with save points} {
        r set nosave-key 1
        kp_shutdown_server nosave
        kp_restart_server
        list [r exists nosave-key] [r get by-sigterm]
    } {0 1}

    test {SHUTDOWN FORCE exits even when the save fails} {
        set baddir [file join [srv dir] gone]
        file mkdir $baddir
        r config set dir $baddir
        file delete -force $baddir
        kp_shutdown_server force
        wait_for_log "*Error trying to save the DB. Exit anyway.*"
        kp_restart_server
        r get by-sigterm
    } {1}
}

# ---- INFO persistence ------------------------------------------------------------------

start_server {tags {persistence} overrides {save ""}} {
    test {INFO persistence has Redis 7.0's fields in Redis' order} {
        set fields [dict keys [kp_info_dict [r info persistence]]]
        set expected {loading async_loading current_cow_peak current_cow_size
            current_cow_size_age current_fork_perc current_save_keys_processed
            current_save_keys_total rdb_changes_since_last_save rdb_bgsave_in_progress
            rdb_last_save_time rdb_last_bgsave_status rdb_last_bgsave_time_sec
            rdb_current_bgsave_time_sec rdb_saves rdb_last_cow_size
            rdb_last_load_keys_expired rdb_last_load_keys_loaded aof_enabled}
        assert_equal [lrange $fields 0 [expr {[llength $expected] - 1}]] [list {*}$expected]
        assert_equal [lrange $fields end-1 end] {module_fork_in_progress module_fork_last_cow_size}
        assert_equal [lsearch -exact $fields aof_last_cow_size] [expr {[llength $fields] - 3}]
    }

    test {INFO persistence values of a fresh server} {
        set d [kp_info_dict [r info persistence]]
        foreach {f v} {loading 0 async_loading 0 rdb_bgsave_in_progress 0
            rdb_last_bgsave_status ok rdb_last_bgsave_time_sec -1
            rdb_current_bgsave_time_sec -1 current_fork_perc 0.00 module_fork_in_progress 0} {
            assert_equal [dict get $d $f] $v "INFO persistence $f"
        }
        assert_range [dict get $d rdb_last_save_time] [expr {[clock seconds] - 60}] [clock seconds]
    }
}

# ---- a corrupt file at startup -------------------------------------------------------------

tags {keyport} {
    start_server {tags {persistence} overrides {save ""}} {
        test {A truncated dump stops the server with the offset in its output} {
            for {set i 0} {$i < 100} {incr i} { r set "key:$i" [string repeat v 100] }
            r save
            set data [kp_read_binary [dump_path]]
            set dir [file join [srv dir] corrupt]
            file mkdir $dir
            kp_write_binary [file join $dir dump.rdb] [string range $data 0 [expr {[string length $data] / 2}]]
            set conf [file join $dir keyport.conf]
            kp_write_binary $conf "port 0\nsave \"\"\ndir $dir\n"
            set res [kp_exec_server [list $conf] 10000]
            assert_equal [dict get $res status] 1 [dict get $res output]
            set out [dict get $res output]
            assert_match "*dump.rdb*offset *" $out
            assert_no_match "*AddressSanitizer*" $out
        }

        test {A file that is not an RDB stops the server with a clear error} {
            set dir [file join [srv dir] garbage]
            file mkdir $dir
            kp_write_binary [file join $dir dump.rdb] "this is not an rdb file at all\n"
            set conf [file join $dir keyport.conf]
            kp_write_binary $conf "port 0\nsave \"\"\ndir $dir\n"
            set res [kp_exec_server [list $conf] 10000]
            assert_equal [dict get $res status] 1 [dict get $res output]
            assert_match "*dump.rdb*offset *" [dict get $res output]
        }
    }
}
