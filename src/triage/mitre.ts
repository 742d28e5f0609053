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
  T1068: 'Exploitation for Privilege Escalation',
  T1190: 'Exploit Public-Facing Application',
  T1531: 'Account Access Removal',
  T1543: 'Create or Modify System Process',
  T1548: 'Abuse Elevation Control Mechanism',
  T1562: 'Impair Defenses',
  T1565: 'Data Manipulation',
};

/**
 * The tactics each technique serves (ATT&CK Enterprise; a sub-technique has its parent's). A rule or an alert
 * lists its techniques and its tactics as two separate lists; pairing every technique with every tactic (their
 * cross product) says "T1068 (Privilege Escalation, Initial Access)". Each technique gets its own tactics.
 */
const TACTICS: Record<string, string[]> = {
  T1003: ['Credential Access'],
  T1021: ['Lateral Movement'],
  T1027: ['Defense Evasion'],
  T1036: ['Defense Evasion'],
  T1046: ['Discovery'],
  T1048: ['Exfiltration'],
  T1053: ['Execution', 'Persistence', 'Privilege Escalation'],
  T1055: ['Defense Evasion', 'Privilege Escalation'],
  T1059: ['Execution'],
  T1068: ['Privilege Escalation'],
  T1070: ['Defense Evasion'],
  T1071: ['Command and Control'],
  T1078: ['Defense Evasion', 'Persistence', 'Privilege Escalation', 'Initial Access'],
  T1082: ['Discovery'],
  T1083: ['Discovery'],
  T1087: ['Discovery'],
  T1098: ['Persistence', 'Privilege Escalation'],
  T1105: ['Command and Control'],
  T1110: ['Credential Access'],
  T1112: ['Defense Evasion'],
  T1133: ['Persistence', 'Initial Access'],
  T1136: ['Persistence'],
  T1190: ['Initial Access'],
  T1203: ['Execution'],
  T1204: ['Execution'],
  T1210: ['Lateral Movement'],
  T1222: ['Defense Evasion'],
  T1484: ['Defense Evasion', 'Privilege Escalation'],
  T1485: ['Impact'],
  T1486: ['Impact'],
  T1489: ['Impact'],
  T1499: ['Impact'],
  T1505: ['Persistence'],
  T1531: ['Impact'],
  T1543: ['Persistence', 'Privilege Escalation'],
  T1547: ['Persistence', 'Privilege Escalation'],
  T1548: ['Privilege Escalation', 'Defense Evasion'],
  T1550: ['Defense Evasion', 'Lateral Movement'],
  T1552: ['Credential Access'],
  T1558: ['Credential Access'],
  T1562: ['Defense Evasion'],
  T1565: ['Impact'],
  T1566: ['Initial Access'],
  T1574: ['Persistence', 'Privilege Escalation', 'Defense Evasion'],
  T1595: ['Reconnaissance'],
};

/**
 * A technique's tactics: those of the ATT&CK mapping that the source also lists (all of the mapping when it
 * lists none of them); for a technique the mapping does not know, the source's tactic only when it lists one.
 */
export function tacticsOf(id: string, listed: string[]): string | undefined {
  // Called for every technique of every detection, from a small set of inputs: each answer is kept.
  const memo = `${id}\u0000${listed.join('\u0001')}`;
  if (TACTICS_OF.has(memo)) return TACTICS_OF.get(memo);
  const found = tacticsOfUncached(id, listed);
  if (TACTICS_OF.size < 10_000) TACTICS_OF.set(memo, found);
  return found;
}

const TACTICS_OF = new Map<string, string | undefined>();

function tacticsOfUncached(id: string, listed: string[]): string | undefined {
  const known = TACTICS[id] ?? TACTICS[id.split('.')[0]!];
  if (!known) return listed.length === 1 ? listed[0] : undefined;
  const norm = (t: string) => t.toLowerCase().replace(/[^a-z]/g, '');
  const both = known.filter((k) => listed.some((l) => norm(l) === norm(k)));
  return (both.length > 0 ? both : known).join(', ');
}

const titleCase = (s: string) => s.replace(/_/g, ' ').replace(/\b[a-z]/g, (c) => c.toUpperCase());

/** The techniques a rule's tags name, by the rule's tag list (read once per rule, not per detection). */
const OF_TAGS = new WeakMap<readonly string[], MitreTechnique[]>();

function techniquesOfTags(tags: readonly string[]): MitreTechnique[] {
  const known = OF_TAGS.get(tags);
  if (known) return known;
  const out: MitreTechnique[] = [];
  const tactics = tags.filter((t) => /^attack\.[a-z_]+$/.test(t) && !/^attack\.[gst]\d/.test(t)).map((t) => titleCase(t.slice(7)));
  for (const tag of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag);
    if (!m) continue;
    const id = m[1]!.toUpperCase();
    out.push({ id, name: NAMES[id], tactic: tacticsOf(id, tactics) });
  }
  OF_TAGS.set(tags, out);
  return out;
}

export function mitreOf(d: Detection): MitreTechnique[] {
  const out = new Map<string, MitreTechnique>();
  for (const t of techniquesOfTags(d.rule.tags)) out.set(t.id, { ...t });
  for (const e of d.events) {
    const mitre = (alertView(e) as any)?.rule?.mitre;
    const ids: unknown = mitre?.id;
    if (!Array.isArray(ids)) continue;
    ids.forEach((raw, i) => {
      if (typeof raw !== 'string' || !/^T\d{4}(\.\d{3})?$/.test(raw) || out.has(raw)) return;
      const name = Array.isArray(mitre.technique) && typeof mitre.technique[i] === 'string' ? mitre.technique[i] : NAMES[raw];
      const listed: string[] = Array.isArray(mitre.tactic) ? mitre.tactic.filter((t: unknown): t is string => typeof t === 'string') : [];
      out.set(raw, { id: raw, name, tactic: tacticsOf(raw, listed) });
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

/**
 * The ATT&CK tactics a detection serves, by ATT&CK's names ("Credential Access"): the rule's tactic tags
 * (`attack.credential_access`) and the tactics of each of its techniques (from its tags and its alerts'
 * `rule.mitre`), without repeats. Risk-based alerting counts an entity's distinct tactics from these.
 */
export function tacticsOfDetection(d: Detection): string[] {
  const out = new Set<string>();
  for (const t of d.rule.tags) if (/^attack\.[a-z_]+$/.test(t) && !/^attack\.[gst]\d/.test(t)) out.add(tacticName(t.slice(7)));
  for (const technique of mitreOf(d)) for (const t of (technique.tactic ?? '').split(', ')) if (t) out.add(tacticName(t));
  return [...out];
}

/** ATT&CK's spelling of a tactic from a tag or a Wazuh name: `command_and_control` → "Command and Control". */
function tacticName(raw: string): string {
  return TACTIC_NAMES.get(normTactic(raw)) ?? titleCase(raw);
}

const normTactic = (t: string) => t.toLowerCase().replace(/[^a-z]/g, '');
const TACTIC_NAMES = new Map(Object.values(TACTICS).flat().map((t) => [normTactic(t), t]));
