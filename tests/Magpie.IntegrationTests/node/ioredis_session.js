// A mixed ioredis session against one node: pipelines, MULTI, pub/sub and a blocking pop.
// Prints one "ok <step> <value>" line per step; the C# test asserts on them.
const Redis = require("ioredis");

const port = Number(process.argv[2]);
const opts = { host: "127.0.0.1", port, maxRetriesPerRequest: 1, enableOfflineQueue: true };
const log = (step, value) => console.log(`ok ${step} ${JSON.stringify(value)}`);

async function main() {
  const a = new Redis(opts);
  const b = new Redis(opts);
  const sub = new Redis(opts);
  await a.flushdb();

  // Pipeline: many commands in one write, replies matched in order.
  const pipe = a.pipeline();
  for (let i = 0; i < 100; i++) pipe.set(`io:${i}`, i);
  pipe.get("io:42").incr("io:counter").hset("io:h", "f", "v").hgetall("io:h");
  const results = await pipe.exec();
  log("pipeline-length", results.length);
  log("pipeline-get", results[100][1]);
  log("pipeline-hgetall", results[103][1]);

  // MULTI/EXEC.
  const tx = await a.multi().incr("io:counter").sadd("io:set", "x", "y").zadd("io:z", 1, "one", 2, "two").zrange("io:z", 0, -1).exec();
  log("multi", tx.map(r => r[1]));

  // Pub/sub between two connections.
  const received = new Promise(resolve => sub.on("message", (channel, message) => resolve([channel, message])));
  await sub.subscribe("io:news");
  const receivers = await a.publish("io:news", "hello");
  log("publish-receivers", receivers);
  log("message", await received);

  // Blocking pop woken by a push from another connection.
  const popped = b.blpop("io:queue", 5);
  await new Promise(r => setTimeout(r, 200));
  await a.rpush("io:queue", "job-1");
  log("blpop", await popped);

  // Errors come back as errors and the connection keeps working.
  try {
    await a.incr("io:h");
  } catch (e) {
    log("wrongtype", e.message.split(" ")[0]);
  }
  log("after-error", await a.ping());

  a.disconnect();
  b.disconnect();
  sub.disconnect();
}

main().then(() => process.exit(0), err => {
  console.error(err);
  process.exit(1);
});
