"""A writer and a reader (redis-py RedisCluster) running while slots move: python3 cluster_load.py PORT STOPFILE.

Runs until STOPFILE exists (at most 120 s), then checks that every acknowledged key holds its last
acknowledged value. Every error reply the server sent is counted by kind; the clients may only see
MOVED, ASK and TRYAGAIN (which RedisCluster follows), nothing else, and no call may fail.
"""
import collections
import logging
import os
import random
import sys
import threading
import time

import redis.connection
from redis.cluster import ClusterNode, RedisCluster

port, stop_file = int(sys.argv[1]), sys.argv[2]
seen = collections.Counter()
_parse_error = redis.connection.BaseParser.parse_error


def counting_parse_error(self, response):
    seen[response.split(" ")[0]] += 1
    return _parse_error(self, response)


redis.connection.BaseParser.parse_error = counting_parse_error
logging.disable(logging.CRITICAL)  # RedisCluster logs every redirect it follows with a traceback

KEYS = 4000
acked = {}  # key -> last acknowledged value
failures = []
done = threading.Event()


def client():
    return RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", port)], decode_responses=True)


def writer():
    rc, i = client(), 0
    while not done.is_set():
        key = f"load:{i % KEYS}"
        try:
            if i % 10 == 0:  # a multi-key write: TRYAGAIN while its slot is half moved
                tag = f"{{t{i % 97}}}"
                rc.mset({tag + "a": str(i), tag + "b": str(i)})
                acked[tag + "a"] = acked[tag + "b"] = str(i)
            else:
                rc.set(key, str(i))
                acked[key] = str(i)
        except Exception as e:  # any failure the cluster client could not absorb
            failures.append(f"write {key}: {type(e).__name__}: {e}")
        i += 1
    rc.close()


def reader():
    rc, reads, stale = client(), 0, 0
    while not done.is_set():
        keys = list(acked.keys())
        if not keys:
            time.sleep(0.01)
            continue
        key = random.choice(keys)
        before = int(acked[key])
        try:
            value = rc.get(key)
            reads += 1
            if value is None or int(value) < before:
                failures.append(f"read {key}: {value!r} older than acknowledged {before}")
        except Exception as e:
            failures.append(f"read {key}: {type(e).__name__}: {e}")
    rc.close()
    print("reads", reads)


threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
for t in threads:
    t.start()
deadline = time.time() + 120
while not os.path.exists(stop_file) and time.time() < deadline:
    time.sleep(0.05)
done.set()
for t in threads:
    t.join()

rc = client()
missing = [k for k, v in acked.items() if rc.get(k) != v]
print("writes", len(acked), "keys")
print("errors", dict(seen))
print("missing", len(missing), missing[:5])
print("failures", len(failures), failures[:5])
unexpected = [kind for kind in seen if kind not in ("MOVED", "ASK", "TRYAGAIN")]
print("ok" if not missing and not failures and not unexpected else "FAILED")
