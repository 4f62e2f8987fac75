# COMMAND and its subcommands: reply shapes and the facts clients use
# (arity, flags, key positions, ACL categories, docs).

start_server {tags {command}} {
    test {COMMAND COUNT matches COMMAND and COMMAND LIST} {
        set n [r command count]
        assert {$n > 50}
        assert_equal [llength [r command]] $n
        assert_equal [llength [r command info]] $n
        # COMMAND LIST also names subcommands (container|sub).
        set top [lsearch -all -inline -not [r command list] *|*]
        assert_equal [llength $top] $n
    }

    test {COMMAND LIST has every command implemented here} {
        set all [r command list]
        foreach c {get set getex getdel getset mget mset msetnx setnx setex psetex append strlen
                   getrange setrange incr decr incrby decrby incrbyfloat lcs del unlink exists
                   type keys scan randomkey rename renamenx expire pexpire expireat pexpireat
                   ttl pttl expiretime pexpiretime persist copy move touch object ping echo
                   quit hello auth select dbsize flushdb flushall swapdb time info config
                   client command shutdown} {
            assert {[lsearch -exact $all $c] >= 0} "$c is listed"
        }
        foreach c {config|get config|set client|list client|kill command|info object|encoding} {
            assert {[lsearch -exact $all $c] >= 0} "$c is listed"
        }
        assert_equal [llength [lsort -unique $all]] [llength $all]
    }

    # The first seven fields of COMMAND INFO: name, arity, flags, first key,
    # last key, key step, ACL categories.
    foreach {cmd want} {
        get {get 2 {readonly fast} 1 1 1 {@read @string @fast}}
        set {set -3 {write denyoom} 1 1 1 {@write @string @slow}}
        incr {incr 2 {write denyoom fast} 1 1 1 {@write @string @fast}}
        mset {mset -3 {write denyoom} 1 -1 2 {@write @string @slow}}
        mget {mget -2 {readonly fast} 1 -1 1 {@read @string @fast}}
        del {del -2 write 1 -1 1 {@keyspace @write @slow}}
        expire {expire -3 {write fast} 1 1 1 {@keyspace @write @fast}}
        ping {ping -1 fast 0 0 0 {@fast @connection}}
    } {
        test "COMMAND INFO $cmd" {
            set info [lindex [r command info $cmd] 0]
            assert_equal [llength $info] 10
            lrange $info 0 6
        } $want
    }

    test {COMMAND INFO of a container command lists its subcommands} {
        set info [lindex [r command info config] 0]
        assert_equal [lrange $info 0 1] {config -2}
        set subs [lmap s [lindex $info 9] {lindex $s 0}]
        foreach s {config|get config|set config|resetstat config|rewrite config|help} {
            assert {[lsearch -exact $subs $s] >= 0} "$s listed"
        }
    }

    test {COMMAND INFO of a subcommand} {
        set info [lindex [r command info config|get] 0]
        lrange $info 0 6
    } {config|get -3 {admin noscript loading stale} 0 0 0 {@admin @slow @dangerous}}

    test {COMMAND INFO of unknown commands gives nulls in place} {
        set reply [r command info get nosuchcommand set]
        assert_equal [llength $reply] 3
        assert_equal [lindex $reply 1] {}
        list [lindex $reply 0 0] [lindex $reply 2 0]
    } {get set}

    test {COMMAND INFO is case-insensitive} {
        lindex [r command info GeT] 0 0
    } {get}

    test {COMMAND DOCS} {
        set d [lindex [r command docs get] 1]
        assert_equal [dict get $d summary] "Get the value of a key"
        assert_equal [dict get $d since] 1.0.0
        assert_equal [dict get $d group] string
        assert_equal [dict get $d complexity] O(1)
        set d [lindex [r command docs set] 1]
        assert_equal [dict get $d summary] "Set the string value of a key"
        assert_equal [dict get $d group] string
        set d [lindex [r command docs ping] 1]
        assert_equal [dict get $d summary] "Ping the server"
        dict get $d group
    } {connection}

    test {COMMAND DOCS of several and unknown commands} {
        set reply [r command docs get nosuchcommand incr]
        assert_equal [llength $reply] 4
        lsort [dict keys $reply]
    } {get incr}

    test {COMMAND DOCS without arguments documents every command} {
        llength [r command docs]
    } [expr {2 * [r command count]}]

    test {COMMAND LIST FILTERBY PATTERN} {
        set l [r command list filterby pattern get*]
        foreach c $l { assert_match get* $c }
        foreach c {get getex getdel getset getrange} {
            assert {[lsearch -exact $l $c] >= 0} "$c listed"
        }
    }

    test {COMMAND LIST FILTERBY ACLCAT} {
        set l [r command list filterby aclcat string]
        foreach c {get set append incr lcs getrange mget} {
            assert {[lsearch -exact $l $c] >= 0} "$c listed"
        }
        assert {[lsearch -exact $l ping] < 0}
        assert_equal [r command list filterby module nosuchmodule] {}
    }

    test {COMMAND LIST errors} {
        assert_error "ERR syntax error" {r command list foo}
        assert_error "ERR syntax error" {r command list filterby foo x}
    }

    test {COMMAND GETKEYS} {
        assert_equal [r command getkeys set a b] {a}
        assert_equal [r command getkeys mset a 1 b 2] {a b}
        assert_equal [r command getkeys del x y z] {x y z}
        r command getkeys GET key
    } {key}

    test {COMMAND GETKEYS errors} {
        assert_error "ERR Invalid command specified" {r command getkeys nosuchcommand a}
        assert_error "ERR The command has no key arguments" {r command getkeys ping x}
        assert_error "ERR The command has no key arguments" {r command getkeys echo x}
        assert_error "ERR Invalid number of arguments specified for command" {r command getkeys get a b}
        assert_error "ERR wrong number of arguments for 'command|getkeys' command" {r command getkeys get}
    }

    test {COMMAND unknown subcommand} {
        assert_error "ERR unknown subcommand 'foo'. Try COMMAND HELP." {r command foo}
        assert_match "COMMAND <subcommand>*" [lindex [r command help] 0]
    }
}
