// The import's biggest tables in a database kept with --db: _drop (a row
// per drop), _group and _group_count (a row per group, millions at 10M
// diverse drops). Their rows come in rowid order, so instead of binding each
// value into SQLite (~0.13 µs) they are laid out as SQLite's own leaf pages
// (btree-pages.ts) in a side file per table while SQLite imports the rest.
// Once SQLite has closed the database, the pages are spliced in: appended
// after its last page, the interior pages above them after those, and each
// table's root page (empty until then) rewritten as the top of its tree.
import fs from 'node:fs';
import { interiorLevels, LeafPageWriter, type ChildPage } from './btree-pages.js';
import { relation } from './schema.js';

export const BULK_TABLES = ['_drop', '_group', '_group_count'] as const;
export type BulkTableName = (typeof BULK_TABLES)[number];

/** Pages gathered before each write to the side file. */
const PAGES_PER_WRITE = 256;

export class BulkTable {
  readonly name: BulkTableName;
  readonly path: string;
  readonly pageSize: number;
  readonly writer: LeafPageWriter;
  /** largest rowid of each leaf page, in file order */
  readonly leaves: number[] = [];
  readonly #chunk: Buffer;
  #used = 0;
  #fd: number | null;

  constructor(name: BulkTableName, path: string, pageSize: number) {
    this.name = name;
    this.path = path;
    this.pageSize = pageSize;
    this.#chunk = Buffer.alloc(pageSize * PAGES_PER_WRITE);
    this.#fd = fs.openSync(path, 'w', 0o600);
    // _drop has no INTEGER PRIMARY KEY; the others' first column is one
    const columns = relation(name).columns;
    this.writer = new LeafPageWriter(pageSize, columns.length, columns[0]!.constraint === 'PRIMARY KEY', (page, last) => this.#keep(page, last));
  }

  #keep(page: Buffer, lastRowid: number): void {
    page.copy(this.#chunk, this.#used);
    this.#used += this.pageSize;
    this.leaves.push(lastRowid);
    if (this.#used === this.#chunk.length) this.#writeOut();
  }

  #writeOut(): void {
    if (this.#used === 0 || this.#fd === null) return;
    fs.writeSync(this.#fd, this.#chunk, 0, this.#used);
    this.#used = 0;
  }

  /** Writes the last page out and closes the side file. */
  finish(): void {
    this.writer.flush();
    this.#writeOut();
    if (this.#fd !== null) fs.closeSync(this.#fd);
    this.#fd = null;
  }

  remove(): void {
    if (this.#fd !== null) fs.closeSync(this.#fd);
    this.#fd = null;
    fs.rmSync(this.path, { force: true });
  }
}

/** One side file per bulk table, named after the database file being built. */
export class BulkTables {
  readonly #tables: Map<BulkTableName, BulkTable>;

  constructor(dbFile: string, pageSize: number) {
    this.#tables = new Map();
    try {
      for (const name of BULK_TABLES) this.#tables.set(name, new BulkTable(name, `${dbFile}${name}.pages`, pageSize));
    } catch (err) {
      this.remove();
      throw err;
    }
  }

  table(name: BulkTableName): BulkTable {
    return this.#tables.get(name)!;
  }

  finish(): void {
    for (const t of this.#tables.values()) t.finish();
  }

  remove(): void {
    for (const t of this.#tables.values()) t.remove();
  }

  /**
   * Puts every table's pages into `dbFile`, which SQLite built with these
   * tables empty and has closed; `roots` gives each table's root page
   * (sqlite_master.rootpage).
   */
  splice(dbFile: string, roots: ReadonlyMap<string, number>): void {
    this.finish();
    const fd = fs.openSync(dbFile, 'r+');
    try {
      spliceInto(fd, [...this.#tables.values()], roots);
    } finally {
      fs.closeSync(fd);
    }
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

function readPage(fd: number, page: number, pageSize: number): Buffer {
  const buf = Buffer.alloc(pageSize);
  fs.readSync(fd, buf, 0, pageSize, (page - 1) * pageSize);
  return buf;
}

function writePage(fd: number, page: number, bytes: Buffer): void {
  fs.writeSync(fd, bytes, 0, bytes.length, (page - 1) * bytes.length);
}

function spliceInto(fd: number, tables: BulkTable[], roots: ReadonlyMap<string, number>): void {
  const header = Buffer.alloc(100);
  fs.readSync(fd, header, 0, 100, 0);
  const raw = header.readUInt16BE(H_PAGE_SIZE);
  const pageSize = raw === 1 ? 65536 : raw;
  const pageCount = header.readUInt32BE(H_PAGE_COUNT);
  // pages laid out for another page size, bytes reserved at each page's end
  // (a checksum VFS), pointer-map pages (auto_vacuum) or a schema format
  // before 4 (serial types 8 and 9, for 0 and 1) would not fit these
  if (
    tables.some((t) => t.pageSize !== pageSize) ||
    header[H_RESERVED] !== 0 ||
    header.readUInt32BE(H_AUTOVACUUM_ROOT) !== 0 ||
    header.readUInt32BE(H_SCHEMA_FORMAT) < 4
  ) {
    throw new Error('internal: the database file does not have the page layout its bulk tables were written for');
  }
  if (fs.fstatSync(fd).size !== pageCount * pageSize) throw new Error('internal: the database file size does not match its header');
  let next = pageCount + 1;
  for (const t of tables) {
    const root = roots.get(t.name);
    if (root === undefined || root < 2) throw new Error(`internal: no root page for ${t.name}`);
    const before = readPage(fd, root, pageSize);
    if (before[0] !== 0x0d || before.readUInt16BE(3) !== 0) throw new Error(`internal: ${t.name} is not empty in the database file`);
    if (t.leaves.length === 0) continue;
    if (t.leaves.length === 1) {
      // one leaf is the whole tree: it goes at the root
      const leaf = Buffer.alloc(pageSize);
      const side = fs.openSync(t.path, 'r');
      try {
        fs.readSync(side, leaf, 0, pageSize, 0);
      } finally {
        fs.closeSync(side);
      }
      writePage(fd, root, leaf);
      continue;
    }
    const first = next;
    appendFile(fd, t.path, (first - 1) * pageSize, t.leaves.length * pageSize);
    next += t.leaves.length;
    const children: ChildPage[] = t.leaves.map((lastRowid, i) => ({ page: first + i, lastRowid }));
    const top = interiorLevels(pageSize, children, () => next++, (page, bytes) => writePage(fd, page, bytes));
    writePage(fd, root, top);
  }
  // the page count in the header is trusted only while the two counters agree
  const counter = (header.readUInt32BE(H_CHANGE_COUNTER) + 1) >>> 0;
  header.writeUInt32BE(counter, H_CHANGE_COUNTER);
  header.writeUInt32BE(counter, H_VERSION_VALID_FOR);
  header.writeUInt32BE(next - 1, H_PAGE_COUNT);
  fs.writeSync(fd, header, 0, 100, 0);
}

/** Copies all of `path` (`bytes` long) into `fd` at `offset`. */
function appendFile(fd: number, path: string, offset: number, bytes: number): void {
  const side = fs.openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(bytes, 8 << 20));
    for (let done = 0; done < bytes; ) {
      const n = fs.readSync(side, buf, 0, Math.min(buf.length, bytes - done), done);
      if (n <= 0) throw new Error(`internal: ${path} is shorter than its pages`);
      fs.writeSync(fd, buf, 0, n, offset + done);
      done += n;
    }
  } finally {
    fs.closeSync(side);
  }
}
