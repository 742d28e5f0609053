// The evidence table of an incident: one row per counted event, each indicator a pivot link, and the stored
// alert behind each row one click away as formatted JSON (shown as text, copyable).
import { api } from '../api.js';
import { h, type Child } from '../dom.js';
import { utc } from '../format.js';
import { andMore, plural } from '../../../src/model/wording.js';
import type { Evidence, RawEvent } from '../types.js';
import { pivotLink, table, type Row } from './widgets.js';

type RawState = { state: 'loading' } | { state: 'shown'; raw: RawEvent } | { state: 'error'; message: string };

function incidentLinks(ids: string[]): Child[] {
  if (ids.length === 0) return ['none'];
  return ids.flatMap((id, n) => [n ? ', ' : null, h('a', { href: `#/incidents/${encodeURIComponent(id)}`, title: `incident ${id}` }, `incident ${id.slice(0, 8)}`)]);
}

export interface EvidenceTable {
  /** The table (or its empty message) for these events, keeping open the rows the analyst opened. */
  render(evidence: Evidence[], total: number): HTMLElement;
}

const rawPath = (e: Evidence) => (e.rawUrl ? e.rawUrl.replace(/^\/api\/v1/, '') : `/events/raw?id=${encodeURIComponent(e.id)}`);

/**
 * `withIncidents`: a column linking each event to the incidents that counted it, and `title` for the caption
 * (the pivot page's "Stored events").
 */
export function evidenceTable(withIncidents = false, title = 'Evidence'): EvidenceTable {
  const open = new Map<string, RawState>();
  let current: { evidence: Evidence[]; total: number } = { evidence: [], total: 0 };
  const box = h('div', { class: 'evidence' });

  const draw = () => box.replaceChildren(build(current.evidence, current.total));

  async function toggle(e: Evidence) {
    if (open.has(e.id)) {
      open.delete(e.id);
      return draw();
    }
    open.set(e.id, { state: 'loading' });
    draw();
    try {
      const raw = await api<RawEvent>('GET', rawPath(e));
      if (open.has(e.id)) open.set(e.id, { state: 'shown', raw });
    } catch (err) {
      if (open.has(e.id)) open.set(e.id, { state: 'error', message: (err as Error).message });
    }
    draw();
    box.querySelector<HTMLElement>(`tr.raw[data-event="${CSS.escape(e.id)}"] pre, tr.raw[data-event="${CSS.escape(e.id)}"] p`)?.focus();
  }

  function rawRow(e: Evidence, s: RawState, columns: number): HTMLElement {
    const status = h('span', { role: 'status', class: 'ok small' });
    const content =
      s.state === 'loading'
        ? h('p', { class: 'muted', tabindex: -1 }, 'Loading the stored alert…')
        : s.state === 'error'
          ? h('p', { class: 'error', tabindex: -1 }, `The stored alert cannot be shown: ${s.message}`)
          : [
              h(
                'div',
                { class: 'buttons' },
                h(
                  'button',
                  {
                    type: 'button',
                    onclick: async () => {
                      try {
                        await navigator.clipboard.writeText(s.raw.pretty);
                        status.textContent = 'Copied.';
                      } catch {
                        status.textContent = 'The browser did not allow copying: select the text instead.';
                      }
                    },
                  },
                  'Copy JSON',
                ),
                h('span', { class: 'muted small' }, `received ${utc(s.raw.receivedAt)} from ${s.raw.source} (${s.raw.format})`),
                status,
              ),
              h('pre', { class: 'json', tabindex: 0, 'aria-label': `stored alert ${e.id}` }, s.raw.pretty),
            ];
    return h('tr', { class: 'raw', 'data-event': e.id }, h('td', { colspan: columns, 'data-label': '' }, content));
  }

  function build(evidence: Evidence[], total: number): HTMLElement {
    // The logon result column only when the server translated one (e.g. "bad password").
    const withStatus = evidence.some((e) => e.status);
    const head = ['Time', 'Source address', 'User', 'Host', 'Event', ...(withStatus ? ['Result'] : []), 'Wazuh rule', 'Description', ...(withIncidents ? ['Incidents'] : []), 'Raw alert'];
    const rows: Row[] = evidence.map((e) => {
      const s = open.get(e.id);
      return {
        attrs: { 'data-event': e.id },
        cells: [
          utc(e.time),
          pivotLink(e.sourceIp, 'ip'),
          pivotLink(e.user, 'user'),
          pivotLink(e.host ?? e.agent, 'host'),
          e.eventId ?? '—',
          ...(withStatus ? [e.status ?? '—'] : []),
          e.wazuhRule ?? '—',
          e.description ?? '—',
          ...(withIncidents ? [incidentLinks((e as Evidence & { incidentIds?: string[] }).incidentIds ?? [])] : []),
          h('button', { type: 'button', class: 'link', 'aria-expanded': s ? 'true' : 'false', onclick: () => void toggle(e) }, s ? 'Hide JSON' : 'Show JSON'),
        ],
        after: s ? rawRow(e, s, head.length) : undefined,
      };
    });
    const caption = total > evidence.length ? `${title} (${plural(total, 'event')}, the first ${evidence.length} shown)` : `${title} (${plural(total, 'event')})`;
    return h(
      'div',
      {},
      table(caption, head, rows, 'no stored event (they may be past the retention window).'),
      total > evidence.length ? h('p', { class: 'muted small', id: 'evidence-more' }, `${andMore(evidence.length, total, 'event')}, counted but not listed here.`) : null,
    );
  }

  return {
    render(evidence, total) {
      current = { evidence, total };
      draw();
      return box;
    },
  };
}
