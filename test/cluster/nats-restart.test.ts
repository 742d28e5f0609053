// NATS restarted in the middle of a burst (a private nats-server of this test's own, not the shared one): ingest
// answers 503 with Retry-After while JetStream cannot acknowledge — nothing acknowledged that is not in the
// stream — and takes alerts again once NATS is back; every attack is still one incident and one email. The alerts
// file source of one node does not move its checkpoint past lines JetStream has not acknowledged.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { burst, ndjson } from '../helpers/fixtures.js';
import { startSmtp } from '../helpers/smtp.js';
import { postgresAvailable, until } from '../helpers/vigil.js';
import { allReady, createDatabase, natsAvailable, query, startNode, startPrivateNats, TOKEN, unique, type RunningNode } from '../helpers/cluster.js';

const ATTACKERS = 10;

async function post(node: RunningNode, alert: unknown): Promise<{ status: number; retryAfter: string | null }> {
  try {
    const res = await fetch(`${node.url}/api/v1/ingest/wazuh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(alert),
    });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 0, retryAfter: null };
  }
}

describe('cluster mode: NATS restarted during a burst', () => {
  it('answers 503 with Retry-After while NATS is down, acknowledges nothing it lost, and resumes', async (t) => {
    if (!(await postgresAvailable()) || !(await natsAvailable())) return t.skip('needs PostgreSQL and NATS');
    const nats = await startPrivateNats();
    const db = await createDatabase();
    const smtp = await startSmtp();
    const stream = unique('VR');
    const nodes: RunningNode[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'vigil-nats-file-'));
    const file = join(dir, 'alerts.json');
    writeFileSync(file, '');
    const fileSource = ['sources:', '  alertsFile:', '    enabled: true', `    path: ${file}`, '    startAt: beginning', '    pollInterval: 100ms'];
    const checkpoint = async () => {
      const [row] = await query<{ value: string }>(db.url, `select value from cursors where name = 'file:${file}'`);
      return row ? (JSON.parse(row.value) as { offset: number }).offset : 0;
    };
    try {
      for (const id of ['r1', 'r2'])
        nodes.push(await startNode({ id, dbUrl: db.url, stream, smtpPort: smtp.port, nats: nats.url, partitions: 4, extra: id === 'r1' ? fileSource : [] }));
      await allReady(nodes);
      const start = new Date(Date.now() - 60_000);
      const per = Array.from({ length: ATTACKERS }, (_, i) => burst(`198.51.100.${i + 10}`, 6, start, 2_000));
      const rounds = Array.from({ length: 6 }, (_, k) => per.map((events) => events[k]!));
      const acked = new Set<string>();
      let turn = 0;
      const unavailable: { retryAfter: string | null }[] = [];
      const send = async (alert: Record<string, unknown>) => {
        for (let attempt = 0; attempt < 600; attempt++) {
          const r = await post(nodes[turn++ % nodes.length]!, alert);
          if (r.status === 202) {
            acked.add(alert.id as string);
            return;
          }
          assert.equal(r.status, 503, 'while NATS is down ingest answers 503');
          unavailable.push({ retryAfter: r.retryAfter });
          await new Promise((res) => setTimeout(res, 100));
        }
        throw new Error('never acknowledged');
      };
      for (const a of [...rounds[0]!, ...rounds[1]!, ...rounds[2]!]) await send(a);
      await nats.stop();
      // While NATS is down: refused, with Retry-After, and not acknowledged.
      const down = await post(nodes[0]!, rounds[3]![0]);
      assert.equal(down.status, 503);
      assert.match(down.retryAfter ?? '', /^\d+$/);
      const sending = Promise.all(rounds[3]!.map((a) => send(a)));
      // Wazuh writes a whole attack to alerts.json while NATS is down: the file source must not move past it.
      const fromFile = burst('198.51.100.200', 6, start, 2_000);
      const before = await checkpoint();
      appendFileSync(file, ndjson(fromFile));
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(acked.size, 3 * ATTACKERS, 'nothing acknowledged while NATS is down');
      assert.equal(await checkpoint(), before, 'the file checkpoint stays before lines the stream has not acknowledged');
      await nats.start();
      await sending;
      for (const a of [...rounds[4]!, ...rounds[5]!]) await send(a);
      assert.ok(unavailable.length > 0 && unavailable.every((u) => /^\d+$/.test(u.retryAfter ?? '')), '503s carried Retry-After');

      await smtp.waitFor(ATTACKERS + 1, 60_000);
      await until(async () => Number((await query<{ n: string }>(db.url, 'select count(*) as n from alerts'))[0]!.n) === 6 * ATTACKERS + 6, 30_000, 'every alert recorded');
      const ids = new Set((await query<{ event_id: string }>(db.url, 'select event_id from alerts')).map((r) => r.event_id));
      for (const id of acked) assert.ok(ids.has(id));
      for (const a of fromFile) assert.ok(ids.has(a.id as string), 'the file’s alerts are recorded once NATS is back');
      await until(async () => (await checkpoint()) === statSync(file).size, 10_000, 'the file checkpoint at the end of the file');
      await new Promise((r) => setTimeout(r, 1500));
      const [incidents] = await query<{ n: string }>(db.url, 'select count(*) as n from incidents');
      assert.equal(Number(incidents!.n), ATTACKERS + 1);
      assert.equal(smtp.messages.length, ATTACKERS + 1);
      // NATS restarted by a kill resumes the partition consumers from older delivered states and sends their last
      // messages again: each event must still count once in the correlation that fired on it.
      for (const d of await query<{ group_json: string; event_ids_json: string }>(db.url, 'select group_json, event_ids_json from detections')) {
        const ids = JSON.parse(d.event_ids_json) as string[];
        assert.equal(new Set(ids).size, ids.length, `a detection of ${d.group_json} counted an event twice: ${d.event_ids_json}`);
      }
      await allReady(nodes, 30_000);
    } finally {
      for (const n of nodes) await n.kill();
      await smtp.close();
      await nats.stop();
      await db.drop();
    }
  });
});
