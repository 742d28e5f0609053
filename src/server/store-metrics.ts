// Metrics read from the store when /metrics is scraped: outbox depth and failures, shadow counts, provider
// quota use, and the event-to-notification latency of every delivery since the previous scrape.
import { systemClock, type Clock } from '../clock.js';
import type { Kysely } from 'kysely';
import { receivedAtOf } from '../store/alerts.js';
import type { Database } from '../store/schema.js';
import type { Metrics } from '../metrics.js';
import { deliveredSince, outboxDepth } from '../act/outbox.js';
import type { Notification } from '../act/notification.js';
import { isResponsePayload } from '../act/payload.js';
import { eventIdsOfDetection } from '../triage/detections.js';
import { quotaUse } from '../enrich/quota.js';
import { shadowCounts } from '../store/rule-modes.js';

export interface StoreMetricsSource {
  db: Kysely<Database>;
  /** Alerts recorded but not yet processed. */
  lag(): number;
}

export function storeMetrics(metrics: Metrics, src: StoreMetricsSource, clock: Clock = systemClock): () => Promise<void> {
  let since = clock();
  return async () => {
    const { db } = src;
    metrics.pipelineLag.set(src.lag());
    metrics.queueDepth.reset();
    metrics.deliveryFailures.reset();
    for (const s of await outboxDepth(db)) {
      if (s.state !== 'delivered') metrics.queueDepth.set({ channel: s.channel, state: s.state }, s.n);
      if (s.state === 'failed' || s.state === 'dead') metrics.deliveryFailures.set({ channel: s.channel, state: s.state }, s.n);
    }
    for (const r of await shadowCounts(db)) metrics.shadowHits.set({ rule: r.ruleId }, r.hits);

    for (const q of await quotaUse(db, clock())) {
      metrics.providerQuota.set({ provider: q.provider, period: 'minute' }, q.minute);
      metrics.providerQuota.set({ provider: q.provider, period: 'day' }, q.day);
    }

    for (const d of await deliveredSince(db, since)) {
      const at = d.deliveredAt;
      since = Math.max(since, at);
      const arrived = isResponsePayload(d.payload) ? null : await arrivalOf(db, d.payload);
      if (arrived !== null) metrics.notificationLatency.observe({ channel: d.channel }, Math.max(0, at - arrived) / 1000);
    }
  };
}

/**
 * When the event that completed the notification's detection was recorded — for the first notification of a
 * detection only (the incident opened or reopened): a resolve, an escalation or a summary update comes later
 * by design and would say nothing about how fast Vigil tells people of an attack.
 */
async function arrivalOf(db: Kysely<Database>, n: Notification): Promise<number | null> {
  if (n.kind !== 'incident.opened' || (n.change !== undefined && n.change !== 'opened' && n.change !== 'reopened')) return null;
  const detectionId = n.detection?.id;
  if (!detectionId) return null;
  // The completing event (a detection's events grow as it absorbs more; the first of them otherwise).
  const last = n.detection.completedBy ?? (await eventIdsOfDetection(db, detectionId))[0];
  if (!last) return null;
  return receivedAtOf(db, last);
}
