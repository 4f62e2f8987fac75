# Users and access control: ACL rules (on/off, passwords, commands,
# categories, subcommands, first arguments, key and channel patterns,
# selectors, reset), every ACL subcommand, NOPERM texts, the ACL LOG,
# AUTH/HELLO with users, requirepass as the default user's password,
# `user` lines, aclfile, rename-command and enable-debug-command.
#
# Shared behaviour runs against Debian's redis-server 7.0 too
# (--server-binary /usr/bin/redis-server); keyport-only parts are tagged.

# A client authenticated as user (password pass).
proc acl_client {user pass} {
    set c [kp_client]
    $c auth $user $pass
    return $c
}

# Runs one command as user (password pass) on a new connection; returns the
# reply. AUTH failing raises its error.
proc acl_as {user pass args} {
    set c [kp_client]
    set rc [catch {
        $c auth $user $pass
        $c {*}$args
    } res opts]
    $c close
    return -options $opts $res
}

# ACL LOG entries as dicts, without the fields that change every time.
proc acl_log_entries {{count 10} {client r}} {
    set out {}
    foreach e [$client acl log $count] {
        lappend out [dict remove $e age-seconds client-info]
    }
    return $out
}

# The error a command raises (the reply text), or "" when it succeeds.
proc acl_err {c args} {
    if {[catch {$c {*}$args} e]} { return $e }
    return ""
}

set ::noperm_cmd_re {NOPERM this user has no permissions to run the '*' command}
set ::noperm_key "NOPERM this user has no permissions to access one of the keys used as arguments"
set ::noperm_chan "NOPERM this user has no permissions to access one of the channels used as arguments"

start_server {tags {acl}} {
    test {The default user: on, nopass, every key, channel and command} {
        assert_equal [r acl list] {{user default on nopass ~* &* +@all}}
        assert_equal [r acl users] {default}
        assert_equal [r acl whoami] default
        set u [r acl getuser default]
        assert_equal [dict get $u flags] {on nopass}
        assert_equal [dict get $u passwords] {}
        assert_equal [dict get $u commands] {+@all}
        assert_equal [dict get $u keys] {~*}
        assert_equal [dict get $u channels] {&*}
        assert_equal [dict get $u selectors] {}
    }

    test {A new user is disabled, has no password and may do nothing} {
        assert_equal [r acl setuser newbie] OK
        assert_equal [r acl list] \
            {{user default on nopass ~* &* +@all} {user newbie off resetchannels -@all}}
        set u [r acl getuser newbie]
        assert_equal [dict get $u flags] {off}
        assert_equal [dict get $u commands] {-@all}
        assert_equal [dict get $u keys] {}
        assert_equal [dict get $u channels] {}
        r acl deluser newbie
    } {1}

    test {on/off: a disabled user cannot log in, an enabled one can} {
        r acl setuser bob off >secret +@all ~*
        set c [kp_client]
        assert_error {WRONGPASS invalid username-password pair or user is disabled.} {
            $c auth bob secret
        }
        r acl setuser bob on
        assert_equal [$c auth bob secret] OK
        assert_equal [$c acl whoami] bob
        $c close
        r acl deluser bob
    } {1}

    test {Passwords are stored as SHA-256 hex digests} {
        r acl setuser pw >password
        set u [r acl getuser pw]
        r acl deluser pw
        dict get $u passwords
    } {5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8}

    test {Password rules: > < # ! nopass resetpass} {
        r acl setuser pw on >one >two >one +@all
        assert_equal [llength [dict get [r acl getuser pw] passwords]] 2
        assert_equal [acl_as pw two ping] PONG
        r acl setuser pw <two
        assert_error {WRONGPASS*} {acl_as pw two ping}
        assert_equal [acl_as pw one ping] PONG
        # '#' adds a digest, '!' removes one.
        r acl setuser pw #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
        assert_equal [acl_as pw password ping] PONG
        r acl setuser pw !5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
        assert_error {WRONGPASS*} {acl_as pw password ping}
        # nopass: any password works; resetpass: none does.
        r acl setuser pw nopass
        assert_equal [dict get [r acl getuser pw] flags] {on nopass}
        assert_equal [dict get [r acl getuser pw] passwords] {}
        assert_equal [acl_as pw anything ping] PONG
        r acl setuser pw resetpass
        assert_equal [dict get [r acl getuser pw] flags] {on}
        assert_error {WRONGPASS*} {acl_as pw anything ping}
        # A password turns nopass off.
        r acl setuser pw nopass >three
        assert_equal [dict get [r acl getuser pw] flags] {on}
        r acl deluser pw
    } {1}

    test {Bad password rules get Redis's errors} {
        assert_error {ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters} {
            r acl setuser pw #abc
        }
        assert_error {ERR Error in ACL SETUSER modifier '#5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8': The password hash must be*} {
            r acl setuser pw #5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8
        }
        assert_error {ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist} {
            r acl setuser pw <nope
        }
        assert_error {ERR Error in ACL SETUSER modifier '!*': The password hash must be*} {
            r acl setuser pw !zz
        }
        r acl users
    } {default}

    test {Command rules: +cmd -cmd +@category -@category allcommands nocommands} {
        r acl setuser cmds on nopass allkeys -@all +get +@list -lpush
        set c [acl_client cmds x]
        assert_equal [$c get k] {}
        assert_equal [$c rpush l a] 1
        assert_match $::noperm_cmd_re [acl_err $c set k v]
        assert_equal [acl_err $c lpush l a] "NOPERM this user has no permissions to run the 'lpush' command"
        r acl setuser cmds allcommands -@dangerous
        assert_equal [$c set k v] OK
        assert_equal [acl_err $c flushall] "NOPERM this user has no permissions to run the 'flushall' command"
        assert_equal [dict get [r acl getuser cmds] commands] {+@all -@dangerous}
        r acl setuser cmds nocommands +ping
        assert_equal [dict get [r acl getuser cmds] commands] {-@all +ping}
        assert_equal [$c ping] PONG
        assert_match $::noperm_cmd_re [acl_err $c get k]
        # AUTH, HELLO, QUIT and RESET never need a permission.
        assert_equal [$c auth cmds x] OK
        $c close
        r acl deluser cmds
    } {1}

    test {Category rules are described back in ACL LIST form} {
        foreach {rules want} {
            {+@read -get} {-@all +@read -get}
            {+@all -@dangerous} {+@all -@dangerous}
            {+@all -get +@string} {+@all}
            {+@all -@string -get} {+@all -@string}
            {-@all +@connection} {-@all +@connection}
            {+client -client|kill} {-@all +client -client|kill}
            {+@all -client|list} {+@all -client|list}
            {+select|0 +select|1} {-@all +select|0 +select|1}
        } {
            r acl setuser cat reset {*}$rules
            assert_equal [dict get [r acl getuser cat] commands] $want $rules
        }
        r acl deluser cat
    } {1}

    test {Subcommand rules: +config|get allows only that subcommand} {
        r acl setuser sub on nopass -@all +config|get +client -client|kill
        set c [acl_client sub x]
        assert_match {maxmemory *} [$c config get maxmemory]
        assert_equal [acl_err $c config set maxmemory 0] "NOPERM this user has no permissions to run the 'config|set' command"
        assert_match {*} [$c client id]
        assert_equal [acl_err $c client kill id 123456] "NOPERM this user has no permissions to run the 'client|kill' command"
        $c close
        r acl deluser sub
    } {1}

    test {First-argument rules: +select|0} {
        r acl setuser fa on nopass -@all +select|0 +select|2 allkeys
        set c [acl_client fa x]
        assert_equal [$c select 0] OK
        assert_equal [$c select 2] OK
        assert_equal [acl_err $c select 1] "NOPERM this user has no permissions to run the 'select' command"
        assert_equal [dict get [r acl getuser fa] commands] {-@all +select|0 +select|2}
        # Allowing or denying the whole command drops the first arguments.
        r acl setuser fa +select
        assert_equal [dict get [r acl getuser fa] commands] {-@all +select}
        r acl setuser fa -select
        assert_equal [dict get [r acl getuser fa] commands] {-@all}
        $c close
        r acl deluser fa
    } {1}

    test {Bad command rules get Redis's errors} {
        foreach {rule text} {
            +nosuchcmd {Unknown command or category name in ACL}
            +@nosuchcat {Unknown command or category name in ACL}
            -select|0 {Unknown command or category name in ACL}
            +select|0|1 {Unknown command or category name in ACL}
            +config|nosuch {Unknown command or category name in ACL}
            +config|get|x {Allowing first-arg of a subcommand is not supported}
            bogus {Syntax error}
        } {
            assert_error "ERR Error in ACL SETUSER modifier '$rule': $text" {r acl setuser bad $rule}
        }
        r acl users
    } {default}

    test {Key patterns: ~pattern, allkeys, resetkeys} {
        r acl setuser keys on nopass +@all ~app:* ~cache:?
        set c [acl_client keys x]
        assert_equal [$c set app:1 v] OK
        assert_equal [$c set cache:1 v] OK
        assert_equal [acl_err $c set cache:10 v] $::noperm_key
        assert_equal [acl_err $c get other] $::noperm_key
        assert_equal [acl_err $c mget app:1 other] $::noperm_key
        assert_equal [dict get [r acl getuser keys] keys] {~app:* ~cache:?}
        r acl setuser keys resetkeys
        assert_equal [acl_err $c get app:1] $::noperm_key
        r acl setuser keys allkeys
        assert_equal [$c get other] {}
        assert_equal [dict get [r acl getuser keys] keys] {~*}
        $c close
        r acl deluser keys
    } {1}

    test {%R~ and %W~: read and write permissions per key} {
        r acl setuser rw on nopass +@all %R~r* %W~w* ~both*
        set c [acl_client rw x]
        r set r1 v
        assert_equal [$c get r1] v
        assert_equal [acl_err $c set r1 v] $::noperm_key
        assert_equal [$c set w1 v] OK
        assert_equal [acl_err $c get w1] $::noperm_key
        # SET GET reads the old value too; INCR reads and writes.
        assert_equal [acl_err $c set w1 v get] $::noperm_key
        assert_equal [acl_err $c incr w1] $::noperm_key
        assert_equal [$c set both1 1 get] {}
        assert_equal [$c incr both1] 2
        # EXISTS and TYPE do not use the value: any pattern will do.
        assert_equal [$c exists w1 r1] 2
        assert_equal [$c type w1] string
        assert_equal [acl_err $c exists zz] $::noperm_key
        # COPY reads the source and writes the destination.
        assert_equal [$c copy r1 w9] 1
        assert_equal [acl_err $c copy w1 w10] $::noperm_key
        assert_equal [acl_err $c copy r1 r9] $::noperm_key
        assert_equal [$c del w1] 1
        assert_equal [acl_err $c del r1] $::noperm_key
        assert_equal [dict get [r acl getuser rw] keys] {%R~r* %W~w* ~both*}
        # The same pattern twice merges its permissions.
        r acl setuser rw %W~r*
        assert_equal [dict get [r acl getuser rw] keys] {~r* %W~w* ~both*}
        $c close
        r acl deluser rw
    } {1}

    test {Key patterns after allkeys, channel patterns after allchannels are errors} {
        assert_error {ERR Error in ACL SETUSER modifier '~foo': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns} {
            r acl setuser pat allkeys ~foo
        }
        assert_error {ERR Error in ACL SETUSER modifier '&foo': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels} {
            r acl setuser pat allchannels &foo
        }
        assert_error {ERR Error in ACL SETUSER modifier '~a b': Syntax error} {r acl setuser pat "~a b"}
        assert_error {ERR Error in ACL SETUSER modifier '%X~a': Syntax error} {r acl setuser pat %X~a}
        assert_error {ERR Error in ACL SETUSER modifier '%~a': Syntax error} {r acl setuser pat %~a}
        r acl users
    } {default}

    test {Channel patterns: & allchannels resetchannels, PSUBSCRIBE compared literally} {
        r acl setuser ch on nopass +@all allkeys resetchannels &news.* &lit
        assert_equal [dict get [r acl getuser ch] channels] {&news.* &lit}
        set c [acl_client ch x]
        assert_equal [$c publish news.1 hi] 0
        assert_equal [$c publish lit hi] 0
        assert_equal [acl_err $c publish other hi] $::noperm_chan
        assert_equal [r acl dryrun ch subscribe news.1 other] \
            {This user has no permissions to access the 'other' channel}
        assert_equal [r acl dryrun ch subscribe news.1 lit] OK
        assert_equal [r acl dryrun ch psubscribe news.*] OK
        assert_equal [r acl dryrun ch psubscribe news.1*] \
            {This user has no permissions to access the 'news.1*' channel}
        r acl setuser ch allchannels
        assert_equal [dict get [r acl getuser ch] channels] {&*}
        assert_equal [$c publish other hi] 0
        $c close
        r acl deluser ch
    } {1}

    test {A subscriber is disconnected when its channel is revoked} {
        r acl setuser sub on nopass +@all resetchannels &a &b
        set c [acl_client sub x]
        $c subscribe a
        r acl setuser sub resetchannels &b
        wait_for {[catch {$c ping} e] && ![string match *subscribe* $e]} 5000 \
            "subscriber still connected"
        $c close
        r acl deluser sub
    } {1}

    test {Selectors: one selector allowing everything the command needs is enough} {
        r acl setuser sel on nopass -@all +get ~a* (+set ~b*) "(+get ~c*)"
        set c [acl_client sel x]
        assert_equal [$c get a1] {}
        assert_equal [$c get c1] {}
        assert_equal [$c set b1 x] OK
        assert_equal [acl_err $c get b1] $::noperm_key
        assert_equal [acl_err $c set a1 x] $::noperm_key
        assert_match $::noperm_cmd_re [acl_err $c ping]
        set u [r acl getuser sel]
        assert_equal [dict get $u commands] {-@all +get}
        assert_equal [llength [dict get $u selectors]] 2
        assert_equal [dict get [lindex [dict get $u selectors] 0] keys] {~b*}
        assert_equal [dict get [lindex [dict get $u selectors] 0] commands] {-@all +set}
        assert_equal [r acl list] {{user default on nopass ~* &* +@all} {user sel on nopass ~a* resetchannels -@all +get (~b* resetchannels -@all +set) (~c* resetchannels -@all +get)}}
        r acl setuser sel clearselectors
        assert_equal [dict get [r acl getuser sel] selectors] {}
        assert_equal [acl_err $c set b1 x] "NOPERM this user has no permissions to run the 'set' command"
        $c close
        r acl deluser sel
    } {1}

    test {Unmatched parenthesis and bad usernames} {
        assert_error {ERR Unmatched parenthesis in acl selector starting at '(+get'.} {
            r acl setuser p (+get ~k
        }
        assert_error {ERR Usernames can't contain spaces or null characters} {r acl setuser "a b"}
        r acl users
    } {default}

    test {ACL SETUSER is atomic: one bad rule and nothing changes} {
        r acl setuser atomic on >pw +get
        assert_error {ERR Error in ACL SETUSER modifier 'bogus': Syntax error} {
            r acl setuser atomic off +set bogus
        }
        set u [r acl getuser atomic]
        assert_equal [dict get $u flags] {on}
        assert_equal [dict get $u commands] {-@all +get}
        assert_error {*Syntax error} {r acl setuser notcreated on bogus}
        assert_equal [r acl getuser notcreated] {}
        r acl deluser atomic
    } {1}

    test {reset returns a user to its initial state} {
        r acl setuser rs on >pw +@all ~* &* (+get ~x)
        r acl setuser rs reset
        r acl list
    } {{user default on nopass ~* &* +@all} {user rs off sanitize-payload resetchannels -@all}}

    test {ACL DELUSER: counts deleted users, refuses default, disconnects clients} {
        r acl setuser d1 on nopass +@all
        r acl setuser d2 on nopass +@all
        set c [acl_client d1 x]
        assert_error {ERR The 'default' user cannot be removed} {r acl deluser d1 default}
        assert_equal [r acl deluser d1 nosuch d2 rs] 3
        wait_for {[catch {$c ping}]} 5000 "client of a deleted user still connected"
        $c close
        r acl users
    } {default}

    test {ACL DELUSER of the caller's own user replies, then closes} {
        r acl setuser me on nopass +@all
        set c [acl_client me x]
        assert_equal [$c acl deluser me] 1
        wait_for {[catch {$c ping}]} 5000 "connection not closed"
        $c close
        r acl users
    } {default}

    test {ACL USERS and ACL LIST are sorted by name} {
        foreach u {zed alpha Mid} { r acl setuser $u }
        set names [r acl users]
        r acl deluser zed alpha Mid
        set names
    } {Mid alpha default zed}

    test {ACL WHOAMI follows AUTH} {
        r acl setuser who on >pw +@all
        set c [kp_client]
        assert_equal [$c acl whoami] default
        $c auth who pw
        assert_equal [$c acl whoami] who
        $c close
        r acl deluser who
    } {1}

    test {ACL CAT lists the categories, and the commands of one} {
        set cats [r acl cat]
        assert_equal [llength $cats] 21
        foreach c {keyspace read write set sortedset list hash string bitmap hyperloglog geo
                   stream pubsub admin fast slow blocking dangerous connection transaction
                   scripting} {
            assert {[lsearch -exact $cats $c] >= 0} "category $c"
        }
        set strings [r acl cat string]
        foreach c {get set incr append} { assert {[lsearch -exact $strings $c] >= 0} $c }
        assert {[lsearch -exact $strings lpush] < 0}
        set conn [r acl cat connection]
        foreach c {ping auth hello client|id client|kill} {
            assert {[lsearch -exact $conn $c] >= 0} $c
        }
        set dangerous [r acl cat dangerous]
        foreach c {flushall config|set acl|setuser keys} {
            assert {[lsearch -exact $dangerous $c] >= 0} $c
        }
        assert_equal [r acl cat READ] [r acl cat read]
        assert_error {ERR Unknown category 'nosuch'} {r acl cat nosuch}
        assert_error {ERR unknown subcommand or wrong number of arguments for 'cat'. Try ACL HELP.} {
            r acl cat a b
        }
    }

    test {ACL GENPASS} {
        assert_match {[0-9a-f]*} [r acl genpass]
        assert_equal [string length [r acl genpass]] 64
        assert_equal [string length [r acl genpass 5]] 2
        assert_equal [string length [r acl genpass 4096]] 1024
        assert {[r acl genpass] ne [r acl genpass]}
        foreach bad {0 -1 4097} {
            assert_error {ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096} {r acl genpass $bad}
        }
        assert_error {ERR value is not an integer or out of range} {r acl genpass abc}
    }

    test {ACL DRYRUN} {
        r acl setuser dry on nopass -@all +get +config|get ~k*
        assert_equal [r acl dryrun dry get k1] OK
        assert_equal [r acl dryrun dry get other] {This user has no permissions to access the 'other' key}
        assert_equal [r acl dryrun dry set k1 v] {This user has no permissions to run the 'set' command}
        assert_equal [r acl dryrun dry config get maxmemory] OK
        assert_equal [r acl dryrun dry config set maxmemory 1] {This user has no permissions to run the 'config|set' command}
        assert_error {ERR User 'nosuch' not found} {r acl dryrun nosuch get k}
        assert_error {ERR Command 'nosuchcmd' not found} {r acl dryrun dry nosuchcmd}
        assert_error {ERR wrong number of arguments for 'get' command} {r acl dryrun dry get}
        assert_error {ERR wrong number of arguments for 'acl|dryrun' command} {r acl dryrun dry}
        r acl deluser dry
    } {1}

    test {ACL HELP and unknown subcommands} {
        set help [r acl help]
        assert_match {ACL <subcommand>*} [lindex $help 0]
        foreach sub {CAT DELUSER DRYRUN GETUSER GENPASS LIST LOAD LOG SAVE SETUSER USERS WHOAMI HELP} {
            assert {[lsearch -glob $help "$sub*"] >= 0} $sub
        }
        assert_error {ERR unknown subcommand 'nosuch'. Try ACL HELP.} {r acl nosuch}
        assert_error {ERR wrong number of arguments for 'acl|getuser' command} {r acl getuser}
    }

    test {ACL GETUSER of a missing user is a null} {
        r acl getuser nosuch
    } {}

    test {ACL SAVE and ACL LOAD need an aclfile} {
        foreach sub {save load} {
            assert_error {ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.} {r acl $sub}
        }
    }

    test {ACL LOG records command, key, channel and auth denials} {
        r acl log reset
        r acl setuser logged on >pw -@all +get +publish ~k* &c*
        set c [acl_client logged pw]
        catch {$c set k1 v}
        catch {$c get other}
        catch {$c publish zz hi}
        set c2 [kp_client]
        catch {$c2 auth logged wrong}
        catch {$c2 auth nosuchuser x}
        set e [acl_log_entries]
        assert_equal [llength $e] 5
        assert_equal [lindex $e 0] {count 1 reason auth context toplevel object auth username nosuchuser}
        assert_equal [lindex $e 1] {count 1 reason auth context toplevel object auth username logged}
        assert_equal [lindex $e 2] {count 1 reason channel context toplevel object zz username logged}
        assert_equal [lindex $e 3] {count 1 reason key context toplevel object other username logged}
        assert_equal [lindex $e 4] {count 1 reason command context toplevel object set username logged}
        set full [lindex [r acl log 1] 0]
        assert_equal [lsort [dict keys $full]] {age-seconds client-info context count object reason username}
        assert_match {id=* cmd=auth user=default *} [dict get $full client-info]
        assert {[dict get $full age-seconds] >= 0}
        $c close
        $c2 close
    }

    test {ACL LOG groups repeated denials and honours count and RESET} {
        r acl log reset
        set c [acl_client logged pw]
        for {set i 0} {$i < 3} {incr i} { catch {$c set k1 v} }
        catch {$c get nope}
        set e [acl_log_entries]
        assert_equal [llength $e] 2
        assert_equal [dict get [lindex $e 0] object] nope
        assert_equal [dict get [lindex $e 1] count] 3
        # A repeat moves its entry to the front.
        catch {$c set k1 v}
        assert_equal [dict get [lindex [acl_log_entries] 0] count] 4
        assert_equal [llength [r acl log 1]] 1
        assert_equal [llength [r acl log 0]] 0
        assert_equal [llength [r acl log -5]] 0
        assert_error {ERR value is not an integer or out of range} {r acl log x}
        assert_equal [r acl log reset] OK
        assert_equal [r acl log] {}
        $c close
        r acl deluser logged
    } {1}

    test {acllog-max-len bounds the log} {
        r config set acllog-max-len 2
        r acl log reset
        r acl setuser lim on nopass -@all
        set c [acl_client lim x]
        foreach cmd {get set incr decr} { catch {$c $cmd k} }
        set n [llength [r acl log]]
        r config set acllog-max-len 128
        $c close
        r acl deluser lim
        set n
    } {2}

    test {HELLO AUTH with users} {
        r acl setuser hello on >pw +@all
        set c [kp_client]
        set reply [$c hello 3 auth hello pw]
        assert_equal [dict get $reply proto] 3
        assert_equal [$c acl whoami] hello
        $c close
        set c [kp_client]
        r acl log reset
        assert_error {WRONGPASS invalid username-password pair or user is disabled.} {
            $c hello 2 auth hello wrong
        }
        assert_equal [lindex [acl_log_entries 1] 0] {count 1 reason auth context toplevel object hello username hello}
        $c close
        r acl deluser hello
    } {1}

    test {AUTH <password> alone is refused while the default user has nopass} {
        assert_error {ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?} {
            r auth foo
        }
    }

    test {CLIENT LIST shows the user; CLIENT KILL USER} {
        r acl setuser killme on nopass +@all
        set c [acl_client killme x]
        set id [$c client id]
        assert_equal [dict get [kp_client_fields [r client list id $id]] user] killme
        assert_error {ERR No such user 'nosuch'} {r client kill user nosuch}
        assert_equal [r client kill user killme] 1
        wait_for {[catch {$c ping}]} 5000 "client not killed"
        $c close
        r acl deluser killme
    } {1}

    test {requirepass is the default user's password} {
        r config set requirepass s3cret
        set u [r acl getuser default]
        assert_equal [dict get $u flags] {on}
        assert_equal [llength [dict get $u passwords]] 1
        set c [kp_client]
        assert_error {NOAUTH Authentication required.} {$c ping}
        assert_equal [$c auth s3cret] OK
        $c close
        set c [kp_client]
        assert_equal [$c auth default s3cret] OK
        $c close
        # ACL SETUSER on the default user works the same way.
        r acl setuser default resetpass >other
        set c [kp_client]
        assert_error {WRONGPASS*} {$c auth s3cret}
        assert_equal [$c auth other] OK
        $c close
        r config set requirepass ""
        set u [r acl getuser default]
        assert_equal [dict get $u flags] {on nopass}
        set c [kp_client]
        set pong [$c ping]
        $c close
        set pong
    } {PONG}

    test {A default user that is off makes every new client authenticate} {
        r acl setuser admin on >adminpw +@all ~* &*
        r acl setuser default off
        set c [kp_client]
        assert_error {NOAUTH Authentication required.} {$c get k}
        assert_equal [$c auth admin adminpw] OK
        assert_equal [$c acl setuser default on] OK
        $c close
        r acl deluser admin
    } {1}

    test {A refused command counts as rejected in INFO commandstats} {
        r config resetstat
        r acl setuser rej on nopass -@all
        set c [acl_client rej x]
        catch {$c get k}
        $c close
        r acl deluser rej
        assert_match {*rejected_calls=1*} [r info commandstats]
    }
}

# ---- requirepass and users from the configuration ----------------------------------

start_server {tags {acl} overrides {requirepass boot}} {
    test {requirepass in the configuration is the default user's password} {
        set c [kp_client]
        assert_error {NOAUTH Authentication required.} {$c ping}
        assert_equal [$c auth boot] OK
        assert_equal [dict get [$c acl getuser default] flags] {on}
        $c close
    }
}

start_server {tags {acl} config_lines {
        {user alice on >alicepw ~cached:* +get}
        {user default on nopass ~* &* +@all}
        {user sel on nopass -@all +ping (+get ~a*)}
    }} {
    test {user lines in the configuration create the users} {
        assert_equal [r acl users] {alice default sel}
        set c [acl_client alice alicepw]
        assert_equal [$c get cached:1] {}
        assert_equal [acl_err $c get other] $::noperm_key
        $c close
        lindex [r acl list] 2
    } {user sel on nopass resetchannels -@all +ping (~a* resetchannels -@all +get)}

    test {CONFIG REWRITE writes the users} {
        r acl setuser carol on >carolpw +@all ~*
        r acl deluser alice
        r config rewrite
        set text [kp__read_file [srv config_file]]
        assert_match "*\nuser carol on #* ~* resetchannels +@all\n*" $text
        assert_match "*\nuser default on nopass *~* &* +@all\n*" $text
        assert_no_match "*user alice*" $text
        kp_restart_server
        r acl users
    } {carol default sel}
}

# ---- aclfile ---------------------------------------------------------------------------

test {ACL SAVE and ACL LOAD with an aclfile} {
    set acl [kp_tmp_path users.acl]
    set f [open $acl w]
    puts $f "user default on nopass ~* &* +@all"
    puts $f "user filed on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~f* +@read"
    close $f
    start_server [list tags {acl} overrides [list aclfile $acl]] {
        assert_equal [r acl users] {default filed}
        set c [acl_client filed password]
        assert_equal [$c get f1] {}
        # Saving writes every user, passwords as digests.
        r acl setuser saved on >pw +@all
        assert_equal [r acl save] OK
        set text [kp__read_file $acl]
        assert_match "*user saved on #* resetchannels +@all*" $text
        assert_no_match "*>pw*" $text
        # Loading replaces the users; clients of other users are disconnected.
        set f [open $acl w]
        puts $f "user default on nopass ~* &* +@all"
        puts $f "user loaded on nopass +ping"
        close $f
        assert_equal [r acl load] OK
        assert_equal [r acl users] {default loaded}
        wait_for {[catch {$c ping}]} 5000 "client of a removed user still connected"
        $c close
        # A bad file changes nothing and says where the problems are.
        set f [open $acl w]
        puts $f "user default on nopass ~* &* +@all"
        puts $f "user broken on +nosuchcmd"
        puts $f "nouser here"
        close $f
        set err [assert_error {ERR *} {r acl load}]
        assert_match "*$acl:2: Error in applying operation '+nosuchcmd': Unknown command or category name in ACL. *" $err
        assert_match "*$acl:3 should start with user keyword followed by the username. *" $err
        assert_match "*WARNING: ACL errors detected, no change to the previously active ACL rules was performed" $err
        assert_equal [r acl users] {default loaded}
        # Without a default line, the default user gets its initial rules.
        set f [open $acl w]
        puts $f "user only on nopass +@all"
        close $f
        assert_equal [r acl load] OK
        set ::acl_final [r acl list]
    }
    set ::acl_final
} {{user default on nopass ~* &* +@all} {user only on nopass resetchannels +@all}}

test {aclfile and user lines together stop startup} {
    set acl [kp_tmp_path both.acl]
    set f [open $acl w]
    puts $f "user default on nopass ~* &* +@all"
    close $f
    set r [kp_exec_server [list --port 0 --aclfile $acl --user bob on]]
    assert_equal [dict get $r status] 1
    assert_match {*users*configuration*ACL file*} [dict get $r output]
} {} {keyport}

test {An invalid user line stops startup with the reason} {
    set r [kp_exec_server [list --port 0 --user bob on +nosuchcmd]]
    assert_equal [dict get $r status] 1
    assert_match {*--user: Error in user declaration '+nosuchcmd': Unknown command or category name in ACL*} [dict get $r output]
} {} {keyport}

test {An invalid aclfile stops startup} {
    set acl [kp_tmp_path bad.acl]
    set f [open $acl w]
    puts $f "user bob on bogus"
    close $f
    set r [kp_exec_server [list --port 0 --aclfile $acl]]
    assert_equal [dict get $r status] 1
    assert_match {*aclfile*:1: Error in applying operation 'bogus': Syntax error.*} [dict get $r output]
} {} {keyport}

# ---- rename-command ---------------------------------------------------------------------

start_server {tags {acl} config_lines {
        {rename-command config cfg}
        {rename-command flushall ""}
    }} {
    test {rename-command renames and removes commands} {
        assert_match {maxmemory *} [r cfg get maxmemory]
        assert_error {ERR unknown command 'config'*} {r config get maxmemory}
        assert_error {ERR unknown command 'flushall'*} {r flushall}
    }

    test {ACL rules keep the original names after rename-command} {
        r acl setuser ren on nopass -@all +config|get
        set c [acl_client ren x]
        assert_match {maxmemory *} [$c cfg get maxmemory]
        assert_equal [acl_err $c cfg set maxmemory 0] "NOPERM this user has no permissions to run the 'config|set' command"
        $c close
        r acl deluser ren
    } {1}
}

test {rename-command errors} {
    set r [kp_exec_server [list --port 0 --rename-command nosuchcmd x]]
    assert_equal [dict get $r status] 1
    assert_match {*No such command in rename-command*} [dict get $r output]
    set r [kp_exec_server [list --port 0 --rename-command get set]]
    assert_equal [dict get $r status] 1
    assert_match {*Target command name already exists*} [dict get $r output]
} {} {keyport}

# ---- enable-debug-command and enable-protected-configs ----------------------------------

start_server {tags {acl}} {
    test {DEBUG is refused unless enable-debug-command allows it} {
        set e [acl_err r debug sleep 0]
        if {[string match {ERR unknown command*} $e]} { kp_skip "DEBUG is not implemented yet" }
        set e
    } {ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.}

    test {Protected configs cannot be set unless enable-protected-configs allows it} {
        assert_error {ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config} {
            r config set dir [srv dir]
        }
        assert_error {ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config} {
            r config set enable-debug-command yes
        }
    }
}

start_server {tags {acl} overrides {enable-debug-command local enable-protected-configs local}} {
    test {enable-debug-command local allows DEBUG from a local client} {
        set e [acl_err r debug sleep 0]
        if {[string match {ERR unknown command*} $e]} { kp_skip "DEBUG is not implemented yet" }
        set e
    } {}

    test {enable-protected-configs local allows CONFIG SET dir from a local client} {
        r config set dir [srv dir]
    } {OK}
}

# ---- Debian's redis-cli managing users ----------------------------------------------------

start_server {tags {acl needs:redis-cli}} {
    proc cli {args} {
        catch {exec [kp_redis_cli] {*}[kp_redis_cli_args] {*}$args 2>@1} out
        return [string trim $out]
    }

    test {redis-cli manages users: ACL SETUSER, GETUSER, LIST, DELUSER} {
        # exec would take '>password' for a redirection: the digest of
        # "password" is given instead.
        set hash 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
        assert_equal [cli acl setuser clara on #$hash ~clara:* +@string] OK
        assert_match "*clara:*" [cli acl getuser clara]
        assert_match "*user clara on #$hash ~clara:* resetchannels -@all +@string*" [cli acl list]
        set as [list --user clara --pass password --no-auth-warning]
        assert_equal [cli {*}$as set clara:1 v] OK
        assert_equal [cli {*}$as get clara:1] v
        assert_equal [cli {*}$as get other] $::noperm_key
        assert_match "*WRONGPASS*" [cli --user clara --pass nope --no-auth-warning ping]
        assert_equal [cli acl deluser clara] 1
    }

    test {redis-cli AUTH in a session} {
        r acl setuser sess on >sesspw +@all
        set out [exec [kp_redis_cli] {*}[kp_redis_cli_args] << "AUTH sess sesspw\nACL WHOAMI\n" 2>@1]
        r acl deluser sess
        string trim $out
    } "OK\nsess"
}
