// Losses are counted, never silent: a tiny ring and a slow consumer must
// lose events, and recorded + counted lost must equal the drops provoked.
// A recorder killed with SIGKILL leaves a capture readable to its last block.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCaptures } from '@dropcap/analyzer';
import { BlockType, CaptureReader } from '@dropcap/format';
import { DEFAULT_RECORD_OPTIONS, record } from '@dropcap/recorder';
import { runStorm } from '../../packages/recorder/src/provoke/index.js';
import { RunningRecorder } from '../support/cli.js';
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

  it('tiny ring + slow consumer: recorded + lost = drops provoked', async () => {
    const file = join(dir, 'loss.dcap');
    const controller = new AbortController();
    let attached!: () => void;
    const ready = new Promise<void>((r) => (attached = r));
    const recording = record({
      ...DEFAULT_RECORD_OPTIONS,
      output: file,
      cmdline: ['loss-test'],
      filters: { netns: sandbox().inode },
      stacks: 'none',
      ringBytes: 16 << 10,
      batchBytes: 8 << 10,
      maxQueuedBatches: 1,
      signal: controller.signal,
      onAttached: () => attached(),
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
