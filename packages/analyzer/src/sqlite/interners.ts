// Interning of the values drops repeat: addresses, flows, drop sites,
// devices. Each hands out an id on first sight (writing the row) and answers
// from a Map afterwards, keyed by numbers where possible (no string churn).
import { formatAddress } from '../decode/address.js';
import type { CaptureContext } from '../decode/capture-context.js';
import type { RecordFields } from '../decode/record-fields.js';
import type { DbWriter } from './db-writer.js';
import { U16 } from './packing.js';
import { GrowableCounts, TupleMap } from './tuple-map.js';

/**
 * Address texts, shared by all captures of one database. One id per distinct
 * text (two byte patterns that print alike share it), so grouping by id
 * groups exactly as grouping the drops view by saddr/daddr text.
 */
export class AddrInterner {
  readonly #w: DbWriter;
  readonly #v4 = new Map<number, number>();
  readonly #other = new Map<string, number>();
  readonly #byText = new Map<string, number>();

  constructor(w: DbWriter) {
    this.#w = w;
  }

  id(family: number, buf: Buffer, off: number): number {
    if (off < 0) return this.#add('');
    if (family === 4) {
      const key = buf.readUInt32BE(off);
      const id = this.#v4.get(key);
      if (id !== undefined) return id;
      const nid = this.#add(formatAddress(4, buf, off));
      this.#v4.set(key, nid);
      return nid;
    }
    const key = buf.toString('latin1', off, off + 16) + String.fromCharCode(family);
    const id = this.#other.get(key);
    if (id !== undefined) return id;
    const nid = this.#add(formatAddress(family, buf, off));
    this.#other.set(key, nid);
    return nid;
  }

  #add(text: string): number {
    const known = this.#byText.get(text);
    if (known !== undefined) return known;
    const id = this.#w.nextAddrId++;
    this.#w.addr.add(id, text);
    this.#byText.set(text, id);
    return id;
  }
}

/** (saddr, sport, daddr, dport) over all captures, with drop counts. */
export class FlowInterner {
  readonly #ids = new TupleMap(3);
  /** flow id - 1 -> [saddr id, sport, daddr id, dport] */
  readonly #rows: number[] = [];
  readonly counts = new GrowableCounts();

  id(saddrId: number, sport: number, daddrId: number, dport: number): number {
    const ports = sport * U16 + dport;
    let id = this.#ids.get(saddrId, daddrId, ports);
    if (id < 0) {
      id = this.#rows.length / 4 + 1;
      this.#rows.push(saddrId, sport, daddrId, dport);
      this.#ids.set(id, saddrId, daddrId, ports);
    }
    return id;
  }

  /** Writes every flow with its count (once, after the last capture). */
  write(w: DbWriter): void {
    const r = this.#rows;
    for (let i = 0, id = 1; i < r.length; i += 4, id++) w.flow.add(id, r[i], r[i + 1], r[i + 2], r[i + 3], this.counts.get(id));
  }
}

/** Drop sites (tracepoint location) of one capture, symbolized once each. */
export class SiteInterner {
  readonly #w: DbWriter;
  readonly #captureId: number;
  readonly #ctx: CaptureContext;
  readonly #byAddr = new Map<bigint, number>();
  #lastLo = -1;
  #lastHi = -1;
  #lastId = 0;

  constructor(w: DbWriter, captureId: number, ctx: CaptureContext) {
    this.#w = w;
    this.#captureId = captureId;
    this.#ctx = ctx;
  }

  id(f: RecordFields, buf: Buffer, base: number): number {
    const lo = f.locationLo(buf, base);
    const hi = f.locationHi(buf, base);
    if (lo === this.#lastLo && hi === this.#lastHi) return this.#lastId;
    const addr = f.location(buf, base);
    let id = this.#byAddr.get(addr);
    if (id === undefined) {
      id = this.#w.nextSiteId++;
      this.#w.site.add(id, this.#captureId, BigInt.asIntN(64, addr), this.#ctx.formatLocation(addr));
      this.#byAddr.set(addr, id);
    }
    this.#lastLo = lo;
    this.#lastHi = hi;
    this.#lastId = id;
    return id;
  }
}

/** (netns, ifindex, mark) of one capture, with the interface name. */
export class DevInterner {
  readonly #w: DbWriter;
  readonly #captureId: number;
  readonly #ctx: CaptureContext;
  readonly #byKey = new Map<number, number>();
  readonly #byText = new Map<string, number>();

  constructor(w: DbWriter, captureId: number, ctx: CaptureContext) {
    this.#w = w;
    this.#captureId = captureId;
    this.#ctx = ctx;
  }

  id(netns: number, ifindex: number, mark: number): number {
    // the common case (no mark, ifindex < 2^21) keys by one exact number
    if (mark === 0 && ifindex < 2097152) {
      const key = netns * 2097152 + ifindex;
      let id = this.#byKey.get(key);
      if (id === undefined) {
        id = this.#add(netns, ifindex, mark);
        this.#byKey.set(key, id);
      }
      return id;
    }
    const key = `${netns}/${ifindex}/${mark}`;
    let id = this.#byText.get(key);
    if (id === undefined) {
      id = this.#add(netns, ifindex, mark);
      this.#byText.set(key, id);
    }
    return id;
  }

  #add(netns: number, ifindex: number, mark: number): number {
    const id = this.#w.nextDevId++;
    this.#w.dev.add(id, this.#captureId, netns, ifindex, this.#ctx.ifname(netns, ifindex), mark);
    return id;
  }
}
