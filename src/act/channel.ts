// One interface for every channel. Adding a channel means one file implementing it, plus its test.
import { VigilError } from '../errors.js';
import type { Notification } from './notification.js';
import type { OutboxPayload } from './payload.js';

/** What a remote system calls an incident: a ticket key, an alert id, a chat thread. Kept per incident and channel. */
export interface ExternalRef {
  externalId: string;
  /** A chat thread to reply in (Slack ts), when the channel threads. */
  thread?: string;
  url?: string;
}

export interface OutboxItem<P extends OutboxPayload = OutboxPayload> {
  id: number;
  idempotencyKey: string;
  channel: string;
  incidentId: string;
  attempts: number;
  payload: P;
  /** The incident's reference at this channel from an earlier delivery: present → update it, do not create. */
  ref?: ExternalRef;
}

/** A channel sends notifications; the active-response executor is a Channel<ResponsePayload>. */
export interface Channel<P extends OutboxPayload = Notification> {
  readonly name: string;
  /**
   * Performs the side effect. Throws on failure; the outbox retries. Must use item.idempotencyKey where the
   * remote can dedupe, and look its own item up by the incident before creating one where the remote allows.
   * Returns the remote's reference when it created (or found) one, so later revisions update it.
   */
  send(item: OutboxItem<P>): Promise<ExternalRef | void>;
  close?(): Promise<void>;
}

/**
 * The action was refused before it ran (a block a guard rail stopped): nothing was sent, retrying would not
 * change it. The outbox records it as `refused` with the reason, never as delivered.
 */
export class RefusedError extends VigilError {
  constructor(message: string) {
    super('refused', message);
  }
}

/** A remote answered with an error that retrying will not fix (bad credentials, a malformed request). */
export class PermanentError extends VigilError {
  constructor(message: string) {
    super('permanent', message);
  }
}
