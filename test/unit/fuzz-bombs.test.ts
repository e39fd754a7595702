// Decompression bombs and lying lengths, built by hand: the reader decodes
// with an output limit of raw_length and checks limits before allocating,
// so each is refused (or read, when it is honest) in bounded time and memory.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BlockType, CaptureReader, EVENT_LAYOUT_V1, FLAG_SHUFFLED, MAX_BLOCK_LENGTH, MAX_RAW_LENGTH, fileHeader, packValue } from '@dropcap/format';
import { loadCaptures } from '@dropcap/analyzer';
import { serializeCapture, type ModelBlock } from '../fuzz/capture-model.js';
import { tmpDir } from '../support/synthetic-capture.js';

const t = tmpDir('dropcap-bombs-');
afterAll(() => t.cleanup());

const MiB = 1 << 20;
const layout: ModelBlock = { type: BlockType.RecordLayout, flags: 0, raw: packValue(EVENT_LAYOUT_V1) };
const zeros = (codec: 'deflate' | 'brotli', n: number) =>
  codec === 'deflate' ? zlib.deflateRawSync(Buffer.alloc(n), { level: 9 }) : zlib.brotliCompressSync(Buffer.alloc(n), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } });

function write(name: string, blocks: ModelBlock[]): string {
  const file = t.file(`${name}.dcap`);
  fs.writeFileSync(file, serializeCapture({ head: fileHeader(), blocks }));
  return file;
}

function read(file: string) {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const reader = CaptureReader.open(file);
  let bytes = 0;
  for (const b of reader.blocks()) bytes += b.body.length;
  return { damage: reader.damage, bytes, ms: performance.now() - t0, rssGrowth: process.memoryUsage().rss - rss0 };
}

describe.each(['deflate', 'brotli'] as const)('%s bombs', (codec) => {
  const flags = (codec === 'deflate' ? 1 : 2) | FLAG_SHUFFLED;

  it('64 MiB of zeros claiming 1 KiB: refused while decoding, without inflating it all', () => {
    const r = read(write(`${codec}-more`, [layout, { type: BlockType.Events, flags, raw: Buffer.alloc(0), stored: zeros(codec, 64 * MiB), rawLength: 1200 }]));
    expect(r.damage?.cause).toBe('decode');
    expect(r.rssGrowth).toBeLessThan(32 * MiB);
    expect(r.ms).toBeLessThan(2_000);
  });

  it('1 MiB of zeros claiming the 256 MiB maximum: refused, the claim is never allocated', () => {
    const r = read(write(`${codec}-claim-max`, [layout, { type: BlockType.Kallsyms, flags: flags & 0xf, raw: Buffer.alloc(0), stored: zeros(codec, MiB), rawLength: MAX_RAW_LENGTH }]));
    expect(r.damage?.cause).toBe('decode');
    expect(r.rssGrowth).toBeLessThan(64 * MiB);
  });

  it('an honest 12 MiB of zero records: read in full and imported', () => {
    const n = 100_000;
    const file = write(`${codec}-exact`, [layout, { type: BlockType.Events, flags, raw: Buffer.alloc(0), stored: zeros(codec, n * 120), rawLength: n * 120 }]);
    expect(read(file).damage).toBeNull();
    const a = loadCaptures([file]);
    expect(a.db.prepare('SELECT count(*) FROM drops').pluck().get()).toBe(n);
    a.db.close();
  });
});

describe('lying lengths are checked before anything is allocated', () => {
  const head = (type: number, length: number, rawLength: number) => {
    const h = Buffer.alloc(20);
    h.writeUInt32LE(type, 0);
    h.writeUInt32LE(length, 8);
    h.writeUInt32LE(rawLength, 12);
    return h;
  };
  it.each([
    ['raw_length above the limit', head(BlockType.Events, 16, MAX_RAW_LENGTH + 1), 'too_large'],
    ['length above the limit', head(BlockType.Events, MAX_BLOCK_LENGTH + 1, 16), 'too_large'],
    ['length 0xffffffff', head(BlockType.Kallsyms, 0xffffffff, 0xffffffff), 'too_large'],
    ['60 MiB body in a 36-byte file', head(BlockType.Kallsyms, 60 * MiB, 60 * MiB), 'truncated'],
  ])('%s', (_what, header, cause) => {
    const file = t.file('lying.dcap');
    fs.writeFileSync(file, Buffer.concat([fileHeader(), header]));
    const r = read(file);
    expect(r.damage?.cause).toBe(cause);
    expect(r.damage?.offset).toBe(16);
    expect(r.rssGrowth).toBeLessThan(16 * MiB);
  });
});
