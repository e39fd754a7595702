// Unit tests of the benchmark harness's pure parts: parsing the tools'
// outputs, medians, aggregation, target verdicts and the report. The
// harness itself needs root and minutes; these need neither.
// Run: npx vitest run --project bench (also part of npm test)
import { describe, expect, it } from 'vitest';
import { median, range } from '../lib/stats.js';
import { rotate } from '../lib/matrix.js';
import { aggregate, cellOf } from '../lib/aggregate.js';
import { checkTargets } from '../lib/targets.js';
import { renderReport } from '../lib/report.js';
import { parseBpftraceLost } from '../runners/bpftrace.js';
import { parseRecordSummary, totalFromSummaryJson } from '../runners/dropcap.js';
import { parseOptions, pointsFor } from '../lib/options.js';

/** @returns {import('../lib/matrix.js').RunRow} */
function row(over) {
  return {
    tool: 'bare', point: 'max', rep: 0, made: 1000, captured: null, toolLost: null, genRate: 500_000,
    genCpuNs: 2000, bareRate: null, bareCpuNs: null, stormSeconds: 1, toolCpuSeconds: 0, bytesOnDisk: null, decodeSeconds: null, decodeDbSeconds: null, note: null, error: null,
    ...over,
  };
}

describe('parsers', () => {
  it('reads dropcap record\'s summary line', () => {
    const s = parseRecordSummary('dropcap: attached via tp_btf\ndropcap: 1200 events, 7 lost, 3 without stack, 9.1 KiB in x.dcap, 2.0 s, via tp_btf\n');
    expect(s).toEqual({ events: 1200, lost: 7, stackless: 3 });
    expect(parseRecordSummary('dropcap: error: no BTF')).toBeNull();
  });
  it('finds the drop total in analyze --format json', () => {
    expect(totalFromSummaryJson(JSON.stringify({ totals: { drops: 42, all_drops: 50 } }))).toBe(42);
    expect(totalFromSummaryJson('not json')).toBeNull();
  });
  it('sums bpftrace loss reports', () => {
    expect(parseBpftraceLost('x\nLost 10 events\ny\nLost 5 events\n')).toBe(15);
    expect(parseBpftraceLost('Attaching 1 probe...\n')).toBe(0);
  });
});

describe('statistics', () => {
  it('takes the median of the numbers only', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5, undefined])).toBe(5);
    expect(median([])).toBeNull();
    expect(range([3, 1, null, 9])).toEqual([1, 9]);
  });
  it('rotates the tool order per repetition', () => {
    expect(rotate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });
});

describe('aggregate and targets', () => {
  const rows = [
    row({ tool: 'bare', genCpuNs: 2000 }),
    row({ tool: 'bare', rep: 1, genCpuNs: 2200 }),
    row({ tool: 'bare', rep: 2, genCpuNs: 9000 }), // an outlier the median ignores
    row({ tool: 'bpftrace-count', captured: 1000, genCpuNs: 2800, toolLost: 0 }),
    row({ tool: 'dropcap-default', captured: 1000, toolLost: 0, genCpuNs: 3300, genRate: 480_000, bytesOnDisk: 6000, toolCpuSeconds: 0.002 }),
    row({ tool: 'dropcap-all', captured: 1000, toolLost: 0, genCpuNs: 6000, bytesOnDisk: 7000, decodeSeconds: 0.5, decodeDbSeconds: 0.9 }),
    row({ tool: 'perf', captured: 1000, toolLost: 0, genCpuNs: 7000, bytesOnDisk: 312_000, decodeSeconds: 10 }),
    row({ tool: 'trace-cmd', captured: 1000, toolLost: 0, genCpuNs: 7000, bytesOnDisk: 7000, decodeSeconds: 4 }),
    row({ tool: 'perf', rep: 1, error: 'perf record: exited before it was ready' }),
  ];
  const cells = aggregate(rows);

  it('derives per-drop figures, the added cost paired with the same repetition\'s bare run', () => {
    const d = cellOf(cells, 'dropcap-default', 'max');
    expect(d?.captureRatio).toBe(1);
    expect(d?.addedNs).toBe(3300 - 2000); // rep 0's bare run, not the median of all bare runs
    expect(d?.slowdown).toBeCloseTo(1 - 480_000 / 500_000, 9);
    expect(d?.bytesPerDrop).toBe(6);
    expect(d?.toolCpuUsPerDrop).toBeCloseTo(2, 6);
    const perf = cellOf(cells, 'perf', 'max');
    expect(perf?.reps).toBe(1);
    expect(perf?.errors).toEqual(['perf record: exited before it was ready']);
    expect(perf?.decodeSecPerM).toBe(10_000);
    expect(perf?.decodeDbSecPerM).toBeNull();
    expect(cellOf(cells, 'dropcap-all', 'max')?.decodeDbSecPerM).toBe(900);
  });

  it('judges each target from the measured figures', () => {
    const v = checkTargets({ cells, maxPoint: 'max', quiet: { bytes: 1000 }, analyzer: [] });
    const by = Object.fromEntries(v.map((x) => [x.target.split(' ')[0], x.verdict]));
    expect(by.Lossless).toBe('MET'); // all captured, 4% slower
    expect(by.Added).toBe('MISSED'); // 1300 ns vs the floor's 800 ns: 1.63x > 1.5x
    expect(by.At).toBe('MET'); // 6 bytes/drop
    expect(by.Offline).toBe('MISSED'); // trace-cmd is only 8x slower
    expect(by['10M']).toBe('NOT MEASURED');
  });

  it('shows each repetition\'s slowdown and the floor\'s beside the median', () => {
    const noisy = aggregate([
      ...[500_000, 500_000, 500_000].map((genRate, rep) => row({ tool: 'bare', rep, genRate })),
      ...[450_000, 300_000, 490_000].map((genRate, rep) => row({ tool: 'dropcap-default', rep, captured: 1000, toolLost: 0, genRate })),
      row({ tool: 'bpftrace-count', captured: 1000, genRate: 400_000 }),
    ]);
    const v = checkTargets({ cells: noisy, maxPoint: 'max', quiet: null, analyzer: [] }).find((x) => x.target.startsWith('Lossless'));
    expect(v?.verdict).toBe('MET'); // the median, 10%
    expect(v?.detail).toContain('each repetition: 10.0%, 40.0%, 2.0%');
    expect(v?.detail).toContain('the floor (count only) in the same run: 20.0%');
  });

  it('passes the added-cost target at exactly the allowed ratio', () => {
    const cheap = aggregate(rows.map((r) => (r.tool === 'dropcap-default' ? { ...r, genCpuNs: 2000 + 1200 } : r)));
    const v = checkTargets({ cells: cheap, maxPoint: 'max', quiet: null, analyzer: [] });
    expect(v.find((x) => x.target.startsWith('Added'))?.verdict).toBe('MET'); // 1200 = 1.5 x 800
  });

  it('cancels drift between repetitions by pairing', () => {
    // the host got 3x slower in repetition 1, for the tool and the baseline alike
    const drift = aggregate([
      row({ tool: 'bare', rep: 0, genCpuNs: 2000 }), row({ tool: 'bare', rep: 1, genCpuNs: 6000 }),
      row({ tool: 'dropcap-none', rep: 0, captured: 1000, genCpuNs: 2500 }), row({ tool: 'dropcap-none', rep: 1, captured: 1000, genCpuNs: 6500 }),
    ]);
    expect(cellOf(drift, 'dropcap-none', 'max')?.addedNs).toBe(500);
  });

  it('compares a tool with the bare storms right before and after it when the matrix ran them', () => {
    // the repetition's bare run was on a fast phase of the host; the storms
    // around the tool saw the slow phase the tool ran in
    const cellsOf = aggregate([
      row({ tool: 'bare', genRate: 600_000, genCpuNs: 2000 }),
      row({ tool: 'dropcap-default', captured: 1000, genRate: 450_000, genCpuNs: 3000, bareRate: 500_000, bareCpuNs: 2600 }),
      row({ tool: 'dropcap-none', captured: 1000, genRate: 450_000, genCpuNs: 3000 }),
    ]);
    const paired = cellOf(cellsOf, 'dropcap-default', 'max');
    expect(paired?.slowdown).toBeCloseTo(0.1);
    expect(paired?.addedNs).toBe(400);
    expect(paired?.baselineRate).toBe(500_000);
    // without them, the repetition's bare run is the baseline
    const unpaired = cellOf(cellsOf, 'dropcap-none', 'max');
    expect(unpaired?.slowdown).toBeCloseTo(0.25);
    expect(unpaired?.addedNs).toBe(1000);
  });

  it('judges the 10M import by the median of its repetitions, and says so', () => {
    const big = {
      drops: 10_000_000, captureBytes: 1, synthSeconds: 0, importSeconds: 8.5, importSecondsEach: [8.5, 12.1, 7.9], importCpuSeconds: null,
      decodedIn: 'worker', importRate: 1, peakRssBytes: 2 ** 29, dbBytes: 1, summarySeconds: 1, queries: [{ sql: 'q', seconds: 0.05 }], error: null,
    };
    const v = checkTargets({ cells, maxPoint: 'max', quiet: null, analyzer: [big] }).find((x) => x.target.startsWith('10M'));
    expect(v?.verdict).toBe('MET');
    expect(v?.detail).toContain('import 8.5 s (median of 3: 8.5 s, 12.1 s, 7.9 s)');
  });

  it('renders the verdicts and a row per tool into the report', () => {
    const verdicts = checkTargets({ cells, maxPoint: 'max', quiet: { bytes: 1000 }, analyzer: [] });
    const runner = (name) => ({ name, label: `label-${name}`, command: `cmd-${name}`, check: async () => ({ ok: true }), start: async () => { throw new Error('unused'); } });
    const md = renderReport({
      machine: { date: 'D', cpus: '2', cpuModel: 'M', memory: '1 GiB', kernel: 'K', node: 'N', bpftrace: 'B', perf: 'P', traceCmd: 'T' },
      commandLine: 'npm run bench', wallSeconds: 60, reps: 3,
      points: [{ name: 'max', rate: 0, count: 1000, threads: 2 }],
      ran: ['bare', 'bpftrace-count', 'dropcap-default', 'dropcap-all', 'perf', 'trace-cmd'].map(runner),
      skipped: [{ runner: runner('bcc-tcpdrop'), why: 'no kernel headers' }],
      generatorCommand: 'dropgen storm', cells, rows, analyzer: [], quiet: { bytes: 1000 }, verdicts, notes: ['a note'],
    });
    expect(md).toContain('**MISSED**');
    expect(md).toContain('| label-dropcap-default | 100.0% (1,000 / 1,000) | 0 |');
    expect(md).toContain('label-bcc-tcpdrop: no kernel headers');
    expect(md).toContain('`cmd-perf`');
    expect(md).toContain('error in a repetition: perf record: exited before it was ready');
    // dropcap's decode, and in brackets the same with --db
    expect(md).toMatch(/\| label-dropcap-all \|.*\| 500\.00 \(900\.00\) \|/);
    expect(verdicts.find((x) => x.target.startsWith('Offline'))?.detail).toContain('with --db, every drop also a row in a database file: 900');
  });
});

describe('options', () => {
  it('makes --quick short and keeps the three points', () => {
    const o = parseOptions(['--quick']);
    expect(o.reps).toBe(1);
    expect(pointsFor(o).map((p) => p.name)).toEqual(['10k/s', '100k/s', 'max (2 threads)']);
    expect(pointsFor(o)[0].count).toBe(10_000);
  });
  it('repeats the maximum-rate point more, never less than the others', () => {
    expect(pointsFor(parseOptions([])).map((p) => p.reps)).toEqual([undefined, undefined, 7]);
    expect(pointsFor(parseOptions(['--reps', '9'])).map((p) => p.reps)).toEqual([undefined, undefined, 9]);
    expect(pointsFor(parseOptions(['--quick'])).map((p) => p.reps)).toEqual([undefined, undefined, 1]);
  });
  it('refuses unknown points and bad numbers with a hint', () => {
    expect(() => pointsFor(parseOptions(['--points', '1M']))).toThrow(/use 10k, 100k or max/);
    expect(() => parseOptions(['--reps', '0'])).toThrow(/--reps takes a positive number/);
  });
});
