import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BLOCK_HEADER_SIZE,
  BlockType,
  CaptureFormatError,
  CaptureReader,
  CaptureWriter,
  Codec,
  EVENT_LAYOUT_V1,
  FILE_HEADER_SIZE,
  MAX_BLOCK_LENGTH,
  fileHeader,
} from '@dropcap/format';
import zlib from 'node:zlib';
import { execFileSync, spawn } from 'node:child_process';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dropcap-damage-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A small capture; returns its bytes and the end offset of each block. */
function smallCapture(): { bytes: Buffer; ends: number[] } {
  const file = path.join(dir, 'small.dcap');
  const w = CaptureWriter.toPath(file);
  const ends: number[] = [];
  const mark = () => ends.push(w.bytesWritten);
  w.writeMsgpack(BlockType.Header, { hostname: 'x' });
  mark();
  w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
  mark();
  w.writeEvents(Buffer.alloc(240, 3), 120);
  mark();
  w.writeBlock(BlockType.Kallsyms, Buffer.from('ffffffff81000000 T _stext\n'), { codec: Codec.Brotli });
  mark();
  w.writeMsgpack(BlockType.End, { reason: 'done' });
  mark();
  w.close();
  return { bytes: fs.readFileSync(file), ends };
}

function readAll(bytes: Buffer) {
  const file = path.join(dir, `cut-${bytes.length}-${Math.random()}.dcap`);
  fs.writeFileSync(file, bytes);
  const r = CaptureReader.open(file);
  const blocks = [...r.blocks()];
  return { blocks, damage: r.damage };
}

describe('damaged captures', () => {
  const { bytes, ends } = smallCapture();

  it('reads up to the last complete block at every truncation point', () => {
    for (let cut = FILE_HEADER_SIZE; cut <= bytes.length; cut++) {
      const { blocks, damage } = readAll(bytes.subarray(0, cut));
      const complete = ends.filter((e) => e <= cut).length;
      expect(blocks.length, `cut at ${cut}`).toBe(complete);
      const lastEnd = complete === 0 ? FILE_HEADER_SIZE : ends[complete - 1]!;
      if (cut === lastEnd) {
        expect(damage, `cut at ${cut}`).toBeNull();
      } else {
        expect(damage, `cut at ${cut}`).toMatchObject({ offset: lastEnd, bytesUnread: cut - lastEnd, cause: 'truncated' });
      }
    }
  });

  it('stops at a flipped bit in any block with a checksum error', () => {
    for (let i = 0; i < ends.length; i++) {
      const start = i === 0 ? FILE_HEADER_SIZE : ends[i - 1]!;
      for (const at of [start, start + 9, start + BLOCK_HEADER_SIZE + 1, ends[i]! - 1]) {
        const bad = Buffer.from(bytes);
        bad[at]! ^= 0x04;
        const { blocks, damage } = readAll(bad);
        expect(blocks.length).toBe(i);
        expect(damage?.offset).toBe(start);
        expect(damage?.bytesUnread).toBe(bytes.length - start);
        // a flipped length byte can also look like a truncation or an oversized block
        expect(['checksum', 'truncated', 'too_large']).toContain(damage?.cause);
      }
    }
  });

  it('refuses an absurd length before allocating', () => {
    const hdr = Buffer.alloc(BLOCK_HEADER_SIZE);
    hdr.writeUInt32LE(BlockType.Events, 0);
    hdr.writeUInt32LE(MAX_BLOCK_LENGTH + 1, 8);
    hdr.writeUInt32LE(MAX_BLOCK_LENGTH + 1, 12);
    const { blocks, damage } = readAll(Buffer.concat([fileHeader(), hdr]));
    expect(blocks).toEqual([]);
    expect(damage?.cause).toBe('too_large');
  });

  it('refuses a decompression bomb: output limited to raw_length', () => {
    const bomb = zlib.deflateRawSync(Buffer.alloc(10 * 1024 * 1024));
    const hdr = Buffer.alloc(BLOCK_HEADER_SIZE);
    hdr.writeUInt32LE(BlockType.Kallsyms, 0);
    hdr.writeUInt32LE(Codec.Deflate, 4);
    hdr.writeUInt32LE(bomb.length, 8);
    hdr.writeUInt32LE(1000, 12); // claims 1000 decoded bytes
    hdr.writeUInt32LE(zlib.crc32(bomb, zlib.crc32(hdr.subarray(0, 16))), 16);
    const { blocks, damage } = readAll(Buffer.concat([fileHeader(), hdr, bomb]));
    expect(blocks).toEqual([]);
    expect(damage?.cause).toBe('decode');
  });

  it('refuses bad magic and a newer major version with one-line messages', () => {
    const notCapture = path.join(dir, 'plain.txt');
    fs.writeFileSync(notCapture, 'hello world, not a capture');
    expect(() => CaptureReader.open(notCapture)).toThrow(expect.objectContaining({ code: 'BAD_MAGIC' }));
    const v2 = path.join(dir, 'v2.dcap');
    fs.writeFileSync(v2, Buffer.concat([fileHeader(2, 0), bytes.subarray(FILE_HEADER_SIZE)]));
    let err: unknown;
    try {
      CaptureReader.open(v2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureFormatError);
    expect((err as CaptureFormatError).code).toBe('UNSUPPORTED_VERSION');
    expect((err as Error).message).toBe(`${v2}: format version 2 is newer than this dropcap supports (1); upgrade dropcap`);
    expect(() => CaptureReader.open(path.join(dir, 'missing.dcap'))).toThrow(expect.objectContaining({ code: 'UNREADABLE' }));
  });

  it('skips a block whose codec it does not know (a newer minor) and counts it', () => {
    const body = Buffer.from('zstd-compressed, say');
    const hdr = Buffer.alloc(BLOCK_HEADER_SIZE);
    hdr.writeUInt32LE(BlockType.Kallsyms, 0);
    hdr.writeUInt32LE(7, 4); // codec 7
    hdr.writeUInt32LE(body.length, 8);
    hdr.writeUInt32LE(100, 12);
    hdr.writeUInt32LE(zlib.crc32(body, zlib.crc32(hdr.subarray(0, 16))), 16);
    const file = path.join(dir, 'codec7.dcap');
    fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, ends[0]!), hdr, body, bytes.subarray(ends[0]!)]));
    const r = CaptureReader.open(file);
    const blocks = [...r.blocks()];
    expect(blocks.map((b) => b.type)).toEqual([1, 2, 8, 4, 10]);
    expect(r.unknownBlocks).toBe(1);
    expect(r.damage).toBeNull();
  });

  it('accepts a newer minor version', () => {
    const file = path.join(dir, 'minor.dcap');
    fs.writeFileSync(file, Buffer.concat([fileHeader(1, 7), bytes.subarray(FILE_HEADER_SIZE)]));
    const r = CaptureReader.open(file);
    expect(r.minor).toBe(7);
    expect([...r.blocks()].length).toBe(ends.length);
  });

  it('reads from a pipe (not seekable) and counts the unread tail', () => {
    const file = path.join(dir, 'pipe-src.dcap');
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 3));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const child = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', file, fifo], { stdio: 'ignore' });
    const fd = fs.openSync(fifo, 'r'); // blocks until cat opens the write end
    const r = CaptureReader.fromFd(fd, 'stdin');
    expect(r.fileSize).toBeNull();
    const blocks = [...r.blocks()];
    fs.closeSync(fd);
    child.kill();
    expect(blocks.length).toBe(ends.length - 1);
    expect(r.damage).toMatchObject({ cause: 'truncated', bytesUnread: bytes.length - 3 - ends[ends.length - 2]! });
  });
});
