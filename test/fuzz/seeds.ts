// The seed corpus mutations start from: synthetic captures in several
// shapes (every codec, shuffled or not, a custom layout, no END, unknown
// blocks, IPv6, many stacks) written by the real CaptureWriter, and real
// captures recorded on a kernel (test/fuzz/corpus/, fixtures/**) with their
// kallsyms slimmed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Codec, EVENT_LAYOUT_V1, type RecordLayout } from '@dropcap/format';
import { DEFAULT_STACKS, KERNEL, START_MONO, writeSyntheticCapture, type EventSpec } from '../support/synthetic-capture.js';
import { parseCapture, type CaptureModel } from './capture-model.js';
import { slimKallsyms } from './slim.js';

export interface Seed {
  name: string;
  model: CaptureModel;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function events(n: number, v6 = false): EventSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    ts_ns: START_MONO + BigInt(i) * 1_000_000n,
    family: v6 && i % 2 === 1 ? 6 : 4,
    saddr: v6 && i % 2 === 1 ? '2001:db8::1' : `10.0.${i % 7}.1`,
    daddr: v6 && i % 2 === 1 ? '::1' : '127.0.0.1',
    sport: 40000 + i,
    dport: i % 3 === 0 ? 443 : 9,
    reason: [2, 3, 12, 30, (3 << 16) | 1, 999][i % 6]!,
    stack_id: i % 4 === 0 ? 0 : 1 + (i % 2),
    stack_frames: 3,
    flags: i % 4 === 0 ? 2 : 1 | (i === 1 ? 32 : 0),
    location: i % 5 === 0 ? KERNEL.nft_do_chain + 0x93cn : KERNEL.tcp_v4_rcv + 0x91n,
    pid: 1000 + (i % 3),
    tid: 1000 + (i % 5),
    comm: ['curl', 'nginx', 'swapper/1', 'ssh'][i % 4]!,
    state: i % 13,
    tcp_flags: i & 0xff,
    cpu: i % 2,
    ifindex: 1,
  }));
}

/** A layout with the fields in another order, a bigger record and an extra field the decoder does not know. */
const SHUFFLED_LAYOUT: RecordLayout = {
  name: 'dropcap_event',
  version: 2,
  size: 136,
  fields: [...EVENT_LAYOUT_V1.fields.map((f) => ({ ...f, offset: 16 + f.offset })), { name: 'future_u64', offset: 0, size: 8, type: 'u64' }, { name: 'ts2', offset: 8, size: 8, type: 'bytes' }],
};

function syntheticSeeds(dir: string): Seed[] {
  const specs: Array<[string, Parameters<typeof writeSyntheticCapture>[1]]> = [
    ['deflate-planes', { events: events(40), blockSize: 16 }],
    ['deflate-shuffled', { events: events(40), blockSize: 16, codec: Codec.Deflate }],
    ['brotli', { events: events(24, true), blockSize: 10, codec: Codec.Brotli }],
    ['uncompressed', { events: events(12), codec: Codec.None }],
    ['no-end-unknown', { events: events(9, true), end: false, stats: null, unknownBlocks: 2 }],
    ['other-layout', { events: events(10), layout: SHUFFLED_LAYOUT }],
    ['many-stacks', {
      events: events(20).map((e, i) => ({ ...e, stack_id: 1 + (i % 6) })),
      stacks: [...DEFAULT_STACKS, ...[3, 4, 5, 6].map((id) => ({ id, frames: Array.from({ length: id * 3 }, (_, k) => KERNEL.tcp_v4_rcv + BigInt(k * 16)), truncated: id === 6 }))],
    }],
    ['empty', { events: [] }],
  ];
  return specs.map(([name, opts]) => {
    const file = path.join(dir, `${name}.dcap`);
    writeSyntheticCapture(file, opts);
    return { name, model: parseCapture(file) };
  });
}

function findCaptures(root: string, skip: (p: string) => boolean): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    const p = path.join(root, e.name);
    if (skip(p)) continue;
    if (e.isDirectory()) out.push(...findCaptures(p, skip));
    else if (e.name.endsWith('.dcap') && fs.statSync(p).size < 64 << 20) out.push(p);
  }
  return out;
}

/** Real captures: the fuzz corpus and the recorded fixtures (regressions are replayed separately). */
export function realCapturePaths(): string[] {
  const regressions = path.join(REPO, 'fixtures', 'regressions');
  return [
    ...findCaptures(path.join(REPO, 'test', 'fuzz', 'corpus'), () => false),
    ...findCaptures(path.join(REPO, 'fixtures'), (p) => p === regressions),
  ].sort();
}

export function loadSeeds(tmp: string, opts: { maxReal?: number } = {}): Seed[] {
  const seeds = syntheticSeeds(tmp);
  for (const p of realCapturePaths().slice(0, opts.maxReal ?? 8)) {
    try {
      seeds.push({ name: path.relative(REPO, p), model: slimKallsyms(parseCapture(p)) });
    } catch {
      // a fixture that does not parse as a capture is not a seed
    }
  }
  return seeds;
}
