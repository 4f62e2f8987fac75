#!/usr/bin/env python3
"""Bridge stdin/stdout to a unix stream socket.

Tcl 8.6 has no unix-domain sockets, so the test harness talks to a unix
listener through this process: bytes written to our stdin go to the socket,
bytes the socket sends come out on our stdout.

Contract:
  unix_bridge.py PATH
  - once connected: the line "ok" on stderr (the harness waits for it, so a
    bridge is connected when the harness returns its channel), and nothing
    more is ever written to stderr;
  - connect failure: "error: <reason>" on stderr, exit status 2;
  - the server closes the socket: stdout is closed, exit status 0;
  - stdin reaches end-of-file (the harness closed its side): the socket is
    closed, exit status 0.
"""
import os
import select
import socket
import sys


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: unix_bridge.py PATH\n")
        return 2
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5)
    try:
        sock.connect(sys.argv[1])
    except OSError as exc:
        sys.stderr.write("error: %s\n" % (exc.strerror or str(exc)))
        sys.stderr.flush()
        return 2
    sys.stderr.write("ok\n")
    sys.stderr.flush()
    try:
        os.close(2)
    except OSError:
        pass
    sock.setblocking(False)
    stdin = sys.stdin.fileno()
    stdout = sys.stdout.fileno()
    os.set_blocking(stdin, False)
    pending = b""  # socket -> stdout bytes not written yet
    outgoing = b""  # stdin -> socket bytes not written yet
    stdin_open = True
    while True:
        rlist = [sock] if not pending else []
        if stdin_open and not outgoing:
            rlist.append(stdin)
        wlist = []
        if pending:
            wlist.append(stdout)
        if outgoing:
            wlist.append(sock)
        if not rlist and not wlist:
            break
        readable, writable, _ = select.select(rlist, wlist, [])
        if sock in readable:
            try:
                data = sock.recv(1 << 16)
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError:
                data = b""
            if data == b"":
                break
            if data:
                pending += data
        if stdin in readable:
            try:
                data = os.read(stdin, 1 << 16)
            except (BlockingIOError, InterruptedError):
                data = None
            if data == b"":
                stdin_open = False
                break
            if data:
                outgoing += data
        if stdout in writable:
            try:
                n = os.write(stdout, pending)
                pending = pending[n:]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                break
        if sock in writable:
            try:
                n = sock.send(outgoing)
                outgoing = outgoing[n:]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                # The server closed: still deliver what it sent before.
                outgoing = b""
                stdin_open = False
    if pending:
        os.set_blocking(stdout, True)
        try:
            os.write(stdout, pending)
        except OSError:
            pass
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
