// The benchmark's load: a storm of RSTs (or SYNs) to a closed port over the
// sandbox's loopback, from dropgen's raw sockets with sendmmsg().
//
// Drops per packet, verified by counting kfree_skb in the namespace:
//   RST -> 1 (NO_SOCKET in tcp_v*_rcv; nobody answers a RST)
//   SYN -> 2 (NO_SOCKET for the SYN, then NO_SOCKET again for the RST the
//             kernel sends back to the unbound source port)
// The receive path runs in the sender's softirq, so the storm's system CPU
// time includes the cost of the drop path and of any tracer attached to it.
import { numberField, runDropgenAsync, type DropgenOptions } from './dropgen.js';
import { ProvokeError } from './errors.js';
import type { NetnsSandbox } from './netns.js';
import type { ExpectedDrop, Family } from './scenarios.js';
import { tcpFlagsText } from './tcp-flags.js';

export interface StormOptions extends DropgenOptions {
  /** packets in total */
  count: number;
  /** packets per second in total; 0 (default) = as fast as possible */
  rate?: number;
  threads?: number;
  /** closed destination port (default 9) */
  dport?: number;
  /** source port of every packet (default 45000) */
  sport?: number;
  family?: Family;
  flags?: 'RST' | 'SYN';
  /** packets per sendmmsg() (default 64) */
  batch?: number;
  signal?: AbortSignal;
}

export interface StormResult {
  sent: number;
  elapsedS: number;
  /** packets per second achieved */
  rate: number;
  cpuUserS: number;
  cpuSysS: number;
  /** (user + system CPU of the sender) / sent */
  cpuNsPerPacket: number;
  threads: number;
  flags: 'RST' | 'SYN';
  dropsPerPacket: number;
  /** kernel drops the storm caused: sent * dropsPerPacket */
  expectedDrops: number;
  /** the namespace's Tcp InSegs delta: every segment that reached TCP (an independent count) */
  tcpInSegs: number;
  /** lo rx_dropped delta: backlog overflows (CPU_BACKLOG drops), expected 0 */
  loRxDropped: number;
  /** the drops by tuple: the storm's own packets plus, for SYNs, the RST replies */
  expected: ExpectedDrop[];
}

const STORM_SITE: Record<Family, string> = { 4: 'tcp_v4_rcv', 6: 'tcp_v6_rcv' };

export async function runStorm(sandbox: NetnsSandbox, options: StormOptions): Promise<StormResult> {
  const rate = options.rate ?? 0;
  const threads = options.threads ?? 1;
  const dport = options.dport ?? 9;
  const sport = options.sport ?? 45000;
  const family = options.family ?? 4;
  const flags = options.flags ?? 'RST';
  const batch = options.batch ?? 64;
  for (const [name, v, max] of [['count', options.count, 2 ** 40], ['rate', rate, 2 ** 32], ['threads', threads, 64], ['batch', batch, 1024]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > max || (v === 0 && name !== 'rate')) {
      throw new ProvokeError('BAD_ARGUMENT', `storm ${name} must be an integer in ${name === 'rate' ? 0 : 1}..${max}, got ${v}`);
    }
  }
  if (family === 6 && !sandbox.ipv6) throw new ProvokeError('NETNS_NO_IPV6', `IPv6 is not available on lo in ${sandbox.name}`);

  const args = ['storm', '--count', String(options.count), '--rate', String(rate), '--threads', String(threads), '--batch', String(batch),
    '--dport', String(dport), '--sport', String(sport), '--addr', family === 4 ? '127.0.0.1' : '::1'];
  if (flags === 'SYN') args.push('--syn');
  // unpaced, the slowest case seen is ~50k packets/s (with a heavy tracer attached)
  const expectedS = rate > 0 ? options.count / rate : options.count / 50_000;
  const out = await runDropgenAsync(sandbox, args, {
    ...options,
    timeoutMs: options.timeoutMs ?? Math.ceil(expectedS * 2_000) + 30_000,
  });
  if (out['error'] !== null) throw new ProvokeError('EXEC_FAILED', `storm send failed: ${String(out['error'])}`);

  const sent = numberField(out, 'sent');
  const dropsPerPacket = numberField(out, 'drops_per_packet');
  const addr = family === 4 ? '127.0.0.1' : '::1';
  const tuple = { reason: 'NO_SOCKET', family, saddr: addr, daddr: addr, site: STORM_SITE[family], count: sent };
  const expected: ExpectedDrop[] = [{ ...tuple, sport, dport, flags: flags, tcpFlags: flags === 'RST' ? 0x04 : 0x02 }];
  // the kernel's reply to a SYN is RST|ACK from the closed port back to sport
  if (flags === 'SYN') expected.push({ ...tuple, sport: dport, dport: sport, flags: tcpFlagsText(0x14), tcpFlags: 0x14 });
  return {
    sent,
    elapsedS: numberField(out, 'elapsed_s'),
    rate: numberField(out, 'rate'),
    cpuUserS: numberField(out, 'cpu_user_s'),
    cpuSysS: numberField(out, 'cpu_sys_s'),
    cpuNsPerPacket: numberField(out, 'cpu_ns_per_packet'),
    threads,
    flags,
    dropsPerPacket,
    expectedDrops: numberField(out, 'expected_drops'),
    tcpInSegs: numberField(out, 'tcp_in_segs'),
    loRxDropped: numberField(out, 'lo_rx_dropped'),
    expected,
  };
}
