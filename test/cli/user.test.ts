// `vigil user add` makes the first admin from the shell; the server then accepts that login and makes no
// other admin at first start.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/fixtures.js';
import { login } from '../helpers/session.js';
import { startVigil } from '../helpers/vigil.js';

const BIN = join(ROOT, 'dist/src/cli/main.js');

describe('vigil user', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-user-'));
  const config = join(dir, 'vigil.yaml');
  writeFileSync(config, `database:\n  url: ${join(dir, 'vigil.db')}\n`);
  const run = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, ...args, '--config', config], { encoding: 'utf8', input });

  it('adds an admin with a password from stdin, and the dashboard accepts it', async () => {
    const r = run(['user', 'add', 'alice', '--role', 'admin', '--password-stdin'], 'a long enough secret\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /user alice added with role admin/);
    assert.doesNotMatch(r.stdout, /password/);
    const v = await startVigil({ database: { url: join(dir, 'vigil.db') } }, 'sqlite', dir);
    try {
      assert.equal(v.vigil.firstAdmin, undefined, 'no generated admin when a user exists');
      const s = await login(v, 'alice', 'a long enough secret');
      assert.ok(s.csrf);
    } finally {
      await v.stop();
    }
  });

  it('generates and prints a password once when none is given; lists users', () => {
    const r = run(['user', 'add', 'bob', '--role', 'viewer']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /password \(shown once\): \S{16,}/);
    const list = run(['user', 'list']);
    assert.match(list.stdout, /^alice\tadmin\t/m);
    assert.match(list.stdout, /^bob\tviewer\t/m);
  });

  it('refuses a duplicate, a short password and an unknown role with a clear message', () => {
    assert.match(run(['user', 'add', 'alice', '--password-stdin'], 'another long secret\n').stderr, /user "alice" already exists/);
    assert.match(run(['user', 'add', 'carol', '--password-stdin'], 'short\n').stderr, /at least 10 characters/);
    const bad = run(['user', 'add', 'dave', '--role', 'root']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /role "root": expected viewer, analyst or admin/);
  });

  it('at first start with no user, makes admin with a one-time password that works', async () => {
    const v = await startVigil();
    try {
      assert.ok(v.vigil.firstAdmin);
      assert.equal(v.vigil.firstAdmin.name, 'admin');
      await login(v, 'admin', v.vigil.firstAdmin.password);
    } finally {
      await v.stop();
    }
  });
});
