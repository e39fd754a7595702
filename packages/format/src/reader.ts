// Streaming capture reader with bounded memory: one block at a time is read
// with readSync into a buffer sized from its (limit-checked) header, never the
// whole file. It stops at the first torn, oversized, corrupt or undecodable
// block and reports what it could not read in `damage` instead of throwing:
// everything before that point is valid (docs/capture-format.md, "Reading a
// damaged file").
import fs from 'node:fs';
import {
  BLOCK_HEADER_SIZE,
  BlockType,
  Codec,
  FILE_HEADER_SIZE,
  FLAG_CODEC_MASK,
  FLAG_SHUFFLED,
  FORMAT_MAJOR,
  MAGIC,
  MAX_BLOCK_LENGTH,
  MAX_RAW_LENGTH,
  LAST_KNOWN_BLOCK_TYPE,
  LAST_KNOWN_CODEC,
} from './constants.js';
import { decodeBody } from './block-codec.js';
import { blockCrc, readBlockHeader } from './block-header.js';
import { CaptureFormatError } from './errors.js';
import { unpackValue } from './msgpack.js';
import { validateLayout } from './record-layout.js';
import { decodePlanesToRecords, type PlanesToRecords } from './planes.js';
import { unshuffle } from './shuffle.js';

export interface DecodedBlock {
  type: number;
  flags: number;
  /** file offset of the block header */
  offset: number;
  /** body after decoding and un-shuffling */
  body: Buffer;
}

export type DamageCause = 'truncated' | 'checksum' | 'too_large' | 'decode';

export interface Damage {
  /** file offset of the first block that could not be read */
  offset: number;
  bytesUnread: number;
  cause: DamageCause;
  /** one line for humans */
  detail: string;
}

const DRAIN_CHUNK = 1 << 20;

/** Details quote the file's own text (layout field names): control characters are escaped so a report stays one line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
/** 256 fields of short names fit in ~16 KiB; see validateLayout. */
const MAX_LAYOUT_BODY = 64 << 10;

/** `buf` if it holds `size` bytes, else a new one that does (allocated outside the pool: it lives for the whole read). */
const grow = (buf: Buffer | undefined, size: number): Buffer => (buf && buf.length >= size ? buf : Buffer.allocUnsafeSlow(size));

export class CaptureReader {
  readonly path: string;
  readonly major: number;
  readonly minor: number;
  /** file size when known (regular files), else null (pipes) */
  readonly fileSize: number | null;
  #fd: number;
  #ownsFd: boolean;
  #seekable: boolean;
  #pos = 0;
  #damage: Damage | null = null;
  #unknownBlocks = 0;
  #iterated = false;

  private constructor(fd: number, ownsFd: boolean, label: string) {
    this.path = label;
    this.#fd = fd;
    this.#ownsFd = ownsFd;
    const st = fs.fstatSync(fd);
    this.#seekable = st.isFile();
    this.fileSize = st.isFile() ? st.size : null;
    const head = this.#readExactly(FILE_HEADER_SIZE);
    // "bad magic" would send the user looking for the wrong kind of file
    if (head.length === 0) {
      this.close();
      throw new CaptureFormatError('TRUNCATED', `${label}: the file is empty (0 bytes), not a capture; give a file written by \`dropcap record -w\``);
    }
    if (head.length < 8 || !head.subarray(0, 8).equals(MAGIC)) {
      this.close();
      throw new CaptureFormatError('BAD_MAGIC', `${label}: not a dropcap capture (bad magic); give a file written by \`dropcap record\``);
    }
    if (head.length < FILE_HEADER_SIZE) {
      this.close();
      throw new CaptureFormatError('TRUNCATED', `${label}: file ends inside its 16-byte header; the capture is empty or cut short`);
    }
    this.major = head.readUInt16LE(8);
    this.minor = head.readUInt16LE(10);
    if (this.major !== FORMAT_MAJOR) {
      this.close();
      const newer = this.major > FORMAT_MAJOR;
      throw new CaptureFormatError(
        'UNSUPPORTED_VERSION',
        newer
          ? `${label}: format version ${this.major} is newer than this dropcap supports (${FORMAT_MAJOR}); upgrade dropcap`
          : `${label}: format version ${this.major} is not supported (this dropcap reads ${FORMAT_MAJOR}); convert it with the dropcap that wrote it`,
      );
    }
  }

  static open(path: string): CaptureReader {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      throw new CaptureFormatError('UNREADABLE', `cannot open capture ${path}: ${code}; check the path and its permissions`);
    }
    return new CaptureReader(fd, true, path);
  }

  /** Reads from an open fd (e.g. 0 for stdin); close() leaves it open. */
  static fromFd(fd: number, label = `fd ${fd}`): CaptureReader {
    return new CaptureReader(fd, false, label);
  }

  get damage(): Damage | null {
    return this.#damage;
  }

  /** Blocks with a type this version does not know (they are still yielded). */
  get unknownBlocks(): number {
    return this.#unknownBlocks;
  }

  /** Bytes consumed so far (for progress). */
  get bytesRead(): number {
    return this.#pos;
  }

  /**
   * The blocks, decoded. With `reuseBodies`, the body of a shuffled (EVENTS)
   * block lives in a buffer that the next such block overwrites: for a
   * consumer that is done with each block before asking for the next.
   * `decoded` may give an EVENTS block's body already decoded, by its
   * offset: another reader of the same file decoded it on another thread.
   * The block is still read and its checksum checked here. `planesToRecords`
   * puts deflate-planes bodies back together instead of the JavaScript.
   */
  *blocks(opts: { reuseBodies?: boolean; decoded?: (offset: number) => Buffer | undefined; planesToRecords?: PlanesToRecords } = {}): Generator<DecodedBlock> {
    if (this.#iterated) throw new CaptureFormatError('BAD_ARGUMENT', `${this.path}: blocks() can be iterated once`);
    this.#iterated = true;
    let recordSize: number | null = null;
    // with reuseBodies: one buffer for the records of every shuffled block
    let scratch: Buffer | undefined;
    try {
      for (;;) {
        const offset = this.#pos;
        const hbuf = this.#readExactly(BLOCK_HEADER_SIZE);
        if (hbuf.length === 0) return;
        if (hbuf.length < BLOCK_HEADER_SIZE) return this.#stop(offset, 'truncated', `block header cut after ${hbuf.length} bytes`);
        const h = readBlockHeader(hbuf);
        if (h.length > MAX_BLOCK_LENGTH || h.rawLength > MAX_RAW_LENGTH) {
          return this.#stop(offset, 'too_large', `block declares ${h.length} stored / ${h.rawLength} decoded bytes, above the limits`);
        }
        // a regular file knows its size: a body running past the end is torn, and is not allocated
        if (this.fileSize !== null && this.#pos + h.length > this.fileSize) {
          return this.#stop(offset, 'truncated', `block body cut after ${this.fileSize - this.#pos} of ${h.length} bytes`);
        }
        const stored = this.#readExactly(h.length);
        if (stored.length < h.length) {
          return this.#stop(offset, 'truncated', `block body cut after ${stored.length} of ${h.length} bytes`);
        }
        if (blockCrc(hbuf, stored) !== h.crc32) return this.#stop(offset, 'checksum', 'block checksum mismatch');
        const codec = h.flags & FLAG_CODEC_MASK;
        if (codec > LAST_KNOWN_CODEC) {
          // a codec from a newer minor version: skip the block like an unknown type
          this.#unknownBlocks++;
          continue;
        }
        let body: Buffer;
        const ready = h.type === BlockType.Events && opts.decoded ? opts.decoded(offset) : undefined;
        try {
          if (ready !== undefined && ready.length === h.rawLength) {
            body = ready;
          } else if (codec === Codec.DeflatePlanes) {
            // its planes are the shuffled records: it needs their size, and the flag
            if (h.type !== BlockType.Events) throw new CaptureFormatError('DECODE', `deflate-planes codec on a block of type ${h.type}: it is for EVENTS blocks only`);
            if (!(h.flags & FLAG_SHUFFLED)) throw new CaptureFormatError('DECODE', 'deflate-planes block without the shuffle flag');
            if (recordSize === null) throw new CaptureFormatError('DECODE', 'shuffled block before any RECORD_LAYOUT');
            // straight to records: no separate un-shuffle below
            // the scratch buffer is grown only for a body that passed its checks
            body = decodePlanesToRecords(stored, h.rawLength, recordSize, opts.reuseBodies ? (size) => (scratch = grow(scratch, size)) : undefined, opts.planesToRecords);
          } else {
            body = decodeBody(codec, stored, h.rawLength);
          }
          if (h.flags & FLAG_SHUFFLED && codec !== Codec.DeflatePlanes && body !== ready) {
            if (recordSize === null) throw new CaptureFormatError('DECODE', 'shuffled block before any RECORD_LAYOUT');
            if (body.length % recordSize !== 0) throw new CaptureFormatError('DECODE', `shuffled block is not a whole number of ${recordSize}-byte records`);
            body = unshuffle(body, recordSize, opts.reuseBodies ? (scratch = grow(scratch, body.length)) : undefined);
          }
          // un-shuffling needs the record size, which lives in the layout block
          if (h.type === BlockType.RecordLayout) {
            // a real layout is ~2 KiB; a huge msgpack body could exhaust the heap while decoding
            if (body.length > MAX_LAYOUT_BODY) throw new CaptureFormatError('BAD_LAYOUT', `RECORD_LAYOUT block of ${body.length} bytes is above the ${MAX_LAYOUT_BODY}-byte limit`);
            recordSize = validateLayout(unpackValue(body)).size;
          }
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          return this.#stop(offset, 'decode', msg);
        }
        if (h.type === 0 || h.type > LAST_KNOWN_BLOCK_TYPE) this.#unknownBlocks++;
        yield { type: h.type, flags: h.flags, offset, body };
      }
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.#fd < 0) return;
    if (this.#ownsFd) fs.closeSync(this.#fd);
    this.#fd = -1;
  }

  #stop(offset: number, cause: DamageCause, detail: string): void {
    let unread: number;
    if (this.fileSize !== null) {
      unread = this.fileSize - offset;
    } else {
      // a pipe: count what is left without keeping it
      unread = this.#pos - offset;
      for (let n; (n = this.#readExactly(DRAIN_CHUNK).length) > 0; ) unread += n;
    }
    this.#damage = { offset, bytesUnread: unread, cause, detail: `${this.path}: ${oneLine(detail)} at byte ${offset}` };
  }

  /** Reads up to n bytes (fewer only at end of file). */
  #readExactly(n: number): Buffer {
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      let r: number;
      try {
        r = fs.readSync(this.#fd, buf, got, n - got, this.#seekable ? this.#pos : null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
          continue;
        }
        throw new CaptureFormatError('UNREADABLE', `cannot read ${this.path}: ${code ?? String(err)}`);
      }
      if (r === 0) break;
      got += r;
      this.#pos += r;
    }
    return got === n ? buf : buf.subarray(0, got);
  }
}
