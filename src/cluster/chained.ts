// Firings handed from one partition to another. A chained correlation whose group-by differs from the correlation
// it is built on (an outer rule per user over an inner rule per address and user) is owned by the partition of
// (outer rule, outer group), which is in general not the partition where the inner correlation fired. The inner's
// owner publishes each such firing to the outer's partition before its batch commits the checkpoint past the
// events that made it; the message id is the firing's detection id and the partition, so a firing made again
// after a crash, a redelivery or a rebuild is a duplicate JetStream drops. The outer's owner reads it in stream
// order with its other inputs, so a rebuild replays it too.
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { CorrelationFiring } from '../detect/correlation/engine.js';
import { firingId } from '../detect/detector.js';
import type { CorrelationRule, RuleSet } from '../detect/rules.js';
import type { Event } from '../model/index.js';

/** The header that marks a partition message as a forwarded firing rather than an alert. */
export const FIRING_HEADER = 'Vigil-Firing';

/** A firing with its rule named by id; its evidence as the events' own fields (what the outer detection shows). */
type FiringMessage = Omit<CorrelationFiring, 'rule'> & { rule: string };

/**
 * The message of a firing, within `maxBytes`: past it the oldest evidence goes first (the newest event names the
 * detection, and its count stays exact).
 */
export function encodeFiring(f: CorrelationFiring, maxBytes: number): string {
  const message = (events: Event[]) =>
    JSON.stringify({ rule: f.rule.ref.id, key: f.key, group: f.group, time: f.time, firstTime: f.firstTime, count: Math.max(f.count, f.events.length), events: events.map(({ id, key, format, time, data }) => ({ id, key, format, time, data })) } satisfies FiringMessage);
  let events = f.events;
  let body = message(events);
  while (Buffer.byteLength(body) > maxBytes && events.length > 1) {
    events = events.slice(Math.ceil(events.length / 2));
    body = message(events);
  }
  return body;
}

/** Reads firings back by their rule (the same rule set on every node). */
export class FiringReader {
  private readonly correlations = new Map<string, CorrelationRule>();

  constructor(rules: RuleSet) {
    for (const r of rules.rules) if (r.kind === 'correlation') this.correlations.set(r.ref.id, r);
  }

  /** The firing, or undefined when its rule is not loaded here (nodes started with different rules). */
  read(body: string): CorrelationFiring | undefined {
    const m = JSON.parse(body) as FiringMessage;
    const rule = this.correlations.get(m.rule);
    if (!rule) return undefined;
    return { rule, key: m.key, group: m.group, time: m.time, firstTime: m.firstTime, count: m.count, events: m.events };
  }
}

/**
 * The firings one partition's detector handed on, until its pipeline publishes them (before it commits) and
 * JetStream has acknowledged each. One message per firing and partition, however many of the outer rules there
 * need it: the receiving detector feeds every one it owns.
 */
export class Forwards {
  private readonly pending = new Map<string, { partition: number; body: string }>();
  private muting = false;

  constructor(
    private readonly partitionOf: (rule: CorrelationRule, key: string) => number,
    private readonly js: JetStreamClient,
    private readonly subject: (partition: number) => string,
    private readonly options: { timeout: number; maxBytes: () => number },
  ) {}

  get size(): number {
    return this.pending.size;
  }

  readonly forward = (f: CorrelationFiring, to: CorrelationRule, key: string): void => {
    if (this.muting) return;
    const partition = this.partitionOf(to, key);
    const id = `firing:${firingId(f)}:${partition}`;
    if (!this.pending.has(id)) this.pending.set(id, { partition, body: encodeFiring(f, this.options.maxBytes()) });
  };

  /** Publishes what is pending; kept when JetStream does not acknowledge, to be published with the next batch. */
  readonly publish = async (): Promise<void> => {
    if (this.pending.size === 0) return;
    const sent = [...this.pending];
    await Promise.all(
      sent.map(([id, { partition, body }]) => {
        const h = natsHeaders();
        h.set(FIRING_HEADER, '1');
        return this.js.publish(this.subject(partition), body, { msgID: id, headers: h, timeout: this.options.timeout });
      }),
    );
    for (const [id] of sent) this.pending.delete(id);
  };

  /**
   * Runs a rebuild's detection, whose firings are not handed on: they were published before the checkpoint
   * passed the events that made them.
   */
  muted(rebuild: () => void): void {
    this.muting = true;
    try {
      rebuild();
    } finally {
      this.muting = false;
    }
  }
}
