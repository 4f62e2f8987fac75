#!/usr/bin/python3
"""Measures resident memory per idle connection of a running server.

Usage: idle_conns.py PID HOST PORT COUNT [--tls CA CERT KEY]

Opens COUNT connections, sends one PING on each (so the server has created
its client state and, for TLS, finished the handshake), reads the reply,
leaves them idle, and prints the RSS growth per connection in bytes.
"""
import socket
import ssl
import sys
import time


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def main():
    pid, host, port, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    tls = None
    if len(sys.argv) > 5 and sys.argv[5] == "--tls":
        tls = ssl.create_default_context(cafile=sys.argv[6])
        tls.load_cert_chain(sys.argv[7], sys.argv[8])
        tls.check_hostname = False
    time.sleep(0.5)
    before = rss_bytes(pid)
    conns = []
    for _ in range(count):
        s = socket.create_connection((host, port))
        if tls:
            s = tls.wrap_socket(s, server_hostname="localhost")
        s.sendall(b"PING\r\n")
        conns.append(s)
    for s in conns:
        buf = b""
        while not buf.endswith(b"\r\n"):
            chunk = s.recv(64)
            if not chunk:
                raise RuntimeError("connection closed")
            buf += chunk
    time.sleep(1.0)
    after = rss_bytes(pid)
    print(int((after - before) / count))
    for s in conns:
        s.close()


if __name__ == "__main__":
    main()
