// What the fuzzer does to a seed capture. Every mutation is plain data (so
// fast-check can shrink it and a failing case can be written down) and is
// applied by applyMutations. Model mutations change decoded bodies and keep
// checksums valid, so they reach the decoder, symbolizer and SQLite import;
// byte mutations act on the serialized file, where the reader must catch them.
import fc from 'fast-check';
import zlib from 'node:zlib';
import { BlockType, Codec, FLAG_SHUFFLED, MAX_BLOCK_LENGTH, MAX_RAW_LENGTH, encodeStacks, packValue, unpackValue } from '@dropcap/format';
import { cloneModel, serializeCapture, type CaptureModel, type ModelBlock } from './capture-model.js';

/** Strings chosen to break terminals, CSV, JSON, SQL, paths and prototypes. */
export const HOSTILE_STRINGS = [
  '',
  '\u001b[2J\u001b[H\u001b]0;pwned\u0007',
  '\u001b]8;;http://evil/\u001b\\click\u001b]8;;\u001b\\',
  '\u009b31m',
  'a,b"c\r\nd',
  '=HYPERLINK("http://evil")',
  "x'); DROP TABLE drops; --",
  '"; ATTACH DATABASE \'/tmp/x\' AS y; --',
  '\u0000nul',
  '\u202eevil\u202c',
  '__proto__',
  'constructor',
  '../../../../etc/passwd',
  '\ud800',
  'é'.repeat(300),
  '%s%n%x',
];

const hostileString = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ unit: 'binary', maxLength: 40 }));
const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hostname', 'monotonic_ns', 'enums', 'name', 'fields', 'counters', 'user'), fc.string({ maxLength: 12 }));

export const extremeNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 0.5, Number.NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 32 - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -0),
  fc.integer(),
  fc.double(),
);
export const extremeBigint = fc.oneof(
  fc.constantFrom(0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 53n + 1n),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
);

/** A msgpack-able value of any shape, hostile where it can be. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    extremeNumber,
    extremeBigint,
    hostileString,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('v'), { maxKeys: 4 }),
  ),
})).v;

export type Mutation =
  // ---- on blocks, checksums stay valid ----
  | { k: 'dropBlock'; i: number }
  | { k: 'dupBlock'; i: number; j: number }
  | { k: 'swapBlocks'; i: number; j: number }
  | { k: 'splice'; seed: number; i: number; j: number }
  | { k: 'flipBody'; i: number; flips: Array<[number, number]> }
  | { k: 'setBody'; i: number; bytes: Uint8Array }
  | { k: 'cutBody'; i: number; at: number }
  | { k: 'growBody'; i: number; bytes: Uint8Array }
  | { k: 'msgpackValue'; i: number; value: unknown }
  | { k: 'msgpackPatch'; i: number; path: number[]; value: unknown }
  | { k: 'newBlock'; j: number; type: number; value: unknown }
  | { k: 'layout'; j: number; size: number; fields: Array<{ name: number | string; offset: number; size: number; type: number | string }> }
  | { k: 'eventField'; i: number; at: number; value: bigint; width: 1 | 2 | 4 | 8 }
  | { k: 'stacks'; j: number; entries: Array<{ id: number; frames: bigint[]; flags: number; claim: number | null }> }
  | { k: 'codec'; i: number; codec: number; shuffled: boolean }
  | { k: 'rawLength'; i: number; value: number }
  | { k: 'length'; i: number; value: number }
  | { k: 'retype'; i: number; type: number }
  | { k: 'badCrc'; i: number }
  | { k: 'bomb'; i: number; codec: 1 | 2; zeros: number; claim: 'exact' | 'less' | 'more' }
  // ---- on the serialized bytes ----
  | { k: 'bitFlip'; at: number; bit: number }
  | { k: 'setByte'; at: number; value: number }
  | { k: 'truncate'; at: number }
  | { k: 'setU32'; at: number; value: number }
  | { k: 'fileHeader'; major: number; minor: number; flags: number };

const idx = fc.nat({ max: 1 << 20 });
const u32 = fc.oneof(fc.constantFrom(0, 1, 19, 20, 120, 0x7fffffff, 0xffffffff, MAX_BLOCK_LENGTH, MAX_BLOCK_LENGTH + 1, MAX_RAW_LENGTH, MAX_RAW_LENGTH + 1), fc.nat({ max: 0xffffffff }));
const blockType = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant(0xffffffff));
const FIELD_NAMES = ['ts_ns', 'location', 'saddr', 'daddr', 'pid', 'tid', 'netns', 'ifindex', 'reason', 'seq', 'ack_seq', 'len', 'mark', 'stack_id', 'sport', 'dport', 'cpu', 'window', 'family', 'state', 'tcp_flags', 'sk_source', 'flags', 'stack_frames', 'comm'];
const FIELD_TYPES = ['u8', 'u16', 'u32', 'u64', 'bytes', 'cstr'];

export const mutationArb: (seeds: number) => fc.Arbitrary<Mutation> = (seeds) =>
  fc.oneof(
    fc.record({ k: fc.constant('dropBlock' as const), i: idx }),
    fc.record({ k: fc.constant('dupBlock' as const), i: idx, j: idx }),
    fc.record({ k: fc.constant('swapBlocks' as const), i: idx, j: idx }),
    { arbitrary: fc.record({ k: fc.constant('splice' as const), seed: fc.nat({ max: seeds - 1 }), i: idx, j: idx }), weight: 2 },
    { arbitrary: fc.record({ k: fc.constant('flipBody' as const), i: idx, flips: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 7 })), { minLength: 1, maxLength: 8 }) }), weight: 8 },
    { arbitrary: fc.record({ k: fc.constant('setBody' as const), i: idx, bytes: fc.uint8Array({ maxLength: 600 }) }), weight: 2 },
    fc.record({ k: fc.constant('cutBody' as const), i: idx, at: fc.nat() }),
    fc.record({ k: fc.constant('growBody' as const), i: idx, bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
    { arbitrary: fc.record({ k: fc.constant('msgpackValue' as const), i: idx, value: hostileValue }), weight: 3 },
    { arbitrary: fc.record({ k: fc.constant('msgpackPatch' as const), i: idx, path: fc.array(fc.nat({ max: 64 }), { minLength: 1, maxLength: 4 }), value: hostileValue }), weight: 8 },
    fc.record({ k: fc.constant('newBlock' as const), j: idx, type: fc.integer({ min: 1, max: 11 }), value: hostileValue }),
    {
      arbitrary: fc.record({
        k: fc.constant('layout' as const),
        j: idx,
        size: fc.oneof(fc.constantFrom(1, 8, 120, 121, 65536, 65537, 0, -1), fc.nat({ max: 400 })),
        fields: fc.array(
          fc.record({
            name: fc.oneof(fc.nat({ max: FIELD_NAMES.length - 1 }), hostileString),
            offset: fc.oneof(fc.nat({ max: 200 }), fc.constantFrom(-1, 0xffffffff, 65535, 1e9)),
            size: fc.oneof(fc.constantFrom(0, 1, 2, 4, 8, 16, 17), fc.nat({ max: 300 })),
            type: fc.oneof(fc.nat({ max: FIELD_TYPES.length - 1 }), hostileString),
          }),
          { maxLength: 30 },
        ),
      }),
      weight: 2,
    },
    { arbitrary: fc.record({ k: fc.constant('eventField' as const), i: idx, at: fc.nat(), value: extremeBigint, width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const) }), weight: 6 },
    {
      arbitrary: fc.record({
        k: fc.constant('stacks' as const),
        j: idx,
        entries: fc.array(
          fc.record({
            id: fc.oneof(fc.constantFrom(0, 1, 2, 3, 0xffffffff), fc.nat({ max: 0xffffffff })),
            frames: fc.array(extremeBigint.map((b) => BigInt.asUintN(64, b)), { maxLength: 40 }),
            flags: fc.nat({ max: 0xffff }),
            claim: fc.option(fc.nat({ max: 0xffff })),
          }),
          { maxLength: 6 },
        ),
      }),
      weight: 3,
    },
    fc.record({ k: fc.constant('codec' as const), i: idx, codec: fc.nat({ max: 15 }), shuffled: fc.boolean() }),
    fc.record({ k: fc.constant('rawLength' as const), i: idx, value: u32 }),
    fc.record({ k: fc.constant('length' as const), i: idx, value: u32 }),
    fc.record({ k: fc.constant('retype' as const), i: idx, type: blockType }),
    fc.record({ k: fc.constant('badCrc' as const), i: idx }),
    fc.record({ k: fc.constant('bomb' as const), i: idx, codec: fc.constantFrom(1 as const, 2 as const), zeros: fc.integer({ min: 1, max: 4 << 20 }), claim: fc.constantFrom('exact' as const, 'less' as const, 'more' as const) }),
    { arbitrary: fc.record({ k: fc.constant('bitFlip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }), weight: 1 },
    fc.record({ k: fc.constant('setByte' as const), at: fc.nat(), value: fc.nat({ max: 255 }) }),
    { arbitrary: fc.record({ k: fc.constant('truncate' as const), at: fc.nat() }), weight: 1 },
    fc.record({ k: fc.constant('setU32' as const), at: fc.nat(), value: u32 }),
    fc.record({ k: fc.constant('fileHeader' as const), major: fc.constantFrom(0, 1, 1, 1, 2, 0xffff), minor: fc.nat({ max: 0xffff }), flags: fc.nat({ max: 0xffffffff }) }),
  );

export interface FuzzCase {
  seed: number;
  mutations: Mutation[];
}

export const fuzzCaseArb = (seeds: number): fc.Arbitrary<FuzzCase> =>
  fc.record({ seed: fc.nat({ max: seeds - 1 }), mutations: fc.array(mutationArb(seeds), { minLength: 1, maxLength: 4 }) });

/** Packs any value; a value msgpack refuses becomes its JSON text (still hostile, still a body). */
function packAny(v: unknown): Buffer {
  try {
    return packValue(v);
  } catch {
    return Buffer.from(String(v));
  }
}

/** Sets a value at a path of indices into nested maps/arrays (keys by position), creating nothing. */
function patch(root: unknown, path: number[], value: unknown): unknown {
  if (path.length === 0 || typeof root !== 'object' || root === null) return value;
  const [head, ...rest] = path as [number, ...number[]];
  if (Array.isArray(root)) {
    if (root.length === 0) return [value];
    const copy = [...root];
    const i = head % copy.length;
    copy[i] = patch(copy[i], rest, value);
    return copy;
  }
  const entries = Object.entries(root as Record<string, unknown>);
  if (entries.length === 0) return { x: value };
  const i = head % (entries.length + 1);
  if (i === entries.length) return Object.fromEntries([...entries.filter(([k]) => k !== '__proto__'), [String(head), value]]);
  const copy: Record<string, unknown> = {};
  for (const [k, v] of entries) copy[k] = v;
  copy[entries[i]![0]] = patch(entries[i]![1], rest, value);
  return copy;
}

function layoutBody(m: Extract<Mutation, { k: 'layout' }>): Buffer {
  return packAny({
    name: 'dropcap_event',
    version: 1,
    size: m.size,
    fields: m.fields.map((f) => ({
      name: typeof f.name === 'number' ? FIELD_NAMES[f.name] : f.name,
      offset: f.offset,
      size: f.size,
      type: typeof f.type === 'number' ? FIELD_TYPES[f.type] : f.type,
    })),
  });
}

function stacksBody(m: Extract<Mutation, { k: 'stacks' }>): Buffer {
  const parts = m.entries.map((e) => {
    const id = e.id === 0 ? 1 : e.id; // encodeStacks refuses 0: written by hand below
    const buf = encodeStacks([{ id, frames: e.frames, truncated: false }]);
    buf.writeUInt32LE(e.id, 0);
    buf.writeUInt16LE(e.flags, 6);
    if (e.claim !== null) buf.writeUInt16LE(e.claim, 4);
    return buf;
  });
  return Buffer.concat(parts);
}

function bombStored(codec: 1 | 2, zeros: number): Buffer {
  const raw = Buffer.alloc(zeros);
  return codec === 1 ? zlib.deflateRawSync(raw, { level: 9 }) : zlib.brotliCompressSync(raw);
}

function applyToModel(m: CaptureModel, mut: Mutation, seeds: CaptureModel[]): void {
  const bs = m.blocks;
  const at = (i: number): ModelBlock | undefined => (bs.length ? bs[i % bs.length] : undefined);
  const pos = (j: number) => (bs.length ? j % (bs.length + 1) : 0);
  switch (mut.k) {
    case 'dropBlock':
      if (bs.length) bs.splice(mut.i % bs.length, 1);
      return;
    case 'dupBlock': {
      const b = at(mut.i);
      if (b) bs.splice(pos(mut.j), 0, { ...b });
      return;
    }
    case 'swapBlocks':
      if (bs.length) {
        const a = mut.i % bs.length;
        const b = mut.j % bs.length;
        [bs[a], bs[b]] = [bs[b]!, bs[a]!];
      }
      return;
    case 'splice': {
      const other = seeds[mut.seed % seeds.length]!.blocks;
      if (other.length) bs.splice(pos(mut.j), 0, { ...other[mut.i % other.length]! });
      return;
    }
    case 'flipBody': {
      const b = at(mut.i);
      if (!b || b.raw.length === 0) return;
      b.raw = Buffer.from(b.raw);
      for (const [p, bit] of mut.flips) b.raw[p % b.raw.length]! ^= 1 << bit;
      return;
    }
    case 'setBody': {
      const b = at(mut.i);
      if (b) b.raw = Buffer.from(mut.bytes);
      return;
    }
    case 'cutBody': {
      const b = at(mut.i);
      if (b) b.raw = b.raw.subarray(0, mut.at % (b.raw.length + 1));
      return;
    }
    case 'growBody': {
      const b = at(mut.i);
      if (b) b.raw = Buffer.concat([b.raw, Buffer.from(mut.bytes)]);
      return;
    }
    case 'msgpackValue': {
      const b = at(mut.i);
      if (b) b.raw = packAny(mut.value);
      return;
    }
    case 'msgpackPatch': {
      const b = at(mut.i);
      if (!b) return;
      let v: unknown;
      try {
        v = unpackValue(b.raw);
      } catch {
        return;
      }
      b.raw = packAny(patch(v, mut.path, mut.value));
      return;
    }
    case 'newBlock':
      bs.splice(pos(mut.j), 0, { type: mut.type, flags: 0, raw: packAny(mut.value) });
      return;
    case 'layout':
      bs.splice(pos(mut.j), 0, { type: BlockType.RecordLayout, flags: 0, raw: layoutBody(mut) });
      return;
    case 'eventField': {
      const events = bs.filter((b) => b.type === BlockType.Events && b.raw.length >= mut.width);
      const b = events.length ? events[mut.i % events.length]! : undefined;
      if (!b) return;
      b.raw = Buffer.from(b.raw);
      const p = mut.at % (b.raw.length - mut.width + 1);
      const v = BigInt.asUintN(mut.width * 8, mut.value);
      if (mut.width === 8) b.raw.writeBigUInt64LE(v, p);
      else b.raw.writeUIntLE(Number(v), p, mut.width);
      return;
    }
    case 'stacks':
      bs.splice(pos(mut.j), 0, { type: BlockType.Stacks, flags: 0, raw: stacksBody(mut) });
      return;
    case 'codec': {
      const b = at(mut.i);
      if (b) b.flags = mut.codec | (mut.shuffled ? FLAG_SHUFFLED : 0);
      return;
    }
    case 'rawLength': {
      const b = at(mut.i);
      if (b) b.rawLength = mut.value;
      return;
    }
    case 'length': {
      const b = at(mut.i);
      if (b) b.length = mut.value;
      return;
    }
    case 'retype': {
      const b = at(mut.i);
      if (b) b.type = mut.type;
      return;
    }
    case 'badCrc': {
      const b = at(mut.i);
      if (b) b.badCrc = true;
      return;
    }
    case 'bomb': {
      const b = at(mut.i);
      if (!b) return;
      b.flags = (b.flags & FLAG_SHUFFLED) | (mut.codec === 1 ? Codec.Deflate : Codec.Brotli);
      b.stored = bombStored(mut.codec, mut.zeros);
      b.rawLength = mut.claim === 'exact' ? mut.zeros : mut.claim === 'less' ? Math.floor(mut.zeros / 2) : mut.zeros * 2;
      return;
    }
    default:
      return;
  }
}

function applyToBytes(buf: Buffer, mut: Mutation): Buffer {
  switch (mut.k) {
    case 'bitFlip':
      if (buf.length) buf[mut.at % buf.length]! ^= 1 << mut.bit;
      return buf;
    case 'setByte':
      if (buf.length) buf[mut.at % buf.length] = mut.value;
      return buf;
    case 'truncate':
      return buf.subarray(0, mut.at % (buf.length + 1));
    case 'setU32':
      if (buf.length >= 4) buf.writeUInt32LE(mut.value >>> 0, mut.at % (buf.length - 3));
      return buf;
    case 'fileHeader':
      if (buf.length >= 16) {
        buf.writeUInt16LE(mut.major, 8);
        buf.writeUInt16LE(mut.minor, 10);
        buf.writeUInt32LE(mut.flags >>> 0, 12);
      }
      return buf;
    default:
      return buf;
  }
}

const BYTE_LEVEL = new Set<Mutation['k']>(['bitFlip', 'setByte', 'truncate', 'setU32', 'fileHeader']);

/** The file a fuzz case stands for: model mutations in order, serialization, then byte mutations in order. */
export function buildCase(c: FuzzCase, seeds: CaptureModel[]): Buffer {
  const m = cloneModel(seeds[c.seed % seeds.length]!);
  for (const mut of c.mutations) if (!BYTE_LEVEL.has(mut.k)) applyToModel(m, mut, seeds);
  let buf: Buffer = Buffer.from(serializeCapture(m));
  for (const mut of c.mutations) if (BYTE_LEVEL.has(mut.k)) buf = applyToBytes(buf, mut);
  return buf;
}
