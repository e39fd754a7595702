// Decodes one record into a DropRow, by the layout found in the capture.
// The SQLite import has its own allocation-free loop (sqlite/event-importer.ts);
// this one serves live output, `list` and tests.
import { EventFlags } from '@dropcap/format';
import { AnalyzerError } from '../errors.js';
import { AddressCache } from './address.js';
import type { CaptureContext } from './capture-context.js';
import { NO_REASON_NAME, skSourceName, type DropRow, type StackStatus } from './drop-row.js';
import { tcpFlagsString, tcpStateName } from './tcp.js';

export function stackStatus(flags: number, stackId: number): StackStatus {
  if (stackId !== 0 || flags & EventFlags.STACK) return 'taken';
  if (flags & EventFlags.STACK_BUDGET) return 'budget';
  if (flags & EventFlags.STACK_ERROR) return 'error';
  return 'none';
}

export class EventDecoder {
  readonly #ctx: CaptureContext;
  readonly #captureId: number;
  readonly #addrs = new AddressCache();

  constructor(ctx: CaptureContext, opts: { captureId?: number } = {}) {
    this.#ctx = ctx;
    this.#captureId = opts.captureId ?? 1;
  }

  /** Records in `records` (an EVENTS body). */
  count(records: Buffer): number {
    const f = this.#ctx.fields;
    return f ? Math.floor(records.length / f.size) : 0;
  }

  decode(records: Buffer, index: number): DropRow {
    const ctx = this.#ctx;
    const f = ctx.fields;
    if (!f) throw new AnalyzerError('NO_LAYOUT', 'events come before any RECORD_LAYOUT block; the capture is damaged');
    const base = index * f.size;
    if (!Number.isInteger(index) || index < 0 || base + f.size > records.length) {
      throw new RangeError(`record ${index} is outside a block of ${Math.floor(records.length / f.size)} records`);
    }
    const mono = f.ts(records, base);
    const timeNs = ctx.clocks.toRealtimeNs(mono);
    const family = f.family(records, base);
    const flags = f.flags(records, base);
    const reasonCode = f.reason(records, base);
    const location = f.location(records, base);
    const stackId = f.stackId(records, base);
    const netns = f.netns(records, base);
    const ifindex = f.ifindex(records, base);
    return {
      capture_id: this.#captureId,
      host: ctx.hostname,
      time_ns: timeNs,
      time: ctx.clocks.toIso(mono),
      cpu: f.cpu(records, base),
      pid: f.pid(records, base),
      tid: f.tid(records, base),
      comm: f.comm(records, base),
      family,
      saddr: f.saddrOff < 0 ? '' : this.#addrs.format(family, records, base + f.saddrOff),
      sport: f.sport(records, base),
      daddr: f.daddrOff < 0 ? '' : this.#addrs.format(family, records, base + f.daddrOff),
      dport: f.dport(records, base),
      state: tcpStateName(f.state(records, base)),
      tcp_flags: tcpFlagsString(f.tcpFlags(records, base)),
      reason: flags & EventFlags.NO_REASON ? NO_REASON_NAME : ctx.reasons.name(reasonCode),
      reason_code: reasonCode,
      subsystem: ctx.reasons.subsystem(reasonCode),
      location: ctx.formatLocation(location),
      location_addr: BigInt.asIntN(64, location),
      netns,
      ifindex,
      ifname: ctx.ifname(netns, ifindex),
      len: f.len(records, base),
      seq: f.seq(records, base),
      ack_seq: f.ackSeq(records, base),
      window: f.window(records, base),
      mark: f.mark(records, base),
      sk_source: skSourceName(f.skSource(records, base)),
      stack_id: stackId === 0 ? null : stackId,
      stack_status: stackStatus(flags, stackId),
      new_site: flags & EventFlags.NEW_SITE ? 1 : 0,
    };
  }
}
