// Small pieces the pages share: severity and status badges, messages, a table.
import { h } from '../dom.js';

export const levelBadge = (level: string) => h('span', { class: `badge level-${level}` }, level);
export const statusBadge = (status: string) => h('span', { class: `badge status-${status}` }, status);
export const verdictBadge = (verdict: string) => h('span', { class: `badge verdict-${verdict}` }, verdict);
export const stateBadge = (state: string) => h('span', { class: `badge state-${state}` }, state);

/** A table; a column whose header is Time, When, Queued or Delivered keeps its dates on one line. */
export function table(caption: string, head: string[], rows: (Node | string)[][], empty = 'Nothing yet.'): HTMLElement {
  const timeCols = new Set(head.flatMap((c, i) => (/^(Time|When|Queued|Delivered)$/.test(c) ? [i] : [])));
  if (rows.length === 0) return h('p', { class: 'muted' }, `${caption}: ${empty}`);
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { class: timeCols.has(i) ? 'time' : undefined }, c))))),
  );
}

export function notice(text: string, kind: 'error' | 'info' = 'info'): HTMLElement {
  return h('p', { class: kind, role: kind === 'error' ? 'alert' : 'status' }, text);
}
