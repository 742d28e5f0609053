// The rules page: each loaded rule with its mode and its quality over a period — incidents by verdict, the
// false-positive ratio, the mean time to acknowledge, what shadow mode recorded — sortable; a noisy rule is
// flagged. Analysts enable, disable or shadow a rule, and tune it: a Sigma filter proposed from its false
// positives, edited, backtested against the stored alerts, and applied only when they accept it.
import { api, canAct } from '../api.js';
import { h, replace } from '../dom.js';
import { duration, entityText, utc } from '../format.js';
import type { Backtest, Proposal, QualityReport, RuleQuality, RuleView } from '../types.js';
import { sortableTable, type Column, type SortState } from './sortable.js';
import { levelBadge, notice, table } from './widgets.js';

const MODES = ['enabled', 'shadow', 'disabled'] as const;
const PERIODS: [string, string][] = [
  ['7d', 'last 7 days'],
  ['30d', 'last 30 days'],
  ['90d', 'last 90 days'],
];

type Row = RuleView & { q?: RuleQuality };

const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${Math.round(r * 100)}%`);

export function rulesView(main: HTMLElement): () => void {
  const status = h('div', { role: 'status', 'aria-live': 'polite', id: 'rule-status' });
  const period = h('select', { id: 'q-period', name: 'period' }, PERIODS.map(([v, label]) => h('option', { value: v }, label)));
  period.value = '30d';
  const body = h('div', { id: 'rules' });
  const tune = h('section', { id: 'tune', 'aria-label': 'tune a rule' });
  let sort: SortState = { column: 5, descending: true };

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
    let quality: QualityReport;
    try {
      [rules, quality] = await Promise.all([api<RuleView[]>('GET', '/rules'), api<QualityReport>('GET', `/rules/quality?period=${period.value}`)]);
    } catch (err) {
      return replace(body, notice((err as Error).message, 'error'));
    }
    const byId = new Map(quality.rules.map((q) => [q.ruleId, q]));
    const rows: Row[] = rules.map((r) => ({ ...r, q: byId.get(r.id) }));
    const writable = canAct();
    const flagged = rows.filter((r) => r.q?.flagged).length;
    const columns: Column<Row>[] = [
      { label: 'Level', cell: (r) => levelBadge(r.level), key: (r) => ['informational', 'low', 'medium', 'high', 'critical'].indexOf(r.level) },
      {
        label: 'Rule',
        key: (r) => r.title.toLowerCase(),
        cell: (r) => [
          h('strong', { title: r.id }, r.title),
          r.q?.flagged ? ' ' : null,
          r.q?.flagged ? h('span', { class: 'badge flag', title: `false-positive ratio at or above ${pct(quality.fpThreshold)}` }, 'noisy') : null,
          h('div', { class: 'muted small' }, `${r.kind}, ${r.detections} detections`),
        ],
      },
      {
        label: 'Mode',
        cell: (r) => {
          const select = h('select', { 'aria-label': `mode of ${r.title}`, disabled: !writable, 'data-rule': r.id }, MODES.map((m) => h('option', { value: m }, m)));
          select.value = r.mode;
          select.addEventListener('change', () => void setMode(r, select.value));
          return select;
        },
      },
      { label: '#Incidents', title: 'incidents opened in the period', key: (r) => r.q?.incidents ?? 0, cell: (r) => String(r.q?.incidents ?? 0) },
      { label: '#TP', title: 'true positives', key: (r) => r.q?.truePositive ?? 0, cell: (r) => String(r.q?.truePositive ?? 0) },
      { label: '#FP', title: 'false positives', key: (r) => r.q?.falsePositive ?? 0, cell: (r) => String(r.q?.falsePositive ?? 0) },
      { label: '#Benign', key: (r) => r.q?.benign ?? 0, cell: (r) => String(r.q?.benign ?? 0) },
      { label: '#No verdict', key: (r) => r.q?.none ?? 0, cell: (r) => String(r.q?.none ?? 0) },
      { label: '#FP ratio', title: 'false positives / incidents with a verdict', key: (r) => r.q?.fpRatio ?? null, cell: (r) => pct(r.q?.fpRatio) },
      { label: '#MTTA', title: 'mean time to acknowledge', key: (r) => r.q?.mttaMs ?? null, cell: (r) => duration(r.q?.mttaMs) },
      {
        label: '#Shadow',
        title: 'incidents shadow mode recorded it would have opened (beside the incidents it opened live)',
        key: (r) => r.q?.shadow.opened ?? 0,
        cell: (r) => (r.q && r.q.shadow.detections > 0 ? h('span', { title: `${r.q.shadow.detections} detections, ${r.q.shadow.events} events, ${r.q.shadow.entities} entities` }, `would open ${r.q.shadow.opened}`) : '—'),
      },
      ...(writable ? [{ label: 'Tune', cell: (r: Row) => h('button', { type: 'button', class: 'link', 'data-tune': r.id, 'aria-label': `tune ${r.title}`, onclick: () => void openTune(r) }, 'Tune') } as Column<Row>] : []),
    ];
    replace(
      body,
      flagged > 0 ? notice(`${flagged} rule${flagged === 1 ? '' : 's'} flagged noisy: false-positive ratio at or above ${pct(quality.fpThreshold)} among at least ${quality.minVerdicts} verdicts.`) : null,
      sortableTable(`${rules.length} rules loaded; incidents ${PERIODS.find(([v]) => v === period.value)?.[1]}`, columns, rows, sort, (r) => ({ 'data-rule-row': r.id }), (s) => (sort = s)),
    );
  }

  async function openTune(rule: RuleView) {
    replace(tune, h('h2', { id: 'tune-title' }, `Tune: ${rule.title}`), notice('Reading its false positives…'));
    tune.scrollIntoView({ block: 'start' });
    let p: Proposal;
    try {
      p = await api<Proposal>('GET', `/rules/${encodeURIComponent(rule.id)}/filter-proposal?period=${period.value}`);
    } catch (err) {
      return replace(tune, h('h2', { id: 'tune-title' }, `Tune: ${rule.title}`), notice((err as Error).message, 'error'));
    }
    const text = h('textarea', { id: 'filter-yaml', rows: 16, spellcheck: 'false', class: 'yaml' });
    text.value = p.yaml;
    const result = h('div', { id: 'backtest', 'aria-live': 'polite' });
    const outcome = h('p', { id: 'accept-status', role: 'status' });
    let tested = '';
    const accept = h('button', { type: 'button', class: 'primary', id: 'accept-filter', disabled: true }, 'Accept filter');
    text.addEventListener('input', () => (accept.disabled = text.value !== tested || tested === ''));
    const run = h('button', { type: 'button', id: 'run-backtest' }, 'Backtest');
    run.addEventListener('click', async () => {
      run.disabled = true;
      replace(result, notice('Replaying the stored alerts…'));
      try {
        const b = await api<Backtest>('POST', '/rules/backtest', { filters: text.value, period: period.value });
        tested = text.value;
        accept.disabled = false;
        replace(result, backtestView(b));
      } catch (err) {
        replace(result, notice((err as Error).message, 'error'));
      } finally {
        run.disabled = false;
      }
    });
    accept.addEventListener('click', async () => {
      accept.disabled = true;
      try {
        const done = await api<{ title: string; applied: string[] }[]>('POST', '/rules/filters', { filters: text.value });
        outcome.textContent = `Accepted: ${done.map((f) => `${f.title} (narrows ${f.applied.length} rule${f.applied.length === 1 ? '' : 's'})`).join('; ')}. In force now.`;
        outcome.className = 'ok';
      } catch (err) {
        outcome.textContent = (err as Error).message;
        outcome.className = 'error';
        accept.disabled = false;
      }
    });
    const facts = `${p.falsePositives} false-positive and ${p.truePositives} true-positive incidents read.`;
    replace(
      tune,
      h('h2', { id: 'tune-title' }, `Tune: ${rule.title}`),
      h('p', { class: 'muted' }, facts, ' ', p.reason ? p.reason + '. Write a filter below to backtest it.' : 'The filter below excludes what every false positive has and no true positive has. Edit it, backtest it, then accept it: nothing is applied before.'),
      h('label', { for: 'filter-yaml' }, 'Sigma filter (YAML, editable)'),
      text,
      h('div', { class: 'buttons' }, run, accept),
      outcome,
      result,
    );
  }

  period.addEventListener('change', () => void load());
  replace(
    main,
    h('h1', {}, 'Rules'),
    h('p', { class: 'muted' }, 'Shadow: the rule runs and records what it would have opened, but opens no incident and notifies nobody. Tune: a filter proposed from the false positives, backtested before it is accepted.'),
    h('form', { class: 'filters', onsubmit: (e: Event) => e.preventDefault() }, h('span', { class: 'field' }, h('label', { for: 'q-period' }, 'Period'), period)),
    status,
    body,
    tune,
  );
  replace(body, notice('Loading…'));
  void load();
  return () => {};
}

function backtestView(b: Backtest): HTMLElement {
  const differing = b.rules.filter((d) => d.vanishedCount + d.appearedCount + d.changed > 0);
  const rows = differing.map((d) => [d.title, String(d.current), String(d.proposed), String(d.vanishedCount), String(d.appearedCount), String(d.changed)]);
  const listed = differing.flatMap((d) => [
    ...d.vanished.map((s) => ({ attrs: { 'data-change': 'vanishes' }, cells: ['vanishes', d.title, entityText(s.entity), h('span', {}, utc(s.firstSeen)), String(s.events)] })),
    ...d.appeared.map((s) => ({ attrs: { 'data-change': 'appears' }, cells: ['appears', d.title, entityText(s.entity), h('span', {}, utc(s.firstSeen)), String(s.events)] })),
  ]);
  return h(
    'div',
    {},
    h('h3', {}, 'Backtest'),
    h(
      'p',
      { id: 'backtest-totals' },
      `${b.alerts} stored alerts since ${utc(b.since)} replayed in ${b.seconds.toFixed(1)} s: ${b.totals.current} incidents with the rules in force, ${b.totals.proposed} with the filter — ${b.totals.vanished} would vanish, ${b.totals.appeared} would appear.`,
    ),
    h(
      'p',
      { class: 'muted small' },
      `${b.replayedRules} of ${b.totalRules} rules replayed: those the filter changes, the rules they read and the correlations reading them. The others are the same on both sides and cannot differ.`,
    ),
    table('Incidents per rule', ['Rule', '#In force', '#With filter', '#Vanish', '#Appear', '#Changed'], rows, 'No difference: the filter changes no incident of the period.'),
    listed.length > 0 ? table('What would change', ['Change', 'Rule', 'Entity', 'When', '#Events'], listed) : null,
  );
}
