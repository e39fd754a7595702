// Synthetic capture for engineer Q's analyzer micro benchmark
// (bench/analyzer-perf.mjs). The mix the analyzer targets were set for:
// ~30 reasons, ~10k flows (IPv4, a tenth IPv6), ~500 distinct stacks of
// 12-30 frames, one drop in five with a stack, timestamps over one hour,
// skewed like real drop logs (a few heavy hitters, a long tail). A flow
// mostly drops for one reason (a closed port, a firewall rule) and arrives
// on one interface; the task and CPU are whatever ran in softirq: random.
//   node bench/analyzer-synth.mjs OUT.dcap DROPS
// Deterministic: the same DROPS gives the same file. Needs packages/format/dist.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const HOUR_NS = 3600n * 1_000_000_000n;
const PER_BLOCK = 32768;
const REASONS = 30;
const FLOWS = 10_000;
const STACKS = 500;

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
const skewed = (rnd, n) => Math.min(n - 1, Math.floor(n * rnd() ** 3));

/** [name, value] of this kernel's drop reasons (tracefs), else made-up ones. */
function reasonEnum() {
  const out = [['SKB_NOT_DROPPED_YET', 0], ['SKB_CONSUMED', 1]];
  try {
    const fmt = readFileSync('/sys/kernel/tracing/events/skb/kfree_skb/format', 'utf8');
    for (const m of fmt.matchAll(/\{ (\d+), "(\w+)" \}/g)) if (Number(m[1]) >= 2) out.push([`SKB_DROP_REASON_${m[2]}`, Number(m[1])]);
  } catch { /* no tracefs */ }
  for (let i = out.length; i < REASONS + 2; i++) out.push([`SKB_DROP_REASON_SYNTHETIC_${i}`, i]);
  return out;
}

/** Text function symbols of this host's kallsyms (core kernel only). */
function functions(kallsyms) {
  const out = [];
  for (const line of kallsyms.split('\n')) {
    const parts = line.split(' ');
    if (parts.length !== 3 || (parts[1] !== 't' && parts[1] !== 'T') || parts[2].includes('\t')) continue;
    const addr = BigInt(`0x${parts[0]}`);
    if (addr !== 0n) out.push(addr);
  }
  return out;
}

export async function writeCapture(path, drops) {
  const fmt = await import(pathToFileURL(join(HERE, '../packages/format/dist/index.js')).href);
  const { CaptureWriter, BlockType, Codec, EVENT_LAYOUT_V1, EventFlags, encodeStacks } = fmt;
  const rnd = prng(drops ^ 0x5eed);
  const kallsyms = readFileSync('/proc/kallsyms', 'latin1');
  const fns = functions(kallsyms);
  const fn = (i) => fns[(i * 7919) % fns.length];
  const enumEntries = reasonEnum();
  const reasons = enumEntries.slice(2, 2 + REASONS).map(([, v]) => v);

  // each reason: 1-3 drop sites; stacks spread over reasons, sharing the rx path
  const sites = reasons.map((_, r) => Array.from({ length: 1 + (r % 3) }, (_, s) => fn(100 + r * 3 + s) + BigInt(0x20 + 9 * s)));
  const rxPath = Array.from({ length: 10 }, (_, i) => fn(1000 + i) + BigInt(0x30 + i));
  const stacks = [];
  const stacksOf = reasons.map(() => []);
  for (let id = 1; id <= STACKS; id++) {
    const r = (id - 1) % REASONS;
    const site = sites[r][id % sites[r].length];
    const depth = 12 + (id % 19);
    const frames = [fn(5) + 0x3cn, fn(6) + 0x90n, site];
    for (let d = frames.length; d < depth; d++) frames.push(d - 3 < rxPath.length ? rxPath[d - 3] : fn(2000 + ((id * 31 + d) % 400)) + BigInt(d));
    stacks.push({ id, frames, truncated: false });
    stacksOf[r].push(id);
  }

  const services = [443, 80, 8080, 5432, 6379, 22, 9090, 3306];
  const flows = Array.from({ length: FLOWS }, (_, i) => ({
    v6: i % 10 === 9,
    s: [10, (i >> 16) & 255, (i >> 8) & 255, (i & 255) | 1],
    sport: 32768 + ((i * 7919) % 28000),
    dport: services[i % services.length],
    d: 1 + (i % 4),
    reason: skewed(rnd, REASONS),
  }));
  const comms = ['swapper/0', 'swapper/1', 'nginx', 'envoy', 'postgres', 'redis-server', 'ksoftirqd/0', 'ksoftirqd/1', 'curl'];

  const realNow = 1_763_000_000_000_000_000n;
  const clocks0 = { monotonic_ns: 10_000_000_000n, realtime_ns: realNow - HOUR_NS, boottime_ns: 10_000_000_000n };
  const w = CaptureWriter.toPath(path);
  w.writeMsgpack(BlockType.Header, {
    format: 'dropcap-capture', recorder_version: 'bench-q', hostname: 'bench-q', kernel_release: '6.18.0-bench',
    kernel_version: 'synthetic', machine: 'x86_64', boot_id: '00000000-0000-0000-0000-000000000000',
    cmdline: ['bench/analyzer-synth.mjs', String(drops)], attach: 'tp_btf', attach_detail: { has_reason: true, has_rx_sk: true },
    filters: {}, stack_policy: { mode: 'default', budget_per_cpu_per_sec: 1000 }, start_clocks: clocks0,
    ring_bytes: 16 << 20, nr_cpus: 2,
  });
  w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
  w.writeMsgpack(BlockType.Reasons, { source: 'btf', enums: { skb_drop_reason: enumEntries } });
  w.writeMsgpack(BlockType.Clocks, clocks0);
  w.writeBlock(BlockType.Kallsyms, Buffer.from(kallsyms, 'latin1'), { codec: Codec.Deflate });
  w.writeMsgpack(BlockType.Interfaces, [{ netns: 4026531840, ifindex: 1, name: 'lo' }, { netns: 4026531840, ifindex: 2, name: 'eth0' }]);
  w.writeBlock(BlockType.Stacks, encodeStacks(stacks));

  const size = EVENT_LAYOUT_V1.size;
  const step = Number(HOUR_NS) / drops;
  const seen = new Set();
  let withStack = 0;
  for (let start = 0; start < drops; start += PER_BLOCK) {
    const n = Math.min(PER_BLOCK, drops - start);
    const buf = Buffer.alloc(n * size);
    for (let k = 0; k < n; k++) {
      const i = start + k;
      const o = k * size;
      const flow = flows[skewed(rnd, FLOWS)];
      const r = rnd() < 0.8 ? flow.reason : skewed(rnd, REASONS);
      const siteIdx = Math.floor(rnd() * sites[r].length);
      // a little jitter: ring-buffer order is not strictly time order
      buf.writeBigUInt64LE(clocks0.monotonic_ns + BigInt(Math.floor(i * step + rnd() * 1000)), o);
      buf.writeBigUInt64LE(sites[r][siteIdx], o + 8);
      if (flow.v6) {
        buf.writeUInt16BE(0xfd00, o + 16); buf.writeUInt32BE((flow.s[1] << 16) | (flow.s[2] << 8) | flow.s[3], o + 28);
        buf.writeUInt16BE(0xfd00, o + 32); buf[o + 47] = flow.d;
      } else {
        buf[o + 16] = flow.s[0]; buf[o + 17] = flow.s[1]; buf[o + 18] = flow.s[2]; buf[o + 19] = flow.s[3];
        buf[o + 32] = 10; buf[o + 33] = 0; buf[o + 34] = 0; buf[o + 35] = flow.d;
      }
      const c = skewed(rnd, comms.length);
      buf.writeUInt32LE(c < 2 ? 0 : 1000 + c, o + 48);
      buf.writeUInt32LE(c < 2 ? 0 : 1000 + c * 3, o + 52);
      buf.writeUInt32LE(4026531840, o + 56);
      buf.writeUInt32LE(1 + (flow.d & 1), o + 60);
      buf.writeUInt32LE(reasons[r], o + 64);
      buf.writeUInt32LE((rnd() * 2 ** 32) >>> 0, o + 68);
      buf.writeUInt32LE((rnd() * 2 ** 32) >>> 0, o + 72);
      buf.writeUInt32LE(40 + Math.floor(rnd() * 1400), o + 76);
      let flags = 0;
      const key = r * 4 + siteIdx;
      const first = !seen.has(key);
      if (first) { seen.add(key); flags |= EventFlags.NEW_SITE; }
      if (first || rnd() < 0.2) {
        const ids = stacksOf[r];
        const sid = ids[skewed(rnd, ids.length)];
        buf.writeUInt32LE(sid, o + 84);
        buf[o + 101] = stacks[sid - 1].frames.length;
        flags |= EventFlags.STACK;
        withStack++;
      } else flags |= EventFlags.STACK_BUDGET;
      buf.writeUInt16LE(flow.sport, o + 88);
      buf.writeUInt16LE(flow.dport, o + 90);
      buf.writeUInt16LE(i & 1, o + 92);
      buf.writeUInt16LE(Math.floor(rnd() * 65536), o + 94);
      buf[o + 96] = flow.v6 ? 6 : 4;
      buf[o + 97] = r % 3 === 0 ? 0 : 1 + (r % 12);
      buf[o + 98] = [0x02, 0x10, 0x18, 0x04, 0x12][r % 5];
      buf[o + 99] = buf[o + 97] ? 1 + (r & 1) : 0;
      buf[o + 100] = flags;
      buf.write(comms[c], o + 104, 15, 'latin1');
    }
    w.writeEvents(buf, size);
  }
  const end = { monotonic_ns: clocks0.monotonic_ns + HOUR_NS, realtime_ns: realNow, boottime_ns: clocks0.boottime_ns + HOUR_NS };
  w.writeMsgpack(BlockType.Clocks, end);
  w.writeMsgpack(BlockType.Stats, {
    monotonic_ns: end.monotonic_ns, final: true,
    counters: { seen: drops, ringbuf_lost: 0, stack_budget: drops - withStack, stack_error: 0, filtered: 0, not_tcp: 0, bad_header: 0 },
    per_cpu: {},
    user: { events_written: drops, stacks_written: stacks.length, batches_dropped: 0, events_dropped: 0, bytes_written: w.bytesWritten },
  });
  w.writeMsgpack(BlockType.End, { reason: 'signal', events: drops, duration_ns: HOUR_NS });
  const bytes = w.bytesWritten;
  w.close();
  return bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, n] = process.argv.slice(2);
  if (!out || !n) {
    process.stderr.write('usage: node bench/analyzer-synth.mjs OUT.dcap DROPS\n');
    process.exit(2);
  }
  const t0 = Date.now();
  const bytes = await writeCapture(out, Number(n));
  process.stdout.write(`${out}: ${n} drops, ${bytes} bytes, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
