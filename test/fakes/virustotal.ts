// A FAKE VirusTotal API v3, built from its documented contract (docs.virustotal.com/reference): objects at
// /api/v3/ip_addresses/{ip}, /domains/{domain}, /urls/{id} (unpadded base64url of the URL, or its SHA-256) and
// /files/{md5|sha1|sha256}; the key in the `x-apikey` header; answers `{data: {id, type, attributes}}` with
// `last_analysis_stats`; errors `{error: {code, message}}` — 401 WrongCredentialsError, 404 NotFoundError,
// 429 QuotaExceededError. Nothing here is real VirusTotal data.
import type { IncomingMessage } from 'node:http';
import { serve, sendJson } from './http.js';

export interface FakeReport {
  malicious?: number;
  suspicious?: number;
  reputation?: number;
  asn?: number;
  asOwner?: string;
  country?: string;
}

export interface FakeVirusTotal {
  url: string;
  /** Every request, in arrival order. */
  calls: { kind: string; id: string; key: string | undefined }[];
  /** When each of `calls` arrived (epoch ms), in the same order. */
  times: number[];
  /** Keys that are accepted. */
  keys: Set<string>;
  /** Known objects by id (IP, domain, URL id, hash); others are 404. */
  reports: Map<string, FakeReport>;
  /** While true, every request gets 429 QuotaExceededError. */
  exhausted: boolean;
  /** Requests for these ids are held until release(id). */
  hold: Set<string>;
  release(id: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { ip_addresses: 'ip_address', domains: 'domain', urls: 'url', files: 'file' };

export async function startFakeVirusTotal(keys: string[] = ['vt-key']): Promise<FakeVirusTotal> {
  const waiting = new Map<string, (() => void)[]>();
  const fake: Omit<FakeVirusTotal, 'url' | 'close'> = {
    calls: [],
    times: [],
    keys: new Set(keys),
    reports: new Map(),
    exhausted: false,
    hold: new Set(),
    release(id: string) {
      fake.hold.delete(id);
      for (const go of waiting.get(id) ?? []) go();
      waiting.delete(id);
    },
  };
  const server = await serve(async (req: IncomingMessage, res) => {
    const m = /^\/api\/v3\/(ip_addresses|domains|urls|files)\/([^/?]+)$/.exec(req.url ?? '');
    const key = req.headers['x-apikey'] as string | undefined;
    if (!m) return sendJson(res, 404, { error: { code: 'NotFoundError', message: `Resource not found.` } });
    const [, collection, rawId] = m as unknown as [string, string, string];
    const id = decodeURIComponent(rawId);
    fake.calls.push({ kind: collection, id, key });
    fake.times.push(Date.now());
    if (fake.hold.has(id)) await new Promise<void>((go) => waiting.set(id, [...(waiting.get(id) ?? []), go]));
    if (!key || !fake.keys.has(key)) return sendJson(res, 401, { error: { code: 'WrongCredentialsError', message: 'Wrong API key' } });
    if (fake.exhausted) return sendJson(res, 429, { error: { code: 'QuotaExceededError', message: 'Quota exceeded' } });
    const r = fake.reports.get(id);
    if (!r) return sendJson(res, 404, { error: { code: 'NotFoundError', message: `${TYPES[collection]} "${id}" not found` } });
    const malicious = r.malicious ?? 0;
    const suspicious = r.suspicious ?? 0;
    sendJson(res, 200, {
      data: {
        // A URL object's id is the SHA-256 of the URL; the fake uses a fixed stand-in.
        id: collection === 'urls' ? 'f'.repeat(64) : id,
        type: TYPES[collection],
        links: { self: `https://www.virustotal.com/api/v3/${collection}/${rawId}` },
        attributes: {
          last_analysis_stats: { harmless: 60 - malicious - suspicious, malicious, suspicious, undetected: 30, timeout: 0 },
          reputation: r.reputation ?? 0,
          ...(collection === 'ip_addresses' ? { asn: r.asn ?? 64500, as_owner: r.asOwner ?? 'Example Hosting (synthetic)', country: r.country ?? 'NL', network: `${id}/24` } : {}),
          last_analysis_date: 1_763_700_000,
        },
      },
    });
  });
  return Object.assign(fake, { url: server.url, close: server.close }) as FakeVirusTotal;
}
