// What an action carries in the outbox: a tagged union. A notification (kind `incident.opened`, the message
// people get, with its `change`) goes to a channel; a response command (tagged by `op`) goes to the
// active-response executor. Stored as JSON in outbox.payload_json; read back as this type, never cast.
import type { Notification } from './notification.js';

export interface ResponsePayload {
  op: 'block' | 'unblock';
  /** The responses row to carry out. */
  response: number;
}

export type OutboxPayload = Notification | ResponsePayload;

export function isResponsePayload(p: OutboxPayload): p is ResponsePayload {
  return 'op' in p;
}
