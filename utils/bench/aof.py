#!/usr/bin/python3
"""Writes with the AOF on: keyport against Debian's redis-server (make bench).

Both servers run pinned to CPU 0 with `--appendonly yes` and each
appendfsync policy (everysec, always) in a fresh directory; Debian's
redis-benchmark (CPU 1) sends SET at -P 1 and -P 16. Rounds alternate
between servers and the median is kept. Reported: requests per second, the
server's CPU time per request, and the keyport / redis ratios. Results go
between the BENCH-AOF markers of docs/benchmarks.md.

Environment: AOFBENCH_REQUESTS (default 300000), BENCH_ROUNDS (3),
BENCH_CLIENTS (50).
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (BENCH, CLIENTS, KEYPORT, REDIS, ROOT, ROUNDS, cpu_seconds,  # noqa: E402
                   free_port, stop, wait_port)

REQUESTS = int(os.environ.get("AOFBENCH_REQUESTS", "300000"))


def start(kind, port, fsync, workdir):
    d = tempfile.mkdtemp(prefix=f"{kind}-{fsync}-", dir=workdir)
    exe = REDIS if kind == "redis" else KEYPORT
    args = [exe, "--save", "", "--appendonly", "yes", "--appendfsync", fsync, "--dir", d,
            "--bind", "127.0.0.1", "--port", str(port), "--logfile", os.path.join(d, "log")]
    proc = subprocess.Popen(["taskset", "-c", "0"] + args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)
    wait_port(port, proc)
    time.sleep(0.3)  # the first base file is written at start
    return proc


def run_set(port, pipeline):
    cmd = ["taskset", "-c", "1", BENCH, "-h", "127.0.0.1", "-p", str(port), "-t", "set",
           "-n", str(REQUESTS), "-c", str(CLIENTS), "-P", str(pipeline), "-q", "--csv"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900).stdout
    m = re.search(r'"SET","([0-9.]+)"', out)
    if not m:
        raise RuntimeError(f"unexpected redis-benchmark output: {out!r}")
    return float(m.group(1))


def main():
    workdir = tempfile.mkdtemp(prefix="keyport-aofbench-")
    results = {}
    for fsync in ("everysec", "always"):
        for rnd in range(ROUNDS):
            kinds = ("redis", "keyport") if rnd % 2 == 0 else ("keyport", "redis")
            for kind in kinds:
                port = free_port()
                proc = start(kind, port, fsync, workdir)
                try:
                    for p in (1, 16):
                        cpu0 = cpu_seconds(proc.pid)
                        rps = run_set(port, p)
                        cpu = (cpu_seconds(proc.pid) - cpu0) * 1e6 / REQUESTS
                        results.setdefault((fsync, p, kind), []).append((rps, cpu))
                finally:
                    stop(proc)
    shutil.rmtree(workdir, ignore_errors=True)
    lines = [f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, redis-benchmark -t set "
             f"-n {REQUESTS:,} -c {CLIENTS}, median of {ROUNDS} rounds, `--appendonly yes`.", "",
             "| appendfsync | pipeline | redis SET/s | keyport SET/s | keyport / redis | "
             "redis CPU µs/req | keyport CPU µs/req | keyport / redis |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for fsync in ("everysec", "always"):
        for p in (1, 16):
            r = [statistics.median(x[i] for x in results[(fsync, p, "redis")]) for i in (0, 1)]
            k = [statistics.median(x[i] for x in results[(fsync, p, "keyport")]) for i in (0, 1)]
            lines.append(f"| {fsync} | {p} | {r[0]:,.0f} | {k[0]:,.0f} | {k[0] / r[0]:.2f} | "
                         f"{r[1]:.2f} | {k[1]:.2f} | {k[1] / r[1]:.2f} |")
    text = "\n".join(lines)
    print(text)
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    doc = open(path).read()
    begin, end = "<!-- BENCH-AOF BEGIN -->", "<!-- BENCH-AOF END -->"
    if begin in doc and end in doc:
        doc = doc.split(begin)[0] + begin + "\n" + text + "\n" + end + doc.split(end)[1]
        with open(path, "w") as f:
            f.write(doc)
        print(f"\naof: results written to {path}")


if __name__ == "__main__":
    main()
