// One incident: what it is, when it happened (chart), the evidence, enrichment, summary, actions with their
// delivery state, and the analyst's buttons.
import { api, canAct, currentUser } from '../api.js';
import { barChart, bucketTimes } from '../chart.js';
import { h, replace } from '../dom.js';
import { duration, entityText, utc } from '../format.js';
import type { EnrichmentCard, IncidentDetail } from '../types.js';
import { levelBadge, notice, stateBadge, statusBadge, table, verdictBadge } from './widgets.js';

const REFRESH_MS = 5000;

function enrichmentCard(e: EnrichmentCard): HTMLElement {
  const facts: [string, string | null][] = [
    ['Country', e.country],
    ['Network', e.asn ? `AS${e.asn}${e.asOrg ? ` ${e.asOrg}` : ''}` : e.asOrg],
    ['Looked up', e.fetchedAt ? utc(e.fetchedAt) : null],
    ['Error', e.error],
  ];
  return h(
    'article',
    { class: 'card enrichment', 'data-provider': e.provider },
    h('h3', {}, e.provider, ' · ', e.value),
    h('p', {}, e.state === 'done' ? verdictBadge(e.verdict ?? 'unknown') : stateBadge(e.state), ' ', e.summary ?? ''),
    h('dl', { class: 'facts' }, facts.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    e.link && /^https:\/\//.test(e.link) ? h('a', { href: e.link, target: '_blank', rel: 'noopener noreferrer' }, 'Open at the provider') : null,
  );
}

export function incidentView(main: HTMLElement, id: string): () => void {
  const status = h('div', { id: 'action-status', role: 'status', 'aria-live': 'polite' });
  const base = `/incidents/${encodeURIComponent(id)}`;
  let last = '';

  async function act(path: string, label: string, body: unknown = {}) {
    status.textContent = `${label}…`;
    try {
      await api('POST', path, body);
      status.textContent = `${label}: done`;
      last = '';
      await load();
    } catch (err) {
      status.textContent = `${label}: ${(err as Error).message}`;
    }
  }

  function verdictFormOf(writable: boolean): HTMLElement {
    const verdict = h('select', { id: 'v-verdict', required: true }, ['true_positive', 'false_positive', 'benign'].map((v) => h('option', { value: v }, v.replace('_', ' '))));
    const comment = h('input', { id: 'v-comment', required: true, maxlength: 2000, placeholder: 'why' });
    const suppress = h('input', { id: 'v-suppress', type: 'checkbox' });
    const form = h(
      'form',
      { class: 'verdict', 'aria-label': 'verdict' },
      h('label', { for: 'v-verdict' }, 'Verdict'),
      verdict,
      h('label', { for: 'v-comment' }, 'Comment'),
      comment,
      h('label', { class: 'check' }, suppress, ' also suppress this entity for this rule (false positive only)'),
      h('button', { type: 'submit', disabled: !writable }, 'Record verdict'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body: Record<string, unknown> = { verdict: verdict.value, comment: comment.value };
      if (suppress.checked) body.suppress = {};
      void act(`${base}/verdict`, 'Verdict', body);
    });
    return form;
  }

  async function load() {
    let d: IncidentDetail;
    try {
      d = await api<IncidentDetail>('GET', `/incidents/${encodeURIComponent(id)}`);
    } catch (err) {
      return replace(main, h('h1', {}, 'Incident'), notice((err as Error).message, 'error'));
    }
    // Polling re-renders only when something changed, so focus and scroll stay put.
    const key = JSON.stringify(d);
    if (key === last) return;
    last = key;
    render(d);
  }

  function render(d: IncidentDetail) {
    const i = d.incident;
    const writable = canAct();
    const buttons = h(
      'div',
      { class: 'buttons', role: 'group', 'aria-label': 'incident actions' },
      h('button', { type: 'button', class: 'primary', disabled: !writable || i.status !== 'open', onclick: () => act(`${base}/acknowledge`, 'Acknowledge') }, 'Acknowledge'),
      h('button', { type: 'button', disabled: !writable || i.status === 'resolved', onclick: () => act(`${base}/resolve`, 'Resolve') }, 'Resolve'),
      h('button', { type: 'button', disabled: !writable || i.status !== 'resolved', onclick: () => act(`${base}/reopen`, 'Reopen') }, 'Reopen'),
      h(
        'button',
        { type: 'button', disabled: !writable || i.assignee === currentUser()?.name, onclick: () => act(`${base}/assign`, 'Assign to me', { assignee: currentUser()?.name ?? null }) },
        'Assign to me',
      ),
    );
    const facts = h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Entity'),
      h('dd', {}, entityText(i.entity)),
      h('dt', {}, 'Rule'),
      h('dd', {}, i.ruleId),
      h('dt', {}, 'First seen'),
      h('dd', {}, utc(i.firstSeen)),
      h('dt', {}, 'Last seen'),
      h('dd', {}, utc(i.lastSeen)),
      h('dt', {}, 'Duration'),
      h('dd', {}, duration(i.lastSeen - i.firstSeen)),
      h('dt', {}, 'Counts'),
      h('dd', {}, `${i.eventCount} events in ${i.detectionCount} detections`),
      h('dt', {}, 'Assignee'),
      h('dd', { id: 'assignee' }, i.assignee ?? '—'),
      h('dt', {}, 'Verdict'),
      h('dd', { id: 'verdict' }, i.verdict ? `${i.verdict.replace('_', ' ')} — ${i.verdictComment ?? ''} (${i.verdictBy ?? ''})` : '—'),
    );
    const verdictForm = verdictFormOf(writable);
    const times = d.evidence.map((e) => e.time).filter((t): t is number => t !== null);
    const evidence = table(
      `Evidence (${d.evidence.length} events)`,
      ['Time', 'Source address', 'User', 'Host', 'Event', 'Wazuh rule', 'Description'],
      d.evidence.map((e) => [utc(e.time), e.sourceIp ?? '—', e.user ?? '—', e.agent ?? '—', e.eventId ?? '—', e.wazuhRule ?? '—', e.description ?? '—']),
    );
    const actions = table(
      'Actions',
      ['Channel', 'State', 'Attempts', 'Queued', 'Delivered', 'Where', 'Last error', ''],
      d.actions.map((a) => [
        a.channel,
        stateBadge(a.state),
        String(a.attempts),
        utc(a.createdAt),
        utc(a.deliveredAt),
        a.ref ? (a.ref.url && /^https:\/\//.test(a.ref.url) ? h('a', { href: a.ref.url, target: '_blank', rel: 'noopener noreferrer' }, a.ref.externalId) : a.ref.externalId) : '',
        a.lastError ?? '',
        a.state === 'dead' || a.state === 'failed'
          ? h('button', { type: 'button', disabled: !writable, onclick: () => act(`/actions/${a.id}/retry`, `Retry ${a.channel}`) }, 'Retry')
          : '',
      ]),
      'no action was queued for this incident.',
    );
    const responses = table(
      'Responses',
      ['Address', 'Agents', 'Mode', 'State', 'Offence', 'Block for', 'Decided by', 'Reason', ''],
      d.responses.map((r) => [
        r.address,
        r.agents.join(', '),
        r.mode,
        stateBadge(r.state),
        String(r.offence),
        duration(r.durationMs),
        r.decidedBy ?? '',
        r.reason ?? '',
        r.state === 'awaiting-approval'
          ? h(
              'span',
              { class: 'buttons' },
              h('button', { type: 'button', class: 'danger', disabled: !writable, onclick: () => act(`/responses/${r.id}/approve`, `Approve block of ${r.address}`) }, 'Approve block'),
              h('button', { type: 'button', disabled: !writable, onclick: () => act(`/responses/${r.id}/deny`, `Deny block of ${r.address}`) }, 'Deny'),
            )
          : r.state === 'blocked'
            ? h('button', { type: 'button', disabled: !writable, onclick: () => act(`/responses/${r.id}/unblock`, `Unblock ${r.address}`) }, 'Unblock')
            : '',
      ]),
      'no block was proposed for this incident.',
    );
    const sm = i.summary;
    const summary = h(
      'section',
      { 'aria-labelledby': 'h-summary' },
      h('h2', { id: 'h-summary' }, 'Summary', sm?.source === 'llm' ? h('span', { class: 'muted small' }, ` (written by ${sm.model ?? 'an LLM'})`) : null),
      sm
        ? [
            h('p', {}, sm.whatHappened),
            h('p', {}, sm.affected),
            sm.enrichment ? h('p', {}, sm.enrichment) : null,
            sm.mitre.length ? h('p', {}, 'ATT&CK: ', sm.mitre.map((m) => `${m.id}${m.name ? ` ${m.name}` : ''}`).join(', ')) : null,
            sm.nextSteps.length ? h('h3', {}, 'Next steps') : null,
            sm.nextSteps.length ? h('ol', {}, sm.nextSteps.map((n) => h('li', {}, n))) : null,
          ]
        : h('p', { class: 'muted' }, 'No summary yet.'),
      h('h3', {}, `Severity ${i.severity.score}/100`),
      h('ul', { class: 'reasons' }, i.severity.reasons.map((r) => h('li', {}, `${r.points >= 0 ? '+' : ''}${r.points} ${r.factor}: ${r.detail}`))),
      i.links.length ? h('h3', {}, 'Related incidents') : null,
      i.links.length
        ? h('ul', {}, i.links.map((l) => h('li', {}, h('a', { href: `#/incidents/${encodeURIComponent(l.incidentId)}` }, l.title), ` (${l.status}; ${l.reason})`)))
        : null,
    );
    const enrichment = h(
      'section',
      { 'aria-labelledby': 'h-enrich' },
      h('h2', { id: 'h-enrich' }, 'Enrichment'),
      d.enrichment.length === 0
        ? h('p', { class: 'muted' }, 'No enrichment recorded for this incident.')
        : h('div', { class: 'cards' }, d.enrichment.map(enrichmentCard)),
    );
    const trail = table(
      'Audit trail',
      ['When', 'Who', 'What', 'Result'],
      d.audit.map((a) => [utc(a.at), a.actor, a.action, a.result]),
      'no analyst action yet.',
    );
    replace(
      main,
      h('p', {}, h('a', { href: '#/incidents' }, '← Incidents')),
      h('h1', {}, i.title),
      h('div', { class: 'headline' }, levelBadge(i.level), statusBadge(i.status)),
      buttons,
      status,
      h('div', { class: 'cols' }, h('div', {}, facts, verdictForm), summary),
      h('section', { 'aria-labelledby': 'h-timeline' }, h('h2', { id: 'h-timeline' }, 'Timeline'), barChart(bucketTimes(times), 'Events over time', (ms) => utc(ms).slice(11, 19))),
      h('section', { class: 'scroll' }, evidence),
      enrichment,
      h('section', { class: 'spaced' }, responses),
      h('section', { class: 'spaced' }, actions),
      h('section', { class: 'spaced' }, trail),
    );
  }

  replace(main, h('h1', {}, 'Incident'), notice('Loading…'));
  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  return () => clearInterval(timer);
}
