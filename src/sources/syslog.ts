// Receives alerts over syslog: UDP (what Wazuh's csyslogd sends) and TCP (octet-counted or newline framing, e.g.
// relayed by rsyslog). Messages are recorded in small batches; syslog has no acknowledgement, so a TCP peer is
// slowed down instead (its socket paused) while the pipeline is behind or a batch is being written.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { z } from 'zod';
import { componentSchema, defineComponent } from '../config/component.js';
import { hostPort } from '../config/fragments.js';
import type { SourceDeps } from './source.js';
import type { Metrics } from '../metrics.js';
import type { Backlog } from './backlog.js';
import { quarantine, type Intake, type RawRecord } from './intake.js';
import { parseSyslog, SyslogFramer } from './syslog-message.js';

export const syslogSchema = componentSchema({
  /** UDP HOST:PORT (Wazuh's syslog_output sends UDP); empty: off. */
  udp: hostPort.default('127.0.0.1:5514'),
  /** TCP HOST:PORT (octet-counted or newline framing, e.g. through rsyslog); empty: off. */
  tcp: hostPort.default(''),
});

export type SyslogConfig = z.infer<typeof syslogSchema>;

export const SOURCE = 'syslog';
const BATCH = 500;
const FLUSH_MS = 20;

export interface SyslogDeps {
  intake: Intake;
  log: Logger;
  backlog?: Pick<Backlog, 'behind'>;
  metrics?: Metrics;
  maxAlertBytes: number;
}

function splitHostPort(hp: string): { host: string; port: number } {
  const i = hp.lastIndexOf(':');
  return { host: hp.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hp.slice(i + 1)) };
}

export class SyslogSource {
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly sockets = new Set<Socket>();
  private queue: RawRecord[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Addresses actually bound (port 0 in tests becomes a real port). */
  udpAddress?: { host: string; port: number };
  tcpAddress?: { host: string; port: number };

  constructor(
    private readonly config: Pick<SyslogConfig, 'udp' | 'tcp'>,
    private readonly deps: SyslogDeps,
  ) {}

  async start(): Promise<void> {
    if (this.config.udp) {
      const { host, port } = splitHostPort(this.config.udp);
      const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      sock.on('message', (msg, rinfo) => this.accept(msg, `udp ${rinfo.address}:${rinfo.port}`));
      sock.on('error', (err) => this.deps.log.error({ err }, 'syslog: UDP socket error'));
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(port, host, () => resolve());
      });
      // A larger receive buffer rides out bursts while a batch is being written.
      try {
        sock.setRecvBufferSize(8 * 1024 * 1024);
      } catch {
        // capped by the kernel (net.core.rmem_max): keep its default
      }
      this.udp = sock;
      const a = sock.address();
      this.udpAddress = { host: a.address, port: a.port };
      this.deps.log.info({ udp: `${a.address}:${a.port}` }, 'syslog: listening');
    }
    if (this.config.tcp) {
      const { host, port } = splitHostPort(this.config.tcp);
      const server = createServer((socket) => this.connection(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      this.tcp = server;
      const a = server.address() as { address: string; port: number };
      this.tcpAddress = { host: a.address, port: a.port };
      this.deps.log.info({ tcp: `${a.address}:${a.port}` }, 'syslog: listening');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.udp?.close();
    for (const s of this.sockets) s.destroy();
    if (this.tcp) await new Promise<void>((r) => this.tcp!.close(() => r()));
    clearTimeout(this.timer);
    await this.flush();
  }

  private connection(socket: Socket): void {
    this.sockets.add(socket);
    const where = `tcp ${socket.remoteAddress}:${socket.remotePort}`;
    const framer = new SyslogFramer(this.deps.maxAlertBytes);
    socket.on('data', (chunk) => {
      framer.push(
        chunk,
        (frame) => this.accept(frame, where),
        (size, head) => void this.deps.intake.quarantine(SOURCE, [quarantine('too-large', `${where}: a ${size}-byte message, more than ingest.maxAlertBytes`, head, size)]),
      );
      if (this.queue.length >= BATCH) {
        // Hold the peer until the batch is written (and the pipeline has room): TCP carries the backpressure.
        socket.pause();
        void this.flush().then(() => socket.resume());
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private accept(frame: Buffer, where: string): void {
    const { payload } = parseSyslog(frame);
    this.queue.push({ data: payload, where });
    if (this.queue.length >= BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Records what is queued; batches are written one after another, in arrival order. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(async () => {
      while (!this.stopped && this.deps.backlog && (await this.deps.backlog.behind())) {
        this.deps.metrics?.backpressure.inc({ source: SOURCE });
        await new Promise((r) => setTimeout(r, 100));
      }
      const batch = this.queue;
      this.queue = [];
      if (batch.length === 0) return;
      try {
        await this.deps.intake.record(SOURCE, batch);
      } catch (err) {
        // The store is failing: keep the batch for the next flush rather than dropping it.
        this.deps.log.error({ err, messages: batch.length }, 'syslog: recording failed; will retry');
        this.queue = batch.concat(this.queue);
        this.timer ??= setTimeout(() => void this.flush(), 1000);
      }
    });
    return this.flushing;
  }
}

export const syslogSource = defineComponent({
  name: 'syslog',
  configSchema: syslogSchema,
  create: (config: SyslogConfig, deps: SourceDeps) => new SyslogSource(config, deps),
});
