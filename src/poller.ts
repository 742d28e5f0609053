// The one scheduler. A background pass runs every `every` ms and at once when woken; never two passes at a time.
// A wake during a pass runs another right after it, so work queued meanwhile does not wait for the next poll.
// In `untilIdle` mode a pass that reports progress (returns true) is followed at once: a source drains what it
// can read, then sleeps. A failed pass is reported and tried again after the interval.
// A pass due now runs on setImmediate, not setTimeout(0): Node makes a zero timeout at least 1 ms, and a detection's
// way to the mail crosses several pollers (alert runner, enrichment broker, outbox), each of which would add it.

export interface PollerOptions {
  /** Pause between passes in ms; a function when the interval may change while running. */
  every: number | (() => number);
  /** What a failed pass does (logs it, usually). */
  onError: (err: unknown) => void;
  /** A pass that returns true is followed at once instead of after the interval. */
  untilIdle?: boolean;
  /** The first pass waits for the interval instead of running at start. */
  delayFirst?: boolean;
  /** The timer does not keep the process alive. */
  unref?: boolean;
}

export class Poller {
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Immediate;
  private running?: Promise<void>;
  private stopped = true;
  private again = false;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly options: PollerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.options.delayFirst ? this.interval() : 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clear();
    await this.running;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private interval(): number {
    const { every } = this.options;
    return typeof every === 'function' ? every() : every;
  }

  private clear(): void {
    clearTimeout(this.timer);
    clearImmediate(this.soon);
    this.timer = this.soon = undefined;
  }

  private schedule(ms: number): void {
    if (ms <= 0 && this.soon) return; // already due now: several wakes in one turn make one pass
    this.clear();
    const run = () => {
      this.timer = this.soon = undefined;
      this.again = false;
      this.running = this.pass()
        .then((result) => {
          if (this.options.untilIdle && result === true) this.again = true;
        })
        .catch((err) => this.options.onError(err))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.again ? 0 : this.interval());
        });
    };
    if (ms <= 0) {
      this.soon = setImmediate(run);
      if (this.options.unref) this.soon.unref();
    } else {
      this.timer = setTimeout(run, ms);
      if (this.options.unref) this.timer.unref();
    }
  }
}
