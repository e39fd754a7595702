// CaptureReader (packages/format) on the real captures in fixtures/: block
// order and contents of what the recorder wrote, and the damage report for
// the damaged fixtures, checked against fixtures/*/expected.json.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BlockType, CaptureFormatError, CaptureReader, FORMAT_MAJOR, findField, unpackValue, validateLayout, type DecodedBlock, type RecordLayout } from '@dropcap/format';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const readJson = (rel: string) => JSON.parse(readFileSync(`${FIXTURES}${rel}`, 'utf8'));

const SCEN = readJson('scenarios/expected.json') as { total: number; hostname: string; netns: number; reason_codes: Record<string, number>; drops: Array<{ reason: string; sport: number; dport: number; count: number }> };
const STORM = readJson('storm/expected.json') as { total: number; ring_mib: number };
const DAMAGED = readJson('damaged/expected.json') as {
  source_events: number;
  fixtures: Record<string, { bytes: number; events?: number; damage?: { cause: string; offset: number; bytes_unread: number } | null; unknown_blocks?: number; unknown_block?: { type: number; offset: number } }>;
};

function readAll(path: string) {
  const reader = CaptureReader.open(path);
  const blocks: DecodedBlock[] = [...reader.blocks()];
  let layout: RecordLayout | undefined;
  let events = 0;
  for (const b of blocks) {
    if (b.type === BlockType.RecordLayout) layout = validateLayout(unpackValue(b.body));
    if (b.type === BlockType.Events) events += b.body.length / layout!.size;
  }
  return { reader, blocks, layout, events };
}

const msgpackOf = (blocks: DecodedBlock[], type: BlockType) => blocks.filter((b) => b.type === type).map((b) => unpackValue(b.body) as Record<string, unknown>);

describe('fixtures/scenarios/scenarios.dcap as the recorder wrote it', () => {
  const { reader, blocks, layout, events } = readAll(`${FIXTURES}scenarios/scenarios.dcap`);

  it('is a whole, cleanly stopped capture of the provoked drops', () => {
    expect(reader.damage).toBeNull();
    expect(reader.major).toBe(FORMAT_MAJOR);
    expect(reader.unknownBlocks).toBe(0);
    expect(blocks[0]!.type).toBe(BlockType.Header);
    expect(blocks.at(-1)!.type).toBe(BlockType.End);
    expect(events).toBe(SCEN.total);
    const [end] = msgpackOf(blocks, BlockType.End);
    expect(Number(end!['events'])).toBe(SCEN.total);
  });

  it('puts the context before the first EVENTS block, and stacks before the events that use them', () => {
    const firstEvents = blocks.findIndex((b) => b.type === BlockType.Events);
    const before = new Set(blocks.slice(0, firstEvents).map((b) => b.type));
    for (const t of [BlockType.Header, BlockType.RecordLayout, BlockType.Reasons, BlockType.Kallsyms, BlockType.Clocks]) expect(before.has(t), BlockType[t]).toBe(true);
    expect(blocks.filter((b) => b.type === BlockType.Header)).toHaveLength(1);
  });

  it('records the netns filter and the reason enums of this kernel', () => {
    const [header] = msgpackOf(blocks, BlockType.Header);
    expect(header!['format']).toBe('dropcap-capture');
    expect(header!['hostname']).toBe(SCEN.hostname);
    expect(header!['filters']).toEqual({ netns: SCEN.netns });
    const [reasons] = msgpackOf(blocks, BlockType.Reasons);
    const core = new Map((reasons!['enums'] as Record<string, Array<[string, number]>>)['skb_drop_reason']);
    for (const [name, code] of Object.entries(SCEN.reason_codes)) expect(core.get(`SKB_DROP_REASON_${name}`), name).toBe(code);
  });

  it('holds events whose raw ports and reason codes are the provoked ones', () => {
    const field = (name: string) => findField(layout!, name)!;
    const [sport, dport, reason] = [field('sport'), field('dport'), field('reason')];
    const seen: string[] = [];
    for (const b of blocks.filter((x) => x.type === BlockType.Events)) {
      for (let off = 0; off < b.body.length; off += layout!.size) {
        seen.push(`${b.body.readUInt16LE(off + sport.offset)}>${b.body.readUInt16LE(off + dport.offset)} ${b.body.readUInt32LE(off + reason.offset)}`);
      }
    }
    const wanted = SCEN.drops.flatMap((d) => Array<string>(d.count).fill(`${d.sport}>${d.dport} ${SCEN.reason_codes[d.reason]}`));
    expect(seen.sort()).toEqual(wanted.sort());
  });
});

describe('fixtures/storm/storm.dcap', () => {
  it('counts its losses in-band: events + ringbuf_lost + events_dropped = seen = provoked', () => {
    const { reader, blocks, events } = readAll(`${FIXTURES}storm/storm.dcap`);
    expect(reader.damage).toBeNull();
    const stats = msgpackOf(blocks, BlockType.Stats);
    const last = stats.at(-1)!;
    expect(last['final']).toBe(true);
    const c = last['counters'] as Record<string, number | bigint>;
    const u = last['user'] as Record<string, number | bigint>;
    expect(Number(c['seen'])).toBe(STORM.total);
    expect(events + Number(c['ringbuf_lost']) + Number(u['events_dropped'])).toBe(STORM.total);
    expect(Number(c['ringbuf_lost'])).toBeGreaterThan(0);
    expect(Number(u['events_written'])).toBe(events);
    const [header] = msgpackOf(blocks, BlockType.Header);
    expect(Number(header!['ring_bytes'])).toBe(STORM.ring_mib << 20);
  });
});

describe('fixtures/damaged', () => {
  it.each(['truncated.dcap', 'checksum.dcap'])('%s: the damage report matches how the file was made', (name) => {
    const f = DAMAGED.fixtures[name]!;
    const path = `${FIXTURES}damaged/${name}`;
    expect(statSync(path).size).toBe(f.bytes);
    const { reader, blocks, events } = readAll(path);
    expect(reader.damage).toMatchObject({ cause: f.damage!.cause, offset: f.damage!.offset, bytesUnread: f.damage!.bytes_unread });
    expect(events).toBe(f.events);
    // every block yielded lies before the damaged one
    expect(blocks.every((b) => b.offset < f.damage!.offset)).toBe(true);
    expect(blocks.some((b) => b.type === BlockType.End)).toBe(false);
  });

  it('unknown-block.dcap: the unknown block is yielded, counted, and everything after it read', () => {
    const f = DAMAGED.fixtures['unknown-block.dcap']!;
    const { reader, blocks, events } = readAll(`${FIXTURES}damaged/unknown-block.dcap`);
    expect(reader.damage).toBeNull();
    expect(reader.unknownBlocks).toBe(f.unknown_blocks);
    const unknown = blocks.filter((b) => b.type === f.unknown_block!.type);
    expect(unknown.map((b) => b.offset)).toEqual([f.unknown_block!.offset]);
    expect(events).toBe(DAMAGED.source_events);
    expect(blocks.at(-1)!.type).toBe(BlockType.End);
  });

  it('newer-major.dcap: refused at open with UNSUPPORTED_VERSION naming the version', () => {
    let err: unknown;
    try {
      CaptureReader.open(`${FIXTURES}damaged/newer-major.dcap`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureFormatError);
    expect((err as CaptureFormatError).code).toBe('UNSUPPORTED_VERSION');
    expect((err as Error).message).toContain(`version ${FORMAT_MAJOR + 1}`);
  });
});
