// Live printing (`dropcap record --print`) of a capture's blocks: a batch
// holds each CPU's ring in turn, so its drops come out of time order; the
// printer shows them in time order (then CPU), as `analyze list` does.
import { PassThrough } from 'node:stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CaptureReader } from '@dropcap/format';
import { LivePrinter } from '../../packages/recorder/src/live.js';
import { START_MONO, tmpDir, writeSyntheticCapture } from '../support/synthetic-capture.js';

describe('LivePrinter', () => {
  it("prints a batch's drops in time order, then by CPU, whatever order the rings gave them", () => {
    const tmp = tmpDir('dropcap-live-');
    onTestFinished(tmp.cleanup);
    const file = tmp.file('c.dcap');
    // one EVENTS block, as one batch: CPU 1's ring, then CPU 0's
    writeSyntheticCapture(file, {
      events: [
        { ts_ns: START_MONO + 3_000n, cpu: 1, sport: 3003 },
        { ts_ns: START_MONO + 1_000n, cpu: 1, sport: 1001 },
        { ts_ns: START_MONO + 2_000n, cpu: 0, sport: 2000 },
        { ts_ns: START_MONO + 1_000n, cpu: 0, sport: 1000 },
      ],
    });
    const out = new PassThrough();
    const printer = new LivePrinter(out, 'ndjson', false);
    for (const b of CaptureReader.open(file).blocks()) printer.onBlock(b.type, b.body);
    const rows = String(out.read())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sport: number; cpu: number });
    expect(rows.map((r) => r.sport)).toEqual([1000, 1001, 2000, 3003]);
  });
});
