# DUMP and RESTORE: round trips of every type in every encoding, Redis
# 7.0's error texts and option rules (REPLACE, ABSTTL, IDLETIME, FREQ),
# TTL semantics, the restore event, and interop with Debian's
# redis-server 7.0 in both directions (payloads moved between the
# servers, byte-identical payloads where both encode a value the same
# way). The local tests also pass against redis-server itself.

# ---- helpers ----

# CRC64 (Jones, reflected) of a byte string, bit by bit: for the small
# payloads the tests forge.
proc dump_crc64 {data} {
    set crc 0
    binary scan $data cu* bytes
    foreach b $bytes {
        set crc [expr {$crc ^ $b}]
        for {set k 0} {$k < 8} {incr k} {
            if {$crc & 1} {
                set crc [expr {($crc >> 1) ^ 0x95ac9329ac4bc9b5}]
            } else {
                set crc [expr {$crc >> 1}]
            }
        }
    }
    return $crc
}

# A DUMP payload around body (type byte and value) with the given RDB
# version and a correct checksum.
proc dump_forge {body {version 10}} {
    set p $body
    append p [binary format s $version]
    append p [binary format w [dump_crc64 $p]]
    return $p
}

# Keys of every type and encoding that kp_fill_dataset writes: name ->
# expected OBJECT ENCODING.
set ::dump_keys {
    str embstr  int int  bigint embstr  empty embstr  long raw  lzf raw  binary raw
    list quicklist  biglist quicklist
    intset intset  bigintset hashtable  strset hashtable
    smallhash listpack  bighash hashtable  longvalhash hashtable
    smallzset listpack  bigzset skiplist  longzset skiplist
}

start_server {tags {dump}} {
    test {DUMP of a missing key is a null reply} {
        r del nokey
        r dump nokey
    } {}

    test {DUMP / RESTORE round trip of every type and encoding} {
        r flushdb
        kp_fill_dataset r
        foreach {k enc} $::dump_keys {
            assert_encoding $enc $k
            set before [kp_key_value r $k]
            set payload [r dump $k]
            r del $k
            assert_equal [r restore $k 0 $payload] OK
            assert_equal [kp_key_value r $k] $before "value of $k"
            assert_encoding $enc $k
            assert_equal [r ttl $k] -1
        }
    }

    test {RESTORE converts to the encoding the limits allow} {
        r del h
        r hset h a 1 b 2 c 3
        set p [r dump h]
        r config set hash-max-listpack-entries 2
        r del h
        r restore h 0 $p
        set enc [r object encoding h]
        r config set hash-max-listpack-entries 128
        list $enc [lsort -stride 2 [r hgetall h]]
    } {hashtable {a 1 b 2 c 3}}

    test {DUMP payloads are LZF-compressed only with rdbcompression yes} {
        r set lzf [string repeat abcd 500]
        r config set rdbcompression no
        set raw [string length [r dump lzf]]
        r config set rdbcompression yes
        set packed [string length [r dump lzf]]
        assert_morethan $raw 2000
        assert_lessthan $packed 200
        r del lzf
        r restore lzf 0 [r dump str]
        r del lzf
        r config set rdbcompression no
        set p [r dump str]
        r config set rdbcompression yes
        r restore lzf 0 $p
        r get lzf
    } {hello}

    test {RESTORE refuses an existing key without REPLACE} {
        r set k old
        r set src new
        set p [r dump src]
        assert_error {BUSYKEY Target key name already exists.} {r restore k 0 $p}
        # The key check comes before the TTL check, as in Redis.
        assert_error {BUSYKEY Target key name already exists.} {r restore k abc $p}
        assert_equal [r restore k 0 $p REPLACE] OK
        r get k
    } {new}

    test {RESTORE TTL errors} {
        r set src v
        set p [r dump src]
        r del k
        assert_error {ERR value is not an integer or out of range} {r restore k abc $p}
        assert_error {ERR Invalid TTL value, must be >= 0} {r restore k -1 $p}
        r exists k
    } {0}

    test {RESTORE refuses a payload with a bad checksum or version} {
        r set src hello
        set p [r dump src]
        r del k
        set bad [string replace $p 3 3 X]
        assert_error {ERR DUMP payload version or checksum are wrong} {r restore k 0 $bad}
        assert_error {ERR DUMP payload version or checksum are wrong} {r restore k 0 short}
        assert_error {ERR DUMP payload version or checksum are wrong} {r restore k 0 ""}
        # Version 11 with a matching checksum is still too new for 7.0.
        set v11 [dump_forge "\x00\x05hello" 11]
        assert_error {ERR DUMP payload version or checksum are wrong} {r restore k 0 $v11}
        assert_equal [r restore k 0 [dump_forge "\x00\x05hello"]] OK
        r get k
    } {hello}

    test {RESTORE refuses well-formed payloads holding bad values} {
        r del k
        # A stream, a module value, an unknown type, an empty intset, an
        # intset shorter than its count, a set with a member twice.
        foreach body [list "\x0f\x00" "\x07\x00" "\x08" \
                          "\x0b\x08\x02\x00\x00\x00\x00\x00\x00\x00" \
                          "\x0b\x0a\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00" \
                          "\x02\x02\x01a\x01a"] {
            assert_error {ERR Bad data format} {r restore k 0 [dump_forge $body]}
        }
        r exists k
    } {0}

    # Redis 7.0 reads such a value on into the version and checksum bytes,
    # or ignores what follows it; keyport refuses both.
    test {RESTORE refuses a value that overruns or underruns its payload} {
        r del k
        assert_error {ERR Bad data format} {r restore k 0 [dump_forge "\x00\x06hi"]}
        assert_error {ERR Bad data format} {r restore k 0 [dump_forge "\x00\x05hello!"]}
        r exists k
    } {0} {keyport}

    test {RESTORE option errors} {
        r set src v
        set p [r dump src]
        r del k
        assert_error {ERR Invalid IDLETIME value, must be >= 0} {r restore k 0 $p IDLETIME -1}
        assert_error {ERR value is not an integer or out of range} {r restore k 0 $p IDLETIME x}
        assert_error {ERR Invalid FREQ value, must be >= 0 and <= 255} {r restore k 0 $p FREQ 256}
        assert_error {ERR Invalid FREQ value, must be >= 0 and <= 255} {r restore k 0 $p FREQ -1}
        assert_error {ERR syntax error} {r restore k 0 $p IDLETIME 10 FREQ 10}
        assert_error {ERR syntax error} {r restore k 0 $p FREQ 10 IDLETIME 10}
        assert_error {ERR syntax error} {r restore k 0 $p IDLETIME}
        assert_error {ERR syntax error} {r restore k 0 $p NOSUCHOPTION}
        assert_error {ERR wrong number of arguments for 'restore' command} {r restore k 0}
        assert_error {ERR wrong number of arguments for 'dump' command} {r dump a b}
        # Option errors come before the existing-key check.
        r set k exists
        assert_error {ERR syntax error} {r restore k 0 $p BAD}
        r get k
    } {exists}

    test {RESTORE with a relative, absolute and zero TTL} {
        r set src v
        set p [r dump src]
        r del k
        r restore k 5000 $p
        assert_range [r pttl k] 3000 5000
        r del k
        set when [expr {[clock milliseconds] + 100000}]
        r restore k $when $p ABSTTL
        assert_equal [r pexpiretime k] $when
        r del k
        r restore k 0 $p ABSTTL
        r ttl k
    } {-1}

    test {RESTORE with a TTL already past creates nothing, and REPLACE deletes} {
        r set src v
        set p [r dump src]
        r del k
        assert_equal [r restore k 1 $p ABSTTL] OK
        assert_equal [r exists k] 0
        r set k old
        assert_equal [r restore k 1 $p ABSTTL REPLACE] OK
        r exists k
    } {0}

    test {RESTORE IDLETIME sets the idle time, FREQ is accepted} {
        r set src v
        set p [r dump src]
        r del k
        r restore k 0 $p IDLETIME 1000
        assert_range [r object idletime k] 1000 1002
        r del k
        assert_equal [r restore k 0 $p FREQ 100] OK
        r restore k 0 $p REPLACE ABSTTL IDLETIME 50
        r get k
    } {v}

    test {RESTORE publishes the restore event} {
        r del k k2 src
        r config set notify-keyspace-events KEA
        set sub [kp_client]
        $sub psubscribe "__keyevent@*__:*"
        r set src v
        set p [r dump src]
        r restore k 0 $p
        r set k2 old
        r restore k2 1 $p ABSTTL REPLACE
        set events {}
        while {[llength $events] < 4} {
            set m [$sub read]
            if {[lindex $m 0] eq "psubscribe"} continue
            lappend events [lindex [split [lindex $m 2] :] 1]
        }
        $sub close
        r config set notify-keyspace-events ""
        set events
    } {set restore set del}

    test {COMMAND INFO and DOCS of DUMP and RESTORE} {
        set d [lindex [r command info dump] 0]
        set rs [lindex [r command info restore] 0]
        assert_equal [lrange $d 0 1] {dump 2}
        assert_match {*readonly*} [lindex $d 2]
        assert_equal [lrange $d 3 5] {1 1 1}
        assert_match {*@keyspace*@read*@slow*} [lindex $d 6]
        assert_equal [lrange $rs 0 1] {restore -4}
        assert_equal [lsort [lindex $rs 2]] {denyoom write}
        assert_match {*@dangerous*} [lindex $rs 6]
        set docs [lindex [r command docs restore] 1]
        assert_equal [dict get $docs group] generic
        assert_equal [dict get $docs since] 2.6.0
        set names {}
        foreach a [dict get $docs arguments] { lappend names [dict get $a name] }
        assert_match {key ttl serialized-value replace absttl*} $names
    }
}

# ---- interop with Debian's redis-server 7.0 ----

# Moves every key of ::dump_keys from client a to client b with DUMP and
# RESTORE and checks values and encodings on arrival.
proc dump_transfer {a b} {
    $b flushall
    foreach {k enc} $::dump_keys {
        set payload [$a dump $k]
        assert_equal [$b restore $k 0 $payload] OK
        assert_equal [kp_key_value $b $k] [kp_key_value $a $k] "value of $k"
        assert_equal [$b object encoding $k] $enc "encoding of $k"
    }
}

start_server {tags {dump interop}} {
    test {Payloads from redis-server 7.0 restore in keyport} {
        kp_require_redis_peer
        kp_with_redis h [kp_tmp_path redis-peer] {
            set peer [dict get $h client]
            $peer flushall
            kp_fill_dataset $peer
            dump_transfer $peer r
        }
    }

    test {Payloads from keyport restore in redis-server 7.0} {
        kp_require_redis_peer
        try {
            kp_with_redis h [kp_tmp_path redis-peer] {
                set peer [dict get $h client]
                r flushall
                kp_fill_dataset r
                dump_transfer r $peer
                # With rdbcompression no on both sides too.
                r config set rdbcompression no
                $peer config set rdbcompression no
                dump_transfer r $peer
                dump_transfer $peer r
            }
        } finally {
            r config set rdbcompression yes
        }
    }

    test {keyport's payloads are byte-identical to redis-server's for the same values} {
        kp_require_redis_peer
        kp_with_redis h [kp_tmp_path redis-peer] {
            set peer [dict get $h client]
            r flushall
            $peer flushall
            kp_fill_dataset r
            kp_fill_dataset $peer
            # Values whose encoding is fully determined by their contents
            # (hash tables iterate in an arbitrary order; LZF output depends
            # on the library build).
            foreach k {str int bigint empty binary list biglist intset smallhash smallzset
                       bigzset longzset} {
                assert_equal [r dump $k] [$peer dump $k] "payload of $k"
            }
        }
    }
}

start_server {tags {dump interop}} {
    test {redis-check-rdb accepts a file keyport saved} {
        if {![file executable /usr/bin/redis-check-rdb]} { kp_skip "redis-check-rdb is not installed" }
        r flushall
        kp_fill_dataset r
        r expire str 100000
        r select 3
        r set other db3
        r select 9
        if {[catch {r save} err]} { kp_skip "SAVE is not available: $err" }
        set file [file join [lindex [r config get dir] 1] [lindex [r config get dbfilename] 1]]
        if {[catch {exec /usr/bin/redis-check-rdb $file 2>@1} out]} {
            fail "redis-check-rdb rejected $file:\n$out"
        }
        assert_match {*RDB looks OK*} $out
        assert_match {*keys read*} $out
    }
}
