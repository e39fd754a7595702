// One decoded drop: exactly the columns of the SQL `drops` view.

export type SkSource = 'none' | 'skb' | 'rx_sk';
export type StackStatus = 'taken' | 'budget' | 'error' | 'none';

export interface DropRow {
  capture_id: number;
  host: string;
  /** wall-clock time, ns since the Unix epoch (from the capture's clock pairs) */
  time_ns: bigint;
  /** ISO 8601 UTC with microseconds */
  time: string;
  cpu: number;
  pid: number;
  tid: number;
  comm: string;
  family: number;
  saddr: string;
  sport: number;
  daddr: string;
  dport: number;
  state: string;
  tcp_flags: string;
  reason: string;
  reason_code: number;
  subsystem: string;
  location: string;
  /** signed 64-bit, as SQLite stores it (kernel addresses are negative); BigInt.asUintN(64, v) for the usual hex */
  location_addr: bigint;
  netns: number;
  ifindex: number;
  ifname: string | null;
  len: number;
  seq: number;
  ack_seq: number;
  window: number;
  mark: number;
  sk_source: SkSource;
  /**
   * null without a stack. EventDecoder gives the capture file's stack id
   * (CaptureContext.stackFrames); in SQL it is the leaf stack_callsite id.
   */
  stack_id: number | null;
  stack_status: StackStatus;
  new_site: 0 | 1;
}

export const DROP_COLUMNS = [
  'capture_id', 'host', 'time_ns', 'time', 'cpu', 'pid', 'tid', 'comm', 'family', 'saddr', 'sport', 'daddr', 'dport',
  'state', 'tcp_flags', 'reason', 'reason_code', 'subsystem', 'location', 'location_addr', 'netns', 'ifindex',
  'ifname', 'len', 'seq', 'ack_seq', 'window', 'mark', 'sk_source', 'stack_id', 'stack_status', 'new_site',
] as const satisfies ReadonlyArray<keyof DropRow>;

const SK_SOURCES: SkSource[] = ['none', 'skb', 'rx_sk'];
export function skSourceName(n: number): SkSource {
  return SK_SOURCES[n] ?? 'none';
}

/** Name shown when the kernel has no reason argument (before 5.17). */
export const NO_REASON_NAME = 'NO_REASON';
