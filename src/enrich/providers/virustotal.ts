// VirusTotal API v3: IP addresses, domains, URLs and file hashes. The verdict comes from the engines'
// `last_analysis_stats`; the answer keeps reputation, network owner, country and when VirusTotal last looked.
import { engineVerdict } from '../../model/wording.js';
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { quotaSchema, ttlSchema, whenEnabled, DAY } from '../../config/fragments.js';
import type { Indicator } from '../../model/index.js';
import { KeyedProvider, ProviderError, ttlFor, type LookupResult, type Provider, type Verdict } from '../provider.js';
import { getJson } from './http.js';

export const virusTotalSchema = componentSchema({
  apiKey: z.string().default(''),
  baseUrl: z.string().url().default('https://www.virustotal.com'),
  guiUrl: z.string().url().default('https://www.virustotal.com/gui'),
  /** The public API: 4 requests/minute and 500/day. */
  quota: quotaSchema(4, 500),
  ttl: ttlSchema({ malicious: 7 * DAY, suspicious: DAY, harmless: DAY, unknown: DAY, notFound: DAY }),
  /** Engines flagging an indicator malicious from which the verdict is `malicious` (fewer but some: `suspicious`). */
  maliciousThreshold: z.number().int().positive().default(3),
})
  .superRefine(whenEnabled('apiKey', 'enrich.virustotal.apiKey is required when enrich.virustotal.enabled is true', (c) => !c.apiKey));

export type VirusTotalConfig = z.infer<typeof virusTotalSchema>;

const PATHS: Partial<Record<Indicator['kind'], { api: string; gui: string }>> = {
  ip: { api: 'ip_addresses', gui: 'ip-address' },
  domain: { api: 'domains', gui: 'domain' },
  url: { api: 'urls', gui: 'url' },
  hash: { api: 'files', gui: 'file' },
};

/** The v3 URL identifier: the URL in unpadded base64url (documented alternative to its SHA-256). */
export function urlId(url: string): string {
  return Buffer.from(url).toString('base64url');
}

export class VirusTotalProvider extends KeyedProvider implements Provider {
  readonly name = 'virustotal';

  constructor(private readonly config: VirusTotalConfig) {
    super(config);
  }

  supports(i: Indicator): boolean {
    return i.kind in PATHS;
  }

  ttl(r: LookupResult): number {
    return ttlFor(this.config.ttl, r);
  }

  async lookup(i: Indicator, signal: AbortSignal): Promise<LookupResult> {
    const path = PATHS[i.kind];
    if (!path) throw new ProviderError(`VirusTotal does not look up ${i.kind}`, 'failed');
    const id = i.kind === 'url' ? urlId(i.value) : encodeURIComponent(i.value);
    const base = this.config.baseUrl.replace(/\/+$/, '');
    const res = await getJson(`${base}/api/v3/${path.api}/${id}`, { 'x-apikey': this.config.apiKey }, signal, 'VirusTotal');
    const gui = this.config.guiUrl.replace(/\/+$/, '');
    if (res.status === 404) {
      return { found: false, verdict: 'unknown', summary: 'not known to VirusTotal', data: {} };
    }
    const obj = res.body?.data;
    const a = obj?.attributes;
    if (!a || typeof a !== 'object') throw new ProviderError('VirusTotal: the answer has no data.attributes', 'failed');
    const stats = a.last_analysis_stats ?? {};
    const n = (k: string) => (typeof stats[k] === 'number' ? (stats[k] as number) : 0);
    const malicious = n('malicious');
    const suspicious = n('suspicious');
    const engines = malicious + suspicious + n('harmless') + n('undetected') + n('timeout');
    const verdict: Verdict =
      engines === 0 ? 'unknown' : malicious >= this.config.maliciousThreshold ? 'malicious' : malicious + suspicious > 0 ? 'suspicious' : 'harmless';
    const data: Record<string, unknown> = {
      malicious,
      suspicious,
      harmless: n('harmless'),
      undetected: n('undetected'),
      engines,
      reputation: a.reputation,
      asn: a.asn,
      asOwner: a.as_owner,
      country: a.country,
      lastAnalysisDate: typeof a.last_analysis_date === 'number' ? a.last_analysis_date * 1000 : undefined,
    };
    if (i.kind === 'hash') Object.assign(data, { name: a.meaningful_name, type: a.type_description, sha256: a.sha256 });
    const parts = [engineVerdict(malicious, suspicious, engines)];
    if (typeof a.reputation === 'number') parts.push(`reputation ${a.reputation}`);
    if (a.asn || a.as_owner) parts.push(`AS${a.asn ?? '?'} ${a.as_owner ?? ''}`.trim());
    if (a.country) parts.push(String(a.country));
    if (data.lastAnalysisDate) parts.push(`analysed ${new Date(data.lastAnalysisDate as number).toISOString().slice(0, 10)}`);
    // The GUI page of a URL is keyed by its SHA-256, which the answer carries as its id.
    const guiId = i.kind === 'url' ? (typeof obj.id === 'string' ? obj.id : undefined) : i.value;
    return {
      found: true,
      verdict,
      summary: parts.join(' · '),
      link: guiId ? `${gui}/${path.gui}/${encodeURIComponent(guiId)}` : undefined,
      data,
    };
  }
}

export const virustotalProvider = defineComponent({
  name: 'virustotal',
  configSchema: virusTotalSchema,
  create: (config: VirusTotalConfig, _deps: unknown) => new VirusTotalProvider(config),
});
