// The one event bus: how stages tell each other that something happened, without holding each other. A stage
// is given the bus at construction and emits; who listens is declared in one place (src/vigil.ts, wire()). Any
// number of listeners may hear an event, so a second user of an event never replaces the first.
import type { Detection } from './model/index.js';
import type { QuarantineRow } from './store/quarantine.js';

export interface VigilEvents {
  /** A new detection, after its batch committed (metrics count it, replay prints it). */
  detection: Detection;
  /** Records a batch set aside (ingest_quarantine), after it committed. */
  quarantined: QuarantineRow[];
  /** Actions were queued or made due: the outbox should run now, not at its next poll. */
  actionsQueued: void;
  /** New incidents have lookups queued: the enrichment broker should run. */
  lookupsQueued: void;
  /** Fresh detections were triaged: LLM summaries may be due. */
  triaged: void;
  /** These incidents have no lookup pending any more: their notifications need not wait. */
  lookupsSettled: string[];
  /**
   * New answers arrived for these incidents (verdicts may change their severity). Awaited by the broker before it
   * says which incidents are settled, so a notification still waiting goes out at the raised level.
   */
  lookupsAnswered: string[];
  /** After that, and after the waiting notifications were released: their summaries may say more. Awaited by the broker. */
  answersRecorded: string[];
}

type Listener<K extends keyof VigilEvents> = (payload: VigilEvents[K]) => unknown;

export class EventBus {
  private readonly listeners = new Map<keyof VigilEvents, Listener<never>[]>();

  /** `onError` hears a listener that failed on `emit` (the emitter is never the one to pay for it). */
  constructor(private readonly onError: (err: unknown, event: keyof VigilEvents) => void = () => {}) {}

  on<K extends keyof VigilEvents>(event: K, listener: Listener<K>): void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as Listener<never>);
    this.listeners.set(event, list);
  }

  /** Tells every listener; does not wait for them. */
  emit<K extends keyof VigilEvents>(event: K, ...payload: VigilEvents[K] extends void ? [] : [VigilEvents[K]]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        const r = (l as Listener<K>)(payload[0] as VigilEvents[K]);
        if (r instanceof Promise) r.catch((err) => this.onError(err, event));
      } catch (err) {
        this.onError(err, event);
      }
    }
  }

  /** Tells every listener in turn and waits for each; a failure reaches the emitter. */
  async emitAndWait<K extends keyof VigilEvents>(event: K, payload: VigilEvents[K]): Promise<void> {
    for (const l of this.listeners.get(event) ?? []) await (l as Listener<K>)(payload);
  }
}
