"""A stream consumer group driven by redis-py: two consumers share work, one stalls, the other
takes its entries over with XAUTOCLAIM. usage: streams_consumer_group.py PORT"""
import sys
import threading
import time

import redis

r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
r.delete("jobs")
ids = [r.xadd("jobs", {"job": str(i), "payload": "p%d" % i}) for i in range(20)]
assert r.xlen("jobs") == 20
assert r.xgroup_create("jobs", "workers", id="0") is True

# alice takes 10 and finishes only half; bob takes the rest and finishes all of them.
got_a = r.xreadgroup("workers", "alice", {"jobs": ">"}, count=10)
a_ids = [i for i, _ in got_a[0][1]]
assert a_ids == ids[:10], a_ids
assert r.xack("jobs", "workers", *a_ids[:5]) == 5
got_b = r.xreadgroup("workers", "bob", {"jobs": ">"})
b_ids = [i for i, fields in got_b[0][1]]
assert b_ids == ids[10:], b_ids
assert got_b[0][1][0][1] == {"job": "10", "payload": "p10"}
assert r.xack("jobs", "workers", *b_ids) == 10

summary = r.xpending("jobs", "workers")
assert summary["pending"] == 5, summary
assert summary["consumers"] == [{"name": "alice", "pending": 5}], summary

# alice stalls; after 50 ms bob claims whatever has been idle that long.
time.sleep(0.1)
cursor, claimed, deleted = r.xautoclaim("jobs", "workers", "bob", min_idle_time=50, start_id="0-0", count=3)
assert [i for i, _ in claimed] == a_ids[5:8], claimed
assert cursor == a_ids[8], cursor
assert deleted == []
# With JUSTID redis-py returns just the claimed ids.
claimed = r.xautoclaim("jobs", "workers", "bob", min_idle_time=50, start_id=cursor, count=10, justid=True)
assert claimed == a_ids[8:10], claimed
assert r.xack("jobs", "workers", *a_ids[5:10]) == 5

rows = r.xpending_range("jobs", "workers", min="-", max="+", count=10)
assert rows == [], rows
group = r.xinfo_groups("jobs")[0]
assert group["name"] == "workers" and group["pending"] == 0, group
assert group["entries-read"] == 20 and group["lag"] == 0, group
consumers = {c["name"]: c for c in r.xinfo_consumers("jobs", "workers")}
assert set(consumers) == {"alice", "bob"} and consumers["bob"]["pending"] == 0, consumers

# A blocked XREADGROUP in one connection is woken by XADD from another.
result = {}


def reader():
    c = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
    result["got"] = c.xreadgroup("workers", "alice", {"jobs": ">"}, block=5000, count=1)


t = threading.Thread(target=reader)
t.start()
deadline = time.time() + 5
while r.info("clients")["blocked_clients"] != 1 and time.time() < deadline:
    time.sleep(0.01)
late = r.xadd("jobs", {"job": "late"})
t.join(10)
assert result["got"] == [["jobs", [(late, {"job": "late"})]]], result
assert r.xpending("jobs", "workers")["pending"] == 1

# Deleted entries still pending come back from XAUTOCLAIM as deleted ids.
r.xdel("jobs", late)
cursor, claimed, deleted = r.xautoclaim("jobs", "workers", "bob", min_idle_time=0, start_id="0-0")
assert claimed == [] and deleted == [late], (claimed, deleted)
info = r.xinfo_stream("jobs")
assert info["length"] == 20 and info["entries-added"] == 21 and info["max-deleted-entry-id"] == late, info
print("ok")
