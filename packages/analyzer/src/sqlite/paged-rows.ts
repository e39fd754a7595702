// SqlSink's rows for the bulk tables of a database kept with --db
// (bulk-tables.ts): the same calls as the rows it binds into SQLite, written
// as b-tree pages instead.
import type { CellValue, LeafPageWriter } from './btree-pages.js';
import { DROP_COLUMNS, type DropRows, type TableRows } from './db-writer.js';
import { forEachPackedRow, type PackedTableRows } from './import-channel.js';

/** _drop rows: rowids 1, 2, ... in the order given, as SQLite numbers a fresh table's rows. */
export class PagedDropRows implements DropRows {
  readonly #writer: LeafPageWriter;
  readonly #row: CellValue[] = new Array<CellValue>(DROP_COLUMNS);
  #rowid = 0;

  constructor(writer: LeafPageWriter) {
    this.#writer = writer;
  }

  add(t: number | bigint, group: number, task: number, seqWin: number, ackLen: number): void {
    const r = this.#row;
    r[0] = t;
    r[1] = group;
    r[2] = task;
    r[3] = seqWin;
    r[4] = ackLen;
    this.#writer.add(++this.#rowid, r);
  }

  /** Drops packed by a PostingSink (see addPackedDrops): whole runs of rows at once, a row with a bigint time alone. */
  addPacked(rows: Float64Array, count: number, bigTimes: ReadonlyArray<readonly [number, bigint]>): void {
    let from = 0;
    for (const [row, t] of bigTimes) {
      this.#writer.addRows(rows, from, row - from, this.#rowid + 1);
      this.#rowid += row - from;
      const o = row * DROP_COLUMNS;
      this.add(t, rows[o + 1]!, rows[o + 2]!, rows[o + 3]!, rows[o + 4]!);
      from = row + 1;
    }
    this.#writer.addRows(rows, from, count - from, this.#rowid + 1);
    this.#rowid += count - from;
  }

  flush(): void {
    // pages are handed on as they fill; BulkTables.finish() writes the last
  }
}

/** Rows of a table whose first column is its INTEGER PRIMARY KEY (the rowid). */
export class PagedTableRows implements TableRows {
  readonly #writer: LeafPageWriter;
  readonly #columns: number;
  readonly #row: unknown[];

  constructor(writer: LeafPageWriter, columns: number) {
    this.#writer = writer;
    this.#columns = columns;
    this.#row = new Array<unknown>(columns);
  }

  add(...values: unknown[]): void {
    this.#writer.add(values[0] as number, values as CellValue[]);
  }

  addNumbers(rows: Float64Array): void {
    this.#writer.addRows(rows, 0, rows.length / this.#columns, 0);
  }

  /** Whole rows as they came from the import worker (PackedTableRows): at once, unless a row holds a value no double does. */
  addPacked(rows: PackedTableRows): void {
    if (rows.otherAt.length === 0) this.#writer.addRows(rows.numbers, 0, rows.count / this.#columns, 0);
    else forEachPackedRow(rows, this.#columns, this.#row, (row) => this.#writer.add(row[0] as number, row as CellValue[]));
  }

  flush(): void {
    // as PagedDropRows.flush()
  }
}
