// Auto-resolve: an incident that has had no new detection for the quiet period is resolved (and people hear
// of it). The sweep takes `now`, so tests drive it deterministically; in serve mode a timer runs it.
import type { Logger } from 'pino';
import { Poller } from '../poller.js';
import { resolveIn } from './analyst.js';
import { clock, type TriageContext } from './context.js';
import { findIncidentForChange, quietIncidents } from './record.js';
import type { ChangeResult } from './types.js';

export async function autoResolve(ctx: TriageContext, quietPeriod: number, now = clock(ctx)): Promise<ChangeResult[]> {
  const cutoff = now - quietPeriod;
  const rows = await quietIncidents(ctx.db, cutoff, 500);
  const out: ChangeResult[] = [];
  for (const row of rows) {
    const result = await ctx.db.transaction().execute(async (trx) => {
      // Re-read inside the transaction: a detection may have extended it since the select.
      // Locked: another node's fold of a new detection waits, or has been seen.
      const fresh = await findIncidentForChange(trx, row.id);
      if (!fresh || fresh.status === 'resolved' || (fresh.lastDetectionAt ?? fresh.createdAt) >= cutoff) return undefined;
      const minutes = Math.round(quietPeriod / 60_000);
      return resolveIn(trx, ctx, fresh, { actor: 'system', comment: `no new detection for ${minutes} minutes` }, 'auto', now);
    });
    if (result) out.push(result);
  }
  return out;
}

/** Runs the sweep every `interval` in serve mode (on the leader, when several nodes share the store). */
export class LifecycleScheduler {
  private running?: Promise<unknown>;
  private readonly poller: Poller;

  constructor(
    private readonly ctx: TriageContext,
    private readonly quietPeriod: number,
    private readonly interval: number,
    private readonly log: Logger,
    private readonly onChanges: (changes: ChangeResult[]) => void = () => {},
    /** Whether this node runs the sweep now: several nodes on one store sweep on the leader only. */
    private readonly leads: () => boolean = () => true,
  ) {
    // tick() reports its own failures, so the poller's onError is never reached.
    this.poller = new Poller(() => this.tick(), { every: interval, delayFirst: true, unref: true, onError: () => {} });
  }

  start(): void {
    this.poller.start();
  }

  async tick(now = clock(this.ctx)): Promise<ChangeResult[]> {
    if (this.running || !this.leads()) return [];
    const run = autoResolve(this.ctx, this.quietPeriod, now);
    this.running = run;
    try {
      const changes = await run;
      if (changes.length > 0) {
        this.log.info({ resolved: changes.map((c) => c.incident.id) }, 'incidents resolved after their quiet period');
        this.onChanges(changes);
      }
      return changes;
    } catch (err) {
      this.log.error({ err }, 'auto-resolve sweep failed');
      return [];
    } finally {
      this.running = undefined;
    }
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    await this.running;
  }
}
