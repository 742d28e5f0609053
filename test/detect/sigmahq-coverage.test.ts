// How much of the SigmaHQ corpus (shared data, SigmaHQ commit 8eaafff, DRL 1.1) loads, per folder: these
// totals must not fall, and every refusal must name the construct it is about (README "How much of SigmaHQ
// loads"). The same numbers come from `vigil rules lint ../shared/data/sigma/sigmahq/rules/<folder>`.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRules, refusalReason, type RuleProblem } from '../../src/detect/rules.js';
import { SHARED } from '../helpers/fixtures.js';

const DIR = join(SHARED, 'data/sigma/sigmahq/rules');
const skip = !existsSync(DIR) && `no SigmaHQ corpus at ${DIR}`;

/** Files that load without a problem, at least, per folder of the corpus (measured 2026-12-01; raise when more load). */
const FLOOR: Record<string, { files: number; ok: number }> = {
  windows: { files: 2407, ok: 2398 },
  linux: { files: 210, ok: 191 },
  web: { files: 45, ok: 45 },
  cloud: { files: 225, ok: 200 },
  network: { files: 53, ok: 51 },
  application: { files: 99, ok: 15 },
  macos: { files: 69, ok: 0 },
  identity: { files: 24, ok: 0 },
  category: { files: 9, ok: 0 },
};

/** The cloud and SaaS sources Wazuh has a module for (aws, azure, gcp Pub/Sub, office365, github). */
const CLOUD_WITH_MODULE = ['cloud/aws', 'cloud/azure', 'cloud/gcp/audit', 'cloud/m365', 'application/github'];
/** Folders of sources Wazuh has no module for: every rule is refused by its logsource, named. */
const NO_MODULE: Record<string, RegExp> = {
  'cloud/gcp/gworkspace': /^logsource gcp service "google_workspace\.\w+": Google Workspace reports have no Wazuh module$/,
  'identity/okta': /^logsource product "okta", service "okta": Wazuh has no Okta module$/,
};

const linted = new Map<string, { files: number; ok: number; problems: RuleProblem[] }>();
function lintFolder(folder: string) {
  let r = linted.get(folder);
  if (!r) {
    const set = loadRules([join(DIR, folder)]);
    const bad = new Set(set.problems.map((p) => p.file));
    r = { files: set.files.length, ok: set.files.filter((f) => !bad.has(f)).length, problems: set.problems };
    linted.set(folder, r);
  }
  return r;
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

  it('the targets: windows ≥ 99 %; linux, web, network ≥ 90 %; cloud ≥ 90 % over the sources Wazuh has a module for', () => {
    const windows = lintFolder('windows');
    assert.ok(windows.ok / windows.files >= 0.99, `windows ${windows.ok}/${windows.files}`);
    for (const folder of ['linux', 'web', 'network']) {
      const r = lintFolder(folder);
      assert.ok(r.ok / r.files >= 0.9, `${folder} ${r.ok}/${r.files}`);
    }
    const cloud = CLOUD_WITH_MODULE.map(lintFolder);
    const ok = cloud.reduce((n, r) => n + r.ok, 0);
    const files = cloud.reduce((n, r) => n + r.files, 0);
    assert.ok(ok / files >= 0.9, `cloud with a Wazuh module ${ok}/${files}`);
    // The cloud folder is those sources plus Google Workspace, nothing else: the denominator leaves out no rule silently.
    assert.equal(files - lintFolder('application/github').files + lintFolder('cloud/gcp/gworkspace').files, lintFolder('cloud').files);
  });

  it('the sources Wazuh has no module for are refused by name, every rule of them', () => {
    for (const [folder, why] of Object.entries(NO_MODULE)) {
      const r = lintFolder(folder);
      assert.equal(r.ok, 0, folder);
      assert.equal(r.problems.length, r.files, folder);
      for (const p of r.problems) assert.match(p.message, why, p.file);
    }
  });
});
