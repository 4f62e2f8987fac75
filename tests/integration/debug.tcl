# DEBUG (guarded by enable-debug-command), MEMORY and the INFO memory
# figures.

start_server {tags {debug}} {
    test {DEBUG is refused by default} {
        assert_error {ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.} {r debug sleep 0}
    }

    test {enable-debug-command cannot change at runtime} {
        assert_error {ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config} {r config set enable-debug-command yes}
    }
}

start_server {tags {debug} overrides {enable-debug-command local}} {
    test {DEBUG is allowed from a local connection with "local"} {
        r debug sleep 0
    } {OK}
}

start_server {tags {debug} overrides {enable-debug-command yes}} {
    test {DEBUG HELP and unknown subcommands} {
        assert_match {DEBUG <subcommand>*} [lindex [r debug help] 0]
        assert_error {ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.} {r debug foo}
        assert_error {ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.} {r debug sleep}
        assert_error {ERR wrong number of arguments for 'debug' command} {r debug}
    }

    test {DEBUG SLEEP blocks the server} {
        set start [clock milliseconds]
        r debug sleep 0.2
        expr {[clock milliseconds] - $start >= 190}
    } {1}

    test {DEBUG SET-ACTIVE-EXPIRE 0 keeps expired keys until they are accessed} {
        r flushall
        r debug set-active-expire 0
        for {set i 0} {$i < 20} {incr i} { r set k$i v px 10 }
        after 300
        set before [r dbsize]
        r debug set-active-expire 1
        assert_equal $before 20
        wait_for_condition 50 50 {[r dbsize] == 0} else { fail "keys were not expired" }
    }

    test {DEBUG OBJECT} {
        r set s 12
        r set t hello
        r rpush l a b
        assert_match {Value at:* refcount:* encoding:int serializedlength:* lru:* lru_seconds_idle:*} [r debug object s]
        assert_match {*encoding:embstr*} [r debug object t]
        assert_match {*encoding:quicklist*ql_nodes:1 ql_avg_node:2.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:*} [r debug object l]
        assert_error {ERR no such key} {r debug object missing}
    }

    test {DEBUG DIGEST and DIGEST-VALUE} {
        r flushall
        assert_equal [r debug digest] 0000000000000000000000000000000000000000
        r set a 1
        r sadd s x y z
        set d1 [r debug digest]
        assert_match {[0-9a-f]*} $d1
        assert_equal [string length $d1] 40
        # The same data built in another order digests the same.
        r flushall
        r sadd s z y x
        r set a 1
        assert_equal [r debug digest] $d1
        r set a 2
        assert_not_equal [r debug digest] $d1
        lassign [r debug digest-value a missing] v1 v2
        assert_equal $v2 0000000000000000000000000000000000000000
        r set b 2
        assert_equal [r debug digest-value b] [list $v1]
    }

    test {DEBUG POPULATE} {
        r flushall
        assert_equal [r debug populate 10] OK
        assert_equal [r dbsize] 10
        assert_equal [r get key:3] value:3
        r debug populate 3 p 4
        assert_equal [r get p:1] valu
        r debug populate 2 q 10
        assert_equal [r get q:1] "value:1\x00\x00\x00"
        r set key:0 keep
        r debug populate 2
        assert_equal [r get key:0] keep
        assert_error {ERR value is out of range, must be positive} {r debug populate abc}
    }

    test {DEBUG PROTOCOL in RESP2} {
        set out {}
        foreach t {string integer double bignum null array set map attrib verbatim true false} {
            lappend out [r rawcmd debug protocol $t]
        }
        assert_error {ERR RESP2 is not supported by this command} {r debug protocol push}
        assert_error {ERR Wrong protocol type name*} {r debug protocol foo}
        set out
    } [list "\$11\r\nHello World\r\n" ":12345\r\n" "\$5\r\n3.141\r\n" \
           "\$37\r\n1234567999999999999999999999999999999\r\n" "\$-1\r\n" \
           "*3\r\n:0\r\n:1\r\n:2\r\n" "*3\r\n:0\r\n:1\r\n:2\r\n" \
           "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n" \
           "\$39\r\nSome real reply following the attribute\r\n" \
           "\$25\r\nThis is a verbatim\nstring\r\n" ":1\r\n" ":0\r\n"]

    test {DEBUG PROTOCOL in RESP3} {
        r hello 3
        set out {}
        foreach t {double bignum null set map attrib push verbatim true} {
            lappend out [r rawcmd debug protocol $t]
            if {$t eq "push"} { lappend out [r readrawreply] }
        }
        r hello 2
        set out
    } [list ",3.141\r\n" "(1234567999999999999999999999999999999\r\n" "_\r\n" \
           "~3\r\n:0\r\n:1\r\n:2\r\n" "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n" \
           "|1\r\n\$14\r\nkey-popularity\r\n*2\r\n\$7\r\nkey:123\r\n:90\r\n\$39\r\nSome real reply following the attribute\r\n" \
           ">2\r\n\$16\r\nserver-cpu-usage\r\n:42\r\n" \
           "\$40\r\nSome real reply following the push reply\r\n" \
           "=29\r\ntxt:This is a verbatim\nstring\r\n" "#t\r\n"]

    test {DEBUG ERROR and LOG} {
        assert_error {MYERR custom} {r debug error "MYERR custom"}
        r debug log "hello from the test"
    } {OK}
}

# A dataset with every type in every encoding, integers, TTLs and several
# databases (debug_fill_dataset); its digests below were produced by
# Debian's redis-server 7.0.15 from the same commands.
proc debug_fill_dataset {} {
    r flushall
    r set str hello
    r set int 12345
    r set neg -42
    r set long [string repeat abc 40]
    r set float 3.5
    r rpush list a 17 -3 b [string repeat x 70]
    set big {}
    for {set i 0} {$i < 600} {incr i} { lappend big [expr {$i % 3 ? $i : "e$i"}] }
    r rpush biglist {*}$big
    r sadd intset 1 2 3 -7 1000000
    r sadd strset a b c 12
    set members {}
    for {set i 0} {$i < 600} {incr i} { lappend members $i }
    r sadd bigintset {*}$members
    r hset smallhash f1 v1 f2 2 3 three
    set fields {}
    for {set i 0} {$i < 600} {incr i} { lappend fields f$i $i }
    r hset bighash {*}$fields
    r hset longvalhash a [string repeat y 100]
    r zadd smallzset 1 a 2.5 b -inf c +inf d 0.1 e 3 123
    set scored {}
    for {set i 0} {$i < 200} {incr i} { lappend scored [expr {$i / 7.0}] m$i }
    r zadd bigzset {*}$scored
    r expire str 100000
    r pexpire bigzset 99999999
    r expire smallhash 50000
    r select 9
    r set other db9
    r rpush list x
    r select 0
}

start_server {tags {debug} overrides {enable-debug-command yes}} {
    test {DEBUG DIGEST equals Redis 7.0's digest for every type and encoding} {
        debug_fill_dataset
        foreach {key enc} {str embstr int int long raw list quicklist biglist quicklist
                           intset intset strset hashtable bigintset hashtable
                           smallhash listpack bighash hashtable longvalhash hashtable
                           smallzset listpack bigzset skiplist} {
            assert_encoding $enc $key
        }
        r debug digest
    } {374444c52e34393f87dc91de7935f59a0d6874a6}

    test {DEBUG DIGEST-VALUE equals Redis 7.0's per key, zeros for a missing key} {
        r debug digest-value str int neg long float list biglist intset strset bigintset \
            smallhash bighash longvalhash smallzset bigzset missing
    } [list \
        d037c4eb8a8b36b602fbced4000daeab0714c1e3 e1cf90774e995ae03de66e8109dc5cb9d9c2dc83 \
        ce70a5674f228eaf3e2c2d01f6152e36f7e792a7 ad59ef12a850b718a6e18c6ccdaac05a47f32813 \
        7778d1afae1dfdecb4c0c6067b712793cf413537 e8420e7bb1f60c0d283e1c0e2efc4254db0781c1 \
        189e56a3977b36d27dca8e8a2b89926364e1c383 ce6d246cda7be4f68a9fc7796134f9f8b60c8377 \
        226e248f1c907f6e27712c43643e43684a38df26 04d81c0962ffde34acf89d01fe2057bd59abc03f \
        f21391de843d0c0c155c333842fbd667272a70c0 1905108a639d28e90e7c8476c6dd6dcdf7a15271 \
        631fd1e8c9edd52ae40d5eeacd36a9ce1d1e0a36 d6776a57cb0a7cbb894bd38b0cfe315a479a0629 \
        ad1a0af7dd8cb54c35990ba8baf3760aaeb1a661 0000000000000000000000000000000000000000]

    test {DEBUG DIGEST-VALUE covers a key whose TTL passed but is still stored} {
        r flushall
        r debug set-active-expire 0
        r set k v
        set live [r debug digest-value k]
        r pexpire k 1
        after 20
        set expired [r debug digest-value k]
        r debug set-active-expire 1
        assert_not_equal $expired {0000000000000000000000000000000000000000}
        assert_not_equal $expired $live
        set expired
    } {311b17018163335616e089f6b951c82c477335ac}
}

start_server {tags {debug persistence}
              overrides {enable-debug-command yes enable-protected-configs yes}} {
    test {DEBUG RELOAD saves, empties and loads the dataset back} {
        debug_fill_dataset
        set before [r debug digest]
        assert_equal [r debug reload] OK
        assert_equal [r debug digest] $before
        assert {[file exists [file join [srv dir] dump.rdb]]}
        list [r dbsize] [r select 9] [r lrange list 0 -1] [r select 0]
    } {15 OK x OK}

    test {DEBUG RELOAD NOSAVE replaces the dataset with the file} {
        r flushall
        r set a 1
        r debug reload
        r set b 2
        r del a
        assert_equal [r debug reload nosave] OK
        list [r get a] [r exists b]
    } {1 0}

    test {DEBUG RELOAD NOSAVE NOFLUSH MERGE adds the file to the dataset} {
        r flushall
        r set a 1
        r set shared fromfile
        r debug reload
        r set shared inmemory
        r set c 3
        r del a
        assert_equal [r debug reload nosave noflush merge] OK
        list [r get a] [r get shared] [r get c]
    } {1 fromfile 3}

    test {DEBUG RELOAD option errors} {
        assert_error {ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.} \
            {r debug reload foo}
        assert_error {ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.} \
            {r debug reload nosave bar}
    }

    test {DEBUG RELOAD NOSAVE of a file that is not an RDB fails clearly} {
        r flushall
        r set kept 1
        r debug reload
        set f [open [file join [srv dir] dump.rdb] w]
        puts -nonewline $f "NOTANRDBFILE"
        close $f
        assert_error {ERR Error trying to load the RDB dump} \
            {r debug reload nosave}
        file delete [file join [srv dir] dump.rdb]
        assert_error {ERR Error trying to load the RDB dump} \
            {r debug reload nosave}
        r ping
    } {PONG}

    test {DEBUG RELOAD NOFLUSH without MERGE refuses a duplicated key and keeps running} {
        r flushall
        r set dup 1
        r debug reload
        assert_error {ERR Error trying to load the RDB dump} \
            {r debug reload nosave noflush}
        r get dup
    } {1} {keyport}

    test {DEBUG RELOAD reports a failed save} {
        set dir [srv dir]
        set gone [file join $dir gone]
        file mkdir $gone
        r config set dir $gone
        file delete -force $gone
        catch {r debug reload} e
        r config set dir $dir
        assert_match {ERR Error trying to save the DB*} $e
        r ping
    } {PONG} {keyport}
}
start_server {tags {memory}} {
    test {MEMORY USAGE} {
        r flushall
        r set s [string repeat x 1000]
        set n [r memory usage s]
        assert_range $n 1000 1200
        r sadd set 1 2 3
        assert_morethan [r memory usage set] 0
        set big {}
        for {set i 0} {$i < 1000} {incr i} { lappend big m$i }
        r sadd bigset {*}$big
        set sampled [r memory usage bigset]
        set full [r memory usage bigset samples 0]
        assert_morethan $full 20000
        assert_range $sampled [expr {$full / 2}] [expr {$full * 2}]
        r memory usage missing
    } {}

    test {MEMORY USAGE errors} {
        assert_error {ERR syntax error} {r memory usage s samples -1}
        assert_error {ERR syntax error} {r memory usage s foo}
        assert_error {ERR value is not an integer*} {r memory usage s samples x}
        assert_error {ERR wrong number of arguments for 'memory|usage' command} {r memory usage}
        assert_error {ERR unknown subcommand 'foo'. Try MEMORY HELP.} {r memory foo}
    }

    test {MEMORY STATS} {
        set st [r memory stats]
        foreach k {peak.allocated total.allocated startup.allocated clients.normal
                   overhead.total keys.count dataset.bytes dataset.percentage
                   peak.percentage fragmentation} {
            assert {[dict exists $st $k]} "missing $k"
        }
        assert_equal [dict get $st keys.count] [r dbsize]
        assert {[dict exists $st db.0]}
        assert {[dict exists [dict get $st db.0] overhead.hashtable.main]}
        expr {[dict get $st total.allocated] >= [dict get $st startup.allocated]}
    } {1}

    test {MEMORY DOCTOR, MALLOC-STATS, PURGE, HELP} {
        assert_morethan [string length [r memory doctor]] 10
        assert_morethan [string length [r memory malloc-stats]] 10
        assert_equal [r memory purge] OK
        assert_match {MEMORY <subcommand>*} [lindex [r memory help] 0]
    }

    test {INFO memory figures follow the data} {
        r flushall
        set before [kp_info_field [r info memory] used_memory]
        foreach f {used_memory_overhead used_memory_startup used_memory_dataset
                   used_memory_dataset_perc mem_clients_normal used_memory_peak} {
            assert {[kp_info_field [r info memory] $f] ne ""} "missing $f"
        }
        set vals {}
        for {set i 0} {$i < 1000} {incr i} { lappend vals m$i }
        for {set k 0} {$k < 10} {incr k} { r sadd big$k {*}$vals }
        set after [kp_info_field [r info memory] used_memory]
        assert_morethan [expr {$after - $before}] 200000
        r flushall
        set freed [kp_info_field [r info memory] used_memory]
        expr {$freed < $after - 200000}
    } {1}
}
