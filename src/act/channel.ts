// One interface for every channel. Adding a channel means one file implementing it, plus its test.
export interface OutboxItem {
  id: number;
  idempotencyKey: string;
  channel: string;
  incidentId: string;
  attempts: number;
  payload: Record<string, unknown>;
}

export interface Channel {
  readonly name: string;
  /** Performs the side effect. Throws on failure; the outbox retries. Must use item.idempotencyKey where the remote can dedupe. */
  send(item: OutboxItem): Promise<void>;
  close?(): Promise<void>;
}
