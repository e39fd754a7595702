// A capture is untrusted input: damaged or hostile files must give typed
// errors or warnings, never crashes or unbounded work.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BlockType, CaptureFormatError, CaptureWriter, EVENT_LAYOUT_V1, encodeStacks } from '@dropcap/format';
import { AnalyzerError, loadCaptures } from '@dropcap/analyzer';
import { encodeEvent, tmpDir, writeSyntheticCapture } from '../support/synthetic-capture.js';

const t = tmpDir('dropcap-untrusted-');
afterAll(() => t.cleanup());

describe('hostile and damaged captures', () => {
  it('malformed context blocks with valid checksums become warnings; events still import', () => {
    const file = t.file('bad-context.dcap');
    const w = CaptureWriter.toPath(file);
    w.writeBlock(BlockType.Header, Buffer.from([0xc1, 0xc1, 0xc1])); // 0xc1 is never valid msgpack
    w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
    w.writeMsgpack(BlockType.Reasons, { enums: 'not a map' });
    w.writeMsgpack(BlockType.Clocks, { monotonic_ns: 'soon' });
    w.writeBlock(BlockType.Stacks, Buffer.from([1, 0, 0, 0, 0xff, 0xff, 0, 0])); // 65535 frames announced, none present
    w.writeMsgpack(BlockType.Interfaces, { not: 'a list' });
    w.writeEvents(Buffer.concat([encodeEvent({ stack_id: 1 }), encodeEvent({})]), 120);
    w.close();
    const a = loadCaptures([file]);
    expect(a.db.prepare('SELECT count(*) FROM drops').pluck().get()).toBe(2);
    const text = a.warnings.join('\n');
    for (const block of ['Header', 'Reasons', 'Clocks', 'Stacks', 'Interfaces']) expect(text).toMatch(new RegExp(`${block} block at byte \\d+ is malformed`));
    expect(text).toMatch(/1 drops reference stacks that are not in the file/);
    expect(text).toMatch(/no clock pairs/);
    expect(a.db.prepare("SELECT reason FROM drops LIMIT 1").pluck().get()).toBe('UNKNOWN(3)');
  });

  it('a hostile record layout is refused as damage, not trusted', () => {
    const file = t.file('bad-layout.dcap');
    const w = CaptureWriter.toPath(file);
    w.writeMsgpack(BlockType.Header, { hostname: 'h' });
    w.writeMsgpack(BlockType.RecordLayout, { ...EVENT_LAYOUT_V1, fields: [{ name: 'pid', offset: 1_000_000, size: 4, type: 'u32' }] });
    w.writeEvents(encodeEvent({}), 120);
    w.close();
    const a = loadCaptures([file]);
    expect(a.db.prepare('SELECT count(*) FROM drops').pluck().get()).toBe(0);
    expect(a.warnings.join('\n')).toMatch(/invalid RECORD_LAYOUT block: field pid lies outside/);
  });

  it('random damage never escapes as anything but typed errors', () => {
    const src = t.file('fuzz-src.dcap');
    writeSyntheticCapture(src, {
      events: Array.from({ length: 200 }, (_, i) => ({ dport: i, stack_id: (i % 3) as number, reason: i % 4 })),
      blockSize: 50,
      stacks: [
        { id: 1, frames: [1n, 2n, 3n], truncated: false },
        { id: 2, frames: [4n], truncated: true },
      ],
    });
    const good = fs.readFileSync(src);
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const file = t.file('fuzz.dcap');
    let imported = 0;
    for (let iter = 0; iter < 150; iter++) {
      const bad = Buffer.from(good);
      const flips = 1 + rand(4);
      for (let k = 0; k < flips; k++) bad[16 + rand(bad.length - 16)] = rand(256);
      fs.writeFileSync(file, iter % 5 === 0 ? bad.subarray(0, 16 + rand(bad.length - 16)) : bad);
      try {
        const a = loadCaptures([file]);
        const n = a.db.prepare('SELECT count(*) FROM drops').pluck().get() as number;
        expect(n).toBeLessThanOrEqual(200);
        a.db.prepare('SELECT * FROM drops').all();
        a.db.close();
        imported++;
      } catch (err) {
        expect(err instanceof CaptureFormatError || err instanceof AnalyzerError, String(err)).toBe(true);
      }
    }
    expect(imported).toBeGreaterThan(100);
  });

  it('stack tables bound the work: a STACKS entry claiming more frames than present is rejected', () => {
    const body = encodeStacks([{ id: 1, frames: [1n, 2n], truncated: false }]);
    body.writeUInt16LE(60000, 4);
    const file = t.file('stacks.dcap');
    const w = CaptureWriter.toPath(file);
    w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
    w.writeBlock(BlockType.Stacks, body);
    w.close();
    const a = loadCaptures([file]);
    expect(a.db.prepare('SELECT count(*) FROM stack_callsite').pluck().get()).toBe(0);
    expect(a.warnings.join('\n')).toMatch(/STACKS block ends inside an entry/);
  });
});
