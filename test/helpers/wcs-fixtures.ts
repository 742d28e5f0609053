// SYNTHETIC Wazuh 5.x findings, as indexer hits ({_index, _id, _source}), for the attacks Wazuh publishes no
// 5.x sample of (Windows 4625/4624, sshd). Built by hand from the 4.x → 5.x field mapping in
// shared/reference/wazuh5.md §3 and §8 (event id → event.code, srcip → source.ip, dstuser → user.target.name,
// srcuser → user.name, agent → wazuh.agent.*, keyword rule levels, UUID rule ids) and the wazuh.* block of the
// real samples in shared/data/wazuh5/. The Windows provider, event.category/outcome values and process.name of
// sshd are ECS's own (inferred; no real 5.x document shows them). The FIM scenario uses the REAL finding.
import { createHash } from 'node:crypto';
import { readShared } from './fixtures.js';

let counter = 0;
const docId = (seed: string) => createHash('sha1').update(seed).digest('base64url').slice(0, 20);

function wazuhBlock(agent: { id: string; name: string }, integration: { name: string; category: string; decoders: string[] }, rule: Record<string, unknown>, location: string) {
  return {
    cluster: { node: 'node01', name: 'wazuh' },
    protocol: { location, queue: 49 },
    agent: { id: agent.id, name: agent.name, version: 'v5.0.0', groups: ['default'] },
    integration,
    rule,
    event: { id: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}` },
    space: { name: 'standard' },
  };
}

function hit(index: string, source: Record<string, unknown>, seed: string) {
  return { _index: index, _id: docId(seed), _source: source };
}

export interface WinLogon {
  ip?: string;
  user?: string;
  time: Date;
  agent?: string;
}

/** A SYNTHETIC 5.x finding for Windows Security event 4625 (a failed logon). */
export function failedLogon4625Finding(o: WinLogon, outcome: 'failure' | 'success' = 'failure'): Record<string, unknown> {
  const agent = o.agent ?? 'WIN-DC01';
  const success = outcome === 'success';
  const source: Record<string, unknown> = {
    '@timestamp': o.time.toISOString(),
    event: {
      code: success ? '4624' : '4625',
      provider: 'Microsoft-Windows-Security-Auditing',
      kind: 'event',
      category: ['authentication'],
      type: ['start'],
      outcome,
      action: success ? 'logged-in' : 'logon-failed',
      start: o.time.toISOString(),
      original: `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>${success ? 4624 : 4625}</EventID><Channel>Security</Channel></System></Event>`,
      doc_id: docId(`event:${counter}`),
      index: '.ds-wazuh-events-v5-security-000001',
    },
    host: { name: `${agent}.corp.example` },
    user: { target: { name: o.user ?? 'administrator', domain: 'CORP' } },
    wazuh: wazuhBlock(
      { id: '003', name: agent },
      { name: 'windows', category: 'security', decoders: ['decoder/core-wazuh-message/0', 'decoder/windows-event/0'] },
      success
        ? { id: '6a7d2f80-1111-4c8e-9d41-0000000004624', sigma_id: '6a7d2f80-1111-4c8e-9d41-0000000004624', level: 'informational', title: 'Windows Logon Success', status: 'stable', mitre: { technique: { id: ['T1078'], name: ['Valid Accounts'] }, tactic: { id: ['TA0001'], name: ['Initial Access'] } } }
        : { id: '6a7d2f80-1111-4c8e-9d41-0000000004625', sigma_id: '6a7d2f80-1111-4c8e-9d41-0000000004625', level: 'low', title: 'Logon Failure - Unknown user or bad password', status: 'stable', mitre: { technique: { id: ['T1531'], name: ['Account Access Removal'] }, tactic: { id: ['TA0040'], name: ['Impact'] } } },
      'EventChannel',
    ),
  };
  if (o.ip !== undefined) source.source = { ip: o.ip, port: 40000 + (counter % 20000) };
  return hit('.ds-wazuh-findings-v5-security-000001', source, `win:${counter}:${o.time.toISOString()}:${o.ip}:${o.user}`);
}

export function successfulLogon4624Finding(o: WinLogon): Record<string, unknown> {
  return failedLogon4625Finding(o, 'success');
}

export function burstFindings(ip: string, n: number, start: Date, spacingMs: number, user?: string): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => failedLogon4625Finding({ ip, user, time: new Date(start.getTime() + i * spacingMs) }));
}

/** A SYNTHETIC 5.x finding for an sshd password failure (the Linux system-auth decoder chain of the real AR sample). */
export function sshdFailureFinding(o: { ip: string; user: string; time: Date; agent?: string }): Record<string, unknown> {
  const line = `sshd[${2000 + counter}]: Failed password for ${o.user} from ${o.ip} port ${40000 + counter} ssh2`;
  return hit(
    '.ds-wazuh-findings-v5-system-activity-000001',
    {
      '@timestamp': o.time.toISOString(),
      event: { kind: 'event', category: ['authentication'], type: ['start'], outcome: 'failure', action: 'authentication-failed', start: o.time.toISOString(), original: line },
      process: { name: 'sshd', pid: 2000 + counter },
      source: { ip: o.ip, port: 40000 + counter },
      user: { name: o.user },
      wazuh: wazuhBlock(
        { id: '003', name: o.agent ?? 'ubuntu24' },
        { name: 'linux', category: 'system-activity', decoders: ['decoder/core-wazuh-message/0', 'decoder/syslog/0', 'decoder/system-auth/0'] },
        { id: 'd5cc0e71-bcbb-4adc-98de-caed210cebf2', sigma_id: 'd5cc0e71-bcbb-4adc-98de-caed210cebf2', level: 'low', title: `Failed authentication attempt - ${o.user} from ${o.ip}`, status: 'stable', mitre: { technique: { id: ['T1110', 'T1078'], name: ['Brute Force', 'Valid Accounts'] }, tactic: { id: ['TA0006', 'TA0001'], name: ['Credential Access', 'Initial Access'] } } },
        'journald',
      ),
    },
    `sshd:${counter}:${o.time.toISOString()}`,
  );
}

/** The REAL 5.x FIM finding of shared/data/wazuh5/ (a who-data change to /etc/ssh/sshd_config on agent 004). */
export function realFimFinding(): Record<string, unknown> {
  const { _index, _id, _source } = JSON.parse(readShared('data/wazuh5/finding-fim-linux-whodata-sshd_config.ndjson').trim().split('\n')[0]!);
  return { _index, _id, _source };
}
