// Atlassian Document Format for Jira Cloud REST v3. ADF is JSON: text nodes carry values as data, so nothing
// from an event can become markup; only length is bounded.
import type { Notification } from '../notification.js';
import { clip } from './chat.js';
import { evidenceHeading, evidenceLine, facts, headline } from './facts.js';
import { formatTime, oneLine } from './text.js';

type Node = Record<string, unknown>;

const text = (t: string, marks?: Node[]): Node => ({ type: 'text', text: clip(t || ' ', 30_000), ...(marks ? { marks } : {}) });
const paragraph = (...content: Node[]): Node => ({ type: 'paragraph', content });
const cell = (kind: 'tableHeader' | 'tableCell', t: string): Node => ({ type: kind, content: [paragraph(text(t))] });

export function adfDocument(n: Notification, timeZone: string, marker: string): Node {
  const rows = facts(n, timeZone).map(([k, v]) => ({ type: 'tableRow', content: [cell('tableHeader', k), cell('tableCell', v)] }));
  const content: Node[] = [
    { type: 'heading', attrs: { level: 3 }, content: [text(headline(n))] },
    { type: 'table', attrs: { isNumberColumnEnabled: false, layout: 'default' }, content: rows },
  ];
  if (n.evidence.length > 0) {
    content.push({ type: 'heading', attrs: { level: 4 }, content: [text(`${evidenceHeading(n, Math.min(20, n.evidence.length)).title}`)] });
    content.push({
      type: 'bulletList',
      content: n.evidence.slice(0, 20).map((e) => ({
        type: 'listItem',
        content: [paragraph(text(`${formatTime(e.time, timeZone)}  ${evidenceLine(e)}  [${oneLine(e.eventId)}]`))],
      })),
    });
  }
  for (const a of n.approvals ?? []) {
    content.push(paragraph(text(`Proposed: block ${a.address} on ${a.agents.join(', ') || '—'} — `), text('review (single use)', [{ type: 'link', attrs: { href: a.url } }])));
  }
  // The marker lets a retry find a comment it already posted (a crash between posting and recording).
  content.push(paragraph(text(marker, [{ type: 'code' }])));
  return { type: 'doc', version: 1, content };
}
