// The triage part of a message: why the severity, the analyst's summary, MITRE ATT&CK, linked incidents and
// the comment thread. Every value is escaped here (HTML) or passed as plain text; a summary written by an
// LLM is text like any other and is escaped the same way. The incident's counts, users, hosts, state and
// evidence are in the facts and the evidence table (facts.ts, email.ts): said once, not again here.
import { actorLabel } from '../../model/wording.js';
import type { Notification } from '../notification.js';
import { escapeHtml, formatTime, oneLine } from './text.js';

const signed = (p: number) => (p >= 0 ? `+${p}` : `−${-p}`);

function mitreLines(n: Notification): string[] {
  return (n.mitre ?? []).map((t) => `${t.id}${t.name ? ` ${t.name}` : ''}${t.tactic ? ` (${t.tactic})` : ''}`);
}

const byLine = (n: Notification) => (n.summary?.source === 'llm' ? `written by ${n.summary.model ?? 'an LLM'} from the evidence` : 'template');

/** Text lines (empty when the notification carries no triage view). */
export function renderTriageText(n: Notification, timeZone = 'UTC'): string[] {
  if (!n.severity) return [];
  const out: string[] = [''];
  out.push(`Severity ${n.severity.level} (score ${n.severity.score}/100):`);
  for (const r of n.severity.reasons) out.push(`  ${signed(r.points)}  ${r.detail}`);
  const s = n.summary;
  if (s) {
    out.push('', `Summary (${byLine(n)}):`);
    out.push(`What happened: ${s.whatHappened}`);
    out.push(`Enrichment: ${s.enrichment}`);
    out.push('Next steps:', ...s.nextSteps.map((x, i) => `  ${i + 1}. ${x}`));
  }
  if (n.summaryPending) out.push('', 'A fuller summary follows in an update.');
  if (n.mitre?.length) out.push('', `MITRE ATT&CK: ${mitreLines(n).join('; ')}`);
  if (n.linked?.length) out.push('', 'Linked incidents:', ...n.linked.map((l) => `  - ${l.title} [${l.status}] (${l.reason}) ${l.incidentId}`));
  if (n.comments?.length) out.push('', 'Comments:', ...n.comments.map((c) => `  - ${formatTime(c.at, timeZone)} ${actorLabel(c.author)}: ${c.text}`));
  return out.map((line) => oneLine(line));
}

export function renderTriageHtml(n: Notification, timeZone = 'UTC'): string {
  const p = 'style="font:13px Arial,sans-serif;color:#1e293b;margin:6px 0;overflow-wrap:anywhere"';
  const h = 'style="font:bold 15px Arial,sans-serif;margin:18px 0 8px"';
  const li = (items: string[], tag: 'ul' | 'ol' = 'ul') =>
    `<${tag} style="font:13px Arial,sans-serif;color:#1e293b;margin:4px 0 4px 18px;padding:0;overflow-wrap:anywhere">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</${tag}>`;
  if (!n.severity) return '';
  const parts: string[] = [];
  const s = n.summary;
  if (s) {
    parts.push(`<h3 ${h}>Summary <span style="font-weight:normal;color:#64748b">(${escapeHtml(byLine(n))})</span></h3>`);
    parts.push(`<p ${p}><b>What happened:</b> ${escapeHtml(s.whatHappened)}</p>`);
    parts.push(`<p ${p}><b>Enrichment:</b> ${escapeHtml(s.enrichment)}</p>`);
    parts.push(`<p ${p}><b>Next steps:</b></p>${li(s.nextSteps, 'ol')}`);
  }
  if (n.summaryPending) parts.push(`<p ${p}><i>A fuller summary follows in an update.</i></p>`);
  parts.push(`<h3 ${h}>Severity ${escapeHtml(n.severity.level)} (score ${n.severity.score}/100)</h3>`);
  parts.push(li(n.severity.reasons.map((r) => `${signed(r.points)}  ${r.detail}`)));
  if (n.mitre?.length) parts.push(`<p ${p}><b>MITRE ATT&amp;CK:</b> ${escapeHtml(mitreLines(n).join('; '))}</p>`);
  if (n.linked?.length) {
    parts.push(`<h3 ${h}>Linked incidents</h3>`);
    parts.push(li(n.linked.map((l) => `${l.title} [${l.status}] (${l.reason}) ${l.incidentId}`)));
  }
  if (n.comments?.length) {
    parts.push(`<h3 ${h}>Comments</h3>`);
    parts.push(li(n.comments.map((c) => `${formatTime(c.at, timeZone)} ${actorLabel(c.author)}: ${c.text}`)));
  }
  return parts.join('\n');
}
