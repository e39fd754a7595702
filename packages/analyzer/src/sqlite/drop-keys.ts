// The import's per-drop lookups (wasm/drop-keys.c, built by
// scripts/build-wasm.sh): a drop's _who, _what and _task ids found by its
// raw bytes, then its group found by (who, what) and counted. In JS these
// were most of the decoding worker's time at 10M diverse drops (~3 ns per
// key word, two dependent cache misses per group); compiled, a few.
//
// Work goes in passes of up to PASS drops. The pass arrays (who, what, task,
// group ids and times) live in the module's memory, as does a copy of the
// EVENTS block being read; JS views of them are renewed whenever that
// memory has grown, which detaches the old ones.
import { randomFillSync } from 'node:crypto';
import { instantiate, type WasmMemory } from './wasm-module.js';

/** Drops per pass. */
export const PASS = 512;

/** The key maps, as classify() reports the one it stopped at. */
export const WHO_KEYS = 0;
export const WHAT_KEYS = 1;
export const TASK_KEYS = 2;
export type KeyMap = typeof WHO_KEYS | typeof WHAT_KEYS | typeof TASK_KEYS;

interface Exports {
  memory: WasmMemory;
  dk_seed(random: number): void;
  dk_slot_hash(key: number, words: number): number;
  dk_alloc(bytes: number): number;
  dk_free(ptr: number, bytes: number): void;
  dk_keymap_new(words: number, offs: number, masks: number): number;
  dk_keymap_size(map: number): number;
  dk_keymap_clear(map: number): void;
  dk_keymap_set(map: number, id: number): number;
  dk_missed(): number;
  dk_who_columns(who: number): number;
  dk_what_columns(what: number): number;
  dk_set_group_row_base(firstGroup: number, firstWho: number, firstWhat: number, capture: number, timeBase: number): void;
  dk_group_rows(): number;
  dk_set_row_fields(seqOff: number, seqSize: number, winOff: number, winSize: number, ackOff: number, ackSize: number, lenOff: number, lenSize: number): void;
  dk_drop_rows(recs: number, size: number, count: number, t: number, group: number, task: number, firstGroup: number, out: number): void;
  dk_prepare(recs: number, size: number, count: number, who: number): void;
  dk_classify(recs: number, size: number, from: number, count: number, who: number, what: number, task: number, outWho: number, outWhat: number, outTask: number): number;
  dk_groups_new(): number;
  dk_groups_size(groups: number): number;
  dk_groups_records(groups: number): number;
  dk_groups_forget(groups: number): void;
  dk_count_groups(groups: number, who: number, what: number, t: number, count: number, out: number): number;
}

const OUT_OF_MEMORY = "out of memory for the import's lookup tables (WebAssembly memory is limited to 4 GiB)";

/** 65 random 64-bit values for dk_seed */
const HASH_RANDOM_BYTES = 65 * 8;

/** Doubles of a _drop row (db-writer.ts DROP_COLUMNS) */
const DROP_ROW = 5;

/**
 * The byte offset and mask of each 32-bit word holding a key byte. Key
 * bytes are the `ranges` ([offset, length]) that lie within a record of
 * `size` bytes; no range at all makes one empty key (every record alike).
 */
export function keyWords(ranges: ReadonlyArray<readonly [number, number]>, size: number): { offs: number[]; masks: number[] } {
  const masks = new Map<number, number>();
  for (const [off, len] of ranges) {
    for (let b = Math.max(0, off); b < Math.min(size, off + len); b++) {
      const word = b & ~3;
      masks.set(word, (masks.get(word) ?? 0) | (0xff << ((b & 3) * 8)));
    }
  }
  const offs = [...masks.keys()].sort((x, y) => x - y);
  if (offs.length === 0) return { offs: [0], masks: [0] };
  return { offs, masks: offs.map((w) => masks.get(w)!) };
}

export class DropKeys {
  readonly #x: Exports;
  #buffer: ArrayBuffer | null = null;
  #u8 = new Uint8Array(0);
  /** the pass arrays, renewed with the memory */
  who = new Int32Array(0);
  what = new Int32Array(0);
  task = new Int32Array(0);
  group = new Int32Array(0);
  t = new Float64Array(0);
  readonly #pass: number;
  readonly #groups: number;
  #maps = [0, 0, 0];
  #body = 0;
  #bodyCapacity = 0;
  #recordSize = 0;
  /** the pass's _drop rows (dropRows()) */
  readonly #rows: number;
  /** byte offset of the pass's first record */
  #passRecs = 0;
  /** byte offset of group 0's record (moves when the records grow) */
  #recordsAt = 0;

  constructor() {
    this.#x = instantiate<Exports>('drop-keys');
    // the key hashes' multipliers and seed: random, so that no capture can be made to collide
    const seed = this.#alloc(HASH_RANDOM_BYTES);
    randomFillSync(new Uint8Array(this.#x.memory.buffer, seed, HASH_RANDOM_BYTES));
    this.#x.dk_seed(seed);
    this.#x.dk_free(seed, HASH_RANDOM_BYTES);
    // who, what, task, group (Int32) and t (Float64), PASS of each
    this.#pass = this.#alloc(PASS * 4 * 4 + PASS * 8);
    this.#rows = this.#alloc(PASS * DROP_ROW * 8);
    this.#groups = this.#x.dk_groups_new() || this.#fail();
    this.#recordsAt = this.#x.dk_groups_records(this.#groups);
    this.#views();
  }

  #fail(): never {
    throw new Error(OUT_OF_MEMORY);
  }

  #alloc(bytes: number): number {
    return this.#x.dk_alloc(bytes) || this.#fail();
  }

  /** Renews every view if the memory has grown since they were made. */
  #views(): void {
    const buffer = this.#x.memory.buffer;
    if (buffer === this.#buffer) return;
    this.#buffer = buffer;
    const p = this.#pass;
    this.#u8 = new Uint8Array(buffer);
    this.who = new Int32Array(buffer, p, PASS);
    this.what = new Int32Array(buffer, p + PASS * 4, PASS);
    this.task = new Int32Array(buffer, p + PASS * 8, PASS);
    this.group = new Int32Array(buffer, p + PASS * 12, PASS);
    this.t = new Float64Array(buffer, p + PASS * 16, PASS);
  }

  /** New key maps for records of `size` bytes keyed by these byte ranges; the old ones' keys are forgotten. */
  setLayout(size: number, who: ReadonlyArray<readonly [number, number]>, what: ReadonlyArray<readonly [number, number]>, task: ReadonlyArray<readonly [number, number]>): void {
    this.#recordSize = size;
    this.#maps = [who, what, task].map((ranges) => this.#keyMap(keyWords(ranges, size)));
  }

  #keyMap({ offs, masks }: { offs: number[]; masks: number[] }): number {
    const bytes = offs.length * 4;
    const at = this.#alloc(bytes * 2);
    this.#views();
    new Int32Array(this.#x.memory.buffer, at, offs.length * 2).set([...offs, ...masks]);
    const map = this.#x.dk_keymap_new(offs.length, at, at + bytes) || this.#fail();
    this.#x.dk_free(at, bytes * 2);
    this.#views();
    return map;
  }

  /**
   * Who `who`'s 9 columns of a _group row (saddr_id ... dev_id): the
   * values of `values` from `from` (null: NULL).
   */
  setWhoColumns(who: number, values: ArrayLike<number | null>, from: number): void {
    this.#setColumns(this.#x.dk_who_columns(who), values, from, 9);
  }

  /** What `what`'s 4 columns of a _group row (site_id, reason_code, flags, stack_id), likewise. */
  setWhatColumns(what: number, values: ArrayLike<number | null>, from: number): void {
    this.#setColumns(this.#x.dk_what_columns(what), values, from, 4);
  }

  #setColumns(at: number, values: ArrayLike<number | null>, from: number, n: number): void {
    if (!at) this.#fail();
    this.#views();
    const out = new Float64Array(this.#x.memory.buffer, at, n);
    for (let i = 0; i < n; i++) out[i] = values[from + i] ?? NaN;
  }

  /** The first columns of the _group rows countGroups() makes: ids of group, who and what 0, the capture, its time base. */
  setGroupRowBase(firstGroup: number, firstWho: number, firstWhat: number, capture: number, timeBase: number): void {
    this.#x.dk_set_group_row_base(firstGroup, firstWho, firstWhat, capture, timeBase);
  }

  /**
   * The _group rows of the `count` groups the last countGroups() created,
   * in order, 18 doubles each: group_id, who_id, what_id, capture_id,
   * time_base, the who's columns, the what's.
   */
  newGroupRows(count: number): Float64Array {
    return new Float64Array(this.#x.memory.buffer, this.#x.dk_group_rows(), count * 18);
  }

  /** Where seq, window, ack_seq and len are in a record ([offset, size], size 1, 2, 4 or 8; absent: 0). */
  setRowFields(seq?: readonly [number, number], window?: readonly [number, number], ackSeq?: readonly [number, number], len?: readonly [number, number]): void {
    const f = (s?: readonly [number, number]) => (s && [1, 2, 4, 8].includes(s[1]) && s[0] + s[1] <= this.#recordSize ? s : ([0, 0] as const));
    this.#x.dk_set_row_fields(...f(seq), ...f(window), ...f(ackSeq), ...f(len));
  }

  /**
   * The _drop rows of the pass's first `count` drops (packing.ts): t (the
   * pass's times), group_id (firstGroup + group), task_id, seq_win,
   * ack_len, DROP_ROW doubles a row. A negative ack_len marks a len of
   * LEN_LIMIT or more. Valid until the next call that may grow memory.
   */
  dropRows(firstGroup: number, count: number): Float64Array {
    const pass = this.#pass;
    this.#x.dk_drop_rows(this.#passRecs, this.#recordSize, count, pass + PASS * 16, pass + PASS * 12, pass + PASS * 8, firstGroup, this.#rows);
    return new Float64Array(this.#x.memory.buffer, this.#rows, count * DROP_ROW);
  }

  /** Copies an EVENTS body into the module's memory, for classify(). */
  stage(body: Uint8Array): void {
    // 4 spare bytes: a record's last key word may be loaded whole
    const need = body.length + 4;
    if (need > this.#bodyCapacity) {
      if (this.#body) this.#x.dk_free(this.#body, this.#bodyCapacity);
      this.#bodyCapacity = 2 ** Math.ceil(Math.log2(Math.max(need, 1 << 16)));
      this.#body = this.#alloc(this.#bodyCapacity);
      this.#views();
    }
    this.#u8.set(body, this.#body);
  }

  /** Makes the staged records `from` to `from + count` (at most PASS) the pass classify() reads. */
  beginPass(from: number, count: number): void {
    this.#passRecs = this.#body + from * this.#recordSize;
    this.#x.dk_prepare(this.#passRecs, this.#recordSize, count, this.#maps[WHO_KEYS]!);
  }

  /**
   * Who, what and (withTask) task of the pass's records `p` to `count`,
   * into the pass arrays. Returns how far it got: short of `count` when a
   * record's key is new to a map (missed() says which); setKey() then
   * gives it its id, and the caller calls again from that record.
   */
  classify(p: number, count: number, withTask: boolean): number {
    const [who, what, task] = this.#maps;
    const pass = this.#pass;
    return this.#x.dk_classify(this.#passRecs, this.#recordSize, p, count, who!, what!, withTask ? task! : 0, pass, pass + PASS * 4, pass + PASS * 8);
  }

  missed(): KeyMap {
    return this.#x.dk_missed() as KeyMap;
  }

  /** Stores `id` under the key of the record the last classify() stopped at, in `map`. */
  setKey(map: KeyMap, id: number): void {
    if (this.#x.dk_keymap_set(this.#maps[map]!, id) < 0) this.#fail();
    this.#views();
  }

  /** The hash the key maps give a key of these words: the same for the same words, and unlike another instance's. */
  keyHash(words: ArrayLike<number>): number {
    const at = this.#alloc(words.length * 4);
    this.#views();
    new Uint32Array(this.#x.memory.buffer, at, words.length).set(words);
    const hash = this.#x.dk_slot_hash(at, words.length) >>> 0;
    this.#x.dk_free(at, words.length * 4);
    return hash;
  }

  keyCount(map: KeyMap): number {
    return this.#x.dk_keymap_size(this.#maps[map]!);
  }

  /** Forgets every key of `map`. */
  clearKeys(map: KeyMap): void {
    this.#x.dk_keymap_clear(this.#maps[map]!);
  }

  /**
   * The group of each of the pass's first `count` (who, what) pairs, into
   * the pass's group array, counting each drop with its time (t; NaN: a
   * drop counted without one). Groups not met before are created, numbered
   * on from groupCount in the order met.
   */
  countGroups(count: number): void {
    const pass = this.#pass;
    const status = this.#x.dk_count_groups(this.#groups, pass, pass + PASS * 4, pass + PASS * 16, count, pass + PASS * 12);
    if (status === -2) throw new Error('internal: a group of a who or what given no _group columns');
    if (status < 0) this.#fail();
    this.#recordsAt = this.#x.dk_groups_records(this.#groups);
    this.#views();
  }

  /** Later drops get new groups; the groups so far keep their counts. */
  forgetGroups(): void {
    this.#x.dk_groups_forget(this.#groups);
  }

  get groupCount(): number {
    return this.#x.dk_groups_size(this.#groups);
  }

  /**
   * Every group's record, group 0 first, as 8 Int32s (words 0 and 1: who,
   * what) or 4 Float64s (values 1 to 3: drops, first, last) a group. Valid
   * until the next countGroups().
   */
  groupRecords(): { words: Int32Array; values: Float64Array } {
    const buffer = this.#x.memory.buffer;
    const n = this.groupCount;
    return { words: new Int32Array(buffer, this.#recordsAt, n * 8), values: new Float64Array(buffer, this.#recordsAt, n * 4) };
  }
}
