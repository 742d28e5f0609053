// The enrichment section of a message: every lookup as it stood when the message went — an answer, a lookup
// still pending, or a failure named as one (never shown as clean). Provider text is escaped like any other.
import type { EnrichmentLookup } from '../../model/index.js';
import { escapeHtml, formatTime, oneLine } from './text.js';

const PROVIDERS: Record<string, string> = {
  virustotal: 'VirusTotal',
  abuseipdb: 'AbuseIPDB',
  geoip: 'GeoIP',
  'wazuh-agent': 'Wazuh agent',
  'reverse-dns': 'Reverse DNS',
};

const VERDICT_COLOURS: Record<string, string> = { malicious: '#b91c1c', suspicious: '#c2410c', harmless: '#15803d', unknown: '#475569' };

export const providerLabel = (p: string) => PROVIDERS[p] ?? p;

/** What one lookup says, in words. */
export function lookupText(l: EnrichmentLookup): string {
  if (l.state === 'pending') return `PENDING: ${l.error ?? 'no answer yet'} (an update follows if it changes the severity)`;
  if (l.state === 'failed') return `FAILED: ${l.error ?? 'no answer'} (not a clean result)`;
  const verdict = l.found === false ? 'no record' : l.verdict && l.verdict !== 'unknown' ? l.verdict.toUpperCase() : '';
  return [verdict, l.summary].filter(Boolean).join(': ');
}

/** Only http(s) links reach an href. */
function safeLink(link: string | undefined): string | undefined {
  return link && /^https?:\/\//i.test(link) ? link : undefined;
}

function counts(lookups: EnrichmentLookup[]): string {
  const pending = lookups.filter((l) => l.state === 'pending').length;
  const failed = lookups.filter((l) => l.state === 'failed').length;
  const bits = [`${lookups.length - pending - failed} answered`];
  if (pending) bits.push(`${pending} pending`);
  if (failed) bits.push(`${failed} failed`);
  return bits.join(', ');
}

export function renderEnrichmentHtml(lookups: EnrichmentLookup[] | undefined, timeZone = 'UTC'): string {
  if (!lookups || lookups.length === 0) return '';
  const cell = 'style="padding:6px 10px;border:1px solid #e2e8f0;font:13px Arial,sans-serif;vertical-align:top;overflow-wrap:anywhere;word-break:break-word"';
  const rows = lookups.map((l) => {
    const colour = l.state === 'done' ? (VERDICT_COLOURS[l.verdict ?? 'unknown'] ?? '#475569') : l.state === 'failed' ? '#b91c1c' : '#475569';
    const link = safeLink(l.link);
    const when = l.fetchedAt !== undefined ? `<br><span style="color:#64748b;font-size:11px">fetched ${escapeHtml(formatTime(l.fetchedAt, timeZone))}</span>` : '';
    // One stacked cell per lookup (no columns): it fits a phone's width whatever the value's length.
    return `<tr><td ${cell}><b>${escapeHtml(providerLabel(l.provider))}</b> · ${escapeHtml(l.indicator.value)}<br><span style="color:${colour}">${escapeHtml(lookupText(l))}</span>${
      link ? ` <a href="${escapeHtml(link)}">open</a>` : ''
    }${when}</td></tr>`;
  });
  return `<h3 style="font:bold 15px Arial,sans-serif;margin:18px 0 8px">Enrichment (${escapeHtml(counts(lookups))})</h3>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;table-layout:fixed">
${rows.join('\n')}
</table>`;
}

export function renderEnrichmentText(lookups: EnrichmentLookup[] | undefined): string[] {
  if (!lookups || lookups.length === 0) return [];
  return [
    '',
    `Enrichment (${counts(lookups)}):`,
    ...lookups.map((l) => `- ${oneLine(l.indicator.value)}  ${providerLabel(l.provider)}: ${oneLine(lookupText(l))}${safeLink(l.link) ? `  <${oneLine(l.link)}>` : ''}`),
  ];
}
