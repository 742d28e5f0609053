// What every channel says about an incident, in one place: the headline and the labelled facts. Channels
// only lay these out (HTML table, Block Kit, Adaptive Card, ADF, plain text) and escape for their medium.
import type { IncidentChange } from '../../model/index.js';
import { changeOf, type Notification } from '../notification.js';
import type { EvidenceRow } from '../../triage/evidence.js';
import { formatTime, oneLine } from './text.js';

const CHANGE_WORDS: Record<IncidentChange, string> = {
  opened: '',
  updated: 'Updated',
  escalated: 'Escalated',
  resolved: 'Resolved',
  reopened: 'Reopened',
  summary: 'Summary',
  enriched: 'Enriched',
};

/**
 * e.g. `HIGH: Windows Brute Force From One Source Address from 203.0.113.7 (5 events)`, or for later
 * revisions `ESCALATED to CRITICAL: …`, `RESOLVED · HIGH: …`.
 */
export function headline(n: Notification): string {
  const ip = n.sourceIps[0];
  const change = changeOf(n);
  const level = (n.incident.level ?? n.rule.level).toUpperCase();
  const word = CHANGE_WORDS[change].toUpperCase();
  const lead = n.escalation || change === 'escalated' ? `ESCALATED to ${level}` : word ? `${word} · ${level}` : level;
  const count = `${n.detection.count} event${n.detection.count === 1 ? '' : 's'}`;
  return `${lead}: ${oneLine(n.rule.title)}${ip ? ` from ${oneLine(ip)}` : ''} (${count})`;
}

export function facts(n: Notification, timeZone = 'UTC'): [string, string][] {
  const t = (ms: number) => formatTime(ms, timeZone);
  const level = n.incident.level ?? n.rule.level;
  const list: [string, string][] = [
    ['Rule', `${n.rule.title} (${n.rule.id})`],
    ['Severity', n.escalation ? `${level} (raised from ${n.escalation.from})` : level],
    ['Status', n.incident.status],
    ['Source IP', n.sourceIps.join(', ') || '—'],
    ['Targeted users', n.users.join(', ') || '—'],
    ['Host', n.hosts.join(', ') || '—'],
    ['First seen', t(n.detection.firstTime)],
    ['Last seen', t(n.detection.time)],
    ['Count', String(n.detection.count)],
    ['Incident', n.incident.id],
  ];
  if (n.rule.author) list.push(['Rule author', n.rule.author]);
  if (n.escalation) list.unshift(['Escalated because', n.escalation.reasons.join('; ')]);
  // Values come from events: each is shown on one line, so none can pose as a fact of its own.
  return list.map(([k, v]) => [k, oneLine(v)]);
}

/** One event of the evidence as one line of text, e.g. `user=admin  ip=203.0.113.7  host=dc01  EventID 4625`. */
export function evidenceLine(e: EvidenceRow, sep = '  '): string {
  return [`user=${oneLine(e.user ?? '-')}`, `ip=${oneLine(e.sourceIp ?? '-')}`, `host=${oneLine(e.host ?? '-')}`, oneLine(e.detail ?? '')].join(sep);
}

/** PagerDuty-style severity from a Sigma level. */
export function urgency(level: string): 'critical' | 'error' | 'warning' | 'info' {
  return level === 'critical' ? 'critical' : level === 'high' ? 'error' : level === 'medium' ? 'warning' : 'info';
}
