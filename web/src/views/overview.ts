// The overview: detections over time, top sources, countries, users and rules, MTTD and MTTA.
import { api } from '../api.js';
import { barChart } from '../chart.js';
import { h, replace } from '../dom.js';
import { duration, utc } from '../format.js';
import type { Counted, Overview } from '../types.js';
import { notice, pivotLink, table } from './widgets.js';

const REFRESH_MS = 15000;

/** A top-N table; `kind` makes each value a pivot link to everything that holds it. */
const topTable = (caption: string, column: string, rows: Counted[], kind?: string, empty?: string) =>
  h('section', { class: 'card' }, table(caption, [column, '#Count'], rows.map((r) => [kind ? pivotLink(r.value, kind) : r.value, String(r.count)]), empty));

export function overviewView(main: HTMLElement): () => void {
  async function load() {
    let o: Overview;
    try {
      o = await api<Overview>('GET', '/overview?hours=24');
    } catch (err) {
      return replace(main, h('h1', {}, 'Overview'), notice((err as Error).message, 'error'));
    }
    replace(
      main,
      h('h1', {}, 'Overview — last 24 hours'),
      h(
        'div',
        { class: 'stats' },
        h('div', { class: 'stat' }, h('span', { class: 'big', id: 'stat-open' }, String(o.openIncidents)), h('span', {}, 'open incidents')),
        h('div', { class: 'stat' }, h('span', { class: 'big', id: 'stat-mttd' }, duration(o.mttdMs)), h('span', {}, 'mean time to detect')),
        h('div', { class: 'stat' }, h('span', { class: 'big', id: 'stat-mtta' }, duration(o.mttaMs)), h('span', {}, 'mean time to acknowledge')),
      ),
      barChart(o.detectionsOverTime, 'Detections over time', (ms) => utc(ms).slice(11, 16)),
      h(
        'div',
        { class: 'grid' },
        topTable('Top source addresses', 'Address', o.topSources, 'ip'),
        topTable('Top countries', 'Country', o.topCountries, undefined, 'no country known yet (needs GeoIP enrichment).'),
        topTable('Top targeted users', 'User', o.topUsers, 'user'),
        topTable('Top rules', 'Rule', o.topRules),
      ),
    );
  }
  replace(main, h('h1', {}, 'Overview'), notice('Loading…'));
  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  return () => clearInterval(timer);
}
