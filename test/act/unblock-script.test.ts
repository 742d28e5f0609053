// integrations/active-response/vigil-unblock.sh as wazuh-execd runs it: one JSON line on stdin, handed to
// firewall-drop beside it as a delete (here a stand-in firewall-drop that records what it read).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/fixtures.js';

describe('vigil-unblock.sh', () => {
  it('turns the add that the API sends into a delete for firewall-drop', () => {
    const bin = mkdtempSync(join(tmpdir(), 'vigil-ar-'));
    copyFileSync(join(ROOT, 'integrations/active-response/vigil-unblock.sh'), join(bin, 'vigil-unblock.sh'));
    chmodSync(join(bin, 'vigil-unblock.sh'), 0o750);
    writeFileSync(join(bin, 'firewall-drop'), `#!/bin/sh\ncat > "${join(bin, 'received.json')}"\n`, { mode: 0o750 });
    // The shape wazuh-execd writes for an API-requested response (reference: wazuh.md §3).
    const message = {
      version: 1,
      origin: { name: '', module: 'wazuh-execd' },
      command: 'add',
      parameters: { extra_args: [], alert: { data: { srcip: '203.0.113.50' } }, program: 'active-response/bin/vigil-unblock.sh' },
    };
    const r = spawnSync(join(bin, 'vigil-unblock.sh'), { input: JSON.stringify(message) + '\n', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const received = JSON.parse(readFileSync(join(bin, 'received.json'), 'utf8'));
    assert.equal(received.command, 'delete');
    assert.deepEqual(received.parameters.alert, { data: { srcip: '203.0.113.50' } });
  });
});
