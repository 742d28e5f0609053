// The other side of `npm run bench:mail`, in a process of its own as it is in a deployment (the mail server, the
// VirusTotal API and the senders of alerts are other machines): an SMTP server that greets after 100 ms, the
// VirusTotal fake, the 500 alerts/s background and the brute forces whose mails are timed. Timing both ends here
// (posting the completing alert, the server accepting the message) keeps one clock; Vigil's process runs Vigil
// alone, so its event loop is not shared with the load that measures it. Driven over IPC by ./mail.ts.
import { SMTPServer } from 'smtp-server';
import { Pool } from 'undici';
import { startFakeVirusTotal } from '../../test/fakes/virustotal.js';
import { alertLines, failedLogon } from '../detect/alerts.js';

export type PeersRequest = { kind: 'start'; greetMs: number; vtExhausted: boolean } | { kind: 'run'; url: string; token: string; samples: number; rate: number } | { kind: 'close' };
export type PeersReply =
  | { kind: 'started'; smtpPort: number; vtUrl: string; vtKey: string }
  | { kind: 'ran'; latencies: number[]; sent: number; seconds: number }
  | { kind: 'closed' };

const VT_KEY = 'vt-key';

/** An SMTP server that greets after `greetMs` and records when it accepted each incident's first message. */
async function sink(greetMs: number) {
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

/** Background alerts that detect nothing (the noise of the detection benchmark's mix). */
const noise = () =>
  alertLines(20_000).filter((l) => !l.includes('"4625"') && !l.includes('"syscheck"') && !/"level":1[2-6]/.test(l) && !l.includes('"5716"') && !l.includes('"5760"') && !l.includes('"5710"'));

async function run(accepted: Map<string, number>, r: Extract<PeersRequest, { kind: 'run' }>): Promise<Extract<PeersReply, { kind: 'ran' }>> {
  // The samples have their own connection: a backlog of background posts on the client side never queues them.
  const http = new Pool(r.url, { connections: 10 });
  const sampleHttp = new Pool(r.url, { connections: 1 });
  const postOne = async (line: string, via = http) => {
    for (;;) {
      const res = await via.request({ method: 'POST', path: '/api/v1/ingest/wazuh', headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' }, body: line });
      await res.body.dump();
      if (res.statusCode === 202) return;
      if (res.statusCode !== 503) throw new Error(`ingest answered ${res.statusCode}`);
      await new Promise((w) => setTimeout(w, 100));
    }
  };
  const lines = noise();
  let stop = false;
  let sent = 0;
  // At most 10 background posts in flight: what the server cannot take at the rate is not sent (the count says what was).
  const background = (async () => {
    const t0 = performance.now();
    const inFlight = new Set<Promise<void>>();
    while (!stop) {
      const due = Math.floor(((performance.now() - t0) / 1000) * r.rate);
      while (sent < due && !stop && inFlight.size < 10) {
        const p = postOne(lines[sent++ % lines.length]!).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (sent < due && inFlight.size >= 10) await Promise.race(inFlight);
      else await new Promise((w) => setTimeout(w, 5));
    }
    await Promise.all(inFlight);
  })();
  const bgStart = performance.now();
  // Sample 0 is a warm mail: it opens the pooled connection, as any running Vigil has long done.
  const latencies: number[] = [];
  const start = Date.now() - 3_600_000;
  for (let s = 0; s <= r.samples; s++) {
    const ip = `45.10.${s >> 8}.${s & 255}`;
    const t = start + s * 60_000;
    for (let k = 0; k < 4; k++) await postOne(JSON.stringify(failedLogon(t + k * 1000, 900_000 + s * 10 + k, ip, `user${k}`)), sampleHttp);
    await new Promise((w) => setTimeout(w, 50));
    const t0 = performance.now();
    await postOne(JSON.stringify(failedLogon(t + 4000, 900_000 + s * 10 + 4, ip, 'user4')), sampleHttp);
    const deadline = t0 + 20_000;
    while (!accepted.has(ip) && performance.now() < deadline) await new Promise((w) => setTimeout(w, 1));
    const at = accepted.get(ip);
    if (s > 0) latencies.push(at === undefined ? Infinity : at - t0);
  }
  stop = true;
  await background;
  const seconds = (performance.now() - bgStart) / 1000;
  await http.close();
  await sampleHttp.close();
  return { kind: 'ran', latencies, sent, seconds };
}

let smtp: Awaited<ReturnType<typeof sink>> | undefined;
let vt: Awaited<ReturnType<typeof startFakeVirusTotal>> | undefined;
const reply = (m: PeersReply) => process.send!(m);

process.on('message', (m: PeersRequest) => {
  void (async () => {
    if (m.kind === 'start') {
      smtp = await sink(m.greetMs);
      vt = await startFakeVirusTotal([VT_KEY]);
      vt.exhausted = m.vtExhausted;
      reply({ kind: 'started', smtpPort: smtp.port, vtUrl: vt.url, vtKey: VT_KEY });
    } else if (m.kind === 'run') {
      reply(await run(smtp!.accepted, m));
    } else {
      await smtp?.close();
      await vt?.close();
      reply({ kind: 'closed' });
      process.disconnect();
    }
  })().catch((err) => {
    process.stderr.write(`mail bench peers: ${(err as Error).stack}\n`);
    process.exit(1);
  });
});
