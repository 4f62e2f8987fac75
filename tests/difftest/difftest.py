#!/usr/bin/python3
"""Differential test: keyport against Debian's redis-server.

Starts both servers on free ports, sends the same seeded random stream of
data-model commands (with random keys and arguments, errors included) to
both, over RESP2 and RESP3 connections, and compares the replies. Only
what is legitimately unordered or random is normalised (see
generators.py). Every few hundred operations, and at the end, the whole
keyspace is compared too: DEBUG DIGEST of the dataset (every database,
TTL flags included), then key names, types, encodings, contents and
DEBUG DIGEST-VALUE of each key.

  difftest.py [--ops N] [--seed S] [--families set,bit,...]
              [--keyport PATH] [--redis-server PATH] [--keyport-arg ARG]...

Prints the first mismatches with the command that caused them and a line
to reproduce the run, then "N passed, M failed"; exits 1 on any failure.
DIFFTEST_OPS and DIFFTEST_SEED in the environment set the defaults; without
either a seed or DIFFTEST_SEED a random seed is drawn (and printed).
"""
import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from generators import FAMILIES, make_generator  # noqa: E402
from resp_client import Connection, ProtocolError, show  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
STATE_CHECK_EVERY = 500
MAX_SHOWN = int(os.environ.get("DIFFTEST_SHOW", "10"))
MARKER = "difftest-marker"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, argv, port, workdir):
        self.name = name
        self.port = port
        self.log = open(os.path.join(workdir, name + ".log"), "w")
        self.proc = subprocess.Popen(argv, cwd=workdir, stdout=self.log, stderr=subprocess.STDOUT)
        self.conns = {}
        deadline = time.time() + 10
        while True:
            if self.proc.poll() is not None:
                raise SystemExit("%s exited at startup (status %s), see %s" %
                                 (name, self.proc.returncode, self.log.name))
            try:
                c = Connection("127.0.0.1", port)
                if c.call(["PING"]) == ("+", "PONG"):
                    self.conns[2] = c
                    break
                c.close()
            except (OSError, ProtocolError):
                pass
            if time.time() > deadline:
                raise SystemExit("%s did not answer PING on port %d" % (name, port))
            time.sleep(0.05)
        c3 = Connection("127.0.0.1", port)
        c3.call(["HELLO", "3"])
        self.conns[3] = c3
        self.sub = None
        self.marks = 0

    def watch_notifications(self, flags):
        """Subscribes a third connection to every keyspace notification."""
        self.call(2, ["CONFIG", "SET", "notify-keyspace-events", flags])
        self.sub = Connection("127.0.0.1", self.port)
        self.sub.call(["PSUBSCRIBE", "__key*__:*"])
        self.sub.call(["SUBSCRIBE", MARKER])

    def notifications(self):
        """The notifications published since the last call: a marker is
        published and messages are read up to it."""
        self.marks += 1
        self.call(2, ["PUBLISH", MARKER, str(self.marks)])
        got = []
        while True:
            msg = self.sub.read_reply()[1]
            if msg[0][1] == b"message" and msg[1][1] == MARKER.encode():
                if msg[2][1] == str(self.marks).encode():
                    return got
                continue
            got.append((msg[2][1], msg[3][1]))

    def call(self, proto, argv):
        return self.conns[proto].call(argv)

    def alive(self):
        return self.proc.poll() is None

    def log_tail(self, n):
        self.log.flush()
        with open(self.log.name, errors="replace") as f:
            return [line.rstrip("\n")[:200] for line in f.readlines()[-n:]]

    def stop(self):
        for c in list(self.conns.values()) + ([self.sub] if self.sub else []):
            c.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


# ---------- normalisation ----------

AGGREGATES = "*~>"


def is_error(reply):
    return reply[0] == "-"


def sort_key(x):
    return repr(x)


def normalise(reply, norm):
    if norm is None or is_error(reply):
        return reply
    t = reply[0]
    if norm == "sorted":
        if t in AGGREGATES and reply[1] is not None:
            return (t, sorted(reply[1], key=sort_key))
        return reply
    if norm == "pairs":
        if t == "%":
            return (t, sorted(reply[1], key=sort_key))
        if t == "*" and reply[1] is not None:
            items = reply[1]
            return (t, sorted(zip(items[0::2], items[1::2]), key=sort_key))
        return reply
    if norm in ("scan", "spairs"):
        if t == "*" and reply[1] and len(reply[1]) == 2:
            cursor, items = reply[1]
            return (t, [cursor, normalise(items, "sorted" if norm == "scan" else "pairs")])
        return reply
    if norm in ("shape", "resync"):
        if t in AGGREGATES or t == "%":
            return (t, "len", None if reply[1] is None else len(reply[1]))
        if t in "$=":
            return (t, "null" if reply[1] is None else "value")
        return reply
    if norm == "ttl":
        if t == ":":
            return (t, 1 if reply[1] > 0 else reply[1])
        return reply
    if norm == "kind":
        return (t,)
    raise ValueError("unknown normalisation " + norm)


# ---------- the run ----------

class Run:
    def __init__(self, args):
        self.args = args
        self.passed = 0
        self.failed = 0
        self.shown = 0
        self.log = []  # recent commands, for context

    def mismatch(self, what, redis_reply, keyport_reply):
        self.failed += 1
        if self.shown >= MAX_SHOWN:
            return
        self.shown += 1
        print("MISMATCH %s" % what)
        print("  redis:   %s" % show(redis_reply))
        print("  keyport: %s" % show(keyport_reply))

    def compare(self, what, redis_reply, keyport_reply):
        if redis_reply == keyport_reply:
            self.passed += 1
            return True
        self.mismatch(what, redis_reply, keyport_reply)
        return False

    def both(self, proto, argv):
        return self.redis.call(proto, argv), self.keyport.call(proto, argv)

    def resync_set(self, key):
        """After SPOP, rebuild key identically on both servers."""
        if self.redis.call(2, ["TYPE", key]) != ("+", "set"):
            return
        members = self.redis.call(2, ["SMEMBERS", key])[1]
        for srv in (self.redis, self.keyport):
            srv.call(2, ["DEL", key])
            if members:
                srv.call(2, ["SADD", key] + [m[1] for m in members])

    def resync_zset(self, key):
        """After an unspecified ZREMRANGEBYLEX, rebuild key identically on
        both servers (scores as Redis prints them read back exactly)."""
        if self.redis.call(2, ["TYPE", key]) != ("+", "zset"):
            for srv in (self.redis, self.keyport):
                if srv.call(2, ["TYPE", key]) == ("+", "zset"):
                    srv.call(2, ["DEL", key])
            return
        items = [x[1] for x in self.redis.call(2, ["ZRANGE", key, "0", "-1", "WITHSCORES"])[1]]
        args = [v for pair in zip(items[1::2], items[0::2]) for v in pair]
        for srv in (self.redis, self.keyport):
            srv.call(2, ["DEL", key])
            srv.call(2, ["ZADD", key] + args)

    def resolve_lex(self, key):
        """A lex range over a skiplist whose scores differ is unspecified
        (see generators.py): "kind", else exact comparison."""
        if self.redis.call(2, ["OBJECT", "ENCODING", key]) != ("$", b"skiplist"):
            return None
        lo = self.redis.call(2, ["ZRANGE", key, "0", "0", "WITHSCORES"])[1][1]
        hi = self.redis.call(2, ["ZRANGE", key, "-1", "-1", "WITHSCORES"])[1][1]
        return None if lo == hi else "kind"

    def resolve_sort(self, argv, key):
        """SORT: BY is dropped for sets (and BY patterns for sorted sets,
        whose elements Redis loads in hash order), LIMIT for BY patterns
        (see generators.py)."""
        if "BY" not in argv:
            return argv, None
        i = argv.index("BY")
        t = self.redis.call(2, ["TYPE", key])
        if t == ("+", "set") or (t == ("+", "zset") and "*" in argv[i + 1]):
            return argv[:i] + argv[i + 2:], None
        if "*" in argv[i + 1] and "LIMIT" in argv:
            j = argv.index("LIMIT")
            return argv[:j] + argv[j + 3:], None
        return argv, None

    def check_state(self, when):
        r_digest, k_digest = self.both(2, ["DEBUG", "DIGEST"])
        self.compare("keyspace %s: DEBUG DIGEST" % when, r_digest, k_digest)
        r_keys, k_keys = self.both(2, ["KEYS", "*"])
        r_keys, k_keys = normalise(r_keys, "sorted"), normalise(k_keys, "sorted")
        if not self.compare("keyspace %s: KEYS *" % when, r_keys, k_keys):
            return
        for _, name in r_keys[1]:
            for argv, norm in self.content_checks(name):
                r, k = self.both(2, argv)
                self.compare("keyspace %s: %s" % (when, " ".join(map(str, argv))),
                             normalise(r, norm), normalise(k, norm))

    def content_checks(self, name):
        t = self.redis.call(2, ["TYPE", name])[1]
        checks = [(["TYPE", name], None), (["OBJECT", "ENCODING", name], None),
                  (["DEBUG", "DIGEST-VALUE", name], None)]
        by_type = {
            "string": [(["GET", name], None)],
            "set": [(["SMEMBERS", name], "sorted")],
            "list": [(["LRANGE", name, "0", "-1"], None)],
            "hash": [(["HGETALL", name], "pairs")],
            "zset": [(["ZRANGE", name, "0", "-1", "WITHSCORES"], None)],
        }
        return checks + by_type.get(t, [])

    def start(self):
        a = self.args
        self.workdir = tempfile.mkdtemp(prefix="difftest-")
        rport, kport = free_port(), free_port()
        # DEBUG DIGEST is compared: both servers allow DEBUG.
        self.redis = Server("redis", [a.redis_server, "--port", str(rport), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no",
                                      "--enable-debug-command", "yes"], rport, self.workdir)
        self.keyport = Server("keyport", [a.keyport, "--port", str(kport), "--bind", "127.0.0.1",
                                          "--save", "", "--enable-debug-command", "yes"]
                              + a.keyport_arg, kport, self.workdir)

    def stop(self):
        for srv in (getattr(self, "redis", None), getattr(self, "keyport", None)):
            if srv:
                srv.stop()
        if self.failed == 0:
            shutil.rmtree(self.workdir, ignore_errors=True)
        else:
            print("server logs kept in %s" % self.workdir)

    def run(self):
        a = self.args
        rng = random.Random(a.seed)
        gen = make_generator(rng, a.families)
        self.both(2, ["FLUSHALL"])
        if a.notify:
            for srv in (self.redis, self.keyport):
                srv.watch_notifications(a.notify)
        for i in range(1, a.ops + 1):
            fam, (argv, norm) = gen()
            proto = 3 if rng.random() < 0.3 else 2
            if isinstance(norm, tuple):
                if norm[0] == "lex":
                    norm = self.resolve_lex(norm[1])
                else:
                    argv, norm = self.resolve_sort(argv, norm[1])
                if a.notify:
                    self.redis.notifications()  # what the lookups caused
            try:
                r, k = self.both(proto, argv)
            except (OSError, ProtocolError) as e:
                self.failed += 1
                time.sleep(0.5)
                print("ERROR at op %d (RESP%d) %s: %s" % (i, proto, " ".join(map(str, argv)), e))
                for srv in (self.redis, self.keyport):
                    print("  %s: %s; log tail:" % (srv.name, "running" if srv.alive() else
                                                   "exited"))
                    for line in srv.log_tail(4):
                        print("    " + line)
                return
            what = "op %d (RESP%d, %s): %s" % (i, proto, fam,
                                               " ".join(map(str, argv))[:300])
            self.compare(what, normalise(r, norm), normalise(k, norm))
            if a.notify and norm != "kind":
                self.compare(what + " [notifications]", self.redis.notifications(),
                             self.keyport.notifications())
            aux = norm in ("resync", "kind") or i % STATE_CHECK_EVERY == 0
            if norm == "resync":
                self.resync_set(argv[1])
            if norm == "kind" and argv[0] == "ZREMRANGEBYLEX":
                self.resync_zset(argv[1])
            if i % STATE_CHECK_EVERY == 0:
                self.check_state("after op %d" % i)
            if aux and a.notify:
                # What the checks themselves caused is not compared.
                self.redis.notifications()
                self.keyport.notifications()
        self.check_state("at the end")


def seed_arg(text):
    """A seed: a positive integer, or None (draw one) for "random", "" or "0"."""
    if text in ("random", "", "0"):
        return None
    if not text.isdigit():
        raise argparse.ArgumentTypeError("seed must be a positive integer or 'random', not %r"
                                         % text)
    return int(text)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ops", type=int, default=int(os.environ.get("DIFFTEST_OPS", "60000")))
    p.add_argument("--seed", type=seed_arg, default=os.environ.get("DIFFTEST_SEED", "random"),
                   help="the stream's seed, or 'random' (the default) to draw one")
    p.add_argument("--families", default=",".join(FAMILIES),
                   help="comma separated: " + ",".join(FAMILIES))
    p.add_argument("--keyport", default=os.path.join(ROOT, "src", "keyport-server"))
    p.add_argument("--redis-server", default=shutil.which("redis-server") or
                   "/usr/bin/redis-server")
    p.add_argument("--notify", default="AKE",
                   help="notify-keyspace-events flags whose notifications are compared too "
                        "('' to skip)")
    p.add_argument("--keyport-arg", action="append", default=[],
                   help="extra keyport command-line argument (repeatable)")
    a = p.parse_args()
    if a.seed is None:
        a.seed = random.SystemRandom().randint(1, 2**31)
    a.families = [f.strip() for f in a.families.split(",") if f.strip()]
    unknown = [f for f in a.families if f not in FAMILIES]
    if unknown:
        raise SystemExit("unknown families: " + ", ".join(unknown))
    if not os.path.exists(a.redis_server):
        raise SystemExit("redis-server not found (apt-get install redis-server)")

    run = Run(a)
    print("difftest: seed %d, %d operations, families %s" % (a.seed, a.ops, ",".join(a.families)))
    started = time.time()
    try:
        run.start()
        run.run()
    finally:
        run.stop()
    print("difftest: %.1f s" % (time.time() - started))
    if run.failed:
        print("reproduce: /usr/bin/python3 tests/difftest/difftest.py --seed %d --ops %d "
              "--families %s" % (a.seed, a.ops, ",".join(a.families)))
    print("%d passed, %d failed" % (run.passed, run.failed))
    sys.exit(1 if run.failed else 0)


if __name__ == "__main__":
    main()
