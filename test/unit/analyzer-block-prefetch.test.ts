// The EVENTS blocks the database thread decodes ahead for the import worker
// (block-prefetch.ts): the worker's reader must read exactly what it would
// have decoded itself, take every block handed over, decode itself what was
// not (or what does not fit), and the helper must stay a few blocks ahead.
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { BlockType, CaptureReader } from '@dropcap/format';
import { BlockPrefetcher, PrefetchedBodies, type PrefetchedBlock } from '../../packages/analyzer/src/sqlite/block-prefetch.js';
import { CONSUMED, newSignal } from '../../packages/analyzer/src/sqlite/import-channel.js';
import { START_MONO, tmpDir, writeSyntheticCapture, type EventSpec } from '../support/synthetic-capture.js';

const t = tmpDir('dropcap-prefetch-');
afterAll(() => t.cleanup());

const file = t.file('blocks.dcap');
const events: EventSpec[] = [];
for (let i = 0; i < 6000; i++) events.push({ ts_ns: START_MONO + BigInt(i) * 1000n, sport: 1000 + (i % 77), seq: i * 7919 });
writeSyntheticCapture(file, { events, blockSize: 1000 });

/** Each EVENTS body as the reader decodes it on its own, with its offset. */
function plainEvents(): Array<{ offset: number; body: Buffer }> {
  return [...CaptureReader.open(file).blocks()].filter((b) => b.type === BlockType.Events).map((b) => ({ offset: b.offset, body: Buffer.from(b.body) }));
}

describe('prefetched EVENTS blocks', () => {
  it('are taken by the worker\'s reader for every block, and read exactly as its own decoding', () => {
    const signal = newSignal();
    const { port1, port2 } = new MessageChannel();
    const helper = new BlockPrefetcher([file], port1, signal);
    const bodies = new PrefetchedBodies(port2, signal);
    // the helper runs ahead of a worker that has read nothing: 3 blocks, then waits
    let steps = 0;
    while (helper.step()) steps++;
    expect(steps).toBe(3);
    const hook = bodies.forCapture(0);
    let handedOver = 0;
    const read: Buffer[] = [];
    for (const b of CaptureReader.open(file).blocks({
      reuseBodies: true,
      decoded: (offset) => {
        const body = hook(offset);
        if (body) handedOver++;
        return body;
      },
    })) {
      if (b.type !== BlockType.Events) continue;
      read.push(Buffer.from(b.body));
      // the worker moved on: the helper may decode further
      while (helper.step());
    }
    const plain = plainEvents();
    expect(plain.length).toBe(6);
    // Buffer.equals: toEqual walks 720 KB element by element, seconds on a busy host
    expect(read.map((b, i) => b.equals(plain[i]!.body))).toEqual(plain.map(() => true));
    expect(handedOver).toBe(6);
    expect(Atomics.load(signal, CONSUMED)).toBe(6);
    helper.close();
    bodies.close();
  });

  it('skips the blocks the worker has already read, and stops a few ahead of it', () => {
    const signal = newSignal();
    const { port1, port2 } = new MessageChannel();
    const helper = new BlockPrefetcher([file], port1, signal);
    Atomics.store(signal, CONSUMED, 2);
    while (helper.step());
    const offsets: number[] = [];
    for (let m = receiveMessageOnPort(port2); m; m = receiveMessageOnPort(port2)) offsets.push((m.message as PrefetchedBlock).offset);
    const plain = plainEvents();
    // blocks 0 and 1 were read already; 2, 3 and 4 are the three ahead
    expect(offsets).toEqual(plain.slice(2, 5).map((p) => p.offset));
    helper.close();
    port2.close();
  });

  it('a handed-over body of the wrong size is not used: the reader decodes the block itself', () => {
    const read = [...CaptureReader.open(file).blocks({ decoded: () => Buffer.alloc(5) })].filter((b) => b.type === BlockType.Events).map((b) => Buffer.from(b.body));
    const plain = plainEvents();
    expect(read.map((b, i) => b.equals(plain[i]!.body))).toEqual(plain.map(() => true));
  });
});
