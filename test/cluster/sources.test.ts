// The alerts file and the indexer in cluster mode: two real `vigil serve --cluster` nodes with the same source
// enabled, and only the holder of the source's lease reads it; the other stands by (and is ready). When the reader is
// killed with SIGKILL in the middle of the stream, the other takes over after the lease's lifetime and resumes from the
// shared checkpoint; when it stops cleanly, at once. Every alert is recorded exactly once.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { failedLogon4625 } from '../helpers/fixtures.js';
import { until } from '../helpers/vigil.js';
import { startFakeOpenSearch } from '../fakes/opensearch.js';
import { allReady, clusterStatus, createDatabase, deleteStream, metric, clusterServices, nodeMetrics, query, startNode, unique, type NodeSpec, type RunningNode } from '../helpers/cluster.js';

/** A Wazuh alert no built-in rule matches (a PAM session opening), with an id of its own. */
const noise = (id: string, time = new Date()) => ({
  timestamp: time.toISOString().replace('Z', '+0000'),
  rule: { level: 3, id: '5501', description: 'PAM: Login session opened.', groups: ['pam', 'syslog', 'authentication_success'] },
  agent: { id: '001', name: 'web01' },
  manager: { name: 'wazuh-manager' },
  id,
  full_log: `web01 sudo: pam_unix(sudo:session): session opened for user root by deploy (${id})`,
  decoder: { name: 'pam' },
  location: '/var/log/auth.log',
});

const recorded = async (dbUrl: string) => (await query<{ event_id: string }>(dbUrl, 'select event_id from alerts')).map((r) => r.event_id);
const ingested = async (node: RunningNode, source: string) => metric(await nodeMetrics(node), `vigil_alerts_ingested_total{source="${source}"}`);
/** Alerts a node's source read, new or not (a second reader's would all be duplicates of the first's). */
const read = async (node: RunningNode, source: string) => {
  const text = await nodeMetrics(node);
  return metric(text, `vigil_alerts_ingested_total{source="${source}"}`) + metric(text, `vigil_alerts_duplicate_total{source="${source}"}`);
};

/** The one node reading the leased source (as `vigil cluster status` says) and the one standing by. */
async function readerOf(nodes: RunningNode[], lease: string): Promise<{ reader: RunningNode; standby: RunningNode }> {
  let found: { reader: string | null; standby: string[] } | undefined;
  await until(
    async () => {
      const { status } = await clusterStatus(nodes[0]!.config);
      found = status?.sources?.find((s: { lease: string }) => s.lease === lease);
      return found?.reader != null && found.standby.length === nodes.length - 1;
    },
    20_000,
    `one reader of ${lease} and the others standing by`,
  );
  const reader = nodes.find((n) => n.id === found!.reader)!;
  return { reader, standby: nodes.find((n) => n !== reader)! };
}

describe('cluster mode: the alerts file and the indexer on one node at a time', { concurrency: false }, () => {
  const services = clusterServices();

  it('two nodes follow one alerts file: one reads; SIGKILLed mid-stream, the other resumes and every alert is recorded once', async (t) => {
    if (services.skipped(t)) return;
    const db = await createDatabase();
    const stream = unique('VS');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-leased-file-'));
    const file = join(dir, 'alerts.json');
    writeFileSync(file, '');
    const spec = (id: string): NodeSpec => ({
      id,
      dbUrl: db.url,
      stream,
      extra: ['sources:', '  alertsFile:', '    enabled: true', `    path: ${file}`, '    startAt: beginning', '    pollInterval: 100ms'],
    });
    const nodes: RunningNode[] = [];
    const ids: string[] = [];
    const write = (n: number) => {
      const lines = Array.from({ length: n }, () => {
        const id = `1764650000.${ids.length}`;
        ids.push(id);
        return JSON.stringify(noise(id)) + '\n';
      });
      appendFileSync(file, lines.join(''));
    };
    try {
      for (const id of ['f1', 'f2']) nodes.push(await startNode(spec(id)));
      await allReady(nodes);
      write(50);
      await until(async () => (await recorded(db.url)).length === 50, 20_000, 'the first 50 alerts recorded');
      assert.deepEqual((await Promise.all(nodes.map((n) => read(n, 'alerts-file')))).sort((a, b) => a - b), [0, 50], 'one node read every line, the other none');
      const lease = `source:file:${file}`;
      const { reader, standby } = await readerOf(nodes, lease);
      assert.equal(await ingested(reader, 'alerts-file'), 50, 'the node reading it, as cluster status says');
      assert.equal(metric(await nodeMetrics(standby), `vigil_cluster_source_reading{source="${lease}"}`), 0);
      assert.equal(metric(await nodeMetrics(reader), `vigil_cluster_source_reading{source="${lease}"}`), 1);
      assert.ok(await standby.ready(), 'standing by does not make a node unready');

      // Wazuh keeps writing; the reader is killed in the middle of it, and Wazuh goes on writing.
      const writeFor = async (upTo: number) => {
        while (ids.length < upTo) {
          write(10);
          await new Promise((r) => setTimeout(r, 40));
        }
      };
      const writer = writeFor(150);
      await until(async () => (await recorded(db.url)).length >= 100, 20_000, '100 alerts recorded');
      await reader.kill('SIGKILL');
      await writer;
      await writeFor(250);
      await until(async () => (await recorded(db.url)).length >= 250, 30_000, 'every alert recorded after the take-over');
      await new Promise((r) => setTimeout(r, 1500));
      const rows = await recorded(db.url);
      assert.equal(rows.length, 250, 'every alert recorded exactly once');
      assert.deepEqual(new Set(rows), new Set(ids));
      assert.ok((await ingested(standby, 'alerts-file')) > 0, 'the survivor read the rest');
      assert.match(standby.output(), /source taken: this node reads it now/);
      const { status } = await clusterStatus(standby.config);
      assert.equal(status.sources.find((s: { lease: string }) => s.lease === lease)?.reader, standby.id);
    } finally {
      for (const n of nodes) await n.kill();
      await deleteStream(stream);
      await db.drop();
    }
  });

  it('two nodes poll one indexer: one polls; when it stops cleanly the other takes over before the lease would lapse', async (t) => {
    if (services.skipped(t)) return;
    const db = await createDatabase();
    const stream = unique('VS');
    const os = await startFakeOpenSearch();
    const index = `wazuh-alerts-4.x-${new Date().toISOString().slice(0, 10).replace(/-/g, '.')}`;
    let n = 0;
    const add = (count: number) => {
      for (let i = 0; i < count; i++, n++) {
        const a = failedLogon4625({ ip: `198.51.100.${n % 200}`, time: new Date(Date.now() - 30_000 + n), id: `1764650100.${n}` }) as Record<string, unknown>;
        os.add(index, `doc-${n}`, a, true);
      }
    };
    // A long lease: a take-over well before it lapses shows that the stopping node released it.
    const spec = (id: string): NodeSpec => ({
      id,
      dbUrl: db.url,
      stream,
      leaseTtl: '30s',
      extra: ['sources:', '  indexer:', '    enabled: true', `    url: ${os.url}`, '    password: admin', "    version: '4'", '    interval: 200ms', '    lookback: 10m'],
    });
    const nodes: RunningNode[] = [];
    try {
      for (const id of ['i1', 'i2']) nodes.push(await startNode(spec(id)));
      await allReady(nodes);
      add(20);
      await until(async () => (await recorded(db.url)).length === 20, 20_000, 'the first 20 alerts recorded');
      assert.deepEqual((await Promise.all(nodes.map((n) => read(n, 'indexer')))).sort((a, b) => a - b), [0, 20], 'one node took in every alert, the other none');
      const { reader, standby } = await readerOf(nodes, `source:indexer:${os.url}`);
      assert.equal(await ingested(reader, 'indexer'), 20, 'the node polling it, as cluster status says');
      const searches = os.searches.length;
      await new Promise((r) => setTimeout(r, 1000));
      // One poller: about 5 searches a second at a 200 ms interval, not twice that.
      assert.ok(os.searches.length - searches <= 7, `${os.searches.length - searches} searches in a second`);

      const stopped = Date.now();
      await reader.kill('SIGTERM');
      add(20);
      await until(async () => (await recorded(db.url)).length === 40, 20_000, 'the rest recorded by the other node');
      assert.ok(Date.now() - stopped < 20_000, 'taken over without waiting for the lease to lapse');
      await new Promise((r) => setTimeout(r, 1000));
      const rows = await recorded(db.url);
      assert.equal(rows.length, 40, 'every alert recorded exactly once');
      assert.equal(new Set(rows).size, 40);
      assert.equal(await ingested(standby, 'indexer'), 20, 'the survivor took in what came after the hand-over');
    } finally {
      for (const n of nodes) await n.kill();
      await os.close();
      await deleteStream(stream);
      await db.drop();
    }
  });
});
