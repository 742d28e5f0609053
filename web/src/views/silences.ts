// The silences page: the suppressions in force (and, on request, those that ended), with their hits; analysts
// silence an indicator for one rule or every rule until an expiry, and end a silence early.
import { api, canAct } from '../api.js';
import { h, replace } from '../dom.js';
import { utc } from '../format.js';
import { actorLabel } from '../../../src/model/wording.js';
import type { RuleView, SuppressionView } from '../types.js';
import { isLong, kindOf, notice, pivotLink, table } from './widgets.js';

const KINDS = ['ip', 'user', 'host', 'hash', 'domain', 'url'] as const;
const HOUR = 3_600_000;
const EXPIRIES: [string, number | undefined][] = [
  ['1 hour', HOUR],
  ['8 hours', 8 * HOUR],
  ['24 hours', 24 * HOUR],
  ['7 days', 7 * 24 * HOUR],
  ['30 days', 30 * 24 * HOUR],
  ['never', undefined],
];

export function silencesView(main: HTMLElement): () => void {
  const status = h('p', { id: 'silence-status', class: 'result', role: 'status', 'aria-live': 'polite' });
  const showExpired = h('input', { id: 's-expired', type: 'checkbox' });
  showExpired.addEventListener('change', () => void load());
  const list = h('div', { id: 'silence-list' }, notice('Loading…'));
  let rules: RuleView[] = [];

  function say(text: string, error = false) {
    status.className = error ? 'result error' : 'result';
    status.textContent = text;
  }

  async function expire(s: SuppressionView) {
    try {
      await api('POST', `/suppressions/${s.id}/expire`, {});
      say(`Silence ${s.id} of ${s.indicator.kind} ${s.indicator.value} has ended.`);
      await load();
    } catch (err) {
      say(`Ending silence ${s.id} failed: ${(err as Error).message}`, true);
    }
  }

  function form(): HTMLElement {
    const kind = h('select', { id: 's-kind' }, KINDS.map((k) => h('option', { value: k }, k)));
    const value = h('input', { id: 's-value', required: true, maxlength: 1024, placeholder: 'an address, user, host …' });
    const rule = h('select', { id: 's-rule' }, h('option', { value: '' }, 'every rule'), rules.map((r) => h('option', { value: r.id }, r.title)));
    const reason = h('input', { id: 's-reason', required: true, maxlength: 500, placeholder: 'why it is harmless' });
    const expiry = h('select', { id: 's-expiry' }, EXPIRIES.map(([label], i) => h('option', { value: String(i) }, label)));
    expiry.value = '2';
    const el = h(
      'form',
      { class: 'silence', 'aria-label': 'new silence' },
      h('label', { for: 's-kind' }, 'Kind'),
      kind,
      h('label', { for: 's-value' }, 'Value'),
      value,
      h('label', { for: 's-rule' }, 'Rule'),
      rule,
      h('label', { for: 's-reason' }, 'Reason'),
      reason,
      h('label', { for: 's-expiry' }, 'Expires in'),
      expiry,
      h('button', { type: 'submit', disabled: !canAct() }, 'Create silence'),
    );
    el.addEventListener('submit', async (e) => {
      e.preventDefault();
      const expiresInMs = EXPIRIES[Number(expiry.value)]?.[1];
      const body: Record<string, unknown> = { indicator: { kind: kind.value, value: value.value.trim() }, reason: reason.value.trim() };
      if (rule.value) body.ruleId = rule.value;
      if (expiresInMs !== undefined) body.expiresInMs = expiresInMs;
      try {
        const s = await api<SuppressionView>('POST', '/suppressions', body);
        say(`Silence ${s.id} created: ${s.indicator.kind} ${s.indicator.value}, ${s.expiresAt ? `until ${utc(s.expiresAt)}` : 'never expires'}.`);
        value.value = '';
        reason.value = '';
        await load();
      } catch (err) {
        say(`Creating the silence failed: ${(err as Error).message}`, true);
      }
    });
    return el;
  }

  async function load() {
    let items: SuppressionView[];
    try {
      items = await api<SuppressionView[]>('GET', `/suppressions${showExpired.checked ? '?expired=true' : ''}`);
    } catch (err) {
      return replace(list, notice((err as Error).message, 'error'));
    }
    const titles = new Map(rules.map((r) => [r.id, r.title]));
    const writable = canAct();
    const rows = items.map((s) => {
      // The server says what is in force, by its clock (this browser's may differ).
      const ended = !s.active;
      return {
        attrs: { 'data-silence': String(s.id), 'data-state': ended ? 'expired' : 'active' },
        cells: [
          [`${s.indicator.kind} `, pivotLink(s.indicator.value, kindOf(s.indicator.kind) ?? s.indicator.kind)],
          s.ruleId ? h('span', { class: isLong(s.ruleId) && !titles.has(s.ruleId) ? 'long' : undefined }, titles.get(s.ruleId) ?? s.ruleId) : 'every rule',
          s.reason,
          actorLabel(s.createdBy),
          utc(s.createdAt),
          s.expiresAt === undefined ? 'never' : `${ended ? 'ended ' : ''}${utc(s.expiresAt)}`,
          String(s.hits),
          ended || !writable ? '—' : h('button', { type: 'button', onclick: () => void expire(s), 'aria-label': `Expire now: silence ${s.id} of ${s.indicator.value}` }, 'Expire now'),
        ],
      };
    });
    replace(list, table(showExpired.checked ? 'Silences, including ended ones' : 'Silences in force', ['Indicator', 'Rule', 'Reason', 'By', 'When', 'Expires', '#Hits', 'Action'], rows, 'none.'));
  }

  async function start() {
    rules = await api<RuleView[]>('GET', '/rules').catch(() => []);
    replace(
      main,
      h('h1', {}, 'Silences'),
      h(
        'p',
        { class: 'muted' },
        'A silence records the detections it matches (counted as its hits) but opens no incident and notifies nobody, until it expires. It matches a detection’s entity, or a value every one of its events shares.',
      ),
      canAct() ? form() : null,
      status,
      h('label', { class: 'check' }, showExpired, ' show ended silences'),
      list,
    );
    await load();
  }
  replace(main, h('h1', {}, 'Silences'), notice('Loading…'));
  void start();
  return () => {};
}
