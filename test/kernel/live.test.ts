// Live tracing, tcpdrop-style: `dropcap record --print` prints each drop as
// it happens with the analyzer's own decoder and formatter, so its output is
// exactly what `dropcap analyze list --stacks` prints from the capture.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPortV4, closedPortV6, runAllScenarios } from '../../packages/recorder/src/provoke/index.js';
import { RunningRecorder, runDropcap } from '../support/cli.js';
import { requireRoot, useNetnsSandbox } from '../support/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'dropcap-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// the seed's line: TIME PID IP SADDR:SPORT > DADDR:DPORT STATE (FLAGS) REASON (CODE)
const SEED_LINE = /^\d\d:\d\d:\d\d \d+ +[46]  \S+:\d+ +> \S+:\d+ +[A-Z_0-9]+ \([A-Z|]*\) +[A-Z_0-9]+ \(\d+\)$/;

describe.skipIf(!requireRoot())('live output', () => {
  const sandbox = useNetnsSandbox('dclive');

  it('--print shows every drop as `analyze list --stacks` shows it from the file', async () => {
    const file = join(dir, 'print.dcap');
    const rec = await RunningRecorder.start(['--print', '-w', file, '--netns', sandbox().name, '--stacks', 'all']);
    const results = runAllScenarios(sandbox());
    const { code } = await rec.stop('SIGINT');
    expect(code).toBe(0);

    const lines = rec.stdout.split('\n');
    expect(lines[0]).toBe('TIME     PID     IP SADDR:SPORT          > DADDR:DPORT          STATE (FLAGS)        REASON (CODE)');
    const dropLines = lines.filter((l) => /^\d\d:/.test(l));
    for (const l of dropLines) expect(l).toMatch(SEED_LINE);
    // drop by drop, so that a stray or missing one shows in the diff
    const printed = dropLines.map((l) => {
      const [, , , from, , to, , , reason] = l.split(/ +/);
      return `${from.split(':').pop()}>${to.split(':').pop()} ${reason}`;
    });
    const expected = results.flatMap((r) =>
      r.expected.flatMap((e) => Array<string>(e.count).fill(`${e.sport}>${e.dport} ${e.reason}`)),
    );
    expect(printed.sort()).toEqual(expected.sort());
    // stacks are indented with a tab; the tracing machinery is trimmed
    const frames = lines.filter((l) => l.startsWith('\t'));
    expect(frames.length).toBeGreaterThan(dropLines.length * 5);
    expect(frames.some((f) => /bpf_prog_|bpf_trace_run|sk_skb_reason_drop|kfree_skb/.test(f))).toBe(false);

    const list = runDropcap(['analyze', 'list', file, '--stacks']);
    expect(list.status).toBe(0);
    expect(rec.stdout).toBe(list.stdout);
  });

  it('--format ndjson streams one JSON object per drop', async () => {
    const rec = await RunningRecorder.start(['--format', 'ndjson', '--netns', sandbox().name, '-6']);
    const v4 = closedPortV4(sandbox(), { count: 1 });
    const v6 = closedPortV6(sandbox(), { count: 2 });
    await rec.stop('SIGINT');
    const objects = rec.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // -6 in the kernel: the IPv4 drop never reaches the output
    expect(v4.total).toBe(1);
    expect(objects).toHaveLength(v6.total);
    expect(objects.map((o) => o.sport).sort()).toEqual(v6.expected.map((e) => e.sport).sort());
    for (const o of objects) {
      expect(o).toMatchObject({ family: 6, saddr: '::1', daddr: '::1', reason: 'NO_SOCKET', tcp_flags: 'SYN' });
      expect(Array.isArray(o.stack) && (o.stack as string[]).some((f) => f.startsWith('tcp_v6_rcv+'))).toBe(true);
    }
    expect(rec.stderr).toMatch(/^dropcap: 2 events, 0 lost, .*no file/m);
  });
});
