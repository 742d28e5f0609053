// A circuit breaker per channel. After `threshold` consecutive failures the channel is open: its actions wait
// (their attempts are not spent) until `cooldown` passes, then one action probes it. A success closes it.
import { systemClock, type Clock } from '../clock.js';

export class Breaker {
  private failures = 0;
  private openUntil = 0;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.threshold) return 'closed';
    return this.clock() < this.openUntil ? 'open' : 'half-open';
  }

  allows(now: number): boolean {
    return now >= this.openUntil;
  }

  success(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  failure(now: number): void {
    this.failures++;
    // In half-open state a single failed probe opens it again for a full cooldown.
    if (this.failures >= this.threshold) this.openUntil = now + this.cooldownMs;
  }
}
