"""Drives a node with redis-py through every sorted set command; any failed assert exits non-zero."""
import sys
import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, db=5, decode_responses=True)


def check(name, actual, expected):
    assert actual == expected, f"{name}: expected {expected!r}, got {actual!r}"
    print(f"ok {name}")


def error(name, fn, expected):
    try:
        fn()
    except redis.ResponseError as e:
        check(name, str(e), expected)
        return
    raise AssertionError(f"{name}: no error")


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"

r.flushdb()
# ZADD and its options
check("zadd", r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}), 5)
check("zadd nx", r.zadd("z", {"a": 10, "f": 6}, nx=True), 1)
check("zadd xx ch", r.zadd("z", {"a": 0.5, "zz": 1}, xx=True, ch=True), 1)
check("zadd gt", r.zadd("z", {"a": 0.1}, gt=True, ch=True), 0)
check("zadd lt", r.zadd("z", {"a": 0.25}, lt=True, ch=True), 1)
check("zadd incr", r.zadd("z", {"a": 0.75}, incr=True), 1.0)
check("zadd incr nx existing", r.zadd("z", {"a": 1}, nx=True, incr=True), None)
error("zadd nx xx server", lambda: r.execute_command("ZADD", "z", "NX", "XX", 1, "a"), "XX and NX options at the same time are not compatible")
error("zadd gt lt", lambda: r.execute_command("ZADD", "z", "GT", "LT", 1, "a"), "GT, LT, and/or NX options at the same time are not compatible")
error("zadd incr pairs", lambda: r.execute_command("ZADD", "z", "INCR", 1, "a", 2, "b"), "INCR option supports a single increment-element pair")
error("zadd bad float", lambda: r.zadd("z", {"a": "x"}), "value is not a valid float")
check("zadd inf", r.zadd("inf", {"x": float("inf")}), 1)
error("zincrby nan", lambda: r.zincrby("inf", float("-inf"), "x"), "resulting score is not a number (NaN)")

# Reads
check("zcard", r.zcard("z"), 6)
check("zscore", r.zscore("z", "a"), 1.0)
check("zscore missing", r.zscore("z", "nope"), None)
check("zmscore", r.zmscore("z", ["a", "nope", "f"]), [1.0, None, 6.0])
check("zincrby", r.zincrby("z", 1.5, "b"), 3.5)
check("zcount", r.zcount("z", 2, "(5"), 3)
check("zcount inf", r.zcount("z", "-inf", "+inf"), 6)
error("zcount bad", lambda: r.zcount("z", "x", 1), "min or max is not a float")
check("zrank", r.zrank("z", "c"), 1)
check("zrevrank", r.zrevrank("z", "c"), 4)
check("zrank missing", r.zrank("z", "nope"), None)

# Ranges
check("zrange", r.zrange("z", 0, -1), ["a", "c", "b", "d", "e", "f"])
check("zrange withscores", r.zrange("z", 0, 1, withscores=True), [("a", 1.0), ("c", 3.0)])
check("zrange desc", r.zrange("z", 0, 1, desc=True), ["f", "e"])
check("zrange byscore limit", r.zrange("z", 2, 10, byscore=True, offset=1, num=2), ["b", "d"])
check("zrange byscore rev", r.zrange("z", 10, 4, byscore=True, desc=True), ["f", "e", "d"])
check("zrevrange", r.zrevrange("z", 0, 1, withscores=True), [("f", 6.0), ("e", 5.0)])
check("zrangebyscore", r.zrangebyscore("z", "(1", 4), ["c", "b", "d"])
check("zrangebyscore limit", r.zrangebyscore("z", "-inf", "+inf", start=4, num=5, withscores=True), [("e", 5.0), ("f", 6.0)])
check("zrevrangebyscore", r.zrevrangebyscore("z", 4, "(1"), ["d", "b", "c"])
r.zadd("lex", {m: 0 for m in "abcdefg"})
check("zrangebylex", r.zrangebylex("lex", "[b", "(e"), ["b", "c", "d"])
check("zrangebylex limit", r.zrangebylex("lex", "-", "+", start=5, num=10), ["f", "g"])
check("zrevrangebylex", r.zrevrangebylex("lex", "+", "(e"), ["g", "f"])
check("zrange bylex", r.zrange("lex", "[f", "+", bylex=True), ["f", "g"])
check("zlexcount", r.zlexcount("lex", "(a", "[c"), 2)
error("zlexcount bad", lambda: r.zlexcount("lex", "a", "+"), "min or max not valid string range item")
check("zrangestore", r.zrangestore("dst", "z", 0, 2), 3)
check("zrangestore result", r.zrange("dst", 0, -1, withscores=True), [("a", 1.0), ("c", 3.0), ("b", 3.5)])
check("zrangestore byscore", r.zrangestore("dst", "z", 5, 6, byscore=True), 2)
check("zrangestore empty deletes", r.zrangestore("dst", "z", 100, 200, byscore=True), 0)
check("dst gone", r.exists("dst"), 0)

# Removal
check("zrem", r.zrem("z", "a", "nope"), 1)
check("zremrangebyrank", r.zremrangebyrank("z", 0, 0), 1)
check("zremrangebyscore", r.zremrangebyscore("z", "(5", "+inf"), 1)
check("zremrangebylex", r.zremrangebylex("lex", "[a", "[c"), 3)
check("after removals", r.zrange("z", 0, -1), ["b", "d", "e"])

# Pops
check("zpopmin", r.zpopmin("z"), [("b", 3.5)])
check("zpopmax count", r.zpopmax("z", 5), [("e", 5.0), ("d", 4.0)])
check("popped to empty", r.exists("z"), 0)
check("zpopmin missing", r.zpopmin("z"), [])
r.zadd("m1", {"x": 1, "y": 2, "w": 3})
check("zmpop", r.zmpop(2, ["nope", "m1"], min=True, count=2), ["m1", [["x", "1"], ["y", "2"]]])
check("zmpop max", r.zmpop(1, ["m1"], max=True), ["m1", [["w", "3"]]])
check("zmpop nothing", r.zmpop(1, ["m1"], min=True), None)

# Random members
r.zadd("rnd", {"p": 1, "q": 2, "s": 3})
check("zrandmember", r.zrandmember("rnd") in ("p", "q", "s"), True)
check("zrandmember count", sorted(r.zrandmember("rnd", 5)), ["p", "q", "s"])
check("zrandmember distinct", len(set(r.zrandmember("rnd", 2))), 2)
check("zrandmember negative", len(r.zrandmember("rnd", -7)), 7)
withscores = r.zrandmember("rnd", -4, withscores=True)
check("zrandmember withscores", len(withscores), 8)
check("zrandmember withscores pairs", all(dict(p="1", q="2", s="3")[withscores[i]] == withscores[i + 1] for i in range(0, 8, 2)), True)

# Set algebra
r.zadd("u1", {"a": 1, "b": 2, "c": 3})
r.zadd("u2", {"b": 10, "c": 20, "d": 30})
check("zunion", r.zunion(["u1", "u2"], withscores=True), [("a", 1.0), ("b", 12.0), ("c", 23.0), ("d", 30.0)])
check("zunion weights max", r.zunion({"u1": 100, "u2": 1}, aggregate="MAX", withscores=True), [("d", 30.0), ("a", 100.0), ("b", 200.0), ("c", 300.0)])
check("zunion weights max order", r.zunion({"u1": 100, "u2": 1}, aggregate="MAX"), ["d", "a", "b", "c"])
check("zinter", r.zinter(["u1", "u2"], aggregate="MIN", withscores=True), [("b", 2.0), ("c", 3.0)])
check("zdiff", r.zdiff(["u1", "u2"], withscores=True), ["a", "1"])  # redis-py 4.3 leaves ZDIFF's reply flat
check("zunionstore", r.zunionstore("out", ["u1", "u2"]), 4)
check("zinterstore", r.zinterstore("out", {"u1": 2, "u2": 1}), 2)
check("zinterstore result", r.zrange("out", 0, -1, withscores=True), [("b", 14.0), ("c", 26.0)])
check("zdiffstore", r.zdiffstore("out", ["u2", "u1"]), 1)
check("zintercard", r.zintercard(2, ["u1", "u2"]), 2)
check("zintercard limit", r.zintercard(2, ["u1", "u2"], limit=1), 1)
error("zunion zero keys", lambda: r.execute_command("ZUNION", 0, "u1"), "at least 1 input key is needed for 'zunion' command")

# ZSCAN, small and large
check("zscan small", r.zscan("u1"), (0, [("a", 1.0), ("b", 2.0), ("c", 3.0)]))
r.zadd("big", {f"m{i}": i % 37 for i in range(1000)})
check("encoding big", r.object("encoding", "big"), "skiplist")
check("encoding small", r.object("encoding", "u1"), "listpack")
seen = dict(r.zscan_iter("big", count=100))
check("zscan_iter covers all", len(seen), 1000)
check("zscan scores", seen["m40"], 3.0)
check("zscan match", sorted(m for m, _ in r.zscan_iter("big", match="m99*")), ["m99", "m990", "m991", "m992", "m993", "m994", "m995", "m996", "m997", "m998", "m999"])

# WRONGTYPE
r.set("str", "x")
for name, fn in [
    ("zadd", lambda: r.zadd("str", {"a": 1})), ("zrange", lambda: r.zrange("str", 0, -1)),
    ("zscore", lambda: r.zscore("str", "a")), ("zpopmin", lambda: r.zpopmin("str")),
    ("zunion", lambda: r.zunion(["u1", "str"])), ("zscan", lambda: r.zscan("str")),
    ("zcard", lambda: r.zcard("str")), ("zrem", lambda: r.zrem("str", "a")),
]:
    error(f"wrongtype {name}", fn, WRONGTYPE)

# A sorted set behaves as a key: TYPE, EXPIRE, COPY, RENAME
check("type", r.type("u1"), "zset")
check("copy", r.copy("u1", "u1copy"), True)
check("copy is deep", (r.zadd("u1copy", {"new": 9}), r.zcard("u1"))[1], 3)
check("rename", r.rename("u1copy", "u1renamed"), True)
check("expire", r.expire("u1renamed", 100), True)
check("ttl", r.ttl("u1renamed"), 100)
r.flushdb()
print("ALL OK")
