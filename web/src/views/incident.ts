// One incident: what it is, when it happened (chart and timeline with comments), the evidence with its raw
// alerts, enrichment, summary, actions with their delivery state, proposed blocks, and the analyst's buttons.
import { api, canAct, currentUser } from '../api.js';
import { barChart, bucketTimes } from '../chart.js';
import { h, replace } from '../dom.js';
import { duration, utc } from '../format.js';
import { actorLabel, blockOutcome, countPhrase, logonLabel, logonPhrase, plural, resolutionLabel, verdictLabel } from '../../../src/model/wording.js';
import type { EnrichmentCard, IncidentDetail, ResponseView } from '../types.js';
import { evidenceTable } from './evidence.js';
import { commentForm, timelineList } from './timeline.js';
import { entityLinks, kindOf, levelBadge, notice, pivotLink, stateBadge, statusBadge, table, verdictBadge } from './widgets.js';

const REFRESH_MS = 5000;
/** Providers that locate or describe an indicator but judge nothing: their cards carry no verdict badge. */
const NO_VERDICT = new Set(['geoip', 'reverse-dns', 'wazuh-agent']);

function enrichmentCard(e: EnrichmentCard): HTMLElement {
  const facts: [string, string | null][] = [
    ['Country', e.country],
    ['Network', e.asn ? `AS${e.asn}${e.asOrg ? ` ${e.asOrg}` : ''}` : e.asOrg],
    ['Looked up', e.fetchedAt ? utc(e.fetchedAt) : null],
    ['Error', e.error],
  ];
  const badge = e.state !== 'done' ? stateBadge(e.state) : e.verdict && !NO_VERDICT.has(e.provider) ? verdictBadge(e.verdict) : null;
  return h(
    'article',
    { class: 'card enrichment', 'data-provider': e.provider },
    h('h3', {}, e.provider, ' · ', pivotLink(e.value, kindOf(e.kind) ?? e.kind)),
    badge || e.summary ? h('p', {}, badge, badge ? ' ' : null, e.summary ?? '') : null,
    h('dl', { class: 'facts' }, facts.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    e.link && /^https:\/\//.test(e.link) ? h('a', { href: e.link, target: '_blank', rel: 'noopener noreferrer' }, `Open at ${e.provider}`) : null,
  );
}

/** Why its messages were held back: a stronger incident open for the same entity (a playbook's `inhibit`). */
function inhibitionNote(d: IncidentDetail): HTMLElement | null {
  const n = d.inhibition;
  if (!n) return null;
  const what = n.shared.kind === 'ip' ? 'address' : n.shared.kind;
  return h(
    'p',
    { class: 'inhibited', id: 'inhibition', role: 'note' },
    h('strong', {}, n.mode === 'folded' ? 'Folded, not sent: ' : 'Silenced: '),
    `the ${n.change} message (${n.channels.join(', ') || 'no channel'}; playbook ${n.playbooks.join(', ')}) was held back at ${utc(n.at)} because the ${n.level} incident `,
    h('a', { href: `#/incidents/${encodeURIComponent(n.by)}` }, n.title),
    ` is open for the same ${what} `,
    pivotLink(n.shared.value, n.shared.kind),
    '.',
  );
}

export function incidentView(main: HTMLElement, id: string): () => void {
  const status = h('p', { id: 'action-status', class: 'result', role: 'status', 'aria-live': 'polite' });
  const base = `/incidents/${encodeURIComponent(id)}`;
  const evidence = evidenceTable();
  let last = '';

  /**
   * Runs one analyst action; `done` is what the analyst reads when it worked, next to the control they used (or,
   * from the answer, what it led to: an approved block the guard rails refused reads as refused).
   */
  async function act(path: string, doing: string, done: string | ((answer: any) => { text: string; refused?: boolean }), body: unknown = {}, where: HTMLElement = status) {
    where.className = 'result';
    where.textContent = `${doing}…`;
    try {
      const answer = await api('POST', path, body);
      const said = typeof done === 'string' ? { text: done } : done(answer);
      if (said.refused) where.className = 'result error';
      where.textContent = said.text;
      last = '';
      await load();
    } catch (err) {
      where.className = 'result error';
      where.textContent = `${doing} failed: ${(err as Error).message}`;
    }
  }

  const verdictResult = h('p', { class: 'result', id: 'verdict-result', role: 'status', 'aria-live': 'polite' });
  const verdictForm = (() => {
    const verdict = h('select', { id: 'v-verdict', required: true }, ['true_positive', 'false_positive', 'benign'].map((v) => h('option', { value: v }, verdictLabel(v))));
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
      h('button', { type: 'submit', disabled: !canAct() }, 'Record verdict'),
      verdictResult,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body: Record<string, unknown> = { verdict: verdict.value, comment: comment.value };
      if (suppress.checked) body.suppress = {};
      void act(`${base}/verdict`, 'Recording the verdict', `Verdict recorded: ${verdictLabel(verdict.value)}.`, body, verdictResult);
    });
    return form;
  })();
  const comments = commentForm(id, async () => {
    last = '';
    await load();
  });

  async function load() {
    let d: IncidentDetail;
    try {
      d = await api<IncidentDetail>('GET', base);
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
    const me = currentUser()?.name;
    const buttons = h(
      'div',
      { class: 'buttons', role: 'group', 'aria-label': 'incident actions' },
      h('button', { type: 'button', class: 'primary', disabled: !writable || i.status !== 'open', onclick: () => act(`${base}/acknowledge`, 'Acknowledging', 'Acknowledged.') }, 'Acknowledge'),
      h('button', { type: 'button', disabled: !writable || i.status === 'resolved', onclick: () => act(`${base}/resolve`, 'Resolving', 'Resolved.') }, 'Resolve'),
      h('button', { type: 'button', disabled: !writable || i.status !== 'resolved', onclick: () => act(`${base}/reopen`, 'Reopening', 'Reopened.') }, 'Reopen'),
      h(
        'button',
        { type: 'button', disabled: !writable || i.assignee === me, onclick: () => act(`${base}/assign`, 'Assigning', `Assigned to ${me}.`, { assignee: me ?? null }) },
        'Assign to me',
      ),
    );
    const total = d.evidenceTotal ?? i.eventCount;
    const facts = h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Entity'),
      h('dd', {}, entityLinks(i.entity)),
      h('dt', {}, 'Rule'),
      h('dd', { id: 'rule', title: `rule ${i.ruleId}` }, i.ruleTitle ?? d.detections[0]?.ruleTitle ?? i.ruleId),
      i.loggedOn?.length ? [h('dt', {}, logonLabel(i.loggedOn.length)), h('dd', { id: 'logged-on' }, i.loggedOn.map((l) => logonPhrase(l, utc)).join('; '))] : null,
      i.users?.length
        ? [
            h('dt', {}, 'Users'),
            h('dd', {}, [...i.users.flatMap((u, n) => [n ? ', ' : null, pivotLink(u, 'user')]), i.indicatorsCapped?.includes('user') ? ` and more (the first ${plural(i.users.length, 'user')} seen are listed)` : null]),
          ]
        : null,
      h('dt', {}, 'First event'),
      h('dd', {}, utc(i.firstSeen)),
      h('dt', {}, 'Last event'),
      h('dd', {}, utc(i.lastSeen)),
      i.lastDetectionAt !== undefined ? [h('dt', {}, 'Last detection'), h('dd', { title: 'when Vigil last folded a detection in, whatever the events say their time is' }, utc(i.lastDetectionAt))] : null,
      h('dt', {}, 'Duration'),
      h('dd', {}, duration(i.lastSeen - i.firstSeen)),
      h('dt', {}, 'Counts'),
      h('dd', { id: 'counts' }, countPhrase(i.eventCount, i.detectionCount)),
      h('dt', {}, 'Assignee'),
      h('dd', { id: 'assignee' }, i.assignee ?? '—'),
      i.status === 'resolved' && i.resolvedAt !== undefined
        ? [
            h('dt', {}, 'Resolved'),
            h('dd', { id: 'resolved' }, `${utc(i.resolvedAt)}, ${resolutionLabel(i.resolution, i.resolvedBy)}${i.resolutionComment ? `: ${i.resolutionComment}` : ''}`),
          ]
        : null,
      h('dt', {}, 'Verdict'),
      h('dd', { id: 'verdict' }, i.verdict ? `${verdictLabel(i.verdict)} — ${i.verdictComment ?? ''} (${actorLabel(i.verdictBy ?? '')})` : '—'),
    );
    const times = d.evidence.map((e) => e.time).filter((t): t is number => t !== null);
    const retryable = d.actions.some((a) => a.state === 'dead' || a.state === 'failed');
    const actions = table(
      'Actions',
      ['Channel', 'State', '#Attempts', 'Queued', 'Delivered', 'Where', 'Last error', ...(retryable ? ['Retry'] : [])],
      d.actions.map((a) => [
        a.channel,
        stateBadge(a.state),
        String(a.attempts),
        utc(a.createdAt),
        utc(a.deliveredAt),
        a.ref ? (a.ref.url && /^https:\/\//.test(a.ref.url) ? h('a', { href: a.ref.url, target: '_blank', rel: 'noopener noreferrer' }, a.ref.externalId) : a.ref.externalId) : '—',
        a.lastError ?? '—',
        ...(retryable
          ? [
              a.state === 'dead' || a.state === 'failed'
                ? h('button', { type: 'button', disabled: !writable, onclick: () => act(`/actions/${a.id}/retry`, `Retrying ${a.channel}`, `${a.channel}: queued again.`) }, 'Retry')
                : '—',
            ]
          : []),
      ]),
      'no action was queued for this incident.',
    );
    const decidable = d.responses.some((r) => r.state === 'awaiting-approval' || r.state === 'blocked');
    const responses = table(
      'Responses',
      ['Address', 'Agents', 'Mode', 'State', '#Offence', 'Block for', 'Decided by', 'Reason', ...(decidable ? ['Decision'] : [])],
      d.responses.map((r) => [
        pivotLink(r.address, 'ip'),
        r.agents.join(', ') || '—',
        r.mode,
        stateBadge(r.state),
        String(r.offence),
        duration(r.durationMs),
        r.decidedBy ? actorLabel(r.decidedBy) : '—',
        r.state === 'refused' ? h('strong', { class: 'error' }, `Refused: ${r.reason ?? 'no reason recorded'}`) : (r.reason ?? '—'),
        ...(decidable
          ? [
              r.state === 'awaiting-approval'
                ? h(
                    'span',
                    { class: 'buttons' },
                    h('button', { type: 'button', class: 'danger', disabled: !writable, onclick: () => act(`/responses/${r.id}/approve`, `Approving the block of ${r.address}`, (now: ResponseView) => {
                          // Queued: the table shows when it has run. Anything else (refused, dry run) says what it led to.
                          if (now.state === 'approved') return { text: `Block of ${r.address} approved.` };
                          const o = blockOutcome(now, 'approve', utc);
                          return { text: `${o.title}: ${o.text}`, refused: o.tone === 'refused' };
                        }) }, 'Approve block'),
                    h('button', { type: 'button', disabled: !writable, onclick: () => act(`/responses/${r.id}/deny`, `Denying the block of ${r.address}`, `Block of ${r.address} denied.`) }, 'Deny'),
                  )
                : r.state === 'blocked'
                  ? h('button', { type: 'button', disabled: !writable, onclick: () => act(`/responses/${r.id}/unblock`, `Unblocking ${r.address}`, `${r.address} unblocked.`) }, 'Unblock')
                  : '—',
            ]
          : []),
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
            sm.mitre?.length ? h('p', {}, 'ATT&CK: ', sm.mitre.map((m) => `${m.id}${m.name ? ` ${m.name}` : ''}${m.tactic ? ` (${m.tactic})` : ''}`).join(', ')) : null,
            sm.nextSteps.length ? h('h3', {}, 'Next steps') : null,
            sm.nextSteps.length ? h('ol', {}, sm.nextSteps.map((n) => h('li', {}, n))) : null,
          ]
        : h('p', { class: 'muted' }, 'No summary yet.'),
      h('h3', {}, `Severity ${i.severity.score}/100`),
      h('ul', { class: 'reasons' }, i.severity.reasons.map((r) => h('li', {}, `${r.points >= 0 ? '+' : ''}${r.points} ${r.factor}: ${r.detail}`))),
      i.links?.length ? h('h3', {}, 'Related incidents') : null,
      i.links?.length
        ? h('ul', {}, i.links.map((l) => h('li', {}, h('a', { href: `#/incidents/${encodeURIComponent(l.incidentId)}` }, l.title), ` (${l.status}; ${l.reason})`)))
        : null,
    );
    const enrichment = h(
      'section',
      { 'aria-labelledby': 'h-enrich' },
      h('h2', { id: 'h-enrich' }, 'Enrichment'),
      d.enrichment.length === 0 ? h('p', { class: 'muted' }, 'No enrichment recorded for this incident.') : h('div', { class: 'cards' }, d.enrichment.map(enrichmentCard)),
    );
    const trail = table(
      'Audit trail',
      ['When', 'Who', 'What', 'Result'],
      d.audit.map((a) => [utc(a.at), actorLabel(a.actor), a.action, a.result]),
      'no analyst action yet.',
    );
    replace(
      main,
      h('p', {}, h('a', { href: '#/incidents' }, '← Incidents')),
      h('h1', {}, i.title),
      h('div', { class: 'headline' }, levelBadge(i.level), statusBadge(i.status)),
      inhibitionNote(d),
      buttons,
      status,
      h('div', { class: 'cols' }, h('div', {}, facts, verdictForm), summary),
      h(
        'section',
        { 'aria-labelledby': 'h-timeline' },
        h('h2', { id: 'h-timeline' }, 'Timeline'),
        barChart(bucketTimes(times), 'Events over time', (ms) => utc(ms).slice(11, 19)),
        timelineList(d.timeline),
        comments,
      ),
      h('section', { class: 'scroll', 'aria-label': 'evidence' }, evidence.render(d.evidence, total)),
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
