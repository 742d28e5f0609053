// Three real `vigil serve --cluster` processes on one NATS JetStream stream and one PostgreSQL database: every
// brute force posted round-robin to all of them is one incident and one email, also when a node is killed with
// SIGKILL in the middle of the burst and another restarted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { burst } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { until } from '../helpers/vigil.js';
import { allReady, clusterStatus, createDatabase, deleteStream, clusterServices, postAlerts, query, startNode, unique, type RunningNode } from '../helpers/cluster.js';

const ATTACKERS = 30;
const PER_ATTACKER = 6;

/** 30 attacking addresses × 6 failed logons, interleaved (every address's events spread over the whole burst). */
function attack(): Record<string, unknown>[][] {
  const start = new Date(Date.now() - 120_000);
  const per = Array.from({ length: ATTACKERS }, (_, i) => burst(`203.0.113.${i + 1}`, PER_ATTACKER, start, 2_000));
  const rounds: Record<string, unknown>[][] = [];
  for (let k = 0; k < PER_ATTACKER; k++) rounds.push(per.map((events) => events[k]!));
  return rounds;
}

async function settle(dbUrl: string, smtp: TestSmtp, emails: number): Promise<void> {
  await smtp.waitFor(emails, 60_000);
  await until(async () => Number((await query<{ n: string }>(dbUrl, "select count(*) as n from outbox where state not in ('delivered')"))[0]!.n) === 0, 30_000, 'the outbox to drain');
  // Nothing more trickles in: a duplicate would show within this quiet second.
  await new Promise((r) => setTimeout(r, 1500));
}

function messageIds(smtp: TestSmtp): string[] {
  return smtp.messages.map((m) => m.messageId ?? '');
}

describe('cluster mode: three nodes', { concurrency: false }, () => {
  const services = clusterServices();

  it('30 attacks × 6 failed logons round-robin to three nodes: exactly 30 incidents and 30 emails', async (t) => {
    if (services.skipped(t)) return;
    const db = await createDatabase();
    const stream = unique('VT');
    const smtp = await startSmtp();
    const nodes: RunningNode[] = [];
    try {
      for (const id of ['n1', 'n2', 'n3']) nodes.push(await startNode({ id, dbUrl: db.url, stream, smtpPort: smtp.port }));
      await allReady(nodes);
      // Every partition has one owner, and the three nodes share them.
      await until(async () => (await clusterStatus(nodes[0]!.config)).code === 0, 20_000, 'every partition owned');
      const { status } = await clusterStatus(nodes[0]!.config);
      assert.deepEqual(status.nodes.map((n: { id: string }) => n.id), ['n1', 'n2', 'n3']);
      assert.equal(status.partitions.filter((p: { owner: string | null }) => p.owner !== null).length, 8);
      for (const n of status.nodes) assert.ok(n.owns.length > 0, `${n.id} serves some partitions`);
      let i = 0;
      for (const round of attack())
        for (const alert of round) {
          const status = await postAlerts(nodes[i++ % nodes.length]!, [alert]);
          assert.equal(status, 202);
        }
      await settle(db.url, smtp, ATTACKERS);
      const [alerts] = await query<{ n: string }>(db.url, 'select count(*) as n from alerts');
      assert.equal(Number(alerts!.n), ATTACKERS * PER_ATTACKER, 'every alert recorded once');
      const incidents = await query<{ n: string }>(db.url, 'select count(*) as n from incidents');
      assert.equal(Number(incidents[0]!.n), ATTACKERS);
      assert.equal(smtp.messages.length, ATTACKERS);
      assert.equal(new Set(messageIds(smtp)).size, ATTACKERS, 'no duplicate Message-ID');
      const subjects = smtp.messages.map((m) => m.subject ?? '');
      for (let a = 1; a <= ATTACKERS; a++) assert.equal(subjects.filter((s) => s.includes(`203.0.113.${a} `) || s.endsWith(`203.0.113.${a}`)).length, 1, `one email about 203.0.113.${a}`);
    } finally {
      for (const n of nodes) await n.kill();
      await smtp.close();
      await deleteStream(stream);
      await db.drop();
    }
  });

  it('one node SIGKILLed mid-burst and another restarted: every acknowledged alert once, 30 incidents, 30 emails', async (t) => {
    if (services.skipped(t)) return;
    const db = await createDatabase();
    const stream = unique('VT');
    const smtp = await startSmtp();
    // A killed node's claimed mail goes to another node after the claim timeout: short here.
    const spec = (id: string) => ({ id, dbUrl: db.url, stream, smtpPort: smtp.port, extra: ['actions:', '  outbox:', '    claimTimeout: 10s'] });
    const nodes = new Map<string, RunningNode>();
    const acked = new Set<string>();
    const live = () => [...nodes.values()];
    let turn = 0;
    /** A sender that keeps an alert until some node acknowledges it (integratord's retries), round-robin. */
    const send = async (alert: Record<string, unknown>) => {
      for (let attempt = 0; attempt < 400; attempt++) {
        const targets = live();
        const node = targets[turn++ % targets.length];
        if (node && (await postAlerts(node, [alert])) === 202) {
          acked.add(alert.id as string);
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`alert ${alert.id as string} never acknowledged`);
    };
    try {
      for (const id of ['n1', 'n2', 'n3']) nodes.set(id, await startNode(spec(id)));
      await allReady(live());
      const rounds = attack();
      for (const alert of [...rounds[0]!, ...rounds[1]!]) await send(alert);
      // Round 3 in flight, several posts at once, when n2 is killed.
      const victim = nodes.get('n2')!;
      const inflight = rounds[2]!.map((a, i) => new Promise((r) => setTimeout(r, i * 10)).then(() => send(a)));
      await new Promise((r) => setTimeout(r, 120));
      nodes.delete('n2');
      await victim.kill('SIGKILL');
      await Promise.all(inflight);
      for (const alert of rounds[3]!) await send(alert);
      // n3 restarts (stopped and started again) while round 5 is sent.
      const restarting = nodes.get('n3')!;
      nodes.delete('n3');
      const round5 = Promise.all(rounds[4]!.map((a) => send(a)));
      await restarting.kill('SIGTERM');
      nodes.set('n3', await startNode(spec('n3')));
      await round5;
      for (const alert of rounds[5]!) await send(alert);
      await allReady(live(), 60_000);

      await settle(db.url, smtp, ATTACKERS);
      // An alert the killed node had taken but not acknowledged to JetStream comes back to another node after the
      // consumer's ackWait (5 s here): it may be recorded after the last mail went out.
      const count = async () => Number((await query<{ n: string }>(db.url, 'select count(*) as n from alerts'))[0]!.n);
      await until(async () => (await count()) >= ATTACKERS * PER_ATTACKER, 30_000, 'every acknowledged alert recorded');
      await new Promise((r) => setTimeout(r, 1500));
      const rows = await query<{ event_id: string }>(db.url, 'select event_id from alerts');
      assert.equal(rows.length, ATTACKERS * PER_ATTACKER, 'every alert recorded once');
      const recorded = new Set(rows.map((r) => r.event_id));
      for (const id of acked) assert.ok(recorded.has(id), `acknowledged alert ${id} is recorded`);
      const detections = await query<{ ip: string; n: string }>(db.url, "select group_json as ip, count(*) as n from detections group by group_json");
      assert.equal(detections.length, ATTACKERS, 'every attack detected, also those whose events straddled the kill');
      for (const d of detections) assert.equal(Number(d.n), 1, `${d.ip} detected once`);
      const [incidents] = await query<{ n: string }>(db.url, 'select count(*) as n from incidents');
      assert.equal(Number(incidents!.n), ATTACKERS);
      assert.equal(smtp.messages.length, ATTACKERS);
      assert.equal(new Set(messageIds(smtp)).size, ATTACKERS, 'no duplicate Message-ID');
      // The survivors took partitions over from a checkpoint (rebuilt from the stream, then went on).
      const rebuilds = live()
        .flatMap((n) => n.output().split('\n'))
        .filter((l) => l.includes('partition rebuilt'))
        .map((l) => JSON.parse(l) as { checkpoint: number });
      assert.ok(rebuilds.some((r) => r.checkpoint > 0), 'some partition was rebuilt from a checkpoint');
    } finally {
      for (const n of live()) await n.kill();
      await smtp.close();
      await deleteStream(stream);
      await db.drop();
    }
  });
});
