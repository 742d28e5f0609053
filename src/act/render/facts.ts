// What every channel says about an incident, in one place: the headline and the labelled facts. Channels
// only lay these out (HTML table, Block Kit, Adaptive Card, ADF, plain text) and escape for their medium.
import type { IncidentChange } from '../../model/index.js';
import { andMore, countPhrase, logonLabel, logonPhrase, nameList, plural, resolutionLabel, statusLabel, verdictLabel } from '../../model/wording.js';
import { changeOf, eventTotal, type Notification } from '../notification.js';
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
 * e.g. `HIGH: Windows Brute Force From One Source Address from 203.0.113.7 (6 events)`, or for later
 * revisions `ESCALATED to CRITICAL: …`, `RESOLVED · HIGH: …`. The count is the incident's: the same figure
 * as the facts, the summary, the evidence heading and the dashboard.
 */
export function headline(n: Notification): string {
  const ip = n.sourceIps[0];
  const change = changeOf(n);
  const level = (n.incident.level ?? n.rule.level).toUpperCase();
  const word = CHANGE_WORDS[change].toUpperCase();
  const lead = n.escalation || change === 'escalated' ? `ESCALATED to ${level}` : word ? `${word} · ${level}` : level;
  const more = n.sourceIps.length > 1 ? ` and ${(n.sourceIps.length - 1).toLocaleString('en-US')}${n.capped?.includes('ip') ? '+' : ''} more` : '';
  return `${lead}: ${oneLine(ruleTitleOf(n))}${ip ? ` from ${oneLine(ip)}${more}` : ''} (${plural(eventTotal(n), 'event')})`;
}

/** The title people read: a forwarded Wazuh alert says what Wazuh saw (rule.description), not "Wazuh alert …". */
export function ruleTitleOf(n: Notification): string {
  return (n.incident as { ruleTitle?: string }).ruleTitle ?? n.rule.title;
}

/** `by alice, 2026-11-21 10:12:00 GMT+00:00 — false positive: "scanner of the red team"`. */
export function resolvedText(n: Notification, timeZone = 'UTC'): string | undefined {
  if (n.incident.status !== 'resolved') return undefined;
  const r = n.resolved ?? {};
  const bits = [resolutionLabel(n.resolution, r.by)];
  if (r.at !== undefined) bits.push(`at ${formatTime(r.at, timeZone)}`);
  let out = bits.join(' ');
  if (n.verdict) out += `; verdict ${verdictLabel(n.verdict.verdict)}`;
  const comment = r.comment ?? n.verdict?.comment;
  if (comment) out += `: "${comment}"`;
  return out;
}

export function facts(n: Notification, timeZone = 'UTC'): [string, string][] {
  const t = (ms: number) => formatTime(ms, timeZone);
  const level = n.incident.level ?? n.rule.level;
  const total = eventTotal(n);
  const detections = n.counts?.detections ?? n.incident.detectionCount ?? 1;
  const list: [string, string][] = [
    ['Severity', n.escalation ? `${level} (raised from ${n.escalation.from})` : level],
    ['Status', statusLabel(n.incident.status)],
  ];
  const resolved = resolvedText(n, timeZone);
  if (resolved) list.push(['Resolved', resolved]);
  if (n.loggedOn?.length) list.push([logonLabel(n.loggedOn.length), n.loggedOn.map((l) => logonPhrase(l, t)).join('; ')]);
  list.push(
    [n.sourceIps.length === 1 ? 'Source IP' : 'Source IPs', nameList(n.sourceIps, 10, n.capped?.includes('ip')) || '—'],
    [n.users.length === 1 ? 'Targeted user' : 'Targeted users', nameList(n.users, 10, n.capped?.includes('user')) || '—'],
    [n.hosts.length === 1 ? 'Host' : 'Hosts', nameList(n.hosts, 10, n.capped?.includes('host')) || '—'],
    ['First seen', t(n.incident.firstSeen ?? n.detection.firstTime)],
    ['Last seen', t(n.incident.lastSeen ?? n.detection.time)],
    ['Events', countPhrase(total, detections)],
    ['Rule', ruleTitleOf(n)],
    ['Incident', n.incident.id],
  );
  if (n.rule.author) list.push(['Rule author', n.rule.author]);
  if (n.escalation) list.unshift(['Escalated because', n.escalation.reasons.join('; ')]);
  // Values come from events: each is shown on one line, so none can pose as a fact of its own.
  return list.map(([k, v]) => [k, oneLine(v)]);
}

/** `Evidence (20 of 1,000 events)`, and the line that says what was left out: `and 980 more events`. */
export function evidenceHeading(n: Notification, shown: number): { title: string; more: string } {
  const total = Math.max(eventTotal(n), shown);
  return { title: shown === total ? `Evidence (${plural(total, 'event')})` : `Evidence (${shown} of ${plural(total, 'event')})`, more: andMore(shown, total, 'event') };
}

/** One event of the evidence as one line of text, e.g. `user=admin  ip=203.0.113.7  host=dc01  EventID 4625`. */
export function evidenceLine(e: EvidenceRow, sep = '  '): string {
  return [`user=${oneLine(e.user ?? '-')}`, `ip=${oneLine(e.sourceIp ?? '-')}`, `host=${oneLine(e.host ?? '-')}`, oneLine(e.detail ?? '')].join(sep);
}

/** PagerDuty-style severity from a Sigma level. */
export function urgency(level: string): 'critical' | 'error' | 'warning' | 'info' {
  return level === 'critical' ? 'critical' : level === 'high' ? 'error' : level === 'medium' ? 'warning' : 'info';
}
