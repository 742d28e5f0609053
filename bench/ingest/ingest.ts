// The ingest benchmark: sustained alerts per second into the pipeline (recorded, then detected, triaged and
// stored) through each way in — webhook NDJSON batches, webhook single posts, the alerts.json tail, syslog over
// TCP and UDP — beside the detection-only rate of the same SYNTHETIC alerts (bench/detect/alerts.ts) in the same
// run. A fresh Vigil (SQLite in a temp folder, built-in rules, no channels) per path; everything on 127.0.0.1,
// bounded in count and time. Prints figures and ratios; asserts nothing.
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Pool } from 'undici';
import { configSchema } from '../../src/config/schema.js';
import { Detector } from '../../src/detect/detector.js';
import { loadRules } from '../../src/detect/rules.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import { SyslogSource } from '../../src/sources/syslog.js';
import { toEvent } from '../../src/model/event.js';
import { createVigil, type Vigil } from '../../src/vigil.js';
import { alertLines } from '../detect/alerts.js';
import { ask as askPeer } from './ipc.js';
import type { SenderReply, SenderRequest } from './webhook-sender.js';

const TOKEN = 'bench-token';
/** The seed's n8n pipeline (webhook → VirusTotal → SMTP), measured on the slower of these machines. */
const N8N_RATE = 21;
const LIMIT_MS = 180_000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export interface IngestSizes {
  batched: number;
  single: number;
  file: number;
  syslog: number;
  udp: number;
  /**
   * Alerts each fresh Vigil takes through the same path before the span begins (0: none): a process just
   * started runs its hot path unoptimised, and the JIT compiling it is part of the first thousands of alerts'
   * CPU. They come before the measured alerts in event time, so detection sees the measured ones as it would.
   */
  warmup?: number;
}

interface Started {
  vigil: Vigil;
  url: string;
  dir: string;
  close(): Promise<void>;
}

async function start(overrides: Record<string, unknown> = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-ingest-'));
  const config = configSchema.parse({ ingest: { token: TOKEN, maxBacklog: 1_000_000 }, database: { url: join(dir, 'vigil.db') }, ...overrides });
  const vigil = await createVigil(config, pino({ level: 'silent' }));
  await vigil.start();
  await vigil.server.listen({ host: '127.0.0.1', port: 0 });
  const port = (vigil.server.server.address() as { port: number }).port;
  return {
    vigil,
    url: `http://127.0.0.1:${port}`,
    dir,
    async close() {
      await vigil.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What a path is measured over: from its first alert sent (Vigil already started, so its start-up — loading
 * rules, migrations, compiling the routes' schemas — is in neither figure) to its last one handled.
 */
interface Span {
  t0: number;
  cpu0: NodeJS.CpuUsage;
}
const begin = (): Span => ({ t0: performance.now(), cpu0: process.cpuUsage() });

/** What a span took: wall seconds, and CPU seconds of the whole process (every thread: server, SQLite thread, sender). */
interface Took {
  seconds: number;
  cpu: number;
}
const took = (span: Span): Took => {
  const u = process.cpuUsage(span.cpu0);
  return { seconds: (performance.now() - span.t0) / 1000, cpu: (u.user + u.system) / 1e6 };
};

/** Waits until the pipeline has handled `count` alerts (the warm-up's included); returns what the span took. */
async function processed(v: Vigil, count: number, span: Span): Promise<Took> {
  const deadline = span.t0 + LIMIT_MS;
  for (;;) {
    const row = await v.store.db.selectFrom('alerts').select((eb) => eb.fn.max('seq').as('head')).executeTakeFirst();
    const head = Number(row?.head ?? 0);
    if (head >= count && v.runner.position >= head) return took(span);
    if (performance.now() > deadline) throw new Error(`only ${v.runner.position} of ${count} alerts processed within ${LIMIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `jobs` with at most `concurrency` at once. */
async function pool<T>(items: T[], concurrency: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await job(items[next++]!);
    }),
  );
}

/** Splits lines into request bodies of `perRequest` alerts each. */
const bodiesOf = (list: string[], perRequest: number) => {
  const bodies: string[] = [];
  for (let i = 0; i < list.length; i += perRequest) bodies.push(list.slice(i, i + perRequest).join('\n') + '\n');
  return bodies;
};

/** Posts bodies to a Vigil, `concurrency` at once; `post` resolves at the last acknowledgement. */
interface Sender {
  /** Takes the bodies of the next `post` (outside any span: moving them to another process is not Vigil's cost). */
  load(bodies: string[]): Promise<void>;
  /** Posts what was loaded; the sender's own CPU seconds when it runs in a process of its own. */
  post(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** The sender in this process: its CPU is counted with Vigil's, and it shares Vigil's event loop. */
function inlineSender(url: string, concurrency: number, contentType: string): Sender {
  const http = new Pool(url, { connections: concurrency });
  let bodies: string[] = [];
  return {
    async load(b) {
      bodies = b;
    },
    async post() {
      await pool(bodies, concurrency, async (body) => {
        for (;;) {
          const res = await http.request({ method: 'POST', path: '/api/v1/ingest/wazuh', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType }, body });
          await res.body.dump();
          if (res.statusCode === 202) return;
          if (res.statusCode !== 503) throw new Error(`ingest answered ${res.statusCode}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      });
      return undefined;
    },
    close: () => http.close(),
  };
}

/** The sender in a process of its own (./webhook-sender.ts), as Wazuh is another machine in a deployment. */
async function processSender(url: string, concurrency: number, contentType: string): Promise<Sender> {
  const child = fork(fileURLToPath(new URL('./webhook-sender.js', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <K extends SenderReply['kind']>(m: SenderRequest, kind: K) => askPeer<SenderReply, K>(child, m, kind);
  try {
    await ask({ kind: 'open', url, token: TOKEN, connections: concurrency }, 'opened');
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    load: async (bodies) => void (await ask({ kind: 'load', bodies, contentType }, 'loaded')),
    post: async () => (await ask({ kind: 'send' }, 'sent')).cpuMs / 1000,
    async close() {
      await ask({ kind: 'close' }, 'closed').catch(() => {});
      child.kill();
    },
  };
}

/**
 * Posts the lines to a fresh Vigil (`overrides`: its configuration), `perRequest` to a POST, `concurrency` at
 * once: seconds to the last acknowledgement, what the span to the last alert handled took, and (`ownProcess`:
 * the sender in a process of its own, so `total` is Vigil's CPU alone) the sender's CPU seconds.
 */
export async function webhook(
  lines: string[],
  perRequest: number,
  concurrency: number,
  overrides: Record<string, unknown> = {},
  options: { warmup?: string[]; ownProcess?: boolean } = {},
): Promise<{ ack: number; total: Took; senderCpu?: number }> {
  const warmup = options.warmup ?? [];
  const s = await start(overrides);
  const contentType = perRequest > 1 ? 'application/x-ndjson' : 'application/json';
  let sender: Sender | undefined;
  try {
    sender = options.ownProcess ? await processSender(s.url, concurrency, contentType) : inlineSender(s.url, concurrency, contentType);
    if (warmup.length > 0) {
      await sender.load(bodiesOf(warmup, perRequest));
      await sender.post();
      await processed(s.vigil, warmup.length, begin());
    }
    await sender.load(bodiesOf(lines, perRequest));
    const span = begin();
    const senderCpu = await sender.post();
    const ack = (performance.now() - span.t0) / 1000;
    return { ack, total: await processed(s.vigil, warmup.length + lines.length, span), senderCpu };
  } finally {
    await sender?.close();
    await s.close();
  }
}

async function file(lines: string[], warmup: string[] = []): Promise<Took> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-file-'));
  const path = join(dir, 'alerts.json');
  const text = lines.join('\n') + '\n';
  // Vigil follows the file from its (empty) beginning; then all of it is written at once, as a backlog would be.
  writeFileSync(path, '');
  const s = await start({ sources: { alertsFile: { enabled: true, path, startAt: 'beginning', pollInterval: '50ms' } } });
  try {
    if (warmup.length > 0) {
      appendFileSync(path, warmup.join('\n') + '\n');
      await processed(s.vigil, warmup.length, begin());
    }
    const span = begin();
    appendFileSync(path, text);
    return await processed(s.vigil, warmup.length + lines.length, span);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const syslogOf = (s: Started) => s.vigil.sources.find((x): x is SyslogSource => x instanceof SyslogSource)!;

async function syslogTcp(lines: string[]): Promise<Took> {
  const s = await start({ sources: { syslog: { enabled: true, udp: '', tcp: '127.0.0.1:0' } } });
  try {
    const src = syslogOf(s);
    const sock = connect(src.tcpAddress!.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const span = begin();
    for (const l of lines) {
      if (!sock.write(`<132>Nov 21 10:00:00 wazuh-manager ossec: ${l}\n`)) await new Promise((r) => sock.once('drain', r));
    }
    sock.end();
    return await processed(s.vigil, lines.length, span);
  } finally {
    await s.close();
  }
}

async function syslogUdp(lines: string[]): Promise<Took & { received: number }> {
  const s = await start({ sources: { syslog: { enabled: true, udp: '127.0.0.1:0', tcp: '' } } });
  const sock = createSocket('udp4');
  try {
    const src = syslogOf(s);
    const span = begin();
    // Paced in small bursts: UDP has no flow control, and the point is the sustained rate, not the kernel's drops.
    for (let i = 0; i < lines.length; i += 100) {
      await Promise.all(
        lines.slice(i, i + 100).map((l) => new Promise<void>((r) => sock.send(`<132>Nov 21 10:00:00 wazuh-manager ossec: ${l}`, src.udpAddress!.port, '127.0.0.1', () => r()))),
      );
      await new Promise((r) => setImmediate(r));
    }
    // Whatever arrived is processed within a moment of the last datagram; then count it.
    let last = -1;
    let head = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 300));
      const row = await s.vigil.store.db.selectFrom('alerts').select((eb) => eb.fn.max('seq').as('head')).executeTakeFirst();
      head = Number(row?.head ?? 0);
      if (head === last && s.vigil.runner.position >= head) break;
      last = head;
    }
    const t = took(span);
    return { seconds: t.seconds - 0.3, cpu: t.cpu, received: head };
  } finally {
    sock.close();
    await s.close();
  }
}

function detectionOnly(lines: string[]): number {
  const detector = new Detector(loadRules([BUILTIN_RULES]));
  const t0 = performance.now();
  for (const l of lines) detector.process(toEvent(JSON.parse(l), l));
  return lines.length / ((performance.now() - t0) / 1000);
}

/** CPU seconds (user + system, every thread of this process: the server, its SQLite thread and the sender) since `from`. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
};

/**
 * Where the webhook's sender runs (BENCH_INGEST_SENDER): `process` (the default), a process of its own, so the
 * CPU figure is Vigil's alone; `inline`, Vigil's process, as the benchmark ran before, sharing its event loop.
 */
const OWN_PROCESS = (process.env.BENCH_INGEST_SENDER ?? 'process') !== 'inline';

/** Paths to run (BENCH_INGEST_PATHS, comma-separated: ndjson, single, file, tcp, udp); all by default. */
const PATHS = new Set((process.env.BENCH_INGEST_PATHS ?? 'ndjson,single,file,tcp,udp').split(',').map((s) => s.trim()));

/** The sender's own CPU, when it ran in a process of its own (not in the figure). */
const senderNote = (cpu: number | undefined, alerts: number) => (cpu === undefined ? '' : `sender's process ${((cpu / alerts) * 1e6).toFixed(0)} CPU ms per 1,000, not counted; `);

export async function ingestBenchmark(sizes: IngestSizes): Promise<void> {
  // The warm-up's alerts come first in event time; the measured ones follow them.
  const w = sizes.warmup ?? 0;
  const generated = alertLines(w + Math.max(sizes.batched, sizes.single, sizes.file, sizes.syslog, sizes.udp));
  const warm = generated.slice(0, w);
  const all = generated.slice(w);
  const bytes = all.reduce((n, l) => n + l.length + 1, 0) / all.length;
  process.stdout.write(
    `ingest: synthetic Wazuh alerts (bench/detect/alerts.ts, ${bytes.toFixed(0)} bytes each on average); SQLite; wall-clock rates, and CPU ms per 1,000 alerts ` +
      `(Vigil's process, every thread: server and SQLite; comparable on a loaded machine; ` +
      (OWN_PROCESS
        ? `the webhook's sender runs in a process of its own, as Wazuh is another machine, and its CPU is not counted (shown beside)`
        : `the webhook's sender runs in Vigil's process (BENCH_INGEST_SENDER=inline) and is counted`) +
      `; the tail's file write and the syslog senders are in Vigil's process and counted); both from the first alert sent to the last one handled, Vigil's start-up left out` +
      (w > 0 ? `; each webhook and tail run after ${fmt(w)} warm-up alerts through the same path, not counted` : '') +
      '\n',
  );
  detectionOnly(all.slice(0, 20_000)); // warm-up
  const c0 = process.cpuUsage();
  const det = detectionOnly(all);
  const detCpu = cpuSince(c0);
  const rows: [string, number, number, string][] = [];
  if (PATHS.has('ndjson')) {
    const b = await webhook(all.slice(0, sizes.batched), 500, 4, {}, { warmup: warm, ownProcess: OWN_PROCESS });
    rows.push([`webhook, NDJSON batches of 500 (4 in flight)`, sizes.batched / b.total.seconds, (b.total.cpu / sizes.batched) * 1e6, `acknowledged at ${fmt(sizes.batched / b.ack)}/s; ${senderNote(b.senderCpu, sizes.batched)}target ≥ 40,000/s`]);
  }
  if (PATHS.has('single')) {
    const s1 = await webhook(all.slice(0, sizes.single), 1, 10, {}, { warmup: warm, ownProcess: OWN_PROCESS });
    const rate = sizes.single / s1.total.seconds;
    rows.push([`webhook, one alert per POST (10 in flight)`, rate, (s1.total.cpu / sizes.single) * 1e6, `acknowledged at ${fmt(sizes.single / s1.ack)}/s; ${senderNote(s1.senderCpu, sizes.single)}${Math.round(rate / N8N_RATE)}× the seed's n8n pipeline (${N8N_RATE}/s); target ≥ 5,000/s and ≥ 250×`]);
  }
  if (PATHS.has('file')) {
    const f = await file(all.slice(0, sizes.file), warm);
    rows.push([`alerts.json tail (written at once, Vigil running)`, sizes.file / f.seconds, (f.cpu / sizes.file) * 1e6, 'target ≥ 50,000/s']);
  }
  if (PATHS.has('tcp')) {
    const t = await syslogTcp(all.slice(0, sizes.syslog));
    rows.push([`syslog TCP, newline framing, one connection`, sizes.syslog / t.seconds, (t.cpu / sizes.syslog) * 1e6, '']);
  }
  if (PATHS.has('udp')) {
    const u = await syslogUdp(all.slice(0, sizes.udp));
    rows.push([`syslog UDP, paced bursts of 100`, u.received / u.seconds, (u.cpu / Math.max(1, u.received)) * 1e6, `${fmt(u.received)} of ${fmt(sizes.udp)} datagrams received`]);
  }
  process.stdout.write(`  detection only (JSON.parse + rules, in process):   ${fmt(det)} alerts/s, ${((detCpu / all.length) * 1e6).toFixed(0)} CPU ms per 1,000\n`);
  for (const [name, rate, cpuMs, note] of rows) {
    process.stdout.write(
      `  ${(name + ':').padEnd(50)} ${fmt(rate).padStart(8)} alerts/s into the pipeline, ${cpuMs.toFixed(0).padStart(4)} CPU ms per 1,000 (${fmt(1e6 / cpuMs)} per CPU s)   ${((rate / det) * 100).toFixed(1).padStart(5)}% of detection only${note ? `   (${note})` : ''}\n`,
    );
  }
}
