// Prometheus metrics (GET /metrics): the ground floor every stage counts into, so no stage imports the server.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The children of a counter with one label, kept per value: `inc({ label })` hashes the labels again on every
 * call, which for a counter bumped per detection cost about as much as the rest of counting it. The values are
 * bounded by what labels them (the loaded rules).
 */
export function perLabel(counter: Counter<string>, label: string): (value: string) => { inc(n?: number): void } {
  const children = new Map<string, { inc(n?: number): void }>();
  return (value) => {
    let child = children.get(value);
    if (!child) children.set(value, (child = counter.labels({ [label]: value })));
    return child;
  };
}

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client also exports these three gauges under a `_total` name, which scrapers and `promtool check metrics`
  // read as counters; the same values stay exported as nodejs_active_handles, _requests and _resources.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  return {
    registry,
    ingested: new Counter({ name: 'vigil_alerts_ingested_total', help: 'Alerts recorded, by source', labelNames: ['source'], registers: [registry] }),
    ingestDuplicates: new Counter({ name: 'vigil_alerts_duplicate_total', help: 'Alerts a source handed in that were already recorded (or, in cluster mode, already in the stream) and were dropped, by source', labelNames: ['source'], registers: [registry] }),
    rejected: new Counter({ name: 'vigil_alerts_rejected_total', help: 'Alert bodies rejected as invalid, by source', labelNames: ['source'], registers: [registry] }),
    detections: new Counter({ name: 'vigil_detections_total', help: 'Detections, by rule', labelNames: ['rule'], registers: [registry] }),
    correlationGroups: new Gauge({ name: 'vigil_correlation_groups', help: 'Correlation groups held in memory', registers: [registry] }),
    correlationEvictions: new Counter({ name: 'vigil_correlation_evictions_total', help: 'Correlation groups evicted because of the cap', registers: [registry] }),
    correlationSkipped: new Counter({
      name: 'vigil_correlation_skipped_total',
      help: 'Matches not correlated: later than detect.lateness behind their group, or dated beyond detect.maxFuture',
      labelNames: ['reason'],
      registers: [registry],
    }),
    enrichCalls: new Counter({ name: 'vigil_enrich_calls_total', help: 'Calls to enrichment providers, by provider and outcome (answered, refused, failed)', labelNames: ['provider', 'outcome'], registers: [registry] }),
    enrichCacheHits: new Counter({ name: 'vigil_enrich_cache_hits_total', help: 'Lookups answered from the enrichment cache, by provider', labelNames: ['provider'], registers: [registry] }),
    enrichQuotaWaits: new Counter({ name: 'vigil_enrich_quota_waits_total', help: 'Times lookups had to wait for a provider quota, by provider', labelNames: ['provider'], registers: [registry] }),
    enrichFailures: new Counter({ name: 'vigil_enrich_failures_total', help: 'Failed enrichment calls, by provider and reason (quota, auth, timeout, failed)', labelNames: ['provider', 'reason'], registers: [registry] }),
    quarantined: new Counter({ name: 'vigil_alerts_quarantined_total', help: 'Input records set aside as unreadable (kept in ingest_quarantine), by source and reason', labelNames: ['source', 'reason'], registers: [registry] }),
    backpressure: new Counter({ name: 'vigil_ingest_backpressure_total', help: 'Times a source was held back because the pipeline is behind (webhook: 503 answers), by source', labelNames: ['source'], registers: [registry] }),
    storeBytes: new Gauge({ name: 'vigil_store_bytes', help: 'Disk the store uses (SQLite: file and WAL; PostgreSQL: the schema\'s tables), read after each retention pass', registers: [registry] }),
    storeDiskWarning: new Gauge({ name: 'vigil_store_disk_warning', help: 'Whether disk use passed retention.diskWarning of retention.diskCeiling (1) or not (0)', registers: [registry] }),
    retentionDeleted: new Counter({ name: 'vigil_retention_deleted_total', help: 'Rows retention deleted, by table', labelNames: ['table'], registers: [registry] }),
    clusterPartitionsOwned: new Gauge({ name: 'vigil_cluster_partitions_owned', help: 'Cluster mode: correlation partitions this node serves', registers: [registry] }),
    clusterSourceReading: new Gauge({ name: 'vigil_cluster_source_reading', help: 'Cluster mode: 1 while this node holds the lease of a source (alerts file, indexer) and reads it, 0 while it stands by, by lease', labelNames: ['source'], registers: [registry] }),
    clusterPartitionLag: new Gauge({ name: 'vigil_cluster_partition_lag_messages', help: 'Cluster mode: messages of an owned partition not yet handled, by partition', labelNames: ['partition'], registers: [registry] }),
    clusterPartitionRebuild: new Gauge({ name: 'vigil_cluster_partition_rebuild_seconds', help: 'Cluster mode: how long the last rebuild of an owned partition took (replay up to its checkpoint), by partition', labelNames: ['partition'], registers: [registry] }),
    clusterIngestLag: new Gauge({ name: 'vigil_cluster_ingest_lag_alerts', help: 'Cluster mode: alerts in the stream that no node has handled yet', registers: [registry] }),
    clusterAlertsRecorded: new Counter({ name: 'vigil_cluster_alerts_recorded_total', help: 'Cluster mode: alerts this node took from the stream and recorded in the store', registers: [registry] }),
    clusterUnavailable: new Counter({ name: 'vigil_cluster_stream_unavailable_total', help: 'Cluster mode: ingest requests answered 503 because NATS JetStream did not acknowledge, by source', labelNames: ['source'], registers: [registry] }),
    pipelineLag: new Gauge({ name: 'vigil_pipeline_lag_alerts', help: 'Alerts recorded but not yet processed', registers: [registry] }),
    // Read from the store when scraped (see store-metrics.ts).
    queueDepth: new Gauge({ name: 'vigil_outbox_actions', help: 'Actions in the outbox, by channel and state', labelNames: ['channel', 'state'], registers: [registry] }),
    breakerOpen: new Gauge({ name: 'vigil_channel_breaker_open', help: 'Whether a channel\'s circuit breaker holds its actions back (1 open, 0 closed)', labelNames: ['channel'], registers: [registry] }),
    deliveryFailures: new Gauge({
      name: 'vigil_delivery_failures',
      help: 'Actions whose last delivery attempt failed (state failed: will retry; dead: gave up), by channel',
      labelNames: ['channel', 'state'],
      registers: [registry],
    }),
    providerQuota: new Gauge({
      name: 'vigil_provider_quota_used',
      help: 'Calls an enrichment provider quota has spent: period "minute" (rolling) or "day" (UTC), by provider',
      labelNames: ['provider', 'period'],
      registers: [registry],
    }),
    rulesLoaded: new Gauge({ name: 'vigil_rules_loaded', help: 'Rules loaded, by kind (detection, correlation)', labelNames: ['kind'], registers: [registry] }),
    rulesRefused: new Gauge({
      name: 'vigil_rules_refused',
      help: 'Rules of rules.paths refused at load and skipped, by reason (invalid, logsource, field, modifier, correlation, …)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    shadowHits: new Gauge({ name: 'vigil_rule_shadow_hits', help: 'Detections a shadowed rule would have fired, by rule', labelNames: ['rule'], registers: [registry] }),
    notificationLatency: new Histogram({
      name: 'vigil_event_to_notification_seconds',
      help: 'From the arrival of the event that completed a detection to the delivery of its first notification (an incident opened or reopened; updates are not timed)',
      labelNames: ['channel'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
