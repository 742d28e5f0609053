// The loop a polling source runs: call its step until stopped, sleeping `interval` whenever a step made no
// progress (or failed: the error is logged and the step tried again), wakeable at once by stop().
export class PollLoop {
  private stopped = true;
  private running?: Promise<void>;
  private wake?: () => void;

  constructor(
    /** One step; true when it moved something and the next step should follow at once. */
    private readonly step: () => Promise<boolean>,
    private readonly interval: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let progressed = false;
      try {
        progressed = await this.step();
      } catch (err) {
        this.onError(err);
      }
      if (progressed || this.stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.interval());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
