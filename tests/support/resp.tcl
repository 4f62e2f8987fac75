# A RESP2/RESP3 client.
#
#   set c [kp_client ?-deferred? ?kp_connect options?]
#   $c set foo bar            ;# sends, waits, returns the reply
#   $c read                   ;# next reply (deferred clients)
#   $c close
#
# Reply mapping: simple and bulk strings -> the bytes; integers -> the
# number; null (RESP2 $-1 and *-1, RESP3 _) -> {}; arrays, sets and pushes ->
# lists; maps -> flat key/value lists (usable as dicts); booleans -> 1/0;
# doubles -> the text the server sent; big numbers -> their digits;
# verbatim strings -> the text without the "txt:" prefix; attributes are read
# and dropped. An error reply (- or !) raises a Tcl error whose message is
# exactly the error text, e.g. "ERR syntax error".
#
# Client subcommands other than Redis commands:
#   read                 one reply
#   write BYTES          raw bytes, no reply read
#   send CMD ARGS...     one command without reading its reply
#   pipeline CMDLIST     sends every command, then reads every reply; error
#                        replies appear in the list as their message text
#   deferred 0|1         switch mode
#   readraw 0|1          read returns one protocol line at a time, unparsed
#   rawcmd CMD ARGS...   sends one command, returns its whole reply as the
#                        exact bytes sent by the server (CRLFs included)
#   readrawreply         the next whole reply as exact bytes
#   timeout MS           read deadline (default 10000)
#   channel              the underlying channel
#   closed               1 once the server closed the connection
#   close

namespace eval ::kp::resp {
    variable next_id 0
    variable st   ;# "$id,field" -> value
    array set st {}
}

proc kp_client {args} {
    set deferred 0
    set rest {}
    foreach a $args {
        if {$a eq "-deferred"} { set deferred 1 } else { lappend rest $a }
    }
    set fd [kp_connect {*}$rest]
    return [kp_client_from_channel $fd $deferred]
}

proc kp_client_from_channel {fd {deferred 0}} {
    set id [incr ::kp::resp::next_id]
    set ::kp::resp::st($id,fd) $fd
    set ::kp::resp::st($id,deferred) $deferred
    set ::kp::resp::st($id,readraw) 0
    set ::kp::resp::st($id,timeout) $::kp::io::default_timeout
    set cmd ::kp::resp::client$id
    interp alias {} $cmd {} ::kp::resp::dispatch $id
    return $cmd
}

proc ::kp::resp::dispatch {id args} {
    variable st
    if {![info exists st($id,fd)]} { error "client is closed" }
    set fd $st($id,fd)
    set sub [lindex $args 0]
    switch -exact -- $sub {
        read { return [read_reply $id] }
        write {
            kp_io_write $fd [lindex $args 1] $st($id,timeout)
            return
        }
        send {
            kp_io_write $fd [encode [lrange $args 1 end]] $st($id,timeout)
            return
        }
        pipeline {
            set out ""
            foreach c [lindex $args 1] { append out [encode $c] }
            kp_io_write_nowait $fd $out
            set replies {}
            foreach c [lindex $args 1] {
                if {[catch {read_reply $id} r]} {
                    if {[string match "connection closed*" $r] ||
                        [string match "timeout*" $r]} { error $r }
                }
                lappend replies $r
            }
            return $replies
        }
        rawcmd {
            kp_io_write $fd [encode [lrange $args 1 end]] $st($id,timeout)
            return [raw_reply $fd $st($id,timeout)]
        }
        readrawreply { return [raw_reply $fd $st($id,timeout)] }
        deferred { set st($id,deferred) [lindex $args 1]; return }
        readraw { set st($id,readraw) [lindex $args 1]; return }
        timeout { set st($id,timeout) [lindex $args 1]; return }
        channel { return $fd }
        closed { return [kp_io_wait_closed $fd 0] }
        close {
            kp_io_close $fd
            array unset st "$id,*"
            interp alias {} ::kp::resp::client$id {}
            return
        }
        default {
            kp_io_write $fd [encode $args] $st($id,timeout)
            if {$st($id,deferred)} return
            return [read_reply $id]
        }
    }
}

# Multibulk encoding of one command (arguments are byte strings).
proc ::kp::resp::encode {argv} {
    set out "*[llength $argv]\r\n"
    foreach a $argv {
        append out "\$[string length $a]\r\n$a\r\n"
    }
    return $out
}

proc ::kp::resp::read_reply {id} {
    variable st
    set fd $st($id,fd)
    set t $st($id,timeout)
    if {$st($id,readraw)} { return [kp_io_read_line $fd $t] }
    return [parse $fd $t]
}

proc ::kp::resp::parse {fd t} {
    set line [kp_io_read_line $fd $t]
    set type [string index $line 0]
    set rest [string range $line 1 end]
    switch -exact -- $type {
        + { return $rest }
        - { return -code error $rest }
        : { return $rest }
        ( { return $rest }
        , { return $rest }
        # { return [expr {$rest eq "t" ? 1 : 0}] }
        _ { return {} }
        $ {
            if {$rest < 0} { return {} }
            set data [kp_io_read_bytes $fd [expr {$rest + 2}] $t]
            return [string range $data 0 end-2]
        }
        = {
            set data [kp_io_read_bytes $fd [expr {$rest + 2}] $t]
            return [string range $data 4 end-2]
        }
        ! {
            set data [kp_io_read_bytes $fd [expr {$rest + 2}] $t]
            return -code error [string range $data 0 end-2]
        }
        * - ~ - > {
            if {$rest < 0} { return {} }
            set l {}
            for {set i 0} {$i < $rest} {incr i} { lappend l [parse_elem $fd $t] }
            return $l
        }
        % {
            set l {}
            for {set i 0} {$i < 2 * $rest} {incr i} { lappend l [parse_elem $fd $t] }
            return $l
        }
        | {
            for {set i 0} {$i < 2 * $rest} {incr i} { parse_elem $fd $t }
            return [parse $fd $t]
        }
        default {
            error "protocol error: unexpected reply line '$line'"
        }
    }
}

# Nested elements: an error inside an aggregate becomes its text, as the
# aggregate itself is not an error.
proc ::kp::resp::parse_elem {fd t} {
    if {[catch {parse $fd $t} r opts]} {
        if {[dict get $opts -code] == 1 && [string match "connection closed*" $r]} {
            error $r
        }
        if {[dict get $opts -code] == 1 && [string match "timeout*" $r]} {
            error $r
        }
    }
    return $r
}

# One whole reply, unparsed: the bytes as they came.
proc ::kp::resp::raw_reply {fd t} {
    set line [kp_io_read_line $fd $t]
    set out "$line\r\n"
    set type [string index $line 0]
    set n [string range $line 1 end]
    switch -exact -- $type {
        $ - = - ! {
            if {$n >= 0} { append out [kp_io_read_bytes $fd [expr {$n + 2}] $t] }
        }
        * - ~ - > {
            for {set i 0} {$i < $n} {incr i} { append out [raw_reply $fd $t] }
        }
        % - | {
            for {set i 0} {$i < 2 * $n} {incr i} { append out [raw_reply $fd $t] }
            if {$type eq "|"} { append out [raw_reply $fd $t] }
        }
    }
    return $out
}
