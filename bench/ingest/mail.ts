// npm run bench:mail: latency from the alert that completes a detection to the email an SMTP server accepted,
// with the server delaying its greeting by 100 ms (smtp-server onConnect, as a busy or tarpitting MTA does),
// while background alerts that detect nothing arrive at 500/s. Twice: with VirusTotal answering (a fake from its
// documented API; enrichment deadline 5 s), and with VirusTotal's quota spent (429 QuotaExceededError). Each
// sample is a brute force: four failed logons, then the fifth completes it; the clock runs from posting the fifth
// to the server accepting the message. The mail server, the VirusTotal fake and the senders run in a process of
// their own (./mail-peers.ts), as they are other machines in a deployment; this process runs Vigil alone.
// SYNTHETIC alerts; everything on 127.0.0.1. Prints p50 / p99 / max.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { configSchema } from '../../src/config/schema.js';
import { createVigil } from '../../src/vigil.js';
import { ask as askPeer } from './ipc.js';
import type { PeersReply, PeersRequest } from './mail-peers.js';

const TOKEN = 'bench-token';
/** Background alerts per second (BENCH_MAIL_RATE; 0 for none). */
const RATE = Number(process.env.BENCH_MAIL_RATE ?? 500);
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** One request to the peers' process and its answer. */
const ask = <K extends PeersReply['kind']>(peers: ChildProcess, m: PeersRequest, kind: K) => askPeer<PeersReply, K>(peers, m, kind);

async function run(label: string, samples: number, vtExhausted: boolean): Promise<void> {
  const peers = fork(fileURLToPath(new URL('./mail-peers.js', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-mail-'));
  try {
    const started = await ask(peers, { kind: 'start', greetMs: 100, vtExhausted }, 'started');
    const config = configSchema.parse({
      ingest: { token: TOKEN, maxBacklog: 1_000_000 },
      database: { url: join(dir, 'vigil.db') },
      channels: { email: { enabled: true, host: '127.0.0.1', port: started.smtpPort, to: ['soc@example.org'] } },
      enrich: { deadline: '5s', virustotal: { enabled: true, apiKey: started.vtKey, baseUrl: started.vtUrl } },
    });
    const vigil = await createVigil(config, pino({ level: process.env.BENCH_LOG ?? 'silent' }, pino.destination(2)));
    await vigil.start();
    await vigil.server.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(vigil.server.server.address() as { port: number }).port}`;
    try {
      const { latencies, sent, seconds } = await ask(peers, { kind: 'run', url, token: TOKEN, samples, rate: RATE }, 'ran');
      const lat = latencies.map((x) => (x === null ? Infinity : x)); // Infinity crosses IPC as null
      const ms = (x: number) => (x === Infinity ? 'none within 20 s' : `${x.toFixed(1)} ms`);
      process.stdout.write(
        `  ${label.padEnd(34)} p50 ${ms(pct(lat, 50))}, p99 ${ms(pct(lat, 99))}, max ${ms(Math.max(...lat))} over ${lat.length} mails; background ${sent} alerts (${Math.round(sent / seconds)}/s of ${RATE}/s offered)   (target p50 < 30 ms, p99 < 100 ms)\n`,
      );
    } finally {
      await vigil.stop();
    }
    await ask(peers, { kind: 'close' }, 'closed');
  } finally {
    peers.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const samples = num('BENCH_MAIL_SAMPLES', 100);
process.stdout.write(`mail: completing alert → email accepted by an SMTP server that greets after 100 ms, ${RATE} alerts/s background; the mail server, VirusTotal and the senders in a process of their own\n`);
await run('VirusTotal answering:', samples, false);
await run('VirusTotal quota spent (429):', samples, true);
process.exit(0);
