# Persistence interop with Debian's redis-server 7.0 and redis-tools as
# peers: each side reads the other's RDB dump and AOF directory, the check
# tools accept keyport's files, and DEBUG DIGEST (which keyport computes as
# Redis does) proves the datasets equal. Runs in the tcp run only; every
# redis-server started here is stopped by its pid before the test ends.

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

# ---- keyport's RDB -> redis-check-rdb and redis-server ----

foreach {compression checksum} {yes yes no no} {
    start_server [list tags {interop persistence keyport} \
                      overrides [list save {} rdbcompression $compression \
                                     rdbchecksum $checksum enable-debug-command yes]] {
        test "redis-server loads keyport's dump with the same digest (rdbcompression $compression, rdbchecksum $checksum)" {
            kp_require_redis_peer {redis-server redis-check-rdb redis-check-aof}
            kp_fill_dataset r
            set digest [r debug digest]
            assert_equal [r save] OK
            set dump [file join [srv dir] dump.rdb]
            lassign [kp_run_tool [list [kp_redis_tool redis-check-rdb] $dump]] status out
            assert_equal $status 0 "redis-check-rdb rejected $dump:\n$out"
            assert_match {*RDB looks OK!*} $out
            set rdir [kp_new_dir redis-from-keyport-rdb]
            file copy $dump [file join $rdir dump.rdb]
            # Both load the same file: same digest, same encodings.
            assert_equal [r debug reload nosave] OK
            assert_equal [r debug digest] $digest
            kp_with_redis h $rdir {
                set c [dict get $h client]
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
        kp_require_redis_peer {redis-server redis-check-rdb redis-check-aof}
        set rdir [kp_tmp_path keyport-from-redis-rdb]
        kp_with_redis h $rdir {
            set c [dict get $h client]
            kp_fill_dataset $c
            assert_equal [$c save] OK
            set digest [$c debug digest]
            # The encodings of what was loaded from the file (how a string
            # was written can change its encoding, loading settles it).
            assert_equal [$c debug reload nosave] OK
            set encodings [interop_encodings $c]
        }
        kp_append_config "dir $rdir"
        kp_restart_server
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
            kp_require_redis_peer {redis-server redis-check-rdb redis-check-aof}
            set rdir [kp_tmp_path redis-aof-$preamble]
            kp_with_redis h $rdir --appendonly yes --aof-use-rdb-preamble $preamble {
                set c [dict get $h client]
                kp_fill_dataset $c
                $c bgrewriteaof
                kp_wait_aof_rewrite $c
                interop_more_writes $c
                set digest [$c debug digest]
            }
            set manifest [kp__read_file [file join $rdir appendonlydir appendonly.aof.manifest]]
            set base_type [expr {$preamble eq "yes" ? "rdb" : "aof"}]
            assert_match "*appendonly.aof.*.base.$base_type*" $manifest
            set kdir [kp_new_dir keyport-from-redis-aof-$preamble]
            file copy [file join $rdir appendonlydir] [file join $kdir appendonlydir]
            kp_append_config "dir $kdir" "appendonly yes"
            kp_restart_server
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
                      overrides [list save {} appendonly yes appendfsync always \
                                     aof-use-rdb-preamble $preamble enable-debug-command yes]] {
        # appendfsync always: every acknowledged write is in the files when
        # they are copied from the running server (everysec may still hold
        # the last writes in its buffer, behind a background fsync).
        test "redis-check-aof accepts keyport's AOF and redis-server loads it (aof-use-rdb-preamble $preamble)" {
            kp_require_redis_peer {redis-server redis-check-rdb redis-check-aof}
            kp_fill_dataset r
            assert_match {*rewriting*} [r bgrewriteaof]
            kp_wait_aof_rewrite r
            interop_more_writes r
            set digest [r debug digest]
            set adir [kp_aof_dir]
            set manifest [kp__read_file [file join $adir appendonly.aof.manifest]]
            set base_type [expr {$preamble eq "yes" ? "rdb" : "aof"}]
            assert_match "*appendonly.aof.*.base.$base_type*" $manifest
            set rdir [kp_new_dir redis-from-keyport-aof-$preamble]
            file copy $adir [file join $rdir appendonlydir]
            set rmanifest [file join $rdir appendonlydir appendonly.aof.manifest]
            lassign [kp_run_tool [list [kp_redis_tool redis-check-aof] $rmanifest]] status out
            assert_equal $status 0 "redis-check-aof rejected $rmanifest:\n$out"
            assert_match {*All AOF files and manifest are valid*} $out
            kp_with_redis h $rdir --appendonly yes {
                assert_equal [[dict get $h client] debug digest] $digest
            }
        }
    }
}
