// Table b-tree pages in SQLite's own file format, for the import's biggest
// tables (bulk-tables.ts). Binding a value into SQLite costs ~0.13 µs, so a
// 10M-drop import spent 6.5 s binding _drop rows alone; their rows arrive in
// rowid order, and laying them out as SQLite would takes a fraction of that.
//
// The format is SQLite's documented, stable one
// (https://www.sqlite.org/fileformat2.html: "B-tree Pages", "Record Format").
// Only what these tables need is written: rowid tables, records of integers,
// reals and NULLs small enough to need no overflow page, leaves filled in
// rowid order, interior pages above them. Tests hold every page written here
// to `PRAGMA integrity_check` and to SQLite's own rows.

const LEAF_TABLE = 0x0d;
const INTERIOR_TABLE = 0x05;
const LEAF_HEADER = 8;
const INTERIOR_HEADER = 12;
/** the most an interior cell takes: a 4-byte page number, a 9-byte varint, its 2-byte pointer */
const INTERIOR_CELL_MAX = 4 + 9 + 2;

const TWO_32 = 4294967296;
const TWO_63 = 2 ** 63;
const TWO_47 = 2 ** 47;

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

const SERIAL_SIZE = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0];

/** The record serial type SQLite itself gives `v` (file format 4: 0 and 1 take no bytes). */
function serialType(v: CellValue): number {
  if (typeof v === 'number') {
    if (v === (v | 0)) {
      // an int32 (or -0): the common case, by magnitude
      if (v >= -128 && v <= 127) return v === 0 ? 8 : v === 1 ? 9 : 1;
      if (v >= -32768 && v <= 32767) return 2;
      if (v >= -8388608 && v <= 8388607) return 3;
      return 4;
    }
    if (v !== v) return 0; // NaN: NULL, as SQLite stores it
    // a whole number up to int64 is an INTEGER, as SQLite stores a REAL bound to an INTEGER column
    if (!(Number.isInteger(v) && v >= -TWO_63 && v < TWO_63)) return 7;
    return v >= -TWO_47 && v < TWO_47 ? 5 : 6;
  }
  if (v === null) return 0;
  if (v >= -(2n ** 63n) && v < 2n ** 63n) return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? serialType(Number(v)) : 6;
  throw new RangeError(`${v} does not fit a SQLite INTEGER`);
}

/** Writes `v` in the big-endian form of serial type `type` at `o`; returns the offset after it. */
function writeValue(buf: Buffer, o: number, type: number, v: CellValue): number {
  // a bigint small enough for a shorter type was typed as its number
  if (typeof v === 'bigint' && type !== 6) v = Number(v);
  // typed-array stores keep the low 8 bits, negative numbers included
  switch (type) {
    case 1: {
      buf[o] = v as number;
      return o + 1;
    }
    case 2: {
      const x = v as number;
      buf[o] = x >> 8;
      buf[o + 1] = x;
      return o + 2;
    }
    case 3: {
      const x = v as number;
      buf[o] = x >> 16;
      buf[o + 1] = x >> 8;
      buf[o + 2] = x;
      return o + 3;
    }
    case 4: {
      const x = v as number;
      buf[o] = x >> 24;
      buf[o + 1] = x >> 16;
      buf[o + 2] = x >> 8;
      buf[o + 3] = x;
      return o + 4;
    }
    case 5:
    case 6: {
      if (typeof v === 'bigint') {
        buf.writeBigInt64BE(BigInt.asIntN(64, v), o);
        return o + 8;
      }
      const n = v as number;
      const hi = Math.floor(n / TWO_32);
      const lo = n - hi * TWO_32;
      if (type === 5) {
        buf[o] = hi >> 8;
        buf[o + 1] = hi;
        o += 2;
      } else {
        buf[o] = hi >> 24;
        buf[o + 1] = hi >> 16;
        buf[o + 2] = hi >> 8;
        buf[o + 3] = hi;
        o += 4;
      }
      buf[o] = lo / 16777216;
      buf[o + 1] = lo >>> 16;
      buf[o + 2] = lo >>> 8;
      buf[o + 3] = lo;
      return o + 4;
    }
    case 7:
      buf.writeDoubleBE(v as number, o);
      return o + 8;
    default:
      return o; // NULL, 0 and 1: no bytes
  }
}

/**
 * Fills leaf pages of one rowid table with rows given in ascending rowid
 * order, and hands each full page on. With `rowidColumn`, column 0 is the
 * table's INTEGER PRIMARY KEY: SQLite keeps it as the rowid and stores NULL
 * in its place in the record, and so does this.
 */
export class LeafPageWriter {
  readonly #page: Buffer;
  readonly #pageSize: number;
  readonly #columns: number;
  readonly #rowidColumn: boolean;
  readonly #onPage: (page: Buffer, lastRowid: number) => void;
  readonly #types: Int32Array;
  /** largest record payload on a page without overflow pages (fileformat2: X = U - 35) */
  readonly #maxPayload: number;
  #cells = 0;
  #contentStart: number;
  #lastRowid = 0;

  constructor(pageSize: number, columns: number, rowidColumn: boolean, onPage: (page: Buffer, lastRowid: number) => void) {
    this.#pageSize = pageSize;
    this.#page = Buffer.alloc(pageSize);
    this.#columns = columns;
    this.#rowidColumn = rowidColumn;
    this.#onPage = onPage;
    if (1 + columns >= 128) throw new RangeError(`${columns} columns: record header too long`);
    // an INTEGER PRIMARY KEY column is NULL in the record (type 0, set once)
    this.#types = new Int32Array(columns);
    this.#maxPayload = pageSize - 35;
    this.#contentStart = pageSize;
  }

  /** One row: `values` holds its columns (column 0 is the rowid itself with rowidColumn). */
  add(rowid: number, values: ArrayLike<CellValue>): void {
    if (!(Number.isSafeInteger(rowid) && rowid > this.#lastRowid)) {
      throw new RangeError(`rowid ${rowid} after ${this.#lastRowid}: rows must come in ascending rowid order`);
    }
    const types = this.#types;
    const columns = this.#columns;
    // the header: its own length (one byte: under 128), a serial type a column (one byte each: all below 128)
    const headerLength = 1 + columns;
    let bodyLength = 0;
    for (let i = this.#rowidColumn ? 1 : 0; i < columns; i++) {
      const type = serialType(values[i]!);
      types[i] = type;
      bodyLength += SERIAL_SIZE[type]!;
    }
    const payload = headerLength + bodyLength;
    if (payload > this.#maxPayload) throw new RangeError(`a ${payload}-byte record needs overflow pages`);
    const cell = varintLength(payload) + varintLength(rowid) + payload;
    if (LEAF_HEADER + 2 * (this.#cells + 1) > this.#contentStart - cell) this.flush();

    const page = this.#page;
    let o = this.#contentStart - cell;
    this.#contentStart = o;
    const ptr = LEAF_HEADER + 2 * this.#cells;
    page[ptr] = o >> 8;
    page[ptr + 1] = o;
    this.#cells++;
    o += writeVarint(page, o, payload);
    o += writeVarint(page, o, rowid);
    page[o++] = headerLength;
    for (let i = 0; i < columns; i++) page[o++] = types[i]!;
    for (let i = 0; i < columns; i++) o = writeValue(page, o, types[i]!, values[i]!);
    this.#lastRowid = rowid;
  }

  /** Hands on the page being filled, if it holds any row. */
  flush(): void {
    if (this.#cells === 0) return;
    const page = this.#page;
    const end = LEAF_HEADER + 2 * this.#cells;
    page.fill(0, end, this.#contentStart);
    page[0] = LEAF_TABLE;
    page.writeUInt16BE(0, 1); // no freeblock
    page.writeUInt16BE(this.#cells, 3);
    page.writeUInt16BE(this.#contentStart === 65536 ? 0 : this.#contentStart, 5);
    page[7] = 0; // no fragmented bytes: cells are packed to the page's end
    this.#onPage(page, this.#lastRowid);
    this.#cells = 0;
    this.#contentStart = this.#pageSize;
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
