// Which detection rules an event can match at all. Most alerts match no rule, and most rules name the ids they
// are about, so rules are indexed by the Windows EventID, or else the Wazuh rule.id, their detection requires:
// an event is evaluated only against the rules of its own ids plus the rules that could not be indexed. The
// index is conservative: a rule whose condition does not plainly require one selection with a literal id is
// evaluated for every event.
import type { EventFormat } from '../model/index.js';
import { equivalentRuleIds, isWindows } from '../model/wcs.js';
import { WINDOWS_CATEGORIES } from './logsource.js';
import type { DetectionRule } from './rules.js';

type Read = (d: Record<string, unknown>) => unknown;

/** The index keys: the Sigma field and where each format keeps it (sigma.md §5; Wazuh writes strings). */
const KEYS: { field: string; read: Record<EventFormat, Read | undefined> }[] = [
  {
    field: 'EventID',
    read: { wazuh: (d) => (d.data as any)?.win?.system?.eventID, 'evtx-json': (d) => (d.Event as any)?.System?.EventID, wcs: (d) => (isWindows(d) ? (d.event as any).code : undefined) },
  },
  // Wazuh's own rule id: evtx_dump events have none, so rules that require one never match them.
  // A 5.x finding's own rule id is a UUID; the 4.x rule ids it stands for may be several: evaluate every rule then.
  { field: 'rule.id', read: { wazuh: (d) => (d.rule as any)?.id, 'evtx-json': undefined, wcs: (d) => (equivalentRuleIds(d).length > 0 ? '*' : undefined) } },
];

/**
 * The ids a rule's detection requires in `field`, or null when it requires none we can read safely. Requires:
 * the condition is `X` or `X and …` with no `or` outside parentheses (so X is necessary), and every alternative
 * of selection X has a plain `field` key (no modifier) whose values are all literal numbers.
 */
export function requiredIds(detection: Record<string, unknown>, field = 'EventID'): string[] | null {
  const first = necessarySelection(detection.condition);
  if (first === null) return null;
  const selection = detection[first];
  const alternatives = Array.isArray(selection) ? selection : [selection];
  if (alternatives.length === 0) return null;
  const ids: string[] = [];
  for (const alt of alternatives) {
    if (!alt || typeof alt !== 'object' || Array.isArray(alt)) return null;
    const v = (alt as Record<string, unknown>)[field];
    if (v === undefined) return null;
    for (const one of Array.isArray(v) ? v : [v]) {
      const text = typeof one === 'number' ? String(one) : typeof one === 'string' ? one.trim() : undefined;
      if (text === undefined || !/^\d+$/.test(text)) return null;
      ids.push(String(Number(text)));
    }
  }
  return ids;
}

/** The first identifier of a condition when the whole condition is `X and …` at the top level, else null. */
function necessarySelection(cond: unknown): string | null {
  if (typeof cond !== 'string') return null;
  const tokens = cond.match(/\(|\)|[^\s()]+/g) ?? [];
  let depth = 0;
  for (const t of tokens) {
    if (t === '(') depth++;
    else if (t === ')') depth--;
    else if (depth === 0 && t.toLowerCase() === 'or') return null;
  }
  const [head, next] = tokens;
  if (!head || !/^[A-Za-z_][\w-]*$/.test(head) || /^(not|and|or|all|any|them)$/i.test(head)) return null;
  if (next !== undefined && next.toLowerCase() !== 'and') return null;
  return head;
}

const NONE: readonly DetectionRule[] = [];
/** /^\d+$/ without a regular expression: it runs for every event's ids. */
function allDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Slots of select()'s answer for the source keys of one alert: its integration, decoder name and parent, syscheck. */
const SOURCE_SLOTS = 3;

export class RuleIndex {
  /** Per key (see KEYS): id → rules that require it. */
  private readonly byKey: Map<string, DetectionRule[]>[] = KEYS.map(() => new Map());
  /**
   * Rules no id indexes but whose logsource only takes alerts of one module or decoder (sources/source.ts `key`:
   * `integration:aws`, `decoder:auditd`, `syscheck` …): evaluated only for the alerts that carry that key.
   */
  private readonly bySource = new Map<string, DetectionRule[]>();
  /**
   * bySource split by kind and keyed by the bare name, so that picking an alert's lists makes no `decoder:…`
   * string per alert (building and hashing one costs more than the lookup).
   */
  private readonly byIntegration = new Map<string, DetectionRule[]>();
  private readonly byDecoder = new Map<string, DetectionRule[]>();
  private syscheck: readonly DetectionRule[] = NONE;
  /** Rules evaluated for every event. */
  readonly always: DetectionRule[] = [];
  /** Every rule, for events whose ids cannot be read as numbers. */
  readonly all: DetectionRule[];
  /** Reused by select(): the rule lists for one event. */
  private readonly picked: (readonly DetectionRule[])[] = [];

  constructor(rules: DetectionRule[]) {
    this.all = rules;
    for (const r of rules) {
      const k = KEYS.findIndex((key) => requiredIds(r.detection, key.field) !== null);
      // A Windows category (process_creation, …) is a set of EventIDs its logsource gate requires.
      const category = r.logsource.product?.toLowerCase() === 'windows' && r.logsource.category ? WINDOWS_CATEGORIES[r.logsource.category.toLowerCase()] : undefined;
      const ids = k >= 0 ? requiredIds(r.detection, KEYS[k]!.field)! : category ? category.eventIds.map(String) : null;
      if (ids === null) {
        if (r.sourceKey) {
          for (const key of typeof r.sourceKey === 'string' ? [r.sourceKey] : r.sourceKey) {
            const list = this.bySource.get(key) ?? [];
            list.push(r);
            this.bySource.set(key, list);
          }
        } else this.always.push(r);
        continue;
      }
      const key = k >= 0 ? k : 0; // KEYS[0] is EventID
      for (const id of new Set(ids)) {
        const list = this.byKey[key]!.get(id) ?? [];
        list.push(r);
        this.byKey[key]!.set(id, list);
      }
    }
    this.picked.length = KEYS.length + SOURCE_SLOTS;
    for (const [key, list] of this.bySource) {
      const colon = key.indexOf(':');
      const kind = colon < 0 ? key : key.slice(0, colon);
      if (kind === 'integration') this.byIntegration.set(key.slice(colon + 1), list);
      else if (kind === 'decoder') this.byDecoder.set(key.slice(colon + 1), list);
    }
    this.syscheck = this.bySource.get('syscheck') ?? NONE;
  }

  /**
   * The rule lists indexed under the event's ids, to evaluate besides `always` (the array is reused: read it
   * before the next call); null when an id is present but not a number, in which case every rule (`all`) is
   * evaluated.
   */
  select(format: EventFormat, data: Record<string, unknown>): readonly (readonly DetectionRule[])[] | null {
    for (let k = 0; k < KEYS.length; k++) {
      const read = KEYS[k]!.read[format];
      const raw = read ? read(data) : undefined;
      if (raw === undefined) {
        this.picked[k] = NONE;
        continue;
      }
      const text = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : undefined;
      if (text === undefined || !allDigits(text)) return null;
      this.picked[k] = this.byKey[k]!.get(text[0] === '0' ? String(Number(text)) : text) ?? NONE;
    }
    this.pickSources(format, data);
    return this.picked;
  }

  /** The source-keyed rules of a 4.x alert (other formats: their gates take none of these sources). */
  private pickSources(format: EventFormat, data: Record<string, unknown>): void {
    const base = KEYS.length;
    this.picked[base] = this.picked[base + 1] = this.picked[base + 2] = NONE;
    if (format !== 'wazuh' || this.bySource.size === 0) return;
    const integration = (data.data as any)?.integration;
    if (typeof integration === 'string') this.picked[base] = this.byIntegration.get(integration) ?? NONE;
    const decoder = data.decoder as { name?: unknown; parent?: unknown } | undefined;
    const name = decoder?.name;
    const parent = decoder?.parent;
    // A rule keyed on a decoder matches its name or its parent: pick the list once when both are the same.
    let d: readonly DetectionRule[] = typeof name === 'string' ? this.byDecoder.get(name) ?? NONE : NONE;
    if (typeof parent === 'string' && parent !== name) {
      const p = this.byDecoder.get(parent) ?? NONE;
      d = d.length === 0 ? p : p.length === 0 ? d : [...new Set([...d, ...p])];
    }
    this.picked[base + 1] = d;
    if (data.syscheck !== undefined) this.picked[base + 2] = this.syscheck;
  }

  /** Every rule list select() can answer with, and `always` and `all`. */
  lists(): (readonly DetectionRule[])[] {
    return [...this.byKey.flatMap((m) => [...m.values()]), ...this.bySource.values(), this.always, this.all];
  }

  get indexed(): number {
    return this.all.length - this.always.length;
  }
}
