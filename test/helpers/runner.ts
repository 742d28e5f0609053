// The alert runner fed by an intake through the hand-off, as Vigil wires them, around a stand-in pipeline that
// records what it was given: for tests of what reaches detection and when the cursor is written.
import type { Kysely } from 'kysely';
import pino from 'pino';
import type { Event } from '../../src/model/index.js';
import { AlertRunner } from '../../src/pipeline/alert-runner.js';
import { Handoff } from '../../src/pipeline/handoff.js';
import type { Cursor, Pipeline } from '../../src/pipeline/pipeline.js';
import { Intake } from '../../src/sources/intake.js';
import { setCursor } from '../../src/store/cursors.js';
import type { Database } from '../../src/store/schema.js';

const quiet = pino({ level: 'silent' });

export interface RecordingPipeline {
  pipeline: Pipeline;
  /** The event objects handed to it, in order. */
  seen: Event[];
  /** The cursor of each batch. */
  cursors: (Cursor | undefined)[];
}

/**
 * A stand-in pipeline that keeps the events and the cursor of each batch. Given a store, it writes a cursor that
 * may not wait, as the real one does for a batch that makes nothing; without one it writes none.
 */
export function recordingPipeline(db?: Kysely<Database>): RecordingPipeline {
  const seen: Event[] = [];
  const cursors: (Cursor | undefined)[] = [];
  const pipeline = {
    handle: async (events: Event[], cursor?: Cursor) => {
      seen.push(...events);
      cursors.push(cursor);
      if (db && cursor && !cursor.deferrable) await setCursor(db, cursor.name, cursor.value);
    },
    warm: () => {},
    expire: async () => [],
  } as unknown as Pipeline;
  return { pipeline, seen, cursors };
}

/** A runner and the intake whose commits it is told of, sharing one hand-off (not started). */
export function handedRunner(db: Kysely<Database>, pipeline: Pipeline, handoff = new Handoff()): { runner: AlertRunner; intake: Intake; handoff: Handoff } {
  const runner = new AlertRunner(db, pipeline, quiet, 0, undefined, handoff);
  const intake = new Intake(db, quiet, { maxAlertBytes: 1 << 20, onRecorded: () => runner.notify(), handoff });
  return { runner, intake, handoff };
}
