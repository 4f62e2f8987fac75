# HyperLogLog: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST. Values use Redis'
# HYLL string format byte for byte, so exact strings and exact counts are
# asserted (the same against redis-server and keyport).

start_server {tags {hll}} {
    test {PFADD reports whether a register changed} {
        r del h
        assert_equal [r pfadd h a b c] 1
        assert_equal [r pfadd h a b c] 0
        assert_equal [r pfadd h d] 1
        r pfcount h
    } {4}

    test {PFADD without elements creates an empty HLL} {
        r del h
        assert_equal [r pfadd h] 1
        assert_equal [r pfadd h] 0
        list [r type h] [r pfcount h] [r strlen h]
    } {string 0 18}

    test {The sparse string is byte-identical to Redis'} {
        r del h
        r pfadd h a b c
        r get h
    } [binary format H* 48594c4c01000000000000000000008060f38050b1844bfb80425a]

    test {A value written by Redis counts the same} {
        r del h
        r set h [binary format H* 48594c4c01000000000000000000008060f38050b1844bfb80425a]
        list [r pfcount h] [r pfadd h a b c] [r pfdebug decode h]
    } {3 0 {Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603}}

    test {PFCOUNT caches the cardinality in the header} {
        r del h
        r pfadd h a b c
        # Bit 7 of byte 15 marks the cache stale until PFCOUNT.
        assert_equal [expr {[scan [string index [r get h] 15] %c] & 0x80}] 128
        r pfcount h
        binary scan [string range [r get h] 8 15] w card
        set card
    } {3}

    test {Exact counts of the reference estimator} {
        r del h2 h3 h4
        set a {}
        for {set i 0} {$i < 1000} {incr i} { lappend a $i }
        r pfadd h2 {*}$a
        for {set i 0} {$i < 10000} {incr i 1000} {
            set a {}
            for {set j $i} {$j < $i + 1000} {incr j} { lappend a e$j }
            r pfadd h3 {*}$a
        }
        list [r pfcount h2] [r pfdebug encoding h2] [r strlen h2] [r pfcount h3] \
            [r pfdebug encoding h3]
    } {1001 sparse 1923 9973 dense}

    test {Estimates stay within 2% up to 100k elements} {
        r del h
        for {set i 0} {$i < 100000} {incr i 1000} {
            set a {}
            for {set j $i} {$j < $i + 1000} {incr j} { lappend a x$j }
            r pfadd h {*}$a
        }
        set n [r pfcount h]
        assert_equal $n 100903
        expr {abs($n - 100000) < 2000}
    } {1}

    test {PFCOUNT of several keys counts the union without changing them} {
        set before [r get h2]
        assert_equal [r pfcount h2 h3 h] 112095
        assert_equal [r pfcount h2 missing] 1001
        assert_equal [r get h2] $before
        r pfcount missing missing2
    } {0}

    test {PFMERGE} {
        r del m
        assert_equal [r pfmerge m h2 h3] OK
        assert_equal [r pfcount m] 11000
        assert_equal [r pfdebug encoding m] dense
        # The destination is one of the sources.
        r del m2
        r pfadd m2 a
        r pfmerge m2 h2
        list [r pfcount m2] [r pfmerge m3] [r exists m3] [r pfcount m3]
    } {1002 OK 1 0}

    test {PFMERGE of sparse sources stays sparse} {
        r del a b m
        r pfadd a 1 2 3
        r pfadd b 4 5 6
        r pfmerge m a b
        list [r pfdebug encoding m] [r pfcount m]
    } {sparse 6}

    test {Sparse turns dense past hll-sparse-max-bytes} {
        r config set hll-sparse-max-bytes 30
        r del h
        r pfadd h a b c
        assert_equal [r pfdebug encoding h] sparse
        r pfadd h d e f g h i j k l m n o p
        set enc [r pfdebug encoding h]
        r config set hll-sparse-max-bytes 3000
        list $enc [r strlen h] [r pfcount h]
    } {dense 12304 16}

    test {hll-sparse-max-bytes in CONFIG GET} {
        r config get hll-sparse-max-bytes
    } {hll-sparse-max-bytes 3000}

    test {PFDEBUG subcommands} {
        r del h
        r pfadd h a b c
        assert_equal [r pfdebug decode h] {Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603}
        set regs [r pfdebug getreg h]
        assert_equal [llength $regs] 16384
        assert_equal [list [lindex $regs 8436] [lindex $regs 12711] [lindex $regs 15780]] {1 2 1}
        # GETREG converted it.
        assert_equal [r pfdebug encoding h] dense
        assert_error {ERR HLL encoding is not sparse} {r pfdebug decode h}
        assert_equal [r pfdebug todense h] 0
        r del h
        r pfadd h x
        assert_equal [r pfdebug todense h] 1
        assert_error {ERR The specified key does not exist} {r pfdebug getreg missing}
        assert_error {ERR Unknown PFDEBUG subcommand 'foo'} {r pfdebug foo h}
        r pfcount h
    } {1}

    test {PFSELFTEST} {
        r pfselftest
    } {OK}

    test {Values that are not HLLs} {
        r set s hello
        set err {WRONGTYPE Key is not a valid HyperLogLog string value.}
        assert_error $err {r pfadd s a}
        assert_error $err {r pfcount s}
        assert_error $err {r pfcount s h}
        assert_error $err {r pfmerge s h}
        assert_error $err {r pfmerge h s}
        assert_error $err {r pfdebug encoding s}
        r set n 12345678901234567
        assert_error $err {r pfcount n}
        # A dense header with the wrong length.
        r set d "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00abc"
        assert_error $err {r pfcount d}
        # An unknown encoding byte.
        r set d "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
        assert_error $err {r pfcount d}
        r lpush l a
        assert_error {WRONGTYPE Operation against a key holding the wrong kind of value} {r pfadd l a}
        r get s
    } {hello}

    test {Corrupted sparse data} {
        r del h
        r pfadd h a b c
        # A run of 63 x 4 registers that overflows the register count.
        r setrange h 16 [string repeat "\xff" 20]
        assert_error {INVALIDOBJ Corrupted HLL object detected} {r pfcount h}
        assert_error {INVALIDOBJ Corrupted HLL object detected} {r pfcount h h2}
        assert_error {INVALIDOBJ Corrupted HLL object detected} {r pfmerge m h}
        r del h
        r set h "HYLL\x01\x00\x00\x00\x00\x00\x00\x80"
        assert_error {WRONGTYPE*} {r pfcount h}
        r set h "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x10"
        assert_error {INVALIDOBJ Corrupted HLL object detected} {r pfcount h}
    }

    # Found by the difftest (seed 747825075): after SETRANGE left a sparse
    # HLL ending inside a two-byte XZERO opcode, PFADD moved a negative
    # length and crashed. Redis reads the missing byte from the string's
    # terminator slot, writes the split opcode with its last byte cut (kept
    # in that slot, where the next PFADD reads it again); keyport must give
    # the same replies and bytes.
    test {PFADD on sparse data cut inside an XZERO opcode} {
        r del h
        set hdr "HYLL\x01[string repeat "\x00" 11]"
        r set h "$hdr\x7f"
        set added {}
        foreach e {a b c d e f} { lappend added [r pfadd h $e] }
        assert_equal $added {1 1 1 1 1 1}
        assert_equal [r get h] \
            "HYLL\x01[string repeat "\x00" 10]\x80Fm\x80V\x0c\x80Dv\x80P\xb1\x84I\x8c\x80Bm\x80A"
        assert_error {INVALIDOBJ Corrupted HLL object detected} {r pfcount h}
        # Here the second PFADD splits the cut XZERO left by the first: its
        # length comes from the byte kept past the end.
        r set h "$hdr\x7f"
        assert_equal [r pfadd h e50494] 1
        assert_equal [r get h] "HYLL\x01[string repeat "\x00" 10]\x80M\x87\x80q"
        assert_equal [r pfadd h e99346] 1
        assert_equal [r get h] "HYLL\x01[string repeat "\x00" 10]\x80M\x87\x80H*\x88i"
        r set h "$hdr\x80\x7f"
        foreach e {a b c d e f} { r pfadd h $e }
        assert_equal [r get h] \
            "HYLL\x01[string repeat "\x00" 10]\x80\x80Fl\x80V\x0c\x80Dv\x80P\xb1\x84I\x8c\x80Bm\x80A"
        # A cut XZERO covering one register: the registers past it are
        # missing, PFADD finds the data corrupt; PFCOUNT answers from the
        # cached cardinality, still valid.
        r set h "$hdr\x40"
        assert_error {INVALIDOBJ Corrupted HLL object detected} {r pfadd h a}
        list [r strlen h] [r pfcount h]
    } {17 0}

    test {PFCOUNT turns a shared small value private} {
        r del h
        r pfadd h a
        r set copy [r get h]
        assert_equal [r object encoding copy] embstr
        list [r pfcount copy] [r object encoding copy]
    } {1 raw}

    test {Wrong number of arguments} {
        assert_error {ERR wrong number of arguments for 'pfadd' command} {r pfadd}
        assert_error {ERR wrong number of arguments for 'pfcount' command} {r pfcount}
        assert_error {ERR wrong number of arguments for 'pfmerge' command} {r pfmerge}
        assert_error {ERR wrong number of arguments for 'pfdebug' command} {r pfdebug encoding}
    }
}
