"""Drives pub/sub and RESP2 client tracking with redis-py (4.3, RESP2); any failed assert exits non-zero."""
import sys
import time
import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)


def check(name, actual, expected):
    assert actual == expected, f"{name}: expected {expected!r}, got {actual!r}"
    print(f"ok {name}")


def next_message(p, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = p.get_message(timeout=0.2)
        if m is not None:
            return m
    raise AssertionError("no message within timeout")


p = r.pubsub()
p.subscribe("py:news", "py:sports")
check("subscribe 1", next_message(p), {"type": "subscribe", "pattern": None, "channel": "py:news", "data": 1})
check("subscribe 2", next_message(p), {"type": "subscribe", "pattern": None, "channel": "py:sports", "data": 2})
p.psubscribe("py:weather.*")
check("psubscribe", next_message(p), {"type": "psubscribe", "pattern": None, "channel": "py:weather.*", "data": 3})

check("publish to channel", r.publish("py:news", "hello"), 1)
check("message", next_message(p), {"type": "message", "pattern": None, "channel": "py:news", "data": "hello"})
check("publish to pattern", r.publish("py:weather.oslo", "snow"), 1)
check("pmessage", next_message(p), {"type": "pmessage", "pattern": "py:weather.*", "channel": "py:weather.oslo", "data": "snow"})
check("publish to nobody", r.publish("py:nobody", "x"), 0)

check("pubsub channels", sorted(r.pubsub_channels("py:*")), ["py:news", "py:sports"])
check("pubsub numsub", r.pubsub_numsub("py:news", "py:none"), [("py:news", 1), ("py:none", 0)])
check("pubsub numpat", r.pubsub_numpat(), 1)
check("info pubsub_channels", r.info("stats")["pubsub_channels"] >= 2, True)

# Callback handlers in a background thread, as applications use redis-py.
received = []
p2 = r.pubsub()
p2.subscribe(**{"py:events": lambda m: received.append(m["data"])})
worker = p2.run_in_thread(sleep_time=0.05)
deadline = time.time() + 5
while r.pubsub_numsub("py:events")[0][1] == 0 and time.time() < deadline:
    time.sleep(0.05)
for i in range(50):
    r.publish("py:events", f"e{i}")
deadline = time.time() + 5
while len(received) < 50 and time.time() < deadline:
    time.sleep(0.05)
worker.stop()  # the worker thread closes p2 itself
worker.join(timeout=5)
check("threaded subscriber got every message in order", received, [f"e{i}" for i in range(50)])

p.unsubscribe("py:sports")
check("unsubscribe", next_message(p), {"type": "unsubscribe", "pattern": None, "channel": "py:sports", "data": 2})
p.punsubscribe()
check("punsubscribe all", next_message(p), {"type": "punsubscribe", "pattern": None, "channel": "py:weather.*", "data": 1})
p.unsubscribe()
check("unsubscribe all", next_message(p), {"type": "unsubscribe", "pattern": None, "channel": "py:news", "data": 0})
p.close()

# RESP2 client tracking: invalidations redirected to a connection subscribed to __redis__:invalidate.
listener = redis.Connection(host="127.0.0.1", port=port)
listener.connect()
listener.send_command("CLIENT", "ID")
listener_id = listener.read_response()
listener.send_command("SUBSCRIBE", "__redis__:invalidate")
check("listener subscribed", listener.read_response(), [b"subscribe", b"__redis__:invalidate", 1])

tracked = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, single_connection_client=True)
check("client tracking on", tracked.execute_command("CLIENT", "TRACKING", "ON", "REDIRECT", listener_id), "OK")
check("client getredir", tracked.execute_command("CLIENT", "GETREDIR"), listener_id)
r.set("py:cached", "v1")
check("tracked read", tracked.get("py:cached"), "v1")
r.set("py:cached", "v2")
check("invalidation message", listener.read_response(), [b"message", b"__redis__:invalidate", [b"py:cached"]])
info = tracked.execute_command("CLIENT", "TRACKINGINFO")
check("trackinginfo redirect", info[3], listener_id)
check("tracking_clients", r.info("clients")["tracking_clients"] >= 1, True)

check("bcast on", tracked.execute_command("CLIENT", "TRACKING", "OFF"), "OK")
tracked.execute_command("CLIENT", "TRACKING", "ON", "REDIRECT", listener_id, "BCAST", "PREFIX", "py:b:")
r.set("py:b:1", "x")
check("bcast invalidation", listener.read_response(), [b"message", b"__redis__:invalidate", [b"py:b:1"]])
tracked.close()
listener.disconnect()
print("ALL OK")
