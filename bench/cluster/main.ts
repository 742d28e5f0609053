// npm run bench:cluster: cluster mode end to end, with real `vigil serve --cluster` processes on the local NATS
// JetStream and PostgreSQL. For 1, 2 and 3 nodes: a realistic SYNTHETIC alert mix (bench/detect/alerts.ts) is
// posted round-robin to every node as NDJSON; the clock runs from the first post until every alert is recorded
// and every incident the single node opened exists (ingest → stream → detect → partitions → incident). Then the
// failover gap: one of three nodes is killed with SIGKILL and the clock runs until every partition is owned by a
// survivor and rebuilt. Prints alerts/s and, per node, CPU-seconds per 1,000 alerts (read from /proc): on a
// 2-core machine the nodes share the CPU, so that figure, not alerts/s, predicts scaling on real machines.
// NATS and PostgreSQL CPU is not counted. Environment: BENCH_CLUSTER_ALERTS (default 10000),
// BENCH_CLUSTER_PARTITIONS (16), BENCH_CLUSTER_TTL (3s).
import { readFileSync } from 'node:fs';
import { configSchema } from '../../src/config/schema.js';
import { readClusterStatus } from '../../src/cli/cluster.js';
import { alertLines } from '../detect/alerts.js';
import { createDatabase, deleteStream, NATS_URL, query, startNode, TOKEN, unique, allReady, type RunningNode } from '../../test/helpers/cluster.js';

const ALERTS = Number(process.env.BENCH_CLUSTER_ALERTS ?? 10_000);
const PARTITIONS = Number(process.env.BENCH_CLUSTER_PARTITIONS ?? 16);
const TTL = process.env.BENCH_CLUSTER_TTL ?? '3s';
const BATCH = 500;
const TICK = 100; // clock ticks per second (Linux USER_HZ)
const IDLE_MS = 5000;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK; // utime, stime
}

async function count(url: string, table: string): Promise<number> {
  return Number((await query<{ n: string }>(url, `select count(*) as n from ${table}`))[0]!.n);
}

async function postAll(nodes: RunningNode[], lines: string[]): Promise<void> {
  const batches: string[] = [];
  for (let i = 0; i < lines.length; i += BATCH) batches.push(lines.slice(i, i + BATCH).join('\n') + '\n');
  let next = 0;
  const worker = async (w: number) => {
    for (;;) {
      const i = next++;
      if (i >= batches.length) return;
      for (let attempt = 0; ; attempt++) {
        const node = nodes[(i + w + attempt) % nodes.length]!;
        const res = await fetch(`${node.url}/api/v1/ingest/wazuh`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
          body: batches[i],
        }).catch(() => undefined);
        await res?.arrayBuffer();
        if (res?.status === 202) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  await Promise.all(Array.from({ length: 2 * nodes.length }, (_, w) => worker(w)));
}

interface Run {
  nodes: number;
  seconds: number;
  /** Until every post was acknowledged (202): the alerts are in the stream. */
  ingestSeconds: number;
  incidents: number;
  /** CPU-seconds of each node over the run, and the same less what it spends idle for as long. */
  cpu: number[];
  busy: number[];
}

async function run(n: number, lines: string[], expectIncidents?: number, keep = false): Promise<{ run: Run; nodes: RunningNode[]; db: { url: string; drop(): Promise<void> }; stream: string }> {
  const db = await createDatabase();
  const stream = unique('VB');
  const nodes: RunningNode[] = [];
  for (let i = 1; i <= n; i++) nodes.push(await startNode({ id: `b${i}`, dbUrl: db.url, stream, partitions: PARTITIONS, leaseTtl: TTL }));
  await allReady(nodes, 60_000);
  // What the nodes spend idle (heartbeats, consumers' idle heartbeats, gauges), per second: subtracted below, so
  // that the figure is the cost of the alerts, not of the wall-clock time a loaded machine adds.
  const idle0 = nodes.map((x) => cpuSeconds(x.child.pid!));
  const i0 = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleRate = nodes.map((x, i) => (cpuSeconds(x.child.pid!) - idle0[i]!) / ((performance.now() - i0) / 1000));
  const cpu0 = nodes.map((x) => cpuSeconds(x.child.pid!));
  const t0 = performance.now();
  await postAll(nodes, lines);
  const ingestSeconds = (performance.now() - t0) / 1000;
  let lastChange = performance.now();
  let incidents = -1;
  for (;;) {
    const alerts = await count(db.url, 'alerts');
    const now = await count(db.url, 'incidents');
    if (now !== incidents) [incidents, lastChange] = [now, performance.now()];
    if (alerts >= lines.length && (expectIncidents === undefined ? performance.now() - lastChange > 3000 : incidents >= expectIncidents)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (lastChange - t0) / 1000;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = nodes.map((x, i) => cpuSeconds(x.child.pid!) - cpu0[i]!);
  const busy = cpu.map((c, i) => Math.max(0, c - idleRate[i]! * elapsed));
  const result = { run: { nodes: n, seconds, ingestSeconds, incidents, cpu, busy }, nodes, db, stream };
  if (!keep) await teardown(result);
  return result;
}

async function teardown(r: { nodes: RunningNode[]; db: { drop(): Promise<void> }; stream: string }): Promise<void> {
  for (const x of r.nodes) await x.kill();
  await deleteStream(r.stream);
  await r.db.drop();
}

async function failoverGap(r: { nodes: RunningNode[]; stream: string }): Promise<number> {
  const config = configSchema.parse({ cluster: { enabled: true, servers: [NATS_URL], stream: r.stream, partitions: PARTITIONS, leaseTtl: TTL } });
  // The victim: the node serving the most partitions right now.
  const before = await readClusterStatus(config);
  const owns = (id: string) => before.partitions.filter((p) => p.owner === id).length;
  const victim = [...r.nodes].sort((a, b) => owns(b.id) - owns(a.id))[0]!;
  const survivors = r.nodes.filter((x) => x !== victim).map((x) => x.id);
  const t0 = performance.now();
  await victim.kill('SIGKILL');
  console.log(`killed ${victim.id}, which served ${owns(victim.id)} of ${PARTITIONS} partitions`);
  for (;;) {
    const s = await readClusterStatus(config);
    const waiting = s.partitions.filter((p) => p.owner === null || !survivors.includes(p.owner) || p.rebuildMs === null);
    if (waiting.length === 0) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > 120_000) throw new Error(`partitions not served 120 s after the kill: ${JSON.stringify(waiting)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const lines = alertLines(ALERTS);
console.log(`bench:cluster — ${ALERTS} alerts (SYNTHETIC mix), ${PARTITIONS} partitions, lease TTL ${TTL}, NATS ${NATS_URL}; machine: ${(await import('node:os')).cpus().length} cores`);
const runs: Run[] = [];
const one = await run(1, lines);
runs.push(one.run);
const two = await run(2, lines, one.run.incidents);
runs.push(two.run);
const three = await run(3, lines, one.run.incidents, true);
runs.push(three.run);
const per1000 = (xs: number[]) => `${xs.map((c) => ((c / ALERTS) * 1000).toFixed(3)).join(' / ')} (sum ${((xs.reduce((a, b) => a + b, 0) / ALERTS) * 1000).toFixed(3)})`;
for (const r of runs) {
  console.log(
    `${r.nodes} node(s): ${(ALERTS / r.seconds).toFixed(0)} alerts/s end to end (${r.seconds.toFixed(2)} s, ${r.incidents} incidents; all acknowledged after ${r.ingestSeconds.toFixed(2)} s); CPU-s per 1,000 alerts per node: ${per1000(r.cpu)}; less idle: ${per1000(r.busy)}`,
  );
}
const gap = await failoverGap(three);
console.log(`failover gap (SIGKILL of one of three nodes → every partition owned by a survivor and rebuilt): ${gap.toFixed(2)} s (lease TTL ${TTL})`);
await teardown(three);
