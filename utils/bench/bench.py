#!/usr/bin/python3
"""keyport benchmarks against Debian's redis-server, in one run (make bench).

Both servers run pinned to CPU 0 and the load generators to CPU 1, with the
same flags, alternating rounds; the median of the rounds is kept. Two
instruments measure every server in the same run: Debian's redis-benchmark
(the independent one) and our keyport-benchmark (when built). Results are
printed and written between the BENCH-RESULTS markers of docs/benchmarks.md.

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
KBENCH = os.path.join(ROOT, "src", "keyport-benchmark")
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
        args = [KEYPORT, "--save", "", "--dir", workdir]
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


def instruments():
    """The load generators of this run: redis-benchmark, plus ours when built."""
    tools = ["redis-benchmark"]
    if os.access(KBENCH, os.X_OK):
        tools.append("keyport-benchmark")
    return tools


def run_bench(port, pipeline, tls, tool="redis-benchmark"):
    exe = KBENCH if tool == "keyport-benchmark" else BENCH
    cmd = ["taskset", "-c", "1", exe, "-h", "127.0.0.1", "-p", str(port), "-t", "set,get",
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
        raise RuntimeError(f"unexpected {tool} output: {out!r}")
    return res


def cpu_seconds(pid):
    """utime + stime of pid, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
        tools = instruments()
        results = {(k, tool): {1: [], 16: []} for k in kinds for tool in tools}
        for rnd in range(ROUNDS):
            for kind in kinds:
                port = free_port()
                proc = start(kind, port, tls, workdir)
                try:
                    for p in (1, 16):
                        # Alternate which instrument goes first.
                        for tool in (tools if rnd % 2 == 0 else tools[::-1]):
                            cpu0 = cpu_seconds(proc.pid)
                            res = run_bench(port, p, tls, tool)
                            # Server CPU per request: robust against a busy machine.
                            res["CPU"] = (cpu_seconds(proc.pid) - cpu0) * 1e6 / (2 * REQUESTS)
                            results[(kind, tool)][p].append(res)
                    if rnd == 0:
                        idle_rows.append((kind, mode, idle_memory(proc, port, tls)))
                finally:
                    stop(proc)
        for kind, tool in results:
            for p in (1, 16):
                for test in ("SET", "GET", "CPU"):
                    med = statistics.median(r[test] for r in results[(kind, tool)][p])
                    rows.append((mode, kind, p, test, tool, med))
    shutil.rmtree(workdir, ignore_errors=True)
    report(rows, idle_rows)


def report(rows, idle_rows):
    table = {(m, k, p, t, i): v for m, k, p, t, i, v in rows}
    tools = sorted({i for _, _, _, _, i in table}, key=lambda i: i != "redis-benchmark")
    lines = [f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
             f"{os.cpu_count()} CPUs, {' and '.join(tools)} -n {REQUESTS} -c {CLIENTS}, "
             f"median of {ROUNDS} rounds.", "",
             "| mode | server | pipeline | test | instrument | requests/s | keyport / redis |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    order = lambda item: (item[0][:4], tools.index(item[0][4]))
    cpu_lines = []
    for (m, k, p, t, i), v in sorted(table.items(), key=order):
        ref = table.get((m, "redis", p, t, i))
        ratio = f"{v / ref:.2f}" if ref and k != "redis" else ""
        if t == "CPU":
            cpu_lines.append(f"| {m} | {k} | {p} | {i} | {v:.2f} | {ratio} |")
            continue
        lines.append(f"| {m} | {k} | {p} | {t} | {i} | {v:,.0f} | {ratio} |")
    lines += ["", "Server CPU time per request (user + system, microseconds; lower is better; less sensitive "
              "than throughput to the load of the rest of the machine):", "",
              "| mode | server | pipeline | instrument | CPU us/request | keyport / redis |",
              "| --- | --- | --- | --- | --- | --- |"] + cpu_lines
    tls_lines = []
    for (m, k, p, t, i), v in sorted(table.items(), key=order):
        if m != "tls" or t == "CPU":
            continue
        base = table.get(("plain", "keyport:tcp" if k != "redis" else "redis", p, t, i))
        if base:
            tls_lines.append(f"| {k} | {p} | {t} | {i} | {v / base:.2f} |")
    if tls_lines:
        lines += ["", "TLS / plaintext throughput of the same server:", "",
                  "| server | pipeline | test | instrument | tls / plain |",
                  "| --- | --- | --- | --- | --- |"] + tls_lines
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
