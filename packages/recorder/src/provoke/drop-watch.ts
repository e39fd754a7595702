// An independent witness of kernel drops in one network namespace, built on
// bpftrace rather than on dropcap's own BPF program, so tests and the
// benchmark can check dropcap (and the provokers) against something else.
//
// The namespace comes from skb->dev (set on receive, e.g. NO_SOCKET), else
// from the tracepoint's rx_sk, else from skb->sk: tcp_v4_rcv clears skb->dev
// once it has found a socket, so TCP-state drops carry only the socket.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ProvokeError } from './errors.js';
import type { ExpectedDrop, Family } from './scenarios.js';
import { tcpFlagsText } from './tcp-flags.js';

/** What the witness saw: the scenario's tuple form plus the raw reason value. */
export interface ObservedDrop extends ExpectedDrop {
  reasonCode: number;
}

export interface DropWatchResult {
  /** TCP drops grouped by tuple, reason and site (mode 'tuples' only) */
  tuples: ObservedDrop[];
  /** TCP drops by reason name */
  tcp: Map<string, number>;
  /** non-TCP drops in the namespace (ICMPv6, ARP...), by reason name */
  other: Map<string, number>;
}

export interface DropWatchOptions {
  /** 'tuples' also counts per tuple (default); 'count' only per reason, the cheapest (storms) */
  mode?: 'tuples' | 'count';
  /** how long bpftrace may take to compile and attach (default 60 s) */
  readyTimeoutMs?: number;
}

// args-> is read once into variables: bpftrace 0.17 can emit a ctx access
// after a helper call that the verifier rejects ("modified ctx ptr")
const NETNS_OF_DROP = `
  $reason = args->reason;
  $loc = args->location;
  $skb = (struct sk_buff *)args->skbaddr;
  $rx = (struct sock *)args->rx_sk;
  $ns = (uint32)0;
  if ($skb->dev != 0) { $ns = $skb->dev->nd_net.net->ns.inum; }
  else if ($rx != 0) { $ns = $rx->__sk_common.skc_net.net->ns.inum; }
  else if ($skb->sk != 0) { $ns = $skb->sk->__sk_common.skc_net.net->ns.inum; }
`;

// $1 is the namespace inode; the IP version is read from the packet itself.
// Everything is aggregated in maps that bpftrace prints when it exits:
// exact counts, where printf through the perf buffer lost lines under load.
function script(mode: 'tuples' | 'count'): string {
  const port = (off: number) => `((uint16)(*(uint8 *)($th + ${off})) << 8 | *(uint8 *)($th + ${off + 1}))`;
  const tuple = (fam: 4 | 6, src: string, dst: string) =>
    mode === 'tuples'
      ? `@ev[$reason, ${fam}, ntop(${src}), ntop(${dst}), ${port(0)}, ${port(2)}, *(uint8 *)($th + 13), ksym($loc)] = count();`
      : '';
  return `
tracepoint:skb:kfree_skb
{${NETNS_OF_DROP}
  if ($ns == $1) {
    $ip = $skb->head + $skb->network_header;
    $th = $skb->head + $skb->transport_header;
    $v = (*(uint8 *)$ip) >> 4;
    $tcp = 0;
    if ($v == 4 && ((struct iphdr *)$ip)->protocol == 6) {
      $tcp = 1;
      ${tuple(4, '2, ((struct iphdr *)$ip)->saddr', '2, ((struct iphdr *)$ip)->daddr')}
    }
    if ($v == 6 && ((struct ipv6hdr *)$ip)->nexthdr == 6) {
      $tcp = 1;
      ${tuple(6, '10, ((struct ipv6hdr *)$ip)->saddr.in6_u.u6_addr8', '10, ((struct ipv6hdr *)$ip)->daddr.in6_u.u6_addr8')}
    }
    if ($tcp) { @tcp[$reason] = count(); } else { @other[$reason] = count(); }
  }
}
BEGIN { printf("READY\\n"); }
`;
}

/** How long stop() waits for bpftrace to start printing before it signals again. */
const RESIGNAL_MS = 5000;

export class BpftraceDropWatch {
  private stdout = '';
  private stderr = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly reasons: Map<number, string>,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on('close', () => resolve()));
  }

  /** Starts bpftrace and resolves once its probes are attached. Needs root. */
  static async start(netnsInode: number, options: DropWatchOptions = {}): Promise<BpftraceDropWatch> {
    const reasons = readDropReasonNames();
    const child = spawn('bpftrace', ['-e', script(options.mode ?? 'tuples'), String(netnsInode)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const watch = new BpftraceDropWatch(child, reasons);
    const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new ProvokeError('TIMEOUT', `bpftrace did not attach within ${readyTimeoutMs} ms: ${lastLine(watch.stderr)}`));
      }, readyTimeoutMs);
      const onData = () => {
        if (watch.stdout.includes('READY\n')) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.on('error', (err) => {
        clearTimeout(timer);
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new ProvokeError(missing ? 'TOOL_MISSING' : 'EXEC_FAILED', missing ? 'bpftrace not found: install it (apt-get install bpftrace)' : `bpftrace: ${err.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        reject(new ProvokeError('EXEC_FAILED', `bpftrace exited (${code}) before attaching: ${lastLine(watch.stderr)}`));
      });
    });
    return watch;
  }

  /**
   * Detaches (SIGINT makes bpftrace print its maps) and returns what it saw.
   * Once (one CI run in several) bpftrace did not exit within 30 s of
   * SIGINT. In case the signal went unheeded, it is repeated every
   * RESIGNAL_MS while bpftrace has printed nothing; never once it has begun
   * printing its maps, which a second SIGINT would cut short.
   */
  async stop(timeoutMs = 30_000): Promise<DropWatchResult> {
    let killed = false;
    const printedBefore = this.stdout.length;
    this.child.kill('SIGINT');
    const again = setInterval(() => {
      if (this.stdout.length === printedBefore) this.child.kill('SIGINT');
    }, RESIGNAL_MS);
    const timer = setTimeout(() => {
      killed = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    await this.exited;
    clearInterval(again);
    clearTimeout(timer);
    if (killed) throw new ProvokeError('TIMEOUT', `bpftrace did not exit within ${timeoutMs} ms of SIGINT: its counts are lost`);
    return this.parse();
  }

  /** Synchronous cleanup for error paths. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private name(code: number): string {
    return this.reasons.get(code) ?? `REASON_${code}`;
  }

  private parse(): DropWatchResult {
    const tuples: ObservedDrop[] = [];
    const tcp = new Map<string, number>();
    const other = new Map<string, number>();
    for (const line of this.stdout.split('\n')) {
      // @ev[3, 6, ::1, ::1, 59883, 7006, 2, tcp_v6_rcv]: 1
      const ev = /^@ev\[(\d+), ([46]), ([^,]+), ([^,]+), (\d+), (\d+), (\d+), ([^\]]+)\]: (\d+)$/.exec(line);
      if (ev) {
        const [, reason, fam, saddr, daddr, sport, dport, flags, site, count] = ev as unknown as string[];
        tuples.push({
          reason: this.name(Number(reason)), reasonCode: Number(reason), family: Number(fam) as Family,
          saddr: saddr!, daddr: daddr!, sport: Number(sport), dport: Number(dport),
          flags: tcpFlagsText(Number(flags)), tcpFlags: Number(flags), site: site!, count: Number(count),
        });
        continue;
      }
      const map = /^@(tcp|other)\[(\d+)\]: (\d+)$/.exec(line);
      if (map) (map[1] === 'tcp' ? tcp : other).set(this.name(Number(map[2])), Number(map[3]));
    }
    return { tuples, tcp, other };
  }
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() && !l.includes('RLIMIT_MEMLOCK'));
  return lines.pop()?.trim() ?? 'no output';
}

/**
 * enum skb_drop_reason names by value, from the tracepoint's format file
 * (its __print_symbolic table), else from the kernel BTF through bpftool.
 */
export function readDropReasonNames(): Map<number, string> {
  const names = new Map<number, string>();
  for (const dir of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']) {
    let format: string;
    try {
      format = readFileSync(`${dir}/events/skb/kfree_skb/format`, 'utf8');
    } catch {
      continue;
    }
    for (const m of format.matchAll(/\{ (\d+), "([A-Z0-9_]+)" \}/g)) names.set(Number(m[1]), m[2]!);
    if (names.size) return names;
  }
  const r = spawnSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const block = r.stdout?.split(/\n(?=\[)/).find((b) => b.includes("ENUM 'skb_drop_reason'")) ?? '';
  for (const m of block.matchAll(/'SKB_DROP_REASON_([A-Z0-9_]+)' val=(\d+)/g)) names.set(Number(m[2]), m[1]!);
  if (!names.size) throw new ProvokeError('TOOL_MISSING', 'cannot read drop reason names: mount tracefs or install bpftool');
  return names;
}
