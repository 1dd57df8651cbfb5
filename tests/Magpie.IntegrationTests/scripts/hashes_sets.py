"""Drives a node with redis-py through every hash and set command; any failed assert exits non-zero."""
import sys
import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, db=5, decode_responses=True)

def check(name, actual, expected):
    assert actual == expected, f"{name}: expected {expected!r}, got {actual!r}"
    print(f"ok {name}")

def wrongtype(name, fn):
    try:
        fn()
    except redis.ResponseError as e:
        assert str(e).startswith("WRONGTYPE"), f"{name}: {e}"
        print(f"ok wrongtype {name}")
        return
    raise AssertionError(f"{name}: no WRONGTYPE")

def error(name, fn, text):
    try:
        fn()
    except redis.ResponseError as e:
        assert str(e) == text, f"{name}: expected {text!r}, got {str(e)!r}"
        print(f"ok error {name}")
        return
    raise AssertionError(f"{name}: no error")

r.flushdb()

# ---- hashes
check("hset", r.hset("h", mapping={"a": "1", "b": "2"}), 2)
check("hset update", r.hset("h", "a", "10"), 0)
check("hsetnx new", r.hsetnx("h", "c", "3"), True)
check("hsetnx existing", r.hsetnx("h", "c", "x"), False)
check("hmset", r.hmset("h", {"d": "4"}), True)
check("hget", r.hget("h", "a"), "10")
check("hget missing field", r.hget("h", "zz"), None)
check("hmget", r.hmget("h", ["a", "zz", "d"]), ["10", None, "4"])
check("hgetall", r.hgetall("h"), {"a": "10", "b": "2", "c": "3", "d": "4"})
check("hgetall missing", r.hgetall("nope"), {})
check("hkeys", r.hkeys("h"), ["a", "b", "c", "d"])
check("hvals", r.hvals("h"), ["10", "2", "3", "4"])
check("hlen", r.hlen("h"), 4)
check("hexists", r.hexists("h", "a"), True)
check("hexists no", r.hexists("h", "q"), False)
check("hstrlen", r.hstrlen("h", "a"), 2)
check("hincrby", r.hincrby("h", "n", 5), 5)
check("hincrby negative", r.hincrby("h", "n", -7), -2)
check("hincrbyfloat", r.hincrbyfloat("h", "f", 10.5), 10.5)
check("hincrbyfloat again", r.hincrbyfloat("h", "f", 0.1), 10.6)
check("hget float", r.hget("h", "f"), "10.6")
error("hincrby not integer", lambda: r.hincrby("h", "f", 1), "hash value is not an integer")
r.hset("h", "zz", "abc")
error("hincrbyfloat not float", lambda: r.hincrbyfloat("h", "zz", 1), "hash value is not a float")
check("hdel", r.hdel("h", "a", "b", "missing"), 2)
check("object encoding listpack", r.object("encoding", "h"), "listpack")
check("hrandfield one", r.hrandfield("h") in r.hkeys("h"), True)
fields = r.hrandfield("h", 3)
check("hrandfield distinct", len(set(fields)), 3)
check("hrandfield negative", len(r.hrandfield("h", -10)), 10)
pairs = r.hrandfield("h", 2, withvalues=True)
check("hrandfield withvalues", len(pairs), 4)
check("hrandfield withvalues pairing", r.hget("h", pairs[0]), pairs[1])
check("hrandfield missing", r.hrandfield("nope"), None)
cursor, data = r.hscan("h", 0)
check("hscan small", (cursor, data), (0, r.hgetall("h")))
big = {f"f{i}": f"v{i}" for i in range(600)}  # past hash-max-listpack-entries (512 in 7.0)
r.hset("bigh", mapping=big)
check("object encoding hashtable", r.object("encoding", "bigh"), "hashtable")
check("hscan_iter", dict(r.hscan_iter("bigh", count=50)), big)
check("hscan match", sorted(dict(r.hscan_iter("bigh", match="f1?", count=1000)).keys()), [f"f1{i}" for i in range(10)])
check("hdel all", r.hdel("h", *r.hkeys("h")), 5)
check("emptied hash deleted", r.exists("h"), 0)

# ---- sets
check("sadd", r.sadd("s", "a", "b", "c", "a"), 3)
check("srem", r.srem("s", "c", "zz"), 1)
check("smembers", r.smembers("s"), {"a", "b"})
check("sismember", r.sismember("s", "a"), True)
check("sismember no", r.sismember("s", "z"), False)
check("smismember", r.smismember("s", ["a", "z", "b"]), [1, 0, 1])
check("scard", r.scard("s"), 2)
r.sadd("nums", *range(10))
check("object encoding intset", r.object("encoding", "nums"), "intset")
check("object encoding hashtable set", r.object("encoding", "s"), "hashtable")
check("srandmember one", r.srandmember("nums") in {str(i) for i in range(10)}, True)
check("srandmember distinct", len(set(r.srandmember("nums", 5))), 5)
check("srandmember negative", len(r.srandmember("nums", -25)), 25)
popped = r.spop("nums")
check("spop one", r.sismember("nums", popped), False)
check("spop count", len(r.spop("nums", 3)), 3)
check("scard after spop", r.scard("nums"), 6)
check("spop rest", len(r.spop("nums", 100)), 6)
check("emptied set deleted", r.exists("nums"), 0)
check("smove", r.smove("s", "s2", "a"), True)
check("smove missing member", r.smove("s", "s2", "zz"), False)
check("smove result", (r.smembers("s"), r.smembers("s2")), ({"b"}, {"a"}))
r.sadd("x", "1", "2", "3", "k")
r.sadd("y", "2", "3", "4", "k")
check("sinter", r.sinter("x", "y"), {"2", "3", "k"})
check("sintercard", r.sintercard(2, ["x", "y"]), 3)
check("sintercard limit", r.sintercard(2, ["x", "y"], limit=1), 1)
check("sunion", r.sunion("x", "y"), {"1", "2", "3", "4", "k"})
check("sdiff", r.sdiff("x", "y"), {"1"})
check("sinterstore", r.sinterstore("dst", "x", "y"), 3)
check("sunionstore", r.sunionstore("dst2", "x", "y"), 5)
check("sdiffstore", r.sdiffstore("dst3", "x", "y"), 1)
check("stored", (r.smembers("dst"), r.smembers("dst3")), ({"2", "3", "k"}, {"1"}))
check("sdiffstore empty deletes", r.sdiffstore("dst3", "x", "x"), 0)
check("dst3 gone", r.exists("dst3"), 0)
members = {f"m{i}" for i in range(700)}
r.sadd("bigs", *members)
check("sscan_iter", set(r.sscan_iter("bigs", count=64)), members)
cursor, small = r.sscan("x", 0)
check("sscan small", (cursor, sorted(small)), (0, ["1", "2", "3", "k"]))

# ---- WRONGTYPE everywhere
r.set("str", "v")
for name, fn in [
    ("hset", lambda: r.hset("str", "f", "v")), ("hsetnx", lambda: r.hsetnx("str", "f", "v")),
    ("hmset", lambda: r.hmset("str", {"f": "v"})), ("hget", lambda: r.hget("str", "f")),
    ("hmget", lambda: r.hmget("str", ["f"])), ("hgetall", lambda: r.hgetall("str")),
    ("hdel", lambda: r.hdel("str", "f")), ("hexists", lambda: r.hexists("str", "f")),
    ("hlen", lambda: r.hlen("str")), ("hkeys", lambda: r.hkeys("str")), ("hvals", lambda: r.hvals("str")),
    ("hstrlen", lambda: r.hstrlen("str", "f")), ("hincrby", lambda: r.hincrby("str", "f", 1)),
    ("hincrbyfloat", lambda: r.hincrbyfloat("str", "f", 1.0)), ("hrandfield", lambda: r.hrandfield("str")),
    ("hscan", lambda: r.hscan("str", 0)),
    ("sadd", lambda: r.sadd("str", "a")), ("srem", lambda: r.srem("str", "a")),
    ("smembers", lambda: r.smembers("str")), ("sismember", lambda: r.sismember("str", "a")),
    ("smismember", lambda: r.smismember("str", ["a"])), ("scard", lambda: r.scard("str")),
    ("spop", lambda: r.spop("str")), ("srandmember", lambda: r.srandmember("str")),
    ("smove", lambda: r.smove("str", "x", "a")), ("sinter", lambda: r.sinter("x", "str")),
    ("sintercard", lambda: r.sintercard(2, ["x", "str"])), ("sinterstore", lambda: r.sinterstore("d", "x", "str")),
    ("sunion", lambda: r.sunion("x", "str")), ("sunionstore", lambda: r.sunionstore("d", "x", "str")),
    ("sdiff", lambda: r.sdiff("x", "str")), ("sdiffstore", lambda: r.sdiffstore("d", "x", "str")),
    ("sscan", lambda: r.sscan("str", 0)),
]:
    wrongtype(name, fn)

r.flushdb()
print("ALL OK")
