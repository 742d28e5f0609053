// Waiting for the pipeline to have handled every recorded alert (its cursor reaches the newest one).
import { until, type Running } from './vigil.js';

export async function handled(v: Running, ms = 10_000): Promise<void> {
  const newest = await v.vigil.store.db
    .selectFrom('alerts')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  const target = Number(newest?.seq ?? 0);
  await until(() => v.vigil.runner.position >= target, ms, `pipeline position ${target}`);
}

import { failedLogon4625, type FailedLogon } from './fixtures.js';

/**
 * SYNTHETIC Wazuh alert for Security event 4624 (a successful network logon, Wazuh rule 60106), made from the
 * synthetic 4625 by the fields that differ (shared/reference/wazuh.md §1: same eventchannel layout).
 */
export function successfulLogon4624(o: FailedLogon): Record<string, unknown> {
  const a = failedLogon4625(o) as any;
  a.rule = { ...a.rule, id: '60106', level: 3, description: 'Windows Logon Success', groups: ['windows', 'windows_security', 'authentication_success'], mitre: { id: ['T1078'], tactic: ['Defense Evasion', 'Persistence', 'Privilege Escalation', 'Initial Access'], technique: ['Valid Accounts'] } };
  a.data.win.system.eventID = '4624';
  a.data.win.system.severityValue = 'AUDIT_SUCCESS';
  a.data.win.system.message = '"An account was successfully logged on."';
  for (const k of ['status', 'failureReason', 'subStatus']) delete a.data.win.eventdata[k];
  return a;
}
