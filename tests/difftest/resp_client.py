"""A minimal RESP2/RESP3 client for the differential test.

Replies are parsed into typed tuples so that two servers can be compared
exactly, reply type included:

  ("+", str)  ("-", str)  (":", int)  ("$", bytes or None)  ("_",)
  ("#", bool)  (",", str)  ("(", int)  ("=", bytes)
  ("*", list or None)  ("~", list)  ("%", list of (key, value))  (">", list)
"""
import socket


class ProtocolError(Exception):
    pass


class Connection:
    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    @staticmethod
    def encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode("latin-1")
            elif isinstance(a, int):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def send(self, args):
        self.sock.sendall(self.encode(args))

    def call(self, args):
        self.send(args)
        return self.read_reply()

    def _fill(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise ProtocolError("connection closed")
        self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill()

    def _bytes(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read_reply(self):
        line = self._line()
        if not line:
            raise ProtocolError("empty line")
        t, rest = chr(line[0]), line[1:]
        if t in "+-":
            return (t, rest.decode("latin-1"))
        if t in ":(":
            return (t, int(rest))
        if t == ",":
            return (t, rest.decode("latin-1"))
        if t == "#":
            return (t, rest == b"t")
        if t == "_":
            return ("_",)
        if t in "$=":
            n = int(rest)
            return (t, None if n < 0 else self._bytes(n))
        if t in "*~>":
            n = int(rest)
            if n < 0:
                return (t, None)
            return (t, [self.read_reply() for _ in range(n)])
        if t == "%":
            n = int(rest)
            return (t, [(self.read_reply(), self.read_reply()) for _ in range(n)])
        raise ProtocolError("unknown reply type %r" % line[:20])


def show(reply, limit=400):
    """A compact, readable rendering of a parsed reply."""
    text = repr(reply)
    return text if len(text) <= limit else text[:limit] + "..."
