// MITRE ATT&CK techniques of a detection: from the Sigma rule's tags (`attack.t1110.001`, tactic tags such as
// `attack.credential_access`) and from the Wazuh alerts' own `rule.mitre` (ids, technique names, tactics).
import type { Detection } from '../model/index.js';
import type { MitreTechnique } from './types.js';
import { alertView } from '../model/wcs.js';

/** Names of the techniques the built-in rules and common Wazuh rules carry (ATT&CK Enterprise). */
const NAMES: Record<string, string> = {
  T1003: 'OS Credential Dumping',
  T1021: 'Remote Services',
  T1053: 'Scheduled Task/Job',
  T1059: 'Command and Scripting Interpreter',
  T1070: 'Indicator Removal',
  'T1070.001': 'Indicator Removal: Clear Windows Event Logs',
  T1078: 'Valid Accounts',
  T1098: 'Account Manipulation',
  T1110: 'Brute Force',
  'T1110.001': 'Brute Force: Password Guessing',
  'T1110.003': 'Brute Force: Password Spraying',
  T1136: 'Create Account',
  T1484: 'Domain or Tenant Policy Modification',
  T1531: 'Account Access Removal',
  T1543: 'Create or Modify System Process',
  T1548: 'Abuse Elevation Control Mechanism',
  T1562: 'Impair Defenses',
  T1565: 'Data Manipulation',
};

const titleCase = (s: string) => s.replace(/_/g, ' ').replace(/\b[a-z]/g, (c) => c.toUpperCase());

export function mitreOf(d: Detection): MitreTechnique[] {
  const out = new Map<string, MitreTechnique>();
  const tactics = d.rule.tags.filter((t) => /^attack\.[a-z_]+$/.test(t) && !/^attack\.[gst]\d/.test(t)).map((t) => titleCase(t.slice(7)));
  for (const tag of d.rule.tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag);
    if (!m) continue;
    const id = m[1]!.toUpperCase();
    out.set(id, { id, name: NAMES[id], tactic: tactics.join(', ') || undefined });
  }
  for (const e of d.events) {
    const mitre = (alertView(e) as any)?.rule?.mitre;
    const ids: unknown = mitre?.id;
    if (!Array.isArray(ids)) continue;
    ids.forEach((raw, i) => {
      if (typeof raw !== 'string' || !/^T\d{4}(\.\d{3})?$/.test(raw) || out.has(raw)) return;
      const name = Array.isArray(mitre.technique) && typeof mitre.technique[i] === 'string' ? mitre.technique[i] : NAMES[raw];
      const tactic = Array.isArray(mitre.tactic) ? mitre.tactic.filter((t: unknown) => typeof t === 'string').join(', ') : undefined;
      out.set(raw, { id: raw, name, tactic: tactic || undefined });
    });
  }
  return [...out.values()];
}

export function mergeMitre(a: MitreTechnique[], b: MitreTechnique[]): MitreTechnique[] {
  const out = new Map(a.map((t) => [t.id, t]));
  for (const t of b) if (!out.has(t.id)) out.set(t.id, t);
  return [...out.values()];
}

/** The highest Wazuh `rule.level` among the detection's alerts (0 when none carries one). */
export function wazuhLevelOf(d: Detection): number {
  let max = 0;
  for (const e of d.events) {
    const level = Number((alertView(e) as any)?.rule?.level);
    if (Number.isFinite(level) && level > max) max = level;
  }
  return max;
}
