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
 * @property {number|null} addedNs sender ns/pkt minus the bare baseline's: that of the bare
 *   storms run right before and after the tool (RunRow.bareCpuNs) when the matrix ran them,
 *   else that of the bare run of the same point and repetition; drift between runs cancels
 * @property {number|null} baselineRate the median of those baselines' sender rates
 * @property {number|null} slowdown 1 - sender rate / bare sender rate, paired the same way
 * @property {number[]} slowdowns the same, each repetition's (the median's spread, in rep order)
 * @property {number|null} toolCpuPct tool CPU over the storm's duration, % of one CPU
 * @property {number|null} toolCpuUsPerDrop tool CPU per captured drop
 * @property {number|null} bytesPerDrop
 * @property {number|null} decodeSecPerM offline decode seconds per million drops
 * @property {number|null} decodeDbSecPerM dropcap: the same with `--db` (every drop a row in a database file)
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
      baselineRate: null,
      slowdown: null,
      slowdowns: [],
      toolCpuPct: per((r) => { const v = div(r.toolCpuSeconds, r.stormSeconds); return v === null ? null : v * 100; }),
      toolCpuUsPerDrop: per((r) => { const v = div(r.toolCpuSeconds, r.captured); return v === null ? null : v * 1e6; }),
      bytesPerDrop: per((r) => div(r.bytesOnDisk, r.captured)),
      decodeSecPerM: per((r) => { const v = div(r.decodeSeconds, r.captured); return v === null ? null : v * 1e6; }),
      decodeDbSecPerM: per((r) => { const v = div(r.decodeDbSeconds, r.captured); return v === null ? null : v * 1e6; }),
      errors: [...new Set(group.filter((r) => r.error).map((r) => /** @type {string} */ (r.error)))],
      notes: [...new Set(ok.filter((r) => r.note).map((r) => /** @type {string} */ (r.note)))],
    });
  }
  // paired with the bare storms run right before and after the tool, else
  // with the bare run of the same point and repetition
  const bareOf = (/** @type {import('./matrix.js').RunRow} */ r) =>
    r.bareRate !== null && r.bareRate !== undefined
      ? { genRate: r.bareRate, genCpuNs: r.bareCpuNs ?? null }
      : rows.find((b) => b.tool === 'bare' && b.point === r.point && b.rep === r.rep && b.error === null);
  for (const c of cells) {
    const ok = rows.filter((r) => r.tool === c.tool && r.point === c.point && r.error === null);
    c.addedNs = median(ok.map((r) => {
      const b = bareOf(r);
      return b && b.genCpuNs !== null && r.genCpuNs !== null ? r.genCpuNs - b.genCpuNs : null;
    }));
    c.slowdowns = ok.flatMap((r) => {
      const b = bareOf(r);
      return b && b.genRate && r.genRate !== null ? [1 - r.genRate / b.genRate] : [];
    });
    c.slowdown = median(c.slowdowns);
    c.baselineRate = median(ok.map((r) => bareOf(r)?.genRate ?? null));
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
