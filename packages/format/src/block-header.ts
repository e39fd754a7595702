// The 20-byte block header and its CRC-32 (over header bytes 0-15, then the stored body).
import zlib from 'node:zlib';
import { BLOCK_HEADER_SIZE } from './constants.js';

export interface BlockHeader {
  type: number;
  flags: number;
  length: number;
  rawLength: number;
  crc32: number;
}

export function blockCrc(header16: Buffer, body: Buffer): number {
  return zlib.crc32(body, zlib.crc32(header16.subarray(0, 16)));
}

/** Writes the header (crc included) into the first 20 bytes of `out`. */
export function writeBlockHeader(out: Buffer, type: number, flags: number, body: Buffer, rawLength: number): void {
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(flags, 4);
  out.writeUInt32LE(body.length, 8);
  out.writeUInt32LE(rawLength, 12);
  out.writeUInt32LE(blockCrc(out, body), 16);
}

export function readBlockHeader(buf: Buffer): BlockHeader {
  if (buf.length < BLOCK_HEADER_SIZE) throw new RangeError('short block header');
  return {
    type: buf.readUInt32LE(0),
    flags: buf.readUInt32LE(4),
    length: buf.readUInt32LE(8),
    rawLength: buf.readUInt32LE(12),
    crc32: buf.readUInt32LE(16),
  };
}
