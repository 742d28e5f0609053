// The rules of conduct, on a real store with a fake clock: quotas (never more than the limit in any rolling
// minute, a day's budget that survives a restart), one call per indicator however often it is seen, no call
// for internal addresses, highest severity first, a changed API key starting a fresh cache, 429 backoff.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { virusTotalSchema } from '../../src/config/schema.js';
import { EnrichmentBroker, type BrokerOptions, type EnrichMetrics } from '../../src/enrich/broker.js';
import { EventBus } from '../../src/events.js';
import { enrichmentsForIncident } from '../../src/enrich/lookups.js';
import { VirusTotalProvider } from '../../src/enrich/providers/virustotal.js';
import { GeoIpProvider, geoIpSchema } from '../../src/enrich/providers/geoip.js';
import { AddressPolicy } from '../../src/enrich/ranges.js';
import type { Incident, Indicator, Level } from '../../src/model/index.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { startFakeVirusTotal, type FakeVirusTotal } from '../fakes/virustotal.js';
import { quietLog } from '../helpers/quiet.js';
import { PG_URL, postgresAvailable } from '../helpers/vigil.js';
import pg from 'pg';

const T0 = Date.parse('2026-11-21T10:00:00Z');
const MINUTE = 60_000;

class CountingMetrics implements EnrichMetrics {
  counts = new Map<string, number>();
  private add(name: string, labels: Record<string, string>) {
    const key = `${name}{${Object.values(labels).join(',')}}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  calls = { inc: (l: { provider: string; outcome: string }) => this.add('calls', l) };
  cacheHits = { inc: (l: { provider: string }) => this.add('cacheHits', l) };
  quotaWaits = { inc: (l: { provider: string }) => this.add('quotaWaits', l) };
  failures = { inc: (l: { provider: string; reason: string }) => this.add('failures', l) };
  get = (k: string) => this.counts.get(k) ?? 0;
}

function incident(id: string, level: Level): Incident {
  return { id, fingerprint: id, title: id, status: 'open', level, ruleId: 'r', entity: {}, firstSeen: T0, lastSeen: T0, detectionCount: 1, eventCount: 1, revision: 1, createdAt: T0, updatedAt: T0 };
}

interface Rig {
  store: OpenedDb;
  broker: EnrichmentBroker;
  metrics: CountingMetrics;
  clock: { now: number };
}

/** A store: a SQLite file, or `pg:<schema>` for a schema in the local PostgreSQL (kept across a "restart"). */
async function open(where: string): Promise<OpenedDb> {
  return where.startsWith('pg:') ? openDatabase(PG_URL, { schema: where.slice(3) }) : openDatabase(where);
}

async function rig(file: string, vt: FakeVirusTotal, apiKey: string, quota?: { perMinute: number; perDay: number }, extra: Partial<BrokerOptions> = {}): Promise<Rig> {
  const store = await open(file);
  const clock = { now: T0 };
  const metrics = new CountingMetrics();
  const provider = new VirusTotalProvider(virusTotalSchema.parse({ enabled: true, apiKey, baseUrl: vt.url, ...(quota ? { quota } : {}) }));
  const broker = new EnrichmentBroker(store.db, [provider], quietLog, {
    timeout: 5000,
    maxAttempts: 3,
    policy: new AddressPolicy(['81.2.69.0/24']),
    clock: () => clock.now,
    metrics,
    ...extra,
  });
  return { store, broker, metrics, clock };
}

async function plan(r: Rig, items: { incident: Incident; indicators: Indicator[] }[]): Promise<number> {
  let pending = 0;
  await r.store.db.transaction().execute(async (trx) => {
    for (const it of items) pending += await r.broker.plan(trx, it.incident, it.indicators, r.clock.now);
  });
  return pending;
}

async function pendingCount(r: Rig): Promise<number> {
  const row = await r.store.db.selectFrom('enrich_lookups').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'pending').executeTakeFirstOrThrow();
  return Number(row.n);
}

const ip = (kind: 'ip', value: string): Indicator => ({ kind, value });
const PUBLIC = Array.from({ length: 50 }, (_, i) => `45.9.${20 + (i % 5)}.${i + 1}`);
// Never to leave: RFC 1918, CGNAT, documentation, loopback, link-local, and a configured internal range.
const PRIVATE = ['10.0.0.5', '192.168.1.20', '172.20.3.4', '100.64.7.1', '203.0.113.7', '127.0.0.1', '169.254.9.9', 'fd00::5', '81.2.69.160'];

describe('enrichment broker', async () => {
  const pgUp = await postgresAvailable();
  let vt: FakeVirusTotal;
  let dir: string;
  const schemas: string[] = [];
  const where = (backend: 'sqlite' | 'postgres', name: string) => {
    if (backend === 'sqlite') return join(dir, `${name}.db`);
    const schema = `vigil_enrich_${process.pid}_${name}`;
    schemas.push(schema);
    return `pg:${schema}`;
  };
  before(async () => {
    vt = await startFakeVirusTotal(['key-one', 'key-two']);
    for (const a of PUBLIC) vt.reports.set(a, { malicious: 1 });
    dir = mkdtempSync(join(tmpdir(), 'vigil-enrich-'));
  });
  after(async () => {
    await vt.close();
    if (schemas.length === 0) return;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('1,000 alerts from 50 public IPs: at most 50 VirusTotal calls, never more than 4 in any minute, none for private IPs, critical first', async () => {
    vt.calls.length = 0;
    const r = await rig(join(dir, 'flood.db'), vt, 'key-one');
    // Each alert its own incident (the worst case for a cache); the first four IPs belong to critical incidents.
    const items = Array.from({ length: 1000 }, (_, k) => ({
      incident: incident(`inc-${k}`, (k * 7) % 50 < 4 ? 'critical' : 'low'),
      indicators: [ip('ip', PUBLIC[(k * 7) % 50]!), ip('ip', PRIVATE[k % PRIVATE.length]!)],
    }));
    // Planned in the order the IPs arrive: the critical ones are spread through the flood, not first in line.
    assert.equal(await plan(r, items), 1000, 'every public lookup waits; no private address is queued for an external provider');
    const callTimes: number[] = [];
    while ((await pendingCount(r)) > 0 && r.clock.now < T0 + 60 * MINUTE) {
      const before = vt.calls.length;
      await r.broker.runDue(r.clock.now);
      for (let i = before; i < vt.calls.length; i++) callTimes.push(r.clock.now);
      r.clock.now += 5000;
    }
    assert.equal(await pendingCount(r), 0, 'every lookup was answered');
    assert.equal(vt.calls.length, 50, 'one call per distinct indicator');
    assert.deepEqual(new Set(vt.calls.map((c) => c.id)), new Set(PUBLIC));
    for (const p of PRIVATE) assert.ok(!vt.calls.some((c) => c.id === p), `${p} never left`);
    for (const t of callTimes) {
      const inWindow = callTimes.filter((u) => u >= t && u < t + MINUTE).length;
      assert.ok(inWindow <= 4, `${inWindow} calls in the minute from ${new Date(t).toISOString()}`);
    }
    assert.deepEqual(new Set(vt.calls.slice(0, 4).map((c) => c.id)), new Set(PUBLIC.slice(0, 4)), 'the critical incidents’ IPs went first');
    assert.ok(r.metrics.get('quotaWaits{virustotal}') > 0, 'quota waits are counted');
    assert.equal(r.metrics.get('calls{virustotal,answered}'), 50);
    const one = await enrichmentsForIncident(r.store.db, 'inc-999');
    assert.equal(one.length, 1);
    assert.equal(one[0]!.state, 'done');
    assert.equal(one[0]!.verdict, 'suspicious');
    await r.store.close();
  });

  for (const backend of ['sqlite', 'postgres'] as const) {
  it(`a changed API key invalidates the cache; the same key reuses it (${backend})`, { skip: backend === 'postgres' && !pgUp && 'PostgreSQL is not reachable' }, async () => {
    vt.calls.length = 0;
    const file = where(backend, 'keys');
    const a = await rig(file, vt, 'key-one');
    await plan(a, [{ incident: incident('k1', 'high'), indicators: [ip('ip', PUBLIC[0]!)] }]);
    await a.broker.runDue();
    assert.equal(vt.calls.length, 1);
    assert.equal(await plan(a, [{ incident: incident('k2', 'high'), indicators: [ip('ip', PUBLIC[0]!)] }]), 0, 'cached: nothing to wait for');
    assert.equal((await enrichmentsForIncident(a.store.db, 'k2'))[0]!.state, 'done');
    assert.equal(a.metrics.get('cacheHits{virustotal}'), 1);
    await a.store.close();

    const b = await rig(file, vt, 'key-two');
    assert.equal(await plan(b, [{ incident: incident('k3', 'high'), indicators: [ip('ip', PUBLIC[0]!)] }]), 1, 'a new key does not read the old key’s answers');
    await b.broker.runDue();
    assert.equal(vt.calls.length, 2);
    assert.equal(vt.calls[1]!.key, 'key-two');
    await b.store.close();
  });

  it(`a restart keeps the day's budget (${backend})`, { skip: backend === 'postgres' && !pgUp && 'PostgreSQL is not reachable' }, async () => {
    vt.calls.length = 0;
    const file = where(backend, 'budget');
    const quota = { perMinute: 0, perDay: 3 };
    const first = await rig(file, vt, 'key-one', quota);
    await plan(first, PUBLIC.slice(0, 5).map((a, i) => ({ incident: incident(`b${i}`, 'medium'), indicators: [ip('ip', a)] })));
    await first.broker.runDue();
    assert.equal(vt.calls.length, 3);
    assert.equal(await pendingCount(first), 2);
    await first.store.close();

    const second = await rig(file, vt, 'key-one', quota);
    second.clock.now = T0 + 3 * 3_600_000; // same UTC day, after a restart
    await plan(second, [{ incident: incident('b5', 'critical'), indicators: [ip('ip', PUBLIC[5]!)] }]);
    await second.broker.runDue();
    assert.equal(vt.calls.length, 3, 'no call: the budget spent before the restart still counts');
    assert.equal(second.metrics.get('quotaWaits{virustotal}'), 1);
    assert.deepEqual((await second.broker.quota.spent('virustotal', second.clock.now)).day, 3);
    const waiting = (await enrichmentsForIncident(second.store.db, 'b4'))[0]!;
    assert.equal(waiting.state, 'pending');
    assert.match(waiting.error ?? '', /waiting for quota \(daily limit reached\) until 2026-11-22T00:00:00Z/);
    second.clock.now = Date.parse('2026-11-22T00:00:01Z');
    await second.broker.runDue();
    assert.equal(vt.calls.length, 6, 'a new UTC day brings a new budget');
    assert.equal(vt.calls[3]!.id, PUBLIC[5], 'the critical incident’s lookup goes first');
    await second.store.close();
  });
  }

  it('a 429 backs off (doubling) and the lookup waits; a 401 is recorded as a failure with its reason', async () => {
    vt.calls.length = 0;
    const r = await rig(join(dir, 'backoff.db'), vt, 'key-one');
    await plan(r, [{ incident: incident('q1', 'high'), indicators: [ip('ip', PUBLIC[9]!)] }]);
    vt.exhausted = true;
    try {
      await r.broker.runDue();
      assert.equal(vt.calls.length, 1);
      r.clock.now += 30_000;
      await r.broker.runDue();
      assert.equal(vt.calls.length, 1, 'no call during the backoff');
      r.clock.now = T0 + 61_000;
      await r.broker.runDue();
      assert.equal(vt.calls.length, 2, 'tried again after a minute');
      assert.equal((await r.broker.quota.spent('virustotal', r.clock.now)).blockedUntil, T0 + 61_000 + 120_000, 'the second refusal doubles the wait');
      assert.equal((await enrichmentsForIncident(r.store.db, 'q1'))[0]!.state, 'pending');
    } finally {
      vt.exhausted = false;
    }
    r.clock.now = T0 + 61_000 + 120_000;
    await r.broker.runDue();
    assert.equal((await enrichmentsForIncident(r.store.db, 'q1'))[0]!.state, 'done');
    assert.equal(r.metrics.get('failures{virustotal,quota}'), 2);
    await r.store.close();

    const bad = await rig(join(dir, 'badkey.db'), vt, 'revoked-key');
    await plan(bad, [{ incident: incident('a1', 'high'), indicators: [ip('ip', PUBLIC[10]!)] }]);
    await bad.broker.runDue();
    const l = (await enrichmentsForIncident(bad.store.db, 'a1'))[0]!;
    assert.equal(l.state, 'failed');
    assert.equal(l.verdict, undefined, 'a failure carries no verdict');
    assert.match(l.error ?? '', /the API key was refused \(WrongCredentialsError/);
    assert.equal(bad.metrics.get('failures{virustotal,auth}'), 1);
    await bad.store.close();
  });

  it('a refusal that postpones lookups past the hold settles their incidents at once; without a hold they wait for the deadline', async () => {
    const events = new EventBus();
    const settled: string[][] = [];
    events.on('lookupsSettled', (ids) => void settled.push(ids));
    const r = await rig(join(dir, 'hold.db'), vt, 'key-one', { perMinute: 1, perDay: 500 }, { holdFor: 5_000, events });
    // Two incidents: the first call spends the minute's only token; the second lookup waits for quota 60 s, past the hold.
    await plan(r, [
      { incident: incident('h1', 'high'), indicators: [ip('ip', PUBLIC[20]!)] },
      { incident: incident('h2', 'high'), indicators: [ip('ip', PUBLIC[21]!)] },
    ]);
    await r.broker.runDue();
    assert.deepEqual(settled.flat().sort(), ['h1', 'h2'], 'h1 answered, h2 postponed past its hold: neither waits for the deadline');
    assert.equal((await enrichmentsForIncident(r.store.db, 'h2'))[0]!.state, 'pending', 'the postponed lookup still runs later');

    // A provider that refuses outright backs off a minute: the incident it held is released by the refusal itself.
    settled.length = 0;
    r.clock.now += 2 * MINUTE;
    await plan(r, [{ incident: incident('h3', 'high'), indicators: [ip('ip', PUBLIC[22]!)] }]);
    vt.exhausted = true;
    try {
      await r.broker.runDue();
    } finally {
      vt.exhausted = false;
    }
    assert.ok(settled.flat().includes('h3'), 'released when the refusal was known, not at the deadline');
    await r.store.close();

    // Without a hold given, a postponed lookup keeps its incident unsettled (the deadline releases it).
    const events2 = new EventBus();
    const settled2: string[] = [];
    events2.on('lookupsSettled', (ids) => void settled2.push(...ids));
    const r2 = await rig(join(dir, 'nohold.db'), vt, 'key-one', { perMinute: 1, perDay: 500 }, { events: events2 });
    await plan(r2, [
      { incident: incident('n1', 'high'), indicators: [ip('ip', PUBLIC[23]!)] },
      { incident: incident('n2', 'high'), indicators: [ip('ip', PUBLIC[24]!)] },
    ]);
    await r2.broker.runDue();
    assert.deepEqual(settled2, ['n1']);
    await r2.store.close();
  });
  it('a lookup that must wait for quota past the deadline is queued saying so: the notification that does not wait for it names the wait', async () => {
    const r = await rig(join(dir, 'known-wait.db'), vt, 'key-one', { perMinute: 4, perDay: 500 });
    const planWithin = (id: string, address: string) =>
      r.store.db.transaction().execute((trx) => r.broker.plan(trx, incident(id, 'high'), [ip('ip', address)], r.clock.now, 5_000));
    assert.equal(await planWithin('w1', PUBLIC[25]!), 1, 'the provider may answer by the deadline: the notification waits');
    vt.exhausted = true;
    try {
      await r.broker.runDue(); // refused: the provider backs off
    } finally {
      vt.exhausted = false;
    }
    assert.equal(await planWithin('w2', PUBLIC[26]!), 0, 'in back-off past the deadline: nothing to wait for');
    const [l] = await enrichmentsForIncident(r.store.db, 'w2');
    assert.equal(l!.state, 'pending', 'the lookup still runs later');
    assert.match(l!.error ?? '', /^waiting for quota \(provider refused\) until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const row = await r.store.db.selectFrom('enrich_lookups').select('next_attempt_at').where('incident_id', '=', 'w2').executeTakeFirstOrThrow();
    assert.ok(Number(row.next_attempt_at) > r.clock.now + 5_000, 'not due before the back-off ends');
    await r.store.close();
  });
  it('a local GeoIP database answers while the incident is planned: its notification never waits for it; a failing one is retried by the enrichment pass', async () => {
    const geo = async (file: string, config: object) => {
      const store = await open(file);
      const broker = new EnrichmentBroker(store.db, [new GeoIpProvider(geoIpSchema.parse(config))], quietLog, { timeout: 5000, maxAttempts: 3, policy: new AddressPolicy([]), clock: () => T0 });
      return { store, broker, metrics: new CountingMetrics(), clock: { now: T0 } };
    };
    const r = await geo(join(dir, 'geo.db'), {});
    assert.equal(await plan(r, [{ incident: incident('g1', 'high'), indicators: [ip('ip', PUBLIC[0]!)] }]), 0, 'nothing for the notification to wait for');
    const [answer] = await enrichmentsForIncident(r.store.db, 'g1');
    assert.equal(answer!.provider, 'geoip');
    assert.equal(answer!.state, 'done');
    assert.ok(answer!.summary, 'the location (or "not in the GeoIP database") is there at once');
    // The answer is cached: the next incident with the address reads it without opening the database.
    assert.equal(await plan(r, [{ incident: incident('g2', 'high'), indicators: [ip('ip', PUBLIC[0]!)] }]), 0);
    assert.equal((await enrichmentsForIncident(r.store.db, 'g2'))[0]!.summary, answer!.summary);
    await r.store.close();

    // A database that cannot be opened: the lookup waits for the pass like any other, which records the failure.
    const broken = await geo(join(dir, 'geo-broken.db'), { cityDatabase: join(dir, 'no-such.mmdb') });
    assert.equal(await plan(broken, [{ incident: incident('g3', 'high'), indicators: [ip('ip', PUBLIC[1]!)] }]), 1);
    assert.equal((await enrichmentsForIncident(broken.store.db, 'g3'))[0]!.state, 'pending');
    await broken.broker.runDue(T0);
    const [failed] = await enrichmentsForIncident(broken.store.db, 'g3');
    assert.equal(failed!.state, 'failed');
    assert.match(failed!.error ?? '', /no-such\.mmdb|ENOENT/);
    await broken.store.close();
  });
});
