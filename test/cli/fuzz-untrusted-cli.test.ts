// Untrusted strings never leave their place (task names fit in comm's 15 bytes), checked on the built binary as
// a user runs it: a capture whose task names, interface names, hostname and
// even file name carry terminal escapes, CSV-breaking characters and
// SQL-looking text. Table output has no escapes, CSV parses with one field
// count, JSON round-trips the exact bytes, and nothing in the file is run as
// SQL. `analyze query` stays inside the capture's database.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDropcap } from '../support/cli.js';
import { tmpDir, writeSyntheticCapture, START_MONO, type EventSpec } from '../support/synthetic-capture.js';
import { parseCsv } from '../fuzz/pipeline.js';

const t = tmpDir('dropcap-untrusted-cli-');
afterAll(() => t.cleanup());

const ESC_TITLE = '\u001b]0;pwned\u0007';
const HOSTILE_COMM = [
  '\u001b[2J\u001b[Hrm -rf',
  `${ESC_TITLE}x`,
  'a,b"c\r\nd',
  '=HYPERLINK("x")',
  "x');DROP TABLE",
  '\u009b31mc1csi',
  '\u202eevil',
];
// no comma: --host takes a comma-separated list
const HOSTNAME = `host\u001b[31m'; DROP TABLE captures; --"x"`;
const IFNAME = 'eth\u001b[1m0,"\n';

let capture: string;
const EVENTS: EventSpec[] = HOSTILE_COMM.map((comm, i) => ({ ts_ns: START_MONO + BigInt(i) * 1_000_000n, comm, pid: 100 + i, sport: 1000 + i, dport: 9, ifindex: 7, stack_id: 1, flags: 1 }));

// Anything below 0x20 except newline (and the tab that indents stack frames), DEL, C1 and bidi overrides.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

beforeAll(() => {
  // the file name itself is hostile too: it is printed in the summary
  capture = t.file(`cap\u001b[31mture.dcap`);
  writeSyntheticCapture(capture, { hostname: HOSTNAME, events: EVENTS, interfaces: [{ netns: 4026531840, ifindex: 7, name: IFNAME }] });
});

const analyze = (...args: string[]) => runDropcap(['analyze', ...args]);

describe('hostile strings from a capture', () => {
  it.each([
    ['summary', () => analyze(capture)],
    ['list --stacks', () => analyze('list', capture, '--stacks')],
    ['info', () => analyze('info', capture)],
    ['query (table)', () => analyze('query', capture, 'SELECT comm, host, ifname FROM drops')],
  ])('%s: table output carries no escape or control character', (_name, run) => {
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(UNSAFE);
    expect(r.stderr).not.toMatch(UNSAFE);
    // the visible text survives the stripping
    expect(r.stdout).not.toBe('');
  });

  it('list --format csv: RFC 4180, one field count, values round-trip (formulas defused)', () => {
    const r = analyze('list', capture, '--format', 'csv');
    expect(r.status).toBe(0);
    const recs = parseCsv(r.stdout);
    expect(recs).toHaveLength(EVENTS.length + 1);
    const header = recs[0]!;
    for (const rec of recs) expect(rec).toHaveLength(header.length);
    const comm = header.indexOf('comm');
    const host = header.indexOf('host');
    const ifname = header.indexOf('ifname');
    const defuse = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
    expect(recs.slice(1).map((rec) => rec[comm])).toEqual(HOSTILE_COMM.map(defuse));
    for (const rec of recs.slice(1)) {
      expect(rec[host]).toBe(HOSTNAME);
      expect(rec[ifname]).toBe(IFNAME);
    }
  });

  it('list --format json and ndjson: parse, and carry the exact strings', () => {
    const json = analyze('list', capture, '--format', 'json');
    expect(json.status).toBe(0);
    const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.comm)).toEqual(HOSTILE_COMM);
    expect(rows.every((r) => r.host === HOSTNAME && r.ifname === IFNAME)).toBe(true);
    const nd = analyze('list', capture, '--format', 'ndjson');
    const lines = nd.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(HOSTILE_COMM.length);
    expect(lines.map((l) => (JSON.parse(l) as { comm: string }).comm)).toEqual(HOSTILE_COMM);
  });

  it('SQL-looking text in the capture and in filters is data, never SQL', () => {
    const r = analyze('query', capture, "SELECT count(*) AS n FROM drops WHERE comm LIKE '%DROP TABLE%'", '--format', 'json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ n: 1 }]);
    const hosts = analyze('query', capture, 'SELECT host FROM captures', '--format', 'json');
    expect(JSON.parse(hosts.stdout)).toEqual([{ host: HOSTNAME }]);
    // a filter value is a bound parameter: the injection matches nothing and breaks nothing
    const inj = analyze('list', capture, '--host', "x' OR '1'='1", '--format', 'json');
    expect(inj.status, inj.stderr).toBe(0);
    expect(JSON.parse(inj.stdout)).toEqual([]);
    const exact = analyze('list', capture, '--host', HOSTNAME, '--format', 'json');
    expect(JSON.parse(exact.stdout)).toHaveLength(EVENTS.length);
  });
});

describe('analyze query stays inside the capture database', () => {
  const outside = () => t.file('outside.db');
  const refused = (sql: string, extra: string[] = []) => {
    const r = analyze('query', capture, sql, ...extra);
    expect(r.status, `${sql}: ${r.stdout}`).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    return r.stderr;
  };

  it.each([
    [`ATTACH DATABASE '${'OUT'}' AS o`, /ATTACH and DETACH are not allowed/],
    [`attach 'OUT' as o`, /ATTACH and DETACH are not allowed/],
    [`SELECT load_extension('/tmp/libevil.so')`, /extensions cannot be loaded/],
    [`VACUUM INTO 'OUT'`, /returns no rows|refused/],
    [`CREATE TABLE o AS SELECT * FROM drops`, /refused/],
    [`SELECT 1; ATTACH 'OUT' AS o`, /refused|more than one statement|query failed/],
    [`PRAGMA writable_schema = 1`, /PRAGMA statements are not allowed/],
  ])('%s is refused and writes nothing', (sqlTemplate, why) => {
    const sql = sqlTemplate.replace('OUT', outside());
    expect(refused(sql)).toMatch(why);
    expect(fs.existsSync(outside())).toBe(false);
  });

  it('with --db, a refused write leaves the database and its directory as they were', () => {
    const dbDir = t.file('dbdir');
    fs.mkdirSync(dbDir);
    const db = path.join(dbDir, 'q.db');
    expect(analyze('query', capture, 'SELECT count(*) FROM drops', '--db', db).status).toBe(0);
    const before = fs.readFileSync(db);
    expect(refused('DELETE FROM captures', ['--db', db])).toMatch(/refused/);
    expect(refused(`ATTACH '${path.join(dbDir, 'x.db')}' AS x`, ['--db', db])).toMatch(/ATTACH/);
    expect(fs.readdirSync(dbDir)).toEqual(['q.db']);
    expect(fs.readFileSync(db).equals(before)).toBe(true);
    const n = analyze('query', capture, 'SELECT count(*) AS n FROM drops', '--db', db, '--format', 'json');
    expect(JSON.parse(n.stdout)).toEqual([{ n: EVENTS.length }]);
  });
});
