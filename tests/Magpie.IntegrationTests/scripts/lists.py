"""Drives every list command (blocking ones included) through redis-py; any failed assert exits non-zero."""
import sys
import threading
import time
import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
other = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)


def check(name, actual, expected):
    assert actual == expected, f"{name}: expected {expected!r}, got {actual!r}"
    print(f"ok {name}")


def check_error(name, fn, text):
    try:
        fn()
    except redis.ResponseError as e:
        assert str(e) == text, f"{name}: expected error {text!r}, got {str(e)!r}"
        print(f"ok {name}")
        return
    raise AssertionError(f"{name}: expected error {text!r}, got none")


P = "lists:"
r.delete(*[P + k for k in ["l", "src", "dst", "a", "b", "s", "q", "q2", "big", "x"]])

# push / length / range
check("rpush", r.rpush(P + "l", "a", "b", "c"), 3)
check("lpush", r.lpush(P + "l", "y", "z"), 5)
check("lrange all", r.lrange(P + "l", 0, -1), ["z", "y", "a", "b", "c"])
check("lrange negative", r.lrange(P + "l", -2, 100), ["b", "c"])
check("lrange empty", r.lrange(P + "l", 4, 2), [])
check("llen", r.llen(P + "l"), 5)
check("llen missing", r.llen(P + "missing"), 0)
check("lpushx missing", r.lpushx(P + "missing", "a"), 0)
check("rpushx missing", r.rpushx(P + "missing", "a"), 0)
check("lpushx", r.lpushx(P + "l", "first"), 6)
check("rpushx", r.rpushx(P + "l", "last"), 7)
check("type", r.type(P + "l"), "list")
check("object encoding", r.object("encoding", P + "l"), "quicklist")  # 7.0 has no listpack lists (that is 7.2)

# pop
check("lpop", r.lpop(P + "l"), "first")
check("rpop", r.rpop(P + "l"), "last")
check("lpop count", r.lpop(P + "l", 2), ["z", "y"])
check("rpop count", r.rpop(P + "l", 1), ["c"])
check("lpop count 0", r.lpop(P + "l", 0), [])
check("lpop missing", r.lpop(P + "missing"), None)
check("lpop missing count", r.lpop(P + "missing", 2), None)
check_error("lpop negative count", lambda: r.lpop(P + "l", -1), "value is out of range, must be positive")

# index / set / insert / rem / trim
r.delete(P + "l")
r.rpush(P + "l", "a", "b", "c", "b", "d")
check("lindex", r.lindex(P + "l", 1), "b")
check("lindex negative", r.lindex(P + "l", -1), "d")
check("lindex out of range", r.lindex(P + "l", 10), None)
check("lset", r.lset(P + "l", -2, "B"), True)
check_error("lset out of range", lambda: r.lset(P + "l", 10, "x"), "index out of range")
check_error("lset missing", lambda: r.lset(P + "missing", 0, "x"), "no such key")
check("linsert before", r.linsert(P + "l", "BEFORE", "c", "c0"), 6)
check("linsert after", r.linsert(P + "l", "AFTER", "c", "c1"), 7)
check("linsert no pivot", r.linsert(P + "l", "AFTER", "nope", "x"), -1)
check("lrange after insert", r.lrange(P + "l", 0, -1), ["a", "b", "c0", "c", "c1", "B", "d"])
r.rpush(P + "l", "b", "b")
check("lrem from head", r.lrem(P + "l", 1, "b"), 1)
check("lrem from tail", r.lrem(P + "l", -1, "b"), 1)
check("lrem all", r.lrem(P + "l", 0, "b"), 1)
check("ltrim", r.ltrim(P + "l", 1, -2), True)
check("after ltrim", r.lrange(P + "l", 0, -1), ["c0", "c", "c1", "B"])
check("ltrim to empty deletes", (r.ltrim(P + "l", 5, 1), r.exists(P + "l")), (True, 0))

# lpos
r.rpush(P + "l", "a", "b", "c", "1", "2", "3", "c", "c")
check("lpos", r.lpos(P + "l", "c"), 2)
check("lpos rank", r.lpos(P + "l", "c", rank=2), 6)
check("lpos negative rank", r.lpos(P + "l", "c", rank=-1), 7)
check("lpos count", r.lpos(P + "l", "c", count=2), [2, 6])
check("lpos count 0", r.lpos(P + "l", "c", count=0), [2, 6, 7])
check("lpos maxlen", r.lpos(P + "l", "c", count=0, maxlen=6), [2])
check("lpos missing", r.lpos(P + "l", "zz"), None)
check_error("lpos rank 0", lambda: r.lpos(P + "l", "c", rank=0),
            "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")

# moves
r.rpush(P + "src", "1", "2", "3")
check("rpoplpush", r.rpoplpush(P + "src", P + "dst"), "3")
check("lmove", r.lmove(P + "src", P + "dst", "LEFT", "RIGHT"), "1")
check("dst", r.lrange(P + "dst", 0, -1), ["3", "1"])
check("lmove rotate", r.lmove(P + "dst", P + "dst", "LEFT", "RIGHT"), "3")
check("dst rotated", r.lrange(P + "dst", 0, -1), ["1", "3"])
check("lmove missing", r.lmove(P + "missing", P + "dst"), None)

# lmpop
r.rpush(P + "b", "1", "2", "3")
check("lmpop", r.lmpop(2, P + "a", P + "b", direction="LEFT"), [P + "b", ["1"]])
check("lmpop count", r.lmpop(2, P + "a", P + "b", direction="RIGHT", count=5), [P + "b", ["3", "2"]])
check("lmpop none", r.lmpop(2, P + "a", P + "b", direction="LEFT"), None)

# wrong type
r.set(P + "s", "string")
check_error("wrongtype lpush", lambda: r.lpush(P + "s", "x"), "WRONGTYPE Operation against a key holding the wrong kind of value")
check_error("wrongtype blpop", lambda: r.blpop([P + "s"], 0), "WRONGTYPE Operation against a key holding the wrong kind of value")


# blocking: each waiter runs in a thread on its own connection and is woken by a push from `other`
def blocked(fn):
    result = {}

    def run():
        client = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
        result["value"] = fn(client)
        result["at"] = time.monotonic()

    t = threading.Thread(target=run)
    t.start()
    return t, result


def wait_blocked(n):
    deadline = time.monotonic() + 5
    while int(other.info("clients")["blocked_clients"]) < n:
        assert time.monotonic() < deadline, "client never blocked"
        time.sleep(0.01)


t, res = blocked(lambda c: c.blpop([P + "q", P + "q2"], 5))
wait_blocked(1)
check("push wakes blpop", other.rpush(P + "q2", "hello"), 1)
t.join(5)
check("blpop served", res["value"], (P + "q2", "hello"))
check("key consumed", other.exists(P + "q2"), 0)

t, res = blocked(lambda c: c.brpop([P + "q"], 5))
wait_blocked(1)
other.rpush(P + "q", "a", "b")
t.join(5)
check("brpop served", res["value"], (P + "q", "b"))
other.delete(P + "q")

t, res = blocked(lambda c: c.blmove(P + "q", P + "dst", 5, "RIGHT", "LEFT"))
wait_blocked(1)
other.rpush(P + "q", "m")
t.join(5)
check("blmove served", res["value"], "m")
check("blmove pushed", other.lindex(P + "dst", 0), "m")

t, res = blocked(lambda c: c.brpoplpush(P + "q", P + "dst", 5))
wait_blocked(1)
other.rpush(P + "q", "n")
t.join(5)
check("brpoplpush served", res["value"], "n")

t, res = blocked(lambda c: c.blmpop(5, 2, P + "a", P + "q", direction="LEFT", count=2))
wait_blocked(1)
other.rpush(P + "q", "1", "2", "3")
t.join(5)
check("blmpop served", res["value"], [P + "q", ["1", "2"]])
other.delete(P + "q")

# FIFO: the first client to block is served first
first_t, first = blocked(lambda c: c.blpop([P + "q"], 5))
wait_blocked(1)
second_t, second = blocked(lambda c: c.blpop([P + "q"], 5))
wait_blocked(2)
other.rpush(P + "q", "one")
first_t.join(5)
check("fifo first", first["value"], (P + "q", "one"))
other.rpush(P + "q", "two")
second_t.join(5)
check("fifo second", second["value"], (P + "q", "two"))

# timeouts: fractional seconds, nil reply
start = time.monotonic()
check("blpop timeout", r.blpop([P + "q"], 0.3), None)
elapsed = time.monotonic() - start
assert 0.25 <= elapsed < 2, f"blpop 0.3 took {elapsed:.3f}s"
print(f"ok blpop timeout after {elapsed:.3f}s")
check("brpoplpush timeout", r.brpoplpush(P + "q", P + "dst", 0.1), None)
check("blmpop timeout", r.blmpop(0.1, 1, P + "q", direction="LEFT"), None)
check_error("negative timeout", lambda: r.blpop([P + "q"], -1), "timeout is negative")
check("blocked_clients back to 0", int(r.info("clients")["blocked_clients"]), 0)

print("ALL OK")
