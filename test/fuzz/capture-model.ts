// A capture as a list of blocks with decoded bodies, so mutations can reach
// past the checksum: a block whose body was changed is re-encoded with its
// codec and a fresh CRC, and the reader hands the damage to the decoder
// instead of stopping at the checksum. Overrides let a block lie about its
// lengths (with a valid CRC) or carry stored bytes of its own (bombs).
import {
  BLOCK_HEADER_SIZE,
  BlockType,
  CaptureReader,
  Codec,
  FLAG_CODEC_MASK,
  FLAG_SHUFFLED,
  encodeBody,
  fileHeader,
  shuffle,
  unpackValue,
  validateLayout,
} from '@dropcap/format';
import zlib from 'node:zlib';

export interface ModelBlock {
  type: number;
  flags: number;
  /** body after decoding and un-shuffling */
  raw: Buffer;
  /** raw_length written in the header instead of raw.length */
  rawLength?: number;
  /** length written in the header instead of the stored size */
  length?: number;
  /** stored bytes written instead of encoding `raw` (compression bombs) */
  stored?: Buffer;
  /** write a wrong CRC */
  badCrc?: boolean;
}

export interface CaptureModel {
  /** the 16-byte file header */
  head: Buffer;
  blocks: ModelBlock[];
}

/** Reads a well-formed capture into a model (stops where the reader stops). */
export function parseCapture(path: string): CaptureModel {
  const reader = CaptureReader.open(path);
  const blocks: ModelBlock[] = [];
  for (const b of reader.blocks()) blocks.push({ type: b.type, flags: b.flags, raw: Buffer.from(b.body) });
  return { head: fileHeader(reader.major, reader.minor), blocks };
}

export function cloneModel(m: CaptureModel): CaptureModel {
  return { head: Buffer.from(m.head), blocks: m.blocks.map((b) => ({ ...b })) };
}

function layoutSize(raw: Buffer): number | null {
  try {
    return validateLayout(unpackValue(raw)).size;
  } catch {
    return null;
  }
}

/** Serializes like CaptureWriter does, honouring the overrides. */
export function serializeCapture(m: CaptureModel): Buffer {
  const parts: Buffer[] = [m.head];
  let recordSize: number | null = null;
  for (const b of m.blocks) {
    if (b.type === BlockType.RecordLayout) recordSize = layoutSize(b.raw) ?? recordSize;
    const codec = b.flags & FLAG_CODEC_MASK;
    let body = b.raw;
    if (b.flags & FLAG_SHUFFLED && recordSize !== null && body.length % recordSize === 0) body = shuffle(body, recordSize);
    // deflate-planes needs shuffled records; a block mutated into it without them keeps its raw bytes
    const planes = codec === Codec.DeflatePlanes && b.flags & FLAG_SHUFFLED && recordSize !== null && body.length % recordSize === 0;
    const stored = b.stored ?? (codec <= Codec.Brotli || planes ? encodeBody(codec, body, {}, recordSize ?? undefined) : body);
    const head = Buffer.alloc(BLOCK_HEADER_SIZE);
    head.writeUInt32LE(b.type >>> 0, 0);
    head.writeUInt32LE(b.flags >>> 0, 4);
    head.writeUInt32LE((b.length ?? stored.length) >>> 0, 8);
    head.writeUInt32LE((b.rawLength ?? b.raw.length) >>> 0, 12);
    const crc = zlib.crc32(stored, zlib.crc32(head.subarray(0, 16)));
    head.writeUInt32LE((b.badCrc ? crc ^ 1 : crc) >>> 0, 16);
    parts.push(head, stored);
  }
  return Buffer.concat(parts);
}
