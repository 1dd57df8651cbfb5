"""Two redis-py clients: one WATCHes a key, the other changes it, EXEC must fail; a retry then commits."""
import sys
import redis

port = int(sys.argv[1])
a = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
b = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
a.set("tx:balance", 1)

pipe = a.pipeline()
pipe.watch("tx:balance")
value = int(pipe.get("tx:balance"))
b.incr("tx:balance")                       # another client changes the watched key
pipe.multi()
pipe.set("tx:balance", value + 10)
try:
    pipe.execute()
    raise AssertionError("EXEC succeeded despite a WATCH conflict")
except redis.WatchError:
    print("conflict detected")
assert a.get("tx:balance") == "2", a.get("tx:balance")

def add_one(p):
    current = int(p.get("tx:balance"))
    p.multi()
    p.set("tx:balance", current + 0)
a.transaction(add_one, "tx:balance")
print("retry committed", a.get("tx:balance"))
