// The incident email: table-based HTML (renders in Outlook and Gmail) with a plain-text alternative.
// Every value from an event is escaped; the subject is stripped of CR/LF.
import type { Notification } from '../notification.js';
import { renderEnrichmentHtml, renderEnrichmentText } from './enrichment.js';
import { escapeHtml, formatTime, headerSafe } from './text.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const LEVEL_COLOURS: Record<string, string> = {
  critical: '#7f1d1d',
  high: '#b91c1c',
  medium: '#c2410c',
  low: '#1d4ed8',
  informational: '#475569',
};

export function renderEmail(n: Notification, timeZone = 'UTC'): RenderedEmail {
  const ip = n.sourceIps[0];
  // The incident's level: enrichment verdicts may have raised it above the rule's.
  const level = n.incident.level ?? n.rule.level;
  const subject = headerSafe(
    `[Vigil] ${n.escalation ? 'ESCALATED to ' : ''}${level.toUpperCase()}: ${n.rule.title}` + (ip ? ` from ${ip}` : '') + ` (${n.detection.count} event${n.detection.count === 1 ? '' : 's'})`,
  );
  const t = (ms: number) => formatTime(ms, timeZone);
  const facts: [string, string][] = [
    ['Rule', `${n.rule.title} (${n.rule.id})`],
    ['Severity', n.escalation ? `${level} (raised from ${n.escalation.from})` : level],
    ['Source IP', n.sourceIps.join(', ') || '—'],
    ['Targeted users', n.users.join(', ') || '—'],
    ['Host', n.hosts.join(', ') || '—'],
    ['First seen', t(n.detection.firstTime)],
    ['Last seen', t(n.detection.time)],
    ['Count', String(n.detection.count)],
    ['Incident', n.incident.id],
  ];
  if (n.rule.author) facts.push(['Rule author', n.rule.author]);
  if (n.escalation) facts.unshift(['Escalated because', n.escalation.reasons.join('; ')]);
  const colour = LEVEL_COLOURS[level] ?? '#475569';
  const cell = 'style="padding:6px 10px;border:1px solid #e2e8f0;font:13px Arial,sans-serif;vertical-align:top"';
  const html = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:0;background:#f1f5f9">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f1f5f9"><tr><td align="center" style="padding:16px">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" style="max-width:640px;width:100%;background:#ffffff;border:1px solid #e2e8f0">
<tr><td style="background:${colour};color:#ffffff;padding:14px 16px;font:bold 18px Arial,sans-serif">${escapeHtml(level.toUpperCase())} · ${escapeHtml(n.rule.title)}</td></tr>
<tr><td style="padding:16px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse">
${facts.map(([k, v]) => `<tr><th align="left" ${cell.replace('vertical-align:top', 'vertical-align:top;background:#f8fafc;width:160px')}>${escapeHtml(k)}</th><td ${cell}>${escapeHtml(v)}</td></tr>`).join('\n')}
</table>
${n.rule.description ? `<p style="font:13px Arial,sans-serif;color:#334155">${escapeHtml(n.rule.description)}</p>` : ''}
${renderEnrichmentHtml(n.enrichment, timeZone)}
<h3 style="font:bold 15px Arial,sans-serif;margin:18px 0 8px">Evidence (${n.evidence.length} of ${n.detection.count} events)</h3>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse">
<tr><th align="left" ${cell}>Time</th><th align="left" ${cell}>User</th><th align="left" ${cell}>Source IP</th><th align="left" ${cell}>Host</th><th align="left" ${cell}>Detail</th><th align="left" ${cell}>Alert id</th></tr>
${n.evidence
  .map(
    (e) =>
      `<tr><td ${cell}>${escapeHtml(t(e.time))}</td><td ${cell}>${escapeHtml(e.user ?? '—')}</td><td ${cell}>${escapeHtml(e.sourceIp ?? '—')}</td><td ${cell}>${escapeHtml(e.host ?? '—')}</td><td ${cell}>${escapeHtml(e.detail ?? '')}</td><td ${cell}>${escapeHtml(e.eventId)}</td></tr>`,
  )
  .join('\n')}
</table>
</td></tr>
<tr><td style="padding:10px 16px;font:11px Arial,sans-serif;color:#64748b">Vigil · incident ${escapeHtml(n.incident.id)} · detection ${escapeHtml(n.detection.id)}</td></tr>
</table></td></tr></table></body></html>`;

  const text = [
    `${level.toUpperCase()}: ${n.rule.title}`,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(n.rule.description ? ['', n.rule.description] : []),
    ...renderEnrichmentText(n.enrichment),
    '',
    `Evidence (${n.evidence.length} of ${n.detection.count} events):`,
    ...n.evidence.map((e) => `- ${t(e.time)}  user=${e.user ?? '-'}  ip=${e.sourceIp ?? '-'}  host=${e.host ?? '-'}  ${e.detail ?? ''}  [${e.eventId}]`),
  ].join('\n');
  return { subject, html, text };
}
