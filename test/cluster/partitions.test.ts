// Partitioning of correlation inputs and the choice of partition owners.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Partitioner, preferredOwner } from '../../src/cluster/node.js';
import { loadConfiguredRules } from '../../src/vigil.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import type { CorrelationRule } from '../../src/detect/rules.js';

describe('cluster partitions', () => {
  const rules = loadConfiguredRules([BUILTIN_RULES]);
  const correlations = rules.rules.filter((r): r is CorrelationRule => r.kind === 'correlation');

  it('a group always maps to the same partition, and groups spread over all of them', () => {
    const p = new Partitioner(rules, 16);
    const brute = correlations.find((c) => c.ref.title.toLowerCase().includes('brute'))!;
    assert.equal(p.of(brute, '203.0.113.7'), p.of(brute, '203.0.113.7'));
    const seen = new Set(Array.from({ length: 500 }, (_, i) => p.of(brute, `10.0.${i >> 8}.${i & 255}`)));
    assert.equal(seen.size, 16);
  });

  it('a chained correlation and the correlation it is built on share the partition of a group', () => {
    const p = new Partitioner(rules, 64);
    const byRef = new Map<string, CorrelationRule>();
    for (const c of correlations) {
      byRef.set(c.ref.id, c);
      if (c.name) byRef.set(c.name, c);
    }
    const chained = correlations.filter((c) => c.rules.some((r) => byRef.has(r)));
    assert.ok(chained.length > 0, 'the built-in pack has a chained correlation');
    for (const outer of chained)
      for (const ref of outer.rules) {
        const inner = byRef.get(ref);
        if (inner) for (const key of ['203.0.113.1', '198.51.100.9', 'x']) assert.equal(p.of(outer, key), p.of(inner, key), `${outer.ref.title} with ${inner.ref.title}`);
      }
  });

  it('owners spread over the nodes, and only the partitions of a node that leaves move', () => {
    const nodes = ['a', 'b', 'c'];
    const before = Array.from({ length: 48 }, (_, p) => preferredOwner(p, nodes));
    for (const n of nodes) assert.ok(before.filter((o) => o === n).length >= 8, `${n} gets a share`);
    const after = Array.from({ length: 48 }, (_, p) => preferredOwner(p, ['a', 'c']));
    before.forEach((o, p) => {
      if (o !== 'b') assert.equal(after[p], o, `partition ${p} stays with ${o}`);
      else assert.notEqual(after[p], 'b');
    });
  });
});
