// STACKS block body: entries of { id u32, nr_frames u16, flags u16, frames u64[] }.
import { CaptureFormatError } from './errors.js';

export interface StackEntry {
  id: number;
  /** return addresses, innermost first */
  frames: bigint[];
  truncated: boolean;
}

const ENTRY_HEADER = 8;
const FLAG_TRUNCATED = 1;
/**
 * The recorder writes a STACKS block per batch with the stacks first seen in
 * it: thousands at most. A hostile block of 16-byte entries could otherwise
 * materialize 16M objects from one 256 MiB block and exhaust the heap.
 */
export const MAX_STACKS_PER_BLOCK = 1 << 20;

export function encodeStacks(stacks: StackEntry[]): Buffer {
  let size = 0;
  for (const s of stacks) size += ENTRY_HEADER + 8 * s.frames.length;
  const out = Buffer.alloc(size);
  let p = 0;
  for (const s of stacks) {
    if (!Number.isInteger(s.id) || s.id < 1 || s.id > 0xffffffff) throw new RangeError(`stack id ${s.id} is not a u32 >= 1`);
    if (s.frames.length > 0xffff) throw new RangeError(`stack ${s.id} has more than 65535 frames`);
    out.writeUInt32LE(s.id, p);
    out.writeUInt16LE(s.frames.length, p + 4);
    out.writeUInt16LE(s.truncated ? FLAG_TRUNCATED : 0, p + 6);
    p += ENTRY_HEADER;
    for (const a of s.frames) {
      out.writeBigUInt64LE(a, p);
      p += 8;
    }
  }
  return out;
}

/** Bounds-checked: a short entry throws CaptureFormatError('BAD_STACKS'). */
export function decodeStacks(body: Buffer): StackEntry[] {
  const out: StackEntry[] = [];
  let p = 0;
  while (p < body.length) {
    if (p + ENTRY_HEADER > body.length) break;
    const n = body.readUInt16LE(p + 4);
    if (p + ENTRY_HEADER + 8 * n > body.length) break;
    const id = body.readUInt32LE(p);
    const flags = body.readUInt16LE(p + 6);
    p += ENTRY_HEADER;
    const frames = new Array<bigint>(n);
    for (let i = 0; i < n; i++) frames[i] = body.readBigUInt64LE(p + 8 * i);
    p += 8 * n;
    out.push({ id, frames, truncated: (flags & FLAG_TRUNCATED) !== 0 });
    if (out.length > MAX_STACKS_PER_BLOCK) {
      throw new CaptureFormatError('BAD_STACKS', `STACKS block holds more than ${MAX_STACKS_PER_BLOCK} stacks; the capture is damaged or hostile`);
    }
  }
  if (p !== body.length) {
    throw new CaptureFormatError('BAD_STACKS', `STACKS block ends inside an entry at byte ${p} of ${body.length}; the capture is damaged`);
  }
  return out;
}
