// Prometheus metrics (GET /metrics).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    ingested: new Counter({ name: 'vigil_alerts_ingested_total', help: 'Alerts recorded, by source', labelNames: ['source'], registers: [registry] }),
    rejected: new Counter({ name: 'vigil_alerts_rejected_total', help: 'Alert bodies rejected as invalid, by source', labelNames: ['source'], registers: [registry] }),
    detections: new Counter({ name: 'vigil_detections_total', help: 'Detections, by rule', labelNames: ['rule'], registers: [registry] }),
    correlationGroups: new Gauge({ name: 'vigil_correlation_groups', help: 'Correlation groups held in memory', registers: [registry] }),
    correlationEvictions: new Gauge({ name: 'vigil_correlation_evictions_total', help: 'Correlation groups evicted because of the cap', registers: [registry] }),
    pipelineLag: new Gauge({ name: 'vigil_pipeline_lag_alerts', help: 'Alerts recorded but not yet processed', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
