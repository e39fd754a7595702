import { it } from 'vitest';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { BlockType, CaptureWriter, EVENT_LAYOUT_V1, packValue } from '@dropcap/format';
import { loadCaptures } from '@dropcap/analyzer';
import { tmpDir, encodeEvent } from '../support/synthetic-capture.js';
import { serializeCapture } from '../fuzz/capture-model.js';
import { fileHeader } from '@dropcap/format';
it('exp', async () => {
  const t = tmpDir();
  const out: string[] = [];
  const time = (n: string, f: () => unknown) => { const r0 = process.memoryUsage().rss; const t0 = performance.now(); let r; try { r = f(); } catch (e) { r = (e as Error).message; } out.push(`${n}: ${(performance.now() - t0).toFixed(0)} ms, rss +${((process.memoryUsage().rss - r0) / 2 ** 20).toFixed(0)} MiB ${String(r).slice(0, 200)}`); };
  // many CLOCKS in decreasing order
  for (const n of [5000, 20000, 40000]) {
    const f = t.file(`clocks${n}.dcap`);
    const w = CaptureWriter.toPath(f);
    w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
    for (let i = n; i > 0; i--) w.writeMsgpack(BlockType.Clocks, { monotonic_ns: BigInt(i) * 1000n, realtime_ns: BigInt(i) * 1000n + 5n });
    w.writeEvents(encodeEvent({}), 120);
    w.close();
    time(`clocks ${n} (${fs.statSync(f).size} bytes)`, () => { const a = loadCaptures([f]); a.db.close(); return a.warnings.length; });
  }
  // bomb: exact 200MiB of zeros as EVENTS shuffled
  const layout = packValue(EVENT_LAYOUT_V1);
  for (const [name, zeros, claim, type] of [['exact-events', 120 * 1_700_000, 120 * 1_700_000, 8], ['exact-kallsyms', 250 << 20, 250 << 20, 4], ['more', 64 << 20, 1024, 8], ['claim-max', 1 << 20, 256 << 20, 4]] as const) {
    const stored = zlib.deflateRawSync(Buffer.alloc(zeros), { level: 9 });
    const m = { head: fileHeader(), blocks: [{ type: BlockType.RecordLayout, flags: 0, raw: layout }, { type, flags: type === 8 ? 0x11 : 1, raw: Buffer.alloc(0), stored, rawLength: claim }] };
    const f = t.file(`bomb-${name}.dcap`);
    fs.writeFileSync(f, serializeCapture(m));
    time(`bomb ${name} (${fs.statSync(f).size} bytes)`, () => { const a = loadCaptures([f]); const n = a.db.prepare('select count(*) from drops').pluck().get(); a.db.close(); return `${n} drops; ${a.warnings.join(' | ')}`; });
  }
  // absurd length with a tiny file
  const hdr = Buffer.alloc(20); hdr.writeUInt32LE(8, 0); hdr.writeUInt32LE(60 << 20, 8); hdr.writeUInt32LE(60 << 20, 12);
  const f = t.file('len.dcap'); fs.writeFileSync(f, Buffer.concat([fileHeader(), hdr]));
  time('absurd length', () => { const a = loadCaptures([f]); a.db.close(); return a.warnings.join('|'); });
  fs.writeFileSync('/tmp/h-work/exp.txt', out.join('\n'));
}, 600000);
