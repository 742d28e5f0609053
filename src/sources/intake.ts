// Where every source hands its raw records: each is checked (UTF-8, size, JSON depth, __proto__ keys), turned
// into an alert record and recorded in one transaction; unreadable ones are quarantined with their reason and
// counted, never stopping the source. Only after `record` resolves may a source acknowledge or checkpoint. In
// cluster mode the alerts go into the JetStream stream instead, and `record` resolves once JetStream has them.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import type { AlertRecord } from '../store/alerts.js';
import { quarantineRecords } from '../store/quarantine.js';
import type { Database } from '../store/schema.js';
import type { Handed, Handoff } from '../pipeline/handoff.js';
import { GroupCommit, type RecordResult } from './group-commit.js';
import { parseJson } from './ndjson.js';
import { InputError, toEvent } from '../model/event.js';

/** One raw record as a source read it: bytes (a file line, a datagram) or text, and where it came from. */
export interface RawRecord {
  data: Buffer | string;
  /** e.g. "alerts.json offset 1234", "udp 10.0.0.5:514" */
  where: string;
}

export interface Quarantined {
  reason: 'invalid-utf8' | 'too-large' | 'invalid' | 'not-an-alert';
  detail: string;
  size: number;
  sample: string;
}

export interface IntakeResult {
  accepted: number;
  duplicates: number;
  quarantined: number;
}

const SAMPLE_BYTES = 4096;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class Intake {
  private readonly commits: GroupCommit;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: Logger,
    private readonly options: {
      maxAlertBytes: number;
      onRecorded: () => void;
      metrics?: Metrics;
      handoff?: Handoff;
      clock?: Clock;
      /** Cluster mode: where accepted alerts go instead of the alerts table (the stream; src/cluster/stream.ts). */
      sink?: (batch: AlertRecord[]) => Promise<RecordResult>;
    },
  ) {
    const handoff = options.handoff;
    this.commits = new GroupCommit(
      db,
      handoff &&
        ((batches, results) => {
          // Parse once: what was just recorded goes to the pipeline as the events parsed here.
          const handed: Handed[] = [];
          batches.forEach((batch, b) =>
            results[b]!.seqs.forEach((seq, i) => {
              if (seq !== null) handed.push({ seq, event: batch[i]!.event });
            }),
          );
          handoff.push(handed);
          // The pipeline may start on them now, while the commit is made durable (../store/durability.ts).
          if (handed.length > 0) options.onRecorded();
        }),
      options.clock,
    );
  }

  /** Records alert records already read (the webhook's), sharing commits with every other source. */
  async commit(source: string, batch: AlertRecord[]): Promise<RecordResult> {
    const result = this.options.sink ? await this.options.sink(batch) : await this.commits.record(batch);
    if (result.accepted > 0) {
      this.options.metrics?.ingested.inc({ source }, result.accepted);
      // With a hand-off the pipeline was woken at the commit already.
      if (this.options.sink || !this.options.handoff) this.options.onRecorded();
    }
    if (result.duplicates > 0) this.options.metrics?.ingestDuplicates.inc({ source }, result.duplicates);
    return result;
  }

  /**
   * How many more alerts the pipeline's hand-off holds, once it has room for half of what it holds (waiting at
   * most `ms` for that; 0 when it still has not); Infinity without one. A source that can wait (the data stays
   * in its file) reads no more than this, so what it records is detected as parsed here instead of read back
   * from the store and parsed again.
   */
  async handoffRoom(ms: number): Promise<number> {
    const handoff = this.options.handoff;
    if (!handoff) return Infinity;
    const half = Math.floor(handoff.max / 2);
    await handoff.room(half, ms);
    // Still less than half free after the wait: 0, so the source does not read a whole chunk for a few lines.
    return handoff.full(half) ? 0 : handoff.max - handoff.size;
  }

  /** Reads one raw record into an alert record, or says why it cannot be read. */
  read(raw: RawRecord, source: string): AlertRecord | Quarantined {
    const size = typeof raw.data === 'string' ? Buffer.byteLength(raw.data) : raw.data.length;
    if (size > this.options.maxAlertBytes) {
      return quarantine('too-large', `${raw.where}: ${size} bytes, more than ingest.maxAlertBytes (${this.options.maxAlertBytes})`, raw.data, size);
    }
    let text: string;
    try {
      text = typeof raw.data === 'string' ? raw.data : utf8.decode(raw.data);
    } catch {
      return quarantine('invalid-utf8', `${raw.where}: not valid UTF-8`, raw.data, size);
    }
    try {
      const value = parseJson(text, raw.where);
      const event = toEvent(value, text);
      return { key: event.key, eventId: event.id, format: event.format, source, body: text, event };
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const message = err.message.startsWith(raw.where) ? err.message : `${raw.where}: ${err.message}`;
      return quarantine(/expected a JSON object/.test(message) ? 'not-an-alert' : 'invalid', message, raw.data, size);
    }
  }

  /** Records what can be read, quarantines the rest; resolves once both are durable. */
  async record(source: string, raws: RawRecord[]): Promise<IntakeResult> {
    const batch: AlertRecord[] = [];
    const bad: Quarantined[] = [];
    for (const raw of raws) {
      const r = this.read(raw, source);
      if ('reason' in r) bad.push(r);
      else batch.push(r);
    }
    if (bad.length > 0) await this.quarantine(source, bad);
    const { accepted, duplicates } = await this.commit(source, batch);
    return { accepted, duplicates, quarantined: bad.length };
  }

  async quarantine(source: string, bad: Quarantined[]): Promise<void> {
    await quarantineRecords(this.db, bad.map((b) => ({ source, ...b })));
    for (const b of bad) {
      this.options.metrics?.quarantined.inc({ source, reason: b.reason });
      this.log.warn({ source, reason: b.reason, size: b.size }, `input quarantined: ${b.detail}`);
    }
  }
}

export function quarantine(reason: Quarantined['reason'], detail: string, data: Buffer | string, size: number): Quarantined {
  const head = typeof data === 'string' ? Buffer.from(data.slice(0, SAMPLE_BYTES)) : data.subarray(0, SAMPLE_BYTES);
  let sample: string;
  try {
    sample = utf8.decode(head.subarray(0, SAMPLE_BYTES));
  } catch {
    // Cut mid-character or not text at all: keep the bytes exactly.
    sample = 'base64:' + head.subarray(0, SAMPLE_BYTES).toString('base64');
  }
  return { reason, detail, size, sample };
}
