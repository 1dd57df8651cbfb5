"""redis-py's RedisCluster against a Magpie cluster: discovery, routing by slot, MOVED handling, hash tags."""
import sys
from redis.cluster import RedisCluster, ClusterNode

port = int(sys.argv[1])
rc = RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", port)], decode_responses=True)
nodes = sorted(n.port for n in rc.get_primaries())
print("ok primaries", len(nodes))
for i in range(300):
    rc.set(f"py:{i}", f"v{i}")
assert all(rc.get(f"py:{i}") == f"v{i}" for i in range(300))
print("ok set-get 300")
rc.mset({"{tag}a": "1", "{tag}b": "2"})
print("ok mget", rc.mget("{tag}a", "{tag}b"))
print("ok incr", rc.incr("py:counter"))
rc.hset("py:hash", mapping={"f": "v"})
print("ok hgetall", rc.hgetall("py:hash"))
try:
    rc.execute_command("MSET", "x", "1", "y", "2", target_nodes=rc.get_random_node())
    print("no crossslot error")
except Exception as e:  # the server refuses keys of two slots
    print("ok crossslot", str(e).split(" ")[0])
print("ok keyslot", rc.keyslot("py:1"))
rc.close()
