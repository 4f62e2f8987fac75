# Helpers for the persistence tests (RDB, AOF, DUMP/RESTORE, the check
# tools, interop with Debian's redis-server 7.0).
#
#   Redis peers:  kp_redis_tool, kp_redis_tools_missing, kp_require_redis_peer,
#                 kp_redis_start, kp_redis_stop, kp_with_redis
#   Data:         kp_fill_dataset, kp_dataset, kp_key_value
#   Waiting:      kp_persist_info, kp_wait_bgsave, kp_wait_aof_rewrite
#   Files:        kp_new_dir, kp_read_binary, kp_write_binary, kp_aof_dir,
#                 kp_aof_incr_path, kp_run_tool
#   The harness server: kp_append_config, kp_shutdown_server
#
# A "client" argument is anything that takes a command as its arguments: r,
# [srv client], a kp_client or the client of a redis-server handle.

# ---- Debian's redis-server and redis-tools as peers --------------------------

# Path of one of Debian's Redis binaries (redis-server, redis-check-rdb,
# redis-check-aof), whether it is installed or not.
proc kp_redis_tool {name} { return [file join /usr/bin $name] }

# "" when every Redis binary in names is installed, else why not.
proc kp_redis_tools_missing {{names {redis-server redis-check-rdb redis-check-aof}}} {
    foreach name $names {
        if {![file executable [kp_redis_tool $name]]} {
            set pkg [expr {$name eq "redis-server" ? "redis-server" : "redis-tools"}]
            return "[kp_redis_tool $name] is not installed (apt-get install $pkg)"
        }
    }
    return ""
}

# Skips the calling test unless this is the tcp run (what a peer checks
# does not depend on the transport, so it runs once) and the Redis binaries
# in names are installed.
proc kp_require_redis_peer {{names {redis-server}}} {
    if {$::kp::opt(transport) ne "tcp"} { kp_skip "runs in the tcp run only" }
    set why [kp_redis_tools_missing $names]
    if {$why ne ""} { kp_skip $why }
}

# Starts redis-server on a free port of this worker's range (127.0.0.1,
# plain TCP) with its data in dir (created when missing), no save points,
# DEBUG and protected configs enabled, then args (later options win). Its
# log goes to dir/redis.log (appended, so restarts on one dir keep the
# history). Returns once it answers PING with PONG, so what it loads at
# startup is loaded. Returns a handle for kp_redis_stop: a dict of pid,
# chan, port, dir, log and client (a connected kp_client). When the server
# exits or does not answer within 20 s it is stopped and an error starting
# with "redis-server did not start" carries its log tail.
proc kp_redis_start {dir args} {
    file mkdir $dir
    set port [kp_find_available_port]
    set argv [list [kp_redis_tool redis-server] --port $port --bind 127.0.0.1 --save "" \
                  --dir $dir --enable-debug-command yes --enable-protected-configs yes {*}$args]
    set log [file join $dir redis.log]
    lassign [kp__spawn $argv $log $log.err 1] chan pid
    kp_control server $pid
    set h [dict create pid $pid chan $chan port $port dir $dir log $log client ""]
    set deadline [expr {[clock milliseconds] + 20000}]
    while 1 {
        if {![catch {kp_client -transport tcp -host 127.0.0.1 -port $port -timeout 2000} c]} {
            if {![catch {$c ping} reply] && $reply eq "PONG"} {
                dict set h client $c
                return $h
            }
            catch {$c close}
        }
        if {![kp_pid_alive $pid] || [clock milliseconds] > $deadline} {
            set why [expr {[kp_pid_alive $pid] ? "no answer within 20 s" : "it exited"}]
            kp_redis_stop $h
            error "redis-server did not start ($why):\n[kp__tail [kp__read_file $log] 20]"
        }
        after 50
    }
}

# Stops the redis-server of handle h by its pid: SIGTERM (it flushes its
# AOF on the way out), SIGKILL after 10 s; reaps it and closes its client.
# Returns its exit status, or the signal that ended it. Its dir is kept.
proc kp_redis_stop {h} {
    if {[dict get $h client] ne ""} { catch {[dict get $h client] close} }
    lassign [kp__reap [dict get $h chan] [dict get $h pid]] how detail
    kp_control server-exit [dict get $h pid]
    return $detail
}

# kp_with_redis hvar dir ?arg ...? body: runs body in the caller's scope
# with the handle of a redis-server started by kp_redis_start dir args in
# the variable hvar; the server is stopped whatever body does. Returns what
# body returns (errors included).
proc kp_with_redis {hvar dir args} {
    set body [lindex $args end]
    set args [lrange $args 0 end-1]
    upvar 1 $hvar h
    set h [kp_redis_start $dir {*}$args]
    set code [catch {uplevel 1 $body} result opts]
    kp_redis_stop $h
    return -options $opts $result
}

# ---- a dataset with every type and encoding ----------------------------------

# Writes through client c a dataset of every type in every encoding Redis
# 7.0 and keyport share, and ends with database 0 selected. Any keys of the
# same names are deleted first (so it can run again); other keys are left
# alone.
#   database 0: strings short (str), empty, integer (int, neg, tx), beyond
#     64 bits (bigint), float, long (long, raw), LZF-compressible (lzf),
#     every byte value (binary), large (big, about 110 kB), with a TTL set
#     by SET PX and EX (ttl-px, ttl-ex); lists small with integers (list)
#     and multi-node (biglist); sets as intset (intset with 64-bit members,
#     midintset with 16-bit ones) and hash table (bigintset: 600 integers,
#     strset, bigset); hashes as listpack (smallhash) and hash table
#     (bighash, longvalhash: a 100-byte value); sorted sets as listpack
#     (smallzset: infinite, fractional and negative scores) and skiplist
#     (bigzset, longzset: a 100-byte member); a HyperLogLog (hll) and a
#     bitmap (bitmap); tx written by a MULTI/EXEC transaction.
#   database 3: other, list; database 9: other; database 15: s, h.
#   TTLs (7, all far ahead): str, ttl-px, ttl-ex, biglist, smallhash,
#     bigzset and list in database 3.
# Options set the sizes where tests need other ones (keep them above 128,
# the compact encodings' limit): -list N items of biglist (default 2000),
# -hash N fields of bighash (600), -zset N members of bigzset (300).
# Returns {keys expires}: how many keys it writes (33, in all databases) and
# how many of them have a TTL (7).
proc kp_fill_dataset {c args} {
    set o [dict create -list 2000 -hash 600 -zset 300]
    foreach {k v} $args {
        if {![dict exists $o $k]} { error "kp_fill_dataset: unknown option '$k'" }
        dict set o $k $v
    }
    set names {
        0 {str empty int neg bigint float long lzf binary big ttl-px ttl-ex list biglist
           intset midintset bigintset strset bigset smallhash bighash longvalhash smallzset
           bigzset longzset hll bitmap tx}
        3 {other list} 9 {other} 15 {s h}
    }
    set keys 0
    dict for {db ks} $names {
        $c select $db
        $c del {*}$ks
        incr keys [llength $ks]
    }
    $c select 0
    $c set str hello
    $c set empty ""
    $c set int 12345
    $c set neg -987654321
    $c set bigint 99999999999999999999
    $c set float 3.25
    $c set long [string repeat "x" 100][clock microseconds]
    $c set lzf [string repeat abcd 500]
    set bin ""
    for {set i 0} {$i < 256} {incr i} { append bin [format %c $i] }
    $c set binary [encoding convertto iso8859-1 $bin]
    set big ""
    for {set i 0} {$i < 20000} {incr i} { append big "$i," }
    $c set big $big
    $c set ttl-px v px 100000000
    $c set ttl-ex v ex 100000
    $c rpush list a 17 -3 b [string repeat x 70] 4294967296
    set items {}
    for {set i 0} {$i < [dict get $o -list]} {incr i} {
        lappend items [expr {$i % 3 ? $i : "item:$i"}]
    }
    $c rpush biglist {*}$items
    $c sadd intset 1 2 3 -7 1000000 -9223372036854775808 9223372036854775807
    set members {}
    for {set i 0} {$i < 400} {incr i} { lappend members [expr {$i * 3}] }
    $c sadd midintset {*}$members
    set members {}
    for {set i 0} {$i < 600} {incr i} { lappend members [expr {$i * 3}] }
    $c sadd bigintset {*}$members
    $c sadd strset a b c 12
    set members {}
    for {set i 0} {$i < 700} {incr i} { lappend members member:$i }
    $c sadd bigset {*}$members
    $c hset smallhash f1 v1 f2 2 3 three neg -5
    set fields {}
    for {set i 0} {$i < [dict get $o -hash]} {incr i} { lappend fields field:$i $i }
    $c hset bighash {*}$fields
    $c hset longvalhash a [string repeat y 100] b 1
    $c zadd smallzset 1 a 2.5 b -inf c +inf d 0.1 e 3 123 -0.5 f
    set scored {}
    for {set i 0} {$i < [dict get $o -zset]} {incr i} { lappend scored [expr {$i / 7.0}] m$i }
    $c zadd bigzset {*}$scored
    $c zadd longzset 1 [string repeat z 100] 2 short
    $c pfadd hll a b c d e f g
    $c setbit bitmap 1000 1
    $c multi
    $c set tx 1
    $c incr tx
    $c exec
    $c expire str 100000
    $c expire biglist 200000
    $c pexpire bigzset 99999999
    $c expire smallhash 50000
    $c select 3
    $c set other db3
    $c rpush list x y 1
    $c expire list 300000
    $c select 9
    $c set other "in db 9"
    $c select 15
    $c sadd s 1 2 3
    $c hset h f v
    $c select 0
    return [list $keys 7]
}

# The value of key k through client c in a comparable form: a string's
# bytes, a list's items, a set's members sorted, a sorted set's members
# with scores in order, a hash's fields and values sorted by field;
# "<none>" for a missing key.
proc kp_key_value {c k} {
    switch -- [$c type $k] {
        string { return [$c get $k] }
        list { return [$c lrange $k 0 -1] }
        set { return [lsort [$c smembers $k]] }
        zset { return [$c zrange $k 0 -1 withscores] }
        hash { return [lsort -stride 2 [$c hgetall $k]] }
        none { return "<none>" }
        default { error "kp_key_value: unexpected type of $k: [$c type $k]" }
    }
}

# The whole dataset of client c's server as a sorted list of {db key type
# value expire-time-ms} items (kp_key_value; -1 without a TTL). Leaves
# database 0 selected.
proc kp_dataset {c} {
    set out {}
    foreach {- db} [regexp -all -inline {db(\d+):keys=} [$c info keyspace]] {
        $c select $db
        foreach k [$c keys *] {
            lappend out [list $db $k [$c type $k] [kp_key_value $c $k] [$c pexpiretime $k]]
        }
    }
    $c select 0
    return [lsort $out]
}

# ---- waiting for background work ---------------------------------------------

# One field of INFO persistence from client c ("" when absent).
proc kp_persist_info {field {c r}} {
    return [kp_info_field [$c info persistence] $field]
}

# Waits until no BGSAVE runs on client c's server.
proc kp_wait_bgsave {{c r} {timeout 20000}} {
    wait_for {[kp_persist_info rdb_bgsave_in_progress $c] == 0} $timeout \
        "BGSAVE still running after $timeout ms"
}

# Waits until no AOF rewrite runs or is scheduled on client c's server;
# the failure shows its INFO persistence.
proc kp_wait_aof_rewrite {{c r} {timeout 10000}} {
    wait_for_condition [expr {($timeout + 49) / 50}] 50 {
        [kp_persist_info aof_rewrite_in_progress $c] == 0 &&
        [kp_persist_info aof_rewrite_scheduled $c] == 0
    } else {
        fail "AOF rewrite still running after $timeout ms:\n[$c info persistence]"
    }
}

# Waits until the server's AOF buffer is empty: every acknowledged write is
# in the file (with appendfsync everysec a write may wait behind a
# background fsync, as in Redis). Call before reading or copying the files
# of a running server.
proc kp_wait_aof_written {{c r} {timeout 5000}} {
    wait_for_condition [expr {($timeout + 49) / 50}] 50 {
        [kp_persist_info aof_buffer_length $c] == 0
    } else {
        fail "AOF buffer still holds data after $timeout ms:\n[$c info persistence]"
    }
}

# ---- files and tools ----------------------------------------------------------

# A fresh, empty directory in tests/tmp (see kp_tmp_path).
proc kp_new_dir {name} {
    set d [kp_tmp_path $name]
    file mkdir $d
    return $d
}

# The bytes of a file; errors when it cannot be read.
proc kp_read_binary {path} {
    set f [open $path rb]
    set d [read $f]
    close $f
    return $d
}

# Writes bytes to a file: mode wb replaces it, ab appends.
proc kp_write_binary {path data {mode wb}} {
    set f [open $path $mode]
    puts -nonewline $f $data
    close $f
}

# The AOF directory of the harness server at level (appenddirname as the
# harness leaves it).
proc kp_aof_dir {{level 0}} { return [file join [srv $level dir] appendonlydir] }

# Path of the last incremental file the manifest in the AOF directory dir
# (by default the harness server's) lists; errors when it lists none.
proc kp_aof_incr_path {{dir ""} {manifest appendonly.aof.manifest}} {
    if {$dir eq ""} { set dir [kp_aof_dir] }
    set name ""
    foreach line [split [kp_read_binary [file join $dir $manifest]] "\n"] {
        if {[regexp {^file (\S+) seq \d+ type i$} $line -> n]} { set name $n }
    }
    if {$name eq ""} { error "no incremental file in [file join $dir $manifest]" }
    return [file join $dir $name]
}

# Runs argv (a tool such as keyport-check-aof) with input on its stdin.
# Returns {status output}: the exit status and stdout and stderr together.
proc kp_run_tool {argv {input ""}} {
    set status 0
    if {[catch {exec {*}$argv << $input 2>@1} out opts]} {
        set ec [dict get $opts -errorcode]
        if {[lindex $ec 0] ne "CHILDSTATUS"} { error $out }
        set status [lindex $ec 2]
        regsub {\nchild process exited abnormally$} $out {} out
    }
    return [list $status $out]
}

# ---- the harness server --------------------------------------------------------

# Appends lines (whole directives) to the config file of the server at
# level 0; they take effect at its next start and win over earlier ones.
proc kp_append_config {args} {
    set f [open [srv config_file] a]
    foreach line $args { puts $f $line }
    close $f
}

# Stops the server at level 0 on purpose with SHUTDOWN args (nosave, save,
# now, force ...) and waits until it has exited; kp_restart_server starts
# it again.
proc kp_shutdown_server {args} {
    kp_server_expect_exit
    catch {r shutdown {*}$args}
    wait_for {![kp_server_alive]} 10000 "server still running after SHUTDOWN $args"
}
