// What an operator meets when starting Vigil (item 18 of issue 12): `--version`; a port in use is a clear
// error and an exit, not a process that lives on without its API; an enabled email channel without
// recipients stops start-up; the ingest token is "generated" only on the start that generated it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/fixtures.js';

const BIN = join(ROOT, 'dist/src/cli/main.js');

function config(dir: string, extra = '', level = 'error'): string {
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, `database:\n  url: ${join(dir, 'vigil.db')}\nlog:\n  level: ${level}\n${extra}`);
  return file;
}

/** Runs `vigil serve` until it prints the banner or exits; returns what it printed and its exit code. */
function serveOnce(args: string[], cwd: string, ms = 30_000): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, 'serve', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const done = (code: number | null) => {
      clearTimeout(timer);
      resolve({ out, code });
    };
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      done(null);
    }, ms);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Dashboard:')) p.kill('SIGTERM');
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    p.on('exit', (code) => done(code));
  });
}

describe('vigil for the operator', () => {
  it('--version prints the package version', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('a port in use: a clear error naming the address, and the process exits', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-op-'));
    try {
      const r = await serveOnce(['--config', config(dir), '--listen', `127.0.0.1:${port}`], dir);
      assert.notEqual(r.code, null, 'it exited (it did not hang)');
      assert.notEqual(r.code, 0);
      assert.match(r.out, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('an enabled email channel without recipients stops start-up, naming the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-op-'));
    const r = spawnSync(process.execPath, [BIN, 'serve', '--config', config(dir, 'channels:\n  email:\n    enabled: true\n    host: 127.0.0.1\n')], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /channels\.email\.to: set at least one recipient/);
  });

  it('the ingest token is "generated" on the first start only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-op-'));
    const file = config(dir);
    const first = await serveOnce(['--config', file, '--listen', '127.0.0.1:0'], dir);
    assert.match(first.out, /the ingest token was generated and saved in/);
    const second = await serveOnce(['--config', file, '--listen', '127.0.0.1:0'], dir);
    assert.doesNotMatch(second.out, /was generated/);
    assert.match(second.out, /the ingest token is the one kept in/);
  });
});

describe('item 6: a block playbook without a Wazuh API', () => {
  it('does not start when the playbook would approve or run blocks: each would be refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-op-'));
    const file = config(dir, 'playbooks:\n  - name: block-brute-force\n    actions: [{ block: { mode: approval } }]\n', 'warn');
    const r = await serveOnce(['--config', file, '--listen', '127.0.0.1:0'], dir);
    assert.notEqual(r.code, 0);
    assert.notEqual(r.code, null, 'it exits, it does not serve');
    assert.match(r.out, /playbook "block-brute-force" blocks addresses, but no Wazuh API is configured: set wazuh\.api\.url/);
    assert.doesNotMatch(r.out, /Dashboard:/);
  });

  it('in dry-run mode it starts, with a loud warning that blocks are never run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-op-'));
    const file = config(dir, 'playbooks:\n  - name: block-brute-force\n    actions: [{ block: { mode: dry-run } }]\n', 'warn');
    const r = await serveOnce(['--config', file, '--listen', '127.0.0.1:0'], dir);
    assert.match(r.out, /DRY RUN ONLY: playbooks propose blocks, but no Wazuh API is configured \(wazuh\.api\.url\)/);
    assert.match(r.out, /block-brute-force/);
    assert.match(r.out, /Dashboard:/);
  });
});
