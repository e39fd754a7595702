// Real captures carry the recording host's whole /proc/kallsyms (~5 MB
// decoded). Fuzzing spends its time on everything else, so a real capture
// used as a seed keeps only the kallsyms lines its events and stacks need
// (plus a sample of the rest): it symbolizes exactly as before, ~1000x
// cheaper.
import { BlockType, Codec, decodeStacks, unpackValue, validateLayout } from '@dropcap/format';
import { Symbolizer } from '@dropcap/analyzer';
import type { CaptureModel } from './capture-model.js';

const SAMPLE_EVERY = 2000;

export function slimKallsyms(m: CaptureModel): CaptureModel {
  const ksym = m.blocks.find((b) => b.type === BlockType.Kallsyms);
  if (!ksym || ksym.raw.length < 64 * 1024) return m;
  const wanted = new Set<bigint>();
  let layout: ReturnType<typeof validateLayout> | null = null;
  for (const b of m.blocks) {
    if (b.type === BlockType.RecordLayout) layout = validateLayout(unpackValue(b.raw));
    if (b.type === BlockType.Stacks) for (const s of decodeStacks(b.raw)) for (const f of s.frames) wanted.add(f);
    if (b.type === BlockType.Events && layout) {
      const loc = layout.fields.find((f) => f.name === 'location');
      if (!loc) continue;
      for (let p = 0; p + layout.size <= b.raw.length; p += layout.size) wanted.add(b.raw.readBigUInt64LE(p + loc.offset));
    }
  }
  const text = ksym.raw.toString('latin1');
  const sym = Symbolizer.fromKallsyms(text);
  const starts = new Set<string>();
  for (const a of wanted) {
    const hit = sym.lookup(a);
    if (hit) starts.add((a - hit.offset).toString(16).padStart(16, '0'));
  }
  const kept = text.split('\n').filter((line, i) => i % SAMPLE_EVERY === 0 || starts.has(line.slice(0, 16)));
  const raw = Buffer.from(kept.join('\n') + '\n', 'latin1');
  return { head: m.head, blocks: m.blocks.map((b) => (b === ksym ? { type: b.type, flags: Codec.Deflate, raw } : b)) };
}
