// From false-positive verdicts to a Sigma filter. Given the events of a rule's false-positive incidents and of its
// true-positive ones, it looks for what every false positive has and no true positive has — an account, a host, a
// source address or range, a process path — and writes it as a Sigma filter document (sigma.md §1.9 meta filter,
// `condition: not selection`) for the detection rules the incidents came from. It is a proposal: nothing is
// applied until a person accepts it (src/tuning/filters.ts).
import { randomUUID } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { stringify } from 'yaml';
import type { Event } from '../model/index.js';
import type { Accessor } from '../detect/fields.js';
import type { DetectionRule, Rule, RuleSet } from '../detect/rules.js';
import { UnsupportedError } from '../detect/sigma/values.js';

/** The kinds of value a filter may name, each with the Sigma fields (any logsource) that carry it. */
export const CANDIDATE_FIELDS = {
  account: ['TargetUserName', 'SubjectUserName', 'User', 'user', 'UserName', 'UserId', 'userIdentity.userName', 'srcuser', 'dstuser'],
  host: ['WorkstationName', 'Computer', 'Hostname', 'hostname', 'host'],
  source: ['IpAddress', 'SourceIp', 'SourceAddress', 'src_ip', 'srcip', 'ClientIP', 'ClientIPAddress', 'sourceIPAddress', 'c-ip'],
  process: ['Image', 'NewProcessName', 'ProcessName', 'ParentImage', 'ServiceFileName', 'exe'],
} as const;

export type ValueKind = keyof typeof CANDIDATE_FIELDS;

/** Most distinct values one field of the filter lists; more says the false positives do not share it. */
const MAX_VALUES = 3;

export interface ProposedField {
  kind: ValueKind;
  field: string;
  /** The values the filter names (exact, case-insensitive as Sigma compares). */
  values: string[];
  /** Instead of values: the network (`field|cidr`) that holds every false positive's address. */
  cidr?: string;
}

export interface ProposedFilter {
  /** The detection rule the filter names. */
  ruleId: string;
  ruleTitle: string;
  fields: ProposedField[];
}

export interface Proposal {
  ruleId: string;
  falsePositives: number;
  truePositives: number;
  filters: ProposedFilter[];
  /** Multi-document Sigma YAML, one filter per detection rule; empty when nothing can be proposed. */
  yaml: string;
  /** Why nothing was proposed. */
  reason?: string;
}

/** The detection rules a rule's incidents are made of: itself, or the rules its correlation (chain) reads. */
export function baseRules(rule: Rule, set: RuleSet): DetectionRule[] {
  if (rule.kind === 'detection') return [rule];
  const byRef = new Map<string, Rule>();
  for (const r of set.rules) {
    byRef.set(r.ref.id, r);
    if (r.name) byRef.set(r.name, r);
  }
  const out = new Set<DetectionRule>();
  const seen = new Set<Rule>();
  const walk = (r: Rule) => {
    if (seen.has(r)) return;
    seen.add(r);
    if (r.kind === 'detection') out.add(r);
    else for (const ref of r.rules) if (byRef.has(ref)) walk(byRef.get(ref)!);
  };
  walk(rule);
  return [...out];
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v !== '-' ? v : typeof v === 'number' ? String(v) : undefined);

function accessor(rule: DetectionRule, field: string, format: Event['format']): Accessor | undefined {
  try {
    return rule.field[format](field);
  } catch (err) {
    if (err instanceof UnsupportedError) return undefined;
    throw err;
  }
}

/** Per incident, the values of a field among the events the rule matches (lower-cased: Sigma compares so). */
function valuesPer(rule: DetectionRule, field: string, incidents: Event[][]): Map<string, string>[] {
  return incidents.map((events) => {
    const vals = new Map<string, string>();
    for (const e of events) {
      if (!rule.match[e.format](e.data)) continue;
      const get = accessor(rule, field, e.format);
      const v = get ? text(get(e.data)) : undefined;
      if (v !== undefined && !vals.has(v.toLowerCase())) vals.set(v.toLowerCase(), v);
    }
    return vals;
  });
}

/** The smallest of /24, /16 (IPv4) or /64, /48 (IPv6) that holds every address, or undefined. */
function commonNetwork(addresses: string[]): string | undefined {
  if (addresses.length === 0 || !addresses.every((a) => ipaddr.isValid(a))) return undefined;
  const parsed = addresses.map((a) => ipaddr.parse(a));
  const kind = parsed[0]!.kind();
  if (!parsed.every((p) => p.kind() === kind)) return undefined;
  for (const bits of kind === 'ipv4' ? [24, 16] : [64, 48]) {
    const net = parsed[0]!.toString();
    if (parsed.every((p) => p.match(ipaddr.parse(net), bits))) {
      const base = ipaddr.parseCIDR(`${net}/${bits}`);
      return `${networkAddress(base[0], bits)}/${bits}`;
    }
  }
  return undefined;
}

function networkAddress(addr: ipaddr.IPv4 | ipaddr.IPv6, bits: number): string {
  const bytes = addr.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    bytes[i]! &= (0xff << (8 - keep)) & 0xff;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** What every false-positive incident of one detection rule shares on one field and no true positive has. */
function discriminating(rule: DetectionRule, kind: ValueKind, field: string, fp: Event[][], tp: Event[][]): ProposedField | undefined {
  const fpVals = valuesPer(rule, field, fp);
  if (fpVals.some((v) => v.size === 0)) return undefined; // some false positive lacks it
  const all = new Map<string, string>();
  for (const v of fpVals) for (const [k, orig] of v) all.set(k, orig);
  const tpVals = new Set(valuesPer(rule, field, tp).flatMap((v) => [...v.keys()]));
  if (kind === 'source' && all.size > 1) {
    const net = commonNetwork([...all.values()]);
    if (net && ![...tpVals].some((t) => ipaddr.isValid(t) && inNetwork(t, net))) return { kind, field, values: [], cidr: net };
  }
  if (all.size > MAX_VALUES) return undefined;
  if ([...all.keys()].some((k) => tpVals.has(k))) return undefined;
  return { kind, field, values: [...all.values()].sort() };
}

function inNetwork(address: string, network: string): boolean {
  try {
    const a = ipaddr.parse(address);
    const [net, bits] = ipaddr.parseCIDR(network);
    return a.kind() === net.kind() && a.match(net, bits);
  } catch {
    return false;
  }
}

/** A Sigma string value as written: its wildcards and backslashes escaped, so it matches only itself. */
export const sigmaLiteral = (v: string) => v.replace(/[\\*?]/g, (c) => `\\${c}`);

/**
 * Proposes a filter for `rule` from the events of its false-positive (`fp`) and true-positive (`tp`) incidents,
 * one array of events per incident.
 */
export function proposeFilter(rule: Rule, set: RuleSet, fp: Event[][], tp: Event[][], now: number): Proposal {
  const base = { ruleId: rule.ref.id, falsePositives: fp.length, truePositives: tp.length, filters: [], yaml: '' };
  if (fp.length === 0) return { ...base, reason: 'no false-positive incident of this rule (in the period, with its evidence still stored)' };
  const filters: ProposedFilter[] = [];
  const docs: string[] = [];
  for (const target of baseRules(rule, set)) {
    const mine = (incidents: Event[][]) => incidents.map((events) => events.filter((e) => target.match[e.format](e.data)));
    const fpEvents = mine(fp);
    if (fpEvents.some((e) => e.length === 0)) continue; // the false positives are not (all) made of this rule's events
    const fields: ProposedField[] = [];
    for (const [kind, names] of Object.entries(CANDIDATE_FIELDS) as [ValueKind, readonly string[]][]) {
      for (const field of names) {
        const found = discriminating(target, kind, field, fpEvents, mine(tp));
        if (found) fields.push(found);
      }
    }
    if (fields.length === 0) continue;
    filters.push({ ruleId: target.ref.id, ruleTitle: target.ref.title, fields });
    docs.push(filterYaml(rule, target, fields, fp.length, tp.length, now));
  }
  if (filters.length === 0)
    return { ...base, reason: 'the false positives share no account, host, source address or process path that the true positives lack' };
  return { ...base, filters, yaml: docs.join('---\n') };
}

function filterYaml(rule: Rule, target: DetectionRule, fields: ProposedField[], fps: number, tps: number, now: number): string {
  const selection: Record<string, string | string[]> = {};
  for (const f of fields) {
    if (f.cidr) selection[`${f.field}|cidr`] = f.cidr;
    else selection[f.field] = f.values.length === 1 ? sigmaLiteral(f.values[0]!) : f.values.map(sigmaLiteral);
  }
  const named = fields.map((f) => f.cidr ?? f.values.join(', ')).join(' / ');
  const doc = {
    title: `Not ${named} (${target.ref.title})`,
    id: randomUUID(),
    status: 'experimental',
    description:
      `Proposed from ${fps} false-positive incident${fps === 1 ? '' : 's'} of "${rule.ref.title}": ` +
      `every one has these values, none of its ${tps} true-positive incident${tps === 1 ? '' : 's'} has. Review, backtest, then accept.`,
    author: 'proposed by Vigil',
    date: new Date(now).toISOString().slice(0, 10),
    logsource: target.logsource,
    filter: { rules: [target.ref.id], selection, condition: 'not selection' },
  };
  return stringify(doc, { lineWidth: 0 });
}
