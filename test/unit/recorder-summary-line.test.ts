// The line `dropcap record` ends with: its counts must read right and agree
// with what the analyzer finds in the capture.
import { describe, expect, it } from 'vitest';
import { EVENT_LAYOUT_V1 } from '@dropcap/format';
import type { RecordSummary } from '@dropcap/recorder';
import { countStackless } from '../../packages/recorder/src/stackless-count.js';
import { formatSummaryLine } from '../../packages/recorder/src/summary-line.js';

const summary = (events: number, stackless = 0): RecordSummary => ({ attach: 'tp_btf', events, lost: 0, stackless, bytes: 100, durationNs: 2_500_000_000n, stop: 'signal' });

describe('formatSummaryLine', () => {
  it('says "1 event", not "1 events"', () => {
    expect(formatSummaryLine(summary(1), null)).toBe('dropcap: 1 event, 0 lost, 0 without stack, no file, 2.5 s, via tp_btf');
  });

  it.each([0, 2])('says "%i events"', (n) => {
    expect(formatSummaryLine(summary(n, n), 'x.dcap')).toBe(`dropcap: ${n} events, 0 lost, ${n} without stack, 100 B in x.dcap, 2.5 s, via tp_btf`);
  });
});

describe('countStackless', () => {
  const stackIdOffset = EVENT_LAYOUT_V1.fields.find((f) => f.name === 'stack_id')!.offset;
  const events = (stackIds: number[]): Buffer => {
    const buf = Buffer.alloc(stackIds.length * EVENT_LAYOUT_V1.size);
    stackIds.forEach((id, i) => buf.writeUInt32LE(id, i * EVENT_LAYOUT_V1.size + stackIdOffset));
    return buf;
  };

  it('counts the events whose stack_id is 0, as the analyzer does', () => {
    expect(countStackless(events([0, 7, 0, 0xffffffff, 0]), 5)).toBe(3);
  });

  it('reads events that do not start on a 4-byte boundary too', () => {
    const aligned = events([0, 7, 0]);
    const shifted = Buffer.alloc(aligned.length + 1).subarray(1);
    aligned.copy(shifted);
    expect(countStackless(shifted, 3)).toBe(2);
  });

  it('looks at the first `count` events only (a batch cut by --count)', () => {
    expect(countStackless(events([0, 0, 0]), 2)).toBe(2);
    expect(countStackless(events([]), 0)).toBe(0);
  });
});
