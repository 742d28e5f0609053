// Wazuh 4.x XML rules → Sigma. A converted rule fires where Wazuh 4.x would have emitted that rule's alert:
// its own conditions, those of its parents (<if_sid>, <if_group>, down to the <decoded_as> root), and none of
// its children's (Wazuh gives an event to the deepest rule that matches it). `frequency`/`timeframe` rules over
// <if_matched_sid>/<if_matched_group> become Sigma correlations (event_count; value_count for different_*),
// grouped by their same_* fields. What cannot be carried over is listed with the reason. Field names are the
// Wazuh 4.x alert paths (`data.win.eventdata.ipAddress`, `data.srcip`, `full_log`), which Vigil reads on 4.x
// alerts as they are and maps onto the Wazuh Common Schema for 5.x findings.
import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import type { Level } from '../model/index.js';
import { osMatchToRe2, osRegexToRe2, PatternError } from './os-regex.js';
import { isComplianceGroup, type RuleElement, type WazuhXmlRule } from './xml-rules.js';

/** Wazuh's `analysisd.default_timeframe` (internal_options.conf): a frequency rule without timeframe uses it. */
export const DEFAULT_TIMEFRAME_S = 360;

type Selection = Record<string, unknown> | Record<string, unknown>[];
export type Expr = { and: Expr[] } | { or: Expr[] } | { not: Expr } | { sel: Selection };

export interface Logsource {
  product: string;
  service?: string;
}

export interface SigmaDoc {
  [key: string]: unknown;
}

export type Outcome =
  | { id: string; file: string; kind: 'detection'; sigma: SigmaDoc; notes: string[] }
  | { id: string; file: string; kind: 'correlation'; sigma: SigmaDoc; bases: SigmaDoc[]; summary: string; notes: string[] }
  | { id: string; file: string; kind: 'folded'; reason: string }
  | { id: string; file: string; kind: 'not-converted'; reasons: string[] };

export interface Conversion {
  outcomes: Outcome[];
}

/** Sigma level for a Wazuh level (Wazuh's own 4.x → 5.x migration table); 0 never alerts. */
export function sigmaLevel(level: number): Level {
  if (level <= 3) return 'informational';
  if (level <= 6) return 'low';
  if (level <= 9) return 'medium';
  if (level <= 13) return 'high';
  return 'critical';
}

/** A stable UUID (v5 layout over SHA-1) for a Wazuh rule id, so converting again gives the same Sigma ids. */
export function ruleUuid(name: string): string {
  const h = createHash('sha1').update(`vigil:wazuh-4x-rule:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

const sigmaName = (id: string) => `wazuh_4x_${id}`;

/** Where Wazuh 4.x rule elements look, and in which pattern language (Wazuh's ruleset reference). */
const STATIC_ELEMENTS: Record<string, { path: string; lang: 'osregex' | 'osmatch' }> = {
  srcport: { path: 'data.srcport', lang: 'osregex' },
  dstport: { path: 'data.dstport', lang: 'osregex' },
  id: { path: 'data.id', lang: 'osregex' },
  status: { path: 'data.status', lang: 'osregex' },
  protocol: { path: 'data.protocol', lang: 'osregex' },
  system_name: { path: 'data.system_name', lang: 'osregex' },
  extra_data: { path: 'data.extra_data', lang: 'osregex' },
  data: { path: 'data.data', lang: 'osregex' },
  url: { path: 'data.url', lang: 'osmatch' },
  action: { path: 'data.action', lang: 'osmatch' },
  program_name: { path: 'predecoder.program_name', lang: 'osmatch' },
  hostname: { path: 'predecoder.hostname', lang: 'osmatch' },
  location: { path: 'location', lang: 'osmatch' },
};

/** same_* / different_* options → the alert field they compare (Wazuh's Eventinfo fields). */
const COMPARED_FIELDS: Record<string, string> = {
  source_ip: 'data.srcip',
  srcip: 'data.srcip',
  src_port: 'data.srcport',
  srcport: 'data.srcport',
  dst_port: 'data.dstport',
  dstport: 'data.dstport',
  dstip: 'data.dstip',
  srcuser: 'data.srcuser',
  user: 'data.dstuser',
  location: 'location',
  id: 'data.id',
  agent: 'agent.id',
  url: 'data.url',
  protocol: 'data.protocol',
  action: 'data.action',
  data: 'data.data',
  extra_data: 'data.extra_data',
  status: 'data.status',
  system_name: 'data.system_name',
};

/** Elements that do not change which events a rule matches. */
const NEUTRAL = new Set(['category', 'options', 'info', 'description', 'group', 'mitre', 'compliance']);
/** Elements with no Sigma equivalent, and why. */
const UNSUPPORTED: Record<string, string> = {
  if_level: '<if_level> (a parent by level) has no Sigma equivalent',
  if_fts: '<if_fts> (first time seen) needs state Sigma rules do not have',
  list: '<list> (a CDB list lookup) has no Sigma equivalent',
  time: '<time> (a time-of-day window) has no Sigma equivalent in Vigil',
  weekday: '<weekday> has no Sigma equivalent in Vigil',
  check_diff: '<check_diff> (output changed since the last run) needs state Sigma rules do not have',
  srcgeoip: '<srcgeoip> reads the manager\'s GeoIP lookup, which alerts do not carry',
  dstgeoip: '<dstgeoip> reads the manager\'s GeoIP lookup, which alerts do not carry',
  global_frequency: '<global_frequency> (counting across agents) is not carried over',
  check_if_ignored: '<check_if_ignored> has no Sigma equivalent',
  decoded_as_unknown: '',
};

const LOGSOURCES: Record<string, Logsource> = {
  sshd: { product: 'linux', service: 'sshd' },
  windows_eventchannel: { product: 'windows' },
};

interface Own {
  exprs: Expr[];
  logsource?: Logsource;
  problems: string[];
}

function regexFor(lang: string, text: string, anchorStart = '^'): string {
  const re = lang === 'pcre2' ? text : lang === 'osmatch' ? osMatchToRe2(text, anchorStart) : osRegexToRe2(text, anchorStart);
  try {
    RE2JS.compile(re.replace(/^\(\?i\)/, ''), RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    throw new PatternError(`"${text}" has no linear-time (RE2) equivalent: ${(err as Error).message}`);
  }
  return re;
}

const negated = (e: RuleElement) => /^(yes|true)$/i.test(e.attrs.negate ?? '');

export class Converter {
  private readonly byId = new Map<string, WazuhXmlRule>();
  private readonly children = new Map<string, WazuhXmlRule[]>();
  private readonly ownCache = new Map<string, Own>();
  private readonly chainCache = new Map<string, { expr?: Expr; logsource?: Logsource; problems: string[] }>();

  constructor(private readonly rules: WazuhXmlRule[]) {
    // A later definition of the same id replaces the earlier one, as Wazuh's overwrite="yes" does.
    for (const r of rules) this.byId.set(r.id, r);
    for (const r of this.byId.values()) {
      if (this.isFrequency(r)) continue; // relabels the event that completes it; takes nothing from its parent
      for (const p of this.parentIds(r)) this.children.set(p, [...(this.children.get(p) ?? []), r]);
    }
  }

  private list(r: WazuhXmlRule, name: string): string[] {
    return r.elements.filter((e) => e.name === name).flatMap((e) => e.text.split(/[,\s]+/).filter(Boolean));
  }

  private isFrequency(r: WazuhXmlRule): boolean {
    return r.attrs.frequency !== undefined;
  }

  /** Parents through <if_sid> and <if_group> (every rule of that group). */
  private parentIds(r: WazuhXmlRule): string[] {
    const ids = this.list(r, 'if_sid');
    for (const g of this.list(r, 'if_group'))
      for (const other of this.byId.values()) if (other !== r && !this.isFrequency(other) && other.groups.includes(g)) ids.push(other.id);
    return ids;
  }

  /** The rule's own conditions (not its parents'). */
  own(r: WazuhXmlRule): Own {
    const cached = this.ownCache.get(r.id);
    if (cached) return cached;
    const out: Own = { exprs: [], problems: [] };
    const push = (e: RuleElement, sel: Selection) => out.exprs.push(negated(e) ? { not: { sel } } : { sel });
    const matches: RuleElement[] = [];
    const regexes: RuleElement[] = [];
    for (const e of r.elements) {
      try {
        if (e.name === 'decoded_as') {
          const ls = LOGSOURCES[e.text];
          if (ls) out.logsource = ls;
          else if (e.text.startsWith('syscheck')) {
            out.logsource = { product: 'wazuh', service: 'syscheck' };
            out.exprs.push({ sel: { 'decoder.name': e.text } });
          } else {
            out.logsource = { product: 'wazuh' };
            out.exprs.push({ sel: [{ 'decoder.parent': e.text }, { 'decoder.name': e.text }] });
          }
        } else if (e.name === 'field') {
          if (!e.attrs.name) throw new PatternError('<field> without a name');
          push(e, { [`data.${e.attrs.name}|re`]: regexFor(e.attrs.type ?? 'osregex', e.text) });
        } else if (e.name === 'match') matches.push(e);
        else if (e.name === 'regex') regexes.push(e);
        else if (e.name === 'srcip' || e.name === 'dstip') {
          const not = e.text.startsWith('!');
          const net = (not ? e.text.slice(1) : e.text).trim();
          const cidr = net.includes('/') ? net : net.includes(':') ? `${net}/128` : `${net}/32`;
          const sel = { [`data.${e.name}|cidr`]: cidr };
          out.exprs.push(not !== negated(e) ? { not: { sel } } : { sel });
        } else if (e.name === 'user') {
          const re = regexFor(e.attrs.type ?? 'osregex', e.text);
          push(e, [{ 'data.dstuser|re': re }, { 'data.srcuser|re': re }]);
        } else if (STATIC_ELEMENTS[e.name]) {
          const s = STATIC_ELEMENTS[e.name]!;
          push(e, { [`${s.path}|re`]: regexFor(e.attrs.type ?? s.lang, e.text) });
        } else if (UNSUPPORTED[e.name]) out.problems.push(UNSUPPORTED[e.name]!);
        else if (
          !NEUTRAL.has(e.name) &&
          !['if_sid', 'if_group', 'if_matched_sid', 'if_matched_group'].includes(e.name) &&
          !/^(same_|different_|not_same_)/.test(e.name)
        )
          out.problems.push(`<${e.name}> is not carried over`);
      } catch (err) {
        if (!(err instanceof PatternError)) throw err;
        out.problems.push(`<${e.name}${e.attrs.name ? ` name="${e.attrs.name}"` : ''}>: ${err.message}`);
      }
    }
    // Several <match> (or <regex>) elements are one pattern, concatenated (that is how Wazuh reads them). They
    // test the log message after its syslog header, so a leading ^ also holds right after "program[pid]: ".
    for (const [group, lang] of [[matches, 'osmatch'], [regexes, 'osregex']] as const) {
      if (group.length === 0) continue;
      const text = group.map((e) => e.text).join('');
      try {
        const sel = { 'full_log|re': regexFor(group[0]!.attrs.type ?? lang, text, '(?:^|: )') };
        out.exprs.push(negated(group[0]!) ? { not: { sel } } : { sel });
      } catch (err) {
        if (!(err instanceof PatternError)) throw err;
        out.problems.push(`<${group[0]!.name}>: ${err.message}`);
      }
    }
    this.ownCache.set(r.id, out);
    return out;
  }

  /** The rule's conditions with its parents': what an event must satisfy to reach it. */
  chain(r: WazuhXmlRule, seen = new Set<string>()): { expr?: Expr; logsource?: Logsource; problems: string[] } {
    const cached = this.chainCache.get(r.id);
    if (cached) return cached;
    if (seen.has(r.id)) return { problems: [`rule ${r.id} is its own ancestor`] };
    seen.add(r.id);
    const own = this.own(r);
    const problems = [...own.problems];
    const parts = [...own.exprs];
    let logsource = own.logsource;
    const parentIds = this.parentIds(r);
    const ifGroups = this.list(r, 'if_group');
    if (ifGroups.length > 0 && parentIds.length === 0) problems.push(`no rule of group ${ifGroups.join(', ')} is among the given files`);
    if (parentIds.length > 0) {
      const alternatives: Expr[] = [];
      const sources = new Set<string>();
      for (const pid of parentIds) {
        const parent = this.byId.get(pid);
        if (!parent) {
          problems.push(`parent rule ${pid} is not among the given files`);
          continue;
        }
        const pc = this.chain(parent, new Set(seen));
        if (pc.problems.length > 0) {
          problems.push(`parent rule ${pid}: ${pc.problems[0]}`);
          continue;
        }
        if (pc.expr) alternatives.push(pc.expr);
        if (pc.logsource) sources.add(JSON.stringify(pc.logsource));
      }
      if (alternatives.length > 0) parts.push(alternatives.length === 1 ? alternatives[0]! : { or: alternatives });
      if (!logsource && sources.size === 1) logsource = JSON.parse([...sources][0]!);
    }
    const result = { expr: parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { and: parts }, logsource, problems };
    this.chainCache.set(r.id, result);
    return result;
  }

  /** Where Wazuh emits this rule's alert: it is reached and none of its children takes the event. */
  emits(r: WazuhXmlRule): { expr?: Expr; logsource?: Logsource; problems: string[]; notes: string[] } {
    const c = this.chain(r);
    const notes: string[] = [];
    const taken: Expr[] = [];
    for (const child of this.children.get(r.id) ?? []) {
      const o = this.own(child);
      if (o.problems.length > 0) {
        notes.push(`child rule ${child.id} could not be converted (${o.problems[0]}); events it would take still match this rule`);
        continue;
      }
      if (o.exprs.length > 0) taken.push(o.exprs.length === 1 ? o.exprs[0]! : { and: o.exprs });
    }
    if (!c.expr && taken.length === 0) return { ...c, notes };
    const parts: Expr[] = c.expr ? [c.expr] : [];
    if (taken.length > 0) parts.push({ not: taken.length === 1 ? taken[0]! : { or: taken } });
    return { expr: parts.length === 1 ? parts[0] : { and: parts }, logsource: c.logsource, problems: c.problems, notes };
  }

  convertAll(): Conversion {
    const outcomes: Outcome[] = [];
    for (const r of this.byId.values()) outcomes.push(this.convert(r));
    return { outcomes };
  }

  private header(r: WazuhXmlRule, suffix = ''): SigmaDoc {
    const title = (r.description || `Wazuh rule ${r.id}`) + suffix;
    const tags = [...new Set(r.mitre.map((m) => `attack.${m.toLowerCase()}`))];
    return {
      title,
      id: ruleUuid(r.id + suffix),
      name: sigmaName(r.id),
      status: 'experimental',
      description: `Converted from Wazuh 4.x rule ${r.id} (${r.file}, level ${r.level}) by vigil rules convert-wazuh.`,
      author: 'Wazuh, Inc. (converted by Vigil)',
      ...(tags.length > 0 ? { tags } : {}),
    };
  }

  convert(r: WazuhXmlRule): Outcome {
    const base = { id: r.id, file: r.file };
    if (this.isFrequency(r)) return this.convertFrequency(r);
    const e = this.emits(r);
    if (e.problems.length > 0) return { ...base, kind: 'not-converted', reasons: e.problems };
    if (r.level === 0 || /^(1|yes|true)$/i.test(r.attrs.noalert ?? ''))
      return { ...base, kind: 'folded', reason: r.level === 0 ? 'level 0: Wazuh never alerts on it; its conditions are part of the rules built on it' : 'noalert: its conditions are part of the rules built on it' };
    if (!e.expr) return { ...base, kind: 'not-converted', reasons: ['it has no condition of its own or of its parents (it would match every event)'] };
    const sigma: SigmaDoc = {
      ...this.header(r),
      logsource: e.logsource ?? { product: 'wazuh' },
      detection: toDetection(e.expr),
      level: sigmaLevel(r.level),
    };
    return { ...base, kind: 'detection', sigma, notes: e.notes };
  }

  private convertFrequency(r: WazuhXmlRule): Outcome {
    const base = { id: r.id, file: r.file };
    const reasons: string[] = [];
    const frequency = Number(r.attrs.frequency);
    if (!Number.isInteger(frequency) || frequency < 2) reasons.push(`frequency "${r.attrs.frequency}" is not a whole number of at least 2`);
    const timeframe = r.attrs.timeframe === undefined ? DEFAULT_TIMEFRAME_S : Number(r.attrs.timeframe);
    if (!Number.isInteger(timeframe) || timeframe < 1) reasons.push(`timeframe "${r.attrs.timeframe}" is not a whole number of seconds`);
    const own = this.own(r);
    reasons.push(...own.problems);
    if (own.exprs.length > 0 || this.list(r, 'if_sid').length > 0 || this.list(r, 'if_group').length > 0)
      reasons.push('it also puts conditions on the event that completes the count (<if_sid>, <if_group> or fields), which a Sigma correlation cannot express');
    const sids = this.list(r, 'if_matched_sid');
    const groups = this.list(r, 'if_matched_group');
    if (sids.length === 0 && groups.length === 0) reasons.push('frequency without <if_matched_sid> or <if_matched_group>');
    const same: string[] = [];
    const different: string[] = [];
    const notes: string[] = [];
    for (const e of r.elements) {
      const m = /^(same|different|not_same)_(.+)$/.exec(e.name);
      if (!m) continue;
      const field = m[2] === 'field' ? (e.text ? `data.${e.text}` : undefined) : COMPARED_FIELDS[m[2]!];
      if (!field) {
        reasons.push(`<${e.name}> has no field Vigil can read in alerts`);
        continue;
      }
      (m[1] === 'same' ? same : different).push(field);
    }
    // The events counted: alerts Wazuh emitted as the matched rule, or as any rule of the matched group.
    const counted: WazuhXmlRule[] = [];
    for (const sid of sids) {
      const t = this.byId.get(sid);
      if (!t) reasons.push(`matched rule ${sid} is not among the given files`);
      else counted.push(t);
    }
    const left: string[] = [];
    for (const g of groups) {
      const members = [...this.byId.values()].filter((x) => x !== r && !this.isFrequency(x) && x.groups.includes(g));
      if (members.length === 0) reasons.push(`no rule of group ${g} is among the given files`);
      counted.push(...members);
    }
    const bySource = new Map<string, { logsource: Logsource; exprs: Expr[]; ids: string[] }>();
    for (const t of counted) {
      // Wazuh remembers an event for <if_matched_*> when its rule matches, whether or not it alerts (level 0).
      const e = this.emits(t);
      if (e.problems.length > 0 || !e.expr) {
        if (sids.includes(t.id)) reasons.push(`matched rule ${t.id} could not be converted: ${e.problems[0] ?? 'no condition'}`);
        else left.push(t.id);
        continue;
      }
      const ls = e.logsource ?? { product: 'wazuh' };
      const key = JSON.stringify(ls);
      const slot = bySource.get(key) ?? { logsource: ls, exprs: [], ids: [] };
      slot.exprs.push(e.expr);
      slot.ids.push(t.id);
      bySource.set(key, slot);
    }
    if (reasons.length > 0) return { ...base, kind: 'not-converted', reasons };
    if (bySource.size === 0) return { ...base, kind: 'not-converted', reasons: ['none of the rules it counts could be converted'] };
    if (left.length > 0) notes.push(`rules of the group left out (they could not be converted): ${left.join(', ')}`);
    if (r.attrs.ignore !== undefined) notes.push(`ignore="${r.attrs.ignore}" is approximated by Vigil's re-fire policy (once per burst)`);
    if (different.length > 0) notes.push('different_*: Vigil counts distinct values in the window; Wazuh compares each earlier event with the last one');
    const bases: SigmaDoc[] = [];
    let n = 0;
    for (const slot of bySource.values()) {
      const suffix = bySource.size === 1 ? '' : `_${++n}`;
      bases.push({
        title: `Events counted by Wazuh rule ${r.id}${suffix ? ` (${slot.logsource.product}${slot.logsource.service ? `/${slot.logsource.service}` : ''})` : ''}`,
        id: ruleUuid(`${r.id}:counted${suffix}`),
        name: `${sigmaName(r.id)}_counted${suffix}`,
        status: 'experimental',
        description: `The alerts Wazuh 4.x rule ${r.id} counts (${sids.length > 0 ? `rule ${sids.join(', ')}` : `group ${groups.join(', ')}`}): Wazuh rules ${slot.ids.join(', ')}.`,
        author: 'Wazuh, Inc. (converted by Vigil)',
        logsource: slot.logsource,
        detection: toDetection(slot.exprs.length === 1 ? slot.exprs[0]! : { or: slot.exprs }),
        level: 'informational',
      });
    }
    const type = different.length > 0 ? 'value_count' : 'event_count';
    const condition: Record<string, unknown> = { gte: frequency };
    if (type === 'value_count') condition.field = different.length === 1 ? different[0] : different;
    const sigma: SigmaDoc = {
      ...this.header(r),
      correlation: {
        type,
        rules: bases.map((b) => b.name),
        ...(same.length > 0 ? { 'group-by': same } : {}),
        timespan: `${timeframe}s`,
        condition,
      },
      level: sigmaLevel(r.level),
    };
    const summary = `${type} ≥ ${frequency} in ${timeframe}s${same.length > 0 ? ` by ${same.join(', ')}` : ''}${different.length > 0 ? ` of distinct ${different.join(', ')}` : ''} over ${sids.length > 0 ? `rule ${sids.join(', ')}` : `group ${groups.join(', ')} (${bases.reduce((k, b) => k + String(b.description).split(': Wazuh rules ')[1]!.split(', ').length, 0)} rules)`}`;
    return { ...base, kind: 'correlation', sigma, bases, summary, notes };
  }
}

/** An expression tree as a Sigma detection: one named selection per leaf, and the condition over them. */
export function toDetection(expr: Expr): Record<string, unknown> {
  const detection: Record<string, unknown> = {};
  const names = new Map<string, string>();
  const name = (sel: Selection) => {
    const key = JSON.stringify(sel);
    let n = names.get(key);
    if (!n) {
      n = `sel${names.size + 1}`;
      names.set(key, n);
      detection[n] = sel;
    }
    return n;
  };
  const render = (e: Expr, parent: 'and' | 'or' | 'not' | 'top'): string => {
    if ('sel' in e) return name(e.sel);
    if ('not' in e) return `not ${render(e.not, 'not')}`;
    if ('and' in e) {
      const s = e.and.map((x) => render(x, 'and')).join(' and ');
      return parent === 'top' || parent === 'and' ? s : `(${s})`;
    }
    const s = e.or.map((x) => render(x, 'or')).join(' or ');
    return parent === 'top' || parent === 'or' ? s : `(${s})`;
  };
  const condition = render(expr, 'top');
  detection.condition = condition;
  return detection;
}

/** Groups of a rule as Wazuh 4.x alerts carry them in rule.groups (compliance groups are split out). */
export function alertGroups(r: WazuhXmlRule): string[] {
  return r.groups.filter((g) => !isComplianceGroup(g));
}
