// Drives fast-check over the seed corpus: each case is built into a file,
// run through the pipeline with a time bound, and the process's RSS is
// sampled. A failing case (after shrinking) is written out as a .dcap with
// its mutation list, ready to be added to fixtures/regressions/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { CaptureModel } from './capture-model.js';
import { buildCase, fuzzCaseArb, type FuzzCase } from './mutations.js';
import { runPipeline, readerPass, command, type PipelineResult } from './pipeline.js';
import { loadCaptures, runSummary, runList, runInfo } from '@dropcap/analyzer';
import { PassThrough } from 'node:stream';

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** an input taking longer than this is a hang */
  perInputMs: number;
  /** RSS may grow at most this much over the run */
  rssGrowthBytes: number;
  workDir: string;
  /** where a failing case is written */
  failureDir: string;
}

export interface FuzzReport {
  runs: number;
  outcomes: Record<string, number>;
  slowestMs: number;
  rssStart: number;
  rssPeak: number;
  failure: string | null;
}

function bigintSafe(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return v;
}

export async function fuzzCaptures(seeds: CaptureModel[], o: FuzzOptions): Promise<FuzzReport> {
  const file = path.join(o.workDir, 'case.dcap');
  const outcomes: Record<string, number> = {};
  let slowest = 0;
  let inputs = 0;
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;

  const property = fc.asyncProperty(fuzzCaseArb(seeds.length), async (c: FuzzCase) => {
    fs.writeFileSync(file, buildCase(c, seeds));
    const t0 = performance.now();
    const r: PipelineResult = process.env['FUZZ_X'] ? (inputs++, await xstep(file), { outcome: 'ok', events: 0, damage: null, warnings: 0 }) : await runPipeline(file, { commands: inputs++ });
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    const rss = process.memoryUsage().rss;
    rssPeak = Math.max(rssPeak, rss);
    const key = r.outcome === 'refused' ? `refused:${r.code}` : r.damage ? `damaged:${r.damage}` : 'read whole';
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (process.env['FUZZ_TRACE_MEMORY'] && inputs % 250 === 0) {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      console.log(`fuzz memory after ${inputs} inputs: rss ${(m.rss / 2 ** 20).toFixed(0)} MiB, heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB, external ${(m.external / 2 ** 20).toFixed(0)} MiB`);
    }
    if (ms > o.perInputMs) throw new Error(`input took ${ms.toFixed(0)} ms (bound ${o.perInputMs} ms)`);
    if (rss - rssStart > o.rssGrowthBytes) throw new Error(`RSS grew by ${((rss - rssStart) / 2 ** 20).toFixed(0)} MiB (bound ${o.rssGrowthBytes / 2 ** 20} MiB)`);
  });
  const details = await fc.check(property, { numRuns: o.runs, seed: o.seed });
  let failure: string | null = null;
  if (details.failed && details.counterexample) {
    const [c] = details.counterexample;
    fs.mkdirSync(o.failureDir, { recursive: true });
    const base = path.join(o.failureDir, `fuzz-${o.seed}-${Date.now()}`);
    fs.writeFileSync(`${base}.dcap`, buildCase(c, seeds));
    fs.writeFileSync(`${base}.json`, JSON.stringify({ seed: o.seed, case: c, error: String(details.errorInstance) }, bigintSafe, 2));
    failure = `fuzz seed ${o.seed} failed after ${details.numRuns} runs: ${String(details.errorInstance).split('\n')[0]}\n  input: ${base}.dcap (add it to fixtures/regressions/)\n  replay: FUZZ_SEED=${o.seed} npx vitest run test/unit/fuzz-captures.test.ts`;
  }
  return { runs: details.numRuns, outcomes, slowestMs: slowest, rssStart, rssPeak, failure };
}

export const defaultFailureDir = (): string => process.env['FUZZ_FAILURES_DIR'] ?? path.join(os.tmpdir(), 'dropcap-fuzz-failures');

async function xstep(file: string): Promise<void> {
  const x = process.env['FUZZ_X'];
  try {
    if (x === 'reader') readerPass(file);
    if (x === 'load') loadCaptures([file]).db.close();
    const io = () => ({ stdout: Object.assign(new PassThrough().resume(), { isTTY: false }), stderr: Object.assign(new PassThrough().resume(), { isTTY: false }), env: {} });
    if (x === 'list') await runList({ files: [file], format: 'ndjson' }, io());
    if (x === 'listt') await runList({ files: [file], stacks: true }, io());
    if (x === 'p1') await runPipeline(file, { commands: 1 }).catch(() => {});
    if (x === 'p5') await runPipeline(file, { commands: 5 }).catch(() => {});
    if (x === 'sj') await runSummary({ files: [file], format: 'json' }, io());
    if (x === 'csv') await runList({ files: [file], format: 'csv', stacks: true }, io());
    if (x === 'sink') await command((io2) => runSummary({ files: [file], format: 'json' }, io2));
    if (x === 'rl') { readerPass(file); loadCaptures([file]).db.close(); }
    if (x === 'info') await runInfo({ files: [file], format: 'table' }, io());
    if (x === 'summary') await runSummary({ files: [file] }, { stdout: Object.assign(new PassThrough().resume(), { isTTY: false }), stderr: Object.assign(new PassThrough().resume(), { isTTY: false }), env: {} });
  } catch {}
}
