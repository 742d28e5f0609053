// vigil replay over Wazuh 5.x findings: the REAL FIM finding of shared/data/wazuh5/ (a Discover hit) fires the
// built-in FIM rule; --format wcs is accepted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, sharedFile } from '../helpers/fixtures.js';

const BIN = join(ROOT, 'dist/src/cli/main.js');

describe('vigil replay on Wazuh 5.x findings', () => {
  for (const args of [[], ['--format', 'wcs']]) {
    it(`the real FIM finding fires the critical-path rule ${args.join(' ') || '(format detected)'}`, () => {
      const res = spawnSync(process.execPath, [BIN, 'replay', '--json', ...args, sharedFile('data/wazuh5/finding-fim-linux-whodata-sshd_config.ndjson')], { encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
      const ds = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(ds.map((d) => [d.rule.title, d.events]), [['File Integrity Change On A Critical Path', ['6dfKTZ8BL87M59AHMEfF']]]);
    });
  }
});
