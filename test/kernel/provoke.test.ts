// The drop provokers keep their promises: every scenario and storm makes
// exactly the drops it announces, counted by an independent witness
// (bpftrace on tracepoint:skb:kfree_skb, filtered on the sandbox's netns),
// and the sandbox leaves nothing behind.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import {
  BpftraceDropWatch,
  NetnsSandbox,
  ProvokeError,
  abortOnData,
  closedPort,
  invalidSequence,
  listenOverflow,
  netfilterDrop,
  oldSequence,
  runAllScenarios,
  runHostSync,
  runStorm,
  socketFilter,
  tcpFlags,
  type DropWatchResult,
  type ExpectedDrop,
  type Family,
  type ScenarioResult,
} from '../../packages/recorder/src/provoke/index.js';
import { requireRoot, useNetnsSandbox } from '../support/netns.js';

const tupleKey = (d: Omit<ExpectedDrop, 'count'>) =>
  `${d.reason} v${d.family} ${d.saddr}:${d.sport} > ${d.daddr}:${d.dport} ${d.flags}(${d.tcpFlags}) @${d.site}`;

/** expected drops as "tuple -> count", the same shape as what the witness saw */
function expectedCounts(expected: ExpectedDrop[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of expected) m.set(tupleKey(e), (m.get(tupleKey(e)) ?? 0) + e.count);
  return m;
}

function observedCounts(seen: DropWatchResult): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of seen.tuples) m.set(tupleKey(e), (m.get(tupleKey(e)) ?? 0) + e.count);
  return m;
}

function byReason(expected: ExpectedDrop[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of expected) m.set(e.reason, (m.get(e.reason) ?? 0) + e.count);
  return m;
}

describe.skipIf(!requireRoot())('drop provokers', () => {
  const sandbox = useNetnsSandbox('dcprov');

  /** runs fn under the witness; settleMs covers retransmit timers that must NOT fire */
  async function witness<T>(fn: () => T | Promise<T>, mode: 'tuples' | 'count' = 'tuples', settleMs = 200): Promise<{ result: T; seen: DropWatchResult }> {
    const watch = await BpftraceDropWatch.start(sandbox().inode, { mode });
    try {
      const result = await fn();
      await sleep(settleMs);
      return { result, seen: await watch.stop() };
    } finally {
      watch.kill();
    }
  }

  test('the sandbox is a fresh namespace with lo up, ::1 and the inode BPF sees', () => {
    const sb = sandbox();
    expect(sb.exists()).toBe(true);
    expect(sb.ipv6).toBe(true);
    expect(sb.exec(['readlink', '/proc/self/ns/net']).stdout.trim()).toBe(`net:[${sb.inode}]`);
    expect(sb.exec(['ip', '-o', 'link', 'show', 'lo']).stdout).toMatch(/state UNKNOWN|LOWER_UP/);
    // the host's namespace is a different one
    expect(runHostSync(['readlink', '/proc/self/ns/net']).stdout.trim()).not.toBe(`net:[${sb.inode}]`);
  });

  type Case = [name: string, settleMs: number, run: (sb: NetnsSandbox, family: Family) => ScenarioResult];
  const cases: Case[] = [
    ['closedPort x3', 200, (sb, family) => closedPort(sb, { family, count: 3 })],
    // 1.3 s: past the 1 s SYN retransmit that closing the socket must prevent
    ['netfilterDrop', 1300, (sb, family) => netfilterDrop(sb, { family })],
    ['abortOnData', 200, (sb, family) => abortOnData(sb, { family })],
    ['socketFilter', 200, (sb, family) => socketFilter(sb, { family })],
    ['tcpFlags', 200, (sb, family) => tcpFlags(sb, { family })],
    ['invalidSequence', 200, (sb, family) => invalidSequence(sb, { family })],
    ['oldSequence', 200, (sb, family) => oldSequence(sb, { family })],
    // 1.3 s: past the listener's 1 s SYN-ACK retransmit, which must find nothing to resend
    ['listenOverflow', 1300, (sb, family) => listenOverflow(sb, { family })],
  ];

  describe.each([4, 6] as const)('IPv%i', (family) => {
    test.each(cases)('%s makes exactly the promised drops', async (_name, settleMs, run) => {
      const { result, seen } = await witness(() => run(sandbox(), family), 'tuples', settleMs);
      expect(result.expected.length).toBeGreaterThan(0);
      expect(result.total).toBe(result.expected.reduce((n, e) => n + e.count, 0));
      for (const e of result.expected) expect(e.family).toBe(family);
      expect(observedCounts(seen)).toEqual(expectedCounts(result.expected));
      expect(seen.tcp).toEqual(byReason(result.expected));
    });
  });

  test('runAllScenarios (the demo) makes the union of every promise, back to back', async () => {
    const { result: results, seen } = await witness(() => runAllScenarios(sandbox()), 'tuples', 1300);
    expect(results.map((r) => r.scenario)).toEqual([
      'closedPortV4', 'closedPortV6', 'netfilterDrop', 'abortOnData', 'socketFilter',
      'tcpFlags', 'invalidSequence', 'oldSequence', 'listenOverflow',
    ]);
    const all = results.flatMap((r) => r.expected);
    expect(observedCounts(seen)).toEqual(expectedCounts(all));
    expect(seen.tcp).toEqual(byReason(all));
  });

  test('netfilterDrop removes its nft table', () => {
    netfilterDrop(sandbox(), { port: 7102 });
    expect(sandbox().listNftTables()).toEqual([]);
  });

  test('an unpaced RST storm makes one NO_SOCKET drop per packet', async () => {
    const { result: storm, seen } = await witness(() => runStorm(sandbox(), { count: 20_000, dport: 9, sport: 46001 }), 'count');
    expect(storm.sent).toBe(20_000);
    expect(storm.dropsPerPacket).toBe(1);
    expect(storm.expectedDrops).toBe(20_000);
    expect(storm.tcpInSegs).toBe(20_000);
    expect(storm.loRxDropped).toBe(0);
    expect(storm.rate).toBeGreaterThan(0);
    expect(storm.cpuNsPerPacket).toBeGreaterThan(0);
    expect(seen.tcp).toEqual(new Map([['NO_SOCKET', 20_000]]));
  });

  test('a two-thread IPv6 RST storm splits the count exactly', async () => {
    const { result: storm, seen } = await witness(
      () => runStorm(sandbox(), { count: 10_001, threads: 2, family: 6, dport: 9, sport: 46002 }),
      'count',
    );
    expect(storm.sent).toBe(10_001);
    expect(seen.tcp).toEqual(new Map([['NO_SOCKET', 10_001]]));
  });

  test('a SYN storm makes two drops per packet: the SYN and the RST sent back', async () => {
    const { result: storm, seen } = await witness(() => runStorm(sandbox(), { count: 5, flags: 'SYN', dport: 9, sport: 46003 }));
    expect(storm.dropsPerPacket).toBe(2);
    expect(storm.expectedDrops).toBe(10);
    expect(storm.tcpInSegs).toBe(10);
    expect(observedCounts(seen)).toEqual(expectedCounts(storm.expected));
  });

  test('a paced storm keeps to its rate', async () => {
    const storm = await runStorm(sandbox(), { count: 10_000, rate: 20_000, dport: 9, sport: 46004 });
    expect(storm.sent).toBe(10_000);
    // 0.5 s at 20k/s: paced, so not much faster; a loaded machine may be slower
    expect(storm.elapsedS).toBeGreaterThan(0.45);
    expect(storm.elapsedS).toBeLessThan(2);
  });

  test('destroy() removes the namespace, its nft tables and its processes; it is idempotent', async () => {
    const sb = NetnsSandbox.create('dcdestroy');
    let exitSignal: string | null = null;
    try {
      sb.addNftTable('dropcap_destroy_check', '  chain input {\n    type filter hook input priority 0; policy accept;\n  }');
      expect(sb.listNftTables()).toEqual(['inet dropcap_destroy_check']);
      const child = sb.spawn(['sleep', '60']);
      const exited = new Promise<void>((resolve) => child.on('exit', (_code, signal) => ((exitSignal = signal), resolve())));
      await sleep(100);
      sb.destroy();
      await exited;
    } finally {
      sb.destroy();
    }
    expect(exitSignal).toBe('SIGKILL');
    expect(sb.exists()).toBe(false);
    expect(runHostSync(['ip', 'netns', 'list']).stdout).not.toContain(sb.name);
    expect(runHostSync(['nft', 'list', 'tables']).stdout).not.toContain('dropcap_destroy_check');
    expect(() => sb.destroy()).not.toThrow();
    expect(() => sb.exec(['true'])).toThrow(ProvokeError);
  });
});
