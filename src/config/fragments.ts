// Schema fragments shared by config sections: durations, URLs, addresses, quotas, cache lifetimes, and the
// "required when enabled" rule. Sections import these instead of writing the same literals again.
import { isIP } from 'node:net';
import { z } from 'zod';

export const duration = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 5m, 2h or 1d')])
  .transform((v) => (typeof v === 'number' ? v * 1000 : parseDuration(v)));

export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const httpsUrl = z.string().regex(/^https?:\/\//, 'an http(s) URL');
export const optionalUrl = z.union([httpsUrl, z.literal('')]).default('');

export const hostPort = z.string().regex(/^$|^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'HOST:PORT, e.g. 0.0.0.0:5514, or empty for off');

export const cidr = z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'a CIDR range such as 10.20.0.0/16 or fd00::/8');

export const addressOrCidr = z.string().refine((v) => isCidrOrAddress(v), 'an IP address or CIDR such as 203.0.113.0/24');

export function isCidrOrAddress(v: string): boolean {
  const [addr, bits, ...rest] = v.split('/');
  if (rest.length > 0 || !addr || isIP(addr) === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (isIP(addr) === 4 ? 32 : 128);
}

/** A TLS client of a Wazuh component (server API, indexer): where, as whom, which CA to trust, how long to wait. */
export const connectionShape = (d: { url: string; user: string; timeout: number }) => ({
  url: z.string().default(d.url),
  user: z.string().default(d.user),
  /** Write ${NAME} for an environment variable; never the password itself. */
  password: z.string().default(''),
  /** PEM file of the CA that signed the server's certificate (Wazuh generates its own). */
  caFile: z.string().default(''),
  /** Check the server's TLS certificate. Turn off only in a lab. */
  verifyTls: z.boolean().default(true),
  /** Per-request timeout. */
  timeout: duration.default(d.timeout),
});

export const names = z.array(z.string().min(1)).default([]);

/** How long a result is reused, by verdict; `notFound`: the provider knows nothing of the indicator. */
export const ttlSchema = (d: { malicious: number; suspicious: number; harmless: number; unknown: number; notFound: number }) =>
  z
    .object({
      malicious: duration.default(d.malicious),
      suspicious: duration.default(d.suspicious),
      harmless: duration.default(d.harmless),
      unknown: duration.default(d.unknown),
      notFound: duration.default(d.notFound),
    })
    .strict()
    .default(d);

export const quotaSchema = (perMinute: number, perDay: number) =>
  z
    .object({
      /** Most calls in any rolling minute; 0: no per-minute limit. */
      perMinute: z.number().int().nonnegative().default(perMinute),
      /** Most calls per UTC day; 0: no daily limit. */
      perDay: z.number().int().nonnegative().default(perDay),
    })
    .strict()
    .default({ perMinute, perDay });

/**
 * "Required when enabled", in the schema: when `enabled` is true and `missing` says what is absent, the issue is
 * put on `key`, so the config loader names file, line and key (`v.yaml:12: channels.jira.url: …`).
 */
export function whenEnabled<T extends { enabled: boolean }>(key: keyof T & string, message: string, missing: (c: T) => boolean) {
  return (c: T, ctx: z.RefinementCtx) => {
    if (c.enabled && missing(c)) ctx.addIssue({ code: 'custom', path: [key], message });
  };
}

export type TtlConfig = z.output<ReturnType<typeof ttlSchema>>;
