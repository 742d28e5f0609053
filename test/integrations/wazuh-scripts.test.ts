// The scripts an operator copies onto the Wazuh manager, run as Wazuh runs them: integratord's argv with temp
// files named like its own, execd's one-line stdin message and the check_keys handshake.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { failedLogon4625, sharedFile } from '../helpers/fixtures.js';
import { startVigil, type Running } from '../helpers/vigil.js';

const SCRIPT = join(PACKAGE_ROOT, 'integrations/wazuh/custom-vigil');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell, as wpopenv does, optionally playing execd on its stdin and stdout. */
function run(file: string, args: string[], stdin?: (line: string) => string | undefined, firstLine?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout += line + '\n';
      const answer = stdin?.(line);
      if (answer !== undefined) child.stdin.write(answer + '\n');
    });
    if (firstLine !== undefined) child.stdin.write(firstLine + '\n');
    else child.stdin.end();
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const alertFiles = (dir: string, alert: unknown, options = '') => {
  const stem = join(dir, `custom-vigil-${Math.floor(Date.now() / 1000)}-${Math.floor(Math.random() * 1e9)}`);
  writeFileSync(`${stem}.alert`, JSON.stringify(alert));
  writeFileSync(`${stem}.options`, options);
  return { alert: `${stem}.alert`, options: `${stem}.options` };
};

describe('integrations/wazuh/custom-vigil (integratord)', () => {
  let v: Running;
  let dir: string;
  let hook: string;
  const recorded = async () => (await v.vigil.store.db.selectFrom('alerts').select(['event_id', 'source']).execute()).map((r) => r.event_id);

  before(async () => {
    v = await startVigil();
    dir = mkdtempSync(join(tmpdir(), 'vigil-integratord-'));
    hook = `${v.url}/api/v1/ingest/wazuh`;
  });
  after(() => v.stop());

  it('posts the alert with the 4.8+ argv (timeout, retries, and the trailing redirection words) and exits 0', async () => {
    const a = failedLogon4625({ ip: '203.0.113.50', time: new Date(), id: '1763720000.101' });
    const f = alertFiles(dir, a, '{"verify_tls": true}');
    const r = await run(SCRIPT, [f.alert, 'test-token', hook, '', f.options, '10', '3', '>', '/dev/null', '2>&1']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await recorded()).includes('1763720000.101'));
  });

  it('works with the shorter argv of Wazuh 4.6 and earlier', async () => {
    const f = alertFiles(dir, failedLogon4625({ ip: '203.0.113.51', time: new Date(), id: '1763720000.102' }));
    const r = await run(SCRIPT, [f.alert, 'test-token', hook, 'debug']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /sent \(202\)/);
    assert.ok((await recorded()).includes('1763720000.102'));
  });

  it('a wrong token fails at once with a non-zero exit that names the answer', async () => {
    const f = alertFiles(dir, failedLogon4625({ ip: '203.0.113.52', time: new Date(), id: '1763720000.103' }));
    const r = await run(SCRIPT, [f.alert, 'wrong', hook, '', f.options, '10', '3']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused the alert with 401/);
    assert.ok(!(await recorded()).includes('1763720000.103'));
  });

  it('refuses an alert file that is not JSON (alert_format json missing) with exit 2', async () => {
    const alert = join(dir, 'custom-vigil-1-2.alert');
    writeFileSync(alert, "alertdate='2026 Nov 21 10:00:00' alertlocation='EventChannel' ruleid='60122'");
    const r = await run(SCRIPT, [alert, 'test-token', hook]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /alert_format>json/);
  });
});

describe('custom-vigil retries', () => {
  let server: Server;
  let url: string;
  const answers: number[] = [];
  let seen = 0;
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      seen++;
      const status = answers.shift() ?? 202;
      res.writeHead(status, status === 503 ? { 'retry-after': '0', 'content-type': 'application/json' } : { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 202 ? { accepted: 1, duplicates: 0 } : { error: 'busy' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/ingest/wazuh`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('retries a 503 after its Retry-After and succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-retry-'));
    answers.push(503, 503);
    seen = 0;
    const f = alertFiles(dir, failedLogon4625({ ip: '203.0.113.60', time: new Date() }));
    const r = await run(SCRIPT, [f.alert, 'tok', url, '', f.options, '5', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(seen, 3);
  });

  it('gives up after the configured retries with a non-zero exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-retry-'));
    answers.push(503, 503, 503);
    seen = 0;
    const f = alertFiles(dir, failedLogon4625({ ip: '203.0.113.61', time: new Date() }));
    const r = await run(SCRIPT, [f.alert, 'tok', url, '', f.options, '5', '1']);
    assert.equal(r.code, 1);
    assert.equal(seen, 2);
    assert.match(r.stderr, /giving up after 2 attempts/);
    answers.length = 0;
  });

  it('exits non-zero when Vigil cannot be reached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-retry-'));
    const f = alertFiles(dir, failedLogon4625({ ip: '203.0.113.62', time: new Date() }));
    const r = await run(SCRIPT, [f.alert, 'tok', 'http://127.0.0.1:9/none', '', f.options, '2', '0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot reach/);
  });
});

describe('integrations/wazuh/vigil-forward (active response, Wazuh >= 4.2)', () => {
  let v: Running;
  let script: string;
  const recorded = async () => (await v.vigil.store.db.selectFrom('alerts').select('event_id').execute()).map((r) => r.event_id);

  before(async () => {
    v = await startVigil();
    // A Wazuh home as execd sees it: active-response/bin/<script>, etc/<settings>.
    const home = mkdtempSync(join(tmpdir(), 'vigil-ossec-'));
    mkdirSync(join(home, 'active-response', 'bin'), { recursive: true });
    mkdirSync(join(home, 'etc'));
    script = join(home, 'active-response', 'bin', 'vigil-forward');
    copyFileSync(join(PACKAGE_ROOT, 'integrations/wazuh/vigil-forward'), script);
    writeFileSync(join(home, 'etc', 'vigil-forward.conf'), JSON.stringify({ url: `${v.url}/api/v1/ingest/wazuh`, token: 'test-token', timeout: 5, retries: 1 }));
  });
  after(() => v.stop());

  const message = (alert: Record<string, unknown>, command = 'add') =>
    JSON.stringify({
      version: 1,
      origin: { name: 'node01', module: 'wazuh-execd' },
      command,
      parameters: { extra_args: [], alert, program: 'active-response/bin/vigil-forward' },
    });

  it('answers the check_keys handshake and, on continue, forwards parameters.alert', async () => {
    const alert = failedLogon4625({ ip: '203.0.113.70', time: new Date(), id: '1763720000.201' });
    const handshakes: any[] = [];
    const r = await run(script, [], (line) => {
      handshakes.push(JSON.parse(line));
      return JSON.stringify({ version: 1, origin: { name: 'node01', module: 'wazuh-execd' }, command: 'continue', parameters: {} });
    }, message(alert));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(handshakes.length, 1);
    assert.deepEqual(handshakes[0], {
      version: 1,
      origin: { name: 'vigil-forward', module: 'active-response' },
      command: 'check_keys',
      parameters: { keys: ['1763720000.201'] },
    });
    assert.ok((await recorded()).includes('1763720000.201'));
  });

  it('on abort it sends nothing; on delete it neither asks nor sends', async () => {
    const a = failedLogon4625({ ip: '203.0.113.71', time: new Date(), id: '1763720000.202' });
    const aborted = await run(script, [], () => JSON.stringify({ version: 1, command: 'abort', parameters: {} }), message(a));
    assert.equal(aborted.code, 0);
    const deleted = await run(script, [], () => assert.fail('no handshake on delete'), message(a, 'delete'));
    assert.equal(deleted.code, 0);
    assert.equal(deleted.stdout, '');
    assert.ok(!(await recorded()).includes('1763720000.202'));
  });

  it('forwards the real Wazuh firewall-drop stdin sample (when the shared samples are present)', async (t) => {
    const sample = sharedFile('data/wazuh/ar-stdin-firewall-drop-31168.json');
    if (!existsSync(sample)) return t.skip(`no shared sample at ${sample}`);
    const msg = JSON.parse(readFileSync(sample, 'utf8'));
    const r = await run(script, [], () => JSON.stringify({ version: 1, command: 'continue', parameters: {} }), JSON.stringify(msg));
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await recorded()).includes(msg.parameters.alert.id));
  });

  it('a message that is not JSON exits 2 and says what it expected', async () => {
    const r = await run(script, [], undefined, 'add - 203.0.113.9 1763720000.1 60122');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Wazuh >= 4\.2/);
  });
});
