// Property-based fuzzing of everything that reads captures (test/fuzz/):
// mutated synthetic and real captures through the reader, decoder,
// symbolizer, SQLite import and the analyze commands. Either the file is
// read (whole or up to its damage) or a typed error is thrown; never another
// exception, never a hang, never unbounded memory.
//
// FUZZ_RUNS (default 500, about a minute) sets the number of inputs, FUZZ_SEED replays a run.
// `npm run fuzz` is the long run.
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../support/synthetic-capture.js';
import { defaultFailureDir, fuzzCaptures } from '../fuzz/harness.js';
import { loadSeeds } from '../fuzz/seeds.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 500);
// CI replays one fixed seed so a submission is judged on the same inputs
// every time; local runs explore a new seed each time (and print it)
const CI_SEED = 20261122;
const SEED = Number(process.env['FUZZ_SEED'] ?? (process.env['CI'] ? CI_SEED : Math.floor(Math.random() * 2 ** 31)));
const t = tmpDir('dropcap-fuzz-');
afterAll(() => t.cleanup());

describe('fuzzing captures', () => {
  it(`${RUNS} mutated captures: typed errors only, bounded time and memory (seed ${SEED})`, async () => {
    const seeds = loadSeeds(t.dir);
    const report = await fuzzCaptures(
      seeds.map((s) => s.model),
      { runs: RUNS, seed: SEED, perInputMs: 10_000, rssGrowthBytes: 1536 * 2 ** 20, workDir: t.dir, failureDir: defaultFailureDir() },
    );
    console.log(
      `fuzz: seed ${SEED}, ${report.runs} inputs from ${seeds.length} seeds (${seeds.map((s) => s.name).join(', ')}); ` +
        `slowest ${report.slowestMs.toFixed(0)} ms; RSS ${(report.rssStart / 2 ** 20).toFixed(0)} -> peak ${(report.rssPeak / 2 ** 20).toFixed(0)} MiB; ` +
        `outcomes ${JSON.stringify(report.outcomes)}`,
    );
    expect(report.failure).toBeNull();
    expect(report.runs).toBe(RUNS);
    // the corpus must exercise both sides: files read to the end and files refused or cut
    expect(report.outcomes['read whole'] ?? 0).toBeGreaterThan(RUNS / 20);
    expect(Object.keys(report.outcomes).length).toBeGreaterThan(3);
  }, 120_000 + RUNS * 1_000);
});
