// kill -9 in the middle of a burst, then a restart: every alert that was acknowledged is processed, the attack
// that spans the restart is detected once, and exactly one email goes out. Runs the real `vigil serve` binary.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { startSmtp } from '../helpers/smtp.js';
import { freePort, until } from '../helpers/vigil.js';

const MAIN = join(PACKAGE_ROOT, 'dist/src/cli/main.js');

function serve(config: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Vigil is listening')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`vigil serve exited (${code}) before listening:\n${out}\n${err}`)));
  });
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));

describe('kill -9 and restart', () => {
  it('in the middle of a burst: every acknowledged alert is processed and exactly one email is sent', async () => {
    const smtp = await startSmtp();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-kill-'));
    const port = await freePort();
    const file = join(dir, 'alerts.json');
    writeFileSync(file, '');
    const config = join(dir, 'vigil.yaml');
    writeFileSync(
      config,
      [
        'server:',
        `  listen: 127.0.0.1:${port}`,
        'ingest:',
        '  token: kill-test-token',
        'database:',
        `  url: ${join(dir, 'vigil.db')}`,
        'sources:',
        '  alertsFile:',
        '    enabled: true',
        `    path: ${file}`,
        '    startAt: beginning',
        '    pollInterval: 50ms',
        'channels:',
        '  email:',
        '    enabled: true',
        '    host: 127.0.0.1',
        `    port: ${smtp.port}`,
        '    to: [soc@example.org]',
        'log:',
        '  level: warn',
        '  format: json',
        '',
      ].join('\n'),
    );
    const url = `http://127.0.0.1:${port}/api/v1/ingest/wazuh`;
    const alerts = burst('198.51.100.77', 30, new Date(Date.now() - 120_000), 3_000);
    const acked = new Set<string>();
    const send = async (a: Record<string, unknown>) => {
      try {
        const res = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer kill-test-token', 'content-type': 'application/json' }, body: JSON.stringify(a) });
        if (res.status === 202) acked.add(a.id as string);
      } catch {
        // connection refused or reset by the kill: not acknowledged, so the sender keeps it
      }
    };

    let child = await serve(config);
    // The first third as single posts, several in flight; SIGKILL lands while some are unanswered.
    const first = alerts.slice(0, 10);
    const inflight = first.map((a, i) => new Promise((r) => setTimeout(r, i * 5)).then(() => send(a)));
    await until(() => acked.size >= 3, 10_000, 'some acknowledgements');
    child.kill('SIGKILL');
    await Promise.all(inflight);
    await exited(child);
    const ackedBeforeKill = new Set(acked);
    assert.ok(ackedBeforeKill.size >= 3);

    // While Vigil is down, Wazuh keeps writing alerts.json.
    appendFileSync(file, ndjson(alerts.slice(10, 20)));

    child = await serve(config);
    try {
      // The sender resends what was never acknowledged (integratord's retries), then the rest of the burst.
      for (const a of first) if (!acked.has(a.id as string)) await send(a);
      for (const a of alerts.slice(20)) await send(a);
      await smtp.waitFor(1, 20_000);

      const db = new Database(join(dir, 'vigil.db'), { readonly: true });
      try {
        await until(
          () => (db.prepare('select count(*) as n from alerts').get() as { n: number }).n === 30,
          10_000,
          'all 30 alerts recorded once',
        );
        const ids = new Set((db.prepare('select event_id from alerts').all() as { event_id: string }[]).map((r) => r.event_id));
        for (const id of ackedBeforeKill) assert.ok(ids.has(id), `acknowledged alert ${id} was kept`);
        await until(
          () => Number((db.prepare("select value from cursors where name = 'pipeline'").get() as { value: string } | undefined)?.value ?? 0) >= 30,
          10_000,
          'every recorded alert processed',
        );
        const detections = db.prepare('select count(*) as n from detections').get() as { n: number };
        assert.equal(detections.n, 1, 'the attack spanning the restart is detected once');
        await until(() => (db.prepare("select count(*) as n from outbox where state != 'delivered'").get() as { n: number }).n === 0, 10_000, 'the outbox to drain');
      } finally {
        db.close();
      }
      assert.equal(smtp.messages.length, 1);
      assert.match(smtp.messages[0]!.subject ?? '', /198\.51\.100\.77/);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      await smtp.close();
    }
  });
});
