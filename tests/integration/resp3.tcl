# HELLO and the RESP3 reply types (compared byte for byte with RESP2).

start_server {tags {resp3}} {
    test {HELLO without arguments replies in RESP2 as a flat array} {
        set reply [r hello]
        assert_equal [llength $reply] 14
        assert_equal [dict keys $reply] {server version proto id mode role modules}
        assert_equal [dict get $reply proto] 2
        assert_equal [dict get $reply id] [r client id]
        assert_equal [dict get $reply mode] standalone
        assert_equal [dict get $reply role] master
        assert_equal [dict get $reply modules] {}
        assert_match {[0-9]*.[0-9]*.[0-9]*} [dict get $reply version]
    }

    test {HELLO 3 replies with a map of seven fields} {
        set c [kp_client]
        set raw [$c rawcmd hello 3]
        assert_match "%7\r\n\$6\r\nserver\r\n*" $raw
        assert_match "*\$5\r\nproto\r\n:3\r\n*" $raw
        assert_match "*\$7\r\nmodules\r\n\*0\r\n" $raw
        set reply [$c hello]
        assert_equal [dict get $reply proto] 3
        $c close
    }

    test {HELLO 2 switches back to RESP2} {
        set c [kp_client]
        $c hello 3
        assert_equal [$c rawcmd get nokey] "_\r\n"
        assert_match "\*14\r\n*" [$c rawcmd hello 2]
        assert_equal [$c rawcmd get nokey] "\$-1\r\n"
        $c close
    }

    test {HELLO with an unsupported version} {
        assert_error "NOPROTO unsupported protocol version" {r hello 4}
        assert_error "NOPROTO unsupported protocol version" {r hello 1}
        assert_error "ERR Protocol version is not an integer or out of range" {r hello abc}
        # The connection keeps its protocol.
        dict get [r hello] proto
    } {2}

    test {HELLO option errors} {
        assert_error "ERR Syntax error in HELLO option 'auth'" {r hello 3 auth}
        assert_error "ERR Syntax error in HELLO option 'auth'" {r hello 3 auth default}
        assert_error "ERR Syntax error in HELLO option 'setname'" {r hello 3 setname}
        assert_error "ERR Syntax error in HELLO option 'FOO'" {r hello 3 FOO}
        dict get [r hello] proto
    } {2}

    test {HELLO SETNAME sets the client name} {
        set c [kp_client]
        set reply [$c hello 3 setname resp3-client]
        assert_equal [dict get $reply proto] 3
        assert_equal [$c client getname] resp3-client
        $c close
    }

    test {HELLO SETNAME with an invalid name changes nothing} {
        set c [kp_client]
        assert_error "ERR Client names cannot contain spaces, newlines or special characters." {
            $c hello 3 setname "a b"
        }
        assert_equal [$c client getname] {}
        assert_equal [dict get [$c hello] proto] 2
        $c close
    }

    test {HELLO AUTH with an unknown user} {
        assert_error "WRONGPASS invalid username-password pair or user is disabled." {
            r hello 3 auth nouser pw
        }
        dict get [r hello] proto
    } {2}

    test {RESP3 null for a missing key, RESP2 null bulk} {
        set c [kp_client]
        assert_equal [$c rawcmd get nokey] "\$-1\r\n"
        $c hello 3
        assert_equal [$c rawcmd get nokey] "_\r\n"
        assert_equal [$c get nokey] {}
        $c close
    }

    test {RESP3 nulls inside MGET} {
        set c [kp_client]
        r set mg1 x
        assert_equal [$c rawcmd mget mg1 nokey] "*2\r\n\$1\r\nx\r\n\$-1\r\n"
        $c hello 3
        assert_equal [$c rawcmd mget mg1 nokey] "*2\r\n\$1\r\nx\r\n_\r\n"
        $c close
    }

    test {RESP3 map for CONFIG GET, RESP2 array} {
        set c [kp_client]
        assert_equal [$c rawcmd config get maxclients] \
            "*2\r\n\$10\r\nmaxclients\r\n\$5\r\n10000\r\n"
        $c hello 3
        assert_equal [$c rawcmd config get maxclients] \
            "%1\r\n\$10\r\nmaxclients\r\n\$5\r\n10000\r\n"
        assert_equal [$c config get maxclients] {maxclients 10000}
        $c close
    }

    test {RESP3 null for SET GET of a missing key} {
        set c [kp_client]
        $c hello 3
        r del sg
        assert_equal [$c rawcmd set sg v get] "_\r\n"
        assert_equal [$c rawcmd set sg w get] "\$1\r\nv\r\n"
        $c close
    }

    test {RESP3 INCRBYFLOAT still replies with a bulk string} {
        set c [kp_client]
        $c hello 3
        r del fl
        assert_equal [$c rawcmd incrbyfloat fl 1.5] "\$3\r\n1.5\r\n"
        $c close
    }

    test {RESP3 integers and simple strings are unchanged} {
        set c [kp_client]
        $c hello 3
        r set ty x
        assert_equal [$c rawcmd exists ty] ":1\r\n"
        assert_equal [$c rawcmd type ty] "+string\r\n"
        assert_equal [$c rawcmd ttl ty] ":-1\r\n"
        assert_equal [$c rawcmd ping] "+PONG\r\n"
        $c close
    }

    test {RESP3 verbatim string for INFO and CLIENT INFO, RESP2 bulk} {
        set c [kp_client]
        set raw [$c rawcmd client info]
        assert_match "\$*\r\nid=*" $raw
        $c hello 3
        set raw [$c rawcmd client info]
        assert_match "=*\r\ntxt:id=*resp=3*" $raw
        set raw [$c rawcmd info server]
        assert_match "=*\r\ntxt:# Server*" $raw
        # The client strips the format prefix.
        assert_match "# Server*" [$c info server]
        assert_match "id=*" [$c client info]
        $c close
    }

    test {RESP3 error replies are unchanged} {
        set c [kp_client]
        $c hello 3
        assert_equal [$c rawcmd get] "-ERR wrong number of arguments for 'get' command\r\n"
        r set str x
        assert_equal [$c rawcmd incr str] "-ERR value is not an integer or out of range\r\n"
        $c close
    }

    test {COMMAND INFO flags and ACL categories: RESP3 sets, RESP2 arrays of status strings} {
        set c [kp_client]
        set fields ":2\r\n%s2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n%s3\r\n+@read\r\n+@string\r\n+@fast\r\n"
        set want2 "*1\r\n*10\r\n\$3\r\nget\r\n[format $fields * *]"
        assert_equal [string range [$c rawcmd command info get] 0 [expr {[string length $want2] - 1}]] $want2
        $c hello 3
        set want3 "*1\r\n*10\r\n\$3\r\nget\r\n[format $fields ~ ~]"
        assert_equal [string range [$c rawcmd command info get] 0 [expr {[string length $want3] - 1}]] $want3
        $c close
    }

    test {RESP3 maps for LCS IDX and COMMAND DOCS} {
        set c [kp_client]
        $c hello 3
        r set l1 ohmytext
        r set l2 mynewtext
        assert_equal [$c rawcmd lcs l1 l2 idx] "%2\r\n\$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n\$3\r\nlen\r\n:6\r\n"
        assert_match "%1\r\n\$3\r\nget\r\n%*\r\n\$7\r\nsummary\r\n\$22\r\nGet the value of a key\r\n*" [$c rawcmd command docs get]
        assert_match "\*2\r\n\$3\r\nget\r\n\*" [r rawcmd command docs get]
        $c close
    }

    test {HELP replies are arrays of status strings} {
        set want "*15\r\n+OBJECT <subcommand> \[<arg> \[value\] \[opt\] ...\]. Subcommands are:\r\n+ENCODING <key>\r\n"
        set raw [[srv client] rawcmd object help]
        string range $raw 0 [expr {[string length $want] - 1}]
    } "*15\r\n+OBJECT <subcommand> \[<arg> \[value\] \[opt\] ...\]. Subcommands are:\r\n+ENCODING <key>\r\n"

    test {CLIENT INFO reports the protocol version} {
        set c [kp_client]
        assert_match "*resp=2*" [$c client info]
        $c hello 3
        assert_match "*resp=3*" [$c client info]
        $c close
    }
}
