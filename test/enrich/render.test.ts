// The enrichment section of the email: what an analyst reads for an answer, a pending lookup and a failure,
// and that provider text (which may echo attacker input) is escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderEnrichmentHtml, renderEnrichmentText } from '../../src/act/render/enrichment.js';
import type { EnrichmentLookup } from '../../src/model/index.js';

const lookups: EnrichmentLookup[] = [
  { provider: 'virustotal', indicator: { kind: 'url', value: 'http://x.example/<script>alert(1)</script>' }, state: 'done', found: true, verdict: 'malicious', summary: '7 of 90 engines: malicious', link: 'https://www.virustotal.com/gui/url/abc', fetchedAt: Date.parse('2026-11-21T10:00:00Z') },
  { provider: 'abuseipdb', indicator: { kind: 'ip', value: '45.9.20.1' }, state: 'pending', error: 'waiting for quota (daily limit reached) until 2026-11-22T00:00:00Z' },
  { provider: 'virustotal', indicator: { kind: 'ip', value: '45.9.20.1' }, state: 'failed', error: 'VirusTotal: no answer in time' },
  { provider: 'virustotal', indicator: { kind: 'domain', value: 'a.example' }, state: 'done', found: false, verdict: 'unknown', summary: 'not known to VirusTotal', link: 'javascript:alert(1)' },
];

describe('enrichment in the email', () => {
  it('the text names answers, pending and failed lookups', () => {
    const text = renderEnrichmentText(lookups).join('\n');
    assert.match(text, /Enrichment \(2 answered, 1 pending, 1 failed\):/);
    assert.match(text, /VirusTotal: MALICIOUS: 7 of 90 engines: malicious  <https:\/\/www\.virustotal\.com\/gui\/url\/abc>/);
    assert.match(text, /AbuseIPDB: PENDING: waiting for quota \(daily limit reached\) until 2026-11-22T00:00:00Z/);
    assert.match(text, /45\.9\.20\.1  VirusTotal: FAILED: VirusTotal: no answer in time \(not a clean result\)/);
    assert.match(text, /a\.example  VirusTotal: no record: not known to VirusTotal$/m);
  });

  it('the HTML escapes every value and links only http(s)', () => {
    const html = renderEnrichmentHtml(lookups);
    assert.ok(!html.includes('<script>'), 'no raw markup from an indicator');
    assert.ok(html.includes('http://x.example/&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('<a href="https://www.virustotal.com/gui/url/abc">open</a>'));
    assert.ok(!html.includes('javascript:'), 'a non-http link is dropped');
    assert.match(html, /fetched 2026-11-21 10:00:00 GMT\+00:00/);
  });

  it('nothing to say, no section', () => {
    assert.equal(renderEnrichmentHtml([]), '');
    assert.deepEqual(renderEnrichmentText(undefined), []);
  });
});
