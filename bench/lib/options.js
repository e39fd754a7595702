// Command-line options of `npm run bench` (node bench/run.js [options]).
import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run bench -- [options]
  --quick               one repetition, short storms, analyzer at 1M drops only (a few minutes)
  --reps N              repetitions of every (tool, point); the median counts (default 3)
  --max-reps N          repetitions at the maximum rate, where the sender's slowdown is judged
                        and this VM's noise is largest (default 7; --quick 1; at least --reps)
  --tools a,b           only these tools (bare, bpftrace-count, dropcap-none, dropcap-default,
                        dropcap-all, bpftrace-tcpdrop, bcc-tcpdrop, perf, trace-cmd)
  --points a,b          only these points: 10k, 100k, max (default all)
  --seconds S           length of the paced storms in seconds (default 2; --quick 1)
  --max-count N         RSTs sent at the maximum rate (default 600000; --quick 300000)
  --analyzer-sizes a,b  drops in the synthetic captures (default 1000000,10000000)
  --analyzer-budget S   stop one capture's import + summary after S seconds (default 180)
  --analyzer-reps N     imports of each synthetic capture; the median counts (default 5; --quick 1)
  --no-analyzer         skip the analyzer-only section
  --no-paired-bare      compare each tool with the bare run of its repetition only, not with
                        bare storms run right before and after it (halves the storms)
  --out FILE            report path (default docs/benchmarks.md)
  --work-dir DIR        scratch files (default bench/out)
  --keep                keep every run's output files in the work dir`;

/** @typedef {ReturnType<typeof parseOptions>} Options */

/** @param {string[]} argv */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      reps: { type: 'string' },
      'max-reps': { type: 'string' },
      tools: { type: 'string' },
      points: { type: 'string' },
      seconds: { type: 'string' },
      'max-count': { type: 'string' },
      'analyzer-sizes': { type: 'string' },
      'no-analyzer': { type: 'boolean', default: false },
      'no-paired-bare': { type: 'boolean', default: false },
      'analyzer-budget': { type: 'string' },
      'analyzer-reps': { type: 'string' },
      out: { type: 'string', default: 'docs/benchmarks.md' },
      'work-dir': { type: 'string', default: 'bench/out' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const int = (/** @type {string|undefined} */ v, /** @type {number} */ dflt, /** @type {string} */ name) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number, e.g. --${name} ${dflt}`);
    return n;
  };
  const list = (/** @type {string|undefined} */ v) => (v === undefined ? null : v.split(',').map((s) => s.trim()).filter(Boolean));
  const quick = values.quick ?? false;
  return {
    help: values.help ?? false,
    quick,
    reps: Math.round(int(values.reps, quick ? 1 : 3, 'reps')),
    maxReps: Math.round(int(values['max-reps'], quick ? 1 : 7, 'max-reps')),
    tools: list(values.tools),
    points: list(values.points) ?? ['10k', '100k', 'max'],
    seconds: int(values.seconds, quick ? 1 : 2, 'seconds'),
    maxCount: Math.round(int(values['max-count'], quick ? 300_000 : 600_000, 'max-count')),
    analyzerSizes: values['no-analyzer'] ? [] : (list(values['analyzer-sizes']) ?? (quick ? ['1000000'] : ['1000000', '10000000'])).map((s) => Math.round(int(s, 1e6, 'analyzer-sizes'))),
    analyzerBudget: int(values['analyzer-budget'], 180, 'analyzer-budget'),
    analyzerReps: Math.round(int(values['analyzer-reps'], quick ? 1 : 5, 'analyzer-reps')),
    out: values.out ?? 'docs/benchmarks.md',
    workDir: values['work-dir'] ?? 'bench/out',
    keep: values.keep ?? false,
    pairedBare: !(values['no-paired-bare'] ?? false),
  };
}

/**
 * The load points.
 * @param {Options} o
 * @returns {import('./matrix.js').Point[]}
 */
export function pointsFor(o) {
  /** @type {Record<string, import('./matrix.js').Point>} */
  const all = {
    '10k': { name: '10k/s', rate: 10_000, count: Math.round(10_000 * o.seconds), threads: 2 },
    '100k': { name: '100k/s', rate: 100_000, count: Math.round(100_000 * o.seconds), threads: 2 },
    max: { name: 'max (2 threads)', rate: 0, count: o.maxCount, threads: 2, reps: Math.max(o.reps, o.maxReps) },
  };
  return o.points.map((p) => {
    const point = all[p];
    if (!point) throw new Error(`--points: unknown point ${p}; use 10k, 100k or max`);
    return point;
  });
}
