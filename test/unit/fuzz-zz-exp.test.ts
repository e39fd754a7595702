import { it } from 'vitest';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { BlockType, packValue, EVENT_LAYOUT_V1, fileHeader } from '@dropcap/format';
import { serializeCapture } from '../fuzz/capture-model.js';
it('make', () => {
  const mk = (name: string, type: number, raw: Buffer) => {
    const stored = zlib.deflateRawSync(raw, { level: 9 });
    const m = { head: fileHeader(), blocks: [{ type: BlockType.RecordLayout, flags: 0, raw: packValue(EVENT_LAYOUT_V1) }, { type, flags: 1, raw: Buffer.alloc(0), stored, rawLength: raw.length }] };
    fs.writeFileSync(`/tmp/h-work/${name}.dcap`, serializeCapture(m));
  };
  const N = 200 << 20;
  // msgpack array32 of nils
  const arr = Buffer.alloc(N, 0xc0); arr[0] = 0xdd; arr.writeUInt32BE(N - 5, 1); mk('msgpack-array', 1, arr);
  // msgpack map32 with fixstr keys: 4-byte entries "a" + nil: key fixstr(1) 0xa1 'x' then 0xc0 -> 3 bytes, keys vary
  const mp = Buffer.alloc(5 + 3 * 20_000_000); mp[0] = 0xdf; mp.writeUInt32BE(20_000_000, 1);
  for (let i = 0, p = 5; i < 20_000_000; i++, p += 3) { mp[p] = 0xa1; mp[p + 1] = 0x61 + (i % 26); mp[p + 2] = 0xc0; }
  mk('msgpack-map', 1, mp);
  // stacks: 16-byte entries with 1 frame
  const st = Buffer.alloc(N);
  for (let p = 0, id = 1; p + 16 <= N; p += 16, id++) { st.writeUInt32LE(id, p); st.writeUInt16LE(1, p + 4); st.writeBigUInt64LE(0xffffffff81000000n + BigInt(id), p + 8); }
  mk('stacks', 7, st);
  // reasons enum huge
}, 600000);
