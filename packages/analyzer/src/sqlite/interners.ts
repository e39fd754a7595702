// Interning of the values drops repeat: addresses, tasks, drop sites,
// devices. Each hands out an id on first sight (writing the row) and answers
// from a Map afterwards, keyed by numbers where possible (no string churn).
import { formatAddress } from '../decode/address.js';
import type { CaptureContext } from '../decode/capture-context.js';
import type { RecordFields } from '../decode/record-fields.js';
import { AnalyzerError } from '../errors.js';
import type { DbWriter } from './db-writer.js';
import { ADDR_ID_LIMIT, SITE_ID_LIMIT } from './packing.js';

/** Address texts, shared by all captures of one database. */
export class AddrInterner {
  readonly #w: DbWriter;
  readonly #v4 = new Map<number, number>();
  readonly #other = new Map<string, number>();

  constructor(w: DbWriter) {
    this.#w = w;
  }

  id(family: number, buf: Buffer, off: number): number {
    if (off < 0) return this.#byText('');
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

  #byText(text: string): number {
    const key = `text:${text}`;
    let id = this.#other.get(key);
    if (id === undefined) {
      id = this.#add(text);
      this.#other.set(key, id);
    }
    return id;
  }

  #add(text: string): number {
    const id = this.#w.nextAddrId++;
    if (id >= ADDR_ID_LIMIT) throw new AnalyzerError('BAD_BLOCK', `more than ${ADDR_ID_LIMIT - 1} distinct addresses; load fewer captures at once`);
    this.#w.addr.run(id, text);
    return id;
  }
}

interface TaskEntry {
  pid: number;
  comm: string;
  id: number;
}

/** (pid, tid, comm) of one capture. */
export class TaskInterner {
  readonly #w: DbWriter;
  readonly #captureId: number;
  readonly #f: RecordFields;
  // tid -> the task last seen with that tid: almost always a hit
  readonly #byTid = new Map<number, TaskEntry>();
  readonly #all = new Map<string, number>();

  constructor(w: DbWriter, captureId: number, fields: RecordFields) {
    this.#w = w;
    this.#captureId = captureId;
    this.#f = fields;
  }

  id(buf: Buffer, base: number): number {
    const f = this.#f;
    const tid = f.tid(buf, base);
    const pid = f.pid(buf, base);
    const rawComm = f.commOff < 0 ? '' : buf.toString('latin1', base + f.commOff, base + f.commOff + f.commSize);
    const e = this.#byTid.get(tid);
    if (e !== undefined && e.pid === pid && e.comm === rawComm) return e.id;
    const key = `${pid}/${tid}/${rawComm}`;
    let id = this.#all.get(key);
    if (id === undefined) {
      id = this.#w.nextTaskId++;
      this.#w.task.run(id, this.#captureId, pid, tid, f.comm(buf, base));
      this.#all.set(key, id);
    }
    this.#byTid.set(tid, { pid, comm: rawComm, id });
    return id;
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
      if (id >= SITE_ID_LIMIT) throw new AnalyzerError('BAD_BLOCK', `more than ${SITE_ID_LIMIT - 1} distinct drop sites; load fewer captures at once`);
      this.#w.site.run(id, this.#captureId, BigInt.asIntN(64, addr), this.#ctx.formatLocation(addr));
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
    this.#w.dev.run(id, this.#captureId, netns, ifindex, this.#ctx.ifname(netns, ifindex), mark);
    return id;
  }
}
