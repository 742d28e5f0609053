// `vigil rules lint` as a user runs it: one line per file (ok / rejected / unsupported), then totals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listRuleFiles } from '../../src/detect/rules.js';
import { ROOT, SHARED } from '../helpers/fixtures.js';

const BIN = join(ROOT, 'dist/src/cli/main.js');
const lint = (paths: string[], cwd: string) => spawnSync(process.execPath, [BIN, 'rules', 'lint', ...paths], { encoding: 'utf8', cwd });

const rule = (title: string, detection: string) =>
  `title: ${title}\nlogsource: {product: windows, service: security}\ndetection:\n${detection}\nlevel: low\n`;

describe('vigil rules lint', () => {
  it('prints each file with its verdict and why, then totals; exit 1 when any file is not ok', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-lint-'));
    writeFileSync(join(dir, 'a-ok.yml'), rule('Good', '  s: {EventID: 4625}\n  condition: s'));
    writeFileSync(join(dir, 'b-bad.yml'), rule('Bad', '  s: {F|contains|re: x}\n  condition: s'));
    writeFileSync(join(dir, 'c-okta.yml'), 'title: Okta\nlogsource: {product: okta, service: okta}\ndetection:\n  s: {eventType: x}\n  condition: s\n');
    writeFileSync(join(dir, 'd-yaml.yml'), 'title: [unclosed\n');
    const r = lint(['.'], dir);
    assert.equal(r.status, 1);
    assert.equal(
      r.stdout,
      [
        'ok           a-ok.yml',
        'rejected     b-bad.yml (Bad): "re" must be the first modifier (in "F|contains|re")',
        'unsupported  c-okta.yml (Okta): logsource product "okta", service "okta": Wazuh has no Okta module',
        'rejected     d-yaml.yml: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1',
        '',
        '4 files: 1 ok, 2 rejected, 1 unsupported (1 detection rules, 0 correlations, 0 filters loaded)',
        'refused by reason: invalid 2, logsource 1',
        '',
      ].join('\n'),
    );
  });

  it('--config supplies the placeholders |expand needs; without them the rule is unsupported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-lint-'));
    writeFileSync(join(dir, 'admins.yml'), rule('Admins', "  s: {TargetUserName|expand: '%admins%'}\n  condition: s"));
    writeFileSync(join(dir, 'vigil.yaml'), "detect:\n  placeholders:\n    admins: ['adm_*']\n");
    const without = lint(['admins.yml'], dir);
    assert.equal(without.status, 1);
    assert.match(without.stdout, /unsupported  admins\.yml \(Admins\): placeholder %admins% has no values in detect\.placeholders/);
    const withConfig = lint(['admins.yml', '--config', 'vigil.yaml'], dir);
    assert.equal(withConfig.status, 0, withConfig.stdout);
    assert.match(withConfig.stdout, /^ok           admins\.yml$/m);
  });

  const sigmaDir = join(SHARED, 'data/sigma/rules');
  it('accepts every SigmaHQ rule in the shared copy', { skip: !existsSync(sigmaDir) && `no shared data at ${sigmaDir}` }, () => {
    const n = listRuleFiles(sigmaDir).length;
    const r = lint([sigmaDir], ROOT);
    assert.equal(r.status, 0, r.stdout.split('\n').filter((l) => !l.startsWith('ok')).join('\n'));
    assert.match(r.stdout, new RegExp(`\\n${n} files: ${n} ok, 0 rejected, 0 unsupported \\(${n} detection rules`));
  });
});
