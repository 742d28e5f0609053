// Parse once: the events intake parsed, handed to the pipeline in memory under the sequence numbers their
// commit gave them, so the pipeline never reads back and re-parses what was just recorded. The store stays the
// truth: after a restart, or when the pipeline falls so far behind that the hand-off would exceed its bound, the
// runner reads the alerts table instead (and parses what it reads) until it reaches what memory holds again.
//
// Coverage is one contiguous range (from, to]: every alert recorded with a sequence number in it is held here or
// was taken. That rests on intake being the only writer of the alerts table, one commit at a time (GroupCommit),
// so sequence numbers of later commits are higher; gaps inside a range are numbers a conflict consumed.
import type { Event } from '../model/index.js';

export interface Handed {
  seq: number;
  /** Undefined when the source recorded it without parsing it: the runner must read the store for it. */
  event?: Event;
}

export class Handoff {
  private held: Handed[] = [];
  /** Index of the first entry not yet taken. */
  private start = 0;
  private from = Infinity;
  private to = -Infinity;
  /** Events dropped for the bound (still in the store: the runner reads them back). */
  dropped = 0;
  /**
   * The highest sequence number pushed (held or dropped). A commit is visible to readers of the store a moment
   * before it is pushed here (while it is made durable): the runner reads the store only up to this, so it never
   * reads back, and parses again, what is about to be handed to it.
   */
  announced = 0;

  /** Sources waiting for room (`room`), woken as the pipeline releases what it handled. */
  private waiters: (() => void)[] = [];

  /** @param max most events held; beyond it the hand-off is dropped and the runner reads the store. */
  constructor(readonly max = 10_000) {}

  /** True while this many more events would not fit (a source that can wait should, rather than overflow it). */
  full(more: number): boolean {
    return this.size + more > this.max;
  }

  /**
   * Resolves once `more` events fit, or after `ms` whichever comes first: a source that reads at its own pace
   * (the alerts file) waits here instead of overflowing the hand-off, which would make the pipeline read back and
   * parse again what it outran.
   */
  room(more: number, ms: number): Promise<void> {
    if (!this.full(more)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        // Gone from the list however it was woken: a source that keeps timing out while the pipeline is stalled
        // leaves nothing behind per wait.
        const at = this.waiters.indexOf(done);
        if (at >= 0) this.waiters.splice(at, 1);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }

  get size(): number {
    return this.held.length - this.start;
  }

  /** One commit's new records, in sequence order. */
  push(entries: Handed[]): void {
    if (entries.length === 0) return;
    const first = entries[0]!.seq;
    const last = entries[entries.length - 1]!.seq;
    this.announced = Math.max(this.announced, last);
    if (first <= this.to || this.size + entries.length > this.max || entries.some((e) => e.event === undefined)) {
      // Out of order (not expected: one writer) or over the bound: start afresh after this commit.
      this.dropped += this.size + entries.length;
      this.held = [];
      this.start = 0;
      this.from = this.to = last;
      return;
    }
    if (this.size === 0 && this.to === -Infinity) this.from = first - 1;
    for (const e of entries) this.held.push(e);
    this.to = last;
  }

  /**
   * Up to `limit` events recorded after `position`, oldest first; null when memory does not cover `position`
   * (read the store instead). An empty list means nothing newer has been recorded.
   */
  take(position: number, limit: number): Required<Handed>[] | null {
    if (!(position >= this.from)) return null;
    while (this.start < this.held.length && this.held[this.start]!.seq <= position) this.start++;
    return this.held.slice(this.start, this.start + limit) as Required<Handed>[];
  }

  /** The pipeline committed everything up to `position`: those entries can go. */
  release(position: number): void {
    while (this.start < this.held.length && this.held[this.start]!.seq <= position) this.start++;
    if (this.start > 1024 && this.start * 2 > this.held.length) {
      this.held = this.held.slice(this.start);
      this.start = 0;
    }
    if (this.waiters.length > 0) {
      const waiting = this.waiters;
      this.waiters = [];
      for (const w of waiting) w();
    }
  }
}
