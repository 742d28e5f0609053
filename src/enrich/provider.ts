// One interface for every enrichment provider. Adding a provider means one file implementing it, plus its test.
import { VigilError } from '../errors.js';
import { createHash } from 'node:crypto';
import type { EnrichmentLookup, Indicator } from '../model/index.js';

export type Verdict = NonNullable<EnrichmentLookup['verdict']>;

/** What a provider answered about one indicator. `found: false` is an answer too ("no record"), and is cached. */
export interface LookupResult {
  found: boolean;
  verdict: Verdict;
  /** One line for people. */
  summary: string;
  link?: string;
  data: Record<string, unknown>;
}

/** Why a lookup did not answer. `quota`: the provider refused for rate or quota (the lookup waits, it is not an attempt). */
export type FailureKind = 'quota' | 'auth' | 'timeout' | 'failed';

export class ProviderError extends VigilError {
  constructor(
    message: string,
    readonly kind: FailureKind,
    /** From a Retry-After header, when the provider sent one. */
    readonly retryAfterMs?: number,
  ) {
    super('provider', message);
  }
}

export interface Quota {
  /** Most calls in any rolling minute; 0: none. */
  perMinute: number;
  /** Most calls per UTC day; 0: none. */
  perDay: number;
}

export interface Provider {
  /** Stable id, used in the store and metrics: `virustotal`, `abuseipdb`, `geoip`, `wazuh-agent`, `reverse-dns`. */
  readonly name: string;
  /** True when indicators leave the organisation: private and internal addresses are then never sent. */
  readonly external: boolean;
  /** Calls are rationed when set. */
  readonly quota?: Quota;
  /**
   * Answers from this machine at once (a local database file): looked up while a new incident is planned, so
   * its answer is in the first notification and never makes one wait for an enrichment pass.
   */
  readonly immediate?: boolean;
  /** Part of every cache key: answers fetched with another API key are not reused. '' when keyless. */
  readonly keyFingerprint: string;
  supports(indicator: Indicator): boolean;
  /** How long this answer may be reused. */
  ttl(result: LookupResult): number;
  /** Throws ProviderError when there is no answer; never returns a clean verdict for a failure. */
  lookup(indicator: Indicator, signal: AbortSignal): Promise<LookupResult>;
  close?(): Promise<void>;
}

/** A short digest of an API key: enough to tell keys apart, useless to anyone who reads the store. */
export function fingerprint(secret: string): string {
  return secret ? createHash('sha256').update(secret).digest('hex').slice(0, 16) : '';
}

/** What every keyed external provider shares: it leaves the machine, spends a quota, and is cached per key. */
export abstract class KeyedProvider {
  readonly external = true;
  readonly quota: Quota;
  readonly keyFingerprint: string;

  constructor(config: { apiKey: string; quota: Quota }) {
    this.quota = config.quota;
    this.keyFingerprint = fingerprint(config.apiKey);
  }
}

/** Per-verdict lifetimes, as configured. */
export interface VerdictTtl {
  malicious: number;
  suspicious: number;
  harmless: number;
  unknown: number;
  notFound: number;
}

export function ttlFor(ttl: VerdictTtl, r: LookupResult): number {
  return r.found ? ttl[r.verdict] : ttl.notFound;
}
