// SqlSink's rows for the bulk tables of a database kept with --db
// (bulk-tables.ts): the same calls as the rows it binds into SQLite, written
// as b-tree pages instead.
import type { CellValue, LeafPageWriter } from './btree-pages.js';
import { addPackedDrops, DROP_COLUMNS, type DropRows, type TableRows } from './db-writer.js';
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

  /** Drops packed by a PostingSink (addPackedDrops). */
  addPacked(rows: Float64Array, count: number, bigTimes: ReadonlyArray<readonly [number, bigint]>): void {
    addPackedDrops(this, rows, count, bigTimes);
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

  /** Whole rows as they came from the import worker (PackedTableRows). */
  addPacked(rows: PackedTableRows): void {
    forEachPackedRow(rows, this.#columns, this.#row, (row) => this.#writer.add(row[0] as number, row as CellValue[]));
  }

  flush(): void {
    // as PagedDropRows.flush()
  }
}
