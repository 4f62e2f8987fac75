#!/usr/bin/python3
"""BGSAVE of a large dataset: keyport against Debian's redis-server (make bench).

For each server: load BGSAVE_KEYS keys (strings, then a second run with
small hashes), run BGSAVE and sample, every 10 ms until the child is gone,
the proportional set size (Pss) of the server and its child together; then
restart the server on the dump and time the load. Servers are pinned to
CPU 0, the sampler runs elsewhere. Results go between the BENCH-BGSAVE
markers of docs/benchmarks.md.

Reported per server: BGSAVE wall time (BGSAVE reply to INFO
rdb_bgsave_in_progress:0), dump size, memory before the fork (Pss), peak
Pss of parent + child during the save, the child's copy-on-write as the
server reports it (rdb_last_cow_size) and the startup load time (process
start to the first PONG).

Environment: BGSAVE_KEYS (default 1000000).
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import KEYPORT, REDIS, ROOT, free_port, stop, wait_port  # noqa: E402
import memory  # noqa: E402

KEYS = int(os.environ.get("BGSAVE_KEYS", "1000000"))
memory.KEYS = KEYS


def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def info_field(port, section, name):
    text = memory.command(port, "INFO", section)
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    return None


def start_server(kind, port, workdir):
    log = open(os.path.join(workdir, f"{kind}.log"), "a")
    args = [REDIS if kind == "redis" else KEYPORT, "--save", "", "--appendonly", "no",
            "--dir", workdir, "--dbfilename", "dump.rdb", "--port", str(port),
            "--bind", "127.0.0.1"]
    return subprocess.Popen(["taskset", "-c", "0"] + args, stdout=log, stderr=subprocess.STDOUT)


def wait_pong(port, proc, timeout=300):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if memory.command(port, "PING").startswith("+PONG"):
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError("server never answered PONG")


def run(kind, dataset, workdir):
    port = free_port()
    proc = start_server(kind, port, workdir)
    try:
        wait_port(port, proc)
        memory.load(port, dataset)
        time.sleep(0.5)
        before = pss(proc.pid)
        t0 = time.time()
        reply = memory.command(port, "BGSAVE")
        if "Background saving started" not in reply:
            raise RuntimeError(f"{kind}: BGSAVE replied {reply!r}")
        peak = before
        while True:
            total = pss(proc.pid) + sum(pss(c) for c in children(proc.pid))
            peak = max(peak, total)
            if info_field(port, "persistence", "rdb_bgsave_in_progress") == "0":
                break
            time.sleep(0.01)
        elapsed = time.time() - t0
        status = info_field(port, "persistence", "rdb_last_bgsave_status")
        cow = int(info_field(port, "persistence", "rdb_last_cow_size") or 0)
        if status != "ok":
            raise RuntimeError(f"{kind}: BGSAVE status {status}")
    finally:
        stop(proc)
    size = os.path.getsize(os.path.join(workdir, "dump.rdb"))
    # Startup load of the same dump.
    port = free_port()
    t1 = time.time()
    proc = start_server(kind, port, workdir)
    try:
        wait_pong(port, proc)
        load_time = time.time() - t1
        keys = memory.command(port, "DBSIZE")
    finally:
        stop(proc)
    return {"time": elapsed, "size": size, "before": before, "peak": peak, "cow": cow,
            "load": load_time, "keys": keys.strip().lstrip(":")}


def mib(n):
    return f"{n / 2**20:,.1f} MiB"


def main():
    rows = []
    for dataset in ("string", "hash"):
        res = {}
        for kind in ("redis", "keyport"):
            workdir = tempfile.mkdtemp(prefix=f"keyport-bgsave-{kind}-")
            res[kind] = run(kind, dataset, workdir)
        rows.append((dataset, res))
    lines = [f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {KEYS:,} keys per "
             f"dataset (`string`: SET key value; `hash`: {memory.FIELDS}-field listpack hashes), "
             "no writes during the save; servers pinned to CPU 0.", "",
             "| dataset | server | BGSAVE time | dump size | Pss before | peak Pss (parent + child) "
             "| child COW | startup load |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for dataset, res in rows:
        for kind in ("redis", "keyport"):
            r = res[kind]
            lines.append(f"| {dataset} | {kind} | {r['time']:.2f} s | {mib(r['size'])} | "
                         f"{mib(r['before'])} | {mib(r['peak'])} | {mib(r['cow'])} | "
                         f"{r['load']:.2f} s |")
        k, r = res["keyport"], res["redis"]
        lines.append(f"| {dataset} | keyport / redis | {k['time'] / r['time']:.2f} | "
                     f"{k['size'] / r['size']:.2f} | {k['before'] / r['before']:.2f} | "
                     f"{k['peak'] / r['peak']:.2f} | | {k['load'] / r['load']:.2f} |")
    text = "\n".join(lines)
    print(text)
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    doc = open(path).read()
    begin, end = "<!-- BENCH-BGSAVE BEGIN -->", "<!-- BENCH-BGSAVE END -->"
    if begin in doc and end in doc:
        doc = doc.split(begin)[0] + begin + "\n" + text + "\n" + end + doc.split(end)[1]
        with open(path, "w") as f:
            f.write(doc)
        print(f"\nbgsave: results written to {path}")


if __name__ == "__main__":
    main()
