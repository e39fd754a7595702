// Imports one capture, block by block, into the database: context blocks go
// to the CaptureContext, STACKS into the stack tables, EVENTS through the
// allocation-light loop below (numbers and a reused argument array; no
// per-event objects).
import { BlockType, CaptureReader, EventFlags, decodeStacks, type DecodedBlock } from '@dropcap/format';
import { CaptureContext } from '../decode/capture-context.js';
import type { RecordFields } from '../decode/record-fields.js';
import { DROP_BATCH_ROWS, DROP_COLUMNS, type DbWriter } from './db-writer.js';
import { AddrInterner, DevInterner, SiteInterner, TaskInterner } from './interners.js';
import { ADDR_ID_LIMIT, U16, U32, packBits } from './packing.js';
import { StackInterner, type SymbolInterner } from './stack-interner.js';

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
  readonly #stacks: StackInterner;
  readonly #reasonsSeen = new Set<number>();
  readonly #args: unknown[] = new Array(DROP_BATCH_ROWS * DROP_COLUMNS);
  #fields: RecordFields | null = null;
  #tasks: TaskInterner | null = null;
  #sites: SiteInterner;
  #devs: DevInterner;

  constructor(w: DbWriter, captureId: number, label: string, addrs: AddrInterner, symbols: SymbolInterner) {
    this.#w = w;
    this.#captureId = captureId;
    this.ctx = new CaptureContext(label);
    this.#addrs = addrs;
    this.#stacks = new StackInterner(w, captureId, symbols, () => this.ctx.symbolizer);
    this.#sites = new SiteInterner(w, captureId, this.ctx);
    this.#devs = new DevInterner(w, captureId, this.ctx);
  }

  /** Reads every block; returns the reader so the caller can look at damage and unknown blocks. */
  importFile(reader: CaptureReader, onBlock?: () => void): void {
    for (const block of reader.blocks()) {
      this.accept(block);
      onBlock?.();
    }
  }

  accept(block: DecodedBlock): void {
    switch (block.type) {
      case BlockType.Events:
        return this.#events(block.body);
      case BlockType.Stacks:
        this.counts.stacksBlocks++;
        this.ctx.accept(block);
        try {
          for (const s of decodeStacks(block.body)) this.#stacks.add(s);
        } catch {
          // CaptureContext already recorded the warning
        }
        return;
      case BlockType.Stats:
        this.counts.statsBlocks++;
        return this.ctx.accept(block);
      default:
        return this.ctx.accept(block);
    }
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
      this.#tasks = new TaskInterner(this.#w, this.#captureId, f);
    }
    const tasks = this.#tasks!;
    const size = f.size;
    const n = Math.floor(body.length / size);
    this.counts.partialRecordBytes += body.length - n * size;
    const clocks = this.ctx.clocks;
    const addrs = this.#addrs;
    const sites = this.#sites;
    const devs = this.#devs;
    const leaves = this.#stacks.leaves;
    const reasonsSeen = this.#reasonsSeen;
    const captureId = this.#captureId;
    const args = this.#args;
    const counts = this.counts;
    let firstNs = counts.firstNs;
    let lastNs = counts.lastNs;
    let lastReason = -1;
    let k = 0;
    for (let i = 0, base = 0; i < n; i++, base += size) {
      const o = k * DROP_COLUMNS;
      const timeNs = clocks.toRealtimeNs(f.ts(body, base));
      if (firstNs === null || timeNs < firstNs) firstNs = timeNs;
      if (lastNs === null || timeNs > lastNs) lastNs = timeNs;
      const family = f.family(body, base);
      const flags = f.flags(body, base);
      const reason = f.reason(body, base);
      if (reason !== lastReason) {
        lastReason = reason;
        if (!reasonsSeen.has(reason)) this.#noteReason(reason);
      }
      args[o] = timeNs;
      args[o + 1] = tasks.id(body, base);
      args[o + 2] = addrs.id(family, body, base + f.saddrOff) * ADDR_ID_LIMIT + addrs.id(family, body, base + f.daddrOff);
      args[o + 3] = f.sport(body, base) * U16 + f.dport(body, base);
      args[o + 4] = packBits(captureId, f.tcpFlags(body, base), f.state(body, base), f.skSource(body, base), family, flags, f.cpu(body, base));
      args[o + 5] = sites.id(f, body, base) * U32 + reason;
      args[o + 6] = devs.id(f.netns(body, base), f.ifindex(body, base), f.mark(body, base));
      args[o + 7] = f.len(body, base);
      args[o + 8] = f.seq(body, base) * U16 + f.window(body, base);
      args[o + 9] = f.ackSeq(body, base);
      const sid = f.stackId(body, base);
      let leaf: number | null = null;
      if (sid !== 0) {
        const l = leaves.get(sid);
        if (l === undefined) counts.missingStacks++;
        else leaf = l;
      } else {
        counts.stackless++;
        if (flags & EventFlags.STACK_BUDGET) counts.budget++;
        if (flags & EventFlags.STACK_ERROR) counts.stackError++;
      }
      if (flags & EventFlags.NEW_SITE) counts.newSites++;
      args[o + 10] = leaf;
      if (++k === DROP_BATCH_ROWS) {
        this.#w.dropMany.run(args);
        k = 0;
      }
    }
    for (let r = 0; r < k; r++) this.#w.dropOne.run(args.slice(r * DROP_COLUMNS, (r + 1) * DROP_COLUMNS));
    counts.events += n;
    counts.firstNs = firstNs;
    counts.lastNs = lastNs;
  }

  #noteReason(code: number): void {
    this.#reasonsSeen.add(code);
    const r = this.ctx.reasons;
    this.#w.reason.run(this.#captureId, code, r.name(code), r.subsystem(code));
  }
}
