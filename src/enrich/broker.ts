// The enrichment broker: lookups are queued (stored) when an incident opens and made later, off the
// critical path — cache first, then within each provider's quota, highest severity first. The same indicator
// queued by many incidents costs one call: its answer settles every lookup waiting for it.
import { systemClock, type Clock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { LEVELS, indicatorKey, type Incident, type Indicator, type IndicatorKind } from '../model/index.js';
import type { Database } from '../store/schema.js';
import { Poller } from '../poller.js';
import { answerColumns, EnrichmentCache, type Cached } from './cache.js';
import { ProviderError, type LookupResult, type Provider } from './provider.js';
import { QuotaLedger, quotaWaitText, type QuotaWait } from './quota.js';
import type { AddressPolicy } from './ranges.js';
import { claimLookups, dueLookups, heldBefore, openLookups, pendingDueBy, postponeLookups, queueLookup, settleLookups, stillPending, updateLookup, waitingIncidents } from './lookups.js';
import { EventBus } from '../events.js';

/** The counters the broker keeps (prom-client counters in production). */
export interface EnrichMetrics {
  calls: { inc(labels: { provider: string; outcome: string }): void };
  cacheHits: { inc(labels: { provider: string }): void };
  quotaWaits: { inc(labels: { provider: string }): void };
  failures: { inc(labels: { provider: string; reason: string }): void };
}

export interface BrokerOptions {
  /** Longest one lookup may take. */
  timeout: number;
  /** Attempts before a failing lookup is given up. */
  maxAttempts: number;
  policy: AddressPolicy;
  pollMs?: number;
  /** The time: injectable so tests can walk through minutes and days without waiting. */
  clock?: Clock;
  metrics?: EnrichMetrics;
  /** Where the broker says that answers arrived and that incidents have nothing pending. */
  events?: EventBus;
  /**
   * How long a new incident's notification waits for its lookups (the enrichment deadline). A lookup postponed
   * past that (quota spent, provider in back-off) no longer holds it: the incident counts as settled.
   */
  holdFor?: number;
}

const RETRY_BASE = 30_000;
const BATCH = 500;
const PRUNE_EVERY = 600_000;

export class EnrichmentBroker {
  readonly cache: EnrichmentCache;
  readonly quota: QuotaLedger;
  private readonly providers: Map<string, Provider>;
  private readonly clock: Clock;
  private readonly poller: Poller;
  private lastPrune = 0;
  private readonly events: EventBus;

  constructor(
    private readonly db: Kysely<Database>,
    providers: Provider[],
    private readonly log: Logger,
    private readonly options: BrokerOptions,
  ) {
    this.providers = new Map(providers.map((p) => [p.name, p]));
    this.cache = new EnrichmentCache(db);
    this.quota = new QuotaLedger(db);
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? new EventBus();
    this.poller = new Poller(() => this.runDue(), { every: options.pollMs ?? 1000, onError: (err) => log.error({ err }, 'enrichment pass failed') });
  }

  get providerNames(): string[] {
    return [...this.providers.keys()];
  }

  /** True when the indicator may be given to the provider: internal addresses never leave. */
  allowed(p: Provider, i: Indicator): boolean {
    if (!p.supports(i)) return false;
    return !(p.external && i.kind === 'ip' && !this.options.policy.mayLeave(i.value));
  }

  /**
   * Queues the lookups of a new incident inside the caller's transaction; answers already cached are attached
   * at once. Returns how many lookups are pending (0: the notification need not wait).
   */
  async plan(trx: Kysely<Database>, incident: Incident, indicators: Indicator[], now = this.clock(), deadline = Infinity): Promise<number> {
    let pending = 0;
    const priority = LEVELS.indexOf(incident.level);
    // Per provider: lookups queued before this incident's, and whether one more could still run by the deadline.
    const ahead = new Map<string, number>();
    for (const i of indicators) {
      for (const p of this.providers.values()) {
        if (!this.allowed(p, i)) continue;
        let cached = await this.cache.get(p, i, now, trx);
        if (cached) this.options.metrics?.cacheHits.inc({ provider: p.name });
        else if (p.immediate) cached = await this.answerNow(trx, p, i, now);
        // One that must wait for quota is queued waiting, with why and until when: its first notification,
        // which does not wait for it, says so (the broker's next pass would have said it too late for that).
        const wait = cached ? undefined : await this.waitBeyond(trx, p, now, deadline, ahead);
        if (!cached && !wait) pending++;
        await queueLookup(trx, {
          incident_id: incident.id,
          provider: p.name,
          kind: i.kind,
          value: i.value,
          priority,
          state: cached ? 'done' : 'pending',
          attempts: 0,
          next_attempt_at: wait ? wait.until : now,
          ...(wait ? { error: quotaWaitText(wait.why, wait.until) } : {}),
          ...(cached ? answerColumns(cached, cached.fetchedAt) : {}),
          created_at: now,
          updated_at: now,
        });
      }
    }
    return pending;
  }

  /**
   * A local provider's answer, looked up inside the planning transaction. A failure leaves the lookup pending:
   * the enrichment pass tries it again and records the failure with its reason.
   */
  private async answerNow(trx: Kysely<Database>, p: Provider, i: Indicator, now: number): Promise<Cached | undefined> {
    try {
      const result = await p.lookup(i, AbortSignal.timeout(this.options.timeout));
      this.options.metrics?.calls.inc({ provider: p.name, outcome: 'answered' });
      await this.cache.put(p, i, result, now, trx);
      return { ...result, fetchedAt: now };
    } catch {
      return undefined;
    }
  }

  /**
   * Must a new lookup of this provider wait past the deadline? So when its quota is known to be spent or it is in
   * back-off for longer (counting the lookups queued before it): the notification then goes without waiting,
   * and the lookup still runs later, its answer following as an update. Undefined: it can run by the deadline.
   */
  private async waitBeyond(trx: Kysely<Database>, p: Provider, now: number, deadline: number, ahead: Map<string, number>): Promise<{ until: number; why: QuotaWait } | undefined> {
    if (!p.quota || deadline === Infinity) return undefined;
    let queued = ahead.get(p.name);
    if (queued === undefined) {
      const cap = Math.max(1, p.quota.perMinute || 0, Math.min(p.quota.perDay || 0, 1000));
      queued = await pendingDueBy(trx, p.name, now + deadline, cap);
    }
    const { at, why } = await this.quota.availableAt(p.name, p.quota, now, queued, trx);
    ahead.set(p.name, queued + 1);
    return at <= now + deadline || !why ? undefined : { until: at, why };
  }

  start(): void {
    this.poller.start();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    for (const p of this.providers.values()) await p.close?.();
  }

  /** Runs due lookups now instead of at the next poll. */
  wake(): void {
    this.poller.wake();
  }

  /** Makes every lookup due now that the quotas allow; returns how many indicators were settled. */
  async runDue(now = this.clock()): Promise<number> {
    if (now - this.lastPrune > PRUNE_EVERY) {
      this.lastPrune = now;
      await this.cache.prune(now);
    }
    const rows = await dueLookups(this.db, now, this.options.maxAttempts, BATCH);
    if (rows.length === 0) return 0;
    // Per provider, distinct indicators in priority order.
    const work = new Map<string, Map<string, Indicator>>();
    for (const r of rows) {
      const list = work.get(r.provider) ?? new Map<string, Indicator>();
      list.set(indicatorKey(r), { kind: r.kind as IndicatorKind, value: r.value });
      work.set(r.provider, list);
    }
    const touched = new Set<string>();
    // Incidents whose lookups were postponed: one postponed past its hold no longer keeps the notification waiting.
    const postponed = new Set<string>();
    let settled = 0;
    // Providers run side by side, so a slow one never holds up another; each one's lookups run in order.
    await Promise.all(
      [...work].map(async ([name, indicators]) => {
        const p = this.providers.get(name);
        for (const i of indicators.values()) {
          const outcome = p ? await this.lookupOne(p, i, now, touched, postponed) : await this.fail(name, i, 'provider is not configured', now, touched, true);
          if (outcome === 'wait') break;
          settled++;
        }
      }),
    );
    if (touched.size > 0) await this.afterAnswers([...touched]);
    const check = [...postponed].filter((id) => !touched.has(id));
    if (check.length > 0) await this.announceSettled(check);
    return settled;
  }

  private async lookupOne(p: Provider, i: Indicator, now: number, touched: Set<string>, postponed: Set<string>): Promise<'settled' | 'wait'> {
    const m = this.options.metrics;
    const cached = await this.cache.get(p, i, now);
    if (cached) {
      m?.cacheHits.inc({ provider: p.name });
      await this.settle(p.name, i, cached, cached.fetchedAt, touched);
      return 'settled';
    }
    // The claim and the quota's token in one commit (one wait for the disk before the call, not two).
    const d = await this.db.transaction().execute(async (trx) => {
      // Another node sharing the store is making this lookup right now: its answer settles these rows too.
      if (!(await claimLookups(trx, p.name, i, now, now + 2 * this.options.timeout))) return 'claimed elsewhere';
      return p.quota ? this.quota.take(p.name, p.quota, now, trx) : undefined;
    });
    if (d === 'claimed elsewhere') return 'settled';
    if (d && !d.ok) {
      m?.quotaWaits.inc({ provider: p.name });
      await this.postpone(p.name, d.until, postponed, quotaWaitText(d.why, d.until));
      this.log.debug({ provider: p.name, until: new Date(d.until).toISOString(), why: d.why }, 'lookups wait for quota');
      return 'wait';
    }
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.options.timeout);
    try {
      const result = await p.lookup(i, ac.signal);
      m?.calls.inc({ provider: p.name, outcome: 'answered' });
      if (p.quota) await this.quota.answered(p.name, now);
      // The cached answer and the lookups it settles in one commit: one wait for the disk before the held
      // notifications may go, not one per statement.
      await this.db.transaction().execute(async (trx) => {
        await this.cache.put(p, i, result, now, trx);
        await this.settle(p.name, i, result, now, touched, trx);
      });
      return 'settled';
    } catch (err) {
      const e = err instanceof ProviderError ? err : new ProviderError((err as Error).message ?? String(err), ac.signal.aborted ? 'timeout' : 'failed');
      m?.calls.inc({ provider: p.name, outcome: e.kind === 'quota' ? 'refused' : 'failed' });
      m?.failures.inc({ provider: p.name, reason: e.kind });
      if (e.kind === 'quota') {
        const until = await this.quota.refused(p.name, now, e.retryAfterMs);
        await this.postpone(p.name, until, postponed, quotaWaitText('refused', until));
        this.log.warn({ provider: p.name, until: new Date(until).toISOString(), err: e.message }, 'provider refused for quota; lookups wait');
        return 'wait';
      }
      this.log.warn({ provider: p.name, indicator: i, err: e.message }, 'lookup failed');
      await this.fail(p.name, i, e.message, now, touched, false);
      return 'settled';
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lookups of a provider that must wait for quota become due again when it allows. */
  private async postpone(provider: string, until: number, postponed: Set<string>, why: string): Promise<void> {
    for (const id of await heldBefore(this.db, provider, until)) postponed.add(id);
    await postponeLookups(this.db, provider, until, why);
  }

  /** One answer settles every lookup of the indicator, for every incident waiting on it. */
  private async settle(provider: string, i: Indicator, r: LookupResult, fetchedAt: number, touched: Set<string>, db: Kysely<Database> = this.db): Promise<void> {
    for (const id of await waitingIncidents(db, provider, i)) touched.add(id);
    await settleLookups(db, provider, i, { state: 'done', error: null, updated_at: this.clock(), ...answerColumns(r, fetchedAt) });
  }

  /** A failure is recorded as one, with its reason: it is never shown as a clean result. */
  private async fail(provider: string, i: Indicator, error: string, now: number, touched: Set<string>, final: boolean): Promise<'settled'> {
    for (const id of await waitingIncidents(this.db, provider, i)) touched.add(id);
    for (const r of await openLookups(this.db, provider, i)) {
      const attempts = final ? this.options.maxAttempts : r.attempts + 1;
      await updateLookup(this.db, r.id, { state: 'failed', attempts, error: error.slice(0, 500), next_attempt_at: now + RETRY_BASE * 2 ** (attempts - 1), claimed_until: null, updated_at: this.clock() });
    }
    return 'settled';
  }

  /**
   * Verdicts first (a raised level is in the first message), then the release of the notifications that need wait
   * no more, then the rest (summaries): what the mail needs comes before what it does not.
   */
  private async afterAnswers(incidentIds: string[]): Promise<void> {
    try {
      await this.events.emitAndWait('lookupsAnswered', incidentIds);
    } catch (err) {
      this.log.error({ err }, 'applying enrichment verdicts failed');
    }
    await this.announceSettled(incidentIds);
    try {
      await this.events.emitAndWait('answersRecorded', incidentIds);
    } catch (err) {
      this.log.error({ err }, 'rewriting summaries after enrichment failed');
    }
  }

  /**
   * Says which of these incidents have no lookup left that could still answer while their notification waits:
   * none pending, or only ones postponed past the hold (their answers follow as updates).
   */
  private async announceSettled(incidentIds: string[]): Promise<void> {
    const pending = await stillPending(this.db, incidentIds, this.options.holdFor);
    const settled = incidentIds.filter((id) => !pending.has(id));
    if (settled.length > 0) this.events.emit('lookupsSettled', settled);
  }
}
