// Playbooks: what matches, how a bad playbook is reported (naming the playbook and the key), the default
// playbook, and `vigil playbooks test` showing the plan without running it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultPlaybook, parsePlaybooksFile, PlaybookError, resolvePlaybooks } from '../../src/act/playbooks/load.js';
import { glob, matchPlaybook } from '../../src/act/playbooks/match.js';
import { inhibitionFloor, planActions } from '../../src/act/playbooks/plan.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { playbookSchema } from '../../src/config/playbooks.js';
import { burst, ndjson, ROOT } from '../helpers/fixtures.js';
import { sampleIncident, sampleNotification } from '../helpers/notification.js';
import { post, startVigil } from '../helpers/vigil.js';

const RULE = { id: 'b1e5a2c7-0000-4000-8000-000000000001', title: 'Windows Brute Force From One Source Address', level: 'high' as const, tags: ['attack.credential_access', 'attack.t1110'] };
const pb = (o: Record<string, unknown>) => playbookSchema.parse({ name: 'p', actions: [{ notify: 'email' }], ...o });
const ctx = (o: Partial<Parameters<typeof matchPlaybook>[1]> = {}) => ({ incident: sampleIncident('203.0.113.7'), rule: RULE, change: 'opened' as const, time: Date.parse('2026-11-23T09:30:00Z'), ...o });

describe('playbook matching', () => {
  it('globs match whole strings, case-insensitively, and treat the text as data', () => {
    assert.equal(glob('*brute force*', RULE.title), true);
    assert.equal(glob('Windows*', RULE.title), true);
    assert.equal(glob('Brute*', RULE.title), false);
    assert.equal(glob('203.0.113.*', '203.0.113.7'), true);
    assert.equal(glob('203.0.113.*', '203x0x113x7'), false, 'a dot is a dot, not a regex wildcard');
    assert.equal(glob('a*b*c', 'abc'), true);
    assert.equal(glob('a*b*c', 'acb'), false);
  });

  it('checks rule, tags, severity, entity, change and time of day, and says why not', () => {
    assert.deepEqual(matchPlaybook(pb({ match: { rules: ['*Brute*'], tags: ['attack.t1110'], severity: 'high', entity: { IpAddress: '203.0.113.*' } } }), ctx()), { matched: true });
    const no = (o: Record<string, unknown>, c = ctx()) => {
      const r = matchPlaybook(pb({ match: o }), c);
      return r.matched ? 'matched' : r.because;
    };
    assert.match(no({ rules: ['*Spray*'] }), /matches none of \*Spray\*/);
    assert.match(no({ tags: ['attack.t1078'] }), /include none of attack\.t1078/);
    assert.match(no({ severity: 'critical' }), /severity high is below critical/);
    assert.match(no({ entity: { IpAddress: '198.51.100.*' } }), /entity IpAddress=203\.0\.113\.7 does not match/);
    assert.match(no({ entity: { TargetUserName: '*' } }), /TargetUserName=\(absent\)/);
    assert.match(no({}, ctx({ change: 'updated' })), /change "updated" is not one of opened, escalated, resolved/);
    // 09:30 UTC on a Monday is 10:30 in Berlin.
    assert.equal(no({ time: { from: '08:00', to: '18:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], timezone: 'Europe/Berlin' } }), 'matched');
    assert.match(no({ time: { from: '18:00', to: '08:00', timezone: 'Europe/Berlin' } }), /10:30 Europe\/Berlin is outside 18:00–08:00/);
    assert.equal(no({ time: { from: '18:00', to: '08:00', timezone: 'America/Los_Angeles' } }), 'matched', 'a window across midnight');
    assert.match(no({ time: { days: ['sat', 'sun'] } }), /mon is not one of sat, sun/);
  });

  it('inhibition holds back only the notifications of playbooks that inhibit, by a stronger incident of their level and entity kinds', () => {
    const stronger = { id: 'S', title: 'Windows Successful Logon After Brute Force — 203.0.113.7', level: 'critical' as const, score: 100, shared: { kind: 'ip' as const, value: '203.0.113.7' } };
    const list = [
      pb({ name: 'quiet', actions: [{ notify: 'email' }, { block: { mode: 'dry-run' } }], inhibit: { mode: 'silence' } }),
      pb({ name: 'loud', actions: [{ notify: 'slack' }] }),
      pb({ name: 'users-only', actions: [{ notify: 'jira' }], inhibit: { mode: 'fold', on: ['user'] } }),
    ];
    const plan = planActions(list, { ...ctx({ change: 'escalated' }), stronger });
    assert.deepEqual(
      plan.actions.map((a) => ('notify' in a ? `${a.playbook}:notify:${a.notify}` : `${a.playbook}:block:${a.block.mode}`)),
      ['quiet:block:dry-run', 'loud:notify:slack', 'users-only:notify:jira'],
      'the block still goes; an address does not count for a playbook that inhibits on users',
    );
    assert.deepEqual(plan.inhibited, [{ playbook: 'quiet', mode: 'silence', channels: ['email'] }]);
    assert.equal(plan.stronger, stronger);
    // Below `by`: no inhibition; no stronger incident: none.
    assert.deepEqual(planActions(list, { ...ctx(), stronger: { ...stronger, level: 'high' } }).inhibited, []);
    assert.deepEqual(planActions(list, ctx()).inhibited, []);
    assert.deepEqual(inhibitionFloor(list), { level: 'critical', on: ['ip', 'user', 'host'] });
    assert.equal(inhibitionFloor([pb({})]), undefined, 'no playbook inhibits: nothing to look up');
    assert.throws(() => pb({ inhibit: { mode: 'hush' } }));
  });

  it('plans each channel once, one block decision, and stops at continue: false', () => {
    const list = [
      pb({ name: 'a', actions: [{ notify: 'email' }, { block: { mode: 'dry-run' } }] }),
      pb({ name: 'b', actions: [{ notify: 'email' }, { notify: 'slack' }, { block: { mode: 'automatic' } }], continue: false }),
      pb({ name: 'c', actions: [{ notify: 'jira' }] }),
    ];
    const plan = planActions(list, ctx());
    assert.deepEqual(
      plan.actions.map((a) => ('notify' in a ? `${a.playbook}:notify:${a.notify}` : `${a.playbook}:block:${a.block.mode}`)),
      ['a:notify:email', 'a:block:dry-run', 'b:notify:slack'],
    );
    assert.deepEqual(plan.considered.map((c) => c.playbook), ['a', 'b']);
  });

  it('a channel notified by two playbooks carries the comment thread when either asks for it', () => {
    const list = [pb({ name: 'a', actions: [{ notify: 'email' }] }), pb({ name: 'b', actions: [{ notify: 'email', comments: true }, { notify: 'slack' }] })];
    const plan = planActions(list, ctx());
    assert.deepEqual(
      plan.actions.map((a) => ('notify' in a ? [a.notify, a.comments] : [])),
      [
        ['email', true],
        ['slack', false],
      ],
    );
  });

  it('the default playbook notifies every enabled channel on opened, escalated and resolved', () => {
    const [d] = defaultPlaybook(['email', 'teams']);
    assert.deepEqual(d!.actions, [{ notify: 'email', comments: false }, { notify: 'teams', comments: false }]);
    assert.equal(planActions([d!], ctx({ change: 'resolved' })).actions.length, 2);
    assert.equal(planActions([d!], ctx({ change: 'updated' })).actions.length, 0, 'routine updates are not noise');
    assert.deepEqual(resolvePlaybooks([], '', ['email']).map((p) => p.name), ['default']);
  });
});

describe('playbook validation', () => {
  it('names the playbook and the key in vigil.yaml', () => {
    const yaml = `channels:\n  email:\n    enabled: true\nplaybooks:\n  - name: block-ssh\n    match:\n      severity: urgent\n    actions:\n      - block: { mode: sometimes }\n`;
    assert.throws(
      () => parseConfig(yaml, 'vigil.yaml', {}),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /vigil\.yaml:7: playbook "block-ssh"\.match\.severity: /);
        assert.match(e.message, /playbook "block-ssh"\.actions\.0/);
        return true;
      },
    );
    assert.throws(() => parseConfig('playbooks:\n  - name: x\n    actions: [{ notify: email }]\n    matc: {}\n', 'v.yaml', {}), /v\.yaml:\d+: playbook "x": unknown key "matc"/);
  });

  it('names file, line, playbook and key in a playbooks file', () => {
    const text = `- name: ok\n  actions: [{ notify: email }]\n- name: night-shift\n  match:\n    time: { from: "25:00" }\n  actions: [{ notify: email }]\n`;
    assert.throws(() => parsePlaybooksFile(text, 'playbooks.yaml'), /playbooks\.yaml:5: playbook "night-shift"\.match\.time\.from: a time of day HH:MM/);
  });

  it('refuses a playbook that notifies a channel that is not enabled, and a name used twice', () => {
    assert.throws(() => resolvePlaybooks([pb({ name: 'tickets', actions: [{ notify: 'jira' }] })], '', ['email']), (e: Error) => e instanceof PlaybookError && /playbook "tickets"\.actions\.0\.notify: channel "jira" is not enabled \(channels\.jira\.enabled\)/.test(e.message));
    assert.throws(() => resolvePlaybooks([pb({ name: 'x' }), pb({ name: 'x' })], '', ['email']), /playbook "x": the name is used twice/);
  });
});

describe('vigil playbooks test', () => {
  const BIN = join(ROOT, 'dist/src/cli/main.js');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pb-'));
  const config = join(dir, 'vigil.yaml');
  writeFileSync(
    config,
    `database:\n  url: ${join(dir, 'vigil.db')}\nchannels:\n  email:\n    enabled: true\n    to: [soc@example.org]\nactions:\n  response:\n    allowlist: [198.51.100.0/24]\nplaybooks:\n  - name: brute-force\n    match: { rules: ["*Brute Force*"], severity: high }\n    actions: [{ notify: email }, { block: { mode: approval } }]\n  - name: criticals-only\n    match: { severity: critical }\n    actions: [{ notify: email }]\n`,
  );
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'playbooks', 'test', ...args, '--config', config], { encoding: 'utf8' });

  it('shows the plan for a notification file, with the guard verdict, and runs nothing', () => {
    const file = join(dir, 'n.json');
    writeFileSync(file, JSON.stringify({ notification: { ...sampleNotification({ ip: '203.0.113.9' }), agents: ['003'] } }));
    const r = run(file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /match\s+brute-force/);
    assert.match(r.stdout, /no\s+criticals-only — severity high is below critical/);
    assert.match(r.stdout, /actions \(not run\):\n  notify email {2}\(playbook brute-force\)\n  block 203\.0\.113\.9 on 003, mode approval {2}\(playbook brute-force\) — would pass/);
    const allowlisted = join(dir, 'a.json');
    writeFileSync(allowlisted, JSON.stringify(sampleNotification({ ip: '198.51.100.5' })));
    assert.match(run(allowlisted).stdout, /block 198\.51\.100\.5 on —, mode approval .* refused: 198\.51\.100\.5 is allowlisted/);
    assert.match(run(file, '--change', 'updated').stdout, /actions: none/);
  });

  it('reads an incident from the database by id', async () => {
    const v = await startVigil({ database: { url: join(dir, 'vigil.db') }, channels: { email: { enabled: true, host: '127.0.0.1', port: 9, to: ['soc@example.org'] } }, actions: { outbox: { poll: '1h' } } }, 'sqlite', dir);
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst('203.0.113.77', 6, new Date(Date.now() - 60_000), 5000)))).status, 202);
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      id = (await v.vigil.store.db.selectFrom('incidents').select('id').executeTakeFirst())?.id;
      if (!id) await new Promise((r) => setTimeout(r, 50));
    }
    await v.stop();
    const r = run(id!);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`incident ${id}: Windows Brute Force`));
    assert.match(r.stdout, /block 203\.0\.113\.77 on 003, mode approval/);
    const missing = run('no-such-incident');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /vigil: no incident no-such-incident in .*, and no file of that name/);
  });
});
