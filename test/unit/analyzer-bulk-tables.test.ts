// The bulk tables' pages (btree-pages.ts, bulk-tables.ts) against SQLite
// itself: rows written as pages and spliced into a closed database must pass
// PRAGMA integrity_check and read back exactly as the same rows inserted
// through SQL, types included (INTEGER vs REAL vs NULL), for a tree of one
// leaf, of one interior level and of two; and a --db import must hold the
// same tables as an import that binds every row.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCaptures } from '@dropcap/analyzer';
import { LeafPageWriter } from '../../packages/analyzer/src/sqlite/btree-pages.js';
import { BulkTables } from '../../packages/analyzer/src/sqlite/bulk-tables.js';
import { schemaDdl } from '../../packages/analyzer/src/sqlite/schema.js';
import { dumpWithoutSources } from '../support/db-dump.js';
import { KERNEL, START_MONO, tmpDir, writeSyntheticCapture, type EventSpec } from '../support/synthetic-capture.js';

const t = tmpDir('dropcap-bulk-');
afterAll(() => t.cleanup());

type Value = number | bigint | null;
// every serial type's edges, whole doubles past 2^53 (stored as INTEGER), reals, NaN (NULL), bigints
const EDGES: Value[] = [
  0, 1, -1, -0, 2, 127, -128, 128, -129, 32767, -32768, 32768, -32769, 8388607, -8388608, 8388608, -8388609, 2147483647, -2147483648,
  2147483648, -2147483649, 2 ** 47 - 1, -(2 ** 47), 2 ** 47, -(2 ** 47) - 1, 2 ** 53 - 1, -(2 ** 53 - 1), 4.6e18, -4.6e18, 0.5, -1e-300,
  Infinity, NaN, null, 5n, 1n, 0n, -(2n ** 63n), 2n ** 63n - 1n, 1234567890123456789n, -(2n ** 40n),
];

function rowsFor(n: number, columns: number, withRowidColumn: boolean): Value[][] {
  const out: Value[][] = [];
  for (let r = 0; r < n; r++) {
    const row: Value[] = [];
    for (let c = 0; c < columns; c++) row.push(EDGES[(r * 7 + c * 13) % EDGES.length]!);
    // an INTEGER PRIMARY KEY column holds the rowid: sparse, ascending
    if (withRowidColumn) row[0] = 3 * r + 1;
    out.push(row);
  }
  return out;
}

/** The table's rows, with rowid, as exact text. */
function read(db: Database.Database, table: string): string[] {
  return (db.prepare(`SELECT rowid, * FROM ${table} ORDER BY rowid`).raw().safeIntegers(true).all() as unknown[][]).map((r) =>
    JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
  );
}

/** Levels of the b-tree at `root` of the 4096-byte-page file: interior pages down the right edge, then the leaf. */
function levels(file: string, root: number): number {
  const bytes = fs.readFileSync(file);
  let n = 1;
  for (let page = root; bytes[(page - 1) * 4096] === 0x05; n++) page = bytes.readUInt32BE((page - 1) * 4096 + 8);
  return n;
}

/**
 * Writes `drops` _drop rows and `groups` _group_count rows both ways;
 * returns [paged, sql] databases. `reservedBytes`: the room for SQLite's
 * pages before the leaves in the side file.
 */
function bothWays(name: string, drops: number, groups: number, reservedBytes?: number): [Database.Database, Database.Database] {
  const paged = t.file(`${name}-paged.db`);
  const sql = t.file(`${name}-sql.db`);
  const dropRows = rowsFor(drops, 5, false);
  const countRows = rowsFor(groups, 4, true);

  const a = new Database(paged);
  a.exec(schemaDdl());
  a.exec("INSERT INTO _reason VALUES (1, 2, 'X', 'CORE')"); // SQLite's own pages beside ours
  const roots = new Map((a.prepare("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string; rootpage: number }>).map((r) => [r.name, r.rootpage]));
  a.close();
  const bulk = new BulkTables(paged, 4096, reservedBytes);
  try {
    dropRows.forEach((row, i) => bulk.table('_drop').writer.add(i + 1, row));
    for (const row of countRows) bulk.table('_group_count').writer.add(row[0] as number, row);
    bulk.splice(paged, roots);
  } finally {
    bulk.remove();
  }

  const b = new Database(sql);
  b.exec(schemaDdl());
  b.exec("INSERT INTO _reason VALUES (1, 2, 'X', 'CORE')");
  const insertDrop = b.prepare('INSERT INTO _drop (rowid, t, group_id, task_id, seq_win, ack_len) VALUES (?, ?, ?, ?, ?, ?)');
  const insertCount = b.prepare('INSERT INTO _group_count VALUES (?, ?, ?, ?)');
  b.transaction(() => {
    dropRows.forEach((row, i) => insertDrop.run(i + 1, ...row));
    for (const row of countRows) insertCount.run(...row);
  })();
  b.close();
  return [new Database(paged, { readonly: true }), new Database(sql, { readonly: true })];
}

describe('bulk table pages', () => {
  // the room for SQLite's pages in the side file: far more than it needs (every
  // leaf moves into it), a little more (some do), none (leaves copied after it)
  for (const [label, drops, groups, depth, reservedBytes] of [
    ['one leaf', 3, 1, 1, undefined],
    ['one interior level', 900, 400, 2, undefined],
    ['two interior levels', 70_000, 0, 3, undefined],
    ['two interior levels, some leaves moved into the room left', 70_000, 2, 3, 64 * 4096],
    ['one interior level, a one-leaf table beside it, some leaves moved', 9000, 1, 2, 48 * 4096],
    ['two interior levels, no room: leaves copied after SQLite\'s pages', 70_000, 400, 3, 4096],
    ['one leaf, no room', 3, 0, 1, 4096],
  ] as const) {
    it(`read back as SQLite's own rows and pass integrity_check: ${label}`, () => {
      const [paged, sql] = bothWays(label.replace(/\W+/g, '-'), drops, groups, reservedBytes);
      expect(paged.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(read(paged, '_drop')).toEqual(read(sql, '_drop'));
      expect(read(paged, '_group_count')).toEqual(read(sql, '_group_count'));
      expect(paged.prepare('SELECT * FROM _reason').all()).toEqual(sql.prepare('SELECT * FROM _reason').all());
      // the tree really has the shape the label says
      const root = paged.prepare("SELECT rootpage FROM sqlite_master WHERE name = '_drop'").pluck().get() as number;
      expect(levels(paged.name, root)).toBe(depth);
      paged.close();
      sql.close();
    });
  }

  it('writes rowids of every varint length as SQLite does', () => {
    const rowids = [1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 35 - 1, 2 ** 35, 2 ** 42, 2 ** 49, 2 ** 53 - 1];
    const file = t.file('varint.db');
    const db = new Database(file);
    db.exec(schemaDdl());
    const roots = new Map((db.prepare("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string; rootpage: number }>).map((r) => [r.name, r.rootpage]));
    db.close();
    const bulk = new BulkTables(file, 4096);
    try {
      for (const id of rowids) bulk.table('_group_count').writer.add(id, [id, 1, 2, 3]);
      bulk.splice(file, roots);
    } finally {
      bulk.remove();
    }
    const back = new Database(file, { readonly: true });
    expect(back.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(back.prepare('SELECT group_id FROM _group_count ORDER BY rowid').pluck().all()).toEqual(rowids);
    expect(back.prepare('SELECT group_id FROM _group_count WHERE group_id = ?').pluck().get(2 ** 35)).toBe(2 ** 35);
    back.close();
  });

  it('lays out rows given in bulk (addRows) exactly as rows given one by one, across many chunks of pages', () => {
    for (const [columns, rowidColumn] of [[5, false], [4, true]] as const) {
      const rows = rowsFor(100_000, columns, rowidColumn).map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v === null ? NaN : v)));
      const pages = (add: (w: LeafPageWriter) => void) => {
        const out: Buffer[] = [];
        const lasts: number[] = [];
        const w = new LeafPageWriter(4096, columns, rowidColumn, (p, l) => {
          out.push(Buffer.from(p));
          lasts.push(...l);
        });
        add(w);
        w.flush();
        return { bytes: Buffer.concat(out), lasts };
      };
      const one = pages((w) => rows.forEach((r, i) => w.add(rowidColumn ? (r[0] as number) : i + 1, r)));
      const flat = Float64Array.from(rows.flat() as number[]);
      // uneven batches, one of them empty, as the worker's messages come
      const bulk = pages((w) => {
        for (let from = 0, k = 0; from < rows.length; k++) {
          const n = Math.min(rows.length - from, [700, 0, 1, 33_000, 511, 513][k % 6]!);
          w.addRows(flat, from, n, from + 1);
          from += n;
        }
      });
      expect(one.lasts.length).toBeGreaterThan(512); // more than two chunks of 256 pages
      expect(bulk.lasts).toEqual(one.lasts);
      expect(bulk.bytes.equals(one.bytes)).toBe(true);
    }
  });

  it('refuses rows out of rowid order, and a value no INTEGER holds', () => {
    const bulk = new BulkTables(t.file('order.db'), 4096);
    try {
      const w = bulk.table('_drop').writer;
      w.add(5, [1, 2, 3, 4, 5]);
      expect(() => w.add(5, [1, 2, 3, 4, 5])).toThrow(/ascending rowid order/);
      expect(() => w.add(6, [2n ** 63n, 2, 3, 4, 5])).toThrow(/does not fit a SQLite INTEGER/);
    } finally {
      bulk.remove();
    }
  });
});

describe('a database kept with --db', () => {
  it('holds what an import binding every row holds, and passes integrity_check', () => {
    const events: EventSpec[] = [];
    for (let i = 0; i < 20_000; i++) {
      events.push({
        ts_ns: i === 4321 ? START_MONO + 1_000_000_000_000_000_001n : START_MONO + BigInt(i) * 777_777n,
        saddr: `10.1.${i % 7}.${i % 200}`,
        daddr: '127.0.0.1',
        sport: 1024 + (i % 3000),
        dport: 80 + (i % 4),
        reason: [2, 3, 12][i % 3]!,
        location: i % 2 ? KERNEL.tcp_v4_rcv + 0x91n : KERNEL.nft_do_chain + 0x10n,
        stack_id: i % 5 === 0 ? 1 : 0,
        cpu: i % 2,
        seq: (i * 2654435761) >>> 0,
        ack_seq: (i * 40503) >>> 0,
        len: i % 1000 === 0 ? 3_000_000 : 40 + (i % 1400),
      });
    }
    const files = [t.file('kept-a.dcap'), t.file('kept-b.dcap')];
    writeSyntheticCapture(files[0]!, { events, blockSize: 3000 });
    writeSyntheticCapture(files[1]!, { hostname: 'other', events: events.slice(0, 5000), blockSize: 700 });
    const dbPath = t.file('kept.db');
    const kept = loadCaptures(files, { dbPath, importThreads: 'in-thread' });
    const bound = loadCaptures(files, { importThreads: 'in-thread' });
    expect(kept.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(dumpWithoutSources(kept.db)).toEqual(dumpWithoutSources(bound.db));
    for (const table of ['_drop', '_group', '_group_count']) expect(read(kept.db, table), table).toEqual(read(bound.db, table));
    expect(kept.db.prepare('SELECT COUNT(*) FROM drops').pluck().get()).toBe(25_000);
    // no side file left beside the database
    expect(fs.readdirSync(t.dir).filter((f) => f.includes('.pages'))).toEqual([]);
    kept.db.close();
    bound.db.close();
    // two imports of 25k drops: ~1.5 s alone, 3.7 s seen beside the kernel tests
  }, 60_000);
});
