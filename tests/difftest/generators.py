"""Random command generators for the differential test.

Each generator takes a random.Random and returns (argv, norm): argv is the
command as a list of str/bytes/int, norm says how to compare the replies:

  None      exactly (reply types included)
  "sorted"  an aggregate whose order is unspecified (hash order): compare
            its elements sorted; nested aggregates are left as they are
  "pairs"   a flat array or a map of field/value pairs in hash order
  "scan"    [cursor, [items]] of a SCAN-family call that ran to completion
  "spairs"  like "scan", items being field/value pairs
  "shape"   random output: compare only the reply type and length
  "ttl"     a TTL: compare only the sign
  "kind"    unspecified output: compare only the reply type (errors in full)
  "resync"  random and destructive (SPOP): compare the shape, then the key is
            rebuilt identically on both servers
  ("sort", key)  SORT: exactly, but when key holds a set its BY option is
            dropped first (BY keeps hash order among ties and nosort returns
            hash order, which no two implementations share), so is a BY
            pattern on a sorted set (Redis loads it in hash order), and LIMIT is
            dropped with a BY pattern (Redis then sorts partially, which
            orders ties its own way)
  ("lex", key)  a lex range command: exactly, unless key holds a
            skiplist-encoded sorted set whose scores differ. Lex ranges are
            unspecified then, and Redis' answer depends on the random levels
            of its skiplist nodes (it changes from one Redis run to the
            next), so only the reply type is compared ("kind") and a
            ZREMRANGEBYLEX is followed by rebuilding the key identically on
            both servers. Listpacks are walked in order, deterministically,
            and stay compared exactly.

Keys are drawn mostly from a pool of the command's own type, sometimes from
the pools of other types, so WRONGTYPE paths are exercised too.
"""
import random

POOLS = {
    "str": ["str%d" % i for i in range(6)],
    "set": ["set%d" % i for i in range(6)],
    "bit": ["bit%d" % i for i in range(4)],
    "hll": ["hll%d" % i for i in range(4)],
    "list": ["list%d" % i for i in range(5)],
    "hash": ["hash%d" % i for i in range(5)],
    "zset": ["zset%d" % i for i in range(5)],
}
ALL_KEYS = [k for pool in POOLS.values() for k in pool] + ["missing1", "missing2"]

WORDS = ["a", "b", "c", "d", "e", "foo", "bar", "hello", "x" * 50, "", "é", "with space"]
ODD_INTS = ["007", "+1", "-0", " 1", "1 ", "0x10", "1e3", "9223372036854775808",
            "-9223372036854775809", "3.0", "abc"]


def key(r, kind):
    if r.random() < 0.85:
        return r.choice(POOLS[kind])
    return r.choice(ALL_KEYS)


def keys(r, kind, lo=1, hi=4):
    return [key(r, kind) for _ in range(r.randint(lo, hi))]


def int_text(r):
    x = r.random()
    if x < 0.6:
        return str(r.randint(0, 40))
    if x < 0.75:
        return str(r.randint(-1000, 1000))
    if x < 0.85:
        return str(r.choice([2**15, 2**15 - 1, -2**15, 2**31, -2**31 - 1, 2**63 - 1, -2**63,
                             2**32, 70000]))
    if x < 0.92:
        return r.choice(ODD_INTS)
    return r.choice(["-1", "0", "1"])


def member(r):
    return int_text(r) if r.random() < 0.6 else r.choice(WORDS)


def number(r, lo=-5, hi=20):
    if r.random() < 0.05:
        return r.choice(["abc", "1.5", "", "99999999999999999999", "-9223372036854775809"])
    return str(r.randint(lo, hi))


def float_text(r):
    return r.choice(["0", "1.5", "-2.25", "3", "1e3", "inf", "-inf", "+inf", "nan", "abc",
                     "0.1", "10", "-1", "5.0000000001", "(1", "(2.5"])


# ---------- strings and keys ----------

def g_string(r):
    k = key(r, "str")
    v = member(r)
    ops = [
        (["SET", k, v], None),
        (["SET", k, v, r.choice(["NX", "XX", "GET", "KEEPTTL"])], None),
        (["GET", k], None),
        (["APPEND", k, v], None),
        (["INCR", k], None),
        (["DECR", k], None),
        (["INCRBY", k, number(r, -100, 100)], None),
        (["DECRBY", k, number(r, -100, 100)], None),
        (["INCRBYFLOAT", k, float_text(r)], None),
        (["STRLEN", k], None),
        (["GETRANGE", k, number(r), number(r)], None),
        (["SETRANGE", k, r.randint(0, 30), v], None),
        (["MGET"] + keys(r, "str"), None),
        (["MSET", k, v, key(r, "str"), member(r)], None),
        (["MSETNX", k, v, key(r, "str"), member(r)], None),
        (["GETDEL", k], None),
        (["GETSET", k, v], None),
        (["SETNX", k, v], None),
        (["GETEX", k], None),
        (["LCS", k, key(r, "str")], None),
    ]
    return r.choice(ops)


def g_generic(r):
    k = r.choice(ALL_KEYS)
    k2 = r.choice(ALL_KEYS)
    ops = [
        (["DEL"] + [r.choice(ALL_KEYS) for _ in range(r.randint(1, 3))], None),
        (["EXISTS", k, k2], None),
        (["TYPE", k], None),
        (["RENAME", k, k2], None),
        (["RENAMENX", k, k2], None),
        (["COPY", k, k2] + (["REPLACE"] if r.random() < 0.5 else []), None),
        (["OBJECT", "ENCODING", k], None),
        (["EXPIRE", k, r.randint(1000, 100000)], None),
        (["PERSIST", k], None),
        (["TTL", k], "ttl"),
        (["DBSIZE"], None),
        (["KEYS", r.choice(["*", "s*", "*1", "h?ll*"])], "sorted"),
        (["SCAN", "0", "COUNT", "1000"], "scan"),
        (["SCAN", "0", "COUNT", "1000", "TYPE", r.choice(["set", "string", "hash"])], "scan"),
        (["UNLINK", k], None),
        (["TOUCH", k, k2], None),
    ]
    return r.choice(ops)


# ---------- sets ----------

def set_members(r, lo=1, hi=5):
    if r.random() < 0.04:
        # Large integer batches push sets over set-max-intset-entries.
        base = r.randint(0, 3000)
        return [str(base + i) for i in range(r.randint(100, 300))]
    return [member(r) for _ in range(r.randint(lo, hi))]


def g_set(r):
    k = key(r, "set")
    ops = [
        (["SADD", k] + set_members(r), None),
        (["SADD", k] + set_members(r), None),
        (["SREM", k] + set_members(r), None),
        (["SCARD", k], None),
        (["SISMEMBER", k, member(r)], None),
        (["SMISMEMBER", k] + set_members(r), None),
        (["SMEMBERS", k], "sorted"),
        (["SRANDMEMBER", k], "shape"),
        (["SRANDMEMBER", k, r.choice([number(r, -10, 10), "-9223372036854775808", "abc"])],
         "shape"),
        (["SRANDMEMBER", k, "100000"], "sorted"),
        (["SPOP", k], "resync"),
        (["SPOP", k, number(r, 0, 5)], "resync"),
        (["SPOP", k, "100000"], "sorted"),
        (["SMOVE", k, key(r, "set"), member(r)], None),
        (["SINTER"] + keys(r, "set"), "sorted"),
        (["SUNION"] + keys(r, "set"), "sorted"),
        (["SDIFF"] + keys(r, "set"), "sorted"),
        (["SINTERSTORE", key(r, "set")] + keys(r, "set"), None),
        (["SUNIONSTORE", key(r, "set")] + keys(r, "set"), None),
        (["SDIFFSTORE", key(r, "set")] + keys(r, "set"), None),
        (["SINTERCARD", str(r.randint(0, 3))] + keys(r, "set", 1, 3)
         + (["LIMIT", number(r, -1, 5)] if r.random() < 0.4 else []), None),
        (["SSCAN", k, "0", "COUNT", "1000"]
         + (["MATCH", r.choice(["*", "1*", "?", "[a-c]*"])] if r.random() < 0.4 else []), "scan"),
        (["SSCAN", k, r.choice(["0", "abc", "-1"]), r.choice(["COUNT", "MATCH", "TYPE"]),
          number(r, -1, 3)], "shape"),
        (["OBJECT", "ENCODING", k], None),
    ]
    return r.choice(ops)


# ---------- bitmaps ----------

def bit_offset(r):
    x = r.random()
    if x < 0.8:
        return str(r.randint(0, 200))
    if x < 0.9:
        return str(r.randint(0, 40000))
    return r.choice(["-1", "abc", "4294967296", "1.5"])


def field_type(r):
    if r.random() < 0.05:
        return r.choice(["u64", "i65", "i0", "x8", "u", ""])
    return r.choice("iu") + str(r.randint(1, 63 if r.random() < 0.5 else 8))


def field_offset(r):
    if r.random() < 0.3:
        return "#" + str(r.randint(0, 20))
    return str(r.randint(0, 100))


def bitfield_ops(r, readonly):
    args = []
    for _ in range(r.randint(1, 4)):
        x = r.random()
        if x < 0.4 or readonly and x < 0.9:
            args += ["GET", field_type(r), field_offset(r)]
        elif x < 0.6:
            args += ["SET", field_type(r), field_offset(r), int_text(r)]
        elif x < 0.85:
            args += ["INCRBY", field_type(r), field_offset(r), int_text(r)]
        else:
            args += ["OVERFLOW", r.choice(["WRAP", "SAT", "FAIL", "foo"])]
    return args


def g_bit(r):
    k = key(r, "bit")
    unit = [r.choice(["BIT", "BYTE", "bit", "foo"])] if r.random() < 0.4 else []
    ops = [
        (["SETBIT", k, bit_offset(r), r.choice(["0", "1", "1", "2", "-1"])], None),
        (["SETBIT", k, bit_offset(r), "1"], None),
        (["GETBIT", k, bit_offset(r)], None),
        (["BITCOUNT", k], None),
        (["BITCOUNT", k, number(r, -20, 20), number(r, -20, 20)] + unit, None),
        (["BITPOS", k, r.choice(["0", "1"])], None),
        (["BITPOS", k, r.choice(["0", "1", "2"]), number(r, -20, 20)], None),
        (["BITPOS", k, r.choice(["0", "1"]), number(r, -20, 20), number(r, -20, 20)] + unit,
         None),
        (["BITOP", r.choice(["AND", "OR", "XOR", "NOT", "foo"]), key(r, "bit")] + keys(r, "bit"),
         None),
        (["BITFIELD", k] + bitfield_ops(r, False), None),
        (["BITFIELD_RO", k] + bitfield_ops(r, True), None),
        (["GET", k], None),
        (["SET", k, r.choice(["abc", "\xff\x00\xf0", "12345", ""])], None),
    ]
    return r.choice(ops)


# ---------- HyperLogLog ----------

def hll_elements(r):
    if r.random() < 0.1:
        base = r.randint(0, 100000)
        return ["e%d" % (base + i) for i in range(r.randint(50, 400))]
    return ["e%d" % r.randint(0, 3000) for _ in range(r.randint(0, 6))]


def g_hll(r):
    k = key(r, "hll")
    ops = [
        (["PFADD", k] + hll_elements(r), None),
        (["PFADD", k] + hll_elements(r), None),
        (["PFCOUNT"] + keys(r, "hll", 1, 3), None),
        (["PFMERGE", key(r, "hll")] + keys(r, "hll", 0, 3), None),
        (["GET", k], None),
        (["STRLEN", k], None),
        (["SETRANGE", k, r.randint(0, 20), r.choice(["x", "\x00", "HYLL"])], None),
        (["PFDEBUG", r.choice(["ENCODING", "DECODE", "TODENSE", "GETREG", "foo"]), k], None),
    ]
    return r.choice(ops)


# ---------- pub/sub (no subscribers but the test's own) ----------

def g_pubsub(r):
    ch = r.choice(["news", "a", "difftest-marker-x", ""])
    ops = [
        (["PUBLISH", ch, member(r)], None),
        (["SPUBLISH", ch, member(r)], None),
        (["PUBSUB", "NUMSUB", ch, "news"], None),
        (["PUBSUB", "SHARDNUMSUB", ch], None),
        (["PUBSUB", "NUMPAT"], None),
        (["PUBSUB", "CHANNELS", r.choice(["*", "n*", "[a-z]"])], "sorted"),
        (["PUBSUB", "SHARDCHANNELS"], "sorted"),
        (["PUBSUB", r.choice(["foo", "CHANNELS"]), "a", "b"], None),
    ]
    return r.choice(ops)


# ---------- lists ----------

def g_list(r):
    k = key(r, "list")
    vals = [member(r) for _ in range(r.randint(1, 4))]
    ops = [
        (["LPUSH", k] + vals, None),
        (["RPUSH", k] + vals, None),
        (["LPUSHX", k] + vals, None),
        (["RPUSHX", k] + vals, None),
        (["LPOP", k], None),
        (["RPOP", k, number(r, -1, 4)], None),
        (["LLEN", k], None),
        (["LRANGE", k, number(r, -10, 10), number(r, -10, 10)], None),
        (["LINDEX", k, number(r, -10, 10)], None),
        (["LSET", k, number(r, -5, 5), member(r)], None),
        (["LINSERT", k, r.choice(["BEFORE", "AFTER", "foo"]), member(r), member(r)], None),
        (["LREM", k, number(r, -3, 3), member(r)], None),
        (["LTRIM", k, number(r, -10, 10), number(r, -10, 10)], None),
        (["LPOS", k, member(r)] + r.choice([[], ["RANK", number(r, -3, 3)], ["COUNT", "0"],
                                            ["MAXLEN", "2"]]), None),
        (["LMOVE", k, key(r, "list"), r.choice(["LEFT", "RIGHT"]), r.choice(["LEFT", "RIGHT"])],
         None),
        (["RPOPLPUSH", k, key(r, "list")], None),
        (["LMPOP", str(r.randint(1, 2)), k, key(r, "list"), r.choice(["LEFT", "RIGHT"])]
         + (["COUNT", number(r, 0, 3)] if r.random() < 0.5 else []), None),
        (["BLPOP", k, key(r, "list"), "0.01"], None),
        (["OBJECT", "ENCODING", k], None),
    ]
    return r.choice(ops)


# ---------- hashes ----------

def g_hash(r):
    k = key(r, "hash")
    f = r.choice(["f1", "f2", "f3", "n", "x" * 70, "7"])
    ops = [
        (["HSET", k, f, member(r)] + ([r.choice(["f4", "f5"]), member(r)]
                                      if r.random() < 0.5 else []), None),
        (["HSETNX", k, f, member(r)], None),
        (["HGET", k, f], None),
        (["HMGET", k, f, "f2", "nope"], None),
        (["HMSET", k, f, member(r)], None),
        (["HDEL", k, f, "f2"], None),
        (["HLEN", k], None),
        (["HSTRLEN", k, f], None),
        (["HEXISTS", k, f], None),
        (["HKEYS", k], "sorted"),
        (["HVALS", k], "sorted"),
        (["HGETALL", k], "pairs"),
        (["HINCRBY", k, f, number(r, -10, 10)], None),
        (["HINCRBYFLOAT", k, f, float_text(r)], None),
        (["HRANDFIELD", k, number(r, -5, 5)], "shape"),
        (["HSCAN", k, "0", "COUNT", "1000"], "spairs"),
        (["OBJECT", "ENCODING", k], None),
    ]
    return r.choice(ops)


# ---------- sorted sets ----------

def score(r):
    return r.choice(["0", "1", "2.5", "-1", "3", "10", "inf", "-inf", "1e2", "abc", "nan"])


def lex(r):
    return r.choice(["-", "+", "[a", "(b", "[c", "(foo", "a", "[", "(z"])


def g_zset(r):
    k = key(r, "zset")
    m = r.choice(["a", "b", "c", "d", "1", "2", "x" * 70])
    flags = r.sample(["NX", "XX", "GT", "LT", "CH", "INCR"], r.randint(0, 2))
    ops = [
        (["ZADD", k] + flags + [score(r), m], None),
        (["ZADD", k, score(r), m, score(r), r.choice(["e", "f", "3"])], None),
        (["ZINCRBY", k, score(r), m], None),
        (["ZREM", k, m, "b"], None),
        (["ZCARD", k], None),
        (["ZCOUNT", k, float_text(r), float_text(r)], None),
        (["ZLEXCOUNT", k, lex(r), lex(r)], ("lex", k)),
        (["ZSCORE", k, m], None),
        (["ZMSCORE", k, m, "zz"], None),
        (["ZRANK", k, m], None),
        (["ZREVRANK", k, m], None),
        (["ZRANGE", k, number(r, -5, 5), number(r, -5, 5)]
         + (["WITHSCORES"] if r.random() < 0.5 else []), None),
        (["ZRANGE", k, float_text(r), float_text(r), "BYSCORE"]
         + (["REV"] if r.random() < 0.3 else [])
         + (["LIMIT", number(r, -1, 3), number(r, -1, 3)] if r.random() < 0.3 else []), None),
        (["ZRANGE", k, lex(r), lex(r), "BYLEX"], ("lex", k)),
        (["ZRANGESTORE", key(r, "zset"), k, number(r, -3, 3), number(r, -3, 3)], None),
        (["ZRANGEBYSCORE", k, float_text(r), float_text(r), "WITHSCORES"], None),
        (["ZREVRANGEBYSCORE", k, float_text(r), float_text(r)], None),
        (["ZRANGEBYLEX", k, lex(r), lex(r)], ("lex", k)),
        (["ZREVRANGEBYLEX", k, lex(r), lex(r)], ("lex", k)),
        (["ZREMRANGEBYRANK", k, number(r, -3, 3), number(r, -3, 3)], None),
        (["ZREMRANGEBYSCORE", k, float_text(r), float_text(r)], None),
        (["ZREMRANGEBYLEX", k, lex(r), lex(r)], ("lex", k)),
        (["ZPOPMIN", k] + ([number(r, -1, 3)] if r.random() < 0.5 else []), None),
        (["ZPOPMAX", k] + ([number(r, -1, 3)] if r.random() < 0.5 else []), None),
        (["ZMPOP", "2", k, key(r, "zset"), r.choice(["MIN", "MAX"])], None),
        (["ZUNION", "2", k, key(r, "zset"), "WITHSCORES"], None),
        (["ZINTER", "2", k, key(r, "zset")], None),
        (["ZDIFF", "2", k, key(r, "zset")], None),
        (["ZUNIONSTORE", key(r, "zset"), "2", k, key(r, "zset"), "WEIGHTS", "2", "3",
          "AGGREGATE", r.choice(["SUM", "MIN", "MAX"])], None),
        (["ZINTERSTORE", key(r, "zset"), "2", k, key(r, "set")], None),
        (["ZDIFFSTORE", key(r, "zset"), "2", k, key(r, "zset")], None),
        (["ZINTERCARD", "2", k, key(r, "zset")], None),
        (["ZRANDMEMBER", k, number(r, -3, 3)], "shape"),
        (["ZSCAN", k, "0", "COUNT", "1000"], "spairs"),
        (["OBJECT", "ENCODING", k], None),
    ]
    return r.choice(ops)


# ---------- SORT ----------

def g_sort(r):
    k = r.choice(POOLS["list"] + POOLS["set"] + POOLS["zset"])
    args = ["SORT" if r.random() < 0.7 else "SORT_RO", k]
    if r.random() < 0.3:
        args += ["BY", r.choice(["nosort", "str*", "hash*->f1", "missing_*"])]
    if r.random() < 0.3:
        args += ["LIMIT", number(r, -1, 3), number(r, -1, 4)]
    if r.random() < 0.3:
        args += ["GET", r.choice(["#", "str*", "hash*->f1"])]
    if r.random() < 0.5:
        args += ["ALPHA"]
    if r.random() < 0.3:
        args += [r.choice(["ASC", "DESC"])]
    if args[0] == "SORT" and r.random() < 0.2:
        args += ["STORE", key(r, "list")]
    return args, ("sort", k)


FAMILIES = {
    "string": (g_string, 3),
    "generic": (g_generic, 2),
    "set": (g_set, 5),
    "bit": (g_bit, 4),
    "hll": (g_hll, 3),
    "list": (g_list, 3),
    "hash": (g_hash, 3),
    "zset": (g_zset, 4),
    "sort": (g_sort, 1),
    "pubsub": (g_pubsub, 1),
}


def make_generator(rng, families):
    names = [n for n in families]
    weights = [FAMILIES[n][1] for n in names]

    def gen():
        fam = rng.choices(names, weights)[0]
        return fam, FAMILIES[fam][0](rng)

    return gen
