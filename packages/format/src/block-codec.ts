// Body codecs. Decoding is always bounded by the block's raw_length, so a
// small body cannot expand into an unbounded allocation (decompression bomb).
import zlib from 'node:zlib';
import { Codec, MAX_DEFLATE_RATIO, MAX_RAW_LENGTH } from './constants.js';
import { CaptureFormatError, tooExpanded } from './errors.js';
import { encodePlanes } from './planes.js';

/** Brotli quality 5: about deflate's speed with a better ratio; 11 takes seconds on kallsyms. */
const BROTLI_QUALITY = 5;

/** How a Deflate body is compressed. Any choice is plain deflate: readers never need to know it. */
export interface DeflateTuning {
  /** zlib's 1 (fastest) to 9; default zlib's own (6) */
  level?: number;
  /** zlib's Z_RLE strategy: matches only repeats of the previous byte; default false */
  rle?: boolean;
}

/** `recordSize`: Codec.DeflatePlanes only, the size of the shuffled records in `raw`. */
export function encodeBody(codec: Codec, raw: Buffer, deflate: DeflateTuning = {}, recordSize?: number): Buffer {
  switch (codec) {
    case Codec.DeflatePlanes:
      if (recordSize === undefined || raw.length % recordSize !== 0) {
        throw new CaptureFormatError('BAD_ARGUMENT', 'the deflate-planes codec is for shuffled records: give their size');
      }
      return encodePlanes(raw, recordSize, deflate);
    case Codec.None:
      return raw;
    case Codec.Deflate:
      return zlib.deflateRawSync(raw, {
        ...(deflate.level === undefined ? {} : { level: deflate.level }),
        ...(deflate.rle ? { strategy: zlib.constants.Z_RLE } : {}),
      });
    case Codec.Brotli:
      return zlib.brotliCompressSync(raw, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        },
      });
    default:
      throw new CaptureFormatError('BAD_ARGUMENT', `unknown codec ${String(codec)}`);
  }
}

/**
 * Output chunk size for a body of `rawLength` bytes: all of it in one chunk,
 * so zlib does not gather 16 KiB pieces and copy them into one buffer (a
 * tenth of the decode time of a storm's EVENTS blocks). One byte more than
 * needed, or zlib finds the chunk full and allocates a second to look for
 * more output. raw_length is limit-checked before this.
 */
const oneChunk = (rawLength: number, stored: Buffer): number =>
  // never more up front than deflate could expand these bytes to: a junk brotli body claiming 256 MiB does not get it
  Math.max(Math.min(rawLength + 1, MAX_DEFLATE_RATIO * stored.length), zlib.constants.Z_MIN_CHUNK);

export function decodeBody(codec: number, stored: Buffer, rawLength: number): Buffer {
  if (rawLength > MAX_RAW_LENGTH) {
    throw new CaptureFormatError('TOO_LARGE', `block declares ${rawLength} decoded bytes, above the ${MAX_RAW_LENGTH} limit`);
  }
  let out: Buffer;
  try {
    switch (codec) {
      case Codec.None:
        out = stored;
        break;
      case Codec.Deflate:
        // maxOutputLength makes zlib throw instead of growing past raw_length
        if (rawLength > MAX_DEFLATE_RATIO * stored.length) throw new CaptureFormatError('DECODE', tooExpanded(rawLength, stored));
        out = zlib.inflateRawSync(stored, { maxOutputLength: Math.max(rawLength, 1), chunkSize: oneChunk(rawLength, stored) });
        break;
      case Codec.DeflatePlanes:
        // CaptureReader decodes these: the planes need the record size of the layout
        throw new CaptureFormatError('DECODE', 'a deflate-planes body needs its record size: read it with CaptureReader');
      case Codec.Brotli:
        out = zlib.brotliDecompressSync(stored, { maxOutputLength: Math.max(rawLength, 1), chunkSize: oneChunk(rawLength, stored) });
        break;
      default:
        throw new CaptureFormatError('DECODE', `unknown codec ${codec}`);
    }
  } catch (err) {
    if (err instanceof CaptureFormatError) throw err;
    throw new CaptureFormatError('DECODE', `block body does not decode: ${(err as Error).message}`);
  }
  if (out.length !== rawLength) {
    throw new CaptureFormatError('DECODE', `block body decodes to ${out.length} bytes, header says ${rawLength}`);
  }
  return out;
}
