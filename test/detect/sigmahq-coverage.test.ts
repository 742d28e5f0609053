// How much of the SigmaHQ corpus (shared data, SigmaHQ commit 8eaafff, DRL 1.1) loads, per folder: these
// totals must not fall, and every refusal must name the construct it is about (README "How much of SigmaHQ
// loads"). The same numbers come from `vigil rules lint ../shared/data/sigma/sigmahq/rules/<folder>`.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRules, refusalReason } from '../../src/detect/rules.js';
import { SHARED } from '../helpers/fixtures.js';

const DIR = join(SHARED, 'data/sigma/sigmahq/rules');
const skip = !existsSync(DIR) && `no SigmaHQ corpus at ${DIR}`;

/** Files that load without a problem, at least (measured 2026-12-01; raise when more load). */
const FLOOR: Record<string, { files: number; ok: number }> = {
  windows: { files: 2407, ok: 2398 },
  linux: { files: 210, ok: 191 },
  web: { files: 45, ok: 26 },
  cloud: { files: 225, ok: 200 },
  network: { files: 53, ok: 51 },
  application: { files: 99, ok: 15 },
};

function lintFolder(folder: string) {
  const set = loadRules([join(DIR, folder)]);
  const bad = new Set(set.problems.map((p) => p.file));
  return { files: set.files.length, ok: set.files.filter((f) => !bad.has(f)).length, problems: set.problems };
}

describe('SigmaHQ corpus coverage', { skip }, () => {
  for (const [folder, floor] of Object.entries(FLOOR)) {
    it(`rules/${folder}: at least ${floor.ok} of ${floor.files} files load, every refusal names its construct`, () => {
      const r = lintFolder(folder);
      assert.equal(r.files, floor.files, 'the corpus itself changed');
      assert.ok(r.ok >= floor.ok, `${r.ok} files load, fewer than ${floor.ok}`);
      for (const p of r.problems) {
        assert.notEqual(refusalReason(p), 'other', `${p.file}: "${p.message}" names no construct`);
        assert.ok(p.kind === 'unsupported', `${p.file} is rejected as invalid Sigma: ${p.message}`);
      }
    });
  }

  it('the targets: windows ≥ 99 %; linux, web, cloud (sources Wazuh ingests), network ≥ 90 % where Wazuh has the source', () => {
    const windows = lintFolder('windows');
    assert.ok(windows.ok / windows.files >= 0.99, `windows ${windows.ok}/${windows.files}`);
    for (const folder of ['linux', 'network']) {
      const r = lintFolder(folder);
      assert.ok(r.ok / r.files >= 0.9, `${folder} ${r.ok}/${r.files}`);
    }
    // cloud: Google Workspace has no Wazuh module, so its rules are out of the denominator.
    const cloud = lintFolder('cloud');
    const workspace = cloud.problems.filter((p) => /Google Workspace reports have no Wazuh module/.test(p.message)).length;
    assert.ok(cloud.ok / (cloud.files - workspace) >= 0.9, `cloud ${cloud.ok}/${cloud.files - workspace}`);
  });
});
