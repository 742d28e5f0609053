// Linux audit (auditd) as Wazuh sees it. Wazuh reads audit.log with `log_format audit`, groups the records of one
// event into one line (full_log: "type=SYSCALL msg=audit(…): … type=EXECVE msg=audit(…): argc=3 a0=\"ls\" …
// type=CWD … type=PATH …") and its auditd decoders write a few fields (`data.audit.type` of the first record,
// `audit.exe`, `audit.command` (comm), `audit.key`, `audit.cwd`, `audit.execve.a0`…`a7` when quoted,
// `audit.file.name`; wazuh/wazuh ruleset/decoders/0040-auditd_decoders.xml @v4.14.7). Sigma's auditd rules name
// the raw record fields (`type`, `a0`, `name`, `nametype`, `SYSCALL` …), so they are read from the records in
// full_log, every record of the event: a field present in several records (`type`, `a0`, PATH `name`) holds all
// their values and matches when one does. Values auditd hex-encodes (arguments, paths and titles with spaces or
// quotes) are decoded, as `ausearch -i` shows them. Upper-case fields (`SYSCALL`, `AUID`, …) exist only when
// auditd writes `log_format = ENRICHED`.
//
// Linux process creation (`category: process_creation`) is the execve record of the same events: Wazuh's
// documented command monitoring (`-a exit,always -F arch=b64 -S execve -k audit-wazuh-c`, rule 80792
// "Audit: Command", ruleset/rules/0365-auditd_rules.xml). Sysmon for Linux has no decoder in Wazuh 4.x.
import { accessor, type Accessor } from '../fields.js';
import { UnsupportedError } from '../sigma/values.js';
import { alertPath, decodedBy, keywordTexts, type NormalLogsource, type Source, type SourceSpec } from './source.js';

/** One audit record: its type and its fields (a field may repeat, e.g. in nested msg='…'). */
export interface AuditRecord {
  type: string;
  fields: Map<string, string[]>;
}

const RECORD = /(?:^|\s)(?:node=\S+\s+)?type=([A-Z_0-9]+)\s+msg=audit\([^)]*\):\s*/g;
const PAIR = /([A-Za-z0-9_-]+)=("(?:[^"]*)"|'(?:[^']*)'|\S*)/g;
/** Fields auditd hex-encodes when their value has a space, a quote or a control character, per record type. */
const ENCODED: Record<string, RegExp> = {
  EXECVE: /^a\d+$/,
  PATH: /^name$/,
  PROCTITLE: /^proctitle$/,
  SYSCALL: /^(comm|exe)$/,
  CWD: /^cwd$/,
};
const HEX = /^(?:[0-9A-F]{2})+$/;

function decodeHex(v: string): string {
  // NUL separates proctitle's arguments: show them as the command line they were.
  return Buffer.from(v, 'hex').toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
}

function addPairs(text: string, type: string, fields: Map<string, string[]>): void {
  const encoded = ENCODED[type];
  for (const m of text.matchAll(PAIR)) {
    const key = m[1]!;
    let v = m[2]!;
    if (v.startsWith("'") && v.endsWith("'") && v.length >= 2) {
      // USER_* records nest their details: msg='op=PAM:accounting acct="root" exe="/usr/sbin/sshd" …'.
      addPairs(v.slice(1, -1), type, fields);
      if (key === 'msg') continue;
      v = v.slice(1, -1);
    } else if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    else if (encoded?.test(key) && HEX.test(v)) v = decodeHex(v);
    const list = fields.get(key);
    if (list) list.push(v);
    else fields.set(key, [v]);
  }
}

/** Splits Wazuh's grouped audit line into its records. */
export function auditRecords(line: string): AuditRecord[] {
  // ENRICHED logs append interpreted fields after a 0x1d separator.
  const text = line.replace(/\x1d/g, ' ');
  const starts = [...text.matchAll(RECORD)];
  const out: AuditRecord[] = [];
  starts.forEach((m, i) => {
    const body = text.slice(m.index! + m[0].length, i + 1 < starts.length ? starts[i + 1]!.index : undefined);
    const fields = new Map<string, string[]>();
    fields.set('type', [m[1]!]);
    addPairs(body, m[1]!, fields);
    out.push({ type: m[1]!, fields });
  });
  return out;
}

const parsed = new WeakMap<object, AuditRecord[]>();

/** The records of an alert's full_log, parsed once per alert. */
export function recordsOf(d: Record<string, unknown>): AuditRecord[] {
  let r = parsed.get(d);
  if (!r) {
    r = typeof d.full_log === 'string' ? auditRecords(d.full_log) : [];
    parsed.set(d, r);
  }
  return r;
}

const one = (values: string[]): string | string[] | undefined => (values.length === 0 ? undefined : values.length === 1 ? values[0] : values);

/** A raw audit field: its values in every record of the event. */
export function auditField(name: string): Accessor {
  return (d) => {
    const values: string[] = [];
    for (const r of recordsOf(d)) {
      const v = r.fields.get(name);
      if (v) values.push(...v);
    }
    return one(values);
  };
}

/** The executed command line: the execve record's arguments in order (a0 a1 …), else Wazuh's decoded a0…a7. */
export function commandLine(d: Record<string, unknown>): string | undefined {
  for (const r of recordsOf(d)) {
    if (r.type !== 'EXECVE') continue;
    const args: string[] = [];
    for (let i = 0; ; i++) {
      const v = r.fields.get(`a${i}`);
      if (!v) break;
      args.push(v[0]!);
    }
    if (args.length > 0) return args.join(' ');
  }
  const execve = ((d.data as any)?.audit?.execve ?? undefined) as Record<string, unknown> | undefined;
  if (!execve || typeof execve !== 'object') return undefined;
  const args: string[] = [];
  for (let i = 0; i < 8 && typeof execve[`a${i}`] === 'string'; i++) args.push(execve[`a${i}`] as string);
  return args.length > 0 ? args.join(' ') : undefined;
}

const isAudit = decodedBy(['auditd']);
const decoded = (path: string[], raw: string): Accessor => {
  const get = accessor(['data', 'audit', ...path]);
  const fromRecords = auditField(raw);
  return (d) => get(d) ?? fromRecords(d);
};

const auditd: Source = {
  name: 'Linux auditd',
  gate: isAudit,
  verbatim: false,
  key: 'decoder:auditd',
  needle: '"auditd"',
  field: (name) => {
    const absolute = alertPath(name);
    return absolute ? accessor(absolute) : auditField(name);
  },
  keywords: keywordTexts,
};

const hasExecve = (d: Record<string, unknown>) =>
  isAudit(d) && ((d.data as any)?.audit?.execve !== undefined || recordsOf(d).some((r) => r.type === 'EXECVE'));

const NOT_IN_AUDIT = "auditd's execve events carry the process, its arguments, pid, ppid and numeric ids, not the parent's image or command line, nor a user or logon name (Wazuh's auditd decoder)";
const PROCESS_FIELDS: Record<string, Accessor> = {
  Image: decoded(['exe'], 'exe'),
  CommandLine: commandLine,
  CurrentDirectory: decoded(['cwd'], 'cwd'),
  ProcessId: decoded(['pid'], 'pid'),
  ParentProcessId: decoded(['ppid'], 'ppid'),
};

const processCreation: Source = {
  name: 'Linux process creation (auditd execve)',
  gate: hasExecve,
  verbatim: false,
  key: 'decoder:auditd',
  needle: '"auditd"',
  field: (name) => {
    const get = PROCESS_FIELDS[name];
    if (get) return get;
    const absolute = alertPath(name);
    if (absolute) return accessor(absolute);
    throw new UnsupportedError(`field "${name}" of linux process_creation: ${NOT_IN_AUDIT}`);
  },
  keywords: keywordTexts,
};

export const auditdSources: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.product !== 'linux') return undefined;
    if (ls.service === 'auditd' && !ls.category) return auditd;
    if (ls.category === 'process_creation' && !ls.service) return processCreation;
    return undefined;
  },
};
