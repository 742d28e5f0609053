// The rules page: each loaded rule with its mode; analysts enable, disable or shadow it.
import { api, canAct } from '../api.js';
import { h, replace } from '../dom.js';
import type { RuleView } from '../types.js';
import { levelBadge, notice, table } from './widgets.js';

const MODES = ['enabled', 'shadow', 'disabled'] as const;

export function rulesView(main: HTMLElement): () => void {
  const status = h('div', { role: 'status', 'aria-live': 'polite', id: 'rule-status' });

  async function setMode(rule: RuleView, mode: string) {
    try {
      await api('PUT', `/rules/${encodeURIComponent(rule.id)}/mode`, { mode });
      status.textContent = `${rule.title}: ${mode}`;
      await load();
    } catch (err) {
      status.textContent = `${rule.title}: ${(err as Error).message}`;
    }
  }

  async function load() {
    let rules: RuleView[];
    try {
      rules = await api<RuleView[]>('GET', '/rules');
    } catch (err) {
      return replace(main, h('h1', {}, 'Rules'), notice((err as Error).message, 'error'));
    }
    const writable = canAct();
    const rows = rules.map((r) => {
      const select = h(
        'select',
        { 'aria-label': `mode of ${r.title}`, disabled: !writable, 'data-rule': r.id },
        MODES.map((m) => h('option', { value: m }, m)),
      );
      select.value = r.mode;
      select.addEventListener('change', () => void setMode(r, select.value));
      return {
        attrs: {},
        cells: [
          levelBadge(r.level),
          [h('strong', { title: r.id }, r.title), r.description ? h('div', { class: 'muted small' }, r.description) : null],
          r.kind,
          select,
          String(r.detections),
          String(r.shadowHits),
        ],
      };
    });
    replace(
      main,
      h('h1', {}, 'Rules'),
      h('p', { class: 'muted' }, 'Shadow: the rule runs and counts what it would have fired, but opens no incident and notifies nobody.'),
      status,
      table(`${rules.length} rules loaded`, ['Level', 'Rule', 'Kind', 'Mode', '#Detections', '#Shadow hits'], rows),
    );
  }
  replace(main, h('h1', {}, 'Rules'), notice('Loading…'));
  void load();
  return () => {};
}
