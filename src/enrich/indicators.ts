// The indicators of a new incident worth looking up: source addresses, the host, FIM file hashes and URLs.
// Values are normalised so the same indicator always has the same cache key.
import { indicatorKey, type Detection, type Indicator } from '../model/index.js';
import { isAddress } from './ranges.js';
import { alertView } from '../model/wcs.js';

/** Most indicators looked up per incident: a detection with hundreds of addresses must not drain a quota. */
export const MAX_INDICATORS = 20;

const HASH = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' && v !== '-' ? v.trim() : undefined;
}

export function normalise(i: Indicator): Indicator | undefined {
  const v = i.value.trim();
  switch (i.kind) {
    case 'ip':
      return isAddress(v) ? { kind: 'ip', value: v.toLowerCase() } : undefined;
    case 'hash':
      return HASH.test(v.toLowerCase()) ? { kind: 'hash', value: v.toLowerCase() } : undefined;
    case 'domain':
      return /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(v) ? { kind: 'domain', value: v.toLowerCase().replace(/\.$/, '') } : undefined;
    case 'url':
      return /^https?:\/\//i.test(v) ? { kind: 'url', value: v } : undefined;
    default:
      return v ? { kind: i.kind, value: v } : undefined;
  }
}

/** Indicators from a detection's events, plus the addresses and hosts already picked out for the notification. */
export function indicatorsOf(d: Detection, known: { sourceIps?: string[]; hosts?: string[] } = {}): Indicator[] {
  const found: Indicator[] = [];
  for (const ip of known.sourceIps ?? []) found.push({ kind: 'ip', value: ip });
  for (const host of known.hosts ?? []) found.push({ kind: 'host', value: host });
  for (const e of d.events) {
    const data = alertView(e) as any;
    const sc = data?.syscheck;
    // One file, one lookup: the strongest hash Wazuh recorded stands for the file.
    const hash = str(sc?.sha256_after) ?? str(sc?.sha1_after) ?? str(sc?.md5_after);
    if (hash) found.push({ kind: 'hash', value: hash });
    const url = str(data?.data?.url);
    if (url && /^https?:\/\//i.test(url)) found.push({ kind: 'url', value: url });
    const ip = str(data?.data?.srcip);
    if (ip) found.push({ kind: 'ip', value: ip });
  }
  const seen = new Set<string>();
  const out: Indicator[] = [];
  for (const raw of found) {
    const i = normalise(raw);
    if (!i) continue;
    const key = indicatorKey(i);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(i);
    if (out.length >= MAX_INDICATORS) break;
  }
  return out;
}
