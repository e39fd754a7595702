// Recipes that make the kernel drop a known number of TCP packets with a
// known reason, inside a NetnsSandbox, and say exactly which drops to
// expect. Each was verified on 6.18 by counting kfree_skb in the namespace
// (test/kernel/provoke.test.ts does it again on every run).
//
// They are synchronous: each blocks for at most a few hundred milliseconds
// (dropgen and nft run as child processes).
import { numberField, runDropgen, stringField, type DropgenOptions, type DropgenOutput } from './dropgen.js';
import { ProvokeError } from './errors.js';
import type { NetnsSandbox } from './netns.js';
import { tcpFlagsByte, tcpFlagsText, type TcpFlagName } from './tcp-flags.js';

export type Family = 4 | 6;

export type ScenarioName =
  | 'closedPortV4'
  | 'closedPortV6'
  | 'netfilterDrop'
  | 'abortOnData'
  | 'socketFilter'
  | 'tcpFlags'
  | 'invalidSequence'
  | 'oldSequence'
  | 'listenOverflow';

/** Drops of one tuple that a scenario promises. */
export interface ExpectedDrop {
  /** enum skb_drop_reason name without the SKB_DROP_REASON_ prefix */
  reason: string;
  family: Family;
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  /** "SYN", "SYN|FIN", "PSH|ACK" (tcpdrop's notation) */
  flags: string;
  /** byte 13 of the TCP header */
  tcpFlags: number;
  count: number;
  /** function that frees the packet (the tracepoint's location) on 6.18 x86_64; may differ elsewhere */
  site: string;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  expected: ExpectedDrop[];
  /** sum of expected[].count */
  total: number;
  /** what dropgen reported (ports, sequence numbers) */
  details: DropgenOutput;
}

export interface ScenarioOptions extends DropgenOptions {
  family?: Family;
  /** destination port; each scenario has its own default so tuples stay distinct */
  port?: number;
}

const LOOPBACK: Record<Family, string> = { 4: '127.0.0.1', 6: '::1' };

/** The v4/v6 receive function, for sites that differ by family. */
const rcv = (family: Family) => (family === 4 ? 'tcp_v4_rcv' : 'tcp_v6_rcv');

function loopback(sandbox: NetnsSandbox, family: Family): string {
  if (family === 6 && !sandbox.ipv6) {
    throw new ProvokeError('NETNS_NO_IPV6', `IPv6 is not available on lo in ${sandbox.name}: enable IPv6 (net.ipv6.conf.*.disable_ipv6=0)`);
  }
  return LOOPBACK[family];
}

function drop(
  family: Family,
  reason: string,
  site: string,
  sport: number,
  dport: number,
  flags: readonly TcpFlagName[],
  count = 1,
): ExpectedDrop {
  const addr = LOOPBACK[family];
  const byte = tcpFlagsByte(flags);
  return { reason, family, saddr: addr, daddr: addr, sport, dport, flags: tcpFlagsText(byte), tcpFlags: byte, count, site };
}

function result(scenario: ScenarioName, expected: ExpectedDrop[], details: DropgenOutput): ScenarioResult {
  return { scenario, expected, total: expected.reduce((n, e) => n + e.count, 0), details };
}

interface ConnectAttempt {
  sport: number;
  result: string;
}

/** dropgen connect: one non-blocking connect() per attempt, each from its own bound port. */
function connectAttempts(sandbox: NetnsSandbox, args: string[], options: DropgenOptions, want: string): { out: DropgenOutput; attempts: ConnectAttempt[] } {
  const out = runDropgen(sandbox, ['connect', ...args], options);
  const attempts = out['attempts'];
  if (!Array.isArray(attempts)) throw new ProvokeError('BAD_OUTPUT', "dropgen connect printed no 'attempts': rebuild it with 'make -C tools'");
  for (const a of attempts as ConnectAttempt[]) {
    if (a.result !== want) {
      throw new ProvokeError('EXEC_FAILED', `connect from port ${a.sport} ended '${a.result}', expected '${want}': something in ${sandbox.name} is listening or filtering`);
    }
  }
  return { out, attempts: attempts as ConnectAttempt[] };
}

/**
 * SYNs to a closed port. tcp_v4_rcv/tcp_v6_rcv finds no socket and frees the
 * SYN with NO_SOCKET after answering with a RST; the SYN_SENT client consumes
 * that RST (ECONNREFUSED), which is not a drop. One drop per connect().
 */
export function closedPort(sandbox: NetnsSandbox, options: ScenarioOptions & { count?: number } = {}): ScenarioResult {
  const family = options.family ?? 4;
  const port = options.port ?? (family === 4 ? 7001 : 7006);
  const count = options.count ?? 1;
  const addr = loopback(sandbox, family);
  const { out, attempts } = connectAttempts(sandbox, ['--addr', addr, '--dport', String(port), '--count', String(count)], options, 'refused');
  const expected = attempts.map((a) => drop(family, 'NO_SOCKET', rcv(family), a.sport, port, ['SYN']));
  return result(family === 4 ? 'closedPortV4' : 'closedPortV6', expected, out);
}

export const closedPortV4 = (sandbox: NetnsSandbox, options: ScenarioOptions & { count?: number } = {}) =>
  closedPort(sandbox, { ...options, family: 4 });
export const closedPortV6 = (sandbox: NetnsSandbox, options: ScenarioOptions & { count?: number } = {}) =>
  closedPort(sandbox, { ...options, family: 6 });

/**
 * An nftables input rule drops TCP to the port: the SYN is freed in
 * nft_do_chain with NETFILTER_DROP. The kernel would retransmit the SYN after
 * 1 s (initial RTO); dropgen closes the SYN_SENT socket after 50 ms, which
 * sends nothing, so exactly one drop. The table is removed before returning.
 */
export function netfilterDrop(sandbox: NetnsSandbox, options: ScenarioOptions = {}): ScenarioResult {
  const family = options.family ?? 4;
  const port = options.port ?? 7002;
  const addr = loopback(sandbox, family);
  const table = `dropcap_provoke_${port}`;
  sandbox.addNftTable(table, `  chain input {\n    type filter hook input priority 0; policy accept;\n    tcp dport ${port} drop\n  }`);
  try {
    const { out, attempts } = connectAttempts(sandbox, ['--addr', addr, '--dport', String(port), '--timeout-ms', '50'], options, 'timeout');
    return result('netfilterDrop', attempts.map((a) => drop(family, 'NETFILTER_DROP', 'nft_do_chain', a.sport, port, ['SYN'])), out);
  } finally {
    sandbox.deleteNftTable(table);
  }
}

/**
 * The server shuts its socket down (SHUT_RDWR: FIN sent, RCV_SHUTDOWN set);
 * after reading that FIN the client sends one byte. In FIN_WAIT2 with
 * RCV_SHUTDOWN, tcp_rcv_state_process resets the connection and frees the
 * data segment with TCP_ABORT_ON_DATA (RFC 1122: data after close MUST
 * reset). The client consumes the RST (EPIPE in CLOSE_WAIT): one drop.
 */
export function abortOnData(sandbox: NetnsSandbox, options: ScenarioOptions = {}): ScenarioResult {
  const family = options.family ?? 4;
  const port = options.port ?? 7003;
  const addr = loopback(sandbox, family);
  const out = runDropgen(sandbox, ['abort', '--addr', addr, '--dport', String(port)], options);
  if (stringField(out, 'client') !== 'reset') {
    throw new ProvokeError('EXEC_FAILED', `the client was not reset (${stringField(out, 'client')}): TCP_ABORT_ON_DATA did not happen`);
  }
  const site = family === 4 ? 'tcp_v4_do_rcv' : 'tcp_v6_do_rcv';
  return result('abortOnData', [drop(family, 'TCP_ABORT_ON_DATA', site, numberField(out, 'sport'), port, ['PSH', 'ACK'])], out);
}

/**
 * A listener with a classic BPF filter that accepts nothing
 * (SO_ATTACH_FILTER, "ret #0") and one raw SYN to it: tcp_filter() runs on
 * the listener right after the lookup and frees the SYN with SOCKET_FILTER.
 * A raw SYN is never retransmitted (a connect()ed client would add a drop per
 * retry): one drop.
 */
export function socketFilter(sandbox: NetnsSandbox, options: ScenarioOptions & { sport?: number } = {}): ScenarioResult {
  const family = options.family ?? 4;
  const port = options.port ?? 7004;
  const sport = options.sport ?? 45004;
  const addr = loopback(sandbox, family);
  const out = runDropgen(sandbox, ['filter', '--addr', addr, '--dport', String(port), '--sport', String(sport)], options);
  return result('socketFilter', [drop(family, 'SOCKET_FILTER', rcv(family), sport, port, ['SYN'])], out);
}

/**
 * A raw SYN|FIN to a listener: tcp_rcv_state_process in TCP_LISTEN frees a
 * SYN that carries FIN with TCP_FLAGS and answers nothing. One drop.
 */
export function tcpFlags(sandbox: NetnsSandbox, options: ScenarioOptions & { sport?: number } = {}): ScenarioResult {
  const family = options.family ?? 4;
  const port = options.port ?? 7005;
  const sport = options.sport ?? 45005;
  const addr = loopback(sandbox, family);
  const out = runDropgen(sandbox, ['flags', '--addr', addr, '--dport', String(port), '--sport', String(sport)], options);
  return result('tcpFlags', [drop(family, 'TCP_FLAGS', 'tcp_rcv_state_process', sport, port, ['SYN', 'FIN'])], out);
}

/**
 * An established connection whose client ISN dropgen chose (TCP_REPAIR), so
 * the server's rcv_nxt is known, then one raw ACK from the client's tuple
 * outside the receive window. tcp_validate_incoming -> tcp_sequence():
 * seq = rcv_nxt + 2^30 is after the window: TCP_INVALID_SEQUENCE;
 * seq = rcv_nxt - 2^20 ends before rcv_wup: TCP_OLD_SEQUENCE. The server's
 * duplicate ACK is accepted by the client, and dropgen ends the connection
 * with a RST (a graceful close would add a NOT_SPECIFIED drop of the last
 * FIN in TIME_WAIT). One drop.
 */
function outOfWindow(sandbox: NetnsSandbox, mode: 'future' | 'old', options: ScenarioOptions): ScenarioResult {
  const family = options.family ?? 4;
  const port = options.port ?? (mode === 'future' ? 7007 : 7008);
  const addr = loopback(sandbox, family);
  const out = runDropgen(sandbox, ['oow', '--mode', mode, '--addr', addr, '--dport', String(port)], options);
  const reason = mode === 'future' ? 'TCP_INVALID_SEQUENCE' : 'TCP_OLD_SEQUENCE';
  const scenario = mode === 'future' ? 'invalidSequence' : 'oldSequence';
  return result(scenario, [drop(family, reason, 'tcp_validate_incoming', numberField(out, 'sport'), port, ['ACK'])], out);
}

export const invalidSequence = (sandbox: NetnsSandbox, options: ScenarioOptions = {}) => outOfWindow(sandbox, 'future', options);
export const oldSequence = (sandbox: NetnsSandbox, options: ScenarioOptions = {}) => outOfWindow(sandbox, 'old', options);

/**
 * A listener with backlog 1: one client connected (queued), two clients with
 * their final handshake ACK held back (TCP_DEFER_ACCEPT on a client socket
 * delays that ACK until data), so two requests wait in SYN_RECV. The first
 * sends a byte and fills the accept queue; the second's byte reaches
 * tcp_check_req with the queue full and is freed with TCP_LISTEN_OVERFLOW
 * (since 6.15; NOT_SPECIFIED before). listen(0) alone is not enough: SYNs
 * that meet a full queue are consumed, not dropped. dropgen then accepts
 * everything so the byte's retransmission (RTO >= 200 ms) succeeds instead of
 * overflowing again: one drop. Blocks for about 250 ms.
 */
export function listenOverflow(sandbox: NetnsSandbox, options: ScenarioOptions = {}): ScenarioResult {
  const family = options.family ?? 4;
  const port = options.port ?? 7009;
  const addr = loopback(sandbox, family);
  const out = runDropgen(sandbox, ['overflow', '--addr', addr, '--dport', String(port)], options);
  return result('listenOverflow', [drop(family, 'TCP_LISTEN_OVERFLOW', rcv(family), numberField(out, 'sport'), port, ['PSH', 'ACK'])], out);
}

/** Every scenario by name, with its defaults (distinct ports). */
export const SCENARIOS: Readonly<Record<ScenarioName, (sandbox: NetnsSandbox, options?: DropgenOptions) => ScenarioResult>> = {
  closedPortV4: (sb, o) => closedPortV4(sb, { ...o }),
  closedPortV6: (sb, o) => closedPortV6(sb, { ...o }),
  netfilterDrop: (sb, o) => netfilterDrop(sb, { ...o }),
  abortOnData: (sb, o) => abortOnData(sb, { ...o }),
  socketFilter: (sb, o) => socketFilter(sb, { ...o }),
  tcpFlags: (sb, o) => tcpFlags(sb, { ...o }),
  invalidSequence: (sb, o) => invalidSequence(sb, { ...o }),
  oldSequence: (sb, o) => oldSequence(sb, { ...o }),
  listenOverflow: (sb, o) => listenOverflow(sb, { ...o }),
};

/** Runs every scenario once (the IPv6 one only when the sandbox has ::1). */
export function runAllScenarios(sandbox: NetnsSandbox, options: DropgenOptions = {}): ScenarioResult[] {
  return (Object.keys(SCENARIOS) as ScenarioName[])
    .filter((name) => name !== 'closedPortV6' || sandbox.ipv6)
    .map((name) => SCENARIOS[name](sandbox, options));
}
