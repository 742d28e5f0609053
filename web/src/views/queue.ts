// The incident queue: filters, paging, and live updates by polling.
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { age, entityText } from '../format.js';
import type { Incident } from '../types.js';
import { levelBadge, notice, statusBadge } from './widgets.js';

const PAGE = 25;
const REFRESH_MS = 5000;

export function queueView(main: HTMLElement, params: URLSearchParams): () => void {
  const status = h(
    'select',
    { id: 'f-status', name: 'status' },
    ['open,acknowledged', 'open', 'acknowledged', 'resolved', ''].map((v) => h('option', { value: v }, v ? v.replace(',', ' + ') : 'any status')),
  );
  const level = h(
    'select',
    { id: 'f-level', name: 'level' },
    ['', 'critical', 'high,critical', 'medium,high,critical', 'low', 'informational'].map((v) => h('option', { value: v }, v ? v.replaceAll(',', ' + ') : 'any severity')),
  );
  const q = h('input', { id: 'f-q', name: 'indicator', type: 'search', placeholder: 'an address, user or host (exact)' });
  status.value = params.get('status') ?? 'open,acknowledged';
  level.value = params.get('level') ?? '';
  q.value = params.get('indicator') ?? '';
  let offset = Number(params.get('offset') ?? 0) || 0;

  const body = h('div', { id: 'queue', 'aria-live': 'polite' });
  const filters = h(
    'form',
    { class: 'filters', role: 'search' },
    h('label', { for: 'f-status' }, 'Status'),
    status,
    h('label', { for: 'f-level' }, 'Severity'),
    level,
    h('label', { for: 'f-q' }, 'Search'),
    q,
    h('button', { type: 'submit' }, 'Filter'),
  );
  const apply = () => {
    offset = 0;
    const p = new URLSearchParams();
    if (status.value) p.set('status', status.value);
    if (level.value) p.set('level', level.value);
    if (q.value) p.set('indicator', q.value.trim());
    history.replaceState(null, '', `#/incidents?${p}`);
    void load();
  };
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  status.addEventListener('change', apply);
  level.addEventListener('change', apply);

  async function load() {
    const p = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (status.value) p.set('status', status.value);
    if (level.value) p.set('level', level.value);
    if (q.value) p.set('indicator', q.value.trim());
    try {
      const { items, total } = await api<{ items: Incident[]; total: number }>('GET', `/incidents?${p}`);
      render(items, total);
    } catch (err) {
      replace(body, notice((err as Error).message, 'error'));
    }
  }

  function render(items: Incident[], total: number) {
    if (items.length === 0) return replace(body, notice('No incidents match. New ones appear here by themselves.'));
    const rows = items.map((i) =>
      h(
        'tr',
        { 'data-incident': i.id },
        h('td', {}, levelBadge(i.level), ' ', h('span', { class: 'muted small', title: 'severity score' }, String(i.severity.score))),
        h('td', {}, h('a', { href: `#/incidents/${encodeURIComponent(i.id)}` }, i.title)),
        h('td', {}, entityText(i.entity)),
        h('td', {}, statusBadge(i.status), i.assignee ? h('div', { class: 'muted small' }, i.assignee) : null),
        h('td', { class: 'num' }, String(i.eventCount)),
        h('td', { class: 'num' }, String(i.detectionCount)),
        h('td', { title: new Date(i.lastSeen).toISOString() }, age(i.lastSeen)),
        h('td', { title: new Date(i.createdAt).toISOString() }, age(i.createdAt)),
      ),
    );
    const pager = h(
      'nav',
      { class: 'pager', 'aria-label': 'pages' },
      h('button', { type: 'button', disabled: offset === 0, onclick: () => ((offset = Math.max(0, offset - PAGE)), void load()) }, '← Newer'),
      h('span', {}, `${offset + 1}–${offset + items.length} of ${total}`),
      h('button', { type: 'button', disabled: offset + PAGE >= total, onclick: () => ((offset += PAGE), void load()) }, 'Older →'),
    );
    replace(
      body,
      h(
        'table',
        { class: 'queue' },
        h('caption', {}, `Incidents (${total})`),
        h(
          'thead',
          {},
          h('tr', {}, ['Severity', 'Incident', 'Entity', 'Status', 'Events', 'Detections', 'Last seen', 'Age'].map((c) => h('th', { scope: 'col' }, c))),
        ),
        h('tbody', {}, rows),
      ),
      pager,
    );
  }

  replace(main, h('h1', {}, 'Incidents'), filters, body);
  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  return () => clearInterval(timer);
}
