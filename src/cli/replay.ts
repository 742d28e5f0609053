// vigil replay FILE…: the pipeline offline over Wazuh alerts (NDJSON as in alerts.json, or pretty JSON)
// or Windows events in evtx_dump JSON. Prints one line per detection, or JSON with --json.
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Config } from '../config/schema.js';
import { Prefilter } from '../detect/prefilter.js';
import type { Detection, Event, EventFormat } from '../model/index.js';
import { createLogger } from '../log.js';
import { OutboxWorker } from '../act/outbox.js';
import { buildPipeline } from '../pipeline/build.js';
import { EventBus } from '../events.js';
import { readRecords } from '../sources/json-stream.js';
import { InputError, toEvent } from '../model/event.js';
import { parseJson } from '../sources/ndjson.js';
import { openDatabase } from '../store/db.js';
import { refusalSummary } from '../detect/rules.js';
import { loadConfiguredRules, ruleLoad, rulePaths } from '../detect/configured.js';
import { buildActStage } from '../act/assemble.js';
import { configSchema } from '../config/schema.js';
import { Progress } from './progress.js';

export interface ReplayOptions {
  rules?: string[];
  json?: boolean;
  actions: boolean;
  format?: EventFormat;
  /** Parse every record, also those no loaded rule can match (reports every unreadable one). */
  validate?: boolean;
}

export function detectionJson(d: Detection) {
  return {
    rule: { id: d.rule.id, title: d.rule.title, level: d.rule.level, ...(d.rule.author ? { author: d.rule.author } : {}) },
    time: new Date(d.time).toISOString(),
    firstTime: new Date(d.firstTime).toISOString(),
    group: d.group,
    count: d.count,
    events: d.eventIds,
  };
}

export function detectionText(d: Detection): string {
  const group = Object.entries(d.group)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${new Date(d.time).toISOString()}  ${d.rule.level.toUpperCase().padEnd(8)} ${d.rule.title}${group ? `  [${group}]` : ''}  count=${d.count}`;
}

export async function replay(files: string[], config: Config, options: ReplayOptions, out = process.stdout, err = process.stderr): Promise<number> {
  const ruleSet = loadConfiguredRules(ruleLoad(config, options.rules && options.rules.length > 0 ? options.rules : rulePaths(config)), {
    placeholders: config.detect.placeholders,
  });
  if (ruleSet.problems.length > 0) err.write(refusalSummary(ruleSet.problems) + '\n');
  const log = createLogger({ ...config.log, level: options.actions ? config.log.level : 'warn', format: 'json' }, err as any);
  const store = await openDatabase(':memory:');
  // Offline: notifications by the playbooks when asked, never a block.
  const act = buildActStage(options.actions ? config : { ...config, channels: configSchema.parse({}).channels, playbooks: [], actions: { ...config.actions, playbooksFile: '' } }, store.db, log, {
    dataDir: '.',
    response: false,
  });
  const channels = act.channels;
  const events = new EventBus();
  const pipeline = buildPipeline(config, store.db, log, { rules: ruleSet, actions: act.actions, events, live: false });
  let detections = 0;
  // A batch's detections are written together, after the batch: a write per line was a system call per detection.
  let printed: string[] = [];
  events.on('detection', (d) => {
    detections++;
    printed.push((options.json ? JSON.stringify(detectionJson(d)) : detectionText(d)) + '\n');
  });
  const print = () => {
    if (printed.length === 0) return;
    out.write(printed.join(''));
    printed = [];
  };
  let bad = 0;
  let read = 0;
  // Records no loaded rule can match are not parsed at all (src/detect/prefilter.ts), unless --validate.
  const filter = new Prefilter(ruleSet.rules, config.detect.placeholders);
  const prefilter = options.validate || !filter.active ? undefined : filter;
  let unparsed = 0;
  try {
    for (const file of files) {
      // Stat first: a missing file is then one clear error, before any stream exists to emit another.
      const size = file === '-' ? 0 : statSync(file).size;
      const input: Readable = file === '-' ? process.stdin : createReadStream(file);
      const progress = err.isTTY && size > 0 ? new Progress(err, file, size) : undefined;
      let bytes = 0;
      let batch: Event[] = [];
      // A record longer than ingest.maxAlertBytes is read to its end without being held, and reported: the
      // limit every intake applies, so one runaway record (a broken export) cannot take the memory.
      for await (const rec of readRecords(input, { maxRecordBytes: config.ingest.maxAlertBytes })) {
        if (rec.tooLarge !== undefined) {
          bytes += rec.tooLarge + 1;
          bad++;
          err.write(`${file}:${rec.line}: a record of ${rec.tooLarge} bytes, more than ingest.maxAlertBytes (${config.ingest.maxAlertBytes}): skipped\n`);
          continue;
        }
        bytes += rec.text.length + 1;
        if (prefilter && !prefilter.mayMatch(rec.text)) {
          unparsed++;
          continue;
        }
        try {
          const value = parseJson(rec.text, `${file}:${rec.line}`);
          batch.push(toEvent(value, rec.text, options.format));
          read++;
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          bad++;
          err.write(`${e.message.startsWith(file) ? '' : `${file}:${rec.line}: `}${e.message}\n`);
        }
        if (batch.length >= 1000) {
          await pipeline.handle(batch);
          print();
          batch = [];
          progress?.update(bytes);
        }
      }
      await pipeline.handle(batch);
      print();
      progress?.done();
    }
    // The end of the input closes the windows judged at their close (lt, eq, value_sum …).
    await pipeline.flush();
    print();
    if (options.actions && channels.size > 0) {
      const worker = new OutboxWorker(store.db, channels, log, act.outbox);
      await worker.runDue();
      for (const c of channels.values()) await c.close?.();
    }
  } finally {
    print();
    await store.close();
  }
  const stats = pipeline.detector.stats;
  if (!options.json) {
    err.write(`${read} events read, ${detections} detections, ${bad} unreadable records, ${stats.correlationEvictions} correlation evictions, ${stats.lateEvents} events too late to correlate\n`);
    if (unparsed > 0) err.write(`${unparsed} records not parsed: no loaded rule can match them (--validate parses and checks every record)\n`);
  }
  return bad > 0 ? 2 : 0;
}
