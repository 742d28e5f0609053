// Waiting for the pipeline to have handled every recorded alert (its cursor reaches the newest one).
import { until, type Running } from './vigil.js';

export async function handled(v: Running, ms = 10_000): Promise<void> {
  const newest = await v.vigil.store.db
    .selectFrom('alerts')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  const target = Number(newest?.seq ?? 0);
  await until(() => v.vigil.runner.position >= target, ms, `pipeline position ${target}`);
}
