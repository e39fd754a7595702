// The analyzer on its own: synthetic captures of 1M and 10M drops, imported
// into SQLite; import time and rate, peak RSS, database size and the latency
// of each summary query.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { track } from '../lib/proc.js';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSize } from '../lib/files.js';
import { writeSyntheticCapture } from './synth.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * @typedef {object} AnalyzerResult
 * @property {number} drops
 * @property {number} captureBytes
 * @property {number} synthSeconds time to write the synthetic capture (0 = reused)
 * @property {number} importSeconds the median over the repetitions (its run gives the other figures)
 * @property {number[]} importSecondsEach every repetition's, in order
 * @property {number|null} importCpuSeconds user+sys of every thread during the import
 * @property {string|null} decodedIn 'worker' or 'in-thread' (Analysis.decodedIn)
 * @property {number} importRate drops per second
 * @property {number} peakRssBytes the highest over the repetitions
 * @property {number} dbBytes
 * @property {number|null} summarySeconds
 * @property {Array<{ sql: string, seconds: number }>} queries
 * @property {string|null} error
 */

/**
 * @param {object} o
 * @param {number[]} o.sizes drops per capture
 * @param {string} o.workDir
 * @param {import('../runners/types.js').Paths} o.paths
 * @param {(line: string) => void} [o.log]
 * @param {number} [o.budgetSeconds] per capture: import + summary are stopped after this
 * @param {number} [o.reps] imports of each capture; the median counts (the VM's speed drifts)
 * @returns {Promise<AnalyzerResult[]>}
 */
export async function benchAnalyzer({ sizes, workDir, paths, log, budgetSeconds = 300, reps = 3 }) {
  const formatDist = join(paths.repo, 'packages/format/dist/index.js');
  const analyzerDist = join(paths.repo, 'packages/analyzer/dist/index.js');
  /** @type {AnalyzerResult[]} */
  const results = [];
  for (const drops of sizes) {
    /** @type {AnalyzerResult} */
    const r = { drops, captureBytes: 0, synthSeconds: 0, importSeconds: 0, importSecondsEach: [], importCpuSeconds: null, decodedIn: null, importRate: 0, peakRssBytes: 0, dbBytes: 0,
      summarySeconds: null, queries: [], error: null };
    results.push(r);
    try {
      if (!existsSync(formatDist)) throw new Error('packages/format/dist is not built (npm run build)');
      if (!existsSync(analyzerDist)) throw new Error('packages/analyzer/dist/index.js is not built (npm run build)');
      const capture = join(workDir, `synthetic-${drops}.dcap`);
      // reuse a synthetic capture written by this same format build
      if (!existsSync(capture) || statSync(capture).mtimeMs < statSync(formatDist).mtimeMs) {
        log?.(`writing a synthetic capture of ${drops} drops`);
        const t0 = Date.now();
        await writeSyntheticCapture(formatDist, capture, drops);
        r.synthSeconds = (Date.now() - t0) / 1000;
      }
      r.captureBytes = fileSize(capture);
      /** @type {Array<{ child: Awaited<ReturnType<typeof runImportChild>>, rssBytes: number, dbBytes: number }>} */
      const runs = [];
      for (let rep = 0; rep < reps; rep++) {
        log?.(`importing ${drops} drops${reps > 1 ? ` (${rep + 1} of ${reps})` : ''}`);
        const run = await importOnce(paths, workDir, analyzerDist, capture, drops, budgetSeconds);
        runs.push(run);
        if (run.child.importSeconds === null) break;
      }
      const failed = runs.find((x) => x.child.importSeconds === null);
      r.peakRssBytes = Math.max(...runs.map((x) => x.rssBytes));
      if (failed) {
        const c = failed.child;
        throw new Error(c.timedOut ? `import did not finish within ${budgetSeconds} s (stopped)` : `import failed: ${c.stderr}`);
      }
      r.importSecondsEach = runs.map((x) => /** @type {number} */ (x.child.importSeconds));
      const { child, dbBytes } = [...runs].sort((a, b) => /** @type {number} */ (a.child.importSeconds) - /** @type {number} */ (b.child.importSeconds))[Math.floor((runs.length - 1) / 2)];
      r.dbBytes = dbBytes;
      r.queries = child.queries;
      r.importSeconds = /** @type {number} */ (child.importSeconds);
      r.importCpuSeconds = child.importCpuSeconds;
      r.decodedIn = child.decodedIn;
      r.importRate = drops / r.importSeconds;
      r.summarySeconds = child.done?.summarySeconds ?? null;
      if (child.timedOut) r.error = `the summary queries did not finish within the ${budgetSeconds} s budget (stopped; the queries listed are those that finished)`;
      else if (!child.done) r.error = `the import child died: ${child.stderr}`;
      else if (child.done.summaryError) r.error = `summary failed: ${child.done.summaryError}`;
      else if (child.done.drops !== null && child.done.drops !== drops) r.error = `summary counted ${child.done.drops} drops, the capture holds ${drops}`;
    } catch (err) {
      r.error = /** @type {Error} */ (err).message.split('\n')[0];
    }
  }
  return results;
}

/**
 * One import of `capture` into a fresh database, deleted afterwards.
 * @param {import('../runners/types.js').Paths} paths
 * @param {string} workDir @param {string} analyzerDist @param {string} capture
 * @param {number} drops @param {number} budgetSeconds
 */
async function importOnce(paths, workDir, analyzerDist, capture, drops, budgetSeconds) {
  const db = join(workDir, `synthetic-${drops}.db`);
  const files = [db, `${db}-wal`, `${db}-shm`];
  for (const f of files) rmSync(f, { force: true });
  const usagePath = join(workDir, `synthetic-${drops}.usage.json`);
  const child = await runImportChild(paths.rusageExec, usagePath, [join(HERE, 'import-child.js'), analyzerDist, capture, db], budgetSeconds * 1000);
  const usage = JSON.parse(readFileSync(usagePath, 'utf8'));
  const dbBytes = fileSize(db) + fileSize(`${db}-wal`);
  for (const f of files) rmSync(f, { force: true });
  return { child, rssBytes: usage.maxrss_kb * 1024, dbBytes };
}

/**
 * Runs import-child.js under rusage_exec, collecting its JSON lines; past
 * the budget it is stopped with SIGTERM (forwarded by rusage_exec, which
 * still reports the peak RSS).
 * @param {string} rusageExec
 * @param {string} usagePath
 * @param {string[]} args
 * @param {number} budgetMs
 */
function runImportChild(rusageExec, usagePath, args, budgetMs) {
  return new Promise((resolve) => {
    const child = spawn(rusageExec, [usagePath, 'node', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    /** @type {{ importSeconds: number|null, importCpuSeconds: number|null, decodedIn: string|null, queries: Array<{ sql: string, seconds: number }>, done: any, timedOut: boolean, stderr: string }} */
    const out = { importSeconds: null, importCpuSeconds: null, decodedIn: null, queries: [], done: null, timedOut: false, stderr: '' };
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const o = JSON.parse(line);
          if (o.importSeconds !== undefined) {
            out.importSeconds = o.importSeconds;
            out.importCpuSeconds = o.importCpuSeconds ?? null;
            out.decodedIn = o.decodedIn ?? null;
          }
          else if (o.query) out.queries.push(o.query);
          else if (o.done) out.done = o;
        } catch { /* not ours */ }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d) => { if (out.stderr.length < 4096) out.stderr += d; });
    const timer = setTimeout(() => { out.timedOut = true; child.kill('SIGTERM'); }, budgetMs);
    child.on('close', () => {
      clearTimeout(timer);
      // the error line (e.g. "SyntaxError: ...") says more than node's trailer
      const lines = out.stderr.trim().split('\n');
      out.stderr = lines.find((l) => /Error\b/.test(l))?.trim() ?? lines.slice(-2).join(' | ');
      resolve(out);
    });
  });
}
