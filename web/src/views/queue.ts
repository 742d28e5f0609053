// The incident queue: filters, order, paging, and live updates by polling. Newest activity first by default: an
// incident is placed by when Vigil last folded a detection in, so one made of old-dated alerts does not sink.
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { age, utc } from '../format.js';
import type { Incident } from '../types.js';
import { entityLinks, levelBadge, notice, statusBadge, table } from './widgets.js';

const PAGE = 25;
const REFRESH_MS = 5000;
const STATUSES = ['open', 'acknowledged', 'resolved'];
const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];

/** A comma list in its canonical order (so `acknowledged,open` is the same choice as `open,acknowledged`). */
function canonical(value: string, order: string[]): string {
  const parts = new Set(value.split(',').map((s) => s.trim()).filter(Boolean));
  return [...order.filter((o) => parts.has(o)), ...[...parts].filter((p) => !order.includes(p))].join(',');
}

/** A select of comma-list choices that also shows a list given in the address that is not among them. */
function choiceSelect(id: string, choices: string[], anyLabel: string, value: string, order: string[]): HTMLSelectElement {
  const label = (v: string) => (v ? v.split(',').join(' + ') : anyLabel);
  const wanted = canonical(value, order);
  const all = choices.includes(wanted) ? choices : [...choices, wanted];
  const select = h('select', { id, name: id.replace(/^f-/, '') }, all.map((v) => h('option', { value: v }, label(v))));
  select.value = wanted;
  return select;
}

export function queueView(main: HTMLElement, params: URLSearchParams): () => void {
  const status = choiceSelect('f-status', ['open,acknowledged', 'open', 'acknowledged', 'resolved', ''], 'any status', params.get('status') ?? 'open,acknowledged', STATUSES);
  const level = choiceSelect('f-level', ['', 'critical', 'high,critical', 'medium,high,critical', 'low', 'informational'], 'any severity', params.get('level') ?? '', LEVELS);
  const SORTS: [string, string][] = [
    ['received', 'newest activity'],
    ['last_seen', 'latest event time'],
    ['severity', 'highest score'],
  ];
  const sort = h('select', { id: 'f-sort', name: 'sort' }, SORTS.map(([v, label]) => h('option', { value: v }, label)));
  sort.value = SORTS.some(([v]) => v === params.get('sort')) ? params.get('sort')! : 'received';
  const q = h('input', { id: 'f-q', name: 'indicator', type: 'search', placeholder: 'address, user, host or hash' });
  q.value = params.get('indicator') ?? '';
  let offset = Number(params.get('offset') ?? 0) || 0;

  const body = h('div', { id: 'queue', 'aria-live': 'polite' });
  const filters = h(
    'form',
    { class: 'filters', role: 'search' },
    h('span', { class: 'field' }, h('label', { for: 'f-status' }, 'Status'), status),
    h('span', { class: 'field' }, h('label', { for: 'f-level' }, 'Severity'), level),
    h('span', { class: 'field' }, h('label', { for: 'f-sort' }, 'Order'), sort),
    h('span', { class: 'field grow' }, h('label', { for: 'f-q' }, 'Search'), q),
    h('button', { type: 'submit' }, 'Filter'),
  );
  const query = () => {
    const p = new URLSearchParams();
    if (status.value) p.set('status', status.value);
    if (level.value) p.set('level', level.value);
    if (q.value.trim()) p.set('indicator', q.value.trim());
    if (sort.value !== 'received') p.set('sort', sort.value);
    return p;
  };
  const apply = () => {
    offset = 0;
    history.replaceState(null, '', `#/incidents?${query()}`);
    void load();
  };
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  status.addEventListener('change', apply);
  level.addEventListener('change', apply);
  sort.addEventListener('change', apply);

  async function load() {
    const p = query();
    p.set('limit', String(PAGE));
    p.set('offset', String(offset));
    try {
      const { items, total } = await api<{ items: Incident[]; total: number }>('GET', `/incidents?${p}`);
      render(items, total);
    } catch (err) {
      replace(body, notice((err as Error).message, 'error'));
    }
  }

  function render(items: Incident[], total: number) {
    if (items.length === 0) return replace(body, notice('No incidents match. New ones appear here by themselves.'));
    const now = Date.now();
    const rows = items.map((i) => {
      const received = i.lastDetectionAt ?? i.createdAt;
      return {
        attrs: { 'data-incident': i.id },
        cells: [
          [levelBadge(i.level), ' ', h('span', { class: 'muted small', title: 'severity score' }, String(i.severity.score))],
          [h('a', { href: `#/incidents/${encodeURIComponent(i.id)}` }, i.title), i.ruleTitle && !i.title.startsWith(i.ruleTitle) ? h('div', { class: 'muted small' }, i.ruleTitle) : null],
          entityLinks(i.entity),
          [statusBadge(i.status), i.assignee ? h('div', { class: 'muted small' }, i.assignee) : null],
          String(i.eventCount),
          h('span', { title: `received ${utc(received)}; last event dated ${utc(i.lastSeen)}` }, age(received, now)),
          h('span', { title: utc(i.createdAt) }, age(i.createdAt, now)),
        ],
      };
    });
    const pager = h(
      'nav',
      { class: 'pager', 'aria-label': 'pages' },
      h('button', { type: 'button', disabled: offset === 0, onclick: () => ((offset = Math.max(0, offset - PAGE)), void load()) }, '← Newer'),
      h('span', {}, `${offset + 1}–${offset + items.length} of ${total}`),
      h('button', { type: 'button', disabled: offset + PAGE >= total, onclick: () => ((offset += PAGE), void load()) }, 'Older →'),
    );
    replace(body, table(`Incidents (${total})`, ['Severity', 'Incident', 'Entity', 'Status', '#Events', 'Last activity', 'Age'], rows, '', { class: 'queue' }), pager);
  }

  replace(main, h('h1', {}, 'Incidents'), filters, body);
  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  return () => clearInterval(timer);
}
