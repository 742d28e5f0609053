// The enrichment quota ledger shared by two nodes (two pools on one PostgreSQL schema): spent atomically, so of
// many calls asked for at the same moment only the budget's worth is granted, whichever node asks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuotaLedger } from '../../src/enrich/quota.js';
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
});
