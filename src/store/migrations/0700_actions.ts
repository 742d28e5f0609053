// Issue 7 (actions): external references per incident and channel, and the active-response ledger.
import type { Kysely, Migration } from 'kysely';
import { idColumn } from './util.js';

export const m0700_actions: Migration = {
  async up(db: Kysely<any>) {
    // What a remote system calls the incident (ticket key, alert id, chat thread), so updates land on it.
    await db.schema
      .createTable('action_refs')
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('thread', 'text')
      .addColumn('url', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('action_refs_pk', ['incident_id', 'channel'])
      .execute();

    // One row per requested block: its guard verdict, approval, execution and unblock. The ledger of offences.
    await db.schema
      .createTable('responses')
      .addColumn('id', ...idColumn(db))
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('playbook', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('agents_json', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('offence', 'integer', (c) => c.notNull())
      .addColumn('duration_ms', 'bigint', (c) => c.notNull())
      .addColumn('approval_expires_at', 'bigint')
      .addColumn('approval_used_at', 'bigint')
      .addColumn('blocked_at', 'bigint')
      .addColumn('unblock_at', 'bigint')
      .addColumn('unblocked_at', 'bigint')
      .addColumn('decided_by', 'text')
      .addColumn('reason', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('responses_address').on('responses').columns(['address', 'blocked_at']).execute();
    await db.schema.createIndex('responses_incident').on('responses').column('incident_id').execute();
    await db.schema.createIndex('responses_blocked_at').on('responses').column('blocked_at').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('responses').execute();
    await db.schema.dropTable('action_refs').execute();
  },
};
