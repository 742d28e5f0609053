// The documents of rule files, in order. Parsing YAML is nearly half of loading a large corpus and compiling the
// rest, both one thread's work: with many files a second thread (rule-parse-worker.ts) parses while this one
// compiles. Each file is claimed by whichever thread comes to it first, so this thread waits at most for the one
// file the other is parsing: it parses the first files itself while the other starts, and any it catches up on.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { RuleDocument } from './rule-documents.js';

/** What the parsing thread is given: the files, a claim flag per file, and where to post their documents. */
export interface ParseJob {
  files: string[];
  claims: SharedArrayBuffer;
  port: MessagePort;
}

/** The documents of `files[i]`, or null for a file the parsing thread leaves to the loading thread. */
export interface Parsed {
  i: number;
  docs: RuleDocument[] | null;
}

/**
 * From how many files a second thread parses. Starting one takes some 50 ms of the other core before it
 * parses a file, and a few milliseconds of this thread; a pack of a hundred files or so (the built-in rules are
 * twenty-six files) is loaded in little more than that, so it is left to this thread alone.
 */
export const THREAD_FROM = 200;

/** Hands out each file's documents in order; `close()` ends the thread, whether or not every file was asked for. */
export class RuleReader {
  private readonly got: (RuleDocument[] | null | undefined)[] = [];
  private readonly claimed?: Int32Array;
  private readonly port?: MessagePort;
  private readonly worker?: Worker;
  private gone = false;
  /** The file to try next when this thread parses ahead: the other thread claims from the front. */
  private back: number;
  /** Settles when the parsing thread has ended (at once without one). */
  readonly ended: Promise<void> = Promise.resolve();
  /** Ends a wait for the file being parsed there. */
  private wake?: () => void;

  /** `read`: a file's documents as the loader reads them (with the YAML error fallback), on this thread. */
  constructor(
    private readonly files: string[],
    private readonly read: (file: string) => RuleDocument[],
  ) {
    this.back = files.length - 1;
    if (files.length < THREAD_FROM) return;
    this.claimed = new Int32Array(new SharedArrayBuffer(4 * files.length));
    const { port1, port2 } = new MessageChannel();
    // Taken here as they come while this thread waits (the event loop turns), and at once when it asks.
    port1.on('message', (m: Parsed) => this.keep(m));
    this.port = port1;
    const job: ParseJob = { files, claims: this.claimed.buffer as SharedArrayBuffer, port: port2 };
    const worker = new Worker(new URL('./rule-parse-worker.js', import.meta.url), { workerData: job, transferList: [port2] });
    // A thread that failed or ended leaves this one the files it did not post; a wait for one of them ends.
    const gone = () => {
      this.gone = true;
      this.wake?.();
    };
    worker.on('error', gone);
    this.ended = new Promise((resolve) =>
      worker.on('exit', () => {
        gone();
        resolve();
      }),
    );
    this.worker = worker;
  }

  /** The documents of `files[i]`, asked for in order; a read or parse error is thrown as `read` throws it. */
  async documents(i: number): Promise<RuleDocument[]> {
    const { claimed, port } = this;
    if (!claimed || !port) return this.read(this.files[i]!);
    for (;;) {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) this.keep(m.message as Parsed);
      const docs = this.received(i);
      if (docs) return docs;
      // Not posted: unclaimed (this thread is ahead, so it parses the file), or being parsed there.
      if (this.gone || Atomics.compareExchange(claimed, i, 0, 1) === 0) return this.read(this.files[i]!);
      // Rather than wait idle, parse a file the other thread has not come to yet, from the end.
      if (this.stealOne(claimed)) continue;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Parses the last file no thread has claimed yet, kept for when it is asked for; false when there is none. */
  private stealOne(claimed: Int32Array): boolean {
    // The other thread claims in order from the front: once it holds this file it holds every one before it.
    if (this.back >= 0 && Atomics.compareExchange(claimed, this.back, 0, 1) !== 0) this.back = -1;
    if (this.back < 0) return false;
    const k = this.back--;
    try {
      this.got[k] = this.read(this.files[k]!);
    } catch {
      this.got[k] = null; // read again when asked for, to throw there, in order
    }
    return true;
  }

  private keep({ i, docs }: Parsed): void {
    this.got[i] = docs;
    this.wake?.();
    this.wake = undefined;
  }

  /** The documents of `files[i]` if the thread posted them (its null: read here). */
  private received(i: number): RuleDocument[] | undefined {
    const docs = this.got[i];
    if (docs === undefined) return undefined;
    this.got[i] = undefined;
    return docs ?? this.read(this.files[i]!);
  }

  close(): void {
    this.gone = true;
    this.port?.close();
    void this.worker?.terminate();
  }
}
