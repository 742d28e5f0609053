// Nothing a test run does may reach beyond this machine. Vigil, the test SMTP server and headless Chromium run
// one real exchange under `strace -f -e trace=connect`; every address connected to must be a loopback address.
// (Chromium's IPv6 reachability probe is the case this guards: see test/helpers/chromium-ipv4-only.sh.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chromiumAvailable, chromiumIsolated } from '../helpers/browser.js';
import { ROOT } from '../helpers/fixtures.js';

const strace = ['/usr/bin/strace', '/bin/strace'].find((p) => existsSync(p));
// Under CI (.ci/run installs strace, firejail and Chromium) nothing here may be skipped.
const missing = !strace ? 'strace' : !chromiumAvailable() ? 'chromium' : !chromiumIsolated() && process.env.VIGIL_CHROMIUM_UNISOLATED !== '1' ? 'firejail' : undefined;
// A run that is itself traced (`strace -f npm test`, as the README's check does) cannot trace again: the outer
// trace already sees every connect().
const traced = /^TracerPid:\s*[1-9]/m.test(readFileSync('/proc/self/status', 'utf8'));
const skip = traced ? 'this run is already traced; the outer trace covers it' : missing && !process.env.CI ? `${missing} is not installed` : false;

/** The non-loopback destinations of connect() calls in an strace log (AF_INET and AF_INET6 only). */
export function offMachine(log: string): string[] {
  const out: string[] = [];
  for (const line of log.split('\n')) {
    const v4 = /sin_addr=inet_addr\("([^"]+)"\)/.exec(line);
    const v6 = /inet_pton\(AF_INET6, "([^"]+)"/.exec(line);
    const addr = v4?.[1] ?? v6?.[1];
    if (!addr) continue;
    const loopback = addr.startsWith('127.') || addr === '::1' || /^::ffff:127\./.test(addr);
    if (!loopback) out.push(line.trim());
  }
  return out;
}

describe('no traffic leaves the machine', { skip }, () => {
  it('recognises a connect() to a public address in an strace log', () => {
    const sample = [
      '12 connect(25, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = 0',
      '12 connect(26, {sa_family=AF_INET, sin_port=htons(8470), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS',
      '12 connect(27, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.2")}, 16) = 0',
      '12 connect(3, {sa_family=AF_UNIX, sun_path="/run/dbus/system_bus_socket"}, 29) = -1 ENOENT',
    ].join('\n');
    assert.equal(offMachine(sample).length, 2);
  });

  it('Vigil, the SMTP server and Chromium connect to loopback addresses only', { timeout: 120_000 }, () => {
    assert.ok(!missing, `${missing} must be installed for this test (CI installs it)`);
    const log = join(mkdtempSync(join(tmpdir(), 'vigil-strace-')), 'connect.log');
    const child = join(ROOT, 'dist', 'test', 'helpers', 'offline-child.js');
    const run = spawnSync(strace!, ['-f', '-qq', '-e', 'trace=connect', '-e', 'signal=none', '-o', log, process.execPath, child], { encoding: 'utf8', timeout: 110_000 });
    assert.equal(run.status, 0, `child failed: ${run.stderr}`);
    assert.match(run.stdout, /done/);
    const text = readFileSync(log, 'utf8');
    // It did connect to something (Vigil's own API and the SMTP server), so the log is real.
    assert.ok(/inet_addr\("127\.0\.0\.1"\)/.test(text), 'no loopback connect seen: strace did not trace the run');
    assert.deepEqual(offMachine(text), []);
  });
});
