// Wazuh 5.x findings and events (the Wazuh Common Schema, WCS: ECS 9.1 + `wazuh.*`) as Vigil events. One table
// says where each field of a Wazuh 4.x alert lives in WCS; from it come (1) the accessors rules compile to on 5.x
// input, so rules written against 4.x alerts (and the built-in pack) run unchanged, (2) the fields a rule needs
// that WCS lacks, reported at load, and (3) the 4.x-shaped view triage, enrichment and messages read, so the same
// attack gives the same incident on 4.x and 5.x. Mappings marked (inferred) are ours: Wazuh documents no 5.x
// sample for them (see the README, "Wazuh 5.x").
import type { Event } from './index.js';

type Doc = Record<string, any>;
export type Read = (d: Doc) => unknown;

const path = (p: string): Read => {
  const keys = p.split('.');
  return (d) => {
    let cur: any = d;
    for (const k of keys) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = cur[k];
    }
    return cur;
  };
};

/** Wazuh 5 keyword levels and the 4.x numeric levels each stands for (Wazuh's migration table). */
export const LEVEL_BANDS: Record<string, [number, number]> = {
  informational: [1, 3],
  low: [4, 6],
  medium: [7, 9],
  high: [10, 13],
  critical: [14, 16],
};

/** 4.x level → 5.x keyword. */
export function levelKeyword(level: unknown): string | undefined {
  const n = Number(level);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  for (const [k, [lo, hi]] of Object.entries(LEVEL_BANDS)) if (n >= lo && n <= hi) return k;
  return 'critical';
}

/**
 * 5.x keyword → 4.x level: the highest level of its band, so a rule over `rule.level` (say "12 or above") fires
 * for every finding that might have been such an alert rather than missing some.
 */
export function levelNumber(keyword: unknown): number | undefined {
  return typeof keyword === 'string' ? LEVEL_BANDS[keyword.toLowerCase()]?.[1] : undefined;
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v !== '';
const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : undefined);
const has = (v: unknown, x: string) => (Array.isArray(v) ? v.some((e) => lower(e) === x) : lower(v) === x);

/** A Windows event: it carries a numeric event id and a Windows provider or integration (inferred). */
export function isWindows(d: Doc): boolean {
  const e = d.event;
  return isStr(e?.code) && /^\d+$/.test(e.code) && (isStr(e.provider) || /^windows/i.test(String(d.wazuh?.integration?.name ?? '')));
}
const isFim = (d: Doc) => d.wazuh?.integration?.name === 'wazuh-fim' || d.event?.dataset === 'wazuh.fim';
const isSshd = (d: Doc) => lower(d.process?.name) === 'sshd';
const isAuthentication = (d: Doc) => has(d.event?.category, 'authentication');

/** Windows provider → event log channel (inferred: WCS has no channel field; the provider names the log). */
const PROVIDER_CHANNELS: Record<string, string> = {
  'microsoft-windows-security-auditing': 'Security',
  'service control manager': 'System',
  'microsoft-windows-sysmon': 'Microsoft-Windows-Sysmon/Operational',
  'microsoft-windows-powershell': 'Microsoft-Windows-PowerShell/Operational',
  'microsoft-windows-windows defender': 'Microsoft-Windows-Windows Defender/Operational',
};
function channelOf(d: Doc): string | undefined {
  if (!isWindows(d)) return undefined;
  const provider = lower(d.event.provider);
  // Event 1102 ("audit log cleared") comes from the Eventlog provider into the Security log; 104 into System.
  if (provider === 'microsoft-windows-eventlog') return d.event.code === '1102' ? 'Security' : 'System';
  return provider ? PROVIDER_CHANNELS[provider] : undefined;
}
function severityOf(d: Doc): string | undefined {
  if (!isWindows(d)) return undefined;
  const outcome = lower(d.event?.outcome);
  if (outcome === 'failure') return 'AUDIT_FAILURE';
  if (outcome === 'success' && channelOf(d) === 'Security') return 'AUDIT_SUCCESS';
  return isStr(d.log?.level) ? d.log.level.toUpperCase() : undefined;
}

const FIM_DECODERS: Record<string, string> = { modified: 'syscheck_integrity_changed', deleted: 'syscheck_deleted', added: 'syscheck_new_entry' };
const FIM_RULES: Record<string, string> = { modified: '550', deleted: '553', added: '554' };

/**
 * Wazuh 4.x rule ids a 5.x finding stands for, where WCS says the same thing (inferred from the 4.x rules'
 * conditions): FIM 550/553/554 by event.action; sshd authentication failure 5716/5760 and success 5715;
 * Windows 4625 → 60122, 4624 → 60106. Rules naming other 4.x rule ids are reported at load (see `gapsOf`).
 */
export function equivalentRuleIds(d: Doc): string[] {
  if (isFim(d)) {
    const r = FIM_RULES[lower(d.event?.action) ?? ''];
    return r ? [r] : [];
  }
  if (isSshd(d) && isAuthentication(d)) {
    const outcome = lower(d.event?.outcome);
    if (outcome === 'failure') return ['5716', '5760'];
    if (outcome === 'success') return ['5715'];
  }
  if (isWindows(d)) {
    if (d.event.code === '4625') return ['60122'];
    if (d.event.code === '4624') return ['60106'];
  }
  return [];
}
export const EQUIVALENT_RULE_IDS = new Set(['550', '553', '554', '5716', '5760', '5715', '60122', '60106']);

function groupsOf(d: Doc): string[] {
  const out: string[] = [];
  if (isWindows(d)) out.push('windows');
  if (isSshd(d)) out.push('syslog', 'sshd');
  if (isFim(d)) out.push('ossec', 'syscheck', `syscheck_entry_${lower(d.event?.action) ?? 'modified'}`, 'syscheck_file');
  if (isAuthentication(d)) {
    const outcome = lower(d.event?.outcome);
    if (outcome === 'failure') out.push('authentication_failed');
    if (outcome === 'success') out.push('authentication_success');
  }
  return out;
}

/** One row: a 4.x alert path and how to read it from a WCS document. `windows` rows apply to Windows events only. */
interface Row {
  v4: string;
  read: Read;
  /** The WCS path, when the value is stored as it is (also read back from 4.x alerts for WCS-named rule fields). */
  wcs?: string;
  windows?: boolean;
  /** For the view: set only when the document is (true) or is not (false) a Windows event. */
}

const direct = (v4: string, wcs: string, windows?: boolean): Row => ({ v4, wcs, read: path(wcs), windows });

export const ROWS: Row[] = [
  direct('timestamp', '@timestamp'),
  direct('agent.id', 'wazuh.agent.id'),
  direct('agent.name', 'wazuh.agent.name'),
  { v4: 'rule.id', read: (d) => [...equivalentRuleIds(d), ...(isStr(d.wazuh?.rule?.id) ? [d.wazuh.rule.id] : [])] },
  { v4: 'rule.level', read: (d) => levelNumber(d.wazuh?.rule?.level) },
  direct('rule.description', 'wazuh.rule.title'),
  { v4: 'rule.groups', read: groupsOf },
  direct('rule.mitre.id', 'wazuh.rule.mitre.technique.id'),
  direct('rule.mitre.technique', 'wazuh.rule.mitre.technique.name'),
  direct('rule.mitre.tactic', 'wazuh.rule.mitre.tactic.name'),
  direct('full_log', 'event.original'),
  direct('location', 'wazuh.protocol.location'),
  direct('predecoder.program_name', 'process.name'),
  { v4: 'decoder.name', read: (d) => (isFim(d) ? FIM_DECODERS[lower(d.event?.action) ?? ''] : isSshd(d) ? 'sshd' : isWindows(d) ? 'windows_eventchannel' : undefined) },
  { v4: 'decoder.parent', read: (d) => (isSshd(d) ? 'sshd' : undefined) },
  // Windows eventchannel fields (the 4.x → 5.x migration table: event id → event.code, srcip → source.ip,
  // dstuser → user.target.name; the rest follow ECS's own Windows mapping, inferred).
  direct('data.win.system.eventID', 'event.code', true),
  direct('data.win.system.providerName', 'event.provider', true),
  { v4: 'data.win.system.channel', read: channelOf, windows: true },
  { v4: 'data.win.system.severityValue', read: severityOf, windows: true },
  direct('data.win.system.computer', 'host.name', true),
  direct('data.win.system.message', 'message', true),
  direct('data.win.eventdata.ipAddress', 'source.ip', true),
  direct('data.win.eventdata.ipPort', 'source.port', true),
  direct('data.win.eventdata.workstationName', 'source.domain', true),
  direct('data.win.eventdata.targetUserName', 'user.target.name', true),
  direct('data.win.eventdata.targetDomainName', 'user.target.domain', true),
  direct('data.win.eventdata.targetUserSid', 'user.target.id', true),
  direct('data.win.eventdata.subjectUserName', 'user.name', true),
  direct('data.win.eventdata.subjectDomainName', 'user.domain', true),
  direct('data.win.eventdata.subjectUserSid', 'user.id', true),
  direct('data.win.eventdata.targetSid', 'group.id', true),
  direct('data.win.eventdata.serviceName', 'service.name', true),
  direct('data.win.eventdata.processName', 'process.executable', true),
  // Static decoder fields (the migration table: srcip → source.ip, srcuser → user.name, dstuser → user.target.name).
  direct('data.srcip', 'source.ip', false),
  direct('data.srcport', 'source.port', false),
  direct('data.srcuser', 'user.name', false),
  direct('data.dstuser', 'user.target.name', false),
  direct('data.dstip', 'destination.ip', false),
  direct('data.dstport', 'destination.port', false),
  direct('data.protocol', 'network.protocol', false),
  direct('data.url', 'url.original', false),
  direct('data.status', 'event.outcome', false),
  // FIM: the 5.x finding keeps the file's state after the change; the previous state is only in event.original.
  direct('syscheck.path', 'file.path'),
  direct('syscheck.event', 'event.action'),
  direct('syscheck.mode', 'file.mode'),
  direct('syscheck.size_after', 'file.size'),
  direct('syscheck.uid_after', 'file.uid'),
  direct('syscheck.gid_after', 'file.gid'),
  direct('syscheck.uname_after', 'file.owner'),
  direct('syscheck.gname_after', 'file.group'),
  direct('syscheck.inode_after', 'file.inode'),
  direct('syscheck.md5_after', 'file.hash.md5'),
  direct('syscheck.sha1_after', 'file.hash.sha1'),
  direct('syscheck.sha256_after', 'file.hash.sha256'),
  direct('syscheck.audit.user.name', 'user.name'),
  direct('syscheck.audit.process.name', 'process.name'),
  direct('syscheck.audit.process.id', 'process.pid'),
  direct('syscheck.audit.process.ppid', 'process.parent.pid'),
  direct('syscheck.audit.process.parent_name', 'process.parent.name'),
  direct('syscheck.audit.process.cwd', 'process.working_directory'),
];

const byV4 = new Map<string, Row[]>();
for (const r of ROWS) byV4.set(r.v4, [...(byV4.get(r.v4) ?? []), r]);

/** 4.x alert prefixes: a field under one of these that the table lacks has no WCS equivalent. */
const V4_ROOTS = ['data', 'rule', 'agent', 'manager', 'decoder', 'predecoder', 'syscheck', 'full_log', 'location', 'previous_output', 'id', 'timestamp', 'cluster'];
export const isV4Path = (p: string) => V4_ROOTS.includes(p.split('.')[0]!);

/** How to read a 4.x alert path from a WCS document, or undefined when WCS has no such field. */
export function wcsReader(v4: string): Read | undefined {
  const rows = byV4.get(v4);
  if (!rows) return undefined;
  const reads = rows.map((r) => ({ read: r.read, windows: r.windows }));
  if (reads.length === 1 && reads[0]!.windows === undefined) return reads[0]!.read;
  return (d) => {
    const win = isWindows(d);
    for (const r of reads) if (r.windows === undefined || r.windows === win) return r.read(d);
    return undefined;
  };
}

/** WCS paths that stand for 4.x alert paths: a rule naming them (`source.ip`) also runs on 4.x alerts. */
const byWcs = new Map<string, string[]>();
for (const r of ROWS) if (r.wcs) byWcs.set(r.wcs, [...new Set([...(byWcs.get(r.wcs) ?? []), r.v4])]);

/** How to read a WCS path from a Wazuh 4.x alert, or undefined when it is not one Vigil maps. */
export function v4Reader(wcs: string): Read | undefined {
  if (wcs === 'wazuh.rule.level') return (d) => levelKeyword(d.rule?.level);
  const v4 = byWcs.get(wcs);
  if (!v4) return undefined;
  const reads = v4.map(path);
  return (d) => {
    for (const r of reads) {
      const v = r(d);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

/**
 * The id a 5.x document is recorded under: the event it stands for (a finding's event.index / event.doc_id, so
 * an event and its findings count once, as one 4.x alert did), else the document itself.
 */
export function wcsKey(hit: { _index?: unknown; _id?: unknown; _source?: Doc }, doc: Doc = hit._source ?? {}): { id: string; index: string } | undefined {
  const e = doc.event;
  if (isStr(e?.doc_id) && isStr(e?.index)) return { id: e.doc_id, index: e.index };
  if (isStr(hit._id)) return { id: hit._id, index: isStr(hit._index) ? hit._index : 'wcs' };
  return undefined;
}

/** Is this parsed record a WCS document (a 5.x finding or event)? */
export function isWcsDocument(obj: Doc): boolean {
  return obj.wazuh !== null && typeof obj.wazuh === 'object' && obj.rule === undefined && (obj['@timestamp'] !== undefined || obj.event !== undefined);
}

const views = new WeakMap<object, Doc>();

function setPath(target: Doc, p: string, value: unknown): void {
  const keys = p.split('.');
  let cur = target;
  for (const k of keys.slice(0, -1)) cur = cur[k] ??= {};
  cur[keys[keys.length - 1]!] = value;
}

/**
 * The 4.x alert a WCS document stands for, for the stages after detection (built once per document, only for
 * the events of a detection): every mapped field at its 4.x path, values as Wazuh 4.x writes them (strings
 * under data.win, a number for rule.level).
 */
export function alertViewOf(d: Doc): Doc {
  const cached = views.get(d);
  if (cached) return cached;
  const win = isWindows(d);
  const out: Doc = {};
  const seen = new Set<string>();
  for (const r of ROWS) {
    if (seen.has(r.v4) || (r.windows !== undefined && r.windows !== win)) continue;
    let v = r.read(d);
    if (r.v4 === 'rule.id') v = (v as string[])[0];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    if (r.v4.startsWith('data.win.') && typeof v === 'number') v = String(v);
    seen.add(r.v4);
    setPath(out, r.v4, v);
  }
  views.set(d, out);
  return out;
}

/** What the stages after detection read of an event: the alert itself, or the 4.x view of a WCS document. */
export function alertView(e: Pick<Event, 'format' | 'data'>): Doc {
  return e.format === 'wcs' ? alertViewOf(e.data) : (e.data as Doc);
}

/**
 * The fields (and 4.x rule ids) a rule's detection needs that 5.x findings lack, one phrase each, e.g.
 * "data.win.eventdata.logonType (LogonType)": selections over them never match on 5.x input.
 */
export function gapsOf(fields: { sigma: string; v4: string }[], ruleIds: string[]): string[] {
  const out: string[] = [];
  for (const f of fields) if (isV4Path(f.v4) && !byV4.has(f.v4)) out.push(f.sigma === f.v4 ? f.v4 : `${f.sigma} (${f.v4})`);
  for (const id of ruleIds) if (/^\d+$/.test(id) && !EQUIVALENT_RULE_IDS.has(id)) out.push(`rule.id ${id} (a Wazuh 4.x rule with no 5.x equivalent)`);
  return [...new Set(out)];
}
