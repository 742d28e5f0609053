// Enrichment: the lookups of each incident (which are also the queue of lookups to make), the result
// cache, and each provider's spent quota — all persisted, so a restart neither repeats a paid lookup nor
// resets the day's budget.
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './util.js';

export const m0500_enrich: Migration = {
  async up(db: Kysely<any>) {
    await createTable(
      db,
      'enrich_lookups',
      `id id, incident_id text, provider text, kind text, value text, priority integer, state text, attempts integer,
       next_attempt_at bigint, found integer?, verdict text?, summary text?, link text?, data_json text?, error text?,
       fetched_at bigint?, created_at bigint, updated_at bigint`,
      {
        unique: { enrich_lookups_one: ['incident_id', 'provider', 'kind', 'value'] },
        indexes: { enrich_lookups_due: 'state, next_attempt_at', enrich_lookups_indicator: 'provider, kind, value' },
      },
    );
    await createTable(
      db,
      'enrich_cache',
      `cache_key text pk, provider text, kind text, value text, found integer, verdict text, summary text, link text?,
       data_json text, fetched_at bigint, expires_at bigint`,
      { indexes: { enrich_cache_expiry: 'expires_at' } },
    );
    await createTable(db, 'enrich_quota', 'provider text pk, minute_json text, day text, day_used integer, blocked_until bigint, strikes integer, updated_at bigint');
    await createTable(db, 'enrich_escalations', 'incident_id text pk, from_level text, to_level text, reasons_json text, at bigint');
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'enrich_escalations', 'enrich_quota', 'enrich_cache', 'enrich_lookups');
  },
};
