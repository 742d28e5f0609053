// Assembles a running Vigil from its config: store, rules, pipeline, outbox, server.
import { describeGaps } from './detect/wcs-gaps.js';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildActStage } from './act/assemble.js';
import type { Channel } from './act/channel.js';
import { buildChannels as buildConfiguredChannels } from './act/channels/index.js';
import { OutboxWorker, type OutboxHooks } from './act/outbox.js';
import { incidentPage } from './act/public-url.js';
import { snapshot } from './pipeline/snapshot.js';
import type { ResponseApi } from './act/response/api.js';
import { WazuhApi, wazuhApiOptions } from './wazuh/api.js';
import { Wazuh5ResponseApi } from './wazuh/active-responses.js';
import type { ResponseService } from './act/response/service.js';
import type { Config } from './config/schema.js';
import { refusalCounts, type RuleSet } from './detect/rules.js';
import { WEB_ROOT } from './paths.js';
import { AlertRunner } from './pipeline/alert-runner.js';
import { Handoff } from './pipeline/handoff.js';
import { systemClock, type Clock } from './clock.js';
import type { Pipeline } from './pipeline/pipeline.js';
import { buildPipeline } from './pipeline/build.js';
import { EventBus } from './events.js';
import { EnrichmentBroker } from './enrich/broker.js';
import { buildProviders } from './enrich/providers/index.js';
import { AddressPolicy } from './enrich/ranges.js';
import { EnrichmentStage } from './pipeline/enrichment.js';
import { buildServer } from './server/app.js';
import { Backlog } from './sources/backlog.js';
import { buildSources, type Source } from './sources/index.js';
import { Intake } from './sources/intake.js';
import { ensureFirstAdmin } from './server/auth/users.js';
import { sharedSecret } from './server/auth/secrets.js';
import { createMetrics, perLabel, type Metrics } from './metrics.js';
import { storeMetrics } from './server/store-metrics.js';
import { metricsListener } from './server/metrics-listener.js';
import { openDatabase, type OpenedDb } from './store/db.js';
import { purgeShadowEvidence, RuleModes } from './store/rule-modes.js';
import type { TriageContext } from './triage/context.js';
import { LifecycleScheduler } from './triage/lifecycle.js';
import { RetentionJob } from './retention/job.js';
import { purgeRiskEvents } from './triage/risk.js';
import { LlmSummarizer } from './triage/summary/llm.js';
import { SummaryWorker } from './pipeline/summary.js';
import { LeaderElection, Leases } from './cluster/leases.js';
import { LeasedSource, type SourceState } from './cluster/source-lease.js';
import { newHolderId } from './node-id.js';

/** The lease the periodic jobs (auto-resolve, retention) run under, and how long a holding lasts unrenewed. */
export const JOBS_LEASE = 'jobs';
const JOBS_LEASE_TTL = 15_000;
import { clusterConfigProblem, createNode, FiringReader, openStream, Partitioner, Router, StreamBacklog, type AlertStream, type ClusterNode } from './cluster/index.js';
import { Tuning } from './tuning/service.js';

import { StartupError } from './errors.js';
import { dataDir, loadConfiguredRulesAsync, reportRefusals, ruleLoad } from './detect/configured.js';
export { StartupError } from './errors.js';
export { acceptedFiltersFile, dataDir, loadConfiguredRules, loadConfiguredRulesAsync, reportRefusals, ruleLoad, rulePaths, type RuleLoad } from './detect/configured.js';

export function buildChannels(config: Config): Map<string, Channel> {
  return buildConfiguredChannels(config.channels);
}


/** The configured ingest token, or one generated once and kept (mode 0600) in the data directory. */
export function resolveIngestToken(config: Config): { token: string; generatedFile?: string; generatedNow?: boolean } {
  return resolveSecret(config, config.ingest.token, 'ingest-token');
}

/** A configured secret, or one generated once and kept (mode 0600) in the data directory under `name`. */
export function resolveSecret(config: Config, configured: string, name: string): { token: string; generatedFile?: string; generatedNow?: boolean } {
  if (configured) return { token: configured };
  const file = join(dataDir(config), name);
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), generatedFile: file };
  mkdirSync(dirname(file), { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, generatedFile: file, generatedNow: true };
}

/** The enrichment stage, when enabled: providers from config, the broker, and its hooks on the outbox. */
export function buildEnrichment(config: Config, store: OpenedDb, metrics: Metrics, log: Logger, events: EventBus): EnrichmentStage | undefined {
  const e = config.enrich;
  if (!e.enabled) return undefined;
  let policy: AddressPolicy;
  let providers;
  try {
    policy = new AddressPolicy(e.internalRanges);
    // The agent inventory comes from the Wazuh server API, when one is configured.
    const agents = e.agents.enabled && config.wazuh.api.url ? new WazuhApi(wazuhApiOptions(config.wazuh.api)) : undefined;
    providers = buildProviders(e, { agents });
  } catch (err) {
    throw new StartupError((err as Error).message);
  }
  if (providers.length === 0) return undefined;
  const broker = new EnrichmentBroker(store.db, providers, log, {
    timeout: e.timeout,
    maxAttempts: e.maxAttempts,
    policy,
    metrics: { calls: metrics.enrichCalls, cacheHits: metrics.enrichCacheHits, quotaWaits: metrics.enrichQuotaWaits, failures: metrics.enrichFailures },
    events,
    holdFor: e.deadline,
  });
  return new EnrichmentStage(store.db, broker, log, { deadline: e.deadline, raiseBy: e.raiseBy, assets: config.triage.assets }, events);
}

/** Adds the channels' breaker states to what a scrape reads. */
function withBreakers(collect: () => Promise<void>, outbox: OutboxWorker, metrics: Metrics): () => Promise<void> {
  return async () => {
    await collect();
    for (const [channel, state] of outbox.breakerStates()) metrics.breakerOpen.set({ channel }, state === 'open' ? 1 : 0);
  };
}

export interface Vigil {
  server: FastifyInstance;
  store: OpenedDb;
  pipeline: Pipeline;
  runner: AlertRunner;
  /** The configured ingest sources besides the webhook (alerts file, indexer, syslog). */
  sources: Source[];
  outbox: OutboxWorker;
  enrichment?: EnrichmentStage;
  responses?: ResponseService;
  metrics: Metrics;
  ingestToken: string;
  tokenFile?: string;
  /** True only on the start that generated the ingest token (later starts read it from tokenFile). */
  tokenGeneratedNow: boolean;
  /** What a scraper sends for /metrics (Authorization: Bearer). */
  metricsToken: string;
  rules: RuleSet;
  ruleModes: RuleModes;
  /** Set when this start made the first admin: its one-time password, to print once. */
  firstAdmin?: { name: string; password: string };
  /** For analyst actions (src/triage/analyst.ts, queries.ts, suppressions.ts): store, clock, announcer. */
  triage: TriageContext;
  /** Auto-resolve after the quiet period (`lifecycle.tick(now)` runs one sweep). */
  lifecycle: LifecycleScheduler;
  /** Writes LLM summaries when `llm.enabled` (they follow the first notification as a 'summary' update). */
  summaries?: SummaryWorker;
  /** Deletes what is past its retention, in the background (README "Storage and retention"). */
  retention: RetentionJob;
  /** This node's id in the store (outbox claims, leases): host, pid and a random suffix, new at each start. */
  nodeId: string;
  /** The periodic jobs run on the node holding the `jobs` lease (always this one on SQLite). */
  jobsLeader: LeaderElection;
  /** Cluster mode: this node (partitions, leases); undefined on a single node. */
  cluster?: ClusterNode;
  /** Starts the pipeline and workers (not the HTTP listener). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface VigilOptions {
  /** PostgreSQL schema to use (tests). */
  schema?: string;
  /** The Wazuh API the active response uses (tests pass one pointed at a fake manager). */
  responseApi?: ResponseApi;
  /** Outbox hooks (tests inject a crash between sending and recording). */
  outboxHooks?: OutboxHooks;
  /** The clock of ingest, the pipeline, the lifecycle and retention (the soak benchmark drives simulated time). */
  clock?: Clock;
}

export async function createVigil(config: Config, log: Logger, options: VigilOptions = {}): Promise<Vigil> {
  const clusterProblem = clusterConfigProblem(config);
  if (clusterProblem) throw new StartupError(clusterProblem, { key: 'database.url' });
  const rules = await loadConfiguredRulesAsync(ruleLoad(config), { placeholders: config.detect.placeholders });
  reportRefusals(rules, log);
  // A rule that needs fields Wazuh 5.x findings lack says so when 5.x input may come (README "Wazuh 5.x").
  if (config.sources.indexer.enabled && config.sources.indexer.version !== '4')
    for (const r of rules.rules)
      if (r.wcsGaps.length > 0) log.warn({ rule: r.ref.title, file: r.ref.source, needs: r.wcsGaps }, describeGaps(r.wcsGaps));
  const store = await openDatabase(config.database.url, { schema: options.schema });
  const metrics = createMetrics();
  for (const [reason, n] of refusalCounts(rules.problems)) metrics.rulesRefused.set({ reason }, n);
  for (const kind of ['detection', 'correlation'] as const) metrics.rulesLoaded.set({ kind }, rules.rules.filter((r) => r.kind === kind).length);
  const events = new EventBus((err, event) => log.error({ err, event }, 'an event listener failed'));
  const ruleModes = new RuleModes(store.db);
  await ruleModes.load();
  const firstAdmin = (await ensureFirstAdmin(store.db)) ?? undefined;
  // The Wazuh server API, for active response (blocks and unblocks on agents).
  const wazuhApi = !options.responseApi && config.wazuh.api.url ? new WazuhApi(wazuhApiOptions(config.wazuh.api)) : undefined;
  // Wazuh 5.x: blocks are documents in the indexer; the inventory still comes from the server API.
  const ar5 = config.actions.response.wazuh5;
  // allowAssets is checked against the inventory: without the server API it could not hold, so say so now.
  if (ar5.enabled && !wazuhApi && !options.responseApi && config.actions.response.allowAssets.length > 0) {
    await store.close();
    throw new StartupError('actions.response.allowAssets needs the agent inventory: set wazuh.api.url (the Wazuh server API) for Wazuh 5.x active response');
  }
  const wazuh5Api = !options.responseApi && ar5.enabled ? new Wazuh5ResponseApi(store.db, ar5, wazuhApi) : undefined;
  let act;
  try {
    act = buildActStage(config, store.db, log, { dataDir: dataDir(config), api: options.responseApi ?? wazuh5Api ?? wazuhApi, onQueued: () => events.emit('actionsQueued') });
  } catch (err) {
    // A PlaybookError (code 'playbook') is reported by the CLI as it is: no message matching needed.
    await store.close();
    throw err;
  }
  // A playbook that blocks with nowhere to send the block: every approved or automatic block would be refused,
  // so it does not start; dry-run blocks call nothing, so they only earn a loud warning.
  if (!options.responseApi && !wazuh5Api && !wazuhApi) {
    const blocking = (mode: (m: string) => boolean) =>
      act.playbooks.filter((p) => p.enabled !== false && p.actions.some((a) => 'block' in a && mode(a.block.mode))).map((p) => p.name);
    const live = blocking((m) => m === 'approval' || m === 'automatic');
    if (live.length > 0) {
      await store.close();
      throw new StartupError(
        `playbook${live.length === 1 ? '' : 's'} ${live.map((n) => `"${n}"`).join(', ')} block${live.length === 1 ? 's' : ''} addresses, but no Wazuh API is configured: set wazuh.api.url (or actions.response.wazuh5), or use block mode dry-run or off`,
      );
    }
    const dry = blocking((m) => m === 'dry-run');
    if (dry.length > 0) {
      log.error(
        { playbooks: dry },
        'DRY RUN ONLY: playbooks propose blocks, but no Wazuh API is configured (wazuh.api.url): their blocks are decided and audited, never run',
      );
    }
  }
  const { channels } = act;
  const enrichment = buildEnrichment(config, store, metrics, log, events);
  // Every message is built from the incident as it is when it goes (one count, every user, the summary).
  const prepare: OutboxHooks['prepare'] = (item, db) => snapshot(db, item, { incidentUrl: (id) => incidentPage(act.publicUrl.url, id) });
  const nodeId = newHolderId();
  const outbox = new OutboxWorker(store.db, channels, log, act.outbox, { ...options.outboxHooks, prepare, holder: nodeId });
  // Several nodes on one store: auto-resolve and retention run on one of them at a time, the lease's holder.
  const jobsLeader = new LeaderElection(new Leases(store.db, nodeId), JOBS_LEASE, { ttl: JOBS_LEASE_TTL, log });
  const leads = () => jobsLeader.isLeader();
  if (act.publicUrl.derived) {
    log.warn(
      { publicUrl: act.publicUrl.url },
      'links in messages (incident pages, approvals) use an address derived from server.listen; set actions.approvals.publicUrl for them to work from other machines',
    );
  }
  const clock = options.clock ?? systemClock;
  // Cluster mode: alerts go through the JetStream stream; this pipeline runs the single-event rules and routes
  // correlation inputs to their partitions, each correlated by the node that owns it (src/cluster/node.ts).
  let stream: AlertStream | undefined;
  let clusterNodeId = '';
  if (config.cluster.enabled) {
    try {
      ({ stream, nodeId: clusterNodeId } = await openStream(config, log));
    } catch (err) {
      await store.close();
      throw new StartupError((err as Error).message, { key: 'cluster.servers' });
    }
  }
  const router = stream ? new Router(new Partitioner(rules, config.cluster.partitions)) : undefined;
  const parts = { rules, actions: act.actions, events, ruleModes, enrich: enrichment, live: true, clock };
  const pipeline = buildPipeline(config, store.db, log, { ...parts, ...(router ? { split: { singles: true, correlate: router.note } } : {}) });
  const detector = pipeline.detector;
  const summaries = config.llm.enabled ? new SummaryWorker(pipeline.triageContext, new LlmSummarizer(config.llm), config.llm.redact, log, events) : undefined;
  const lifecycle = new LifecycleScheduler(pipeline.triageContext, config.triage.quietPeriod, config.triage.sweepInterval, log, () => events.emit('actionsQueued'), leads);

  // The wiring: who hears what. Stages only emit; every listener is declared here.
  events.on('actionsQueued', () => outbox.wake());
  events.on('lookupsQueued', () => enrichment?.broker.wake());
  events.on('triaged', () => summaries?.wake());
  const detectionsOf = perLabel(metrics.detections, 'rule');
  events.on('detection', (d) => detectionsOf(d.rule.id).inc());
  events.on('quarantined', (rows) => rows.forEach((r) => metrics.quarantined.inc({ source: r.source, reason: r.reason })));
  if (enrichment) {
    events.on('lookupsSettled', (ids) => enrichment.release(ids));
    events.on('lookupsAnswered', (ids) => enrichment.answers(ids));
    events.on('answersRecorded', (ids) => enrichment.summarise(ids));
  }
  const maxTimespan = Math.max(0, ...rules.rules.map((r) => (r.kind === 'correlation' ? r.timespan : 0)));
  // Parse once: intake hands the events it parsed to the runner; the store is read back only to catch up.
  const handoff = new Handoff();
  const runner = new AlertRunner(store.db, pipeline, log, maxTimespan + config.detect.lateness, clock, handoff);
  // Risk events are kept for the risk window (src/triage/risk.ts owns them and their purge); also with risk
  // switched off, so what it recorded while on still goes.
  const more = [
    (now: number, batch: number) => purgeRiskEvents(store.db, now - config.risk.window, batch),
    // Shadow-mode evidence of an entity not seen for retention.detections.
    (now: number, batch: number) => purgeShadowEvidence(store.db, now - config.retention.detections, batch),
  ];
  const retention = new RetentionJob(store, { ...config.retention, warmWindow: maxTimespan + config.detect.lateness, more }, log, clock, {
    deleted: (table, n) => metrics.retentionDeleted.inc({ table }, n),
    disk: (bytes, warning) => {
      metrics.storeBytes.set(bytes);
      metrics.storeDiskWarning.set(warning ? 1 : 0);
    },
  }, leads);
  let cluster: ClusterNode | undefined;
  /** Cluster mode: the leased sources this node reads or stands by for (its heartbeat reports them). */
  let sourceStates: () => Record<string, SourceState> = () => ({});
  if (stream && router) {
    cluster = await createNode({
      nodeId: clusterNodeId,
      listen: config.server.listen,
      stream,
      db: store.db,
      log,
      metrics,
      clock,
      detect: pipeline,
      router,
      warmWindow: maxTimespan + config.detect.lateness,
      sources: () => sourceStates(),
      partitionPipeline: (split) => buildPipeline(config, store.db, log, { ...parts, split }),
      firings: new FiringReader(rules),
    });
  }
  const backlog = cluster ? new StreamBacklog(() => cluster, config.ingest.maxBacklog) : new Backlog(store.db, () => runner.position, config.ingest.maxBacklog, clock);
  const intake = new Intake(store.db, log, {
    maxAlertBytes: config.ingest.maxAlertBytes,
    onRecorded: () => runner.notify(),
    metrics,
    handoff: cluster ? undefined : handoff,
    clock,
    ...(stream ? { sink: (batch: Parameters<AlertStream['publish']>[0]) => stream.publish(batch) } : {}),
  });
  // Cluster mode: the alerts file (per path) and the indexer run on the node holding their lease; the others stand by.
  const sourceLeases = cluster ? new Leases(store.db, clusterNodeId) : undefined;
  const leased: LeasedSource[] = [];
  const exclusive = (lease: string, create: () => Source) => {
    const ttl = config.cluster.leaseTtl;
    const s = new LeasedSource(new LeaderElection(sourceLeases!, lease, { ttl }), create, log, metrics, Math.max(200, Math.floor(ttl / 3)));
    leased.push(s);
    return s;
  };
  sourceStates = () => Object.fromEntries(leased.map((s) => [s.name, s.state]));
  const sources: Source[] = buildSources(config.sources, { db: store.db, intake, backlog, log, metrics, maxAlertBytes: config.ingest.maxAlertBytes }, sourceLeases && exclusive);
  const { token, generatedFile, generatedNow } = resolveIngestToken(config);
  const metricsToken = resolveSecret(config, config.server.metrics.token, 'metrics-token').token;
  // Sessions are valid on every node of one PostgreSQL store: the generated cookie key is kept in the store.
  const cookieSecret =
    config.auth.cookieSecret || store.dialect !== 'postgres' ? resolveSecret(config, config.auth.cookieSecret, 'cookie-secret').token : await sharedSecret(store.db, 'cookie-secret', clock());
  // The detector counts since start; the counters take what it counted since they were last read.
  const counted = { evictions: 0, late: 0, future: 0 };
  const readDetectorStats = () => {
    const s = detector.stats;
    metrics.correlationGroups.set(s.correlationGroups);
    metrics.correlationEvictions.inc(s.correlationEvictions - counted.evictions);
    metrics.correlationSkipped.inc({ reason: 'late' }, s.lateEvents - counted.late);
    metrics.correlationSkipped.inc({ reason: 'future' }, s.futureEvents - counted.future);
    Object.assign(counted, { evictions: s.correlationEvictions, late: s.lateEvents, future: s.futureEvents });
  };
  const storeCollect = withBreakers(storeMetrics(metrics, { db: store.db, lag: () => backlog.size }, clock), outbox, metrics);
  const collectMetrics = async () => {
    readDetectorStats();
    await storeCollect();
  };
  let metricsServer: FastifyInstance | undefined;
  let started = false;
  const server = await buildServer(
    {
      db: store.db,
      ready: () => started && (cluster?.ready() ?? true),
      ingest: {
        token,
        maxAlertBytes: config.ingest.maxAlertBytes,
        record: (batch) => intake.commit('webhook', batch),
        onRecorded: () => runner.notify(),
        backpressure: { behind: () => backlog.behind(), retryAfterSeconds: Math.max(1, Math.ceil(config.ingest.retryAfter / 1000)) },
      },
      metrics: { counters: metrics, token: metricsToken, collect: collectMetrics },
      auth: { ...config.auth, sessionTtlMs: config.auth.sessionTtl, cookieSecret },
      detect: { rules, ruleModes },
      triage: pipeline.triageContext,
      act: { responses: act.responses, playbooks: act.playbooks },
      tuning: new Tuning({ config, db: store.db, rules, ruleModes, log, clock }),
      webRoot: existsSync(join(WEB_ROOT, 'index.html')) ? WEB_ROOT : undefined,
    },
    { bodyLimit: config.server.bodyLimit, logger: log },
  );
  const gauges = setInterval(() => {
    readDetectorStats();
    void backlog.refresh().catch(() => {}); // keeps vigil_pipeline_lag_alerts current when nothing is arriving
  }, 5000);
  gauges.unref();
  return {
    server,
    store,
    pipeline,
    runner,
    sources,
    outbox,
    enrichment,
    responses: act.responses,
    metrics,
    ingestToken: token,
    tokenFile: generatedFile,
    tokenGeneratedNow: generatedNow === true,
    metricsToken,
    rules,
    ruleModes,
    firstAdmin,
    triage: pipeline.triageContext,
    lifecycle,
    summaries,
    retention,
    nodeId,
    jobsLeader,
    cluster,
    async start() {
      await outbox.recover();
      if (cluster) await cluster.start();
      else await runner.start();
      outbox.start();
      enrichment?.broker.start();
      await backlog.refresh();
      for (const s of sources) await s.start();
      await jobsLeader.start();
      lifecycle.start();
      summaries?.start();
      if (config.server.metrics.listen) metricsServer = await metricsListener(metrics, collectMetrics, config.server.metrics.listen);
      retention.start();
      started = true;
    },
    async stop() {
      clearInterval(gauges);
      await server.close();
      await metricsServer?.close();
      for (const s of sources) await s.stop();
      await cluster?.stop();
      await runner.stop();
      await retention.stop();
      await lifecycle.stop();
      await jobsLeader.stop();
      await summaries?.stop();
      await enrichment?.broker.stop();
      await outbox.stop();
      for (const c of channels.values()) await c.close?.();
      await wazuhApi?.close();
      await wazuh5Api?.close();
      await stream?.close();
      await store.close();
    },
  };
}
