// npm run bench:ingest: sustained ingest rates per path beside the detection-only rate. Sizes: BENCH_INGEST_ALERTS
// (batched webhook, file, syslog TCP), BENCH_INGEST_SINGLE (one alert per POST), BENCH_INGEST_UDP;
// BENCH_INGEST_WARMUP alerts through the same path before each webhook and tail measurement (default 0).
import { ingestBenchmark } from './ingest.js';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};

const n = num('BENCH_INGEST_ALERTS', 50_000);
await ingestBenchmark({
  batched: n,
  file: n,
  syslog: n,
  single: num('BENCH_INGEST_SINGLE', 5_000),
  udp: num('BENCH_INGEST_UDP', 20_000),
  warmup: Number(process.env.BENCH_INGEST_WARMUP) > 0 ? num('BENCH_INGEST_WARMUP', 0) : 0,
});
process.exit(0);
