// msgpack for the structured blocks. useRecords: false keeps the encoding
// plain msgpack (readable by any implementation); int64AsType 'bigint'
// round-trips the u64 clock readings exactly.
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false, int64AsType: 'bigint', mapsAsObjects: true });

export function packValue(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes one msgpack value. Throws on malformed input (callers wrap it). */
export function unpackValue(buf: Buffer): unknown {
  return packr.unpack(buf);
}
