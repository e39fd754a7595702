// The built `dropcap analyze` on the real captures in fixtures/ (recorded by
// fixtures/record.sh from provoked kernel drops). Every expectation comes
// from the fixture's expected.json, i.e. from what was provoked, or from the
// same capture read through another command (list vs query), never from a
// literal copied out of the output.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDropcap } from '../support/cli.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const fixture = (rel: string) => `${FIXTURES}${rel}`;

interface ExpectedDrop {
  scenario?: string;
  phase?: string;
  reason: string;
  family: 4 | 6;
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  flags: string;
  count: number;
  site: string;
}

interface Expected {
  file: string;
  hostname: string;
  kernel_release: string;
  netns: number;
  stacks: string;
  total: number;
  by_reason: Record<string, number>;
  reason_codes: Record<string, number>;
  drops: ExpectedDrop[];
  phases?: Array<{ name: string; start: string; end: string; total: number }>;
  split_time?: string;
}

const expectedOf = (dir: string): Expected => JSON.parse(readFileSync(fixture(`${dir}/expected.json`), 'utf8')) as Expected;

const SCEN = expectedOf('scenarios');
const SCEN_FILE = fixture('scenarios/scenarios.dcap');
const SECOND = expectedOf('second-host');
const SECOND_FILE = fixture('second-host/second-host.dcap');
const STORM = expectedOf('storm') as Expected & { sent: number; stack_budget: number };
const STORM_FILE = fixture('storm/storm.dcap');

/** Relations and columns as docs/schema.md documents them (generated from the analyzer's SCHEMA). */
const DOCUMENTED = readFileSync(new URL('../../docs/schema.md', import.meta.url), 'utf8')
  .split(/^## /m)
  .slice(1)
  .map((section) => {
    const [, name, kind] = /^(\w+) \((table|view)\)/.exec(section)!;
    const columns = [...section.matchAll(/^\| (\w+) \| [A-Z]+ \|/gm)].map((m) => m[1]!);
    return { name: name!, kind: kind!, columns };
  });

/** Runs `dropcap analyze ARGS` and insists on exit status 0. */
function analyze(args: string[]): { stdout: string; stderr: string } {
  const r = runDropcap(['analyze', ...args]);
  expect(r.status, `dropcap analyze ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}

function query<T = Record<string, unknown>>(files: string[], sql: string): T[] {
  return JSON.parse(analyze(['query', ...files, sql, '--format', 'json']).stdout) as T[];
}

const sum = (drops: ExpectedDrop[]) => drops.reduce((n, d) => n + d.count, 0);
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const distinct = <T>(values: T[]) => new Set(values).size;
const flowKey = (d: { saddr: string; sport: number; daddr: string; dport: number }) => `${d.saddr}:${d.sport} > ${d.daddr}:${d.dport}`;

/** Expected drops per drop-site function. */
function countBySite(drops: ExpectedDrop[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of drops) m.set(d.site, (m.get(d.site) ?? 0) + d.count);
  return m;
}

/** A multiset of tuples as sorted "key ×count" strings, for order-free comparison. */
function tupleCounts(items: Array<{ key: string; count: number }>): string[] {
  const m = new Map<string, number>();
  for (const { key, count } of items) m.set(key, (m.get(key) ?? 0) + count);
  return [...m].map(([k, n]) => `${k} ×${n}`).sort();
}

const dropKey = (d: { reason: string; family: number | string; saddr: string; sport: number | string; daddr: string; dport: number | string; flags: string }) =>
  `${d.reason} v${d.family} ${d.saddr}:${d.sport} > ${d.daddr}:${d.dport} (${d.flags})`;

// --- the seed's line format ----------------------------------------------

// bcc tcpdrop's header and printf ("%-8s %-7d %-2d %-20s > %-20s %-20s %s (%d)"),
// from /work/shared/seeds/tcpdrop_example.txt. The reference formatter below is
// written from the printf and itself checked against the seed's example line.
const SEED_HEADER = 'TIME     PID     IP SADDR:SPORT          > DADDR:DPORT          STATE (FLAGS)        REASON (CODE)';
const SEED_LINE = '14:46:49 0       4  39.156.66.10:80      > 10.211.55.10:33280   SYN_SENT (SYN|ACK)   NETFILTER_DROP (12)';

interface LineFields {
  time: string;
  pid: number | string;
  family: number | string;
  saddr: string;
  sport: number | string;
  daddr: string;
  dport: number | string;
  state: string;
  flags: string;
  reason: string;
  code: number | string;
}

function seedPrintf(f: LineFields): string {
  const col = (v: unknown, w: number) => String(v).padEnd(w);
  return `${col(f.time, 8)} ${col(f.pid, 7)} ${col(f.family, 2)} ${col(`${f.saddr}:${f.sport}`, 20)} > ${col(`${f.daddr}:${f.dport}`, 20)} ${col(`${f.state} (${f.flags})`, 20)} ${f.reason} (${f.code})`;
}

/** Splits a line printed in the seed format back into fields (fixed columns while values fit). */
const SEED_LINE_RE = /^(\d\d:\d\d:\d\d) (.{7}) (.{2}) (.{20}) > (.{20}) (.{20}) (\S+) \((\d+)\)$/;
function parseSeedLine(line: string) {
  const m = SEED_LINE_RE.exec(line);
  if (!m) throw new Error(`not a tcpdrop-format line: ${JSON.stringify(line)}`);
  const endpoint = (s: string) => {
    const t = s.trimEnd();
    const i = t.lastIndexOf(':');
    return { addr: t.slice(0, i), port: Number(t.slice(i + 1)) };
  };
  const [, time, pid, family, src, dst, stateFlags, reason, code] = m as unknown as string[];
  const s = endpoint(src!);
  const d = endpoint(dst!);
  const sf = /^(\S+) \((.*)\)$/.exec(stateFlags!.trimEnd());
  return {
    time: time!,
    pid: Number(pid),
    family: Number(family),
    saddr: s.addr,
    sport: s.port,
    daddr: d.addr,
    dport: d.port,
    state: sf?.[1] ?? '',
    flags: sf?.[2] ?? '',
    reason: reason!,
    code: Number(code),
  };
}

interface DropRow {
  time: string;
  pid: number;
  family: number;
  saddr: string;
  sport: number;
  daddr: string;
  dport: number;
  state: string;
  tcp_flags: string;
  reason: string;
  reason_code: number;
  location: string;
  stack_id: number | null;
}

const DROP_COLUMNS = 'time, pid, family, saddr, sport, daddr, dport, state, tcp_flags, reason, reason_code, location, stack_id';

/** The line `list --utc` must print for a drops-view row. */
const lineOfRow = (r: DropRow) =>
  seedPrintf({ time: r.time.slice(11, 19), pid: r.pid, family: r.family, saddr: r.saddr, sport: r.sport, daddr: r.daddr, dport: r.dport, state: r.state, flags: r.tcp_flags, reason: r.reason, code: r.reason_code });

describe('the reference tcpdrop formatter', () => {
  it('reproduces the seed example line from its fields', () => {
    const p = parseSeedLine(SEED_LINE);
    expect(seedPrintf({ ...p, code: p.code })).toBe(SEED_LINE);
    expect(p).toMatchObject({ saddr: '39.156.66.10', sport: 80, daddr: '10.211.55.10', dport: 33280, state: 'SYN_SENT', flags: 'SYN|ACK', reason: 'NETFILTER_DROP', code: 12 });
  });
});

describe('fixtures/scenarios: summary', () => {
  const sites = countBySite(SCEN.drops);

  it('prints the capture, the totals, every provoked reason and drop site', () => {
    const { stdout, stderr } = analyze([SCEN_FILE]);
    const lines = stdout.split('\n');
    expect(lines).toContain(`  host      ${SCEN.hostname}`);
    expect(lines).toContain(`  kernel    ${SCEN.kernel_release}`);
    expect(lines).toContain(`  events    ${SCEN.total}`);
    const flows = distinct(SCEN.drops.map(flowKey));
    // --stacks all: every drop has a stack
    expect(lines).toContain(
      `  ${SCEN.total} drops, ${plural(Object.keys(SCEN.by_reason).length, 'reason', 'reasons')}, ${plural(sites.size, 'drop site', 'drop sites')}, ${plural(flows, 'flow', 'flows')}, ${SCEN.total} with a stack`,
    );
    for (const [reason, n] of Object.entries(SCEN.by_reason)) {
      expect(stdout, reason).toMatch(new RegExp(`^  ${reason} +${SCEN.reason_codes[reason]} +${n} +`, 'm'));
    }
    for (const [site, n] of sites) expect(stdout, site).toMatch(new RegExp(`^  ${site} +${n} +`, 'm'));
    // no loss, no damage: no warning at all
    expect(stderr).toBe('');
    // the histogram: one row for all drops, then rows for the top reasons (the most frequent first)
    const histogram = stdout.slice(stdout.indexOf('\nDrops over time\n'));
    const rowsOf = [...histogram.matchAll(/^  (\S+) +.* max (\d+) per /gm)].map((m) => m[1]);
    expect(rowsOf[0]).toBe('all');
    const busiest = Object.entries(SCEN.by_reason).sort((a, b) => b[1] - a[1])[0]![0];
    expect(rowsOf[1]).toBe(busiest);
    for (const r of rowsOf.slice(1)) expect(Object.keys(SCEN.by_reason)).toContain(r);
  });

  it('gives the same numbers as JSON', () => {
    const s = JSON.parse(analyze([SCEN_FILE, '--format', 'json', '--top', '100']).stdout);
    expect(s.captures).toHaveLength(1);
    expect(s.captures[0]).toMatchObject({ host: SCEN.hostname, kernel_release: SCEN.kernel_release, events: SCEN.total });
    expect(s.totals).toMatchObject({
      drops: SCEN.total,
      all_drops: SCEN.total,
      reasons: Object.keys(SCEN.by_reason).length,
      sites: sites.size,
      flows: distinct(SCEN.drops.map(flowKey)),
      with_stack: SCEN.total,
    });
    const reasons = Object.fromEntries(s.top_reasons.map((r: { reason: string; reason_code: number; drops: number }) => [r.reason, [r.reason_code, r.drops]]));
    expect(reasons).toEqual(Object.fromEntries(Object.entries(SCEN.by_reason).map(([r, n]) => [r, [SCEN.reason_codes[r], n]])));
    const topSites = Object.fromEntries(s.top_sites.map((r: { function: string; drops: number }) => [r.function, r.drops]));
    expect(topSites).toEqual(Object.fromEntries(sites));
    const flows = tupleCounts(s.top_flows.map((f: { saddr: string; sport: number; daddr: string; dport: number; drops: number }) => ({ key: flowKey(f), count: f.drops })));
    expect(flows).toEqual(tupleCounts(SCEN.drops.map((d) => ({ key: flowKey(d), count: d.count }))));
    const stat = (name: string) => s.stats.find((x: { name: string }) => x.name === name)?.value;
    expect(stat('lost_events')).toBe(0);
    expect(stat('seen')).toBe(SCEN.total);
    expect(stat('truncated_bytes')).toBe(0);
    expect(stat('unclean_stop')).toBe(0);
  });
});

describe('fixtures/scenarios: list', () => {
  const rows = () => query<DropRow>([SCEN_FILE], `SELECT ${DROP_COLUMNS} FROM drops`);

  it('prints the seed header and one line per drop, column for column as tcpdrop does', () => {
    const { stdout } = analyze(['list', SCEN_FILE, '--utc']);
    const lines = stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(SEED_HEADER);
    const drops = rows();
    expect(drops).toHaveLength(SCEN.total);
    expect(lines.slice(1)).toEqual(drops.map(lineOfRow));
  });

  it('lists exactly the provoked drops, with their reason codes and the seed notation', () => {
    const lines = analyze(['list', SCEN_FILE, '--utc']).stdout.trimEnd().split('\n').slice(1);
    const parsed = lines.map(parseSeedLine);
    expect(tupleCounts(parsed.map((p) => ({ key: dropKey(p), count: 1 })))).toEqual(tupleCounts(SCEN.drops.map((d) => ({ key: dropKey(d), count: d.count }))));
    for (const p of parsed) {
      expect(p.code, p.reason).toBe(SCEN.reason_codes[p.reason]);
      // a drop without a socket has no state: "NONE (SYN)" as in the seed's notation
      if (p.reason === 'NO_SOCKET') expect(`${p.state} (${p.flags})`).toBe('NONE (SYN)');
    }
    // times are the drops' own: inside the wall-clock span of the phase that provoked them
    for (const p of parsed) {
      const drop = SCEN.drops.find((d) => dropKey(d) === dropKey(p))!;
      const phase = SCEN.phases!.find((ph) => ph.name === drop.phase)!;
      const day = phase.start.slice(0, 11);
      const t = Date.parse(`${day}${p.time}Z`);
      expect(t, `${p.time} in ${phase.name}`).toBeGreaterThanOrEqual(Math.floor(Date.parse(phase.start) / 1000) * 1000 - 1000);
      expect(t).toBeLessThanOrEqual(Date.parse(phase.end) + 1000);
    }
  });

  it('--stacks puts the symbolized frames under each drop, tab-indented, starting at the drop site', () => {
    const { stdout } = analyze(['list', SCEN_FILE, '--utc', '--stacks']);
    const drops = rows();
    const frames = query<{ stack_id: number; depth: number; frame: string }>([SCEN_FILE], 'SELECT stack_id, depth, frame FROM stack_frames ORDER BY stack_id, depth');
    const stackOf = (id: number) => frames.filter((f) => f.stack_id === id).map((f) => f.frame);

    const lines = stdout.split('\n');
    expect(lines[0]).toBe(SEED_HEADER);
    let i = 1;
    for (const row of drops) {
      expect(lines[i++]).toBe(lineOfRow(row));
      const printed: string[] = [];
      while (lines[i]?.startsWith('\t')) printed.push(lines[i++]!.slice(1));
      expect(lines[i++], 'a blank line ends each stack').toBe('');
      // the tracepoint's own frames (BPF program, bpf_trace_run, sk_skb_reason_drop) are
      // trimmed: the first frame printed is the drop site the tracepoint reported
      expect(row.stack_id).not.toBeNull();
      const full = stackOf(row.stack_id!);
      const site = full.indexOf(row.location);
      expect(site, `${row.location} in stack ${row.stack_id}`).toBeGreaterThan(0);
      expect(printed).toEqual(full.slice(site));
      expect(printed[0]).toBe(row.location);
      // ...which is the function the scenario frees the packet in
      const drop = SCEN.drops.find((d) => dropKey(d) === dropKey({ ...row, flags: row.tcp_flags }))!;
      expect(printed[0]!.split('+')[0]).toBe(drop.site);
      expect(printed.some((f) => /^(bpf_prog_|bpf_trace_run|sk_skb_reason_drop|__traceiter_kfree_skb)/.test(f))).toBe(false);
    }
    // the output ends with the newline after the last blank line
    expect(lines.slice(i)).toEqual(['']);
  });

  it('symbolizes NO_SOCKET stacks through tcp_v4_rcv and tcp_v6_rcv from the capture\'s kallsyms', () => {
    const rowsNs = query<{ family: number; frames: string }>(
      [SCEN_FILE],
      "SELECT d.family, (SELECT group_concat(f.function, ' ') FROM stack_frames f WHERE f.stack_id = d.stack_id) AS frames FROM drops d WHERE d.reason = 'NO_SOCKET'",
    );
    expect(rowsNs).toHaveLength(SCEN.by_reason['NO_SOCKET']!);
    for (const r of rowsNs) expect(r.frames.split(' ')).toContain(r.family === 4 ? 'tcp_v4_rcv' : 'tcp_v6_rcv');
  });
});

describe('fixtures/scenarios: query, info, schema', () => {
  const byReasonSql = 'SELECT reason, reason_code AS code, count(*) AS n FROM drops GROUP BY reason, reason_code ORDER BY reason';
  const wanted = Object.keys(SCEN.by_reason)
    .sort()
    .map((reason) => ({ reason, code: SCEN.reason_codes[reason], n: SCEN.by_reason[reason] }));

  it('answers SQL as json, ndjson, csv and table', () => {
    expect(query([SCEN_FILE], byReasonSql)).toEqual(wanted);

    const nd = analyze(['query', SCEN_FILE, byReasonSql, '--format', 'ndjson']).stdout.trimEnd().split('\n');
    expect(nd.map((l) => JSON.parse(l))).toEqual(wanted);

    // RFC 4180: CRLF line ends, a header row
    const csv = analyze(['query', SCEN_FILE, byReasonSql, '--format', 'csv']).stdout;
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n').slice(0, -1)).toEqual(['reason,code,n', ...wanted.map((w) => `${w.reason},${w.code},${w.n}`)]);

    const table = analyze(['query', SCEN_FILE, byReasonSql]).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^\s*reason\s+code\s+n$/);
    expect(table.slice(2).map((l) => l.trim().split(/\s+/))).toEqual(wanted.map((w) => [w.reason, String(w.code), String(w.n)]));
  });

  it('keeps the reasons table of the recording kernel', () => {
    const rows = query<{ name: string; code: number }>([SCEN_FILE], 'SELECT name, code FROM reasons');
    const codes = new Map(rows.map((r) => [r.name, r.code]));
    for (const [name, code] of Object.entries(SCEN.reason_codes)) expect(codes.get(name), name).toBe(code);
  });

  it('refuses to write through query', () => {
    const r = runDropcap(['analyze', 'query', SCEN_FILE, 'DELETE FROM stats']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('info says where and how the capture was recorded', () => {
    const [info] = JSON.parse(analyze(['info', SCEN_FILE, '--format', 'json']).stdout);
    expect(info).toMatchObject({ capture_id: 1, host: SCEN.hostname, kernel_release: SCEN.kernel_release, events: SCEN.total, lost_events: 0, clean_stop: 1, format_version: '1.0' });
    expect(JSON.parse(info.meta.filters)).toEqual({ netns: SCEN.netns });
    expect(JSON.parse(info.meta.stack_policy)).toMatchObject({ mode: SCEN.stacks });
    expect(info.meta.hostname).toBe(SCEN.hostname);
    const text = analyze(['info', SCEN_FILE]).stdout;
    expect(text).toMatch(new RegExp(`^  host +${SCEN.hostname}$`, 'm'));
    expect(text).toMatch(new RegExp(`^  events +${SCEN.total}$`, 'm'));
    expect(text).toMatch(/^  Stats$/m);
  });

  it('info prints the nanosecond fields exactly (strings in JSON), as query does', () => {
    const [exact] = query<Record<string, string>>([SCEN_FILE], 'SELECT start_ns, end_ns, file_mtime_ns FROM captures');
    // the recorded times are not multiples of 256: a double would round them
    expect(exact!.start_ns).toBe('1795382382096193020');
    const [info] = JSON.parse(analyze(['info', SCEN_FILE, '--format', 'json']).stdout);
    expect({ start_ns: info.start_ns, end_ns: info.end_ns, file_mtime_ns: info.file_mtime_ns }).toEqual(exact);
    const text = analyze(['info', SCEN_FILE]).stdout;
    for (const [field, ns] of Object.entries(exact!)) expect(text).toMatch(new RegExp(`^  ${field} +${ns}$`, 'm'));
  });

  it('schema prints the relations and columns of docs/schema.md', () => {
    const schema = JSON.parse(analyze(['schema', '--format', 'json']).stdout) as Array<{ name: string; kind: string; columns: Array<{ name: string }> }>;
    expect(schema.map((r) => ({ name: r.name, kind: r.kind, columns: r.columns.map((c) => c.name) }))).toEqual(DOCUMENTED);
    const drops = analyze(['schema', 'drops']).stdout;
    expect(drops.split('\n')[0]).toMatch(/^drops \(view\): /);
    for (const c of DOCUMENTED.find((r) => r.name === 'drops')!.columns) expect(drops).toMatch(new RegExp(`^  ${c} +[A-Z]+ +\\S`, 'm'));
  });

  // every documented column exists in the real capture's database and can be queried
  it.each(DOCUMENTED.map((r) => [r.name, r.columns] as const))('query can select every documented column of %s', (name, columns) => {
    const [row] = query([SCEN_FILE], `SELECT ${columns.join(', ')} FROM ${name} LIMIT 1`);
    expect(row, `${name} has rows`).toBeDefined();
    expect(Object.keys(row!)).toEqual(columns);
  });
});

describe('fixtures/scenarios: filters', () => {
  const listed = (args: string[]) =>
    analyze(['list', SCEN_FILE, '--utc', ...args])
      .stdout.trimEnd()
      .split('\n')
      .slice(1)
      .filter((l) => l !== '')
      .map(parseSeedLine);
  const keys = (drops: ExpectedDrop[]) => tupleCounts(drops.map((d) => ({ key: dropKey(d), count: d.count })));
  const listedKeys = (args: string[]) => tupleCounts(listed(args).map((p) => ({ key: dropKey(p), count: 1 })));

  it('--reason by name (any case), by code, several at once', () => {
    expect(listedKeys(['--reason', 'no_socket'])).toEqual(keys(SCEN.drops.filter((d) => d.reason === 'NO_SOCKET')));
    expect(listedKeys(['--reason', String(SCEN.reason_codes['NETFILTER_DROP'])])).toEqual(keys(SCEN.drops.filter((d) => d.reason === 'NETFILTER_DROP')));
    const two = ['TCP_FLAGS', 'SOCKET_FILTER'];
    expect(listedKeys(['--reason', two.join(',')])).toEqual(keys(SCEN.drops.filter((d) => two.includes(d.reason))));
    expect(listedKeys(['--reason', 'SKB_DROP_REASON_TCP_FLAGS'])).toEqual(keys(SCEN.drops.filter((d) => d.reason === 'TCP_FLAGS')));
  });

  it('--port matches either port', () => {
    const port = SCEN.drops.find((d) => d.reason === 'NO_SOCKET' && d.family === 4)!.dport;
    const sport = SCEN.drops.find((d) => d.reason === 'TCP_FLAGS')!.sport;
    expect(listedKeys(['--port', String(port)])).toEqual(keys(SCEN.drops.filter((d) => d.sport === port || d.dport === port)));
    expect(listedKeys(['--port', String(sport)])).toEqual(keys(SCEN.drops.filter((d) => d.sport === sport || d.dport === sport)));
  });

  it('--host: an address matches either end; the recording host\'s name matches all its drops', () => {
    expect(listedKeys(['--host', '::1'])).toEqual(keys(SCEN.drops.filter((d) => d.saddr === '::1' || d.daddr === '::1')));
    expect(listed(['--host', SCEN.hostname])).toHaveLength(SCEN.total);
    expect(listed(['--host', `${SCEN.hostname}-not-this-one`])).toHaveLength(0);
  });

  it('--since and --until split the capture at a time between the two phases', () => {
    const [first, second] = SCEN.phases!;
    expect(listedKeys(['--until', SCEN.split_time!])).toEqual(keys(SCEN.drops.filter((d) => d.phase === first!.name)));
    expect(listedKeys(['--since', SCEN.split_time!])).toEqual(keys(SCEN.drops.filter((d) => d.phase === second!.name)));
    expect(listed(['--since', SCEN.split_time!, '--until', SCEN.split_time!])).toHaveLength(0);
  });

  it('filters the summary too, saying how many drops there were in all', () => {
    const s = JSON.parse(analyze([SCEN_FILE, '--format', 'json', '--reason', 'NO_SOCKET', '--since', SCEN.split_time!]).stdout);
    expect(s.filtered).toBe(true);
    expect(s.totals).toMatchObject({ drops: SCEN.drops.filter((d) => d.reason === 'NO_SOCKET' && d.phase === SCEN.phases![1]!.name).reduce((n, d) => n + d.count, 0), all_drops: SCEN.total });
    const t = JSON.parse(analyze([SCEN_FILE, '--format', 'json', '--reason', 'NO_SOCKET', '--until', SCEN.split_time!]).stdout);
    expect(t.totals.drops).toBe(sum(SCEN.drops.filter((d) => d.reason === 'NO_SOCKET' && d.phase === SCEN.phases![0]!.name)));
  });
});

describe('several captures at once (scenarios + second-host)', () => {
  it('loads both into one database, one capture_id and host each, in the order given', () => {
    const sql = 'SELECT capture_id, host, reason, count(*) AS n FROM drops GROUP BY 1, 2, 3 ORDER BY 1, 3';
    const perCapture = (id: number, e: Expected) =>
      Object.keys(e.by_reason)
        .sort()
        .map((reason) => ({ capture_id: id, host: e.hostname, reason, n: e.by_reason[reason] }));
    expect(query([SCEN_FILE, SECOND_FILE], sql)).toEqual([...perCapture(1, SCEN), ...perCapture(2, SECOND)]);
    expect(query([SECOND_FILE, SCEN_FILE], sql)).toEqual([...perCapture(1, SECOND), ...perCapture(2, SCEN)]);
    const caps = query<{ capture_id: number; host: string; path: string; events: number }>([SCEN_FILE, SECOND_FILE], 'SELECT capture_id, host, path, events FROM captures ORDER BY 1');
    expect(caps).toEqual([
      { capture_id: 1, host: SCEN.hostname, path: SCEN_FILE, events: SCEN.total },
      { capture_id: 2, host: SECOND.hostname, path: SECOND_FILE, events: SECOND.total },
    ]);
  });

  it('csv carries the capture and host columns', () => {
    const csv = analyze(['query', SCEN_FILE, SECOND_FILE, 'SELECT capture_id, host, count(*) AS n FROM drops GROUP BY 1, 2 ORDER BY 1', '--format', 'csv']).stdout;
    expect(csv.split('\r\n').slice(0, -1)).toEqual(['capture_id,host,n', `1,${SCEN.hostname},${SCEN.total}`, `2,${SECOND.hostname},${SECOND.total}`]);
  });

  it('summary, list and info cover both; --host NAME keeps one recording host', () => {
    const s = JSON.parse(analyze([SCEN_FILE, SECOND_FILE, '--format', 'json']).stdout);
    expect(s.captures.map((c: { host: string; events: number }) => [c.host, c.events])).toEqual([
      [SCEN.hostname, SCEN.total],
      [SECOND.hostname, SECOND.total],
    ]);
    expect(s.totals.drops).toBe(SCEN.total + SECOND.total);
    const summaryText = analyze([SCEN_FILE, SECOND_FILE]).stdout;
    expect(summaryText).toMatch(/^Capture 1 /m);
    expect(summaryText).toMatch(/^Capture 2 /m);

    const lines = analyze(['list', SCEN_FILE, SECOND_FILE]).stdout.trimEnd().split('\n').slice(1);
    expect(lines).toHaveLength(SCEN.total + SECOND.total);
    const onlyB = analyze(['list', SCEN_FILE, SECOND_FILE, '--host', SECOND.hostname, '--utc']).stdout.trimEnd().split('\n').slice(1).map(parseSeedLine);
    expect(tupleCounts(onlyB.map((p) => ({ key: dropKey(p), count: 1 })))).toEqual(tupleCounts(SECOND.drops.map((d) => ({ key: dropKey(d), count: d.count }))));

    const info = JSON.parse(analyze(['info', SCEN_FILE, SECOND_FILE, '--format', 'json']).stdout);
    expect(info.map((c: { capture_id: number; host: string }) => [c.capture_id, c.host])).toEqual([
      [1, SCEN.hostname],
      [2, SECOND.hostname],
    ]);
  });
});

describe('fixtures/storm: stack budget and losses', () => {
  it('accounts for every provoked drop: recorded + lost = provoked', () => {
    const [info] = JSON.parse(analyze(['info', STORM_FILE, '--format', 'json']).stdout);
    const stat = (name: string) => info.stats.find((s: { name: string }) => s.name === name)?.value as number;
    expect(info.events + info.lost_events).toBe(STORM.total);
    expect(stat('seen')).toBe(STORM.total);
    expect(stat('ringbuf_lost') + stat('events_dropped')).toBe(info.lost_events);
    // the consumer was stopped during the storm: the 1 MiB ring could not hold it all
    expect(info.lost_events).toBeGreaterThan(0);
    const severities = Object.fromEntries(info.stats.map((s: { name: string; severity: string }) => [s.name, s.severity]));
    expect(severities['lost_events']).toBe('data_loss');
    expect(JSON.parse(info.meta.stack_policy)).toEqual({ mode: 'default', budget_per_cpu_per_sec: STORM.stack_budget });
  });

  it('records stack-less drops under the budget, and a stack for the first drop of the site', () => {
    const [row] = query<{ events: number; budget: number; taken: number; null_ids: number; new_sites: number; new_site_stack: string }>(
      [STORM_FILE],
      `SELECT count(*) AS events,
              sum(stack_status = 'budget') AS budget,
              sum(stack_status = 'taken') AS taken,
              sum(stack_id IS NULL) AS null_ids,
              sum(new_site) AS new_sites,
              (SELECT stack_status FROM drops WHERE new_site = 1) AS new_site_stack
       FROM drops`,
    );
    const [stats] = query<{ budget: number; stackless: number }>(
      [STORM_FILE],
      "SELECT (SELECT value FROM stats WHERE name = 'stack_budget') AS budget, (SELECT value FROM stats WHERE name = 'stackless_events') AS stackless",
    );
    expect(row!.budget).toBeGreaterThan(0);
    expect(row!.taken).toBeGreaterThan(0);
    expect(row!.budget + row!.taken).toBe(row!.events);
    expect(row!.null_ids).toBe(row!.budget);
    expect(stats!.stackless).toBe(row!.budget);
    // the kernel counts every stack it skipped, including for events then lost in the ring
    expect(stats!.budget).toBeGreaterThanOrEqual(row!.budget);
    expect(row!.new_sites).toBe(1);
    expect(row!.new_site_stack).toBe('taken');
  });

  it('summarizes the storm with the loss up front and only the provoked flow', () => {
    const { stdout, stderr } = analyze([STORM_FILE]);
    const [info] = JSON.parse(analyze(['info', STORM_FILE, '--format', 'json']).stdout);
    // on stderr, so a report redirected to a file still shows the loss on the terminal
    expect(stderr).toMatch(new RegExp(`^warning: ${info.lost_events} events lost`, 'm'));
    expect(stdout).not.toMatch(/events lost/);
    const flow = STORM.drops[0]!;
    expect(stdout).toMatch(new RegExp(`^  ${flow.saddr}:${flow.sport} > ${flow.daddr}:${flow.dport} +${info.events} +${flow.reason}$`, 'm'));
    const lines = analyze(['list', STORM_FILE, '--utc']).stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(info.events + 1);
    const parsed = lines.slice(1).map(parseSeedLine);
    expect(parsed.every((p) => dropKey(p) === dropKey(flow) && p.state === 'NONE' && p.code === STORM.reason_codes[flow.reason])).toBe(true);
  });
});
