// node-redis createCluster against a Magpie cluster.
const { createCluster } = require("redis");
const port = Number(process.argv[2]);
(async () => {
  const cluster = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }] });
  cluster.on("error", (e) => console.error("cluster error", e));
  await cluster.connect();
  for (let i = 0; i < 200; i++) await cluster.set(`nr:${i}`, `v${i}`);
  let good = 0;
  for (let i = 0; i < 200; i++) if ((await cluster.get(`nr:${i}`)) === `v${i}`) good++;
  console.log("ok set-get", good);
  console.log("ok masters", cluster.masters.length);
  await cluster.quit();
})().catch((e) => { console.error("failed", e); process.exit(1); });
