// A FAKE AbuseIPDB API v2 `check` endpoint, built from its documented contract (docs.abuseipdb.com):
// GET /api/v2/check?ipAddress=…&maxAgeInDays=…, the key in the `Key` header, `Accept: application/json`;
// answers `{data: {ipAddress, abuseConfidenceScore, totalReports, isp, usageType, isTor, countryCode, …}}`;
// errors `{errors: [{detail, status}]}` — 401 bad key, 422 bad address, 429 daily limit with Retry-After.
// Nothing here is real AbuseIPDB data.
import { serve, sendJson } from './http.js';

export interface FakeAbuse {
  score: number;
  reports?: number;
  isTor?: boolean;
}

export interface FakeAbuseIpDb {
  url: string;
  calls: { ip: string | null; maxAgeInDays: string | null; key: string | undefined }[];
  keys: Set<string>;
  scores: Map<string, FakeAbuse>;
  /** When set, every request gets 429 with this Retry-After (seconds). */
  exhaustedFor?: number;
  close(): Promise<void>;
}

export async function startFakeAbuseIpDb(keys: string[] = ['abuse-key']): Promise<FakeAbuseIpDb> {
  const fake: Omit<FakeAbuseIpDb, 'url' | 'close'> = { calls: [], keys: new Set(keys), scores: new Map() };
  const server = await serve((req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    if (u.pathname !== '/api/v2/check') return sendJson(res, 404, { errors: [{ detail: 'Not found.', status: 404 }] });
    const key = req.headers['key'] as string | undefined;
    const ip = u.searchParams.get('ipAddress');
    fake.calls.push({ ip, maxAgeInDays: u.searchParams.get('maxAgeInDays'), key });
    if (!key || !fake.keys.has(key)) {
      return sendJson(res, 401, {
        errors: [{ detail: 'Authentication failed. Your API key is either missing, incorrect, or revoked. Note: The APIv2 key differs from the APIv1 key.', status: 401 }],
      });
    }
    if (fake.exhaustedFor !== undefined) {
      return sendJson(
        res,
        429,
        { errors: [{ detail: 'Daily rate limit of 1000 requests exceeded for this endpoint. See headers for additional details.', status: 429 }] },
        { 'Retry-After': String(fake.exhaustedFor), 'X-RateLimit-Limit': '1000', 'X-RateLimit-Remaining': '0' },
      );
    }
    if (!ip || !/^[0-9a-fA-F:.]+$/.test(ip)) {
      return sendJson(res, 422, { errors: [{ detail: 'The ip address must be a valid IPv4 or IPv6 address (e.g. 8.8.8.8 or 2001:4860:4860::8888).', source: { parameter: 'ipAddress' }, status: 422 }] });
    }
    const s = fake.scores.get(ip) ?? { score: 0, reports: 0 };
    sendJson(res, 200, {
      data: {
        ipAddress: ip,
        isPublic: true,
        ipVersion: ip.includes(':') ? 6 : 4,
        isWhitelisted: false,
        abuseConfidenceScore: s.score,
        countryCode: 'NL',
        usageType: 'Data Center/Web Hosting/Transit',
        isp: 'Example Hosting (synthetic)',
        domain: 'example.net',
        hostnames: [],
        isTor: s.isTor ?? false,
        totalReports: s.reports ?? (s.score > 0 ? 12 : 0),
        numDistinctUsers: s.score > 0 ? 5 : 0,
        lastReportedAt: s.score > 0 ? '2026-11-20T10:00:00+00:00' : null,
      },
    });
  });
  return Object.assign(fake, { url: server.url, close: server.close }) as FakeAbuseIpDb;
}
