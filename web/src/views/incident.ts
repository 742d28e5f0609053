// One incident: what it is, when it happened (chart), the evidence, enrichment, summary, actions with their
// delivery state, and the analyst's buttons.
import { api, canAct } from '../api.js';
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

  async function act(path: string, label: string) {
    status.textContent = `${label}…`;
    try {
      await api('POST', path, {});
      status.textContent = `${label}: done`;
      last = '';
      await load();
    } catch (err) {
      status.textContent = `${label}: ${(err as Error).message}`;
    }
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
      h('button', { type: 'button', disabled: !writable || i.status === 'open', onclick: () => act(`${base}/reopen`, 'Reopen') }, 'Reopen'),
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
    );
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
    const summary = h(
      'section',
      { 'aria-labelledby': 'h-summary' },
      h('h2', { id: 'h-summary' }, 'Summary'),
      h(
        'p',
        {},
        `${d.detections.map((x) => x.ruleTitle).filter((v, n, a) => a.indexOf(v) === n).join('; ')}: ${i.eventCount} events between ${utc(i.firstSeen)} and ${utc(i.lastSeen)} about ${entityText(i.entity) || 'no single entity'}.`,
      ),
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
      h('div', { class: 'cols' }, facts, summary),
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
