import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCaptures, runUserQuery } from '@dropcap/analyzer';
import { START_MONO, CLOCK_OFFSET_NS, tmpDir, writeSyntheticCapture } from '../support/synthetic-capture.js';

const t = tmpDir('dropcap-query-');
afterAll(() => t.cleanup());
const file = t.file('q.dcap');
writeSyntheticCapture(file, { events: [{ ts_ns: START_MONO + 5n, saddr: '127.0.0.1', daddr: '127.0.0.1', dport: 9 }, { dport: 10 }] });

describe('runUserQuery', () => {
  it('returns columns and rows, integers as bigint', () => {
    const { db } = loadCaptures([file]);
    const r = runUserQuery(db, 'SELECT time_ns, dport, saddr FROM drops ORDER BY dport');
    expect(r.columns).toEqual(['time_ns', 'dport', 'saddr']);
    expect(r.rows[0]).toEqual([START_MONO + 5n + CLOCK_OFFSET_NS, 9n, '127.0.0.1']);
    expect(r.rows.length).toBe(2);
    // WITH and table-valued pragma functions are reads
    expect(runUserQuery(db, 'WITH x AS (SELECT 1 AS a) SELECT a FROM x').rows).toEqual([[1n]]);
    expect(runUserQuery(db, "SELECT name FROM pragma_table_info('captures') LIMIT 1").rows).toEqual([['capture_id']]);
  });

  it.each([
    ['an INSERT', "INSERT INTO meta VALUES (1, 'k', 'v')"],
    ['an INSERT ... RETURNING (returns rows, still a write)', "INSERT INTO meta VALUES (1, 'k', 'v') RETURNING *"],
    ['a DELETE', 'DELETE FROM _drop'],
    ['an UPDATE', "UPDATE captures SET host = 'x'"],
    ['DROP', 'DROP VIEW drops'],
    ['CREATE', 'CREATE TABLE x (a)'],
    ['CREATE TEMP', 'CREATE TEMP TABLE x (a)'],
    ['ATTACH', "ATTACH DATABASE '/tmp/evil.db' AS evil"],
    ['attach in lower case after a comment', "/* hi */ attach '/tmp/evil.db' as e"],
    ['DETACH', 'DETACH DATABASE main'],
    ['a PRAGMA write', 'PRAGMA query_only = OFF'],
    ['a PRAGMA read', 'PRAGMA table_info(drops)'],
    ['load_extension()', "SELECT load_extension('/tmp/evil.so')"],
    ['VACUUM INTO', "VACUUM INTO '/tmp/copy.db'"],
    ['BEGIN', 'BEGIN'],
    ['two statements', 'SELECT 1; DELETE FROM _drop'],
  ])('refuses %s', (_what, sql) => {
    const { db } = loadCaptures([file]);
    expect(() => runUserQuery(db, sql)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^QUERY_(REFUSED|FAILED)$/) }));
    expect(db.prepare('SELECT count(*) FROM _drop').pluck().get()).toBe(2);
    expect(fs.existsSync('/tmp/evil.db') || fs.existsSync('/tmp/copy.db')).toBe(false);
  });

  it('load_extension is disabled even when a guard is bypassed', () => {
    const { db } = loadCaptures([file]);
    // the word check is the first layer; the SQL function itself is not authorized
    expect(() => db.prepare("SELECT load_extension('/nonexistent.so')").get()).toThrow(/not authorized/);
  });

  it('leaves query_only on, so writes through the same connection fail afterwards', () => {
    const { db } = loadCaptures([file]);
    runUserQuery(db, 'SELECT 1');
    expect(() => db.prepare("INSERT INTO meta VALUES (1, 'k', 'v')").run()).toThrow(/readonly|read-only|query_only/i);
  });

  it('accepts keywords inside strings and comments', () => {
    const { db } = loadCaptures([file]);
    expect(runUserQuery(db, "SELECT 'attach' AS w -- PRAGMA\n").rows).toEqual([['attach']]);
  });

  it('turns SQL errors into one-line typed errors', () => {
    const { db } = loadCaptures([file]);
    expect(() => runUserQuery(db, 'SELECT nope FROM drops')).toThrow(/^query failed: no such column: nope$/);
  });
});
