// ioredis scripting against one node: defineCommand (EVALSHA, falling back to EVAL on NOSCRIPT),
// the same command in a pipeline, and FCALL of a library loaded with FUNCTION LOAD.
// Prints one "ok <step> <value>" line per step; the C# test asserts on them.
const Redis = require("ioredis");

const port = Number(process.argv[2]);
const log = (step, value) => console.log(`ok ${step} ${JSON.stringify(value)}`);

async function main() {
  const r = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1 });
  await r.flushdb();
  await r.script("FLUSH");
  const lua = "redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) return redis.call('hlen', KEYS[1])";
  r.defineCommand("hsetCount", { numberOfKeys: 1, lua });
  log("first-call", await r.hsetCount("io:h", "a", "1"));
  const sha = require("crypto").createHash("sha1").update(lua).digest("hex");
  log("cached-after-fallback", await r.script("EXISTS", sha));
  log("second-call", await r.hsetCount("io:h", "b", "2"));
  const piped = await r.pipeline().hsetCount("io:h", "c", "3").hsetCount("io:h", "c", "4").exec();
  log("pipeline", piped.map(x => x[1]));
  await r.function("LOAD", "REPLACE", "#!lua name=iolib\nredis.register_function('io_echo', function(keys, args) return {keys[1], args[1]} end)");
  log("fcall", await r.fcall("io_echo", 1, "k", "v"));
  r.disconnect();
}

main().catch(e => { console.error(e); process.exit(1); });
