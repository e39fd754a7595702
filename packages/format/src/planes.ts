// Codec 3, deflate-planes (docs/capture-format.md): a shuffled EVENTS body
// whose constant planes are stored as one byte each and only the others are
// deflated. In a drop storm ~95% of the planes of a block are constant (the
// flow, the site, the reason, the high bytes of the time...): deflate then
// reads a twentieth of the bytes, which is most of what the recorder spends
// per event.
import zlib from 'node:zlib';
import type { DeflateTuning } from './block-codec.js';
import { MAX_DEFLATE_RATIO } from './constants.js';
import { CaptureFormatError, tooExpanded } from './errors.js';
import { unshuffle } from './shuffle.js';

/** Bytes of the constant-plane bitmap for records of `recordSize` bytes. */
export const maskBytes = (recordSize: number): number => Math.ceil(recordSize / 8);

const isSet = (mask: Uint8Array, plane: number): boolean => ((mask[plane >> 3]! >> (plane & 7)) & 1) === 1;

/**
 * Bit i set: plane i of `shuffled` (`n` bytes at i*n) holds one byte value
 * throughout. A plane is constant when it equals itself shifted by one byte,
 * which Buffer.equals (memcmp) answers at memory speed. No records: none is.
 */
export function constantPlanes(shuffled: Buffer, recordSize: number): Buffer {
  const n = shuffled.length / recordSize;
  const mask = Buffer.alloc(maskBytes(recordSize));
  if (n === 0) return mask;
  for (let p = 0; p < recordSize; p++) {
    const plane = shuffled.subarray(p * n, (p + 1) * n);
    if (plane.subarray(1).equals(plane.subarray(0, n - 1))) mask[p >> 3]! |= 1 << (p & 7);
  }
  return mask;
}

/**
 * What a codec-3 body deflates, before the deflate: the constant-plane
 * bitmap, one byte per constant plane, then the varying planes one after the
 * other, all in plane order. The recorder's addon makes the same bytes from
 * the unshuffled records on its poll thread (native/src/planes.h): this is
 * its reference.
 */
export function splitPlanes(shuffled: Buffer, recordSize: number): Buffer {
  const n = shuffled.length / recordSize;
  const mask = constantPlanes(shuffled, recordSize);
  const values: number[] = [];
  const varying: Buffer[] = [];
  for (let p = 0; p < recordSize; p++) {
    if (isSet(mask, p)) values.push(shuffled[p * n]!);
    else varying.push(shuffled.subarray(p * n, (p + 1) * n));
  }
  return Buffer.concat([mask, Buffer.from(values), ...varying]);
}

/** The codec-3 body of `shuffled` (n records of `recordSize` bytes, already shuffled). */
export function encodePlanes(shuffled: Buffer, recordSize: number, deflate: DeflateTuning = {}): Buffer {
  const split = splitPlanes(shuffled, recordSize);
  let constant = 0;
  for (let p = 0; p < recordSize; p++) if (isSet(split, p)) constant++;
  // the bitmap and the constant bytes stay as they are
  const head = maskBytes(recordSize) + constant;
  const deflated = zlib.deflateRawSync(split.subarray(head), {
    ...(deflate.level === undefined ? {} : { level: deflate.level }),
    ...(deflate.rle ? { strategy: zlib.constants.Z_RLE } : {}),
  });
  return Buffer.concat([split.subarray(0, head), deflated]);
}

/** A codec-3 body taken apart: which planes are constant, their bytes, and the others inflated. */
export interface Planes {
  n: number;
  /** the stored body: bitmap at 0, constant planes' bytes from `head` */
  stored: Buffer;
  head: number;
  /** the varying planes, each `n` bytes, in plane order */
  varying: Buffer;
  varyingCount: number;
}

/**
 * Untrusted input: every size is checked before it is used, and inflate
 * stops at the exact size the bitmap implies.
 */
function parsePlanes(stored: Buffer, rawLength: number, recordSize: number): Planes {
  const fail = (why: string) => new CaptureFormatError('DECODE', `deflate-planes body: ${why}`);
  if (rawLength % recordSize !== 0) throw fail(`${rawLength} bytes are not a whole number of ${recordSize}-byte records`);
  if (rawLength > MAX_DEFLATE_RATIO * stored.length) throw fail(tooExpanded(rawLength, stored));
  const n = rawLength / recordSize;
  const head = maskBytes(recordSize);
  if (stored.length < head) throw fail(`${stored.length} bytes, shorter than its ${head}-byte plane bitmap`);
  let constant = 0;
  for (let p = 0; p < head * 8; p++) {
    if (!isSet(stored, p)) continue;
    if (p >= recordSize) throw fail(`bitmap marks plane ${p} of ${recordSize}-byte records`);
    if (n === 0) throw fail('bitmap marks a constant plane in a block without records');
    constant++;
  }
  if (stored.length < head + constant) throw fail(`cut inside the values of its ${constant} constant planes`);
  const varyingLength = (recordSize - constant) * n;
  let varying: Buffer;
  try {
    varying = zlib.inflateRawSync(stored.subarray(head + constant), { maxOutputLength: Math.max(varyingLength, 1), chunkSize: Math.max(varyingLength + 1, zlib.constants.Z_MIN_CHUNK) });
  } catch (err) {
    throw fail(`its planes do not inflate: ${(err as Error).message}`);
  }
  if (varying.length !== varyingLength) throw fail(`its planes inflate to ${varying.length} bytes, the bitmap says ${varyingLength}`);
  return { n, stored, head, varying, varyingCount: recordSize - constant };
}

/** Where to decode: a buffer to reuse, or one to ask for once the body has passed its checks. */
export type Into = Buffer | ((size: number) => Buffer);

function output(rawLength: number, into?: Into): Buffer {
  const buf = typeof into === 'function' ? into(rawLength) : into;
  return buf && buf.length >= rawLength ? buf.subarray(0, rawLength) : Buffer.allocUnsafe(rawLength);
}

/** The shuffled body (`rawLength` bytes) of a codec-3 body. With `into` (at least rawLength bytes), writes there. */
export function decodePlanes(stored: Buffer, rawLength: number, recordSize: number, into?: Into): Buffer {
  return layOut(parsePlanes(stored, rawLength, recordSize), recordSize, output(rawLength, into));
}

/** The planes one after the other, constant ones filled with their byte. */
function layOut({ n, stored, head, varying }: Planes, recordSize: number, out: Buffer): Buffer {
  for (let p = 0, value = head, from = 0; p < recordSize; p++) {
    if (isSet(stored, p)) out.fill(stored[value++]!, p * n, (p + 1) * n);
    else {
      varying.copy(out, p * n, from, from + n);
      from += n;
    }
  }
  return out;
}

/**
 * Puts the records of checked `planes` back together into `out` (exactly
 * their n * recordSize bytes): a faster stand-in for the JavaScript below,
 * which stays the reference (the analyzer's is WebAssembly).
 */
export type PlanesToRecords = (planes: Planes, recordSize: number, out: Buffer) => void;

/**
 * The records themselves (decodePlanes, then unshuffle), by `toRecords`
 * when given. When few planes vary, as in a storm, without a full
 * un-shuffle: one record holding the constant bytes is copied over the
 * whole body (doubling, native copies), then only the varying planes'
 * bytes are scattered into place.
 */
export function decodePlanesToRecords(stored: Buffer, rawLength: number, recordSize: number, into?: Into, toRecords?: PlanesToRecords): Buffer {
  const planes = parsePlanes(stored, rawLength, recordSize);
  if (toRecords) {
    const out = output(rawLength, into);
    toRecords(planes, recordSize, out);
    return out;
  }
  const { n, head, varying, varyingCount } = planes;
  // many varying planes: the word-wise un-shuffle of a full layout is faster than scattering bytes
  if (varyingCount * 4 > recordSize) return unshuffle(layOut(planes, recordSize, Buffer.allocUnsafe(rawLength)), recordSize, output(rawLength, into));
  const out = output(rawLength, into);
  if (n === 0) return out;
  for (let p = 0, value = head; p < recordSize; p++) out[p] = isSet(stored, p) ? stored[value++]! : 0;
  for (let filled = recordSize; filled < rawLength; ) {
    const chunk = Math.min(filled, rawLength - filled);
    out.copyWithin(filled, 0, chunk);
    filled += chunk;
  }
  for (let p = 0, from = 0; p < recordSize; p++) {
    if (isSet(stored, p)) continue;
    for (let r = 0, at = p; r < n; r++, at += recordSize) out[at] = varying[from + r]!;
    from += n;
  }
  return out;
}
