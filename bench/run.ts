// npm run bench: every in-process benchmark, one after the other. Sizes can be changed with BENCH_ALERTS,
// BENCH_ROUNDS, BENCH_ADDRESSES, BENCH_SIGMA_ALERTS, BENCH_INCIDENTS (the large store), BENCH_NOISY (a
// comma-separated list of sizes) and BENCH_ONLY (detect, memory, sigmahq, triage: run just those).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { memory, throughput } from './detect/detect.js';
import { sigmahqBenchmark } from './detect/sigmahq.js';
import { SIGMA_RULE, triageBenchmark } from './triage/triage.js';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
const only = (process.env.BENCH_ONLY ?? 'detect,memory,sigmahq,triage').split(',');
// The shared reference data beside the repository (as the tests find it).
const shared = process.env.VIGIL_SHARED ?? resolve(process.cwd(), '../shared');

if (only.includes('detect')) throughput(num('BENCH_ALERTS', 200_000), num('BENCH_ROUNDS', 3));
if (only.includes('memory')) memory(num('BENCH_ADDRESSES', 1_000_000));
const corpus = join(shared, 'data/sigma/sigmahq/rules/windows');
if (only.includes('sigmahq')) {
  if (existsSync(corpus)) await sigmahqBenchmark(corpus, num('BENCH_SIGMA_ALERTS', 50_000), num('BENCH_ROUNDS', 3));
  else process.stdout.write(`sigmahq: skipped (no ${corpus}; set VIGIL_SHARED)\n`);
}
if (only.includes('triage')) {
  const noisy = (process.env.BENCH_NOISY ?? '5000,10000,20000').split(',').map(Number);
  await triageBenchmark({ small: 1_000, large: num('BENCH_INCIDENTS', 100_000), detections: 1_000, noisy, sigmaRule: SIGMA_RULE(shared) });
}
