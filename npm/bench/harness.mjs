// Timing harness: warm up, size a run to last about MIN_RUN_NS, then time
// RUNS runs with process.hrtime.bigint() and keep the median. The two sides
// of a comparison run alternately, so a change in machine load reaches both.

export const RUNS = 5;
const MIN_RUN_MS = Number(process.env.BENCH_MIN_RUN_MS ?? 1000);
if (!(MIN_RUN_MS > 0)) {
  throw new Error(`BENCH_MIN_RUN_MS must be a positive number of milliseconds, got ${process.env.BENCH_MIN_RUN_MS}`);
}
export const MIN_RUN_NS = MIN_RUN_MS * 1e6;
const WARMUP_NS = 300e6;
const CALIBRATION_NS = 50e6;

/** Times `count` calls of `operation` and returns nanoseconds per call. */
async function timeBatch(operation, isAsync, count) {
  const start = process.hrtime.bigint();
  if (isAsync) {
    for (let i = 0; i < count; i++) await operation(i);
  } else {
    for (let i = 0; i < count; i++) operation(i);
  }
  const elapsed = Number(process.hrtime.bigint() - start);
  return elapsed / count;
}

/** Warms `operation` up and returns the call count for one timed run. */
async function calibrate(operation, isAsync) {
  const warmupEnd = process.hrtime.bigint() + BigInt(WARMUP_NS);
  while (process.hrtime.bigint() < warmupEnd) await timeBatch(operation, isAsync, 16);

  let count = 1;
  for (;;) {
    const nsPerCall = await timeBatch(operation, isAsync, count);
    if (nsPerCall * count >= CALIBRATION_NS) return Math.max(1, Math.ceil(MIN_RUN_NS / nsPerCall));
    count *= 2;
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Measures each case `{ name, operation, isAsync }` and returns one result per
 * case. `operation(i)` receives the iteration number. In a result, `nsPerOp`
 * is the median of RUNS runs and `spread` is (slowest - fastest) / median.
 */
export async function measure(cases) {
  const counts = [];
  for (const { name, operation, isAsync = false } of cases) {
    process.stderr.write(`  warming up ${name}\n`);
    counts.push(await calibrate(operation, isAsync));
  }

  const samples = cases.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    for (const [index, { operation, isAsync = false }] of cases.entries()) {
      samples[index].push(await timeBatch(operation, isAsync, counts[index]));
    }
  }

  return cases.map(({ name }, index) => {
    const nsPerOp = median(samples[index]);
    const spread = (Math.max(...samples[index]) - Math.min(...samples[index])) / nsPerOp;
    return { name, nsPerOp, spread, iterations: counts[index] };
  });
}

/** Formats a markdown table from a header row and rows of cells. */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function formatMicros(ns) {
  const micros = ns / 1000;
  if (micros < 10) return micros.toFixed(2);
  if (micros < 1000) return micros.toFixed(1);
  return micros.toFixed(0);
}

export function formatRate(ns) {
  return Math.round(1e9 / ns).toLocaleString("en-US");
}

export function formatSpread(spread) {
  return `${(spread * 100).toFixed(0)}%`;
}

export function formatRatio(ratio) {
  return ratio < 10 ? `${ratio.toFixed(2)}x` : `${ratio.toFixed(0)}x`;
}
