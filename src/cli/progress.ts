// A progress bar on stderr, drawn only when stderr is a terminal.
import { systemClock } from '../clock.js';
import type { WriteStream } from 'node:tty';

export class Progress {
  private last = 0;
  constructor(
    private readonly stream: NodeJS.WriteStream | WriteStream,
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number): void {
    const now = systemClock();
    if (now - this.last < 100) return;
    this.last = now;
    const width = 30;
    const ratio = Math.min(1, done / this.total);
    const filled = Math.round(ratio * width);
    this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0)}%`);
  }

  done(): void {
    this.last = 0;
    this.update(this.total);
    this.stream.write('\n');
  }
}
