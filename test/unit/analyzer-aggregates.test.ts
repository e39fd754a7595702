// The counts kept at import (_who, _what, _flow, _flow_reason, _agg_time,
// _agg_capture) must equal what GROUP BY over the drops view says, and the
// summary built from them must equal the summary built by scanning.
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { EventFlags } from '@dropcap/format';
import { loadCaptures, type Analysis } from '@dropcap/analyzer';
import { DropRowsNeeded, buildDropFilter, captureSpans, collectSummary, hasFilters, parseFilters, runSummary, type FilterOptions } from '../../packages/analyzer/src/commands/index.js';
import { dumpWithoutSources } from '../support/db-dump.js';
import { KERNEL, START_MONO, tmpDir, writeSyntheticCapture, type EventSpec } from '../support/synthetic-capture.js';

const t = tmpDir('dropcap-agg-');
afterAll(() => t.cleanup());

/**
 * Mixed drops: both families (one IPv6 address spelled two ways in bytes
 * that print alike is impossible, so several distinct ones), reasons incl.
 * a subsystem one, an unknown one and NO_REASON, stacks, a stack id the file
 * does not have, one oversized len, several tasks and CPUs, time spread over
 * `spanS` seconds with a little disorder.
 */
function mixed(n: number, seed: number, spanS: number): EventSpec[] {
  const out: EventSpec[] = [];
  for (let i = 0; i < n; i++) {
    const k = (i * 7919 + seed) % 1009;
    const v6 = k % 6 === 0;
    out.push({
      ts_ns: START_MONO + (BigInt(i) * BigInt(spanS) * 1_000_000_000n) / BigInt(n) + BigInt((k % 5) * 1000),
      family: v6 ? 6 : 4,
      saddr: v6 ? `2001:db8::${k % 4}` : `10.0.${k % 3}.${k % 11}`,
      daddr: v6 ? '::1' : '127.0.0.1',
      sport: 40000 + (k % 13),
      dport: k % 2 ? 80 : 443,
      reason: [3, 12, 30, (3 << 16) | 1, 99, 3][k % 6],
      location: k % 3 ? KERNEL.tcp_v4_rcv + BigInt(0x91 + (k % 2)) : KERNEL.nft_do_chain + 0x10n,
      stack_id: k % 4 === 0 ? 1 : k % 4 === 1 ? 2 : k % 97 === 2 ? 9 : 0,
      flags:
        (k % 4 === 3 ? EventFlags.STACK_BUDGET : EventFlags.STACK) | (k % 17 === 0 ? EventFlags.NO_REASON : 0) | (i < 3 ? EventFlags.NEW_SITE : 0),
      state: k % 13,
      tcp_flags: (k * 3) & 0xff,
      cpu: k % 3,
      pid: 100 + (k % 5),
      tid: 100 + (k % 7),
      comm: `proc${k % 5}`,
      seq: (i * 2654435761) >>> 0,
      ack_seq: (i * 40503) >>> 0,
      window: i % 65536,
      len: i === 5 ? 3_000_000 : 40 + (k % 1500),
      mark: k % 29 === 0 ? 7 : 0,
      sk_source: k % 3,
      ifindex: k % 2 ? 1 : 2,
    });
  }
  return out;
}

const rows = (a: Analysis, sql: string) => a.db.prepare(sql).all() as Array<Record<string, unknown>>;

function expectCountsMatchScan(a: Analysis): void {
  // _what: one row per (capture, site, reason, flags, stack); its drops = COUNT(*) of its drops
  expect(rows(a, `SELECT group_id, drops FROM _group_count ORDER BY 1`)).toEqual(rows(a, `SELECT group_id, COUNT(*) AS drops FROM _drop GROUP BY 1 ORDER BY 1`));
  // every group has its counts, and nothing else does
  expect(rows(a, `SELECT group_id FROM _group ORDER BY 1`)).toEqual(rows(a, `SELECT group_id FROM _group_count ORDER BY 1`));
  expect(rows(a, `SELECT what_id, drops FROM _what ORDER BY 1`)).toEqual(
    rows(a, `SELECT g.what_id, COUNT(*) AS drops FROM _drop d JOIN _group g USING (group_id) GROUP BY 1 ORDER BY 1`),
  );
  expect(rows(a, `SELECT who_id, drops FROM _who ORDER BY 1`)).toEqual(
    rows(a, `SELECT g.who_id, COUNT(*) AS drops FROM _drop d JOIN _group g USING (group_id) GROUP BY 1 ORDER BY 1`),
  );
  // a group's first and last drop
  expect(a.db.prepare('SELECT group_id, first_ns, last_ns FROM _drop_groups ORDER BY 1').safeIntegers(true).all()).toEqual(
    a.db
      .prepare('SELECT d.group_id, MIN(g.time_base + d.t) AS first_ns, MAX(g.time_base + d.t) AS last_ns FROM _drop d JOIN _group USING (group_id) JOIN _what g USING (what_id) GROUP BY 1 ORDER BY 1')
      .safeIntegers(true)
      .all(),
  );
  // flows, by the text the drops view shows
  expect(
    rows(a, `SELECT (SELECT text FROM _addr WHERE addr_id = saddr_id) AS saddr, sport, (SELECT text FROM _addr WHERE addr_id = daddr_id) AS daddr, dport, drops
               FROM _flow ORDER BY 1, 2, 3, 4`),
  ).toEqual(rows(a, `SELECT saddr, sport, daddr, dport, COUNT(*) AS drops FROM drops GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`));
  expect(
    rows(
      a,
      `SELECT DISTINCT (SELECT text FROM _addr WHERE addr_id = f.saddr_id) AS saddr, f.sport, (SELECT text FROM _addr WHERE addr_id = f.daddr_id) AS daddr, f.dport,
              CASE WHEN fr.no_reason THEN 'NO_REASON' ELSE (SELECT name FROM _reason r WHERE r.capture_id = fr.capture_id AND r.code = fr.reason_code) END AS reason
         FROM _flow_reason fr JOIN _flow f USING (flow_id) ORDER BY 1, 2, 3, 4, 5`,
    ),
  ).toEqual(rows(a, `SELECT DISTINCT saddr, sport, daddr, dport, reason FROM drops ORDER BY 1, 2, 3, 4, 5`));
  expect(
    a.db
      .prepare(`SELECT capture_id, drops, first_ns, last_ns FROM _agg_capture WHERE drops > 0 ORDER BY 1`)
      .safeIntegers(true)
      .all(),
  ).toEqual(
    a.db
      .prepare(`SELECT capture_id, COUNT(*) AS drops, MIN(time_ns) AS first_ns, MAX(time_ns) AS last_ns FROM drops GROUP BY 1 ORDER BY 1`)
      .safeIntegers(true)
      .all(),
  );
  // fine buckets: every capture keeps them here, and they add up per reason and bucket
  for (const c of rows(a, 'SELECT capture_id, bucket_ns FROM _agg_capture')) {
    expect(c.bucket_ns).not.toBeNull();
    const g = BigInt(c.bucket_ns as number);
    expect(
      a.db
        .prepare(`SELECT reason_code, no_reason, bucket_start_ns, drops FROM _agg_time WHERE capture_id = ? ORDER BY 1, 2, 3`)
        .safeIntegers(true)
        .all(c.capture_id),
    ).toEqual(
      a.db
        .prepare(
          `SELECT reason_code, (reason = 'NO_REASON') AS no_reason, time_ns - (time_ns % ?) AS bucket_start_ns, COUNT(*) AS drops
             FROM drops WHERE capture_id = ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        )
        .safeIntegers(true)
        .all(g, c.capture_id),
    );
  }
}

function summaries(a: Analysis, top: number, filterOpts: FilterOptions = {}) {
  const filter = parseFilters(filterOpts);
  const where = buildDropFilter(filter, captureSpans(a.db));
  const opts = { top, stacks: 3, buckets: 60 };
  const filtered = hasFilters(filter);
  return [collectSummary(a.db, where, opts, filtered), collectSummary(a.db, where, { ...opts, aggregates: false }, filtered)] as const;
}

describe('import-time counts', () => {
  it('equal GROUP BY over the drops view, for one capture', () => {
    const file = t.file('one.dcap');
    writeSyntheticCapture(file, { events: mixed(3000, 1, 3600), blockSize: 700 });
    const a = loadCaptures([file]);
    expect(rows(a, 'SELECT COUNT(*) AS n FROM drops')).toEqual([{ n: 3000 }]);
    // the mix really exercises the odd paths
    expect(rows(a, "SELECT COUNT(*) AS n FROM drops WHERE reason = 'NO_REASON'")[0]!.n).toBeGreaterThan(0);
    expect(rows(a, "SELECT COUNT(*) AS n FROM drops WHERE reason LIKE 'UNKNOWN(%'")[0]!.n).toBeGreaterThan(0);
    expect(rows(a, 'SELECT len FROM drops WHERE len > 2097151')).toEqual([{ len: 3_000_000 }]);
    expectCountsMatchScan(a);
    a.db.close();
  });

  it('equal GROUP BY over the drops view, for several captures in one database', () => {
    const files = [t.file('a.dcap'), t.file('b.dcap'), t.file('c.dcap')];
    writeSyntheticCapture(files[0]!, { hostname: 'web1', events: mixed(1500, 2, 600), blockSize: 400 });
    writeSyntheticCapture(files[1]!, { hostname: 'web2', events: mixed(1200, 3, 30), blockSize: 500 });
    writeSyntheticCapture(files[2]!, { hostname: 'web3', events: [] });
    const a = loadCaptures(files);
    expectCountsMatchScan(a);
    a.db.close();
  });

  it('equal GROUP BY over the drops view when a STACKS block comes after drops that use it', () => {
    // the import meets stack ids it cannot resolve yet, then the stacks: later
    // drops of the same flow and site must get new groups carrying the stack
    const file = t.file('late-stacks.dcap');
    writeSyntheticCapture(file, { events: mixed(3000, 4, 60), blockSize: 1100, stacksAfter: 1 });
    const a = loadCaptures([file]);
    expectCountsMatchScan(a);
    // drops of the first block (before the STACKS block) that took a stack (flag bit 0)
    const taken = (where: string) => rows(a, `SELECT COUNT(*) AS n, COUNT(g.stack_id) AS resolved FROM _drop d JOIN _group g USING (group_id) WHERE ${where} AND g.flags & 1`)[0]!;
    const early = taken('d.rowid <= 1100');
    const late = taken('d.rowid > 1100');
    expect(early.n).toBeGreaterThan(0);
    expect(early.resolved).toBe(0);
    expect(late.resolved).toBeGreaterThan(0);
    // the same (who, what) content before and after the stacks: two groups
    expect(rows(a, 'SELECT COUNT(*) AS n FROM _group')[0]!.n).toBeGreaterThan(
      rows(a, 'SELECT COUNT(*) AS n FROM (SELECT DISTINCT who_id, site_id, reason_code, flags FROM _group)')[0]!.n as number,
    );
    a.db.close();
  });

  it('give the same summary as scanning the drops view', () => {
    for (const [name, spanS] of [['hour', 3600], ['minute', 60], ['instant', 0]] as const) {
      const file = t.file(`summary-${name}.dcap`);
      writeSyntheticCapture(file, { events: mixed(2500, 5, spanS), blockSize: 900 });
      const other = t.file(`summary-${name}-2.dcap`);
      writeSyntheticCapture(other, { hostname: 'other', events: mixed(800, 9, spanS), blockSize: 300 });
      const a = loadCaptures([file, other]);
      for (const top of [1, 3, 10, 1000]) {
        const [fromCounts, fromScan] = summaries(a, top);
        expect(fromCounts, `${name}, top ${top}`).toEqual(fromScan);
        expect(fromCounts.top_flows.length).toBe(Math.min(top, fromCounts.totals.flows));
      }
      a.db.close();
    }
  });

  it('give the same filtered summaries as scanning the drops view', () => {
    const files = [t.file('f1.dcap'), t.file('f2.dcap')];
    writeSyntheticCapture(files[0]!, { hostname: 'web1', events: mixed(2000, 11, 3600), blockSize: 600 });
    writeSyntheticCapture(files[1]!, { hostname: 'web2', events: mixed(900, 12, 120), blockSize: 600 });
    const a = loadCaptures(files);
    const filters: FilterOptions[] = [
      { reason: ['no_socket'] },
      { reason: ['NETFILTER_DROP', '99'] },
      { port: ['443'] },
      { port: ['40003'], reason: ['TCP_FLAGS'] },
      { host: ['10.0.1.5'] },
      { host: ['2001:db8:0:0:0:0:0:2'] },
      { host: ['web2'] },
      { since: '30m' },
      { until: '-10s', port: ['80'] },
      { reason: ['NO_SUCH_REASON'] },
    ];
    for (const f of filters) {
      const [fast, scan] = summaries(a, 5, f);
      expect(fast, JSON.stringify(f)).toEqual(scan);
      expect(fast.filtered).toBe(true);
    }
    // which source answered: the groups for a port filter; for a time filter one pass over the view per group, then the groups
    const seen: string[] = [];
    const prepare = a.db.prepare.bind(a.db);
    a.db.prepare = ((sql: string) => (seen.push(sql), prepare(sql))) as typeof a.db.prepare;
    summaries(a, 5, { port: ['443'] });
    expect(seen.filter((q) => /FROM _drop_groups WHERE/.test(q)).length).toBeGreaterThan(4);
    seen.length = 0;
    const since = parseFilters({ since: '30m' });
    const timed = collectSummary(a.db, buildDropFilter(since, captureSpans(a.db)), { top: 5, stacks: 3, buckets: 60 }, true);
    expect(timed.totals.drops).toBeGreaterThan(0);
    expect(seen.filter((q) => /FROM _drops_with_group WHERE/.test(q)).length).toBe(1);
    expect(seen.filter((q) => /FROM drops WHERE/.test(q)).length).toBe(1);
    expect(seen.filter((q) => /json_each/.test(q)).length).toBeGreaterThan(4);
    a.db.prepare = prepare;
    // the filters did select something, and not everything
    const [some] = summaries(a, 5, { port: ['443'] });
    expect(some.totals.drops).toBeGreaterThan(0);
    expect(some.totals.drops).toBeLessThan(some.totals.all_drops);
    a.db.close();
  });

  it('give the same summary for a capture without drops', () => {
    const file = t.file('empty.dcap');
    writeSyntheticCapture(file, { events: [] });
    const a = loadCaptures([file]);
    const [fromCounts, fromScan] = summaries(a, 10);
    expect(fromCounts).toEqual(fromScan);
    expect(fromCounts.timeline).toBeNull();
    a.db.close();
  });
});

describe('an import without drop rows (LoadOptions.dropRows: false)', () => {
  const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
  const real = ['scenarios', 'storm', 'second-host', 'regressions'].flatMap((d) =>
    fs.readdirSync(`${FIXTURES}${d}`).filter((f) => f.endsWith('.dcap')).map((f) => `${FIXTURES}${d}/${f}`),
  );
  const unfiltered = (a: Analysis) => collectSummary(a.db, buildDropFilter(parseFilters({}), captureSpans(a.db)), { top: 10, stacks: 5, buckets: 60 }, false);
  /** The summary, or the word that it needed the rows: never a different answer. */
  const unfilteredOrNeed = (a: Analysis) => {
    try {
      return unfiltered(a);
    } catch (err) {
      if (err instanceof DropRowsNeeded) return 'rows needed';
      throw err;
    }
  };
  // what only the drop rows hold or refer to, and the marker saying they are absent
  const withoutRows = (d: Record<string, string[]>) => ({ ...d, _drop: [], _big_len: [], _task: [], _dropcap_db: d._dropcap_db!.filter((r) => !r.startsWith('["drop_rows"')) });

  /** Whether the lean import answered the summary itself. */
  function expectSameSummary(paths: string[]): boolean {
    let full: Analysis;
    try {
      full = loadCaptures(paths);
    } catch {
      // a capture the analyzer refuses is refused either way
      expect(() => loadCaptures(paths, { dropRows: false })).toThrow();
      return false;
    }
    const lean = loadCaptures(paths, { dropRows: false });
    try {
      expect(full.dropRows).toBe(true);
      expect(lean.dropRows).toBe(false);
      expect(rows(lean, 'SELECT (SELECT COUNT(*) FROM _drop) + (SELECT COUNT(*) FROM _task) AS n')).toEqual([{ n: 0 }]);
      expect(rows(lean, "SELECT value FROM _dropcap_db WHERE key = 'drop_rows'")).toEqual([{ value: '0' }]);
      // every other table is the same: the counts the summary reads are all there
      expect(withoutRows(dumpWithoutSources(lean.db))).toEqual(withoutRows(dumpWithoutSources(full.db)));
      expect(lean.warnings).toEqual(full.warnings);
      const answer = unfilteredOrNeed(lean);
      if (answer !== 'rows needed') expect(answer).toEqual(unfiltered(full));
      return answer !== 'rows needed';
    } finally {
      full.db.close();
      lean.db.close();
    }
  }

  it('gives the same summary and tables, on synthetic captures', () => {
    const files = [t.file('lean1.dcap'), t.file('lean2.dcap')];
    writeSyntheticCapture(files[0]!, { hostname: 'web1', events: mixed(2000, 21, 3600), blockSize: 600 });
    writeSyntheticCapture(files[1]!, { hostname: 'web2', events: mixed(700, 22, 60), blockSize: 300 });
    expect(expectSameSummary(files)).toBe(true);
  });

  for (const file of real) {
    it(`gives the same summary and tables, or says it needs the rows, on ${file.slice(FIXTURES.length)}`, () => {
      const answered = expectSameSummary([file]);
      // real recordings span long enough for the counted histogram
      if (!file.includes('/regressions/')) expect(answered).toBe(true);
    });
  }

  it('says it needs the rows for a capture spanning too little time for the counted histogram, and runSummary then imports them', async () => {
    const file = t.file('lean-instant.dcap');
    writeSyntheticCapture(file, { events: mixed(3, 25, 0) });
    expect(expectSameSummary([file])).toBe(false);
    const json = async (args: Parameters<typeof runSummary>[0]) => {
      const chunks: Buffer[] = [];
      const out = Object.assign(new PassThrough(), { isTTY: false });
      out.on('data', (d: Buffer) => chunks.push(d));
      await runSummary({ ...args, format: 'json' }, { stdout: out, stderr: Object.assign(new PassThrough(), { isTTY: false }), env: {} });
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as { timeline: unknown; totals: { drops: number } };
    };
    const withoutDb = await json({ files: [file] });
    const withDb = await json({ files: [file], db: t.file('lean-instant.db') });
    expect(withoutDb.totals.drops).toBe(3);
    expect(withoutDb.timeline).not.toBeNull();
    expect(withoutDb).toEqual(withDb);
  });

  it('refuses a summary that would need the rows', () => {
    const file = t.file('lean-filtered.dcap');
    writeSyntheticCapture(file, { events: mixed(500, 23, 60) });
    const a = loadCaptures([file], { dropRows: false });
    try {
      for (const f of [{ port: ['443'] }, { since: '10s' }]) {
        const where = buildDropFilter(parseFilters(f), captureSpans(a.db));
        expect(() => collectSummary(a.db, where, { top: 5, stacks: 3, buckets: 60 }, true)).toThrow(DropRowsNeeded);
      }
    } finally {
      a.db.close();
    }
  });

  it('keeps every row in a database file (--db), whatever was asked', () => {
    const file = t.file('lean-db.dcap');
    writeSyntheticCapture(file, { events: mixed(300, 24, 60) });
    const db = t.file('lean.db');
    const a = loadCaptures([file], { dbPath: db, dropRows: false });
    expect(a.dropRows).toBe(true);
    expect(rows(a, 'SELECT COUNT(*) AS n FROM _drop')).toEqual([{ n: 300 }]);
    a.db.close();
  });
});
