// An incident keeps at most a bounded number of evidence indicators of each kind (src/triage/record.ts
// MAX_EVIDENCE_INDICATORS); `indicators_capped` names the kinds of which it saw more than it kept (a JSON list,
// null for none), so every reader says "more" instead of a count that would be short. Incidents stored before
// with more than that are marked here; their rows stay (the pivot still finds them).
import { sql, type Kysely, type Migration } from 'kysely';
import { addColumns, dropColumns } from './util.js';

/** The bound when this migration ran (the module's constant may change later; this marks what it meant then). */
const CAP = 1000;

export const m1810_capped_indicators: Migration = {
  async up(db: Kysely<any>) {
    await addColumns(db, 'incidents', 'indicators_capped text?');
    const over = await sql<{ incident_id: string; kind: string }>`select incident_id, kind from incident_indicators group by incident_id, kind having count(*) > ${CAP}`.execute(db);
    const kinds = new Map<string, string[]>();
    for (const r of over.rows) kinds.set(r.incident_id, [...(kinds.get(r.incident_id) ?? []), r.kind].sort());
    for (const [id, list] of kinds) await db.updateTable('incidents').set({ indicators_capped: JSON.stringify(list) }).where('id', '=', id).execute();
  },
  async down(db: Kysely<any>) {
    await dropColumns(db, 'incidents', 'indicators_capped text?');
  },
};
