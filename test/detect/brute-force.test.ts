import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Detector } from '../../src/detect/detector.js';
import { loadRules } from '../../src/detect/rules.js';
import type { Detection } from '../../src/model/index.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import { toEvent } from '../../src/model/event.js';
import { burst } from '../helpers/fixtures.js';

const T0 = new Date('2026-11-21T10:00:00Z');

function run(alerts: Record<string, unknown>[]): Detection[] {
  const set = loadRules([BUILTIN_RULES]);
  assert.deepEqual(set.problems, []);
  const detector = new Detector(set);
  return alerts.flatMap((a) => detector.process(toEvent(a)));
}

const bruteForce = (ds: Detection[]) => ds.filter((d) => d.rule.title === 'Windows Brute Force From One Source Address');

describe('Windows brute force (4625 by source IP, 5 in 5 minutes)', () => {
  it('six failed logons from one IP within five minutes make exactly one detection', () => {
    const alerts = burst('203.0.113.7', 6, T0, 30_000);
    const ds = bruteForce(run(alerts));
    assert.equal(ds.length, 1);
    const d = ds[0]!;
    assert.deepEqual(d.group, { IpAddress: '203.0.113.7' });
    assert.equal(d.count, 5, 'fires on the fifth failure');
    assert.equal(d.rule.level, 'high');
    assert.equal(d.time, Date.parse('2026-11-21T10:02:00Z'), 'time of the event that completed it');
    assert.deepEqual(d.eventIds, alerts.slice(0, 5).map((a) => a.id));
  });

  it('four failed logons make none', () => {
    assert.equal(bruteForce(run(burst('203.0.113.7', 4, T0, 10_000))).length, 0);
  });

  it('the same six spread over twenty minutes make none', () => {
    assert.equal(bruteForce(run(burst('203.0.113.7', 6, T0, 4 * 60_000))).length, 0);
  });

  it('two IPs with five each make two', () => {
    const a = burst('203.0.113.7', 5, T0, 10_000);
    const b = burst('198.51.100.23', 5, T0, 10_000);
    const mixed = a.flatMap((x, i) => [x, b[i]!]);
    const ds = bruteForce(run(mixed));
    assert.equal(ds.length, 2);
    assert.deepEqual(ds.map((d) => d.group.IpAddress).sort(), ['198.51.100.23', '203.0.113.7']);
  });

  it('a long burst fires once; a new burst after a quiet timespan fires again', () => {
    const first = burst('203.0.113.7', 40, T0, 20_000);
    const second = burst('203.0.113.7', 5, new Date(T0.getTime() + 40 * 20_000 + 10 * 60_000), 1000);
    assert.equal(bruteForce(run([...first, ...second])).length, 2);
  });

  it('failed logons without a source address (local logons) are not grouped', () => {
    const local = burst('x', 10, T0, 1000).map((a) => {
      delete ((a.data as any).win.eventdata as Record<string, unknown>).ipAddress;
      return a;
    });
    assert.equal(bruteForce(run(local)).length, 0);
  });

  it('failed-logon events alone produce no standalone detection (generate: false)', () => {
    const ds = run(burst('203.0.113.7', 3, T0, 1000));
    assert.equal(ds.length, 0);
  });
});
