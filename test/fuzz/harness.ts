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
import { runPipeline, type PipelineResult } from './pipeline.js';

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

/** Time allowed per drop on top of perInputMs: the pipeline imports a file three times. */
const MS_PER_EVENT = 0.05;

export async function fuzzCaptures(seeds: CaptureModel[], o: FuzzOptions): Promise<FuzzReport> {
  const file = path.join(o.workDir, 'case.dcap');
  const outcomes: Record<string, number> = {};
  let slowest = 0;
  let slowestCase: { ms: number; c: FuzzCase | null } = { ms: 0, c: null };
  let biggestCase: { growth: number; c: FuzzCase | null } = { growth: 0, c: null };
  let inputs = 0;
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;

  const property = fc.asyncProperty(fuzzCaseArb(seeds.length), async (c: FuzzCase) => {
    fs.writeFileSync(file, buildCase(c, seeds));
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const r: PipelineResult = await runPipeline(file, { commands: inputs++ });
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    const rss = process.memoryUsage().rss;
    rssPeak = Math.max(rssPeak, rss);
    // stateful bounds shrink to any input once exceeded: keep the inputs that caused them
    if (ms > slowestCase.ms) slowestCase = { ms, c };
    if (rss - rssBefore > biggestCase.growth) biggestCase = { growth: rss - rssBefore, c };
    const key = r.outcome === 'refused' ? `refused:${r.code}` : r.damage ? `damaged:${r.damage}` : 'read whole';
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (process.env['FUZZ_TRACE_MEMORY'] && inputs % 250 === 0) {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      console.log(`fuzz memory after ${inputs} inputs: rss ${(m.rss / 2 ** 20).toFixed(0)} MiB, heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB, external ${(m.external / 2 ** 20).toFixed(0)} MiB`);
    }
    // linear in what the file holds: a hostile layout can make every byte a drop
    const bound = o.perInputMs + r.events * MS_PER_EVENT;
    if (ms > bound) throw new Error(`input took ${ms.toFixed(0)} ms for ${r.events} drops (bound ${bound.toFixed(0)} ms)`);
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
    for (const [name, worst] of [['slowest', slowestCase.c], ['biggest-rss-growth', biggestCase.c]] as const) {
      if (worst) fs.writeFileSync(`${base}-${name}.dcap`, buildCase(worst, seeds));
    }
    failure = `fuzz seed ${o.seed} failed after ${details.numRuns} runs: ${String(details.errorInstance).split('\n')[0]}\n  input: ${base}.dcap (add it to fixtures/regressions/)\n  replay: FUZZ_SEED=${o.seed} npx vitest run test/unit/fuzz-captures.test.ts`;
  }
  return { runs: details.numRuns, outcomes, slowestMs: slowest, rssStart, rssPeak, failure };
}

export const defaultFailureDir = (): string => process.env['FUZZ_FAILURES_DIR'] ?? path.join(os.tmpdir(), 'dropcap-fuzz-failures');
