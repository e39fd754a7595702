// The issue's targets, checked against what this run measured. Each verdict
// is MET, MISSED, or NOT MEASURED (with the reason) - never guessed.
import { cellOf } from './aggregate.js';

/**
 * @typedef {object} Verdict
 * @property {string} target
 * @property {'MET'|'MISSED'|'NOT MEASURED'} verdict
 * @property {string} detail
 */

const fmt = (/** @type {number} */ x, d = 1) => x.toFixed(d);

/**
 * Bytes per drop without the file's fixed cost (header, kallsyms), when known.
 * @param {import('./aggregate.js').Cell} c
 * @param {{ bytes: number|null }|null} quiet
 */
function marginal(c, quiet) {
  if (!quiet?.bytes || !c.captured || c.bytesPerDrop === null) return '';
  return ` (${fmt((c.bytesPerDrop * c.captured - quiet.bytes) / c.captured, 2)} without the fixed per-file cost)`;
}

/**
 * @param {object} o
 * @param {import('./aggregate.js').Cell[]} o.cells
 * @param {string} o.maxPoint name of the generator-maximum point
 * @param {{ bytes: number|null, error?: string }|null} o.quiet fixed per-file cost of a quiet capture
 * @param {import('../analyzer/bench-analyzer.js').AnalyzerResult[]} o.analyzer
 * @returns {Verdict[]}
 */
export function checkTargets({ cells, maxPoint, quiet, analyzer }) {
  /** @type {Verdict[]} */
  const out = [];
  const dflt = cellOf(cells, 'dropcap-default', maxPoint);
  const all = cellOf(cells, 'dropcap-all', maxPoint);
  const bare = cellOf(cells, 'bare', maxPoint);
  const floor = cellOf(cells, 'bpftrace-count', maxPoint);
  const missing = (/** @type {import('./aggregate.js').Cell|undefined} */ c, /** @type {string} */ name) =>
    !c ? `${name} was not run` : c.reps === 0 ? `${name} failed: ${c.errors[0] ?? 'no successful run'}` : null;

  {
    const target = 'Lossless at the generator maximum (2 threads), default stacks, sender slowed by at most 15%';
    const why = missing(dflt, 'dropcap --stacks default') ?? missing(bare, 'the bare baseline');
    if (why || !dflt || !bare || dflt.captured === null || dflt.made === null || dflt.slowdown === null) {
      out.push({ target, verdict: 'NOT MEASURED', detail: why ?? 'incomplete figures' });
    } else {
      const lost = dflt.made - dflt.captured;
      const slow = dflt.slowdown;
      const ok = lost <= 0 && (dflt.toolLost ?? 0) === 0 && slow <= 0.15;
      // the spread says how much one run's verdict can be trusted on a noisy machine
      const pct = (/** @type {number} */ s) => `${fmt(s * 100)}%`;
      const spread = dflt.slowdowns.length > 1 ? `; each repetition: ${dflt.slowdowns.map(pct).join(', ')}` : '';
      const floorSlow = floor && floor.slowdown !== null ? `; the floor (count only) in the same run: ${pct(floor.slowdown)}` : '';
      out.push({ target, verdict: ok ? 'MET' : 'MISSED',
        detail: `captured ${dflt.captured} of ${dflt.made} (tool says ${dflt.toolLost ?? '?'} lost); sender ${fmt(Math.abs(slow) * 100)}% ${slow >= 0 ? 'slower' : 'faster'} than without a tracer (median of ${dflt.reps}; medians ${fmt((dflt.genRate ?? 0) / 1e3, 0)}k/s vs ${fmt((dflt.baselineRate ?? bare.genRate ?? 0) / 1e3, 0)}k/s)${spread}${floorSlow}` });
    }
  }
  {
    const target = 'Added cost per drop (default stacks) at most 1.5x the floor (bpftrace count-only)';
    const why = missing(dflt, 'dropcap --stacks default') ?? missing(floor, 'the floor') ?? missing(bare, 'the bare baseline');
    if (why || !dflt || !floor || dflt.addedNs === null || floor.addedNs === null) {
      out.push({ target, verdict: 'NOT MEASURED', detail: why ?? 'incomplete figures' });
    } else {
      const ratio = floor.addedNs > 0 ? dflt.addedNs / floor.addedNs : Infinity;
      out.push({ target, verdict: ratio <= 1.5 ? 'MET' : 'MISSED',
        detail: `at ${maxPoint}: dropcap adds ${fmt(dflt.addedNs, 0)} ns/drop, the floor ${fmt(floor.addedNs, 0)} ns/drop (${fmt(ratio, 2)}x)` });
    }
  }
  {
    const target = 'At most 8 bytes on disk per drop in a storm (default stacks); fixed per-file cost reported';
    const why = missing(dflt, 'dropcap --stacks default');
    const q = quiet?.bytes != null ? `; a quiet capture (no drops) is ${quiet.bytes} bytes, kallsyms included` : `; quiet capture: ${quiet?.error ?? 'not measured'}`;
    if (why || !dflt || dflt.bytesPerDrop === null) {
      out.push({ target, verdict: 'NOT MEASURED', detail: (why ?? 'incomplete figures') + q });
    } else {
      out.push({ target, verdict: dflt.bytesPerDrop <= 8 ? 'MET' : 'MISSED',
        detail: `${fmt(dflt.bytesPerDrop, 2)} bytes/drop at ${maxPoint}${marginal(dflt, quiet)}${q}` });
    }
  }
  {
    const target = 'Offline decode at least 10x faster than perf script and trace-cmd report per million drops, stacks included';
    const peers = ['perf', 'trace-cmd'].map((t) => cellOf(cells, t, maxPoint));
    const why = missing(all, 'dropcap --stacks all') ?? missing(peers[0], 'perf') ?? missing(peers[1], 'trace-cmd');
    if (why || !all || all.decodeSecPerM === null || peers.some((p) => !p || p.decodeSecPerM === null)) {
      out.push({ target, verdict: 'NOT MEASURED', detail: why ?? 'incomplete figures' });
    } else {
      const ratios = peers.map((p) => /** @type {number} */ (p?.decodeSecPerM) / /** @type {number} */ (all.decodeSecPerM));
      out.push({ target, verdict: ratios.every((r) => r >= 10) ? 'MET' : 'MISSED',
        detail: `dropcap analyze ${fmt(all.decodeSecPerM, 2)} s/M${all.decodeDbSecPerM === null ? '' : ` (with --db, every drop also a row in a database file: ${fmt(all.decodeDbSecPerM, 2)} s/M)`}; perf script ${fmt(/** @type {number} */ (peers[0]?.decodeSecPerM), 2)} s/M (${fmt(ratios[0])}x); trace-cmd report ${fmt(/** @type {number} */ (peers[1]?.decodeSecPerM), 2)} s/M (${fmt(ratios[1])}x)` });
    }
  }
  {
    const target = '10M drops: import within 10 s, peak RSS under 1 GiB, each summary query within 1 s';
    const big = analyzer.find((a) => a.drops >= 10_000_000);
    if (!big || big.importSeconds === 0) {
      out.push({ target, verdict: 'NOT MEASURED', detail: big?.error ?? 'the 10M-drop analyzer run was not made' });
    } else {
      const slowest = big.queries.reduce((m, q) => Math.max(m, q.seconds), 0);
      const finished = big.summarySeconds !== null;
      const ok = finished && big.importSeconds <= 10 && big.peakRssBytes < 2 ** 30 && slowest <= 1;
      out.push({ target, verdict: ok ? 'MET' : 'MISSED',
        detail: `import ${fmt(big.importSeconds, 1)} s${(big.importSecondsEach?.length ?? 0) > 1 ? ` (median of ${big.importSecondsEach.length}: ${big.importSecondsEach.map((s) => `${fmt(s, 1)} s`).join(', ')})` : ''}, peak RSS ${fmt(big.peakRssBytes / 2 ** 20, 0)} MiB, slowest summary query ${fmt(slowest * 1000, 0)} ms${finished ? '' : ` (${big.error})`}` });
    }
  }
  return out;
}
