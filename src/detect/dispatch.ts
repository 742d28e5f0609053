// Which detection rules an event can match at all. Most alerts match no rule, and most Windows rules name the
// event ids they are about, so rules are indexed by the EventID their detection requires: an event is then
// evaluated only against the rules of its own event id plus the rules that could not be indexed. The index is
// conservative: a rule whose condition does not plainly require one selection with a literal EventID is
// evaluated for every event.
import type { EventFormat } from '../model/index.js';
import type { DetectionRule } from './rules.js';

/** Where the event id is, per format (sigma.md §5): Wazuh writes it as a string, evtx_dump as a number. */
const EVENT_ID: Record<EventFormat, (d: Record<string, unknown>) => unknown> = {
  wazuh: (d) => (d.data as any)?.win?.system?.eventID,
  'evtx-json': (d) => (d.Event as any)?.System?.EventID,
};

/**
 * The EventIDs a rule's detection requires, or null when it requires none we can read safely. Requires: the
 * condition is `X` or `X and …` with no `or` outside parentheses (so X is necessary), and every alternative of
 * selection X has a plain `EventID` key whose values are all literal numbers.
 */
export function requiredEventIds(detection: Record<string, unknown>): string[] | null {
  const first = necessarySelection(detection.condition);
  if (first === null) return null;
  const selection = detection[first];
  const alternatives = Array.isArray(selection) ? selection : [selection];
  if (alternatives.length === 0) return null;
  const ids: string[] = [];
  for (const alt of alternatives) {
    if (!alt || typeof alt !== 'object' || Array.isArray(alt)) return null;
    const v = (alt as Record<string, unknown>).EventID;
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
const DIGITS = /^\d+$/;

export class RuleIndex {
  private readonly byEventId = new Map<string, DetectionRule[]>();
  /** Rules evaluated for every event. */
  readonly always: DetectionRule[] = [];
  /** Every rule, for events whose event id cannot be read as a number. */
  readonly all: DetectionRule[];

  constructor(rules: DetectionRule[]) {
    this.all = rules;
    for (const r of rules) {
      const ids = requiredEventIds(r.detection);
      if (ids === null) {
        this.always.push(r);
        continue;
      }
      for (const id of new Set(ids)) {
        const list = this.byEventId.get(id) ?? [];
        list.push(r);
        this.byEventId.set(id, list);
      }
    }
  }

  /**
   * The rules indexed under the event's id, to evaluate besides `always`; null when the event id cannot be
   * read as a number, in which case every rule (`all`) is evaluated.
   */
  select(format: EventFormat, data: Record<string, unknown>): readonly DetectionRule[] | null {
    const raw = EVENT_ID[format](data);
    if (raw === undefined) return NONE;
    const text = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : undefined;
    if (text === undefined || !DIGITS.test(text)) return null;
    return this.byEventId.get(text[0] === '0' ? String(Number(text)) : text) ?? NONE;
  }

  get indexed(): number {
    return this.all.length - this.always.length;
  }
}
