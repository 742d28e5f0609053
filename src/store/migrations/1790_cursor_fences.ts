// The fencing token of a cursor (src/store/cursors.ts): a cursor that one owner at a time may move (a cluster
// partition's checkpoint) carries the token of its current owner, raised by each new owner when it takes over, and a
// write that names an older token changes nothing, so a stalled former owner's batch rolls back with it.
import type { Kysely, Migration } from 'kysely';
import { addColumns, dropColumns } from './util.js';

export const m1790_cursor_fences: Migration = {
  async up(db: Kysely<any>) {
    await addColumns(db, 'cursors', 'fence bigint = 0');
  },
  async down(db: Kysely<any>) {
    await dropColumns(db, 'cursors', 'fence bigint');
  },
};
