// AbuseIPDB API v2 `check`: the community's abuse confidence score for an IP address, with its reports,
// ISP, usage type and whether it is a Tor exit.
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { quotaSchema, ttlSchema, whenEnabled, DAY } from '../../config/fragments.js';
import type { Indicator } from '../../model/index.js';
import { KeyedProvider, ProviderError, ttlFor, type LookupResult, type Provider, type Verdict } from '../provider.js';
import { getJson } from './http.js';

export const abuseIpDbSchema = componentSchema({
  apiKey: z.string().default(''),
  baseUrl: z.string().url().default('https://api.abuseipdb.com'),
  /** Reports older than this are ignored by AbuseIPDB (1–365 days). */
  maxAgeInDays: z.number().int().min(1).max(365).default(90),
  /** The free plan: 1,000 checks/day. */
  quota: quotaSchema(0, 1000),
  ttl: ttlSchema({ malicious: DAY, suspicious: DAY, harmless: DAY, unknown: DAY, notFound: DAY }),
  /** Abuse confidence score (0–100) from which the verdict is `malicious`; from half of it `suspicious`. */
  maliciousScore: z.number().int().min(1).max(100).default(75),
})
  .superRefine(whenEnabled('apiKey', 'enrich.abuseipdb.apiKey is required when enrich.abuseipdb.enabled is true', (c) => !c.apiKey));

export type AbuseIpDbConfig = z.infer<typeof abuseIpDbSchema>;

export class AbuseIpDbProvider extends KeyedProvider implements Provider {
  readonly name = 'abuseipdb';

  constructor(private readonly config: AbuseIpDbConfig) {
    super(config);
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

export const abuseipdbProvider = defineComponent({
  name: 'abuseipdb',
  configSchema: abuseIpDbSchema,
  create: (config: AbuseIpDbConfig, _deps: unknown) => new AbuseIpDbProvider(config),
});
