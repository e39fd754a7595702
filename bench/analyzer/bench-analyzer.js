// The analyzer on its own: synthetic captures of 1M and 10M drops, imported
// into SQLite; import time and rate, peak RSS, database size and the latency
// of each summary query.
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../lib/proc.js';
import { fileSize } from '../lib/files.js';
import { writeSyntheticCapture } from './synth.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * @typedef {object} AnalyzerResult
 * @property {number} drops
 * @property {number} captureBytes
 * @property {number} synthSeconds time to write the synthetic capture (0 = reused)
 * @property {number} importSeconds
 * @property {number} importRate drops per second
 * @property {number} peakRssBytes
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
 * @returns {Promise<AnalyzerResult[]>}
 */
export async function benchAnalyzer({ sizes, workDir, paths, log }) {
  const formatDist = join(paths.repo, 'packages/format/dist/index.js');
  const analyzerDist = join(paths.repo, 'packages/analyzer/dist/index.js');
  /** @type {AnalyzerResult[]} */
  const results = [];
  for (const drops of sizes) {
    /** @type {AnalyzerResult} */
    const r = { drops, captureBytes: 0, synthSeconds: 0, importSeconds: 0, importRate: 0, peakRssBytes: 0, dbBytes: 0,
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
      const db = join(workDir, `synthetic-${drops}.db`);
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
      const usagePath = join(workDir, `synthetic-${drops}.usage.json`);
      log?.(`importing ${drops} drops`);
      const out = await run(paths.rusageExec, [usagePath, 'node', join(HERE, 'import-child.js'), analyzerDist, capture, db], { timeoutMs: 600_000 });
      const child = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}');
      const usage = JSON.parse((await import('node:fs')).readFileSync(usagePath, 'utf8'));
      r.importSeconds = child.importSeconds;
      r.importRate = drops / child.importSeconds;
      r.summarySeconds = child.summarySeconds;
      r.queries = child.queries ?? [];
      r.peakRssBytes = usage.maxrss_kb * 1024;
      r.dbBytes = fileSize(db) + fileSize(`${db}-wal`);
      if (child.summaryError) r.error = `summary failed: ${child.summaryError}`;
      else if (child.drops !== null && child.drops !== drops) r.error = `summary counted ${child.drops} drops, the capture holds ${drops}`;
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    } catch (err) {
      r.error = /** @type {Error} */ (err).message.split('\n')[0];
    }
  }
  return results;
}
