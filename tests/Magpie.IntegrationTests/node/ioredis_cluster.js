// ioredis Cluster against a Magpie cluster: discovery, routing, pipelines within one slot.
const Redis = require("ioredis");
const port = Number(process.argv[2]);
const cluster = new Redis.Cluster([{ host: "127.0.0.1", port }], { redisOptions: { connectTimeout: 5000 } });
(async () => {
  for (let i = 0; i < 200; i++) await cluster.set(`io:${i}`, `v${i}`);
  let good = 0;
  for (let i = 0; i < 200; i++) if ((await cluster.get(`io:${i}`)) === `v${i}`) good++;
  console.log("ok set-get", good);
  const res = await cluster.pipeline().set("{io}a", "1").incr("{io}b").get("{io}a").exec();
  console.log("ok pipeline", JSON.stringify(res.map(([, v]) => v)));
  console.log("ok nodes", cluster.nodes("master").length);
  await cluster.quit();
})().catch((e) => { console.error("failed", e); process.exit(1); });
