// The import's biggest tables in a database kept with --db: _drop (a row
// per drop), _group and _group_count (a row per group, millions at 10M
// diverse drops). Their rows come in rowid order, so instead of binding each
// value into SQLite (~0.13 µs) they are laid out as SQLite's own leaf pages
// (btree-pages.ts) in a side file while SQLite imports the rest. Once SQLite
// has closed the database, the two are put together: the leaves follow
// SQLite's own pages, the interior pages above them follow the leaves, and
// each table's root page (empty until then) is rewritten as the top of its
// tree.
//
// SQLite's part is small (~1.5% of a 10M-drop database), so the side file
// leaves room for it at its front: its leaves start RESERVED_BYTES in. At
// the end SQLite's pages are copied into that room and the last leaves
// moved down into what is left of it, and the side file becomes the
// database; copying the leaves after SQLite's pages instead cost ~0.7 s at
// 10M drops, all of it after the last drop was read. When SQLite's part
// outgrows the room, the leaves are copied after it after all.
import fs from 'node:fs';
import { interiorLevels, LeafPageWriter, type ChildPage } from './btree-pages.js';
import { relation } from './schema.js';

export const BULK_TABLES = ['_drop', '_group', '_group_count'] as const;
export type BulkTableName = (typeof BULK_TABLES)[number];

/** Room for SQLite's own pages at the front of the side file. */
const RESERVED_BYTES = 64 << 20;

/** The side file: every table's leaves, in the order written, after the room for SQLite's pages. */
class SideFile {
  readonly path: string;
  readonly pageSize: number;
  /** pages of room before the first leaf */
  readonly reserved: number;
  /** leaves written */
  leaves = 0;
  fd: number | null;

  constructor(path: string, pageSize: number, reserved: number) {
    this.path = path;
    this.pageSize = pageSize;
    this.reserved = reserved;
    this.fd = fs.openSync(path, 'w', 0o600);
  }

  /** Writes leaf pages after those so far; returns the index of the first. */
  append(pages: Uint8Array): number {
    if (this.fd === null) throw new Error('internal: leaf pages after the side file was closed');
    const first = this.leaves;
    fs.writeSync(this.fd, pages, 0, pages.length, (this.reserved + first) * this.pageSize);
    this.leaves += pages.length / this.pageSize;
    return first;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

export class BulkTable {
  readonly name: BulkTableName;
  readonly writer: LeafPageWriter;
  /** each leaf page's index among the side file's leaves, and its largest rowid */
  readonly leaves: number[] = [];
  readonly lastRowids: number[] = [];

  constructor(name: BulkTableName, side: SideFile) {
    this.name = name;
    // _drop has no INTEGER PRIMARY KEY; the others' first column is one
    const columns = relation(name).columns;
    this.writer = new LeafPageWriter(side.pageSize, columns.length, columns[0]!.constraint === 'PRIMARY KEY', (pages, last) => {
      const first = side.append(pages);
      for (let i = 0; i < last.length; i++) {
        this.leaves.push(first + i);
        this.lastRowids.push(last[i]!);
      }
    });
  }
}

/** One side file for the bulk tables, named after the database file being built. */
export class BulkTables {
  readonly #side: SideFile;
  readonly #tables = new Map<BulkTableName, BulkTable>();

  /** `reservedBytes`: room for SQLite's pages (tests make it small). */
  constructor(dbFile: string, pageSize: number, reservedBytes = RESERVED_BYTES) {
    this.#side = new SideFile(`${dbFile}.pages`, pageSize, Math.ceil(reservedBytes / pageSize));
    for (const name of BULK_TABLES) this.#tables.set(name, new BulkTable(name, this.#side));
  }

  table(name: BulkTableName): BulkTable {
    return this.#tables.get(name)!;
  }

  remove(): void {
    this.#side.close();
    fs.rmSync(this.#side.path, { force: true });
  }

  /**
   * Makes `dbFile`, which SQLite built with these tables empty and has
   * closed, hold their rows; `roots` gives each table's root page
   * (sqlite_master.rootpage).
   */
  splice(dbFile: string, roots: ReadonlyMap<string, number>): void {
    for (const t of this.#tables.values()) t.writer.flush();
    const side = this.#side;
    side.close();
    const db = fs.openSync(dbFile, 'r+');
    let target: number | null = null;
    try {
      const header = readHeader(db, side.pageSize);
      const sqlitePages = header.readUInt32BE(H_PAGE_COUNT);
      if (sqlitePages <= side.reserved) {
        // SQLite's pages into the room before the leaves: the side file becomes the database
        target = fs.openSync(side.path, 'r+');
        copyPages(db, 0, target, 0, sqlitePages * side.pageSize);
        assemble(target, header, side.pageSize, side.reserved, [...this.#tables.values()], roots, side.leaves);
      } else {
        // no room: the leaves after SQLite's pages
        const src = fs.openSync(side.path, 'r');
        try {
          copyPages(src, side.reserved * side.pageSize, db, sqlitePages * side.pageSize, side.leaves * side.pageSize);
        } finally {
          fs.closeSync(src);
        }
        assemble(db, header, side.pageSize, sqlitePages, [...this.#tables.values()], roots, side.leaves);
      }
    } finally {
      fs.closeSync(db);
      if (target !== null) fs.closeSync(target);
    }
    if (target !== null) fs.renameSync(side.path, dbFile);
    else fs.rmSync(side.path, { force: true });
  }
}

// Database header fields (fileformat2 "The Database Header")
const H_PAGE_SIZE = 16;
const H_RESERVED = 20;
const H_CHANGE_COUNTER = 24;
const H_PAGE_COUNT = 28;
const H_SCHEMA_FORMAT = 44;
const H_AUTOVACUUM_ROOT = 52;
const H_VERSION_VALID_FOR = 92;

/** The header of the database SQLite closed, checked to have the page layout the leaves were written for. */
function readHeader(fd: number, pageSize: number): Buffer {
  const header = Buffer.alloc(100);
  fs.readSync(fd, header, 0, 100, 0);
  const raw = header.readUInt16BE(H_PAGE_SIZE);
  // another page size, bytes reserved at each page's end (a checksum VFS),
  // pointer-map pages (auto_vacuum) or a schema format before 4 (serial
  // types 8 and 9, for 0 and 1) would not fit these leaves
  if (
    (raw === 1 ? 65536 : raw) !== pageSize ||
    header[H_RESERVED] !== 0 ||
    header.readUInt32BE(H_AUTOVACUUM_ROOT) !== 0 ||
    header.readUInt32BE(H_SCHEMA_FORMAT) < 4
  ) {
    throw new Error('internal: the database file does not have the page layout its bulk tables were written for');
  }
  if (fs.fstatSync(fd).size !== header.readUInt32BE(H_PAGE_COUNT) * pageSize) throw new Error('internal: the database file size does not match its header');
  return header;
}

function readPage(fd: number, page: number, pageSize: number): Buffer {
  const buf = Buffer.alloc(pageSize);
  if (fs.readSync(fd, buf, 0, pageSize, (page - 1) * pageSize) !== pageSize) throw new Error(`internal: page ${page} is missing`);
  return buf;
}

function writePage(fd: number, page: number, bytes: Buffer): void {
  fs.writeSync(fd, bytes, 0, bytes.length, (page - 1) * bytes.length);
}

/** Copies `bytes` from `src` at `from` to `dst` at `to`. */
function copyPages(src: number, from: number, dst: number, to: number, bytes: number): void {
  const buf = Buffer.allocUnsafe(Math.min(Math.max(bytes, 1), 8 << 20));
  for (let done = 0; done < bytes; ) {
    const n = fs.readSync(src, buf, 0, Math.min(buf.length, bytes - done), from + done);
    if (n <= 0) throw new Error('internal: a file is shorter than its pages');
    fs.writeSync(dst, buf, 0, n, to + done);
    done += n;
  }
}

/**
 * Completes the database in `fd`: SQLite's pages (`header`) first, the
 * side file's `leafCount` leaves from page `leafBase` + 1 on (`leafBase`:
 * at or after SQLite's last page). Puts the
 * leaves right after SQLite's pages (moving the last ones down into the
 * room between, and a table's single leaf to its root), then the interior
 * pages, rewrites the roots and the header, and cuts the file after the
 * last page.
 */
function assemble(fd: number, header: Buffer, pageSize: number, leafBase: number, tables: BulkTable[], roots: ReadonlyMap<string, number>, leafCount: number): void {
  const sqlitePages = header.readUInt32BE(H_PAGE_COUNT);
  const rootOf = new Map<BulkTable, number>();
  for (const t of tables) {
    const root = roots.get(t.name);
    if (root === undefined || root < 2 || root > sqlitePages) throw new Error(`internal: no root page for ${t.name}`);
    const before = readPage(fd, root, pageSize);
    if (before[0] !== 0x0d || before.readUInt16BE(3) !== 0) throw new Error(`internal: ${t.name} is not empty in the database file`);
    rootOf.set(t, root);
  }
  // a table of one leaf is that leaf, at its root page: its slot is left empty
  const vacant = new Set<number>();
  for (const t of tables) {
    if (t.leaves.length !== 1) continue;
    writePage(fd, rootOf.get(t)!, readPage(fd, leafBase + 1 + t.leaves[0]!, pageSize));
    vacant.add(t.leaves[0]!);
  }
  // the leaves that stay must fill pages sqlitePages + 1 .. end without a hole
  const kept = leafCount - vacant.size;
  const end = sqlitePages + kept;
  const pageOf = new Float64Array(leafCount);
  const movers: number[] = [];
  const taken = new Uint8Array(kept);
  for (let i = 0; i < leafCount; i++) {
    if (vacant.has(i)) continue;
    const page = leafBase + 1 + i;
    if (page <= end) {
      pageOf[i] = page;
      taken[page - sqlitePages - 1] = 1;
    } else {
      movers.push(i);
    }
  }
  let hole = 0;
  for (const i of movers) {
    while (taken[hole]) hole++;
    taken[hole] = 1;
    const page = sqlitePages + 1 + hole;
    writePage(fd, page, readPage(fd, leafBase + 1 + i, pageSize));
    pageOf[i] = page;
  }
  let next = end + 1;
  for (const t of tables) {
    if (t.leaves.length < 2) continue;
    const children: ChildPage[] = t.leaves.map((i, k) => ({ page: pageOf[i]!, lastRowid: t.lastRowids[k]! }));
    const top = interiorLevels(pageSize, children, () => next++, (page, bytes) => writePage(fd, page, bytes));
    writePage(fd, rootOf.get(t)!, top);
  }
  // the page count in the header is trusted only while the two counters agree
  const counter = (header.readUInt32BE(H_CHANGE_COUNTER) + 1) >>> 0;
  header.writeUInt32BE(counter, H_CHANGE_COUNTER);
  header.writeUInt32BE(counter, H_VERSION_VALID_FOR);
  header.writeUInt32BE(next - 1, H_PAGE_COUNT);
  fs.writeSync(fd, header, 0, 100, 0);
  fs.ftruncateSync(fd, (next - 1) * pageSize);
}
