// Losses are counted, never silent: a tiny ring and a slow consumer must
// lose events, and recorded + counted lost must equal the drops provoked.
// A recorder killed with SIGKILL leaves a capture readable to its last block.
// Each CPU has its own ring: a storm on every CPU loses nothing, and each
// CPU's events arrive in time order.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCaptures } from '@dropcap/analyzer';
import { BlockType, CaptureReader, EVENT_LAYOUT_V1, unpackValue } from '@dropcap/format';
import { DEFAULT_RECORD_OPTIONS, record, type RecordOptions } from '@dropcap/recorder';
import { runStorm } from '../../packages/recorder/src/provoke/index.js';
import { RunningRecorder } from '../support/cli.js';
import { packetLoadsExpected } from '../support/kernel.js';
import { requireRoot, useNetnsSandbox } from '../support/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'dropcap-loss-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // a consumer that cannot keep up
  }
}

const statValue = (db: import('better-sqlite3').Database, name: string): number =>
  (db.prepare('SELECT value FROM stats WHERE name = ?').get(name) as { value: number } | undefined)?.value ?? Number.NaN;

describe.skipIf(!requireRoot())('loss accounting', () => {
  const sandbox = useNetnsSandbox('dcloss');

  /** record() of the sandbox's drops into `file` until the controller aborts; `ready` once attached. */
  const recordInSandbox = (file: string, opts: Partial<RecordOptions>) => {
    const controller = new AbortController();
    let attached!: () => void;
    const ready = new Promise<void>((r) => (attached = r));
    const recording = record({
      ...DEFAULT_RECORD_OPTIONS,
      output: file,
      cmdline: ['loss-test'],
      filters: { netns: sandbox().inode },
      ...opts,
      signal: controller.signal,
      onAttached: () => attached(),
    });
    return { controller, ready, recording };
  };

  it('tiny ring + slow consumer: recorded + lost = drops provoked', async () => {
    const file = join(dir, 'loss.dcap');
    const { controller, ready, recording } = recordInSandbox(file, {
      stacks: 'none',
      ringBytes: 16 << 10,
      batchBytes: 8 << 10,
      maxQueuedBatches: 1,
      onBlock: (type) => {
        if (type === BlockType.Events) busyWait(5);
      },
    });
    await ready;
    const storm = await runStorm(sandbox(), { count: 50_000 });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const summary = await recording;

    expect(storm.expectedDrops).toBe(50_000);
    expect(summary.lost).toBeGreaterThan(0);
    expect(summary.events).toBeGreaterThan(0);
    expect(summary.events + summary.lost).toBe(storm.expectedDrops);

    // and the capture says the same on its own
    const a = await loadCaptures([file]);
    const events = (a.db.prepare('SELECT count(*) AS n FROM drops').get() as { n: number }).n;
    expect(events).toBe(summary.events);
    expect(statValue(a.db, 'lost_events')).toBe(summary.lost);
    expect(events + statValue(a.db, 'lost_events')).toBe(storm.expectedDrops);
  });

  it('per-CPU rings: a two-thread storm loses nothing, each CPU in time order', async () => {
    const file = join(dir, 'percpu.dcap');
    const { controller, ready, recording } = recordInSandbox(file, { stacks: 'default', ringBytes: 8 << 20 });
    await ready;
    // 2 x 20k events fit in one CPU's ring even if the reader slept
    const storm = await runStorm(sandbox(), { count: 40_000, threads: 2 });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const summary = await recording;
    expect(summary.lost).toBe(0);
    expect(summary.events).toBe(storm.expectedDrops);

    const reader = CaptureReader.open(file);
    let header: Record<string, unknown> | undefined;
    const lastTs = new Map<number, bigint>();
    let events = 0;
    let outOfOrder = 0;
    const field = (name: string) => EVENT_LAYOUT_V1.fields.find((f) => f.name === name)!.offset;
    const [tsOff, cpuOff, size] = [field('ts_ns'), field('cpu'), EVENT_LAYOUT_V1.size];
    for (const b of reader.blocks()) {
      if (b.type === BlockType.Header) header = unpackValue(b.body) as Record<string, unknown>;
      if (b.type !== BlockType.Events) continue;
      for (let off = 0; off + size <= b.body.length; off += size) {
        const ts = b.body.readBigUInt64LE(off + tsOff);
        const cpu = b.body.readUInt16LE(off + cpuOff);
        if (ts < (lastTs.get(cpu) ?? 0n)) outOfOrder++;
        lastTs.set(cpu, ts);
        events++;
      }
    }
    expect(events).toBe(storm.expectedDrops);
    expect(outOfOrder).toBe(0);
    // on 6.17+ tp_btf reads packets by plain loads, and that variant recorded all of the above
    expect((header!['attach_detail'] as Record<string, unknown>)['packet_reads']).toBe(packetLoadsExpected() ? 'loads' : 'helper');
    // CPUs online now, as the addon counts them: "0-3,8-11"
    const online = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',')
      .map((r) => r.split('-').map(Number)).reduce((n, [a, b]) => n + (b ?? a!) - a! + 1, 0);
    const perCpu = Number(header!['ring_bytes_per_cpu']);
    expect(Number(header!['ring_bytes'])).toBe(8 << 20);
    // the largest power of two not above total / online CPUs, at least a page
    expect(perCpu).toBe(Math.max(4096, 2 ** Math.floor(Math.log2((8 << 20) / online))));
  });

  it('SIGKILL mid-recording: the file reads up to its last complete block', async () => {
    const file = join(dir, 'killed.dcap');
    const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name, '--stacks', 'none']);
    const storm = runStorm(sandbox(), { count: 200_000, rate: 100_000 });
    await new Promise((r) => setTimeout(r, 1000));
    rec.child.kill('SIGKILL');
    const { signal } = await rec.exited;
    await storm;
    expect(signal).toBe('SIGKILL');

    const reader = CaptureReader.open(file);
    const types: number[] = [];
    let events = 0;
    for (const b of reader.blocks()) {
      types.push(b.type);
      if (b.type === BlockType.Events) events += b.body.length / 120;
    }
    expect(types[0]).toBe(BlockType.Header);
    expect(types).not.toContain(BlockType.End);
    expect(events).toBeGreaterThan(0);
    if (reader.damage) {
      expect(reader.damage.cause).toBe('truncated');
      expect(reader.damage.offset + reader.damage.bytesUnread).toBe(statSync(file).size);
    }

    const a = await loadCaptures([file]);
    expect((a.db.prepare('SELECT count(*) AS n FROM drops').get() as { n: number }).n).toBe(events);
    expect(statValue(a.db, 'unclean_stop')).toBe(1);
  });
});
