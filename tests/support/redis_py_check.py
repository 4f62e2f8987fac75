#!/usr/bin/env python3
"""Talks to a server with the redis-py package (Debian's python3-redis).

  redis_py_check.py tcp HOST PORT
  redis_py_check.py unix PATH
  redis_py_check.py tls HOST PORT CA CERT KEY

Prints one line per check, "ok <name>" or "FAIL <name>: <why>", then
"done"; exits 1 if a check failed. RESP3 is checked only with redis-py 5
or newer (older versions speak RESP2 only) and then prints "ok resp3" or
"skip resp3".
"""
import sys

import redis


def connect(argv, **extra):
    kind = argv[1]
    if kind == "tcp":
        return redis.Redis(host=argv[2], port=int(argv[3]), **extra)
    if kind == "unix":
        return redis.Redis(unix_socket_path=argv[2], **extra)
    if kind == "tls":
        return redis.Redis(host=argv[2], port=int(argv[3]), ssl=True, ssl_ca_certs=argv[4],
                           ssl_certfile=argv[5], ssl_keyfile=argv[6], **extra)
    raise SystemExit("unknown transport " + kind)


def main(argv):
    failed = []

    def check(name, got, want):
        if got == want:
            print("ok", name)
        else:
            failed.append(name)
            print("FAIL %s: got %r, want %r" % (name, got, want))

    r = connect(argv)
    check("ping", r.ping(), True)
    check("set", r.set("py:k", "v"), True)
    check("get", r.get("py:k"), b"v")
    check("get-missing", r.get("py:missing"), None)
    check("incr", r.incr("py:n", 5), 5)
    check("incrbyfloat", r.incrbyfloat("py:f", 1.5), 1.5)
    r.set("py:e", "x", ex=100)
    check("ttl", 99 <= r.ttl("py:e") <= 100, True)
    check("mget", r.mget(["py:k", "py:missing"]), [b"v", None])
    check("binary", r.set("py:bin", b"\x00\xff\r\n") and r.get("py:bin"), b"\x00\xff\r\n")
    try:
        r.incr("py:k")
        failed.append("error")
        print("FAIL error: no exception")
    except redis.ResponseError as exc:
        check("error", str(exc), "value is not an integer or out of range")

    p = r.pipeline(transaction=False)
    for i in range(100):
        p.set("py:p%d" % i, i)
    p.get("py:p99")
    res = p.execute()
    check("pipeline", (len(res), res[-1]), (101, b"99"))

    check("scan_iter", len(list(r.scan_iter(match="py:p*", count=10))), 100)
    check("client-name", r.client_setname("pyclient") and r.client_getname(), "pyclient")
    check("info", "redis_version" in r.info("server"), True)
    check("delete", r.delete("py:k", "py:missing"), 1)

    major = int(redis.__version__.split(".")[0])
    if major >= 5:
        r3 = connect(argv, protocol=3)
        check("resp3", (r3.set("py:r3", "x"), r3.get("py:r3"), r3.get("py:none")),
              (True, b"x", None))
    else:
        print("skip resp3 (redis-py %s has no RESP3)" % redis.__version__)
    print("done")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
