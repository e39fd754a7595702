// The RowSink that writes: multi-row INSERTs into the database, one call
// into better-sqlite3 per batch of rows instead of per row. Binding values
// is what an import spends most of its SQLite time on (~0.13 µs each), so
// the drops take the shortest path there is: a reused argument array.
import type Database from 'better-sqlite3';
import { DROP_COLUMNS, SINK_TABLES, type DropRows, type RowSink, type SinkTable, type TableRows } from './db-writer.js';
import type { PackedTableRows } from './import-channel.js';
import { relation, schemaDdl } from './schema.js';

/** Rows per multi-row INSERT of drops. */
export const DROP_BATCH_ROWS = 128;

const placeholders = (rows: number, columns: number) => new Array(rows).fill(`(${new Array(columns).fill('?').join(',')})`).join(',');

function insertSql(table: string, rows: number): string {
  // the marker table is key/value: a later value replaces the earlier one
  const verb = table === '_dropcap_db' ? 'INSERT OR REPLACE' : 'INSERT';
  return `${verb} INTO ${table} VALUES ${placeholders(rows, relation(table).columns.length)}`;
}

/**
 * _group rows as the importer gives them: (group_id, who_id, what_id, drops,
 * first, last), first and last in ns after the capture's time base (exact
 * doubles, or null). The 15 columns a group copies from its _who and _what
 * are copied by SQLite: two primary-key lookups cost less than binding them;
 * so is the time base, added here rather than making two bigints per group.
 */
export const GROUP_INPUT_COLUMNS = 6;
function groupInsertSql(rows: number): string {
  // a bound number is a REAL: made an INTEGER before the sum, which must be exact
  return `INSERT INTO _group
SELECT v.column1, v.column2, v.column3, h.capture_id, h.time_base,
  w.saddr_id, w.sport, w.daddr_id, w.dport, w.family, w.state, w.tcp_flags, w.sk_source, w.dev_id,
  h.site_id, h.reason_code, h.flags, h.stack_id, v.column4,
  h.time_base + CAST(v.column5 AS INTEGER), h.time_base + CAST(v.column6 AS INTEGER)
FROM (VALUES ${placeholders(rows, GROUP_INPUT_COLUMNS)}) v
JOIN _who w ON w.who_id = v.column2 JOIN _what h ON h.what_id = v.column3`;
}

/** Rows of one table written `rows` at a time; flush() writes the rest one by one. */
class BatchInsert implements TableRows {
  readonly #db: Database.Database;
  readonly #sql: (rows: number) => string;
  readonly #columns: number;
  readonly #rows: number;
  readonly #args: unknown[];
  /** tables this one's INSERT reads: written out before it runs */
  readonly #reads: BatchInsert[];
  #many: Database.Statement | null = null;
  #one: Database.Statement | null = null;
  #n = 0;

  constructor(db: Database.Database, columns: number, sql: (rows: number) => string, rows: number, reads: BatchInsert[] = []) {
    this.#db = db;
    this.#sql = sql;
    this.#columns = columns;
    this.#rows = rows;
    this.#args = new Array(rows * this.#columns);
    this.#reads = reads;
  }

  add(...values: unknown[]): void {
    const o = this.#n * this.#columns;
    for (let i = 0; i < this.#columns; i++) this.#args[o + i] = values[i];
    if (++this.#n === this.#rows) this.#runMany();
  }

  /** Whole rows as they came from the import worker (PackedTableRows). */
  addPacked(rows: PackedTableRows): void {
    const c = this.#columns;
    const args = this.#args;
    const { numbers, count, otherAt, others } = rows;
    let next = otherAt.length > 0 ? otherAt[0]! : -1;
    let k = 0;
    for (let v = 0; v < count; ) {
      const o = this.#n * c;
      for (let i = 0; i < c; i++, v++) {
        if (v === next) {
          args[o + i] = others[k++];
          next = k < otherAt.length ? otherAt[k]! : -1;
        } else {
          args[o + i] = numbers[v];
        }
      }
      if (++this.#n === this.#rows) this.#runMany();
    }
  }

  flush(): void {
    if (this.#n === 0) return;
    for (const t of this.#reads) t.flush();
    this.#one ??= this.#db.prepare(this.#sql(1));
    for (let r = 0; r < this.#n; r++) this.#one.run(this.#args.slice(r * this.#columns, (r + 1) * this.#columns));
    this.#n = 0;
  }

  #runMany(): void {
    // prepared on first use: most tables of a small capture never fill a batch
    this.#many ??= this.#db.prepare(this.#sql(this.#rows));
    for (const t of this.#reads) t.flush();
    this.#many.run(this.#args);
    this.#n = 0;
  }
}

class SqlDropRows implements DropRows {
  readonly #many: Database.Statement;
  readonly #one: Database.Statement;
  readonly #args: unknown[] = new Array(DROP_BATCH_ROWS * DROP_COLUMNS);
  #o = 0;

  constructor(db: Database.Database) {
    this.#many = db.prepare(insertSql('_drop', DROP_BATCH_ROWS));
    this.#one = db.prepare(insertSql('_drop', 1));
  }

  add(t: number | bigint, group: number, task: number, seqWin: number, ackLen: number): void {
    const a = this.#args;
    const o = this.#o;
    a[o] = t;
    a[o + 1] = group;
    a[o + 2] = task;
    a[o + 3] = seqWin;
    a[o + 4] = ackLen;
    this.#o = o + DROP_COLUMNS;
    if (this.#o === a.length) {
      this.#many.run(a);
      this.#o = 0;
    }
  }

  /**
   * Drops packed by a PostingSink: `count` rows of DROP_COLUMNS doubles; a
   * time a double cannot hold exactly is NaN there and given in `bigTimes`.
   */
  addPacked(rows: Float64Array, count: number, bigTimes: ReadonlyArray<readonly [number, bigint]>): void {
    let next = 0;
    for (let r = 0, o = 0; r < count; r++, o += DROP_COLUMNS) {
      let t: number | bigint = rows[o]!;
      if (t !== t && next < bigTimes.length && bigTimes[next]![0] === r) t = bigTimes[next++]![1];
      this.add(t, rows[o + 1]!, rows[o + 2]!, rows[o + 3]!, rows[o + 4]!);
    }
  }

  flush(): void {
    for (let o = 0; o < this.#o; o += DROP_COLUMNS) this.#one.run(this.#args.slice(o, o + DROP_COLUMNS));
    this.#o = 0;
  }
}

export class SqlSink implements RowSink {
  readonly drops: SqlDropRows;
  readonly #tables: BatchInsert[];
  readonly #onProgress: ((done: number, total: number) => void) | undefined;

  /** Creates the schema in `db` (which must be empty) and prepares the inserts. */
  constructor(db: Database.Database, onProgress?: (done: number, total: number) => void) {
    db.exec(schemaDdl());
    this.drops = new SqlDropRows(db);
    const table = (t: string) => new BatchInsert(db, relation(t).columns.length, (rows) => insertSql(t, rows), 64);
    this.#tables = SINK_TABLES.map((t) => (t === '_group' ? null! : table(t)));
    const reads = [this.table('_who'), this.table('_what')];
    this.#tables[SINK_TABLES.indexOf('_group')] = new BatchInsert(db, GROUP_INPUT_COLUMNS, groupInsertSql, 64, reads);
    this.#onProgress = onProgress;
  }

  table(name: SinkTable): BatchInsert {
    return this.#tables[SINK_TABLES.indexOf(name)]!;
  }

  /** Rows of one table as they came from the import worker. */
  addPacked(rows: PackedTableRows): void {
    const t = this.#tables[rows.table];
    if (!t) throw new RangeError(`no sink table ${rows.table}`);
    t.addPacked(rows);
  }

  progress(done: number, total: number): void {
    this.#onProgress?.(done, total);
  }

  flush(): void {
    this.drops.flush();
    for (const t of this.#tables) t.flush();
  }
}
