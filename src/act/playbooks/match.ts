// Does a playbook apply to an incident change? Each condition is checked and, for `vigil playbooks test`,
// explained: the first one that fails says why a playbook did not match.
import type { Playbook } from '../../config/playbooks.js';
import { LEVELS, type Incident, type IncidentChange, type Level, type RuleRef } from '../../model/index.js';

export interface MatchContext {
  incident: Incident;
  rule: RuleRef;
  change: IncidentChange;
  /** When the change happened, epoch ms (time-of-day windows). */
  time: number;
}

export type MatchResult = { matched: true } | { matched: false; because: string };

/** A glob with `*` only, matched case-insensitively on the whole string; the text is data, never a pattern. */
export function glob(pattern: string, text: string): boolean {
  const parts = pattern.toLowerCase().split('*');
  const t = text.toLowerCase();
  if (parts.length === 1) return t === parts[0];
  if (!t.startsWith(parts[0]!) || !t.endsWith(parts[parts.length - 1]!)) return false;
  let at = parts[0]!.length;
  const end = t.length - parts[parts.length - 1]!.length;
  for (const part of parts.slice(1, -1)) {
    const i = t.indexOf(part, at);
    if (i < 0 || i + part.length > end) return false;
    at = i + part.length;
  }
  return at <= end;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// One formatter per configured zone: building one costs far more than formatting with it, and a schedule is
// checked for every incident change.
const clocks = new Map<string, Intl.DateTimeFormat>();

function localClock(ms: number, timeZone: string): { day: string; minutes: number } {
  let f = clocks.get(timeZone);
  if (!f) clocks.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = f.formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const hour = Number(get('hour')) % 24;
  return { day: get('weekday').toLowerCase().slice(0, 3), minutes: hour * 60 + Number(get('minute')) };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

export function matchPlaybook(p: Playbook, ctx: MatchContext): MatchResult {
  const m = p.match;
  if (!p.enabled) return { matched: false, because: 'the playbook is disabled' };
  if (!m.changes.includes(ctx.change)) return { matched: false, because: `change "${ctx.change}" is not one of ${m.changes.join(', ')}` };
  if (m.rules && !m.rules.some((r) => glob(r, ctx.rule.id) || glob(r, ctx.rule.title))) {
    return { matched: false, because: `rule ${ctx.rule.id} ("${ctx.rule.title}") matches none of ${m.rules.join(', ')}` };
  }
  if (m.tags && !m.tags.some((t) => ctx.rule.tags.some((rt) => glob(t, rt)))) {
    return { matched: false, because: `the rule's tags (${ctx.rule.tags.join(', ') || 'none'}) include none of ${m.tags.join(', ')}` };
  }
  const level = (ctx.incident.level ?? ctx.rule.level) as Level;
  if (m.severity && LEVELS.indexOf(level) < LEVELS.indexOf(m.severity)) return { matched: false, because: `severity ${level} is below ${m.severity}` };
  if (m.entity) {
    for (const [field, pattern] of Object.entries(m.entity)) {
      const value = ctx.incident.entity[field];
      if (value === undefined || !glob(pattern, value)) return { matched: false, because: `entity ${field}=${value ?? '(absent)'} does not match ${pattern}` };
    }
  }
  if (m.time) {
    const { day, minutes } = localClock(ctx.time, m.time.timezone);
    if (!m.time.days.includes(day as (typeof m.time.days)[number])) return { matched: false, because: `${day} is not one of ${m.time.days.join(', ')} (${m.time.timezone})` };
    const from = minutesOf(m.time.from);
    const to = minutesOf(m.time.to);
    const inside = from <= to ? minutes >= from && minutes <= to : minutes >= from || minutes <= to;
    if (!inside) return { matched: false, because: `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')} ${m.time.timezone} is outside ${m.time.from}–${m.time.to}` };
  }
  return { matched: true };
}

export { DAYS };
