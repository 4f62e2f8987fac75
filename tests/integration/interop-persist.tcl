# Persistence interop with Debian's redis-server 7.0 and redis-tools as
# peers: each side reads the other's RDB dump and AOF directory, the check
# tools accept keyport's files, and DEBUG DIGEST (which keyport computes as
# Redis does) proves the datasets equal. Runs in the tcp run only; every
# redis-server started here is stopped by its pid before the test ends.

set ::interop_redis /usr/bin/redis-server
set ::interop_check_rdb /usr/bin/redis-check-rdb
set ::interop_check_aof /usr/bin/redis-check-aof

# Skips the calling test unless this is the tcp run and the Redis binaries
# are installed.
proc interop_require {} {
    if {$::kp::opt(transport) ne "tcp"} { kp_skip "runs in the tcp run only" }
    foreach bin [list $::interop_redis $::interop_check_rdb $::interop_check_aof] {
        if {![file executable $bin]} { kp_skip "$bin is not installed (apt-get install redis-server)" }
    }
}

# Starts redis-server on a free port with its data in dir and extra
# arguments; waits until it has loaded its data. Returns a handle for
# interop_redis_client and interop_redis_stop.
proc interop_redis_start {dir args} {
    file mkdir $dir
    set port [kp_find_available_port]
    set argv [list $::interop_redis --port $port --bind 127.0.0.1 --save "" --dir $dir \
                  --enable-debug-command yes --enable-protected-configs yes {*}$args]
    set log [file join $dir redis.log]
    lassign [kp__spawn $argv $log $log.err 1] chan pid
    kp_control server $pid
    set h [dict create chan $chan pid $pid port $port dir $dir log $log client ""]
    set deadline [expr {[clock milliseconds] + 20000}]
    while 1 {
        if {![kp_pid_alive $pid]} {
            interop_redis_stop $h
            fail "redis-server exited at startup:\n[kp__tail [kp__read_file $log] 20]"
        }
        if {![catch {kp_client -transport tcp -host 127.0.0.1 -port $port -timeout 2000} c]} {
            if {![catch {$c ping} reply] && $reply eq "PONG"} {
                dict set h client $c
                return $h
            }
            catch {$c close}
        }
        if {[clock milliseconds] > $deadline} {
            interop_redis_stop $h
            fail "redis-server did not answer within 20 s:\n[kp__tail [kp__read_file $log] 20]"
        }
        after 50
    }
}

proc interop_redis_client {h} { return [dict get $h client] }

# Stops the redis-server of handle h by its pid (SIGTERM, SIGKILL after
# 10 s) and reaps it.
proc interop_redis_stop {h} {
    if {[dict get $h client] ne ""} { catch {[dict get $h client] close} }
    kp__reap [dict get $h chan] [dict get $h pid]
    kp_control server-exit [dict get $h pid]
}

# Runs body with a redis-server started on dir (with args), bound to the
# variable named by hvar; the server is stopped whatever body does.
proc with_redis {hvar dir args} {
    set body [lindex $args end]
    set args [lrange $args 0 end-1]
    upvar 1 $hvar h
    set h [interop_redis_start $dir {*}$args]
    set code [catch {uplevel 1 $body} result opts]
    interop_redis_stop $h
    return -options $opts $result
}

# Fills the dataset through client c with every type in every encoding:
# short, integer, long (LZF-compressible) and large strings, listpack and
# multi-node lists with integers, intsets and hashtable sets, listpack and
# hashtable hashes, listpack and skiplist sorted sets (infinite and
# fractional scores), HyperLogLog and bitmap strings, TTLs, and keys in
# databases 0, 3 and 15.
proc interop_fill {c} {
    $c flushall
    $c set str hello
    $c set empty ""
    $c set int 12345
    $c set neg -987654321
    $c set bigint 99999999999999999999
    $c set float 3.25
    $c set long [string repeat abcd 40]
    set big ""
    for {set i 0} {$i < 20000} {incr i} { append big "$i," }
    $c set big $big
    $c rpush list a 17 -3 b [string repeat x 70] 4294967296
    set items {}
    for {set i 0} {$i < 1500} {incr i} { lappend items [expr {$i % 3 ? $i : "item:$i"}] }
    $c rpush biglist {*}$items
    $c sadd intset 1 2 3 -7 1000000 -9223372036854775808 9223372036854775807
    set members {}
    for {set i 0} {$i < 400} {incr i} { lappend members [expr {$i * 3}] }
    $c sadd bigintset {*}$members
    $c sadd strset a b c 12
    set members {}
    for {set i 0} {$i < 700} {incr i} { lappend members member:$i }
    $c sadd bigset {*}$members
    $c hset smallhash f1 v1 f2 2 3 three neg -5
    set fields {}
    for {set i 0} {$i < 600} {incr i} { lappend fields field:$i $i }
    $c hset bighash {*}$fields
    $c hset longvalhash a [string repeat y 100] b 1
    $c zadd smallzset 1 a 2.5 b -inf c +inf d 0.1 e 3 123 -0.5 f
    set scored {}
    for {set i 0} {$i < 300} {incr i} { lappend scored [expr {$i / 7.0}] m$i }
    $c zadd bigzset {*}$scored
    $c zadd longzset 1 [string repeat z 100] 2 short
    $c pfadd hll a b c d e f g
    $c setbit bitmap 1000 1
    $c expire str 100000
    $c expire biglist 200000
    $c pexpire bigzset 99999999
    $c expire smallhash 50000
    $c select 3
    $c set other db3
    $c rpush list x y 1
    $c expire list 300000
    $c select 15
    $c sadd s 1 2 3
    $c hset h f v
    $c select 0
}

# Writes that land in an AOF's incremental file after its base.
proc interop_more_writes {c} {
    $c set after-base 1
    $c incr int
    $c append str " world"
    $c del strset
    $c rpush list z
    $c lpop biglist
    $c hset smallhash added yes
    $c hdel bighash field:7
    $c sadd bigintset 5
    $c srem bigset member:1
    $c zadd smallzset 42 g
    $c zincrby bigzset 0.25 m3
    $c expire after-base 400000
    $c persist biglist
    $c select 3
    $c set other changed
    $c select 5
    $c set soon-gone 1
    $c flushdb
    $c select 0
}

# KEY ENCODING ... of every key of database 0, sorted by key.
proc interop_encodings {c} {
    set out {}
    foreach k [lsort [$c keys *]] { lappend out $k [$c object encoding $k] }
    return $out
}

# Waits until no AOF rewrite is running or scheduled on client c.
proc interop_wait_rewrite {c} {
    wait_for_condition 200 50 {
        [kp_info_field [$c info persistence] aof_rewrite_in_progress] eq "0" &&
        [kp_info_field [$c info persistence] aof_rewrite_scheduled] eq "0"
    } else {
        fail "AOF rewrite did not finish: [$c info persistence]"
    }
}

# Restarts the keyport server of this block with its data in dir and
# directive value pairs added to its config (later lines win).
proc interop_restart_on {dir args} {
    set f [open [srv config_file] a]
    puts $f "dir $dir"
    foreach {k v} $args { puts $f "$k $v" }
    close $f
    kp_restart_server
}

# Runs a check tool; returns its output, failing the test unless it exits 0.
proc interop_check_tool {argv} {
    if {[catch {exec {*}$argv 2>@1} out opts]} {
        fail "[file tail [lindex $argv 0]] rejected [lindex $argv end]:\n$out"
    }
    return $out
}

# ---- keyport's RDB -> redis-check-rdb and redis-server ----

foreach {compression checksum} {yes yes no no} {
    start_server [list tags {interop persistence keyport} \
                      overrides [list save {} rdbcompression $compression \
                                     rdbchecksum $checksum enable-debug-command yes]] {
        test "redis-server loads keyport's dump with the same digest (rdbcompression $compression, rdbchecksum $checksum)" {
            interop_require
            interop_fill r
            set digest [r debug digest]
            assert_equal [r save] OK
            set dump [file join [srv dir] dump.rdb]
            set out [interop_check_tool [list $::interop_check_rdb $dump]]
            assert_match {*RDB looks OK!*} $out
            set rdir [kp_tmp_path redis-from-keyport-rdb]
            file mkdir $rdir
            file copy $dump [file join $rdir dump.rdb]
            # Both load the same file: same digest, same encodings.
            assert_equal [r debug reload nosave] OK
            assert_equal [r debug digest] $digest
            with_redis h $rdir {
                set c [interop_redis_client $h]
                assert_equal [$c debug digest] $digest
                assert_equal [interop_encodings $c] [interop_encodings r]
            }
        }
    }
}

# ---- redis-server's RDB -> keyport ----

start_server {tags {interop persistence keyport}
              overrides {save {} enable-debug-command yes}} {
    test {keyport starts on a dump written by redis-server with the same digest} {
        interop_require
        set rdir [kp_tmp_path keyport-from-redis-rdb]
        with_redis h $rdir {
            set c [interop_redis_client $h]
            interop_fill $c
            assert_equal [$c save] OK
            set digest [$c debug digest]
            # The encodings of what was loaded from the file (how a string
            # was written can change its encoding, loading settles it).
            assert_equal [$c debug reload nosave] OK
            set encodings [interop_encodings $c]
        }
        interop_restart_on $rdir
        assert_equal [r debug digest] $digest
        assert_equal [interop_encodings r] $encodings
        # What keyport saves again is still what Redis wrote.
        assert_equal [r debug reload] OK
        assert_equal [r debug digest] $digest
    }
}

# ---- redis-server's AOF directory -> keyport ----

foreach preamble {yes no} {
    start_server {tags {interop persistence keyport}
                  overrides {save {} enable-debug-command yes}} {
        test "keyport starts on an AOF directory written by redis-server (aof-use-rdb-preamble $preamble)" {
            interop_require
            set rdir [kp_tmp_path redis-aof-$preamble]
            with_redis h $rdir --appendonly yes --aof-use-rdb-preamble $preamble {
                set c [interop_redis_client $h]
                interop_fill $c
                $c bgrewriteaof
                interop_wait_rewrite $c
                interop_more_writes $c
                set digest [$c debug digest]
            }
            set manifest [kp__read_file [file join $rdir appendonlydir appendonly.aof.manifest]]
            set base_type [expr {$preamble eq "yes" ? "rdb" : "aof"}]
            assert_match "*appendonly.aof.*.base.$base_type*" $manifest
            set kdir [kp_tmp_path keyport-from-redis-aof-$preamble]
            file mkdir $kdir
            file copy [file join $rdir appendonlydir] [file join $kdir appendonlydir]
            interop_restart_on $kdir appendonly yes
            assert_equal [r debug digest] $digest
            # A write after the load goes to the AOF, which loads back.
            r set written-by keyport
            set after [r debug digest]
            assert_equal [r debug loadaof] OK
            assert_equal [r debug digest] $after
        }
    }
}

# ---- keyport's AOF directory -> redis-check-aof and redis-server ----

foreach preamble {yes no} {
    start_server [list tags {interop persistence keyport} \
                      overrides [list save {} appendonly yes \
                                     aof-use-rdb-preamble $preamble enable-debug-command yes]] {
        test "redis-check-aof accepts keyport's AOF and redis-server loads it (aof-use-rdb-preamble $preamble)" {
            interop_require
            interop_fill r
            assert_match {*rewriting*} [r bgrewriteaof]
            interop_wait_rewrite r
            interop_more_writes r
            set digest [r debug digest]
            set adir [file join [srv dir] appendonlydir]
            set manifest [kp__read_file [file join $adir appendonly.aof.manifest]]
            set base_type [expr {$preamble eq "yes" ? "rdb" : "aof"}]
            assert_match "*appendonly.aof.*.base.$base_type*" $manifest
            set rdir [kp_tmp_path redis-from-keyport-aof-$preamble]
            file mkdir $rdir
            file copy $adir [file join $rdir appendonlydir]
            set out [interop_check_tool [list $::interop_check_aof \
                                             [file join $rdir appendonlydir appendonly.aof.manifest]]]
            assert_match {*All AOF files and manifest are valid*} $out
            with_redis h $rdir --appendonly yes {
                assert_equal [[interop_redis_client $h] debug digest] $digest
            }
        }
    }
}
