#!/usr/bin/python3
"""Memory per dataset: keyport against Debian's redis-server (make bench).

Loads the same datasets into each server through a pipelined raw socket and
reports INFO memory's used_memory growth (and RSS growth) per dataset, then
the keyport / redis ratio. Results go between the BENCH-MEMORY markers of
docs/benchmarks.md.

Environment: MEMBENCH_KEYS (default 1000000), MEMBENCH_FIELDS (4 elements
per collection).
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import KEYPORT, REDIS, ROOT, free_port, stop, wait_port  # noqa: E402

KEYS = int(os.environ.get("MEMBENCH_KEYS", "1000000"))
FIELDS = int(os.environ.get("MEMBENCH_FIELDS", "4"))


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def dataset_commands(kind, i):
    k = f"{kind}:{i}"
    if kind == "string":
        return resp("SET", k, f"value:{i}")
    if kind == "hash":
        args = []
        for f in range(FIELDS):
            args += [f"field{f}", f"v{i}-{f}"]
        return resp("HSET", k, *args)
    if kind == "set":
        return resp("SADD", k, *[f"member{f}:{i}" for f in range(FIELDS)])
    if kind == "zset":
        args = []
        for f in range(FIELDS):
            args += [f, f"member{f}:{i}"]
        return resp("ZADD", k, *args)
    if kind == "intset":
        return resp("SADD", k, *[i * FIELDS + f for f in range(FIELDS)])
    raise ValueError(kind)


def load(port, kind):
    s = socket.create_connection(("127.0.0.1", port))
    batch = 1000
    pending = 0
    buf = b""
    for i in range(KEYS):
        buf += dataset_commands(kind, i)
        pending += 1
        if pending == batch or i == KEYS - 1:
            s.sendall(buf)
            buf = b""
            drain(s, pending)
            pending = 0
    s.close()


def drain(s, replies):
    data = b""
    while data.count(b"\r\n") < replies:
        chunk = s.recv(1 << 16)
        if not chunk:
            raise RuntimeError("server closed the connection")
        data += chunk
    if b"-" in data[:1] or b"\r\n-" in data:
        raise RuntimeError(f"error reply while loading: {data[:200]!r}")


def command(port, *args):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(resp(*args))
    data = b""
    while True:
        chunk = s.recv(1 << 20)
        data += chunk
        if data.startswith(b"$"):
            n = int(data[1:data.index(b"\r\n")])
            head = data.index(b"\r\n") + 2
            if len(data) >= head + n + 2:
                s.close()
                return data[head:head + n].decode()
        elif data.endswith(b"\r\n"):
            s.close()
            return data.decode()


def memory(port, pid):
    info = command(port, "INFO", "memory")
    used = int(next(line.split(":")[1] for line in info.splitlines()
                    if line.startswith("used_memory:")))
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
    return used, rss


def run(kind_server, dataset, workdir):
    port = free_port()
    log = open(os.path.join(workdir, f"{kind_server}-{dataset}.log"), "w")
    if kind_server == "redis":
        args = [REDIS, "--save", "", "--appendonly", "no", "--dir", workdir]
    else:
        args = [KEYPORT, "--save", "", "--dir", workdir]
    args += ["--port", str(port), "--bind", "127.0.0.1"]
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_port(port, proc)
        time.sleep(0.3)
        used0, rss0 = memory(port, proc.pid)
        start = time.time()
        load(port, dataset)
        elapsed = time.time() - start
        time.sleep(0.5)
        used1, rss1 = memory(port, proc.pid)
        enc = command(port, "OBJECT", "ENCODING", f"{dataset}:0").strip()
        return used1 - used0, rss1 - rss0, elapsed, enc
    finally:
        stop(proc)


def main():
    workdir = tempfile.mkdtemp(prefix="keyport-membench-")
    rows = []
    for dataset in ("string", "hash", "set", "intset", "zset"):
        r = run("redis", dataset, workdir)
        k = run("keyport", dataset, workdir)
        rows.append((dataset, r, k))
    lines = [f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {KEYS:,} keys per dataset, "
             f"{FIELDS} elements per collection; growth of INFO used_memory and of RSS.", "",
             "| dataset | encoding (redis / keyport) | redis used_memory | keyport used_memory | "
             "keyport / redis | redis RSS | keyport RSS |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for dataset, r, k in rows:
        lines.append(f"| {dataset} | {r[3]} / {k[3]} | {r[0] / 2**20:,.1f} MiB | "
                     f"{k[0] / 2**20:,.1f} MiB | {k[0] / r[0]:.2f} | {r[1] / 2**20:,.1f} MiB | "
                     f"{k[1] / 2**20:,.1f} MiB |")
    text = "\n".join(lines)
    print(text)
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    doc = open(path).read()
    begin, end = "<!-- BENCH-MEMORY BEGIN -->", "<!-- BENCH-MEMORY END -->"
    if begin in doc and end in doc:
        doc = doc.split(begin)[0] + begin + "\n" + text + "\n" + end + doc.split(end)[1]
        with open(path, "w") as f:
            f.write(doc)
        print(f"\nmemory: results written to {path}")


if __name__ == "__main__":
    main()
