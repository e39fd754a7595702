// The run matrix: every (tool, point) pair, repeated, tools interleaved
// round-robin within each repetition (and rotated between repetitions) so
// that machine drift hits all tools alike.
import { rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runStorm } from './generator.js';
import { killAll } from './proc.js';
import { hostCompany } from './contention.js';
import { resetKfreeSkbTracing } from '../runners/trace-cmd.js';

/**
 * @typedef {object} Point a load level
 * @property {string} name e.g. "10k/s"
 * @property {number} rate packets/s, 0 = as fast as possible
 * @property {number} count packets to send
 * @property {number} threads sender threads
 * @property {number} [reps] repetitions of this point, when not the matrix's
 */

/**
 * @typedef {object} RunRow one tool at one point, one repetition
 * @property {string} tool
 * @property {string} point
 * @property {number} rep
 * @property {number|null} made drops the generator made
 * @property {number|null} captured
 * @property {number|null} toolLost
 * @property {number|null} genRate packets/s the sender achieved
 * @property {number|null} genCpuNs sender CPU per packet (drop path included)
 * @property {number|null} bareRate the same storm with no tracer, run right before the tool
 *   started and right after it stopped: the mean of the two rates (null for `bare` itself)
 * @property {number|null} bareCpuNs their mean sender CPU per packet
 * @property {number|null} stormSeconds
 * @property {number|null} toolCpuSeconds
 * @property {number|null} bytesOnDisk
 * @property {number|null} decodeSeconds
 * @property {number|null} decodeDbSeconds dropcap only: `analyze --db` (every drop a row in a database file)
 * @property {string|null} note
 * @property {string|null} error
 */

/**
 * Rotates a list by n (repetition r starts with tool r).
 * @template T @param {T[]} xs @param {number} n @returns {T[]}
 */
export function rotate(xs, n) {
  if (xs.length === 0) return xs;
  const k = ((n % xs.length) + xs.length) % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

/**
 * Runs one tool at one point.
 * @param {import('../runners/types.js').Runner} runner
 * @param {Point} point
 * @param {number} rep
 * @param {{ paths: import('../runners/types.js').Paths, netns: string, workDir: string, dport: number, keepFiles: boolean, pairedBare?: boolean }} o
 * @returns {Promise<RunRow>}
 */
export async function runOne(runner, point, rep, o) {
  const prefix = join(o.workDir, `${runner.name}.${point.name.replace(/\W+/g, '')}.r${rep}`);
  /** @type {import('../runners/types.js').RunContext} */
  const ctx = { paths: o.paths, prefix, netns: o.netns, dport: o.dport, storm: null };
  /** @type {RunRow} */
  const row = {
    tool: runner.name, point: point.name, rep, made: null, captured: null, toolLost: null,
    genRate: null, genCpuNs: null, bareRate: null, bareCpuNs: null, stormSeconds: null, toolCpuSeconds: null, bytesOnDisk: null,
    decodeSeconds: null, decodeDbSeconds: null, note: null, error: null,
  };
  const company = await hostCompany();
  const storm = () => runStorm({
    dropgen: o.paths.dropgen, netns: o.netns, rate: point.rate, count: point.count,
    threads: point.threads, dport: o.dport,
  });
  // This VM's speed drifts by tens of percent within a minute: a baseline
  // taken seconds before and after the tool's storm is closer to what the
  // sender would have done without it than one a whole repetition away.
  /** @type {Array<{ rate: number, cpu_ns_per_packet: number }>} */
  const bare = [];
  const bareStorm = async () => {
    if (runner.name !== 'bare' && o.pairedBare) bare.push(await storm());
  };
  try {
    await bareStorm();
    const handle = await runner.start(ctx);
    const cpuBefore = handle.cpuSecondsNow?.() ?? 0;
    try {
      const made = await storm();
      ctx.storm = made;
      Object.assign(row, {
        made: made.expected_drops, genRate: made.rate, genCpuNs: made.cpu_ns_per_packet,
        stormSeconds: made.elapsed_s,
      });
    } finally {
      // stop even when the storm failed, so no tracer outlives its run
      const stopped = await handle.stop();
      Object.assign(row, {
        captured: stopped.captured, toolLost: stopped.toolLost, bytesOnDisk: stopped.bytesOnDisk,
        toolCpuSeconds: Math.max(0, stopped.toolCpuSeconds - cpuBefore),
        note: [stopped.note, company].filter(Boolean).join('; ') || null,
      });
    }
    await bareStorm();
    if (bare.length === 2) {
      row.bareRate = (bare[0].rate + bare[1].rate) / 2;
      row.bareCpuNs = (bare[0].cpu_ns_per_packet + bare[1].cpu_ns_per_packet) / 2;
    }
    if (handle.decode) {
      const decoded = await handle.decode();
      row.decodeSeconds = decoded.seconds;
      row.decodeDbSeconds = decoded.dbSeconds ?? null;
      if (row.captured === null && decoded.captured !== undefined) row.captured = decoded.captured;
      if (decoded.toolLost !== undefined) row.toolLost = (row.toolLost ?? 0) + decoded.toolLost;
    }
  } catch (err) {
    row.note = company;
    row.error = /** @type {Error} */ (err).message.split('\n')[0].slice(0, 300);
    killAll();
    // a SIGKILLed trace-cmd leaves the event on, which would tax later runs
    resetKfreeSkbTracing();
  } finally {
    if (!o.keepFiles) removeRunFiles(o.workDir, prefix);
  }
  return row;
}

/** Deletes a run's big outputs (perf.data, trace.dat, captures, databases). */
function removeRunFiles(/** @type {string} */ dir, /** @type {string} */ prefix) {
  const base = prefix.slice(dir.length + 1);
  for (const f of readdirSync(dir)) {
    if (f.startsWith(base) && /\.(data|dat|dcap|db|db-wal|db-shm|stdout|txt)$/.test(f)) rmSync(join(dir, f), { force: true });
  }
}

/**
 * Runs the whole matrix.
 * @param {object} o
 * @param {import('../runners/types.js').Runner[]} o.runners
 * @param {Point[]} o.points
 * @param {number} o.reps
 * @param {import('../runners/types.js').Paths} o.paths
 * @param {string} o.netns
 * @param {string} o.workDir
 * @param {boolean} o.keepFiles
 * @param {boolean} [o.pairedBare] run a bare storm right before and after each tool (default false)
 * @param {(row: RunRow, done: number, total: number) => void} [o.onRow]
 * @param {() => boolean} [o.stopped] true once the run was interrupted
 * @returns {Promise<RunRow[]>}
 */
export async function runMatrix(o) {
  /** @type {RunRow[]} */
  const rows = [];
  const repsOf = (/** @type {Point} */ p) => p.reps ?? o.reps;
  const total = o.points.reduce((n, p) => n + repsOf(p), 0) * o.runners.length;
  // a fresh port per run: a peer that filters by port never sees another run's drops
  let dport = 20000;
  for (let rep = 0; rep < Math.max(...o.points.map(repsOf)); rep++) {
    for (const point of o.points) {
      if (rep >= repsOf(point)) continue;
      for (const runner of rotate(o.runners, rep)) {
        if (o.stopped?.()) return rows;
        const row = await runOne(runner, point, rep, { ...o, dport: dport++ });
        rows.push(row);
        o.onRow?.(row, rows.length, total);
      }
    }
  }
  return rows;
}
