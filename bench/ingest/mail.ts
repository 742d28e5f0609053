// npm run bench:mail: latency from the alert that completes a detection to the email an SMTP server accepted,
// with the server delaying its greeting by 100 ms (smtp-server onConnect, as a busy or tarpitting MTA does),
// while background alerts that detect nothing arrive at 500/s. Twice: with VirusTotal answering (a fake from its
// documented API; enrichment deadline 5 s), and with VirusTotal's quota spent (429 QuotaExceededError). Each
// sample is a brute force: four failed logons, then the fifth completes it; the clock runs from posting the fifth
// to the server accepting the message. SYNTHETIC alerts; everything on 127.0.0.1. Prints p50 / p99 / max.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { Pool } from 'undici';
import { configSchema } from '../../src/config/schema.js';
import { createVigil } from '../../src/vigil.js';
import { startFakeVirusTotal } from '../../test/fakes/virustotal.js';
import { alertLines, failedLogon } from '../detect/alerts.js';

const TOKEN = 'bench-token';
/** Background alerts per second (BENCH_MAIL_RATE; 0 for none). */
const RATE = Number(process.env.BENCH_MAIL_RATE ?? 500);
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};

interface Sink {
  port: number;
  accepted: Map<string, number>;
  close(): Promise<void>;
}

/** An SMTP server that greets after `greetMs` and records when it accepted each incident's first message. */
async function sink(greetMs: number): Promise<Sink> {
  const accepted = new Map<string, number>();
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    logger: false,
    disableReverseLookup: true,
    onConnect(_session, cb) {
      setTimeout(() => cb(), greetMs);
    },
    onData(stream, _session, cb) {
      let text = '';
      stream.on('data', (c: Buffer) => {
        if (text.length < 262_144) text += c.toString('latin1');
      });
      stream.on('end', () => {
        // The incident's address, wherever the message names it (the subject may be encoded).
        const ip = /\b45\.10\.\d+\.\d+\b/.exec(text)?.[0];
        if (ip && !accepted.has(ip)) accepted.set(ip, performance.now());
        cb();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.server.address() as { port: number }).port, accepted, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function run(label: string, samples: number, vtExhausted: boolean): Promise<void> {
  const smtp = await sink(100);
  const vt = await startFakeVirusTotal(['vt-key']);
  vt.exhausted = vtExhausted;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-mail-'));
  const config = configSchema.parse({
    ingest: { token: TOKEN, maxBacklog: 1_000_000 },
    database: { url: join(dir, 'vigil.db') },
    channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } },
    enrich: { deadline: '5s', virustotal: { enabled: true, apiKey: 'vt-key', baseUrl: vt.url } },
  });
  const vigil = await createVigil(config, pino({ level: process.env.BENCH_LOG ?? 'silent' }, pino.destination(2)));
  await vigil.start();
  await vigil.server.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(vigil.server.server.address() as { port: number }).port}`;
  // The samples have their own connection: a backlog of background posts on the client side never queues them.
  const http = new Pool(url, { connections: 10 });
  const sampleHttp = new Pool(url, { connections: 1 });
  const postOne = async (line: string, via = http) => {
    for (;;) {
      const res = await via.request({ method: 'POST', path: '/api/v1/ingest/wazuh', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: line });
      await res.body.dump();
      if (res.statusCode === 202) return;
      if (res.statusCode !== 503) throw new Error(`ingest answered ${res.statusCode}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  // Background: 500 alerts/s that detect nothing (the noise of the detection benchmark's mix).
  const noise = alertLines(20_000).filter((l) => !l.includes('"4625"') && !l.includes('"syscheck"') && !/"level":1[2-6]/.test(l) && !l.includes('"5716"') && !l.includes('"5760"') && !l.includes('"5710"'));
  let stop = false;
  let sent = 0;
  // At most 10 background posts in flight: what the server cannot take at RATE is not sent (the count says what was).
  const background = (async () => {
    const t0 = performance.now();
    const inFlight = new Set<Promise<void>>();
    while (!stop) {
      const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
      while (sent < due && !stop && inFlight.size < 10) {
        const p = postOne(noise[sent++ % noise.length]!).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (sent < due && inFlight.size >= 10) await Promise.race(inFlight);
      else await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(inFlight);
  })();
  const bgStart = performance.now();
  // One warm mail opens the pooled connection, as any running Vigil has long done.
  const latencies: number[] = [];
  const start = Date.now() - 3_600_000;
  for (let s = 0; s <= samples; s++) {
    const ip = `45.10.${s >> 8}.${s & 255}`;
    const t = start + s * 60_000;
    for (let k = 0; k < 4; k++) await postOne(JSON.stringify(failedLogon(t + k * 1000, 900_000 + s * 10 + k, ip, `user${k}`)), sampleHttp);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await postOne(JSON.stringify(failedLogon(t + 4000, 900_000 + s * 10 + 4, ip, 'user4')), sampleHttp);
    const deadline = t0 + 20_000;
    while (!smtp.accepted.has(ip) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    const at = smtp.accepted.get(ip);
    if (s > 0) latencies.push(at === undefined ? Infinity : at - t0);
  }
  stop = true;
  await background;
  const bgRate = sent / ((performance.now() - bgStart) / 1000);
  const ms = (x: number) => (x === Infinity ? 'none within 20 s' : `${x.toFixed(1)} ms`);
  process.stdout.write(
    `  ${label.padEnd(34)} p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))}, max ${ms(Math.max(...latencies))} over ${latencies.length} mails; background ${sent} alerts (${Math.round(bgRate)}/s of ${RATE}/s offered)   (target p50 < 30 ms, p99 < 100 ms)\n`,
  );
  await http.close();
  await sampleHttp.close();
  await vigil.stop();
  await smtp.close();
  await vt.close();
  rmSync(dir, { recursive: true, force: true });
}

const samples = num('BENCH_MAIL_SAMPLES', 100);
process.stdout.write(`mail: completing alert → email accepted by an SMTP server that greets after 100 ms, ${RATE} alerts/s background\n`);
await run('VirusTotal answering:', samples, false);
await run('VirusTotal quota spent (429):', samples, true);
process.exit(0);
