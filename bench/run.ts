// npm run bench: every benchmark, one after the other. Sizes can be changed with BENCH_ALERTS, BENCH_ROUNDS and
// BENCH_ADDRESSES.
import { memory, throughput } from './detect/detect.js';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};

throughput(num('BENCH_ALERTS', 200_000), num('BENCH_ROUNDS', 3));
memory(num('BENCH_ADDRESSES', 1_000_000));
