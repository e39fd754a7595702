// Synthetic captures for the analyzer-only benchmark: N drops spread over an
// hour, written with the format package's CaptureWriter exactly as the
// recorder writes them (HEADER, RECORD_LAYOUT, REASONS, CLOCKS, KALLSYMS,
// STACKS, EVENTS..., STATS, END). The mix is skewed the way real drop logs
// are: a few reasons, flows and stacks carry most drops, with a long tail.
// Addresses come from this host's /proc/kallsyms so that stacks symbolize.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const HOUR_NS = 3600n * 1_000_000_000n;
const EVENTS_PER_BLOCK = 32768;

/** Deterministic PRNG (mulberry32): the same N gives the same capture. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index in [0, n) skewed towards 0 (a handful of heavy hitters, a long tail). */
const skewed = (/** @type {() => number} */ rnd, /** @type {number} */ n) => Math.min(n - 1, Math.floor(n * rnd() ** 3));

// reason name, share of drops, functions from the drop site outwards
const REASON_MIX = [
  ['NO_SOCKET', 0.42, ['tcp_v4_rcv']],
  ['NETFILTER_DROP', 0.18, ['nf_hook_slow', 'ip_local_deliver']],
  ['TCP_INVALID_SEQUENCE', 0.08, ['tcp_validate_incoming', 'tcp_rcv_established', 'tcp_v4_do_rcv', 'tcp_v4_rcv']],
  ['TCP_OLD_DATA', 0.06, ['tcp_data_queue', 'tcp_rcv_established', 'tcp_v4_do_rcv', 'tcp_v4_rcv']],
  ['TCP_LISTEN_OVERFLOW', 0.05, ['tcp_conn_request', 'tcp_rcv_state_process', 'tcp_v4_do_rcv', 'tcp_v4_rcv']],
  ['SOCKET_FILTER', 0.04, ['tcp_filter', 'tcp_v4_rcv']],
  ['TCP_RESET', 0.04, ['tcp_validate_incoming', 'tcp_rcv_state_process', 'tcp_v4_do_rcv', 'tcp_v4_rcv']],
  ['TCP_OLD_SEQUENCE', 0.03, ['tcp_validate_incoming', 'tcp_rcv_established', 'tcp_v4_do_rcv', 'tcp_v4_rcv']],
  ['TCP_FLAGS', 0.02, ['tcp_rcv_state_process', 'tcp_v4_do_rcv', 'tcp_v4_rcv']],
  ['TCP_ABORT_ON_DATA', 0.02, ['tcp_rcv_state_process', 'tcp_v4_do_rcv', 'tcp_v4_rcv']],
  ['SOCKET_RCVBUFF', 0.02, ['tcp_data_queue', 'tcp_rcv_established', 'tcp_v4_do_rcv', 'tcp_v4_rcv']],
  ['TCP_ZEROWINDOW', 0.015, ['tcp_data_queue', 'tcp_rcv_established', 'tcp_v4_do_rcv', 'tcp_v4_rcv']],
  ['TCP_OFOMERGE', 0.01, ['tcp_data_queue_ofo', 'tcp_data_queue', 'tcp_rcv_established', 'tcp_v4_do_rcv', 'tcp_v4_rcv']],
  ['TCP_CSUM', 0.005, ['tcp_v4_rcv']],
  ['NOT_SPECIFIED', 0.01, ['tcp_v4_rcv']],
];
// the receive path below every drop site, innermost first
const RX_PATH = ['ip_protocol_deliver_rcu', 'ip_local_deliver_finish', 'ip_local_deliver', 'ip_rcv', '__netif_receive_skb_one_core',
  'process_backlog', '__napi_poll', 'net_rx_action', 'handle_softirqs'];
const BOTTOMS = [
  ['do_softirq', '__local_bh_enable_ip', '__dev_queue_xmit', 'ip_finish_output2', 'ip_output', '__ip_queue_xmit', '__tcp_transmit_skb',
    'tcp_write_xmit', '__tcp_push_pending_frames', 'tcp_sendmsg_locked', 'tcp_sendmsg', 'sock_sendmsg', '__sys_sendto', '__x64_sys_sendto',
    'do_syscall_64', 'entry_SYSCALL_64_after_hwframe'],
  ['run_ksoftirqd', 'smpboot_thread_fn', 'kthread', 'ret_from_fork', 'ret_from_fork_asm'],
  ['irq_exit_rcu', 'sysvec_apic_timer_interrupt', 'asm_sysvec_apic_timer_interrupt', 'default_idle', 'default_idle_call', 'do_idle',
    'cpu_startup_entry'],
];
const TRACING = ['trace_event_raw_event_kfree_skb', 'sk_skb_reason_drop'];

/** Function start addresses from kallsyms text, for the names we use. */
function addressesOf(/** @type {string} */ kallsyms, /** @type {Set<string>} */ names) {
  /** @type {Map<string, bigint>} */
  const out = new Map();
  for (const line of kallsyms.split('\n')) {
    const sp = line.lastIndexOf(' ');
    const name = line.slice(sp + 1);
    if (!names.has(name) || out.has(name) || line.includes('[')) continue;
    const addr = BigInt(`0x${line.slice(0, line.indexOf(' '))}`);
    if (addr !== 0n) out.set(name, addr);
  }
  return out;
}

/** Drop-reason enum as the recorder stores it, rebuilt from the tracefs format. */
function reasonEnum() {
  /** @type {Array<[string, number]>} */
  const entries = [['SKB_NOT_DROPPED_YET', 0], ['SKB_CONSUMED', 1]];
  try {
    const fmt = readFileSync('/sys/kernel/tracing/events/skb/kfree_skb/format', 'utf8');
    for (const m of fmt.matchAll(/\{ (\d+), "(\w+)" \}/g)) entries.push([`SKB_DROP_REASON_${m[2]}`, Number(m[1])]);
  } catch { /* tracefs not mounted: fall back to the mix's own numbering */ }
  if (entries.length === 2) REASON_MIX.forEach(([name], i) => entries.push([`SKB_DROP_REASON_${name}`, i + 2]));
  return entries;
}

/**
 * Writes a synthetic capture of `drops` events to `path`.
 * @param {string} formatDist path of packages/format/dist/index.js
 * @param {string} path
 * @param {number} drops
 * @returns {Promise<{ bytes: number, stacks: number }>}
 */
export async function writeSyntheticCapture(formatDist, path, drops) {
  const fmt = await import(pathToFileURL(formatDist).href);
  const { CaptureWriter, BlockType, Codec, EVENT_LAYOUT_V1, EventFlags, encodeStacks } = fmt;
  const rnd = prng(drops);
  const kallsyms = readFileSync('/proc/kallsyms', 'latin1');
  const names = new Set([...TRACING, ...RX_PATH, ...BOTTOMS.flat(), ...REASON_MIX.flatMap((r) => r[2])]);
  const addr = addressesOf(kallsyms, names);
  const at = (/** @type {string} */ name, /** @type {number} */ off) => (addr.get(name) ?? 0xffffffff81000000n) + BigInt(off);

  const enumEntries = reasonEnum();
  const reasonValue = new Map(enumEntries.map(([n, v]) => [n.replace(/^SKB_DROP_REASON_/, ''), v]));
  const mix = REASON_MIX.map(([name, share, sites]) => ({ name, share, sites, value: reasonValue.get(name) ?? 2 }));

  // stacks: per reason, a few variants (call-site offsets) times the bottoms
  /** @type {Array<{ id: number, frames: bigint[], truncated: boolean }>} */
  const stacks = [];
  /** @type {number[][]} stack ids per reason index */
  const stacksOfReason = mix.map(() => []);
  mix.forEach((r, ri) => {
    for (let variant = 0; variant < 6; variant++) {
      for (const bottom of BOTTOMS) {
        const frames = [
          at(TRACING[0], 0x3c), at(TRACING[1], 0x90),
          ...r.sites.map((s, i) => at(s, 0x40 + 0x11 * variant + 7 * i)),
          ...RX_PATH.map((s, i) => at(s, 0x20 + 3 * i)),
          ...bottom.map((s, i) => at(s, 0x30 + 5 * i)),
        ];
        const id = stacks.length + 1;
        stacks.push({ id, frames, truncated: false });
        stacksOfReason[ri].push(id);
      }
    }
  });

  // flows: clients in 10.0.0.0/8 against a few services
  const FLOWS = 20000;
  const services = [443, 80, 8080, 5432, 6379, 22];
  const flowOf = (/** @type {number} */ i) => ({
    saddr: [10, (i >> 16) & 255, (i >> 8) & 255, (i & 255) | 1],
    sport: 32768 + ((i * 7919) % 28000),
    dport: services[i % services.length],
  });
  const comms = ['swapper/0', 'nginx', 'envoy', 'postgres', 'redis-server', 'ksoftirqd/1'];
  const cumulative = [];
  let acc = 0;
  for (const r of mix) { acc += r.share; cumulative.push(acc); }

  // an hour that ended now; monotonic time starts 10 s after a notional boot
  const realNow = BigInt(Date.now()) * 1_000_000n;
  const clocks0 = { monotonic_ns: 10_000_000_000n, realtime_ns: realNow - HOUR_NS, boottime_ns: 10_000_000_000n };
  const w = CaptureWriter.toPath(path);
  w.writeMsgpack(BlockType.Header, {
    format: 'dropcap-capture', recorder_version: 'bench-synthetic', hostname: 'bench-synthetic',
    kernel_release: (await import('node:os')).release(), kernel_version: 'synthetic', machine: 'x86_64',
    boot_id: '00000000-0000-0000-0000-000000000000', cmdline: ['bench/analyzer/synth.js', String(drops)],
    attach: 'tp_btf', attach_detail: { has_reason: true, has_rx_sk: true }, filters: {},
    stack_policy: { mode: 'default', budget_per_cpu_per_sec: 1000 }, start_clocks: clocks0,
    ring_bytes: 16 << 20, nr_cpus: 2,
  });
  w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
  w.writeMsgpack(BlockType.Reasons, { source: 'btf', enums: { skb_drop_reason: enumEntries } });
  w.writeMsgpack(BlockType.Clocks, clocks0);
  w.writeBlock(BlockType.Kallsyms, Buffer.from(kallsyms, 'latin1'), { codec: Codec.Deflate });
  w.writeMsgpack(BlockType.Interfaces, [{ netns: 4026531840, ifindex: 1, name: 'lo' }, { netns: 4026531840, ifindex: 2, name: 'eth0' }]);
  w.writeBlock(BlockType.Stacks, encodeStacks(stacks.map((s) => ({ id: s.id, frames: s.frames, truncated: s.truncated }))));

  const size = EVENT_LAYOUT_V1.size;
  const step = HOUR_NS / BigInt(drops);
  const seenSite = new Set();
  let withStack = 0;
  for (let start = 0; start < drops; start += EVENTS_PER_BLOCK) {
    const n = Math.min(EVENTS_PER_BLOCK, drops - start);
    const buf = Buffer.alloc(n * size);
    for (let k = 0; k < n; k++) {
      const i = start + k;
      const o = k * size;
      const u = rnd();
      let ri = cumulative.findIndex((c) => u < c);
      if (ri < 0) ri = 0;
      const r = mix[ri];
      const flow = flowOf(skewed(rnd, FLOWS));
      const variant = Math.floor(rnd() * 6);
      buf.writeBigUInt64LE(clocks0.monotonic_ns + BigInt(i) * step, o);
      buf.writeBigUInt64LE(at(r.sites[0], 0x40 + 0x11 * variant), o + 8);
      buf[o + 16] = flow.saddr[0]; buf[o + 17] = flow.saddr[1]; buf[o + 18] = flow.saddr[2]; buf[o + 19] = flow.saddr[3];
      buf[o + 32] = 10; buf[o + 33] = 0; buf[o + 34] = 0; buf[o + 35] = 1 + (flow.dport % 4);
      const c = skewed(rnd, comms.length);
      buf.writeUInt32LE(c === 0 ? 0 : 1000 + c, o + 48);
      buf.writeUInt32LE(c === 0 ? 0 : 1000 + c, o + 52);
      buf.writeUInt32LE(4026531840, o + 56);
      buf.writeUInt32LE(2, o + 60);
      buf.writeUInt32LE(r.value, o + 64);
      buf.writeUInt32LE((rnd() * 2 ** 32) >>> 0, o + 68);
      buf.writeUInt32LE((rnd() * 2 ** 32) >>> 0, o + 72);
      buf.writeUInt32LE(40 + Math.floor(rnd() * 1400), o + 76);
      // a stack for the first drop of each site, then about one drop in five
      const site = `${ri}:${variant}`;
      let flags = 0;
      const first = !seenSite.has(site);
      if (first) { seenSite.add(site); flags |= EventFlags.NEW_SITE; }
      if (first || rnd() < 0.2) {
        const ids = stacksOfReason[ri];
        const sid = ids[variant * BOTTOMS.length + skewed(rnd, BOTTOMS.length)];
        buf.writeUInt32LE(sid, o + 84);
        buf[o + 101] = stacks[sid - 1].frames.length;
        flags |= EventFlags.STACK;
        withStack += 1;
      } else {
        flags |= EventFlags.STACK_BUDGET;
      }
      buf.writeUInt16LE(flow.sport, o + 88);
      buf.writeUInt16LE(flow.dport, o + 90);
      buf.writeUInt16LE(i & 1, o + 92);
      buf.writeUInt16LE(65535, o + 94);
      buf[o + 96] = 4;
      buf[o + 97] = r.name === 'NO_SOCKET' || r.name === 'NETFILTER_DROP' ? 0 : 1;
      buf[o + 98] = r.name === 'NO_SOCKET' ? 0x02 : 0x10;
      buf[o + 99] = buf[o + 97] ? 2 : 0;
      buf[o + 100] = flags;
      buf.write(comms[c], o + 104, 15, 'latin1');
    }
    w.writeEvents(buf, size);
  }
  const endClocks = { monotonic_ns: clocks0.monotonic_ns + HOUR_NS, realtime_ns: realNow, boottime_ns: clocks0.boottime_ns + HOUR_NS };
  w.writeMsgpack(BlockType.Clocks, endClocks);
  w.writeMsgpack(BlockType.Stats, {
    monotonic_ns: endClocks.monotonic_ns, final: true,
    counters: { seen: drops, ringbuf_lost: 0, stack_budget: drops - withStack, stack_error: 0, filtered: 0, not_tcp: 0, bad_header: 0 },
    per_cpu: {},
    user: { events_written: drops, stacks_written: stacks.length, batches_dropped: 0, events_dropped: 0, bytes_written: w.bytesWritten },
  });
  w.writeMsgpack(BlockType.End, { reason: 'signal', events: drops, duration_ns: HOUR_NS });
  const bytes = w.bytesWritten;
  w.close();
  return { bytes, stacks: stacks.length };
}
