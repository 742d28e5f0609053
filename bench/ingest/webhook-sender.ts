// The other side of the ingest benchmark's webhook paths, in a process of its own as it is in a deployment (Wazuh's
// integratord, or a log shipper, runs on another machine): it posts prepared bodies to Vigil, a given number in
// flight, retrying each 503 after 100 ms. Vigil's process then runs Vigil alone: its CPU figure is Vigil's, and
// the load generator neither competes for its event loop nor is counted in it. Driven over IPC by ./ingest.ts.
import { Pool } from 'undici';

export type SenderRequest =
  | { kind: 'open'; url: string; token: string; connections: number }
  | { kind: 'load'; bodies: string[]; contentType: string }
  | { kind: 'send' }
  | { kind: 'close' };
export type SenderReply = { kind: 'opened' } | { kind: 'loaded' } | { kind: 'sent'; cpuMs: number } | { kind: 'closed' };

let http: Pool | undefined;
let token = '';
let connections = 1;
let loaded: { bodies: string[]; contentType: string } = { bodies: [], contentType: 'application/json' };
const reply = (m: SenderReply) => process.send!(m);

async function post(body: string, contentType: string): Promise<void> {
  for (;;) {
    const res = await http!.request({ method: 'POST', path: '/api/v1/ingest/wazuh', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
    await res.body.dump();
    if (res.statusCode === 202) return;
    if (res.statusCode !== 503) throw new Error(`ingest answered ${res.statusCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Posts every loaded body, `connections` at once; resolves at the last acknowledgement. */
async function sendAll(): Promise<void> {
  const { bodies, contentType } = loaded;
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < bodies.length) await post(bodies[next++]!, contentType);
    }),
  );
}

process.on('message', (m: SenderRequest) => {
  void (async () => {
    if (m.kind === 'open') {
      http = new Pool(m.url, { connections: m.connections });
      token = m.token;
      connections = m.connections;
      reply({ kind: 'opened' });
    } else if (m.kind === 'load') {
      loaded = { bodies: m.bodies, contentType: m.contentType };
      reply({ kind: 'loaded' });
    } else if (m.kind === 'send') {
      const c0 = process.cpuUsage();
      await sendAll();
      const u = process.cpuUsage(c0);
      reply({ kind: 'sent', cpuMs: (u.user + u.system) / 1000 });
    } else {
      await http?.close();
      http = undefined;
      reply({ kind: 'closed' });
      process.disconnect();
    }
  })().catch((err) => {
    process.stderr.write(`ingest bench sender: ${(err as Error).stack}\n`);
    process.exit(1);
  });
});
