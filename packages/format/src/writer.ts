// Append-only, synchronous capture writer. Each block goes out in one
// writeSync loop, so a killed writer leaves whole blocks plus at most one torn
// tail, which readers detect by length and checksum.
import fs from 'node:fs';
import {
  BLOCK_HEADER_SIZE,
  BlockType,
  Codec,
  FILE_HEADER_SIZE,
  FLAG_CODEC_MASK,
  FLAG_SHUFFLED,
  FORMAT_MAJOR,
  FORMAT_MINOR,
  MAGIC,
  MAX_BLOCK_LENGTH,
  MAX_DEFLATE_RATIO,
  MAX_RAW_LENGTH,
} from './constants.js';
import { encodeBody, type DeflateTuning } from './block-codec.js';
import { writeBlockHeader } from './block-header.js';
import { CaptureFormatError, CaptureWriteError } from './errors.js';
import { packValue } from './msgpack.js';
import { shuffle } from './shuffle.js';

export interface BlockOptions {
  codec?: Codec;
  /**
   * EVENTS only: the body is records of `size` bytes, byte-shuffled here
   * before compressing. Codec.DeflatePlanes needs it.
   */
  records?: { size: number };
  /** for Codec.Deflate; default zlib's level 6 and strategy */
  deflate?: DeflateTuning;
}

/**
 * Event blocks are written while the host is dropping packets, on its CPUs:
 * shuffled, as Codec.DeflatePlanes (in a storm deflate then reads only the
 * ~5% of planes that vary), and deflated as follows.
 * Level 1 deflates shuffled events about 3x faster than 6, for ~20% more
 * bytes (measured on a 300k-drop storm: 0.2 vs 0.7 µs and 2.8 vs 2.3 bytes
 * per drop). Shuffled planes are mostly runs of one byte: Z_RLE finds those
 * ~30% faster than level 1's hash chains, and the blocks come out smaller
 * for a storm (2.29 vs 2.52 bytes per drop, 78 vs 111 ns) and 2% bigger for
 * diverse drops (24.1 vs 23.7 bytes, 439 vs 688 ns).
 */
export const EVENTS_DEFLATE: Readonly<DeflateTuning> = { level: 1, rle: true };

export interface EventsOptions {
  /** default DeflatePlanes (Deflate when not shuffled) */
  codec?: Codec;
  /** default true: shuffling makes event blocks several times smaller */
  shuffle?: boolean;
  /** default EVENTS_DEFLATE */
  deflate?: DeflateTuning;
  /**
   * Codec.DeflatePlanes only: the deflate-planes body of `records`, made
   * elsewhere (by the recorder's addon, on its poll thread): written as it
   * is, and `records` neither shuffled nor deflated here. `deflate` does
   * not apply to it. A body that would expand beyond what readers accept
   * is ignored, and `records` written as plain Deflate.
   */
  planesBody?: Buffer;
}

function checkRawLength(length: number): void {
  if (length > MAX_RAW_LENGTH) {
    throw new CaptureFormatError('TOO_LARGE', `block body of ${length} bytes exceeds the ${MAX_RAW_LENGTH}-byte limit; write smaller blocks`);
  }
}

/**
 * Readers refuse a deflate-planes body that expands more than
 * MAX_DEFLATE_RATIO times: with nearly every plane constant, the block is
 * written as plain Deflate instead.
 */
function planesFitReaders(stored: Buffer, rawLength: number): boolean {
  return stored.length * MAX_DEFLATE_RATIO >= rawLength;
}

export function fileHeader(major = FORMAT_MAJOR, minor = FORMAT_MINOR): Buffer {
  const h = Buffer.alloc(FILE_HEADER_SIZE);
  MAGIC.copy(h, 0);
  h.writeUInt16LE(major, 8);
  h.writeUInt16LE(minor, 10);
  h.writeUInt32LE(0, 12);
  return h;
}

function writeError(err: unknown, what: string): CaptureWriteError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  const hint =
    code === 'ENOSPC' ? 'free disk space or write elsewhere'
    : code === 'EPIPE' ? 'the reader of the output went away'
    : 'check the output path';
  return new CaptureWriteError(code, `cannot write ${what}: ${code} (${hint})`, { cause: err });
}

export class CaptureWriter {
  #fd: number;
  #ownsFd: boolean;
  #bytes = 0;
  #closed = false;
  readonly #label: string;
  /** where bodies are shuffled: one buffer for the whole capture, not a megabyte of garbage per block */
  #shuffled: Buffer | null = null;

  private constructor(fd: number, ownsFd: boolean, label: string) {
    this.#fd = fd;
    this.#ownsFd = ownsFd;
    this.#label = label;
    this.#write(fileHeader());
  }

  /** Creates (mode 0600: the file holds kernel addresses) or truncates `path`. */
  static toPath(path: string): CaptureWriter {
    let fd: number;
    try {
      fd = fs.openSync(path, 'w', 0o600);
      // an existing regular file keeps its old mode on truncation: tighten it
      if (fs.fstatSync(fd).isFile()) fs.fchmodSync(fd, 0o600);
    } catch (err) {
      throw writeError(err, path);
    }
    return new CaptureWriter(fd, true, path);
  }

  /** Writes to an already open fd (e.g. 1 for `-w -`); close() leaves it open. */
  static toFd(fd: number): CaptureWriter {
    return new CaptureWriter(fd, false, `fd ${fd}`);
  }

  get bytesWritten(): number {
    return this.#bytes;
  }

  writeBlock(type: BlockType | number, body: Buffer, opts: BlockOptions = {}): void {
    const codec = opts.codec ?? Codec.None;
    let flags = codec;
    let raw = body;
    checkRawLength(raw.length);
    if (opts.records) {
      if (!this.#shuffled || this.#shuffled.length < raw.length) this.#shuffled = Buffer.allocUnsafeSlow(raw.length);
      // encodeBody's output (or the copy below, for Codec.None) no longer needs it
      raw = shuffle(raw, opts.records.size, this.#shuffled);
      flags |= FLAG_SHUFFLED;
    }
    let stored = encodeBody(codec, raw, opts.deflate, opts.records?.size);
    if (codec === Codec.DeflatePlanes && !planesFitReaders(stored, raw.length)) {
      stored = encodeBody(Codec.Deflate, raw, opts.deflate);
      flags = (flags & ~FLAG_CODEC_MASK) | Codec.Deflate;
    }
    this.#writeStored(type, flags, stored, body.length);
  }

  #writeStored(type: BlockType | number, flags: number, stored: Buffer, rawLength: number): void {
    if (stored.length > MAX_BLOCK_LENGTH) {
      throw new CaptureFormatError('TOO_LARGE', `stored block of ${stored.length} bytes exceeds the ${MAX_BLOCK_LENGTH}-byte limit; write smaller blocks`);
    }
    const out = Buffer.allocUnsafe(BLOCK_HEADER_SIZE + stored.length);
    stored.copy(out, BLOCK_HEADER_SIZE);
    writeBlockHeader(out, type, flags, stored, rawLength);
    this.#write(out);
  }

  writeMsgpack(type: BlockType | number, value: unknown, opts: BlockOptions = {}): void {
    this.writeBlock(type, packValue(value), opts);
  }

  writeEvents(records: Buffer, recordSize: number, opts: EventsOptions = {}): void {
    if (records.length % recordSize !== 0) {
      throw new CaptureFormatError('BAD_ARGUMENT', `events buffer of ${records.length} bytes is not a multiple of the ${recordSize}-byte record`);
    }
    const doShuffle = opts.shuffle ?? true;
    const codec = { codec: opts.codec ?? (doShuffle ? Codec.DeflatePlanes : Codec.Deflate), deflate: opts.deflate ?? EVENTS_DEFLATE };
    if (!doShuffle) {
      this.writeBlock(BlockType.Events, records, codec);
      return;
    }
    // otherwise writeBlock below falls back to plain Deflate
    if (opts.planesBody && codec.codec === Codec.DeflatePlanes && planesFitReaders(opts.planesBody, records.length)) {
      checkRawLength(records.length);
      this.#writeStored(BlockType.Events, Codec.DeflatePlanes | FLAG_SHUFFLED, opts.planesBody, records.length);
      return;
    }
    this.writeBlock(BlockType.Events, records, { ...codec, records: { size: recordSize } });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#ownsFd) return;
    try {
      fs.closeSync(this.#fd);
    } catch (err) {
      throw writeError(err, this.#label);
    }
  }

  #write(buf: Buffer): void {
    if (this.#closed) throw new CaptureFormatError('BAD_ARGUMENT', `${this.#label} is closed`);
    let off = 0;
    while (off < buf.length) {
      let n: number;
      try {
        n = fs.writeSync(this.#fd, buf, off, buf.length - off);
      } catch (err) {
        // a non-blocking pipe (e.g. stdout) that is full: wait and retry
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
          continue;
        }
        throw writeError(err, this.#label);
      }
      off += n;
      this.#bytes += n;
    }
  }
}
