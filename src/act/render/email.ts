// The incident email: table-based HTML (renders in Outlook and Gmail) with a plain-text alternative.
// Every value from an event is escaped; the subject is stripped of CR/LF. One column of content, at most
// 640 px wide and narrower on a phone: no multi-column table an event value could push past the screen
// (evidence and enrichment are stacked rows; long values such as hashes and ids may break anywhere).
import { ruleDescriptionOf, type Notification } from '../notification.js';
import { renderEnrichmentHtml, renderEnrichmentText } from './enrichment.js';
import { evidenceHeading, evidenceLine, facts, headline } from './facts.js';
import { renderTriageHtml, renderTriageText } from './summary.js';
import { escapeHtml, formatTime, headerSafe, oneLine } from './text.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const LEVEL_COLOURS: Record<string, string> = {
  critical: '#7f1d1d',
  high: '#b91c1c',
  medium: '#9a3412',
  low: '#1d4ed8',
  informational: '#475569',
};

const FONT = 'font-family:Arial,Helvetica,sans-serif';
const WRAP = 'overflow-wrap:anywhere;word-break:break-word';

/** A "bulletproof" button: a table cell with a background, which Outlook's Word engine renders as a button. */
function button(label: string, url: string, colour: string): string {
  return `<table role="presentation" cellpadding="0" cellspacing="0" style="display:inline-table;margin:4px 8px 4px 0"><tr><td bgcolor="${colour}" style="background:${colour};border-radius:4px;padding:9px 16px"><a href="${escapeHtml(url)}" style="color:#ffffff;text-decoration:none;${FONT};font-size:14px;font-weight:bold">${escapeHtml(label)}</a></td></tr></table>`;
}

/** Only http(s) links reach an href. */
const httpLink = (url: string | undefined) => (url && /^https?:\/\//i.test(url) ? url : undefined);

/** Evidence rows a mail lists (the rest are counted). */
export const EMAIL_EVIDENCE_ROWS = 20;

export function renderEmail(n: Notification, timeZone = 'UTC'): RenderedEmail {
  const subject = headerSafe(`[Vigil] ${headline(n)}`);
  const t = (ms: number) => formatTime(ms, timeZone);
  const list = facts(n, timeZone);
  const colour = LEVEL_COLOURS[n.incident.level ?? n.rule.level] ?? '#475569';
  const cell = `style="padding:6px 10px;border:1px solid #e2e8f0;${FONT};font-size:13px;vertical-align:top;${WRAP}"`;
  const approvals = n.approvals ?? [];
  const link = httpLink(n.incidentUrl);
  const rows = n.evidence.slice(0, EMAIL_EVIDENCE_ROWS);
  const ev = evidenceHeading(n, rows.length);
  const description = ruleDescriptionOf(n);
  const fullLog = n.fullLog ? oneLine(n.fullLog, 2000) : undefined;
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="x-apple-disable-message-reformatting"><title>${escapeHtml(subject)}</title>
<style>@media only screen and (max-width:620px){.vigil-card{width:100%!important}.vigil-pad{padding:8px!important}.vigil-facts th,.vigil-facts td{display:block!important;width:auto!important}}</style></head>
<body style="margin:0;padding:0;background:#f1f5f9">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f1f5f9;table-layout:fixed"><tr><td align="center" class="vigil-pad" style="padding:16px">
<!--[if mso]><table role="presentation" width="640" cellpadding="0" cellspacing="0"><tr><td><![endif]-->
<table role="presentation" class="vigil-card" width="100%" cellpadding="0" cellspacing="0" style="max-width:640px;width:100%;background:#ffffff;border:1px solid #e2e8f0;table-layout:fixed">
<tr><td bgcolor="${colour}" style="background:${colour};color:#ffffff;padding:14px 16px;${FONT};font-size:18px;font-weight:bold;${WRAP}">${escapeHtml(headline(n))}</td></tr>
<tr><td class="vigil-pad" style="padding:16px">
${link ? button('Open the incident in Vigil', link, '#1e3a8a') : ''}
<table role="presentation" class="vigil-facts" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;table-layout:fixed">
${list.map(([k, v]) => `<tr><th align="left" ${cell.replace('vertical-align:top', 'vertical-align:top;background:#f8fafc;width:150px')}>${escapeHtml(k)}</th><td ${cell}>${escapeHtml(v)}</td></tr>`).join('\n')}
</table>
${description ? `<p style="${FONT};font-size:13px;color:#334155;${WRAP}">${escapeHtml(description)}</p>` : ''}
${fullLog ? `<h3 style="${FONT};font-size:15px;margin:18px 0 8px">What Wazuh logged</h3>\n<pre style="font:12px Consolas,Menlo,monospace;background:#f8fafc;border:1px solid #e2e8f0;padding:8px;margin:0;white-space:pre-wrap;${WRAP}">${escapeHtml(fullLog)}</pre>` : ''}
${renderTriageHtml(n, timeZone)}
${renderEnrichmentHtml(n.enrichment, timeZone)}
${
  approvals.length > 0
    ? `<h3 style="${FONT};font-size:15px;margin:18px 0 8px">Proposed response</h3>\n` +
      approvals
        .map(
          (a) =>
            `<p style="${FONT};font-size:13px;margin:6px 0;${WRAP}">Block ${escapeHtml(a.address)} on agent${a.agents.length === 1 ? '' : 's'} ${escapeHtml(a.agents.join(', ') || '—')} (link valid until ${escapeHtml(t(a.expiresAt))}, usable once):</p>` +
            button(`Review block of ${a.address}`, a.url, '#b91c1c'),
        )
        .join('\n')
    : ''
}
<h3 style="${FONT};font-size:15px;margin:18px 0 8px">${escapeHtml(ev.title)}</h3>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;table-layout:fixed">
${rows
  .map(
    (e) =>
      `<tr><td ${cell}><b>${escapeHtml(t(e.time))}</b> · user ${escapeHtml(e.user ?? '—')} · from ${escapeHtml(e.sourceIp ?? '—')} · on ${escapeHtml(e.host ?? '—')}${e.detail ? `<br>${escapeHtml(e.detail)}` : ''}<br><span style="color:#64748b;font-size:11px">alert ${escapeHtml(e.eventId)}</span></td></tr>`,
  )
  .join('\n')}
</table>
${ev.more ? `<p style="${FONT};font-size:13px;color:#334155">${escapeHtml(ev.more)}${link ? ` — <a href="${escapeHtml(link)}">see them all in Vigil</a>` : ''}</p>` : ''}
</td></tr>
<tr><td style="padding:10px 16px;${FONT};font-size:11px;color:#64748b;${WRAP}">Vigil · incident ${escapeHtml(n.incident.id)} · rule ${escapeHtml(n.rule.id)} · times in ${escapeHtml(timeZone)}</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr></table></body></html>`;

  const text = [
    oneLine(headline(n)),
    ...(link ? ['', `Open the incident: ${link}`] : []),
    '',
    ...list.map(([k, v]) => `${k}: ${v}`),
    ...(description ? ['', oneLine(description)] : []),
    ...(fullLog ? ['', 'What Wazuh logged:', fullLog] : []),
    ...renderTriageText(n, timeZone),
    ...renderEnrichmentText(n.enrichment),
    ...(approvals.length > 0
      ? ['', 'Proposed response:', ...approvals.map((a) => `- block ${oneLine(a.address)} on ${oneLine(a.agents.join(', ') || '—')}: ${a.url} (until ${t(a.expiresAt)}, usable once)`)]
      : []),
    '',
    `${ev.title}:`,
    ...rows.map((e) => `- ${t(e.time)}  ${evidenceLine(e)}  [${oneLine(e.eventId)}]`),
    ...(ev.more ? [ev.more] : []),
  ].join('\n');
  return { subject, html, text };
}
