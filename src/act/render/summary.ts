// The triage part of a message: why the severity, the analyst's summary, MITRE ATT&CK, linked incidents and
// the incident's state. Every value is escaped here (HTML) or passed as plain text; a summary written by an
// LLM is text like any other and is escaped the same way.
import type { Notification } from '../notification.js';
import { escapeHtml, formatTime, oneLine } from './text.js';

/** The incident's whole span, in the reader's zone with its offset. */
function soFar(n: Notification, timeZone: string): string | undefined {
  if (!n.counts) return undefined;
  const d = n.counts.detections;
  return `Incident so far: ${n.counts.events} events in ${d} detection${d === 1 ? '' : 's'}, ${formatTime(n.incident.firstSeen, timeZone)} to ${formatTime(n.incident.lastSeen, timeZone)}`;
}

const signed = (p: number) => (p >= 0 ? `+${p}` : `−${-p}`);

function statusLine(n: Notification): string {
  const bits = [`status ${n.incident.status}`];
  if (n.resolution) bits.push(`resolution ${n.resolution}`);
  if (n.verdict) bits.push(`verdict ${n.verdict.verdict.replace('_', ' ')}${n.verdict.by ? ` by ${n.verdict.by}` : ''}`);
  return bits.join(' · ');
}

function mitreLines(n: Notification): string[] {
  return (n.mitre ?? []).map((t) => `${t.id}${t.name ? ` ${t.name}` : ''}${t.tactic ? ` (${t.tactic})` : ''}`);
}

/** Text lines (empty when the notification carries no triage view). */
export function renderTriageText(n: Notification, timeZone = 'UTC'): string[] {
  if (!n.severity) return [];
  const out: string[] = ['', statusLine(n), ''];
  out.push(`Severity ${n.severity.level} (score ${n.severity.score}/100):`);
  for (const r of n.severity.reasons) out.push(`  ${signed(r.points)}  ${r.detail}`);
  const span = soFar(n, timeZone);
  if (span) out.push(span);
  if (n.targetedUsers?.length) out.push(`Targeted users (whole incident): ${n.targetedUsers.join(', ')}`);
  const s = n.summary;
  if (s) {
    out.push('', `Summary (${s.source === 'llm' ? `written by ${s.model ?? 'an LLM'} from the evidence` : 'template'}):`);
    out.push(`What happened: ${s.whatHappened}`, `Affected: ${s.affected}`);
    if (s.evidence.length) out.push('Evidence:', ...s.evidence.map((e) => `  - ${e}`));
    out.push(`Enrichment: ${s.enrichment}`);
    out.push('Next steps:', ...s.nextSteps.map((x, i) => `  ${i + 1}. ${x}`));
  }
  if (n.summaryPending) out.push('', 'A fuller summary follows in an update.');
  if (n.mitre?.length) out.push('', `MITRE ATT&CK: ${mitreLines(n).join('; ')}`);
  if (n.linked?.length) out.push('', 'Linked incidents:', ...n.linked.map((l) => `  - ${l.title} [${l.status}] (${l.reason}) ${l.incidentId}`));
  // Reasons, summaries and titles quote event values (and an LLM's text): each line stays one line.
  return out.map((line) => oneLine(line));
}

export function renderTriageHtml(n: Notification, timeZone = 'UTC'): string {
  const p = 'style="font:13px Arial,sans-serif;color:#1e293b;margin:6px 0"';
  const h = 'style="font:bold 15px Arial,sans-serif;margin:18px 0 8px"';
  const li = (items: string[], tag: 'ul' | 'ol' = 'ul') =>
    `<${tag} style="font:13px Arial,sans-serif;color:#1e293b;margin:4px 0 4px 18px;padding:0">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</${tag}>`;
  if (!n.severity) return '';
  const parts: string[] = [];
  parts.push(`<p ${p}>${escapeHtml(statusLine(n))}</p>`);
  parts.push(`<h3 ${h}>Severity ${escapeHtml(n.severity.level)} (score ${n.severity.score}/100)</h3>`);
  parts.push(li(n.severity.reasons.map((r) => `${signed(r.points)}  ${r.detail}`)));
  const span = soFar(n, timeZone);
  if (span) parts.push(`<p ${p}>${escapeHtml(span)}</p>`);
  if (n.targetedUsers?.length) parts.push(`<p ${p}><b>Targeted users (whole incident):</b> ${escapeHtml(n.targetedUsers.join(', '))}</p>`);
  const s = n.summary;
  if (s) {
    const by = s.source === 'llm' ? `written by ${s.model ?? 'an LLM'} from the evidence` : 'template';
    parts.push(`<h3 ${h}>Summary <span style="font-weight:normal;color:#64748b">(${escapeHtml(by)})</span></h3>`);
    parts.push(`<p ${p}><b>What happened:</b> ${escapeHtml(s.whatHappened)}</p>`);
    parts.push(`<p ${p}><b>Affected:</b> ${escapeHtml(s.affected)}</p>`);
    if (s.evidence.length) parts.push(`<p ${p}><b>Evidence:</b></p>${li(s.evidence)}`);
    parts.push(`<p ${p}><b>Enrichment:</b> ${escapeHtml(s.enrichment)}</p>`);
    parts.push(`<p ${p}><b>Next steps:</b></p>${li(s.nextSteps, 'ol')}`);
  }
  if (n.summaryPending) parts.push(`<p ${p}><i>A fuller summary follows in an update.</i></p>`);
  if (n.mitre?.length) parts.push(`<p ${p}><b>MITRE ATT&amp;CK:</b> ${escapeHtml(mitreLines(n).join('; '))}</p>`);
  if (n.linked?.length) {
    parts.push(`<h3 ${h}>Linked incidents</h3>`);
    parts.push(li(n.linked.map((l) => `${l.title} [${l.status}] (${l.reason}) ${l.incidentId}`)));
  }
  return parts.join('\n');
}
