// The enrichment quota ledger shared by two nodes (two pools on one PostgreSQL schema): spent atomically, so of
// many calls asked for at the same moment only the budget's worth is granted, whichever node asks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnrichmentBroker } from '../../src/enrich/broker.js';
import { VirusTotalProvider } from '../../src/enrich/providers/virustotal.js';
import { QuotaLedger } from '../../src/enrich/quota.js';
import { AddressPolicy } from '../../src/enrich/ranges.js';
import { virusTotalSchema } from '../../src/config/schema.js';
import type { Incident } from '../../src/model/index.js';
import { startFakeVirusTotal } from '../fakes/virustotal.js';
import { quietLog } from '../helpers/quiet.js';
import { twoNodes } from '../helpers/pg-schema.js';
import { postgresAvailable } from '../helpers/vigil.js';

describe('the quota ledger on one PostgreSQL store shared by two nodes', async () => {
  const skip = !(await postgresAvailable()) && 'PostgreSQL not reachable';
  const store = twoNodes('quota', skip);

  it('24 calls asked for at once on two nodes against 4 a minute: exactly 4 granted, the rest told when', { skip }, async () => {
    const ledgers = [new QuotaLedger(store.a.db), new QuotaLedger(store.b.db)];
    const now = Date.now();
    const quota = { perMinute: 4, perDay: 0 };
    const decisions = await Promise.all(Array.from({ length: 24 }, (_, i) => ledgers[i % 2]!.take('virustotal', quota, now + (i % 3))));
    const granted = decisions.filter((d) => d.ok);
    assert.equal(granted.length, 4, `granted ${granted.length}`);
    for (const d of decisions) if (!d.ok) assert.ok(d.until > now && d.until <= now + 60_010, 'a refusal says until when');
    assert.deepEqual(await ledgers[0]!.spent('virustotal', now + 5), { day: 4, minute: 4, blockedUntil: 0 });
  });

  it('the daily budget holds across nodes too', { skip }, async () => {
    const ledgers = [new QuotaLedger(store.a.db), new QuotaLedger(store.b.db)];
    const now = Date.now();
    const decisions = await Promise.all(Array.from({ length: 16 }, (_, i) => ledgers[i % 2]!.take('abuseipdb', { perMinute: 0, perDay: 5 }, now)));
    assert.equal(decisions.filter((d) => d.ok).length, 5);
  });

  it('two brokers with the same lookups due call VirusTotal once per address, however they interleave', { skip }, async () => {
    const vt = await startFakeVirusTotal(['vt-key']);
    try {
      const now = Date.now();
      const broker = (db: typeof store.a.db) =>
        new EnrichmentBroker(db, [new VirusTotalProvider(virusTotalSchema.parse({ enabled: true, apiKey: 'vt-key', baseUrl: vt.url, quota: { perMinute: 0, perDay: 0 } }))], quietLog, {
          timeout: 5000,
          maxAttempts: 3,
          policy: new AddressPolicy([]),
          clock: () => now,
        });
      const [ba, bb] = [broker(store.a.db), broker(store.b.db)];
      const addresses = Array.from({ length: 12 }, (_, i) => `45.9.70.${i + 1}`);
      await store.a.db.transaction().execute(async (trx) => {
        for (const [k, value] of addresses.entries()) {
          const incident: Incident = { id: `i${k}`, fingerprint: `f${k}`, title: 't', status: 'open', level: 'high', ruleId: 'r', entity: {}, firstSeen: now, lastSeen: now, detectionCount: 1, eventCount: 1, revision: 1, createdAt: now, updatedAt: now };
          await ba.plan(trx, incident, [{ kind: 'ip', value }], now);
        }
      });
      await Promise.all([ba.runDue(now), bb.runDue(now), ba.runDue(now), bb.runDue(now)]);
      const called = vt.calls.filter((c) => c.kind === 'ip_addresses').map((c) => c.id);
      assert.equal(called.length, addresses.length, `calls: ${called.join(', ')}`);
      assert.deepEqual([...new Set(called)].sort(), [...addresses].sort());
      const open = await store.a.db.selectFrom('enrich_lookups').select('state').where('state', '!=', 'done').execute();
      assert.equal(open.length, 0, 'every lookup settled');
    } finally {
      await vt.close();
    }
  });
});
