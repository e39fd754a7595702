// The RowSink that writes: multi-row INSERTs into the database, one call
// into better-sqlite3 per batch of rows instead of per row. Binding values
// is what an import spends most of its SQLite time on (~0.13 µs each), so
// the drops take the shortest path there is: a reused argument array.
import type Database from 'better-sqlite3';
import { addPackedDrops, DROP_COLUMNS, SINK_TABLES, type DropRows, type RowSink, type SinkTable, type TableRows } from './db-writer.js';
import type { BulkTables } from './bulk-tables.js';
import { forEachPackedRow, type PackedTableRows } from './import-channel.js';
import { PagedDropRows, PagedTableRows } from './paged-rows.js';
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
 * _group rows: the time base comes as a number, an exact double (packing.ts
 * TIME_BASE_UNIT) that SQLite must store as an INTEGER, not a REAL.
 */
function groupInsertSql(rows: number): string {
  const columns = relation('_group').columns.map((col) => (col.name === 'time_base' ? 'CAST(? AS INTEGER)' : '?'));
  return `INSERT INTO _group VALUES ${new Array(rows).fill(`(${columns.join(',')})`).join(',')}`;
}

/** Rows of one table written `rows` at a time; flush() writes the rest one by one. */
class BatchInsert implements TableRows {
  readonly #db: Database.Database;
  readonly #sql: (rows: number) => string;
  readonly #columns: number;
  readonly #rows: number;
  readonly #args: unknown[];
  /** one row of an addPacked() */
  readonly #row: unknown[];
  #many: Database.Statement | null = null;
  #one: Database.Statement | null = null;
  #n = 0;

  constructor(db: Database.Database, columns: number, sql: (rows: number) => string, rows: number) {
    this.#db = db;
    this.#sql = sql;
    this.#columns = columns;
    this.#rows = rows;
    this.#args = new Array(rows * this.#columns);
    this.#row = new Array(this.#columns);
  }

  add(...values: unknown[]): void {
    this.#put(values);
  }

  addNumbers(rows: Float64Array): void {
    const columns = this.#columns;
    for (let r = 0; r < rows.length; r += columns) {
      const o = this.#n * columns;
      for (let i = 0; i < columns; i++) {
        const v = rows[r + i]!;
        this.#args[o + i] = v === v ? v : null;
      }
      if (++this.#n === this.#rows) this.#runMany();
    }
  }

  #put(values: readonly unknown[]): void {
    const o = this.#n * this.#columns;
    for (let i = 0; i < this.#columns; i++) this.#args[o + i] = values[i];
    if (++this.#n === this.#rows) this.#runMany();
  }

  /** Whole rows as they came from the import worker (PackedTableRows). */
  addPacked(rows: PackedTableRows): void {
    forEachPackedRow(rows, this.#columns, this.#row, (row) => this.#put(row));
  }

  flush(): void {
    if (this.#n === 0) return;
    this.#one ??= this.#db.prepare(this.#sql(1));
    for (let r = 0; r < this.#n; r++) this.#one.run(this.#args.slice(r * this.#columns, (r + 1) * this.#columns));
    this.#n = 0;
  }

  #runMany(): void {
    // prepared on first use: most tables of a small capture never fill a batch
    this.#many ??= this.#db.prepare(this.#sql(this.#rows));
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

  /** Drops packed by a PostingSink (addPackedDrops). */
  addPacked(rows: Float64Array, count: number, bigTimes: ReadonlyArray<readonly [number, bigint]>): void {
    addPackedDrops(this, rows, count, bigTimes);
  }

  flush(): void {
    for (let o = 0; o < this.#o; o += DROP_COLUMNS) this.#one.run(this.#args.slice(o, o + DROP_COLUMNS));
    this.#o = 0;
  }
}

/** What SqlSink needs of a table's rows: bound (BatchInsert) or paged (paged-rows.ts). */
interface SinkTableRows extends TableRows {
  addPacked(rows: PackedTableRows): void;
  flush(): void;
}

interface SinkDropRows extends DropRows {
  addPacked(rows: Float64Array, count: number, bigTimes: ReadonlyArray<readonly [number, bigint]>): void;
  flush(): void;
}

export class SqlSink implements RowSink {
  readonly drops: SinkDropRows;
  readonly #tables: SinkTableRows[];
  readonly #onProgress: ((done: number, total: number) => void) | undefined;

  /**
   * Creates the schema in `db` (which must be empty) and prepares the
   * inserts. With `bulk`, the bulk tables' rows go to its pages instead
   * (bulk-tables.ts), to be spliced in once the database is closed.
   */
  constructor(db: Database.Database, onProgress?: (done: number, total: number) => void, bulk?: BulkTables) {
    db.exec(schemaDdl());
    this.drops = bulk ? new PagedDropRows(bulk.table('_drop').writer) : new SqlDropRows(db);
    const rows = (t: SinkTable): SinkTableRows => {
      const columns = relation(t).columns.length;
      if (bulk && (t === '_group' || t === '_group_count')) return new PagedTableRows(bulk.table(t).writer, columns);
      return new BatchInsert(db, columns, t === '_group' ? groupInsertSql : (n) => insertSql(t, n), 64);
    };
    this.#tables = SINK_TABLES.map(rows);
    this.#onProgress = onProgress;
  }

  table(name: SinkTable): TableRows {
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
