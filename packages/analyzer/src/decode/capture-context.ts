// Everything needed to decode a capture's events, accumulated from its
// context blocks as they stream past (HEADER, RECORD_LAYOUT, REASONS,
// KALLSYMS, INTERFACES, CLOCKS, STACKS, STATS, END). Malformed context blocks
// become warnings: the events stay readable with less context.
import {
  BlockType,
  decodeStacks,
  unpackValue,
  validateLayout,
  type DecodedBlock,
  type RecordLayout,
} from '@dropcap/format';
import { ClockMap, parseClockPair, type ClockPair } from './clock-map.js';
import { RecordFields } from './record-fields.js';
import { ReasonTable } from './reasons.js';
import { Symbolizer } from './symbolizer.js';

/** distinct stacks kept per capture; beyond it events show no stack (missing_stacks) */
export const MAX_STACKS_PER_CAPTURE = 4 << 20;

export interface InterfaceInfo {
  netns: number;
  ifindex: number;
  name: string;
}

export type CaptureHeader = Record<string, unknown>;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0);

/**
 * Largest msgpack body decoded. Real context blocks are a few KiB (REASONS
 * ~10 KiB); a body of a few hundred MiB of tiny msgpack items (a 200 KiB
 * deflate bomb) would otherwise build an array the JS heap cannot hold and
 * abort the process.
 */
const MAX_MSGPACK_BODY = 4 << 20;

function unpackContext(body: Buffer): unknown {
  if (body.length > MAX_MSGPACK_BODY) throw new Error(`${body.length} bytes, above the ${MAX_MSGPACK_BODY}-byte limit for context blocks`);
  return unpackValue(body);
}

export class CaptureContext {
  header: CaptureHeader | null = null;
  layout: RecordLayout | null = null;
  fields: RecordFields | null = null;
  reasons: ReasonTable = ReasonTable.fromEnums({});
  reasonsSource: Record<string, Array<[string, number]>> = {};
  symbolizer: Symbolizer = Symbolizer.empty();
  clocks: ClockMap = new ClockMap();
  /** stack id in the file -> return addresses, innermost first */
  stacks = new Map<number, bigint[]>();
  /** ids of stacks cut at the recorder's maximum depth */
  truncatedStacks = new Set<number>();
  interfaces: InterfaceInfo[] = [];
  /** the last STATS block (cumulative: the last one is authoritative) */
  stats: Record<string, unknown> | null = null;
  /** the END block, null when the recorder did not stop cleanly */
  end: Record<string, unknown> | null = null;
  /** monotonic time of the latest CLOCKS or STATS block */
  lastMonotonicNs: bigint | null = null;
  readonly warnings: string[] = [];
  readonly #label: string;
  #locationText = new Map<bigint, string>();
  #ifnames = new Map<string, string>();
  #clocksIgnored = false;

  constructor(label = 'capture') {
    this.#label = label;
  }

  get hostname(): string {
    return typeof this.header?.hostname === 'string' ? this.header.hostname : '';
  }

  /** Takes one block; EVENTS and unknown types are left to the caller. */
  accept(block: DecodedBlock): void {
    try {
      switch (block.type) {
        case BlockType.Header:
          return this.#acceptHeader(unpackContext(block.body));
        case BlockType.RecordLayout:
          this.layout = validateLayout(unpackContext(block.body));
          this.fields = new RecordFields(this.layout);
          if (this.fields.missing.length) {
            this.#warn(`record layout lacks ${this.fields.missing.join(', ')}; those columns read as empty`);
          }
          return;
        case BlockType.Reasons:
          return this.#acceptReasons(unpackContext(block.body));
        case BlockType.Kallsyms:
          this.symbolizer = Symbolizer.fromKallsyms(block.body.toString('latin1'));
          this.#locationText.clear();
          if (this.symbolizer.skipped) this.#warn(`KALLSYMS block at byte ${block.offset}: ${this.symbolizer.skipped} symbols ignored (names too long or too many symbols)`);
          return;
        case BlockType.Interfaces:
          return this.#acceptInterfaces(unpackContext(block.body));
        case BlockType.Clocks:
          return this.#acceptClocks(unpackContext(block.body));
        case BlockType.Stacks:
          for (const s of decodeStacks(block.body)) {
            // bounded memory: a real capture holds thousands of distinct stacks
            if (this.stacks.size >= MAX_STACKS_PER_CAPTURE && !this.stacks.has(s.id)) {
              this.#warn(`STACKS block at byte ${block.offset}: more than ${MAX_STACKS_PER_CAPTURE} stacks; later ones are ignored`);
              return;
            }
            this.stacks.set(s.id, s.frames);
            if (s.truncated) this.truncatedStacks.add(s.id);
          }
          return;
        case BlockType.Stats: {
          const v = unpackContext(block.body);
          if (isMap(v)) {
            this.stats = v;
            this.#noteMonotonic(v.monotonic_ns);
          }
          return;
        }
        case BlockType.End: {
          const v = unpackContext(block.body);
          this.end = isMap(v) ? v : {};
          return;
        }
        default:
          return;
      }
    } catch (err) {
      this.#warn(`${BlockType[block.type] ?? `type ${block.type}`} block at byte ${block.offset} is malformed (${(err as Error).message}); ignored`);
    }
  }

  /** Drop-site text, memoized: storms repeat a few sites millions of times. */
  formatLocation(addr: bigint): string {
    let s = this.#locationText.get(addr);
    if (s === undefined) {
      s = this.symbolizer.format(addr);
      this.#locationText.set(addr, s);
    }
    return s;
  }

  /** Symbolized frames of a stack by its id in the file, innermost first; null when unknown. */
  stackFrames(stackId: number): string[] | null {
    const frames = this.stacks.get(stackId);
    return frames ? frames.map((a) => this.symbolizer.format(a)) : null;
  }

  ifname(netns: number, ifindex: number): string | null {
    // netns 0 in an INTERFACES entry means the recorder did not know it
    return this.#ifnames.get(`${netns}:${ifindex}`) ?? this.#ifnames.get(`0:${ifindex}`) ?? null;
  }

  #warn(msg: string): void {
    // messages quote the file's own text: escape controls so each warning stays one line
    this.warnings.push(`${this.#label}: ${msg.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`);
  }

  #noteMonotonic(v: unknown): void {
    const m = typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(Math.trunc(v)) : null;
    if (m !== null && (this.lastMonotonicNs === null || m > this.lastMonotonicNs)) this.lastMonotonicNs = m;
  }

  #acceptHeader(v: unknown): void {
    if (!isMap(v)) throw new Error('not a map');
    if (this.header) this.#warn('second HEADER block ignored');
    else this.header = v;
    const start = parseClockPair(v.start_clocks);
    if (start) this.#addClock(start);
  }

  #acceptReasons(v: unknown): void {
    if (!isMap(v) || !isMap(v.enums)) throw new Error('no enums map');
    const enums: Record<string, Array<[string, number]>> = {};
    for (const [name, list] of Object.entries(v.enums)) {
      if (!Array.isArray(list)) continue;
      enums[name] = list
        .filter((p): p is [string, unknown] => Array.isArray(p) && typeof p[0] === 'string')
        .map(([n, value]) => [n, num(value)]);
    }
    this.reasonsSource = enums;
    this.reasons = ReasonTable.fromEnums(enums);
  }

  #acceptInterfaces(v: unknown): void {
    if (!Array.isArray(v)) throw new Error('not a list');
    for (const e of v) {
      if (!isMap(e) || typeof e.name !== 'string') continue;
      const info = { netns: num(e.netns), ifindex: num(e.ifindex), name: e.name };
      this.interfaces.push(info);
      // a later INTERFACES block wins: names can change during a recording
      this.#ifnames.set(`${info.netns}:${info.ifindex}`, info.name);
    }
  }

  #acceptClocks(v: unknown): void {
    const pair = parseClockPair(v);
    if (!pair) throw new Error('no monotonic_ns/realtime_ns');
    this.#addClock(pair);
    this.#noteMonotonic(pair.monotonic_ns);
  }

  #addClock(pair: ClockPair): void {
    if (!this.clocks.add(pair) && !this.#clocksIgnored) {
      this.#clocksIgnored = true;
      this.#warn('too many out-of-order clock pairs: later ones are ignored (times may be off)');
    }
  }
}

