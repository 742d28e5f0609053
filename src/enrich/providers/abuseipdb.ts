// AbuseIPDB API v2 `check`: the community's abuse confidence score for an IP address, with its reports,
// ISP, usage type and whether it is a Tor exit.
import type { AbuseIpDbConfig } from '../../config/schema.js';
import type { Indicator } from '../../model/index.js';
import { fingerprint, ProviderError, ttlFor, type LookupResult, type Provider, type Verdict } from '../provider.js';
import { getJson } from './http.js';

export class AbuseIpDbProvider implements Provider {
  readonly name = 'abuseipdb';
  readonly external = true;
  readonly quota;
  readonly keyFingerprint;

  constructor(private readonly config: AbuseIpDbConfig) {
    if (!config.apiKey) throw new Error('enrich.abuseipdb.apiKey is required when enrich.abuseipdb.enabled is true');
    this.quota = config.quota;
    this.keyFingerprint = fingerprint(config.apiKey);
  }

  supports(i: Indicator): boolean {
    return i.kind === 'ip';
  }

  ttl(r: LookupResult): number {
    return ttlFor(this.config.ttl, r);
  }

  async lookup(i: Indicator, signal: AbortSignal): Promise<LookupResult> {
    const url = new URL('/api/v2/check', this.config.baseUrl);
    url.searchParams.set('ipAddress', i.value);
    url.searchParams.set('maxAgeInDays', String(this.config.maxAgeInDays));
    const res = await getJson(url.toString(), { Key: this.config.apiKey }, signal, 'AbuseIPDB');
    const d = res.body?.data;
    if (res.status === 404 || !d || typeof d !== 'object') throw new ProviderError(`AbuseIPDB: unexpected answer (HTTP ${res.status})`, 'failed');
    const score = typeof d.abuseConfidenceScore === 'number' ? d.abuseConfidenceScore : 0;
    const reports = typeof d.totalReports === 'number' ? d.totalReports : 0;
    const m = this.config.maliciousScore;
    const verdict: Verdict = score >= m ? 'malicious' : score >= m / 2 ? 'suspicious' : reports === 0 ? 'unknown' : 'harmless';
    const data = {
      abuseConfidenceScore: score,
      totalReports: reports,
      numDistinctUsers: d.numDistinctUsers,
      isp: d.isp,
      usageType: d.usageType,
      domain: d.domain,
      isTor: d.isTor === true,
      isWhitelisted: d.isWhitelisted,
      countryCode: d.countryCode,
      lastReportedAt: d.lastReportedAt,
    };
    const parts = [`abuse confidence ${score}%`, `${reports} report${reports === 1 ? '' : 's'}`];
    if (d.isp) parts.push(`ISP ${d.isp}`);
    if (d.usageType) parts.push(String(d.usageType));
    if (d.isTor === true) parts.push('Tor exit node');
    if (d.countryCode) parts.push(String(d.countryCode));
    return {
      found: true,
      verdict,
      summary: parts.join(' · '),
      link: `https://www.abuseipdb.com/check/${encodeURIComponent(i.value)}`,
      data,
    };
  }
}
