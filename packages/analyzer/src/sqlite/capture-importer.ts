// Imports one capture, block by block, into the database: context blocks go
// to the CaptureContext, STACKS into the stack tables, EVENTS through the
// passes of #events below. A drop's repeated part is recognized by its raw
// bytes (DropKeys, in WebAssembly): its group (_group: the flow, state and
// device of _who with the site, reason, stack and flags of _what) and its
// task and CPU (_task), each decoded and interned once, here. Only time, ids
// and seq/ack/len/window are written per drop (packing.ts), and the exact
// counts the summary needs are kept on the way (drops per group, _who,
// _what, _flow; _flow_reason, _agg_time), so that it need not scan _drop.
import { BlockType, CaptureReader, EventFlags, decodeStacks, unpackValue, type DecodedBlock } from '@dropcap/format';
import { parseClockPair } from '../decode/clock-map.js';
import { CaptureContext } from '../decode/capture-context.js';
import type { RecordFields } from '../decode/record-fields.js';
import { DROP_COLUMNS, type DbWriter } from './db-writer.js';
import { AddrInterner, DevInterner, FlowInterner, SiteInterner } from './interners.js';
import { TIME_BASE_UNIT } from './packing.js';
import { RelativeClock } from './relative-clock.js';
import { StackInterner, type SymbolInterner } from './stack-interner.js';
import { TimeHistogram } from './time-histogram.js';
import { FlowReasonSet } from './flow-reason-set.js';
import { DropKeys, PASS, WHAT_KEYS, WHO_KEYS } from './drop-keys.js';
import { planesToRecords } from './plane-records.js';
import { TupleMap } from './tuple-map.js';

export interface EventCounts {
  events: number;
  stackless: number;
  budget: number;
  stackError: number;
  missingStacks: number;
  newSites: number;
  eventsWithoutLayout: number;
  partialRecordBytes: number;
  stacksBlocks: number;
  statsBlocks: number;
  firstNs: bigint | null;
  lastNs: bigint | null;
}

// Record fields behind each interned row. Split by how they vary: a flow
// keeps its state and device; a site its reasons and stacks; the task is
// whatever ran on that CPU when the packet was dropped (softirq), unrelated
// to either.
const WHO_FIELDS = ['saddr', 'daddr', 'sport', 'dport', 'family', 'state', 'tcp_flags', 'sk_source', 'netns', 'ifindex', 'mark'];
const WHAT_FIELDS = ['location', 'reason', 'flags', 'stack_id'];
const TASK_FIELDS = ['pid', 'tid', 'comm', 'cpu'];

/** Values kept per _who and _what row until finish() writes them with their counts. */
const WHO_ROW = 10;
const WHAT_ROW = 4;
/** no bigint times in a pass */
const NO_BIG_TIMES: ReadonlyArray<readonly [number, bigint]> = [];
/** Doubles of a _group row (DropKeys.newGroupRows) */
const GROUP_ROW = 5 + (WHO_ROW - 1) + WHAT_ROW;
/** _group_count rows handed on at a time */
const COUNT_ROWS = 16384;

const keyRanges = (f: RecordFields, names: string[]) => names.flatMap((n) => (f.spans.has(n) ? [f.spans.get(n)!] : []));

export class CaptureImporter {
  readonly ctx: CaptureContext;
  readonly counts: EventCounts = {
    events: 0,
    stackless: 0,
    budget: 0,
    stackError: 0,
    missingStacks: 0,
    newSites: 0,
    eventsWithoutLayout: 0,
    partialRecordBytes: 0,
    stacksBlocks: 0,
    statsBlocks: 0,
    firstNs: null,
    lastNs: null,
  };
  readonly #w: DbWriter;
  readonly #captureId: number;
  readonly #addrs: AddrInterner;
  readonly #flows: FlowInterner;
  readonly #stacks: StackInterner;
  readonly #sites: SiteInterner;
  readonly #devs: DevInterner;
  readonly #reasonsSeen = new Set<number>();
  #fields: RecordFields | null = null;
  /** the key maps, groups and pass arrays */
  readonly #keys = new DropKeys();

  // _who rows of this capture, by local index (global id = #firstWho + index)
  readonly #firstWho: number;
  readonly #whoRows: number[] = [];
  readonly #whoFlow: number[] = [];
  // _what rows of this capture, likewise
  readonly #firstWhat: number;
  readonly #whatRows: Array<number | null> = [];
  readonly #whatRk: number[] = [];
  readonly #whatRawStack: number[] = [];
  #whatsWithoutStack = 0;
  // _group rows of this capture: group g of #keys is _group firstGroup + g
  readonly #firstGroup: number;
  #groupTimesKept = true;
  // reason keys: (reason code, no-reason flag) of this capture -> small number
  readonly #reasonKeys = new TupleMap(2);
  readonly #rkRows: number[] = [];
  readonly #flowReasons = new FlowReasonSet();
  readonly #hist = new TimeHistogram();
  readonly #clock: RelativeClock;
  #timeBase: bigint | null = null;
  /** #timeBase as a number for _group rows (exact: a multiple of TIME_BASE_UNIT) */
  #timeBaseNumber = 0;
  // the bigint times of the current pass of #events, by position (#keys.t has NaN there)
  readonly #passBig = new Map<number, bigint>();
  #tMin = Infinity;
  #tMax = -Infinity;
  #bigMin: bigint | null = null;
  #bigMax: bigint | null = null;

  constructor(w: DbWriter, captureId: number, label: string, addrs: AddrInterner, symbols: SymbolInterner, flows: FlowInterner) {
    this.#w = w;
    this.#captureId = captureId;
    this.ctx = new CaptureContext(label);
    this.#addrs = addrs;
    this.#flows = flows;
    this.#stacks = new StackInterner(w, captureId, symbols, () => this.ctx.symbolizer);
    this.#sites = new SiteInterner(w, captureId, this.ctx);
    this.#devs = new DevInterner(w, captureId, this.ctx);
    this.#clock = new RelativeClock(this.ctx.clocks);
    this.#firstWho = w.nextWhoId;
    this.#firstWhat = w.nextWhatId;
    this.#firstGroup = w.nextGroupId;
  }

  /** Reads every block, then writes the capture's interned rows and counts. */
  importFile(reader: CaptureReader, onBlock?: () => void, decoded?: (offset: number) => Buffer | undefined): void {
    // an EVENTS body is done with before the next block is read: one buffer for all
    for (const block of reader.blocks({ reuseBodies: true, planesToRecords: planesToRecords(), ...(decoded ? { decoded } : {}) })) {
      this.accept(block);
      onBlock?.();
    }
    this.finish();
  }

  accept(block: DecodedBlock): void {
    switch (block.type) {
      case BlockType.Events:
        return this.#events(block.body);
      case BlockType.Stacks:
        this.counts.stacksBlocks++;
        this.ctx.accept(block);
        try {
          // only what the context kept (it bounds how many stacks a capture may hold)
          for (const s of decodeStacks(block.body)) if (this.ctx.stacks.has(s.id)) this.#stacks.add(s);
        } catch {
          // CaptureContext already recorded the warning
        }
        // a _what interned while its stack was missing must be looked up again
        if (this.#whatsWithoutStack > 0) {
          this.#keys.clearKeys(WHAT_KEYS);
          this.#keys.forgetGroups();
          this.#whatsWithoutStack = 0;
        }
        return;
      case BlockType.Stats:
        this.counts.statsBlocks++;
        return this.ctx.accept(block);
      case BlockType.Header:
      case BlockType.Clocks:
        return this.#acceptClockBlock(block);
      default:
        return this.ctx.accept(block);
    }
  }

  /** Passes the block on, and tells the RelativeClock about the pair the ClockMap took from it, if any. */
  #acceptClockBlock(block: DecodedBlock): void {
    const clocks = this.ctx.clocks;
    const before = clocks.pairs;
    this.ctx.accept(block);
    const added = this.ctx.clocks === clocks ? clocks.pairs - before : -1;
    if (added === 0) return;
    let pair = null;
    if (added === 1) {
      try {
        const v = unpackValue(block.body) as Record<string, unknown> | null;
        pair = parseClockPair(block.type === BlockType.Header ? v?.start_clocks : v);
      } catch {
        pair = null;
      }
    }
    if (pair) this.#clock.add(pair);
    else this.#clock.abandon();
  }

  #events(body: Buffer): void {
    const f = this.ctx.fields;
    if (!f) {
      // no layout: the size of a record is unknown, count bytes as V1 records for the warning
      this.counts.eventsWithoutLayout += Math.floor(body.length / 120);
      return;
    }
    if (f !== this.#fields) {
      this.#fields = f;
      this.#keys.setLayout(f.size, keyRanges(f, WHO_FIELDS), keyRanges(f, WHAT_FIELDS), keyRanges(f, TASK_FIELDS));
      this.#keys.setRowFields(f.spans.get('seq'), f.spans.get('window'), f.spans.get('ack_seq'), f.spans.get('len'));
    }
    const n = Math.floor(body.length / f.size);
    this.counts.partialRecordBytes += body.length - n * f.size;
    this.#keys.stage(body.subarray(0, n * f.size));
    // Passes over each PASS drops rather than one loop: with millions of
    // groups a drop's group is a cache miss, and the group pass, given many
    // drops at once, overlaps their misses.
    for (let from = 0; from < n; from += PASS) {
      const to = Math.min(n, from + PASS);
      this.#times(f, body, from, to);
      this.#identify(f, body, from, to - from);
      this.#countGroups(to - from);
      // without drop rows, what only a row needs is not even read
      if (this.#w.dropRows) this.#writeDrops(f, body, from, to);
      if (this.#passBig.size > 0) this.#passBig.clear();
    }
    this.counts.events += n;
  }

  /** The time of drops `from` to `to`, into #keys.t. */
  #times(f: RecordFields, body: Buffer, from: number, to: number): void {
    const size = f.size;
    const clock = this.#clock;
    const times = this.#keys.t;
    let tMin = this.#tMin;
    let tMax = this.#tMax;
    for (let i = from, base = from * size, p = 0; i < to; i++, base += size, p++) {
      let t: number | bigint = clock.rel(f.tsLo(body, base), f.tsHi(body, base));
      // NaN: the first drop, or one the fast path cannot convert exactly
      if (t !== t) t = this.#slowTime(f.ts(body, base));
      if (typeof t === 'number') {
        times[p] = t;
        if (t < tMin) tMin = t;
        if (t > tMax) tMax = t;
      } else {
        times[p] = NaN;
        this.#passBig.set(p, t);
      }
    }
    this.#tMin = tMin;
    this.#tMax = tMax;
  }

  /**
   * The _who, _what and (with drop rows) _task of `count` drops from
   * `from`, into #keys' pass arrays. A drop whose key is new stops the
   * lookups; its row is made here and the lookups go on from it.
   */
  #identify(f: RecordFields, body: Buffer, from: number, count: number): void {
    const keys = this.#keys;
    const withTask = this.#w.dropRows;
    keys.beginPass(from, count);
    for (let p = 0; ; ) {
      p = keys.classify(p, count, withTask);
      if (p === count) return;
      const base = (from + p) * f.size;
      const map = keys.missed();
      if (map === WHO_KEYS) keys.setKey(map, this.#newWho(f, body, base));
      else if (map === WHAT_KEYS) keys.setKey(map, this.#newWhat(f, body, base));
      else keys.setKey(map, this.#newTask(f, body, base));
    }
  }

  /**
   * The group of each of the pass's `count` drops (into #keys.group),
   * counted with its time. A group met for the first time gets its _group
   * row now, with the columns the drops view reads from it (made by
   * #keys from its who's and what's); its counts at the end (_group_count).
   */
  #countGroups(count: number): void {
    const keys = this.#keys;
    const w = this.#w;
    const before = keys.groupCount;
    keys.setGroupRowBase(this.#firstGroup, this.#firstWho, this.#firstWhat, this.#captureId, this.#timeBaseNumber);
    keys.countGroups(count);
    const created = keys.groupCount - before;
    if (created > 0) {
      const rows = keys.newGroupRows(created);
      w.group.addNumbers(rows);
      w.nextGroupId += created;
      // every (flow, reason) pair of the capture is the pair of some group
      for (let k = 0; k < created; k++) {
        const row = k * GROUP_ROW;
        this.#flowReasons.add(this.#whoFlow[rows[row + 1]! - this.#firstWho]!, this.#whatRk[rows[row + 2]! - this.#firstWhat]!);
      }
    }
    const hist = this.#hist;
    const times = keys.t;
    const whats = keys.what;
    const whatRk = this.#whatRk;
    for (let p = 0; p < count; p++) {
      // a NaN time (a bigint one) is counted without one
      const t = times[p]!;
      if (t === t) hist.add(t, whatRk[whats[p]!]!);
    }
  }

  /** The _drop row (and _big_len rows) of drops `from` to `to`. */
  #writeDrops(f: RecordFields, body: Buffer, from: number, to: number): void {
    const count = to - from;
    const w = this.#w;
    const rows = this.#keys.dropRows(this.#firstGroup, count);
    for (let p = 0; p < count; p++) if (rows[p * DROP_COLUMNS + 4]! < 0) w.bigLen.add(w.nextDropId + p, f.len(body, (from + p) * f.size));
    w.drops.addPacked(rows, count, this.#passBig.size === 0 ? NO_BIG_TIMES : [...this.#passBig]);
    w.nextDropId += count;
  }

  /** A drop's time the fast path could not give: ns after the time base, a bigint when no double holds it exactly. */
  #slowTime(ts: bigint): number | bigint {
    const real = this.ctx.clocks.toRealtimeNs(ts);
    const timeBase = this.#timeBase ?? this.#setTimeBase(real);
    const rel = real - timeBase;
    const t = Number(rel);
    return t <= Number.MAX_SAFE_INTEGER && t >= -Number.MAX_SAFE_INTEGER ? t : this.#unsafeTime(rel, real);
  }

  /** A multiple of 1000 s at or before the first drop: times stay small and bucket starts exact. */
  #setTimeBase(real: bigint): bigint {
    const q = real / TIME_BASE_UNIT;
    this.#timeBase = (real < 0n && q * TIME_BASE_UNIT !== real ? q - 1n : q) * TIME_BASE_UNIT;
    this.#timeBaseNumber = Number(this.#timeBase);
    this.#clock.setBase(this.#timeBase);
    return this.#timeBase;
  }

  /** A time too far from the others for a double (a damaged record): kept exactly as a bigint. */
  #unsafeTime(rel: bigint, real: bigint): bigint {
    this.#hist.disable();
    this.#groupTimesKept = false;
    if (this.#bigMin === null || real < this.#bigMin) this.#bigMin = real;
    if (this.#bigMax === null || real > this.#bigMax) this.#bigMax = real;
    return BigInt.asIntN(64, rel);
  }

  #newWho(f: RecordFields, body: Buffer, base: number): number {
    const family = f.family(body, base);
    const saddr = this.#addrs.id(family, body, f.saddrOff < 0 ? -1 : base + f.saddrOff);
    const daddr = this.#addrs.id(family, body, f.daddrOff < 0 ? -1 : base + f.daddrOff);
    const sport = f.sport(body, base);
    const dport = f.dport(body, base);
    const flow = this.#flows.id(saddr, sport, daddr, dport);
    const dev = this.#devs.id(f.netns(body, base), f.ifindex(body, base), f.mark(body, base));
    const local = this.#whoFlow.length;
    this.#whoFlow.push(flow);
    this.#whoRows.push(flow, saddr, sport, daddr, dport, family, f.state(body, base), f.tcpFlags(body, base), f.skSource(body, base), dev);
    // the columns its groups' _group rows copy
    this.#keys.setWhoColumns(local, this.#whoRows, local * WHO_ROW + 1);
    this.#w.nextWhoId++;
    return local;
  }

  #newWhat(f: RecordFields, body: Buffer, base: number): number {
    const reason = f.reason(body, base);
    if (!this.#reasonsSeen.has(reason)) this.#noteReason(reason);
    const flags = f.flags(body, base);
    const noReason = flags & EventFlags.NO_REASON ? 1 : 0;
    let rk = this.#reasonKeys.get(reason, noReason);
    if (rk < 0) {
      rk = this.#rkRows.length / 2;
      this.#rkRows.push(reason, noReason);
      this.#reasonKeys.set(rk, reason, noReason);
    }
    const site = this.#sites.id(f, body, base);
    const sid = f.stackId(body, base);
    let leaf: number | null = null;
    if (sid !== 0) {
      const l = this.#stacks.leaves.get(sid);
      if (l === undefined) this.#whatsWithoutStack++;
      else leaf = l;
    }
    const local = this.#whatRk.length;
    this.#whatRk.push(rk);
    this.#whatRawStack.push(sid === 0 ? 0 : leaf === null && !this.#stacks.leaves.has(sid) ? -1 : 1);
    this.#whatRows.push(site, reason, flags, leaf);
    this.#keys.setWhatColumns(local, this.#whatRows, local * WHAT_ROW);
    this.#w.nextWhatId++;
    return local;
  }

  /** A task row per distinct raw (pid, tid, comm, cpu); returns its global id. */
  #newTask(f: RecordFields, body: Buffer, base: number): number {
    const id = this.#w.nextTaskId++;
    this.#w.task.add(id, this.#captureId, f.pid(body, base), f.tid(body, base), f.comm(body, base), f.cpu(body, base));
    return id;
  }

  #noteReason(code: number): void {
    this.#reasonsSeen.add(code);
    const r = this.ctx.reasons;
    this.#w.reason.add(this.#captureId, code, r.name(code), r.subsystem(code));
  }

  /** Writes this capture's _group_count, _who, _what, _flow_reason and _agg_* rows, and the per-drop counters. */
  finish(): void {
    const w = this.#w;
    const id = this.#captureId;
    const c = this.counts;
    const base = this.#timeBase;
    const groups = this.#keys.groupCount;
    const { words, values } = this.#keys.groupRecords();
    const whoCounts = new Float64Array(this.#whoFlow.length);
    const whatCounts = new Float64Array(this.#whatRk.length);
    const times = this.#groupTimesKept && base !== null;
    for (let g = 0; g < groups; g++) {
      const drops = values[g * 4 + 1]!;
      whoCounts[words[g * 8]!]! += drops;
      whatCounts[words[g * 8 + 1]!]! += drops;
    }
    const who = this.#whoRows;
    for (let i = 0, local = 0; i < who.length; i += WHO_ROW, local++) {
      const drops = whoCounts[local]!;
      this.#flows.counts.inc(who[i]!, drops);
      w.who.add(this.#firstWho + local, id, ...who.slice(i, i + WHO_ROW), drops);
    }
    const what = this.#whatRows;
    for (let i = 0, local = 0; i < what.length; i += WHAT_ROW, local++) {
      const drops = whatCounts[local]!;
      const flags = what[i + 2]!;
      const stack = this.#whatRawStack[local]!;
      if (stack === 0) {
        c.stackless += drops;
        if (flags & EventFlags.STACK_BUDGET) c.budget += drops;
        if (flags & EventFlags.STACK_ERROR) c.stackError += drops;
      } else if (stack < 0) {
        c.missingStacks += drops;
      }
      if (flags & EventFlags.NEW_SITE) c.newSites += drops;
      w.what.add(this.#firstWhat + local, id, base ?? 0n, ...what.slice(i, i + WHAT_ROW), drops);
    }
    // _group_count: group_id, drops, first_t, last_t; COUNT_ROWS at a time
    const counts = new Float64Array(4 * COUNT_ROWS);
    for (let g0 = 0; g0 < groups; g0 += COUNT_ROWS) {
      const n = Math.min(COUNT_ROWS, groups - g0);
      for (let k = 0, g = g0; k < n; k++, g++) {
        counts[4 * k] = this.#firstGroup + g;
        counts[4 * k + 1] = values[g * 4 + 1]!;
        counts[4 * k + 2] = times ? values[g * 4 + 2]! : NaN;
        counts[4 * k + 3] = times ? values[g * 4 + 3]! : NaN;
      }
      w.groupCount.addNumbers(counts.subarray(0, 4 * n));
    }
    const rk = this.#rkRows;
    // in key order: appends to the WITHOUT ROWID b-tree instead of random inserts
    const keys = rk.length / 2;
    const byCode = Array.from({ length: keys }, (_, k) => k).sort((a, b) => rk[a * 2]! - rk[b * 2]! || rk[a * 2 + 1]! - rk[b * 2 + 1]!);
    const rank = new Int32Array(keys);
    byCode.forEach((k, r) => (rank[k] = r));
    const flowReasons = this.#flowReasons.sortedPairs(rank);
    for (let i = 0; i < flowReasons.length; i += 2) {
      const key = flowReasons[i + 1]!;
      w.flowReason.add(flowReasons[i]!, id, rk[key * 2], rk[key * 2 + 1]);
    }
    let first: bigint | null = null;
    let last: bigint | null = null;
    if (base !== null && this.#tMin <= this.#tMax) {
      first = base + BigInt(this.#tMin);
      last = base + BigInt(this.#tMax);
    }
    if (this.#bigMin !== null && (first === null || this.#bigMin < first)) first = this.#bigMin;
    if (this.#bigMax !== null && (last === null || this.#bigMax > last)) last = this.#bigMax;
    c.firstNs = first;
    c.lastNs = last;
    const hist = this.#hist;
    if (base !== null && hist.enabled) {
      const g = BigInt(hist.bucketNs);
      for (const [key, bucket, drops] of hist.entries()) w.aggTime.add(id, rk[key * 2], rk[key * 2 + 1], base + BigInt(bucket) * g, drops);
    }
    w.aggCapture.add(id, c.events, first, last, hist.enabled ? hist.bucketNs : null);
  }
}
