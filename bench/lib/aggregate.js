// From raw rows to one line per (tool, point): medians over repetitions,
// and the derived figures the report shows.
import { median } from './stats.js';

/**
 * @typedef {object} Cell medians of one tool at one point
 * @property {string} tool
 * @property {string} point
 * @property {number} reps repetitions that ran without error
 * @property {number|null} captureRatio captured / made
 * @property {number|null} captured
 * @property {number|null} made
 * @property {number|null} toolLost
 * @property {number|null} genRate
 * @property {number|null} genCpuNs
 * @property {number|null} addedNs genCpuNs minus the bare baseline's (same point)
 * @property {number|null} toolCpuPct tool CPU over the storm's duration, % of one CPU
 * @property {number|null} toolCpuUsPerDrop tool CPU per captured drop
 * @property {number|null} bytesPerDrop
 * @property {number|null} decodeSecPerM offline decode seconds per million drops
 * @property {string[]} errors
 * @property {string[]} notes
 */

/**
 * @param {import('./matrix.js').RunRow[]} rows
 * @returns {Cell[]}
 */
export function aggregate(rows) {
  /** @type {Map<string, import('./matrix.js').RunRow[]>} */
  const groups = new Map();
  for (const r of rows) {
    const key = `${r.tool}\u0000${r.point}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)?.push(r);
  }
  /** @type {Cell[]} */
  const cells = [];
  for (const group of groups.values()) {
    const ok = group.filter((r) => r.error === null);
    const per = (/** @type {(r: import('./matrix.js').RunRow) => number|null} */ f) =>
      median(ok.map((r) => { try { return f(r); } catch { return null; } }));
    const div = (/** @type {number|null} */ a, /** @type {number|null} */ b) => (a === null || b === null || b === 0 ? null : a / b);
    cells.push({
      tool: group[0].tool,
      point: group[0].point,
      reps: ok.length,
      captureRatio: per((r) => div(r.captured, r.made)),
      captured: per((r) => r.captured),
      made: per((r) => r.made),
      toolLost: per((r) => r.toolLost),
      genRate: per((r) => r.genRate),
      genCpuNs: per((r) => r.genCpuNs),
      addedNs: null,
      toolCpuPct: per((r) => { const v = div(r.toolCpuSeconds, r.stormSeconds); return v === null ? null : v * 100; }),
      toolCpuUsPerDrop: per((r) => { const v = div(r.toolCpuSeconds, r.captured); return v === null ? null : v * 1e6; }),
      bytesPerDrop: per((r) => div(r.bytesOnDisk, r.captured)),
      decodeSecPerM: per((r) => { const v = div(r.decodeSeconds, r.captured); return v === null ? null : v * 1e6; }),
      errors: [...new Set(group.filter((r) => r.error).map((r) => /** @type {string} */ (r.error)))],
      notes: [...new Set(ok.filter((r) => r.note).map((r) => /** @type {string} */ (r.note)))],
    });
  }
  for (const c of cells) {
    const bare = cells.find((b) => b.tool === 'bare' && b.point === c.point);
    if (bare && bare.genCpuNs !== null && c.genCpuNs !== null) c.addedNs = c.genCpuNs - bare.genCpuNs;
  }
  return cells;
}

/**
 * @param {Cell[]} cells @param {string} tool @param {string} point
 * @returns {Cell|undefined}
 */
export function cellOf(cells, tool, point) {
  return cells.find((c) => c.tool === tool && c.point === point);
}
