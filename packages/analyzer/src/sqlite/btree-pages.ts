// Table b-tree pages in SQLite's own file format, for the import's biggest
// tables (bulk-tables.ts). Binding a value into SQLite costs ~0.13 µs, so a
// 10M-drop import spent 6.5 s binding _drop rows alone; their rows arrive in
// rowid order, and laying them out as SQLite would takes a fraction of that.
// The leaves, one per ~100 rows, are laid out by wasm/btree-leaves.c
// (compiled to WebAssembly; in JS that was ~0.2 µs a row); the few
// interior pages above them here.
//
// The format is SQLite's documented, stable one
// (https://www.sqlite.org/fileformat2.html: "B-tree Pages", "Record Format").
// Only what these tables need is written: rowid tables, records of integers,
// reals and NULLs small enough to need no overflow page, leaves filled in
// rowid order, interior pages above them. Tests hold every page written here
// to `PRAGMA integrity_check` and to SQLite's own rows.
import { instantiate, type WasmMemory } from './wasm-module.js';

const INTERIOR_TABLE = 0x05;
const INTERIOR_HEADER = 12;
/** the most an interior cell takes: a 4-byte page number, a 9-byte varint, its 2-byte pointer */
const INTERIOR_CELL_MAX = 4 + 9 + 2;

/** Bytes of `v` (a non-negative integer below 2^56) as a SQLite varint. */
function varintLength(v: number): number {
  if (v < 128) return 1;
  if (v < 16384) return 2;
  if (v < 2097152) return 3;
  if (v < 268435456) return 4;
  let n = 5;
  for (v = Math.floor(v / 2 ** 35); v > 0; v = Math.floor(v / 128)) n++;
  return n;
}

function writeVarint(buf: Uint8Array, o: number, v: number): number {
  const n = varintLength(v);
  if (n <= 4) {
    // 7 bits a byte, most significant first, the high bit set on all but the last
    for (let i = n - 1, x = v; i >= 0; i--, x >>>= 7) buf[o + i] = (x & 0x7f) | (i === n - 1 ? 0 : 0x80);
    return n;
  }
  for (let i = n - 1; i >= 0; i--) {
    buf[o + i] = (v % 128) | (i === n - 1 ? 0 : 0x80);
    v = Math.floor(v / 128);
  }
  return n;
}

/** A value of a row: an integral number or a bigint is an INTEGER, another number a REAL; null and NaN are NULL (as SQLite stores a NaN). */
export type CellValue = number | bigint | null;

interface LeafExports {
  memory: WasmMemory;
  bl_values(): number;
  bl_bigs(): number;
  bl_is_big(): number;
  bl_chunk(): number;
  bl_last_rowids(): number;
  bl_pages(): number;
  bl_max_rows(): number;
  bl_init(pageSize: number, columns: number, rowidColumn: number): number;
  bl_add_rows(count: number, firstRowid: number): number;
  bl_add_big_row(rowid: number): number;
  bl_flush(): void;
  bl_drain(): void;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Fills leaf pages of one rowid table with rows given in ascending rowid
 * order, and hands them on a chunk at a time (`onPages`: the pages'
 * bytes, then each one's largest rowid). With `rowidColumn`, column 0 is
 * the table's INTEGER PRIMARY KEY: SQLite keeps it as the rowid and stores
 * NULL in its place in the record, and so does this.
 */
export class LeafPageWriter {
  readonly #x: LeafExports;
  readonly #pageSize: number;
  readonly #columns: number;
  readonly #rowidColumn: boolean;
  readonly #onPages: (pages: Uint8Array, lastRowids: Float64Array) => void;
  readonly #values: Float64Array;
  readonly #bigs: BigInt64Array;
  readonly #isBig: Uint8Array;
  readonly #maxRows: number;
  #lastRowid = 0;

  constructor(pageSize: number, columns: number, rowidColumn: boolean, onPages: (pages: Uint8Array, lastRowids: Float64Array) => void) {
    this.#x = instantiate<LeafExports>('btree-leaves');
    if (this.#x.bl_init(pageSize, columns, rowidColumn ? 1 : 0) < 0) throw new RangeError(`leaf pages of ${pageSize} bytes with ${columns} columns are not supported`);
    this.#pageSize = pageSize;
    this.#columns = columns;
    this.#rowidColumn = rowidColumn;
    this.#onPages = onPages;
    const buffer = this.#x.memory.buffer; // never grows: the module's memory is all static
    this.#maxRows = this.#x.bl_max_rows();
    this.#values = new Float64Array(buffer, this.#x.bl_values(), this.#maxRows * columns);
    this.#bigs = new BigInt64Array(buffer, this.#x.bl_bigs(), columns);
    this.#isBig = new Uint8Array(buffer, this.#x.bl_is_big(), columns);
  }

  /** One row: `values` holds its columns (column 0 is the rowid itself with rowidColumn). */
  add(rowid: number, values: ArrayLike<CellValue>): void {
    const vals = this.#values;
    const isBig = this.#isBig;
    for (let i = 0; i < this.#columns; i++) {
      const v = values[i]!;
      if (typeof v === 'bigint') {
        if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`${v} does not fit a SQLite INTEGER`);
        this.#bigs[i] = v;
        isBig[i] = 1;
      } else {
        vals[i] = v === null ? NaN : v;
        isBig[i] = 0;
      }
    }
    for (;;) {
      const added = this.#x.bl_add_big_row(rowid);
      if (added > 0) break;
      this.#check(added, rowid);
      this.#drain();
    }
    this.#lastRowid = rowid;
  }

  /**
   * `count` rows of `rows` from row `from` (each its columns as doubles,
   * NaN for NULL), with rowids `firstRowid` on (or column 0, with a rowid
   * column).
   */
  addRows(rows: Float64Array, from: number, count: number, firstRowid: number): void {
    const columns = this.#columns;
    const values = this.#values;
    for (let done = 0; done < count; ) {
      const n = Math.min(this.#maxRows, count - done);
      const at = (from + done) * columns;
      values.set(rows.subarray(at, at + n * columns));
      for (let taken = 0; ; ) {
        const added = this.#x.bl_add_rows(n - taken, firstRowid + done + taken);
        if (added < 0) this.#check(added, this.#rowidColumn ? values[0]! : firstRowid + done + taken);
        taken += added;
        if (taken === n) break;
        // the chunk is full: out with it, and the rows not taken to the front
        this.#drain();
        values.copyWithin(0, added * columns, (n - taken + added) * columns);
      }
      done += n;
    }
    if (count > 0) this.#lastRowid = this.#rowidColumn ? rows[(from + count - 1) * columns]! : firstRowid + count - 1;
  }

  #check(code: number, rowid: number): void {
    if (code === -1) throw new RangeError(`rowid ${rowid} after ${this.#lastRowid}: rows must come in ascending rowid order`);
    if (code === -2) throw new RangeError('a record needs overflow pages');
    if (code < 0) throw new Error(`internal: leaf page writer error ${code}`);
  }

  /** Hands on the pages filled so far. */
  #drain(): void {
    const pages = this.#x.bl_pages();
    if (pages === 0) return;
    const buffer = this.#x.memory.buffer;
    this.#onPages(new Uint8Array(buffer, this.#x.bl_chunk(), pages * this.#pageSize), new Float64Array(buffer, this.#x.bl_last_rowids(), pages));
    this.#x.bl_drain();
  }

  /** Hands on every page, the one being filled included. */
  flush(): void {
    this.#x.bl_flush();
    this.#drain();
  }
}

export interface ChildPage {
  page: number;
  /** largest rowid in its subtree */
  lastRowid: number;
}

/**
 * The interior levels over `children` (in rowid order, at least two):
 * writes every node but the top one with `write` at a page from `allocate`,
 * and returns the top node's bytes, to go at the table's root page.
 * Children are spread evenly, so that every node has at least two.
 */
export function interiorLevels(
  pageSize: number,
  children: readonly ChildPage[],
  allocate: () => number,
  write: (page: number, bytes: Buffer) => void,
): Buffer {
  if (children.length < 2) throw new RangeError('an interior level needs two children or more');
  const fanout = Math.floor((pageSize - INTERIOR_HEADER) / INTERIOR_CELL_MAX) + 1;
  let level = children;
  for (;;) {
    const nodes = Math.ceil(level.length / fanout);
    const next: ChildPage[] = [];
    let from = 0;
    for (let n = 0; n < nodes; n++) {
      const count = Math.floor(level.length / nodes) + (n < level.length % nodes ? 1 : 0);
      const bytes = interiorPage(pageSize, level.slice(from, from + count));
      from += count;
      if (nodes === 1) return bytes;
      const page = allocate();
      write(page, bytes);
      next.push({ page, lastRowid: level[from - 1]!.lastRowid });
    }
    level = next;
  }
}

function interiorPage(pageSize: number, children: readonly ChildPage[]): Buffer {
  const page = Buffer.alloc(pageSize);
  const cells = children.length - 1;
  let contentStart = pageSize;
  for (let i = 0; i < cells; i++) {
    const c = children[i]!;
    const size = 4 + varintLength(c.lastRowid);
    contentStart -= size;
    page.writeUInt32BE(c.page, contentStart);
    writeVarint(page, contentStart + 4, c.lastRowid);
    page.writeUInt16BE(contentStart, INTERIOR_HEADER + 2 * i);
  }
  page[0] = INTERIOR_TABLE;
  page.writeUInt16BE(0, 1);
  page.writeUInt16BE(cells, 3);
  page.writeUInt16BE(contentStart === 65536 ? 0 : contentStart, 5);
  page[7] = 0;
  page.writeUInt32BE(children[cells]!.page, 8);
  return page;
}
