// Follows Wazuh's alerts.json like a log shipper. The checkpoint (inode + byte offset, in the cursors table) moves
// only after the lines before it are recorded, so a crash re-reads at most one batch (deduplicated by alert key)
// and never skips one. A partial last line waits until its newline arrives. Rotation (a new inode at the path)
// drains the old file first; truncation (the file shrank) starts it again from 0.
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { componentSchema, defineComponent } from '../config/component.js';
import { duration } from '../config/fragments.js';
import type { SourceDeps } from './source.js';
import type { Metrics } from '../metrics.js';
import { getCursor, setCursor } from '../store/cursors.js';
import type { Database } from '../store/schema.js';
import type { Backlog } from './backlog.js';
import { quarantine, type Intake, type RawRecord } from './intake.js';
import { Poller } from '../poller.js';

export const alertsFileSchema = componentSchema({
  /** The alerts file Wazuh writes (alerts.json, one alert per line). */
  path: z.string().default('/var/ossec/logs/alerts/alerts.json'),
  /** With no checkpoint yet: read the file from its beginning, or only what is written from now on. */
  startAt: z.enum(['end', 'beginning']).default('end'),
  /** How often the file is checked for new lines, rotation and truncation. */
  pollInterval: duration.default(250),
});

export type AlertsFileConfig = z.infer<typeof alertsFileSchema>;

export const SOURCE = 'alerts-file';
/** Bytes read per pass: large enough for thousands of alerts, small enough to bound memory. */
const CHUNK = 4 * 1024 * 1024;

interface Checkpoint {
  ino: string;
  offset: number;
  /** Inside an over-long line that was quarantined: discard bytes up to the next newline. */
  skip?: boolean;
}

interface Reader extends Checkpoint {
  fh: FileHandle;
  path: string;
}

export interface AlertsFileDeps {
  db: Kysely<Database>;
  intake: Intake;
  log: Logger;
  backlog?: Backlog;
  metrics?: Metrics;
  maxAlertBytes: number;
}

export class AlertsFileSource {
  private reader?: Reader;
  private readonly loop: Poller;
  /** The file did not exist at the first start: read it from its beginning once it does. */
  private appeared = false;
  readonly cursorName: string;

  constructor(
    private readonly config: Pick<AlertsFileConfig, 'path' | 'startAt' | 'pollInterval'>,
    private readonly deps: AlertsFileDeps,
  ) {
    this.cursorName = `file:${config.path}`;
    this.loop = new Poller(() => this.step(), {
      every: () => config.pollInterval,
      untilIdle: true,
      onError: (err) => deps.log.error({ err, path: config.path }, 'alerts file: pass failed; retrying'),
    });
  }

  async start(): Promise<void> {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.reader?.fh.close().catch(() => {});
    this.reader = undefined;
  }

  /** Reads unless the pipeline is behind, or its hand-off has no room for another chunk's alerts. */
  private async step(): Promise<boolean> {
    if (this.deps.backlog && (await this.deps.backlog.behind())) {
      this.deps.metrics?.backpressure.inc({ source: SOURCE });
      return false;
    }
    const room = await this.deps.intake.handoffRoom(this.config.pollInterval);
    if (room === 0) return false;
    return this.pass(room);
  }

  /** One step: open or switch files, read and record what is complete (at most `lines` lines). True if anything moved. */
  async pass(lines = Infinity): Promise<boolean> {
    if (!this.reader) {
      this.reader = await this.openAtCheckpoint();
      if (!this.reader) return false;
    }
    const r = this.reader;
    const size = (await r.fh.stat()).size;
    if (size < r.offset) {
      this.deps.log.warn({ path: r.path, size, offset: r.offset }, 'alerts file was truncated; reading it again from the start');
      r.offset = 0;
      r.skip = false;
      await this.save(r);
    }
    if (size > r.offset && (await this.readChunk(r, false, lines))) return true;
    // Nothing complete left to read: has the path moved on to a new file (rotation)?
    const current = await inodeOf(this.config.path);
    if (current === undefined || current === r.ino) return false;
    // Drain the old file; a last line left without its newline is taken as complete.
    while (await this.readChunk(r, true));
    await r.fh.close();
    this.deps.log.info({ path: this.config.path, oldInode: r.ino, newInode: current }, 'alerts file rotated; following the new file');
    this.reader = await this.openFile(this.config.path, { ino: current, offset: 0 });
    if (this.reader) await this.save(this.reader);
    return true;
  }

  /** Reads from the offset, records every complete line (up to `lines`), then moves the checkpoint past them. */
  private async readChunk(r: Reader, final: boolean, lines = Infinity): Promise<boolean> {
    const buf = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await r.fh.read(buf, 0, CHUNK, r.offset);
    if (bytesRead === 0) return false;
    const data = buf.subarray(0, bytesRead);
    const raws: RawRecord[] = [];
    let start = 0;
    let consumed = 0;
    let skip = r.skip ?? false;
    let taken = 0;
    for (;;) {
      // Enough for now: the rest of the chunk is read again by the next pass.
      if (taken >= lines) break;
      const nl = data.indexOf(10, start);
      if (nl < 0) break;
      taken++;
      if (!skip) pushLine(raws, data.subarray(start, nl), `${basename(r.path)} offset ${r.offset + start}`);
      skip = false;
      start = nl + 1;
      consumed = start;
    }
    const rest = bytesRead - consumed;
    if (taken >= lines) {
      // Stopped at the limit, not at the end of what was read: nothing is left over to judge.
    } else if (final && rest > 0 && !skip) {
      pushLine(raws, data.subarray(consumed), `${basename(r.path)} offset ${r.offset + consumed}`);
      consumed = bytesRead;
    } else if (rest > this.deps.maxAlertBytes || (consumed === 0 && bytesRead === CHUNK)) {
      // A line longer than any alert may be: quarantine its head and skip to its end, so the file moves on.
      if (!skip) {
        await this.deps.intake.quarantine(SOURCE, [
          quarantine('too-large', `${basename(r.path)} offset ${r.offset + consumed}: a line longer than ingest.maxAlertBytes (${this.deps.maxAlertBytes})`, data.subarray(consumed), rest),
        ]);
      }
      skip = true;
      consumed = bytesRead;
    }
    if (raws.length > 0) await this.deps.intake.record(SOURCE, raws);
    if (consumed === 0) return false;
    r.offset += consumed;
    r.skip = skip;
    await this.save(r);
    return true;
  }

  private async save(r: Reader): Promise<void> {
    const value: Checkpoint = { ino: r.ino, offset: r.offset, ...(r.skip ? { skip: true } : {}) };
    await setCursor(this.deps.db, this.cursorName, JSON.stringify(value));
  }

  /** Where to start: the checkpoint (same file, or the rotated one found by inode), or the configured end. */
  private async openAtCheckpoint(): Promise<Reader | undefined> {
    const path = this.config.path;
    const ino = await inodeOf(path);
    const saved = await getCursor(this.deps.db, this.cursorName);
    if (saved) {
      const cp = JSON.parse(saved) as Checkpoint;
      if (cp.ino === ino) return this.openFile(path, cp);
      // Rotated while Vigil was down: finish the old file if it is still around (renamed beside the path, or
      // moved into Wazuh's logs/alerts/YYYY/Mon/ tree and not yet compressed).
      const old = await findByInode(dirname(path), cp.ino, 3);
      if (old) {
        this.deps.log.info({ path: old, offset: cp.offset }, 'alerts file rotated while stopped; finishing the rotated file first');
        return this.openFile(old, cp);
      }
      if (ino === undefined) return undefined;
      this.deps.log.warn(
        { path, oldInode: cp.ino },
        'alerts file rotated while stopped and the old file is gone or compressed; alerts written to it after the checkpoint must be replayed by hand (vigil replay)',
      );
      const r = await this.openFile(path, { ino, offset: 0 });
      if (r) await this.save(r);
      return r;
    }
    if (ino === undefined) {
      // Not there yet: when it appears, everything in it is new.
      this.appeared = true;
      return undefined;
    }
    const fh = await open(path, 'r');
    const size = (await fh.stat()).size;
    let cp: Checkpoint = { ino, offset: 0 };
    if (this.config.startAt === 'end' && !this.appeared && size > 0) {
      // Start after the last complete line; a line still being written is skipped up to its newline.
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      cp = { ino, offset: size, skip: last[0] !== 10 };
    }
    const r: Reader = { fh, path, ...cp };
    // Saved at once: a restart must continue from here, not jump to the end again.
    await this.save(r);
    return r;
  }

  private async openFile(path: string, cp: Checkpoint): Promise<Reader | undefined> {
    try {
      return { fh: await open(path, 'r'), path, ...cp };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

function pushLine(raws: RawRecord[], line: Buffer, where: string): void {
  const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
  if (end === 0) return;
  raws.push({ data: line.subarray(0, end), where });
}

async function inodeOf(path: string): Promise<string | undefined> {
  try {
    return String((await stat(path, { bigint: true })).ino);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function findByInode(dir: string, ino: string, depth: number): Promise<string | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isFile() && (await inodeOf(full)) === ino) return full;
  }
  if (depth > 0) {
    for (const e of entries) if (e.isDirectory()) {
      const found = await findByInode(join(dir, e.name), ino, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

export const alertsFileSource = defineComponent({
  name: 'alertsFile',
  configSchema: alertsFileSchema,
  create: (config: AlertsFileConfig, deps: SourceDeps) => new AlertsFileSource(config, deps),
  // One reader per path in a cluster: its checkpoint (`file:<path>`) is one row of the shared store.
  lease: (config: AlertsFileConfig) => `source:file:${config.path}`,
});
