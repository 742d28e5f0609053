// Pivot: from one indicator (address, user, host, hash) to every incident and every stored event that holds
// it, within the retention window. Each event row links to its incidents and opens its raw alert.
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { age, utc } from '../format.js';
import { plural } from '../../../src/model/wording.js';
import type { Pivot } from '../types.js';
import { evidenceTable } from './evidence.js';
import { entityLinks, levelBadge, notice, statusBadge, table } from './widgets.js';

const KINDS = ['', 'ip', 'user', 'host', 'hash', 'domain', 'url'];
const KIND_LABEL: Record<string, string> = { '': 'any kind', ip: 'address', user: 'user', host: 'host', hash: 'hash', domain: 'domain', url: 'URL' };

export function pivotView(main: HTMLElement, params: URLSearchParams): () => void {
  const value = h('input', { id: 'p-value', name: 'value', type: 'search', required: true, placeholder: 'address, user, host or hash' });
  value.value = params.get('value') ?? '';
  const kind = h('select', { id: 'p-kind', name: 'kind' }, KINDS.map((k) => h('option', { value: k }, KIND_LABEL[k])));
  kind.value = KINDS.includes(params.get('kind') ?? '') ? (params.get('kind') ?? '') : '';
  const body = h('div', { id: 'pivot', 'aria-live': 'polite' });
  const events = evidenceTable(true, 'Stored events');
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    h('span', { class: 'field grow' }, h('label', { for: 'p-value' }, 'Indicator'), value),
    h('span', { class: 'field' }, h('label', { for: 'p-kind' }, 'Kind'), kind),
    h('button', { type: 'submit', class: 'primary' }, 'Pivot'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams({ value: value.value.trim() });
    if (kind.value) p.set('kind', kind.value);
    location.hash = `#/pivot?${p}`;
  });

  async function load() {
    const v = value.value.trim();
    if (!v) return replace(body, notice('Name an indicator to see every incident and stored event that holds it.'));
    const p = new URLSearchParams({ value: v, limit: '100' });
    if (kind.value) p.set('kind', kind.value);
    let r: Pivot;
    try {
      r = await api<Pivot>('GET', `/pivot?${p}`);
    } catch (err) {
      return replace(body, notice((err as Error).message, 'error'));
    }
    const now = Date.now();
    const incidents = table(
      `Incidents holding ${r.indicator.value} (${r.incidents.total})`,
      ['Severity', 'Incident', 'Entity', 'Status', '#Events', 'Last activity'],
      r.incidents.items.map((i) => ({
        attrs: { 'data-incident': i.id },
        cells: [
          levelBadge(i.level),
          h('a', { href: `#/incidents/${encodeURIComponent(i.id)}` }, i.title),
          entityLinks(i.entity),
          statusBadge(i.status),
          String(i.eventCount),
          age(i.lastDetectionAt ?? i.createdAt, now),
        ],
      })),
      'no incident holds it.',
    );
    const ev = r.events;
    const since = r.retention.since !== null ? ` since ${utc(r.retention.since)}` : '';
    const scope = ev.complete
      ? `${plural(ev.total, 'stored event')} ${ev.total === 1 ? 'holds' : 'hold'} it, of ${plural(ev.scanned, 'event')} searched (everything stored${since}).`
      : `The first ${plural(ev.total, 'stored event')} that hold it, of ${plural(ev.scanned, 'event')} searched (the newest stored; older ones were not searched). Name the kind to narrow the search.`;
    replace(
      body,
      h('section', { class: 'spaced' }, incidents),
      h('p', { class: 'muted spaced', id: 'pivot-scope' }, scope),
      h('section', { 'aria-label': 'stored events' }, events.render(ev.items, ev.items.length)),
    );
  }

  replace(main, h('h1', {}, 'Pivot'), form, body);
  void load();
  return () => {};
}
