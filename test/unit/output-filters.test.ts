import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../packages/analyzer/src/commands/errors.js';
import { addressSpellings, buildDropFilter, parseFilters } from '../../packages/analyzer/src/commands/filters.js';
import { parseDuration, parseIsoToNs, parseTimeSpec, resolveTimeSpec } from '../../packages/analyzer/src/commands/time-spec.js';

const S = 1_000_000_000n;
const T0 = 1_795_000_000n * S; // capture 1 starts here
const T1 = T0 + 3600n * S; // capture 2 starts an hour later

// A tiny stand-in for the drops view with the columns filters touch, so the
// generated SQL is executed for real.
function dropsDb() {
  const db = new Database(':memory:');
  db.defaultSafeIntegers(true);
  db.exec(`CREATE TABLE drops (id INTEGER, capture_id INTEGER, host TEXT, time_ns INTEGER, saddr TEXT, sport INTEGER,
    daddr TEXT, dport INTEGER, reason TEXT, reason_code INTEGER)`);
  const insert = db.prepare('INSERT INTO drops VALUES (?,?,?,?,?,?,?,?,?,?)');
  insert.run(1, 1, 'web1', T0 + 1n * S, '10.0.0.1', 40000, '10.0.0.2', 80, 'NO_SOCKET', 2);
  insert.run(2, 1, 'web1', T0 + 20n * S, '10.0.0.2', 80, '10.0.0.1', 40000, 'TCP_CSUM', 5);
  insert.run(3, 1, 'web1', T0 + 59n * S, '::1', 5555, '::1', 443, 'NETFILTER_DROP', 12);
  insert.run(4, 2, 'web2', T1 + 1n * S, '192.168.1.1', 1234, '192.168.1.9', 22, 'no_socket', 2);
  insert.run(5, 2, 'web2', T1 + 30n * S, '192.168.1.9', 22, '192.168.1.1', 1234, 'TCP_CSUM', 5);
  return db;
}
const spans = new Map([
  [1n, { startNs: T0, endNs: T0 + 60n * S }],
  [2n, { startNs: T1, endNs: T1 + 60n * S }],
]);

function ids(opts: Parameters<typeof parseFilters>[0]): number[] {
  const db = dropsDb();
  const { sql, params } = buildDropFilter(parseFilters(opts), spans);
  return db
    .prepare(`SELECT id FROM drops WHERE ${sql} ORDER BY id`)
    .pluck()
    .all(...params)
    .map(Number);
}

describe('filters → SQL', () => {
  it('no filter matches everything', () => {
    expect(ids({})).toEqual([1, 2, 3, 4, 5]);
  });
  it('--reason: case-insensitive, optional prefix, repeatable, comma lists, codes', () => {
    expect(ids({ reason: ['no_socket'] })).toEqual([1, 4]);
    expect(ids({ reason: ['SKB_DROP_REASON_TCP_CSUM'] })).toEqual([2, 5]);
    expect(ids({ reason: ['tcp_csum,netfilter_drop'] })).toEqual([2, 3, 5]);
    expect(ids({ reason: ['12', 'NO_SOCKET'] })).toEqual([1, 3, 4]);
  });
  it('--port matches either side', () => {
    expect(ids({ port: ['80'] })).toEqual([1, 2]);
    expect(ids({ port: [22, '443'] })).toEqual([3, 4, 5]);
  });
  it('--host: an address matches either endpoint, in any IPv6 spelling; a name matches the recording host', () => {
    expect(ids({ host: ['10.0.0.1'] })).toEqual([1, 2]);
    expect(ids({ host: ['0:0:0:0:0:0:0:1'] })).toEqual([3]);
    expect(ids({ host: ['[::1]'] })).toEqual([3]);
    expect(ids({ host: ['web2'] })).toEqual([4, 5]);
  });
  it('--since/--until: absolute times', () => {
    const iso = new Date(Number((T0 + 20n * S) / 1_000_000n)).toISOString();
    expect(ids({ since: iso })).toEqual([2, 3, 4, 5]);
    expect(ids({ until: iso })).toEqual([1]);
  });
  it('--since/--until: offsets count from each capture’s own start, or back from its end', () => {
    expect(ids({ since: '10s' })).toEqual([2, 3, 5]);
    expect(ids({ since: '10s', until: '+50s' })).toEqual([2, 5]);
    expect(ids({ since: '-5s' })).toEqual([3]);
  });
  it('filters combine with AND', () => {
    expect(ids({ reason: ['TCP_CSUM'], host: ['web1'] })).toEqual([2]);
  });
  it('binds values instead of splicing them into the SQL', () => {
    const hostile = "x') OR 1=1 --";
    const { sql, params } = buildDropFilter(parseFilters({ reason: [hostile], host: [hostile] }));
    expect(sql).not.toContain('OR 1=1');
    expect(params).toContain(hostile);
    expect(ids({ reason: [hostile] })).toEqual([]);
  });
  it('rejects bad values with a UsageError naming the option', () => {
    expect(() => parseFilters({ port: ['http'] })).toThrow(UsageError);
    expect(() => parseFilters({ port: ['70000'] })).toThrow(/--port "70000"/);
    expect(() => parseFilters({ since: 'yesterday' })).toThrow(/--since "yesterday" is not a time/);
  });
  it('a list flag given without a value (yargs: []) is a usage error, not "no filter"', () => {
    expect(() => parseFilters({ host: [] })).toThrow(/^--host needs a value/);
    expect(() => parseFilters({ reason: [''] })).toThrow(/^--reason needs a value/);
    expect(() => parseFilters({ port: [] })).toThrow(/^--port needs a value/);
  });
  it('--host: what can only be an address must be a valid one; other names are recording hosts', () => {
    for (const bad of ['300.1.1.1', '10.0.0', '10.0.0.1:80', '[::1]:80', 'fe80:::1']) {
      expect(() => parseFilters({ host: [bad] }), bad).toThrow(/is not a valid IP address/);
    }
    expect(parseFilters({ host: ['web-1.example.com', '10web', '::ffff:10.0.0.1'] })).toMatchObject({ hostNames: ['web-1.example.com', '10web'] });
  });
});

describe('time specs', () => {
  it('parses durations exactly', () => {
    expect(parseDuration('1m30s')).toBe(90n * S);
    expect(parseDuration('1.000000001s')).toBe(S + 1n);
    expect(parseDuration('250ms')).toBe(250_000_000n);
    expect(parseDuration('10')).toBeUndefined();
  });
  it('parses ISO 8601 with nanoseconds and zones', () => {
    expect(parseIsoToNs('1970-01-01T00:00:01.000000002Z')).toBe(S + 2n);
    expect(parseIsoToNs('1970-01-01T01:00:00+01:00')).toBe(0n);
    expect(parseIsoToNs('1970-01-01T00:00:00')).toBeUndefined();
  });
  it('resolves a time of day on the capture’s day, rolling over midnight', () => {
    const start = new Date(2026, 10, 22, 23, 50, 0);
    const startNs = BigInt(start.getTime()) * 1_000_000n;
    const span = { startNs, endNs: startNs + 3600n * S };
    expect(resolveTimeSpec(parseTimeSpec('since', '23:55:00'), span)).toBe(startNs + 300n * S);
    expect(resolveTimeSpec(parseTimeSpec('since', '00:05'), span)).toBe(startNs + 900n * S);
  });
  it('reads a time of day in UTC when asked (--utc), whatever the local zone', () => {
    const saved = process.env.TZ;
    // far from UTC: read as local time, 15:55 would be 20:55 UTC
    process.env.TZ = 'America/New_York';
    try {
      const startNs = BigInt(Date.UTC(2026, 10, 22, 15, 50, 0)) * 1_000_000n;
      const span = { startNs, endNs: startNs + 3600n * S };
      expect(resolveTimeSpec(parseTimeSpec('since', '15:55:26', 'utc'), span)).toBe(startNs + 326n * S);
      expect(resolveTimeSpec(parseTimeSpec('since', '10:55:26'), span)).toBe(startNs + 326n * S);
      expect(resolveTimeSpec(parseFilters({ since: '15:55:26.5', utc: true }).since!, span)).toBe(startNs + 326n * S + S / 2n);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
  it('address spellings include the RFC 5952 form', () => {
    expect(addressSpellings('2001:DB8:0:0:0:0:0:1')).toContain('2001:db8::1');
  });
});
