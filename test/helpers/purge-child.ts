// A process that only purges: opens the store given on the command line and runs retention passes (small
// batches, clock 30 days ahead), printing "pass" after each, until nothing is left. The retention tests kill it.
import { configSchema } from '../../src/config/schema.js';
import { openDatabase } from '../../src/store/db.js';
import { RetentionJob } from '../../src/retention/job.js';
import { quietLog } from './quiet.js';

const store = await openDatabase(process.argv[2]!);
const job = new RetentionJob(store, { ...configSchema.parse({}).retention, batch: 5, warmWindow: 0 }, quietLog, () => Date.now() + 30 * 86_400_000);
while (await job.pass()) process.stdout.write('pass\n');
process.stdout.write('done\n');
await store.close();
