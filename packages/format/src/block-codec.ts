// Body codecs. Decoding is always bounded by the block's raw_length, so a
// small body cannot expand into an unbounded allocation (decompression bomb).
import zlib from 'node:zlib';
import { Codec, MAX_RAW_LENGTH } from './constants.js';
import { CaptureFormatError } from './errors.js';

/** Brotli quality 5: about deflate's speed with a better ratio; 11 takes seconds on kallsyms. */
const BROTLI_QUALITY = 5;

/** `deflateLevel`: zlib's 1 (fastest) to 9; default zlib's own (6). */
export function encodeBody(codec: Codec, raw: Buffer, deflateLevel?: number): Buffer {
  switch (codec) {
    case Codec.None:
      return raw;
    case Codec.Deflate:
      return zlib.deflateRawSync(raw, deflateLevel === undefined ? {} : { level: deflateLevel });
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
        out = zlib.inflateRawSync(stored, { maxOutputLength: Math.max(rawLength, 1) });
        break;
      case Codec.Brotli:
        out = zlib.brotliDecompressSync(stored, { maxOutputLength: Math.max(rawLength, 1) });
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
