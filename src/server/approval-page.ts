// The page behind an approval link, in the dashboard's look (it loads the dashboard's stylesheet, /vigil.css):
// what is proposed, the two buttons, and after a decision what really happened, a refusal shown as a refusal.
// Every value is escaped; the page runs no script.
import type { FastifyReply } from 'fastify';
import { formatDuration } from '../act/response/format.js';
import type { ResponseView } from '../act/response/service.js';
import { escapeHtml, formatTime } from '../act/render/text.js';
import { blockOutcome } from '../model/wording.js';

/** How the panel is framed: a neutral proposal, a decision that stands, or a refusal. */
export type Tone = 'plain' | 'done' | 'refused';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const incidentHref = (r: ResponseView) => `/#/incidents/${encodeURIComponent(r.incidentId)}`;

export function sendPage(reply: FastifyReply, status: number, title: string, body: string, tone: Tone = 'plain') {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', CSP)
    .type('text/html; charset=utf-8')
    .send(
      '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
        `<title>${escapeHtml(title)} · Vigil</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/vigil.css"></head>` +
        '<body><header><nav aria-label="main"><a class="brand" href="/">Vigil</a><a href="/#/incidents">Incidents</a></nav></header>' +
        `<main class="page"><div class="panel${tone === 'plain' ? '' : ` ${tone}`}"><h1>${escapeHtml(title)}</h1>${body}</div></main></body></html>`,
    );
}

/** The proposed block as facts, with a link back to its incident (named by its title when known). */
export function describeResponse(r: ResponseView, incidentTitle?: string): string {
  const rows: [string, string][] = [
    ...(incidentTitle ? [['Incident', incidentTitle] as [string, string]] : []),
    ['Address', r.address],
    ['Agents', r.agents.join(', ') || '—'],
    ['Playbook', r.playbook],
    ['Offence', `${r.offence} (block for ${formatDuration(r.durationMs)})`],
    ['State', r.state],
  ];
  if (r.decidedBy) rows.push(['Decided by', r.decidedBy]);
  if (r.reason) rows.push([r.state === 'refused' ? 'Refused because' : 'Reason', r.reason]);
  if (r.state === 'awaiting-approval' && r.approvalExpiresAt) rows.push(['Link valid until', formatTime(r.approvalExpiresAt)]);
  const facts = rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${k === 'State' ? `<span class="badge state-${escapeHtml(v)}">${escapeHtml(v)}</span>` : escapeHtml(v)}</dd>`).join('');
  return `<dl class="facts">${facts}</dl><p><a href="${escapeHtml(incidentHref(r))}">Open the incident in Vigil</a></p>`;
}

/** What a decision led to (the dashboard says it the same way: model/wording.ts). */
export function outcome(r: ResponseView, decision: 'approve' | 'deny'): { title: string; text: string; tone: Tone } {
  return blockOutcome(r, decision, (ms) => formatTime(ms));
}
