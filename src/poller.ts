// A background pass that runs every `pollMs` and at once when woken; never two passes at a time. A wake
// during a pass runs another right after it, so work queued meanwhile does not wait for the next poll.
import type { Logger } from 'pino';

export class Poller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private again = false;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly pollMs: number,
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.again = false;
      this.running = this.pass()
        .then(() => undefined)
        .catch((err) => this.log.error({ err }, `${this.what} failed`))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.again ? 0 : this.pollMs);
        });
    }, ms);
  }
}
