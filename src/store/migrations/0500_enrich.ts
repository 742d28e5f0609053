// Enrichment: the lookups of each incident (which are also the queue of lookups to make), the result
// cache, and each provider's spent quota — all persisted, so a restart neither repeats a paid lookup nor
// resets the day's budget.
import type { Kysely, Migration } from 'kysely';
import { idColumn } from './util.js';

export const m0500_enrich: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('enrich_lookups')
      .addColumn('id', ...idColumn(db))
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('found', 'integer')
      .addColumn('verdict', 'text')
      .addColumn('summary', 'text')
      .addColumn('link', 'text')
      .addColumn('data_json', 'text')
      .addColumn('error', 'text')
      .addColumn('fetched_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('enrich_lookups_one', ['incident_id', 'provider', 'kind', 'value'])
      .execute();
    await db.schema.createIndex('enrich_lookups_due').on('enrich_lookups').columns(['state', 'next_attempt_at']).execute();
    await db.schema.createIndex('enrich_lookups_indicator').on('enrich_lookups').columns(['provider', 'kind', 'value']).execute();

    await db.schema
      .createTable('enrich_cache')
      .addColumn('cache_key', 'text', (c) => c.primaryKey())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('found', 'integer', (c) => c.notNull())
      .addColumn('verdict', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('link', 'text')
      .addColumn('data_json', 'text', (c) => c.notNull())
      .addColumn('fetched_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('enrich_cache_expiry').on('enrich_cache').column('expires_at').execute();

    await db.schema
      .createTable('enrich_quota')
      .addColumn('provider', 'text', (c) => c.primaryKey())
      .addColumn('minute_json', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('day_used', 'integer', (c) => c.notNull())
      .addColumn('blocked_until', 'bigint', (c) => c.notNull())
      .addColumn('strikes', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('enrich_escalations')
      .addColumn('incident_id', 'text', (c) => c.primaryKey())
      .addColumn('from_level', 'text', (c) => c.notNull())
      .addColumn('to_level', 'text', (c) => c.notNull())
      .addColumn('reasons_json', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['enrich_escalations', 'enrich_quota', 'enrich_cache', 'enrich_lookups']) await db.schema.dropTable(t).execute();
  },
};
