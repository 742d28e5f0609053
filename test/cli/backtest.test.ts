// vigil rules backtest as an operator runs it: against the database a real Vigil recorded (its stored alerts),
// with a filters file; it prints the incidents that would vanish per rule, and changes nothing in the store.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT } from '../helpers/fixtures.js';
import { userSession } from '../helpers/session.js';
import { BACKUP_HOST, BRUTE_FORCE, NIGHTLY, seedBackupNoise } from '../helpers/tuning.js';
import { startVigil, type Running } from '../helpers/vigil.js';
import { openDatabase } from '../../src/store/db.js';

const BIN = join(ROOT, 'dist/src/cli/main.js');

const FILTER = `title: Not the backup job
logsource:
  product: windows
  service: security
filter:
  rules:
    - windows_failed_logon
  selection:
    TargetUserName: svc_backup
  condition: not selection
`;

describe('vigil rules backtest', () => {
  let v: Running;
  let config: string;
  let filters: string;
  let before0: { incidents: number; audit: number };

  const counts = async () => {
    const store = await openDatabase(join(v.dir, 'vigil.db'));
    try {
      const n = async (t: 'incidents' | 'audit_log') => Number((await store.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      return { incidents: await n('incidents'), audit: await n('audit_log') };
    } finally {
      await store.close();
    }
  };

  before(async () => {
    v = await startVigil(NIGHTLY);
    await seedBackupNoise(v, await userSession(v, 'anna', 'analyst'));
    await v.stop();
    config = join(v.dir, 'vigil.yaml');
    writeFileSync(config, `database:\n  url: ${join(v.dir, 'vigil.db')}\ntriage:\n  quietPeriod: 1h\n  reopenWindow: 1h\n`);
    filters = join(v.dir, 'proposed.yml');
    writeFileSync(filters, FILTER);
    before0 = await counts();
  });

  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'rules', 'backtest', '-c', config, ...args], { encoding: 'utf8', cwd: v.dir, timeout: 60_000 });

  it('prints the incidents that would vanish per rule, and the true brute force stays', () => {
    const r = run('--filters', filters, '--since', '30d');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /24 stored alerts replayed/);
    assert.match(r.stdout, /incidents: 4 with the rules in force, 1 with the proposal \(3 would vanish, 0 would appear\)/);
    assert.match(r.stdout, new RegExp(`Windows Brute Force From One Source Address \\[${BRUTE_FORCE}\\]: 4 -> 1 incidents`));
    assert.equal(r.stdout.match(new RegExp(`- vanishes .* IpAddress=${BACKUP_HOST.replace(/\./g, '\\.')}`, 'g'))?.length, 3);
    // Each night had six failures, and each vanishing incident counts its own six (the replay hands the pipeline
    // several nights in one batch).
    assert.equal(r.stdout.match(new RegExp(`- vanishes .* IpAddress=${BACKUP_HOST.replace(/\./g, '\\.')}  \\(6 events\\)`, 'g'))?.length, 3, r.stdout);
    assert.doesNotMatch(r.stdout, /appears/);
  });

  it('--json gives the whole result; a shorter window replays fewer alerts', () => {
    const r = run('--filters', filters, '--since', '30d', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.totals, { current: 4, proposed: 1, vanished: 3, appeared: 0 });
    assert.ok(j.alertsPerSecond > 0);
    // Alerts are selected by when they were received (all of them minutes ago), not by their own event times (days ago).
    assert.equal(JSON.parse(run('--filters', filters, '--since', '1h', '--json').stdout).alerts, 24);
    const none = JSON.parse(run('--filters', filters, '--since', '0m', '--json').stdout);
    assert.deepEqual([none.alerts, none.totals.current], [0, 0]);
  });

  it('--rules replaces the rules on the proposed side: a higher threshold leaves none of the four', () => {
    const dir = join(v.dir, 'proposed-rules');
    mkdirSync(dir);
    const text = readFileSync(join(ROOT, 'rules/windows/brute_force_4625.yml'), 'utf8');
    assert.match(text, /gte: 5\n/);
    writeFileSync(join(dir, 'brute_force_4625.yml'), text.replace(/gte: 5\n/, 'gte: 10\n'));
    const r = run('--rules', dir, '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const bf = j.rules.find((d: { ruleId: string }) => d.ruleId === BRUTE_FORCE);
    assert.deepEqual([bf.current, bf.proposed, bf.vanishedCount], [4, 0, 4]);
    assert.equal(j.totalRules, j.replayedRules, 'every built-in rule is gone or changed on the proposed side: all are replayed');
  });

  it('changes nothing in the store', async () => {
    assert.deepEqual(await counts(), before0);
  });

  it('refuses a filter that names an unknown rule, and a missing proposal', () => {
    writeFileSync(filters + '.bad', FILTER.replace('windows_failed_logon', 'no_such_rule'));
    const bad = run('--filters', filters + '.bad');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown rule\(s\): no_such_rule/);
    const nothing = run();
    assert.equal(nothing.status, 1);
    assert.match(nothing.stderr, /--filters FILE/);
    const since = run('--filters', filters, '--since', 'yesterday');
    assert.equal(since.status, 1);
    assert.match(since.stderr, /--since: expected a duration/);
  });
});
