#!/usr/bin/python3
"""keyport benchmarks against Debian's redis-server, in one run (make bench).

Both servers run pinned to CPU 0 and the load generator (Debian's
redis-benchmark) to CPU 1, with the same flags, alternating rounds; the
median of the rounds is kept. Results are printed and written between the
BENCH-RESULTS markers of docs/benchmarks.md.

Environment: BENCH_REQUESTS (default 200000), BENCH_ROUNDS (3),
BENCH_CLIENTS (50), BENCH_IDLE (5000 idle connections), BENCH_TLS (auto).
"""
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYPORT = os.path.join(ROOT, "src", "keyport-server")
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
BENCH = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
IDLE = int(os.environ.get("BENCH_IDLE", "5000"))
TLSDIR = os.path.join(ROOT, "tests", "tls")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} never opened")


def tls_args(kind, port):
    ca, crt, key = (os.path.join(TLSDIR, f) for f in ("ca.crt", "server.crt", "server.key"))
    common = ["--tls-port", str(port), "--port", "0", "--tls-cert-file", crt, "--tls-key-file", key,
              "--tls-ca-cert-file", ca, "--tls-auth-clients", "no"]
    if kind.startswith("keyport"):
        transport = kind.split(":")[1]
        return ["--loadtransport", transport, "--tls-transport", transport] + common
    return common


def start(kind, port, tls, workdir):
    """kind: 'redis' or 'keyport:<tls transport>'"""
    log = os.path.join(workdir, kind.replace(":", "_") + ".log")
    if kind == "redis":
        args = [REDIS, "--save", "", "--appendonly", "no", "--dir", workdir]
    else:
        args = [KEYPORT]
    args += ["--bind", "127.0.0.1", "--logfile", log]
    args += tls_args(kind, port) if tls else ["--port", str(port)]
    errlog = open(log + ".stderr", "w")
    proc = subprocess.Popen(["taskset", "-c", "0"] + args, stdout=errlog,
                            stderr=subprocess.STDOUT)
    wait_port(port, proc)
    return proc


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def run_bench(port, pipeline, tls):
    cmd = ["taskset", "-c", "1", BENCH, "-h", "127.0.0.1", "-p", str(port), "-t", "set,get",
           "-n", str(REQUESTS), "-c", str(CLIENTS), "-P", str(pipeline), "-q", "--csv"]
    if tls:
        cmd += ["--tls", "--cacert", os.path.join(TLSDIR, "ca.crt")]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    res = {}
    for line in out.splitlines():
        m = re.match(r'"(SET|GET)","([0-9.]+)"', line)
        if m:
            res[m.group(1)] = float(m.group(2))
    if len(res) != 2:
        raise RuntimeError(f"unexpected redis-benchmark output: {out!r}")
    return res


def idle_memory(proc, port, tls):
    cmd = [sys.executable, os.path.join(ROOT, "utils", "bench", "idle_conns.py"), str(proc.pid),
           "127.0.0.1", str(port), str(IDLE)]
    if tls:
        cmd += ["--tls"] + [os.path.join(TLSDIR, f) for f in ("ca.crt", "client.crt", "client.key")]
    return int(subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=300).stdout)


def main():
    for exe in (KEYPORT, REDIS, BENCH):
        if not os.path.exists(exe):
            sys.exit(f"bench: {exe} is missing (make; apt-get install redis-server redis-tools)")
    modes = [("plain", None)]
    want_tls = os.environ.get("BENCH_TLS", "auto")
    if want_tls != "no" and os.path.exists(os.path.join(TLSDIR, "ca.crt")):
        for t in ("openssl", "gnutls"):
            if os.path.exists(os.path.join(ROOT, "transports", t, f"keyport-{t}.so")):
                modes.append(("tls", t))
    workdir = tempfile.mkdtemp(prefix="keyport-bench-")
    rows = []
    idle_rows = []
    for mode, transport in modes:
        tls = mode == "tls"
        kinds = ["redis", "keyport:" + (transport or "tcp")]
        if tls and transport != "openssl":
            kinds = ["keyport:" + transport]  # redis is measured once, with its OpenSSL
        results = {k: {1: [], 16: []} for k in kinds}
        for rnd in range(ROUNDS):
            for kind in kinds:
                port = free_port()
                proc = start(kind, port, tls, workdir)
                try:
                    for p in (1, 16):
                        results[kind][p].append(run_bench(port, p, tls))
                    if rnd == 0:
                        idle_rows.append((kind, mode, idle_memory(proc, port, tls)))
                finally:
                    stop(proc)
        for kind in kinds:
            for p in (1, 16):
                for test in ("SET", "GET"):
                    med = statistics.median(r[test] for r in results[kind][p])
                    rows.append((mode, kind, p, test, med))
    shutil.rmtree(workdir, ignore_errors=True)
    report(rows, idle_rows)


def report(rows, idle_rows):
    table = {(m, k, p, t): v for m, k, p, t, v in rows}
    lines = [f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
             f"{os.cpu_count()} CPUs, redis-benchmark -n {REQUESTS} -c {CLIENTS}, "
             f"median of {ROUNDS} rounds.", "",
             "| mode | server | pipeline | test | requests/s | keyport / redis |",
             "| --- | --- | --- | --- | --- | --- |"]
    for (m, k, p, t), v in sorted(table.items()):
        ref = table.get((m, "redis", p, t))
        ratio = f"{v / ref:.2f}" if ref and k != "redis" else ""
        lines.append(f"| {m} | {k} | {p} | {t} | {v:,.0f} | {ratio} |")
    tls_lines = []
    for (m, k, p, t), v in sorted(table.items()):
        if m != "tls":
            continue
        base = table.get(("plain", "keyport:tcp" if k != "redis" else "redis", p, t))
        if base:
            tls_lines.append(f"| {k} | {p} | {t} | {v / base:.2f} |")
    if tls_lines:
        lines += ["", "TLS / plaintext throughput of the same server:", "",
                  "| server | pipeline | test | tls / plain |", "| --- | --- | --- | --- |"] + tls_lines
    lines += ["", f"Idle connection memory ({IDLE} connections, one PING each, RSS growth):", "",
              "| server | mode | bytes per connection |", "| --- | --- | --- |"]
    for kind, mode, b in idle_rows:
        lines.append(f"| {kind} | {mode} | {b:,} |")
    text = "\n".join(lines)
    print(text)
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    doc = open(path).read() if os.path.exists(path) else ""
    begin, end = "<!-- BENCH-RESULTS BEGIN -->", "<!-- BENCH-RESULTS END -->"
    if begin in doc and end in doc:
        doc = doc.split(begin)[0] + begin + "\n" + text + "\n" + end + doc.split(end)[1]
        with open(path, "w") as f:
            f.write(doc)
        print(f"\nbench: results written to {path}")


if __name__ == "__main__":
    main()
