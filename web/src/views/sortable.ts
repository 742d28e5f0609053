// A table whose columns sort on a click of their header (aria-sort says which and how), stacked into cards on a
// narrow screen like every other table (widgets.ts `table`).
import { h, replace, type Child } from '../dom.js';

export interface Column<T> {
  /** The header; a leading `#` right-aligns the column (numbers). */
  label: string;
  cell(row: T): Child | Child[];
  /** What the column sorts by; absent: not sortable. Nulls sort last either way. */
  key?(row: T): number | string | null;
  /** A longer name for the header's title and its sort button's label. */
  title?: string;
}

export interface SortState {
  column: number;
  descending: boolean;
}

export function sortableTable<T>(caption: string, columns: Column<T>[], rows: T[], state: SortState, rowAttrs: (row: T) => Record<string, string> = () => ({}), onSort?: (s: SortState) => void): HTMLElement {
  const wrap = h('div', {});
  const render = () => {
    const col = columns[state.column];
    const sorted = col?.key ? [...rows].sort((a, b) => compare(col.key!(a), col.key!(b), state.descending)) : rows;
    const cols = columns.map((c) => ({ label: c.label.replace(/^#/, ''), cls: c.label.startsWith('#') ? 'num' : undefined }));
    const head = columns.map((c, i) => {
      const label = cols[i]!.label;
      if (!c.key) return h('th', { scope: 'col', class: cols[i]!.cls, title: c.title }, label);
      const active = i === state.column;
      const sort = active ? (state.descending ? 'descending' : 'ascending') : 'none';
      const button = h(
        'button',
        {
          type: 'button',
          class: 'sort',
          'data-sort': label,
          'aria-label': `${label}: sort by ${c.title ?? label}`,
          onclick: () => {
            state = { column: i, descending: active ? !state.descending : true };
            onSort?.(state);
            render();
          },
        },
        label,
        h('span', { 'aria-hidden': 'true', class: 'arrow' }, active ? (state.descending ? ' ▼' : ' ▲') : ''),
      );
      return h('th', { scope: 'col', class: cols[i]!.cls, 'aria-sort': sort, title: c.title }, button);
    });
    const body = sorted.map((r) => h('tr', rowAttrs(r), columns.map((c, i) => h('td', { class: cols[i]!.cls, 'data-label': cols[i]!.label }, c.cell(r)))));
    replace(wrap, h('table', { class: 'stack sortable' }, h('caption', {}, caption), h('thead', {}, h('tr', {}, head)), h('tbody', {}, body)));
  };
  render();
  return wrap;
}

function compare(a: number | string | null, b: number | string | null, descending: boolean): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return descending ? -c : c;
}
