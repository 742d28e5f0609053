// Issue 7 (actions): external references per incident and channel, and the active-response ledger.
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './util.js';

export const m0700_actions: Migration = {
  async up(db: Kysely<any>) {
    // What a remote system calls the incident (ticket key, alert id, chat thread), so updates land on it.
    await createTable(db, 'action_refs', 'incident_id text, channel text, external_id text, thread text?, url text?, created_at bigint, updated_at bigint', {
      primaryKey: ['incident_id', 'channel'],
    });

    // One row per requested block: its guard verdict, approval, execution and unblock. The ledger of offences.
    await createTable(
      db,
      'responses',
      `id id, incident_id text, playbook text, address text, agents_json text, mode text, state text, offence integer,
       duration_ms bigint, approval_expires_at bigint?, approval_used_at bigint?, blocked_at bigint?, unblock_at bigint?,
       unblocked_at bigint?, decided_by text?, reason text?, created_at bigint, updated_at bigint`,
      { indexes: { responses_address: 'address, blocked_at', responses_incident: 'incident_id', responses_blocked_at: 'blocked_at' } },
    );
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'responses', 'action_refs');
  },
};
