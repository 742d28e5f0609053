// Small pieces the pages share: severity and status badges, messages, a table.
import { h, type Attrs, type Child } from '../dom.js';
import { pivotHref } from '../format.js';

export const levelBadge = (level: string) => h('span', { class: `badge level-${level}` }, level);
export const statusBadge = (status: string) => h('span', { class: `badge status-${status}` }, status);
export const verdictBadge = (verdict: string) => h('span', { class: `badge verdict-${verdict}` }, verdict);
export const stateBadge = (state: string) => h('span', { class: `badge state-${state}` }, state);

/** A row with attributes of its own (e.g. `data-incident`), or just its cells. */
export type Row = (Child | Child[])[] | { attrs: Attrs; cells: (Child | Child[])[]; after?: HTMLElement };

const TIME_COLUMNS = /^(Time|When|Queued|Delivered)$/;

/**
 * A table that stacks into one card per row on a narrow screen: each cell carries its column's name as
 * `data-label`. A column whose header is Time, When, Queued or Delivered keeps its dates on one line; a
 * column with class `num` (given as `#Header`) is right-aligned. Every header cell has text.
 */
export function table(caption: string, head: string[], rows: Row[], empty = 'Nothing yet.', attrs: Attrs = {}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, `${caption}: ${empty}`);
  const cols = head.map((c) => ({ label: c.replace(/^#/, ''), cls: c.startsWith('#') ? 'num' : TIME_COLUMNS.test(c) ? 'time' : undefined }));
  const body = rows.flatMap((r) => {
    const { attrs: rowAttrs, cells, after } = Array.isArray(r) ? { attrs: {}, cells: r, after: undefined } : r;
    const tr = h('tr', rowAttrs, cells.map((c, i) => h('td', { class: cols[i]?.cls, 'data-label': cols[i]?.label ?? '' }, c)));
    return after ? [tr, after] : [tr];
  });
  return h(
    'table',
    { ...attrs, class: `stack${attrs.class ? ` ${attrs.class}` : ''}` },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.cls }, c.label)))),
    h('tbody', {}, body),
  );
}

export function notice(text: string, kind: 'error' | 'info' = 'info'): HTMLElement {
  return h('p', { class: kind, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** The indicator kind of an entity or evidence field, for the pivot (by its name: IpAddress, TargetUserName…). */
export function kindOf(field: string): string | undefined {
  const f = field.toLowerCase();
  if (/ip|address|src|dst/.test(f)) return 'ip';
  if (/user|account/.test(f)) return 'user';
  if (/host|agent|computer|workstation/.test(f)) return 'host';
  if (/hash|sha|md5/.test(f)) return 'hash';
  return undefined;
}

/** A value with no place to break (a hash, a URL, an account with its domain) may break anywhere. */
export const isLong = (v: string) => v.length > 24 && !/\s/.test(v);

/** An indicator as a link to the pivot page (everything that holds it); `null` shows a dash. */
export function pivotLink(value: string | null | undefined, kind?: string): Child {
  if (value === null || value === undefined || value === '') return '—';
  return h('a', { class: `pivot${isLong(value) ? ' long' : ''}`, href: pivotHref(value, kind), title: `Everything that holds ${value}` }, value);
}

/** The incident's entity, e.g. "IpAddress 45.9.40.77", each value a pivot link. */
export function entityLinks(entity: Record<string, string>): Child[] {
  return Object.entries(entity).flatMap(([k, v], i) => [i > 0 ? ', ' : null, `${k} `, pivotLink(v, kindOf(k))]);
}
