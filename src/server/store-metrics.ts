// Metrics read from the store when /metrics is scraped: outbox depth and failures, shadow counts, provider
// quota use, and the event-to-notification latency of every delivery since the previous scrape.
import type { Kysely } from 'kysely';
import { receivedAtOf } from '../store/alerts.js';
import type { Database } from '../store/schema.js';
import type { Metrics } from '../metrics.js';

export interface StoreMetricsSource {
  db: Kysely<Database>;
  /** Alerts recorded but not yet processed. */
  lag(): number;
}

export function storeMetrics(metrics: Metrics, src: StoreMetricsSource, startedAt = Date.now()): () => Promise<void> {
  let deliveredSince = startedAt;
  return async () => {
    const { db } = src;
    metrics.pipelineLag.set(src.lag());
    metrics.queueDepth.reset();
    metrics.deliveryFailures.reset();
    const states = await db
      .selectFrom('outbox')
      .select(['channel', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['channel', 'state'])
      .execute();
    for (const s of states) {
      if (s.state !== 'delivered') metrics.queueDepth.set({ channel: s.channel, state: s.state }, Number(s.n));
      if (s.state === 'failed' || s.state === 'dead') metrics.deliveryFailures.set({ channel: s.channel, state: s.state }, Number(s.n));
    }
    for (const r of await db.selectFrom('rule_modes').select(['rule_id', 'shadow_hits']).where('mode', '=', 'shadow').execute())
      metrics.shadowHits.set({ rule: r.rule_id }, Number(r.shadow_hits));

    const now = Date.now();
    const today = new Date(now).toISOString().slice(0, 10);
    for (const q of await db.selectFrom('enrich_quota').select(['provider', 'minute_json', 'day', 'day_used']).execute()) {
      const minute = (JSON.parse(q.minute_json) as number[]).filter((t) => t > now - 60_000).length;
      metrics.providerQuota.set({ provider: q.provider, period: 'minute' }, minute);
      metrics.providerQuota.set({ provider: q.provider, period: 'day' }, q.day === today ? Number(q.day_used) : 0);
    }

    const delivered = await db
      .selectFrom('outbox')
      .select(['channel', 'payload_json', 'delivered_at'])
      .where('state', '=', 'delivered')
      .where('delivered_at', '>', deliveredSince)
      .orderBy('delivered_at')
      .limit(1000)
      .execute();
    for (const d of delivered) {
      const at = Number(d.delivered_at);
      deliveredSince = Math.max(deliveredSince, at);
      const arrived = await arrivalOf(db, d.payload_json);
      if (arrived !== null) metrics.notificationLatency.observe({ channel: d.channel }, Math.max(0, at - arrived) / 1000);
    }
  };
}

/** When the event that completed the notification's detection was recorded. */
async function arrivalOf(db: Kysely<Database>, payloadJson: string): Promise<number | null> {
  const detectionId = (JSON.parse(payloadJson) as { detection?: { id?: string } }).detection?.id;
  if (!detectionId) return null;
  const det = await db.selectFrom('detections').select('event_ids_json').where('id', '=', detectionId).executeTakeFirst();
  const ids = det ? (JSON.parse(det.event_ids_json) as string[]) : [];
  const last = ids[ids.length - 1];
  if (!last) return null;
  return receivedAtOf(db, last);
}
