// End to end against the real kernel: `dropcap record` records a private
// network namespace while the test provokes real drops in it; the capture
// is then analyzed and every provoked drop must be there, exactly.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaptures, type Analysis } from '@dropcap/analyzer';
import { runAllScenarios, closedPortV4, closedPortV6, type ExpectedDrop, type ScenarioResult } from '../../packages/recorder/src/provoke/index.js';
import { RunningRecorder } from '../support/cli.js';
import { requireRoot, useNetnsSandbox } from '../support/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'dropcap-kernel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface DropRowLite {
  reason: string;
  family: number;
  saddr: string;
  sport: number;
  daddr: string;
  dport: number;
  tcp_flags: string;
  state: string;
  stack_id: number | null;
  location: string;
  netns: number;
}

function rowsFor(a: Analysis, e: ExpectedDrop): DropRowLite[] {
  return a.db
    .prepare('SELECT * FROM drops WHERE family = ? AND saddr = ? AND sport = ? AND daddr = ? AND dport = ?')
    .all(e.family, e.saddr, e.sport, e.daddr, e.dport) as DropRowLite[];
}

function frames(a: Analysis, stackId: number): string[] {
  return (a.db.prepare('SELECT function FROM stack_frames WHERE stack_id = ? ORDER BY depth').all(stackId) as Array<{ function: string }>).map((r) => r.function);
}

describe.skipIf(!requireRoot())('dropcap record on the real kernel', () => {
  const sandbox = useNetnsSandbox('dcrec');
  let results: ScenarioResult[] = [];
  let analysis: Analysis;
  let exit: { code: number | null };
  let stderr = '';

  beforeAll(async () => {
    const file = join(dir, 'scenarios.dcap');
    const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name, '--stacks', 'all']);
    results = runAllScenarios(sandbox());
    exit = await rec.stop('SIGINT');
    stderr = rec.stderr;
    analysis = await loadCaptures([file]);
  });

  const expected = (scenario: string): ExpectedDrop[] => {
    const r = results.find((x) => x.scenario === scenario);
    if (!r) throw new Error(`scenario ${scenario} did not run`);
    return r.expected;
  };

  it('stops cleanly on SIGINT with a one-line summary', () => {
    expect(exit.code).toBe(0);
    expect(stderr).toMatch(/^dropcap: \d+ events, 0 lost, 0 without stack, .* via tp_btf$/m);
  });

  it.each([
    ['closedPortV4', 'tcp_v4_rcv'],
    ['closedPortV6', 'tcp_v6_rcv'],
  ])('%s: NO_SOCKET with the exact tuple, SYN flag and a stack through %s', (scenario, site) => {
    for (const e of expected(scenario)) {
      const rows = rowsFor(analysis, e);
      expect(rows).toHaveLength(e.count);
      for (const row of rows) {
        expect(row).toMatchObject({ reason: 'NO_SOCKET', tcp_flags: 'SYN', state: 'NONE' });
        expect(row.location).toMatch(new RegExp(`^${site}\\+0x[0-9a-f]+$`));
        expect(row.stack_id).not.toBeNull();
        const fns = frames(analysis, row.stack_id as number);
        expect(fns).toContain(site);
        // innermost frames are the tracing machinery, the drop site below them
        expect(fns.indexOf(site)).toBeGreaterThan(0);
      }
    }
  });

  it('NETFILTER_DROP from an nftables rule', () => {
    for (const e of expected('netfilterDrop')) {
      const rows = rowsFor(analysis, e);
      expect(rows).toHaveLength(e.count);
      expect(rows.every((r) => r.reason === 'NETFILTER_DROP' && r.tcp_flags === e.flags)).toBe(true);
    }
  });

  it.each(['abortOnData', 'socketFilter', 'tcpFlags', 'invalidSequence', 'oldSequence', 'listenOverflow'])('%s: the TCP-state reason, tuple and flags', (scenario) => {
    for (const e of expected(scenario)) {
      const rows = rowsFor(analysis, e).filter((r) => r.reason === e.reason);
      expect(rows.length, `${scenario}: ${JSON.stringify(e)}`).toBe(e.count);
      for (const r of rows) expect(r.tcp_flags).toBe(e.flags);
    }
  });

  it('records every provoked drop in the namespace and nothing from elsewhere', () => {
    const made = results.reduce((n, r) => n + r.total, 0);
    const { n, netns } = analysis.db.prepare('SELECT count(*) AS n, min(netns) AS netns FROM drops').get() as { n: number; netns: number };
    expect(n).toBe(made);
    expect(netns).toBe(sandbox().inode);
    const lost = analysis.db.prepare("SELECT value FROM stats WHERE name = 'lost_events'").get() as { value: number };
    expect(lost.value).toBe(0);
  });

  it('creates the capture mode 0600 (it holds kernel addresses)', () => {
    expect(statSync(join(dir, 'scenarios.dcap')).mode & 0o777).toBe(0o600);
  });

  it('gives every event its own stack: the frame at its drop location', () => {
    // sites differ across the scenarios, so a stack handed to the wrong event
    // would show another site's frames
    const rows = analysis.db.prepare('SELECT location, stack_id FROM drops').all() as Array<{ location: string; stack_id: number | null }>;
    expect(new Set(rows.map((r) => r.location.split('+')[0])).size).toBeGreaterThanOrEqual(5);
    for (const r of rows) {
      expect(r.stack_id).not.toBeNull();
      const frameText = (analysis.db.prepare('SELECT frame FROM stack_frames WHERE stack_id = ?').all(r.stack_id) as Array<{ frame: string }>).map((f) => f.frame);
      expect(frameText).toContain(r.location);
    }
  });

  it('writes the host context into the capture header', () => {
    const meta = Object.fromEntries((analysis.db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
    expect(meta).toMatchObject({ attach: 'tp_btf' });
    expect(meta.kernel_release).toBeTruthy();
    expect(meta.boot_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe.skipIf(!requireRoot())('filters run in the kernel', () => {
  const sandbox = useNetnsSandbox('dcflt');

  it('-6 keeps IPv6 drops only; --dport keeps one port', async () => {
    const file = join(dir, 'v6.dcap');
    const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name, '-6']);
    const v4 = closedPortV4(sandbox(), { count: 2 });
    const v6 = closedPortV6(sandbox(), { count: 3 });
    await rec.stop();
    const a = await loadCaptures([file]);
    const rows = a.db.prepare('SELECT family, count(*) AS n FROM drops GROUP BY family').all();
    expect(rows).toEqual([{ family: 6, n: v6.total }]);
    expect(v4.total).toBeGreaterThan(0);

    const file2 = join(dir, 'dport.dcap');
    const rec2 = await RunningRecorder.start(['-w', file2, '--netns', sandbox().name, '--dport', '9']);
    closedPortV4(sandbox(), { count: 2, port: 9 });
    closedPortV4(sandbox(), { count: 2, port: 10 });
    await rec2.stop();
    const b = await loadCaptures([file2]);
    expect(b.db.prepare('SELECT DISTINCT dport FROM drops').all()).toEqual([{ dport: 9 }]);
    expect((b.db.prepare('SELECT count(*) AS n FROM drops').get() as { n: number }).n).toBe(2);
  });
});

describe.skipIf(!requireRoot())('every attach method records the same drops', () => {
  const sandbox = useNetnsSandbox('dcatt');

  it.each(['tp_btf', 'raw_tp', 'tracepoint'])('%s', async (method) => {
    const file = join(dir, `attach-${method}.dcap`);
    const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name, '--attach', method]);
    const r = closedPortV4(sandbox(), { count: 2 });
    await rec.stop();
    const a = await loadCaptures([file]);
    expect(r.expected).toHaveLength(2);
    for (const e of r.expected) {
      const rows = rowsFor(a, e);
      expect(rows).toHaveLength(e.count);
      expect(rows[0]).toMatchObject({ reason: 'NO_SOCKET', tcp_flags: 'SYN' });
      expect(frames(a, rows[0]?.stack_id as number)).toContain('tcp_v4_rcv');
    }
    expect((a.db.prepare('SELECT count(*) AS n FROM drops').get() as { n: number }).n).toBe(r.total);
    expect((a.db.prepare("SELECT value FROM meta WHERE key = 'attach'").get() as { value: string }).value).toBe(method);
  });
});
