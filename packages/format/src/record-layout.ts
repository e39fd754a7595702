// The event record layout: the TypeScript twin of struct dropcap_event in
// bpf/dropcap.h. test/format/layout.test.ts compiles that header and asserts
// both agree field for field. Readers locate fields by name (validateLayout
// + the layout stored in each capture), so old captures stay decodable.
import { CaptureFormatError } from './errors.js';

export type FieldType = 'u8' | 'u16' | 'u32' | 'u64' | 'bytes' | 'cstr';

export interface LayoutField {
  name: string;
  offset: number;
  size: number;
  type: FieldType;
}

export interface RecordLayout {
  name: string;
  version: number;
  size: number;
  fields: LayoutField[];
}

const f = (name: string, offset: number, size: number, type: FieldType): LayoutField => ({ name, offset, size, type });

export const EVENT_LAYOUT_V1: RecordLayout = Object.freeze({
  name: 'dropcap_event',
  version: 1,
  size: 120,
  fields: [
    f('ts_ns', 0, 8, 'u64'),
    f('location', 8, 8, 'u64'),
    f('saddr', 16, 16, 'bytes'),
    f('daddr', 32, 16, 'bytes'),
    f('pid', 48, 4, 'u32'),
    f('tid', 52, 4, 'u32'),
    f('netns', 56, 4, 'u32'),
    f('ifindex', 60, 4, 'u32'),
    f('reason', 64, 4, 'u32'),
    f('seq', 68, 4, 'u32'),
    f('ack_seq', 72, 4, 'u32'),
    f('len', 76, 4, 'u32'),
    f('mark', 80, 4, 'u32'),
    f('stack_id', 84, 4, 'u32'),
    f('sport', 88, 2, 'u16'),
    f('dport', 90, 2, 'u16'),
    f('cpu', 92, 2, 'u16'),
    f('window', 94, 2, 'u16'),
    f('family', 96, 1, 'u8'),
    f('state', 97, 1, 'u8'),
    f('tcp_flags', 98, 1, 'u8'),
    f('sk_source', 99, 1, 'u8'),
    f('flags', 100, 1, 'u8'),
    f('stack_frames', 101, 1, 'u8'),
    f('__pad', 102, 2, 'bytes'),
    f('comm', 104, 16, 'cstr'),
  ],
});

/** dropcap_event.flags bits (DROPCAP_F_* in bpf/dropcap.h). */
export const EventFlags = Object.freeze({
  STACK: 1 << 0,
  STACK_BUDGET: 1 << 1,
  STACK_ERROR: 1 << 2,
  STACK_TRUNC: 1 << 3,
  NO_REASON: 1 << 4,
  NEW_SITE: 1 << 5,
});

const INT_SIZES: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };
/** Bounds on untrusted layouts: a record is at most 64 KiB with at most 256 fields. */
const MAX_RECORD_SIZE = 65536;
const MAX_FIELDS = 256;

function bad(why: string): never {
  throw new CaptureFormatError('BAD_LAYOUT', `invalid RECORD_LAYOUT block: ${why}; the capture is damaged or was written by an incompatible tool`);
}

const isUint = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** Checks an untrusted (msgpack-decoded) layout: every field inside the record, integer sizes matching their type, names unique. */
export function validateLayout(l: unknown): RecordLayout {
  if (typeof l !== 'object' || l === null || Array.isArray(l)) bad('not a map');
  const o = l as Record<string, unknown>;
  const name = typeof o.name === 'string' ? o.name : bad('missing name');
  const version = isUint(o.version, 0xffffffff) ? o.version : bad('missing version');
  const size = isUint(o.size, MAX_RECORD_SIZE) && o.size > 0 ? o.size : bad(`record size ${String(o.size)} out of range`);
  if (!Array.isArray(o.fields) || o.fields.length > MAX_FIELDS) bad('fields is not a list of at most 256 entries');
  const seen = new Set<string>();
  const fields = o.fields.map((raw: unknown): LayoutField => {
    if (typeof raw !== 'object' || raw === null) bad('a field is not a map');
    const fo = raw as Record<string, unknown>;
    if (typeof fo.name !== 'string' || fo.name.length === 0 || fo.name.length > 64) bad('a field has no name');
    const fname = fo.name;
    if (seen.has(fname)) bad(`field ${fname} appears twice`);
    seen.add(fname);
    if (!isUint(fo.offset, size) || !isUint(fo.size, size) || fo.size === 0 || fo.offset + fo.size > size) {
      bad(`field ${fname} lies outside the ${size}-byte record`);
    }
    const type = fo.type;
    if (type !== 'u8' && type !== 'u16' && type !== 'u32' && type !== 'u64' && type !== 'bytes' && type !== 'cstr') {
      bad(`field ${fname} has unknown type ${String(type)}`);
    }
    if (INT_SIZES[type] !== undefined && INT_SIZES[type] !== fo.size) bad(`field ${fname} is ${type} but ${fo.size} bytes`);
    return { name: fname, offset: fo.offset, size: fo.size, type };
  });
  return { name, version, size, fields };
}

export function findField(layout: RecordLayout, name: string): LayoutField | undefined {
  return layout.fields.find((fld) => fld.name === name);
}
