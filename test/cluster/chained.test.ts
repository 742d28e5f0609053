// Chained correlations across partitions, in process: each partition a detector of its own, as a node's partition
// pipeline builds it, and JetStream stood in for by a list that drops a message id it has seen (what the stream's
// de-duplication does). An inner firing whose outer correlation groups differently reaches the outer's partition,
// once, and the outer fires there once; a chain with the same group-by stays on its partition.
import assert from 'node:assert/strict';
import type { JetStreamClient } from '@nats-io/jetstream';
import { describe, it } from 'node:test';
import { FiringReader, Forwards, encodeFiring } from '../../src/cluster/chained.js';
import { Partitioner, Router } from '../../src/cluster/node.js';
import { groupKey } from '../../src/detect/correlation/engine.js';
import { Detector } from '../../src/detect/detector.js';
import { checkReferences, parseRuleFile, type CorrelationRule, type RuleSet } from '../../src/detect/rules.js';
import type { Detection, Event } from '../../src/model/index.js';
import { readRecordedAlert } from '../../src/sources/ndjson.js';
import { loadConfiguredRules } from '../../src/vigil.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import { burst } from '../helpers/fixtures.js';
import { CHAINED_RULES } from '../helpers/cluster-rules.js';
import { successfulLogon4624 } from '../helpers/triage.js';

const PARTITIONS = 8;
const USER = 'alice';

function chainedRules(): RuleSet {
  const set: RuleSet = { rules: [], problems: [], files: [] };
  parseRuleFile(CHAINED_RULES, 'chained.yml', set);
  checkReferences(set);
  assert.deepEqual(set.problems, []);
  return set;
}

const event = (alert: Record<string, unknown>): Event => readRecordedAlert(JSON.stringify(alert), 'wazuh');

/** The partitions of a cluster in one process: routing as the detect consumer does it, forwarding through a de-duplicating stream. */
class Cluster {
  readonly partitioner: Partitioner;
  readonly router: Router;
  private readonly routing: Detector;
  private readonly reader: FiringReader;
  readonly detectors: Detector[] = [];
  readonly forwards: Forwards[] = [];
  readonly detections: { partition: number; d: Detection }[] = [];
  /** Message ids JetStream kept, and the publishes it dropped as duplicates. */
  readonly kept = new Set<string>();
  duplicates = 0;
  private readonly queue: { partition: number; body: string }[] = [];

  constructor(readonly rules: RuleSet) {
    this.partitioner = new Partitioner(rules, PARTITIONS);
    this.router = new Router(this.partitioner);
    this.routing = new Detector(rules, { singles: true, correlate: this.router.note });
    this.reader = new FiringReader(rules);
    const js = {
      publish: async (subject: string, body: string, o: { msgID: string }) => {
        if (this.kept.has(o.msgID)) this.duplicates++;
        else {
          this.kept.add(o.msgID);
          this.queue.push({ partition: Number(subject.split('.').pop()), body });
        }
        return { duplicate: false, seq: 0 };
      },
    } as unknown as JetStreamClient;
    for (let p = 0; p < PARTITIONS; p++) {
      const forwards = new Forwards((rule, key) => this.partitioner.of(rule, key), js, (q) => `T.p.${q}`, { timeout: 1000, maxBytes: () => 1 << 20 });
      this.forwards.push(forwards);
      this.detectors.push(this.partitionDetector(p, forwards));
    }
  }

  partitionDetector(p: number, forwards: Forwards): Detector {
    return new Detector(this.rules, { singles: false, correlate: (rule, key) => this.partitioner.of(rule, key) === p, forward: forwards.forward });
  }

  /** One alert through the cluster: routed, correlated on its partitions, their forwards published and read. */
  async send(alert: Record<string, unknown>): Promise<void> {
    const e = event(alert);
    this.router.routes.clear();
    this.routing.process(e);
    for (const p of this.router.routes.get(e) ?? []) {
      for (const d of this.detectors[p]!.process(e)) this.detections.push({ partition: p, d });
      await this.forwards[p]!.publish();
    }
    while (this.queue.length > 0) {
      const { partition, body } = this.queue.shift()!;
      for (const d of this.detectors[partition]!.chained(this.reader.read(body)!)) this.detections.push({ partition, d });
      await this.forwards[partition]!.publish();
    }
  }
}

const correlation = (rules: RuleSet, name: string) => rules.rules.find((r): r is CorrelationRule => r.kind === 'correlation' && r.name === name)!;

/** Addresses whose (address, user) groups hash to distinct partitions, none of them the outer group's. */
function spreadAddresses(cluster: Cluster, n: number): string[] {
  const inner = correlation(cluster.rules, 'test_account_guessed');
  const outer = correlation(cluster.rules, 'test_account_guessed_widely');
  const taken = new Set([cluster.partitioner.of(outer, USER)]);
  const out: string[] = [];
  for (let i = 1; out.length < n; i++) {
    const ip = `203.0.113.${i}`;
    const p = cluster.partitioner.of(inner, groupKey([ip, USER]));
    if (taken.has(p)) continue;
    taken.add(p);
    out.push(ip);
  }
  return out;
}

/** Three failed logons against the account from each address, the addresses' attempts interleaved in time. */
const attempts = (addresses: string[]) => {
  const start = Date.parse('2026-11-21T10:00:00Z');
  return addresses.map((ip, i) => burst(ip, 3, new Date(start + i * 1000), 2000, USER));
};

describe('chained correlations across partitions', () => {
  it('an inner firing reaches the partition of the outer group: the outer fires there once', async () => {
    const cluster = new Cluster(chainedRules());
    const outer = correlation(cluster.rules, 'test_account_guessed_widely');
    const addresses = spreadAddresses(cluster, 4);
    const per = attempts(addresses);
    for (let k = 0; k < 3; k++) for (const alerts of per) await cluster.send(alerts[k]!);
    assert.equal(cluster.kept.size, 4, 'each of the four inner firings forwarded once');
    assert.equal(cluster.detections.length, 1, JSON.stringify(cluster.detections.map((x) => x.d.rule.title)));
    const [{ partition, d }] = cluster.detections;
    assert.equal(d.rule.title, 'One Account Guessed From Several Addresses');
    assert.equal(partition, cluster.partitioner.of(outer, USER), 'fired on the partition that owns the outer group');
    assert.deepEqual(d.group, { TargetUserName: USER });
    // Its evidence is the failed logons of the three inner firings that made it.
    assert.equal(d.events.length, 9);
    assert.deepEqual(new Set(d.events.map((e) => (e.data as any).data.win.eventdata.ipAddress)), new Set(addresses.slice(0, 3)));
  });

  it('an inner partition rebuilt after a crash makes its firings again: the stream drops them, the outer fires once', async () => {
    const cluster = new Cluster(chainedRules());
    const inner = correlation(cluster.rules, 'test_account_guessed');
    const addresses = spreadAddresses(cluster, 3);
    const per = attempts(addresses);
    for (const alerts of per.slice(0, 2)) for (const a of alerts) await cluster.send(a);
    assert.equal(cluster.kept.size, 2);
    // The first address's partition is taken over before its checkpoint moved: its inputs are handled again, live.
    const p = cluster.partitioner.of(inner, groupKey([addresses[0]!, USER]));
    const forwards = cluster.forwards[p]!;
    const again = cluster.partitionDetector(p, forwards);
    for (const a of per[0]!) again.process(event(a));
    assert.equal(forwards.size, 1, 'the firing is made again');
    await forwards.publish();
    assert.equal(cluster.duplicates, 1, 'and dropped as a duplicate by its message id');
    for (const a of per[2]!) await cluster.send(a);
    assert.equal(cluster.detections.length, 1);
    assert.equal(cluster.detections[0]!.d.events.length, 9, 'each inner firing counted once');
  });

  it('a chain with the same group-by (the built-in successful brute force) stays on its partition', async () => {
    const cluster = new Cluster(loadConfiguredRules([BUILTIN_RULES]));
    const start = new Date(Date.now() - 60_000);
    const attack = burst('198.51.100.23', 6, start, 1000);
    for (const a of attack) await cluster.send(a);
    await cluster.send(successfulLogon4624({ ip: '198.51.100.23', time: new Date(start.getTime() + 10_000) }));
    assert.equal(cluster.kept.size, 0, 'nothing forwarded');
    const titles = cluster.detections.map((x) => x.d.rule.title).sort();
    assert.ok(titles.some((t) => /brute force from one source/i.test(t)), titles.join(', '));
    assert.ok(titles.some((t) => /successful logon after brute force/i.test(t)), titles.join(', '));
    assert.equal(new Set(cluster.detections.map((x) => x.partition)).size, 1, 'both on one partition');
  });

  it('a firing too large for one message keeps its newest evidence and its count', () => {
    const rules = chainedRules();
    const inner = correlation(rules, 'test_account_guessed');
    const events = burst('203.0.113.9', 40, new Date(Date.parse('2026-11-21T10:00:00Z')), 1000, USER).map(event);
    const f = { rule: inner, key: groupKey(['203.0.113.9', USER]), group: { IpAddress: '203.0.113.9', TargetUserName: USER }, time: events[39]!.time, firstTime: events[0]!.time, count: 40, events };
    const body = encodeFiring(f, 20_000);
    assert.ok(Buffer.byteLength(body) <= 20_000);
    const back = new FiringReader(rules).read(body)!;
    assert.equal(back.count, 40);
    assert.equal(back.events.at(-1)!.id, events[39]!.id);
    assert.ok(back.events.length < 40);
  });
});
