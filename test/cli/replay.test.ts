// `vigil replay` as a user runs it: the built binary, real files, stdout and exit code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { burst, ndjson, ROOT, SHARED } from '../helpers/fixtures.js';

const BIN = join(ROOT, 'dist/src/cli/main.js');

function vigil(args: string[], input?: string) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, cwd: mkdtempSync(join(tmpdir(), 'vigil-cli-')) });
}

describe('vigil replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-'));
  const file = join(dir, 'alerts.json');
  writeFileSync(
    file,
    ndjson([...burst('203.0.113.7', 6, new Date('2026-11-21T10:00:00Z'), 30_000), ...burst('198.51.100.23', 5, new Date('2026-11-21T10:00:00Z'), 1000)]),
  );

  it('--json prints one object per detection with rule, time, group, count and events', () => {
    const r = vigil(['replay', '--json', '--no-actions', file]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    const first = lines.find((l) => l.group.IpAddress === '203.0.113.7');
    assert.deepEqual(first.rule, {
      id: '0b5ae1b6-8e0f-4d0b-9d63-5a3b7b0f1c02',
      title: 'Windows Brute Force From One Source Address',
      level: 'high',
      author: 'Vigil',
    });
    assert.equal(first.time, '2026-11-21T10:02:00.000Z');
    assert.equal(first.count, 5);
    assert.equal(first.events.length, 5);
    assert.match(first.events[0], /^\d+\.\d+$/);
  });

  it('prints readable lines by default and reads stdin with -', () => {
    const r = vigil(['replay', '--no-actions', '-'], ndjson(burst('203.0.113.7', 5, new Date('2026-11-21T10:00:00Z'), 1000)));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /HIGH\s+Windows Brute Force From One Source Address\s+\[IpAddress=203\.0\.113\.7\]\s+count=5/);
    assert.match(r.stderr, /5 events read, 1 detections/);
  });

  it('--rules replaces the built-in rules', () => {
    const rules = join(dir, 'rules');
    writeFileSync(join(dir, 'only.yml'), 'title: Any 4625\nid: t-1\nlogsource: {product: windows, service: security}\ndetection:\n  s: {EventID: 4625}\n  condition: s\nlevel: low\n');
    void rules;
    const r = vigil(['replay', '--json', '--no-actions', '--rules', join(dir, 'only.yml'), file]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 11);
    assert.ok(lines.every((l) => l.rule.id === 't-1'));
  });

  it('a broken line is reported with file and line; the rest still runs; exit code 2', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, ndjson(burst('203.0.113.7', 3, new Date('2026-11-21T10:00:00Z'), 1000)) + '{"rule": oops}\n' + '{"eventID": "4625", oops}\n');
    const r = vigil(['replay', '--no-actions', '--validate', bad]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.json:4: invalid JSON/);
    assert.match(r.stderr, /bad\.json:5: invalid JSON/);
    assert.match(r.stderr, /3 events read/);
    // Without --validate a record no rule can match is not parsed, so not checked; one a rule could match is.
    const fast = vigil(['replay', '--no-actions', bad]);
    assert.equal(fast.status, 2);
    assert.doesNotMatch(fast.stderr, /bad\.json:4/);
    assert.match(fast.stderr, /bad\.json:5: invalid JSON/);
    assert.match(fast.stderr, /1 records not parsed: no loaded rule can match them/);
  });

  it('a record over ingest.maxAlertBytes is skipped and named with its line and size; the rest still runs; exit code 2', () => {
    const big = join(dir, 'big.json');
    const huge = JSON.stringify({ ...burst('203.0.113.9', 1, new Date('2026-11-21T09:00:00Z'), 1000)[0], pad: 'x'.repeat(10_000) });
    writeFileSync(big, `${huge}\n${ndjson(burst('203.0.113.7', 5, new Date('2026-11-21T10:00:00Z'), 1000))}`);
    const config = join(dir, 'small-alerts.yaml');
    writeFileSync(config, 'ingest:\n  maxAlertBytes: 4096\n');
    const r = vigil(['replay', '--no-actions', '--config', config, big]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`big\\.json:1: a record of ${Buffer.byteLength(huge)} bytes, more than ingest\\.maxAlertBytes \\(4096\\): skipped`));
    assert.match(r.stderr, /5 events read, 1 detections, 1 unreadable records/);
    assert.match(r.stdout, /Windows Brute Force From One Source Address\s+\[IpAddress=203\.0\.113\.7\]/);
  });

  it('a missing file is a clear error', () => {
    const r = vigil(['replay', '--no-actions', join(dir, 'nope.json')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /vigil: .*no such file/i);
  });

  const wazuhDir = join(SHARED, 'data/wazuh');
  const samples = existsSync(wazuhDir) ? readdirSync(wazuhDir).filter((f) => /\.(json|ndjson)$/.test(f) && !f.startsWith('schema-')) : [];
  it('every real Wazuh sample that holds alerts replays without error', { skip: samples.length === 0 && `no shared data at ${wazuhDir}` }, () => {
    for (const f of samples) {
      // --validate: every record parsed and checked, also those no rule could match
      const r = vigil(['replay', '--no-actions', '--validate', join(wazuhDir, f)]);
      assert.equal(r.status, 0, `${f}: ${r.stderr}`);
      assert.match(r.stderr, /[1-9]\d* events read/, `${f} yields events`);
      // and without it, the same detections from fewer parses
      const fast = vigil(['replay', '--no-actions', '--json', join(wazuhDir, f)]);
      const slow = vigil(['replay', '--no-actions', '--json', '--validate', join(wazuhDir, f)]);
      assert.equal(fast.stdout, slow.stdout, `${f}: the prefilter changes no detection`);
    }
  });
});
