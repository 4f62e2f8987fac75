# Helpers for reading server replies in tests.

# Value of "field:value" in an INFO reply, "" when absent.
proc kp_info_field {info field} {
    foreach line [split $info "\n"] {
        set line [string trimright $line "\r"]
        if {[string first "$field:" $line] == 0} {
            return [string range $line [expr {[string length $field] + 1}] end]
        }
    }
    return ""
}

# INFO section text as a dict of field -> value (comment lines dropped).
proc kp_info_dict {info} {
    set d [dict create]
    foreach line [split $info "\n"] {
        set line [string trimright $line "\r"]
        if {$line eq "" || [string index $line 0] eq "#"} continue
        set i [string first ":" $line]
        if {$i > 0} { dict set d [string range $line 0 [expr {$i - 1}]] [string range $line [expr {$i + 1}] end] }
    }
    return $d
}

# Section names ("# Server" -> server) of an INFO reply, in order.
proc kp_info_sections {info} {
    set out {}
    foreach line [split $info "\n"] {
        if {[regexp {^# (\S+)} $line -> name]} { lappend out [string tolower $name] }
    }
    return $out
}

# One CLIENT LIST / CLIENT INFO line as a dict of field -> value.
proc kp_client_fields {line} {
    set d [dict create]
    foreach kv [split [string trim $line] " "] {
        set i [string first "=" $kv]
        if {$i > 0} { dict set d [string range $kv 0 [expr {$i - 1}]] [string range $kv [expr {$i + 1}] end] }
    }
    return $d
}

# The CLIENT LIST lines as a list of dicts.
proc kp_client_list {{client r}} {
    set out {}
    foreach line [split [string trim [$client client list]] "\n"] {
        lappend out [kp_client_fields $line]
    }
    return $out
}

# Glob patterns matching the addr= and laddr= fields of a client connected
# over the transport of the server at level, as Redis prints them:
# "127.0.0.1:PORT" for TCP and TLS, "PATH:0" for unix sockets.
proc kp_addr_pattern {{level 0}} {
    if {[srv $level transport] eq "unix"} { return "[srv $level unixsocket]:0" }
    return "127.0.0.1:*"
}

proc kp_laddr_pattern {{level 0}} {
    switch -- [srv $level transport] {
        unix { return "[srv $level unixsocket]:0" }
        tcp { return "127.0.0.1:[srv $level port]" }
        default { return "127.0.0.1:[srv $level tls_port]" }
    }
}

# The CLIENT LIST flags of a plain client of the server at level: "U" over
# a unix socket, "N" otherwise.
proc kp_client_flags {{level 0}} {
    return [expr {[srv $level transport] eq "unix" ? "U" : "N"}]
}

# Random printable string of length n.
proc kp_randstring {n} {
    set s ""
    for {set i 0} {$i < $n} {incr i} { append s [format %c [expr {97 + int(rand() * 26)}]] }
    return $s
}

# redis-cli options that connect to the server at level over its transport.
proc kp_redis_cli_args {{level 0}} {
    switch -- [srv $level transport] {
        tcp { return [list -h 127.0.0.1 -p [srv $level port]] }
        unix { return [list -s [srv $level unixsocket]] }
        default {
            return [list -h 127.0.0.1 -p [srv $level tls_port] --tls \
                        --cacert [kp_tls_file ca] --cert [kp_tls_file client_cert] \
                        --key [kp_tls_file client_key]]
        }
    }
}
