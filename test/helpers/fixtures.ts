// SYNTHETIC Wazuh alerts. No real 4625 alert is public (shared/data/wazuh/SOURCES.md, "Gaps"), so these are
// built from the field lists in shared/reference/wazuh.md §1 and §1.1: eventchannel names with the first
// letter lower-cased, every value a string, "-" values dropped, rule 60122 metadata as in the 4.14.7 ruleset.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let counter = 0;

export interface FailedLogon {
  ip?: string;
  user?: string;
  time: Date;
  agent?: string;
  manager?: string;
  id?: string;
}

/** A synthetic Wazuh 4.x alert for Security event 4625 (rule 60122). */
export function failedLogon4625(o: FailedLogon): Record<string, unknown> {
  counter++;
  const epoch = Math.floor(o.time.getTime() / 1000);
  const eventdata: Record<string, string> = {
    subjectUserSid: 'S-1-0-0',
    subjectLogonId: '0x0',
    targetUserSid: 'S-1-0-0',
    targetUserName: o.user ?? 'administrator',
    targetDomainName: 'CORP',
    status: '0xc000006d',
    failureReason: '%%2313',
    subStatus: '0xc000006a',
    logonType: '3',
    logonProcessName: 'NtLmSsp',
    authenticationPackageName: 'NTLM',
    workstationName: 'KALI',
    keyLength: '0',
    processId: '0x0',
  };
  if (o.ip !== undefined) {
    eventdata.ipAddress = o.ip;
    eventdata.ipPort = String(40000 + (counter % 20000));
  }
  return {
    timestamp: o.time.toISOString().replace('Z', '+0000'),
    rule: {
      level: 5,
      description: 'Logon Failure - Unknown user or bad password',
      id: '60122',
      mitre: { id: ['T1531'], tactic: ['Impact'], technique: ['Account Access Removal'] },
      firedtimes: counter,
      mail: false,
      groups: ['windows', 'windows_security', 'authentication_failed'],
    },
    agent: { id: '003', name: o.agent ?? 'WIN-DC01', ip: '10.0.0.12' },
    manager: { name: o.manager ?? 'wazuh-manager' },
    id: o.id ?? `${epoch}.${1000 + counter}`,
    decoder: { name: 'windows_eventchannel' },
    data: {
      win: {
        system: {
          providerName: 'Microsoft-Windows-Security-Auditing',
          providerGuid: '{54849625-5478-4994-a5ba-3e3b0328c30d}',
          eventID: '4625',
          version: '0',
          level: '0',
          task: '12544',
          opcode: '0',
          keywords: '0x8010000000000000',
          systemTime: o.time.toISOString().replace('Z', '0000Z'),
          eventRecordID: String(100000 + counter),
          processID: '636',
          threadID: '1234',
          channel: 'Security',
          computer: `${o.agent ?? 'WIN-DC01'}.corp.example`,
          severityValue: 'AUDIT_FAILURE',
          message: '"An account failed to log on."',
        },
        eventdata,
      },
    },
    location: 'EventChannel',
  };
}

/** `n` failed logons from one IP, `spacingMs` apart, starting at `start`. */
export function burst(ip: string, n: number, start: Date, spacingMs: number, user?: string): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => failedLogon4625({ ip, user, time: new Date(start.getTime() + i * spacingMs) }));
}

export const ndjson = (alerts: unknown[]) => alerts.map((a) => JSON.stringify(a)).join('\n') + '\n';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The shared reference data beside the repository (real Wazuh samples, SigmaHQ rules). */
export const SHARED = process.env.VIGIL_SHARED ?? resolve(ROOT, '../shared');

export function sharedFile(rel: string): string {
  return join(SHARED, rel);
}

export function readShared(rel: string): string {
  return readFileSync(sharedFile(rel), 'utf8');
}
