// A minimal reader of the kernel's BTF (/sys/kernel/btf/*): just enough to
// take the drop-reason enums and to check which tracepoint arguments this
// kernel has. Reason numbering differs between kernels, so it is read from
// the host at record time and stored in the capture, never hard-coded.
// Layout: include/uapi/linux/btf.h.

const BTF_MAGIC = 0xeb9f;

const enum Kind {
  Int = 1, Ptr, Array, Struct, Union, Enum, Fwd, Typedef, Volatile, Const,
  Restrict, Func, FuncProto, Var, Datasec, Float, DeclTag, TypeTag, Enum64,
}

export class BtfError extends Error {
  readonly code = 'BTF_INVALID';
}

export interface BtfEnum {
  name: string;
  /** [enumerator name, value as unsigned 32-bit] */
  values: Array<[string, number]>;
}

export interface BtfStruct {
  name: string;
  members: string[];
}

/** What we keep of one BTF blob: enums and struct member names. */
export interface BtfSummary {
  enums: BtfEnum[];
  structs: Map<string, BtfStruct>;
  /** size of the string section: module (split) BTF offsets continue after it */
  strLen: number;
  strings: Buffer;
}

/**
 * Parses a BTF blob. `base` is vmlinux's summary when parsing a module's
 * split BTF, whose string offsets continue after the base's strings.
 */
export function parseBtf(data: Buffer, base?: BtfSummary): BtfSummary {
  if (data.length < 24 || data.readUInt16LE(0) !== BTF_MAGIC) {
    throw new BtfError('not a little-endian BTF blob (bad magic)');
  }
  const hdrLen = data.readUInt32LE(4);
  const typeOff = data.readUInt32LE(8);
  const typeLen = data.readUInt32LE(12);
  const strOff = data.readUInt32LE(16);
  const strLen = data.readUInt32LE(20);
  const typesStart = hdrLen + typeOff;
  const stringsStart = hdrLen + strOff;
  if (typesStart + typeLen > data.length || stringsStart + strLen > data.length) {
    throw new BtfError('BTF sections extend past the end of the blob');
  }
  const strings = data.subarray(stringsStart, stringsStart + strLen);
  const baseLen = base?.strLen ?? 0;
  const str = (off: number): string => {
    if (base && off < baseLen) return cstr(base.strings, off);
    return cstr(strings, off - baseLen);
  };

  const enums: BtfEnum[] = [];
  const structs = new Map<string, BtfStruct>();
  let p = typesStart;
  const end = typesStart + typeLen;
  while (p + 12 <= end) {
    const nameOff = data.readUInt32LE(p);
    const info = data.readUInt32LE(p + 4);
    const vlen = info & 0xffff;
    const kind = (info >>> 24) & 0x1f;
    p += 12;
    switch (kind) {
      case Kind.Int: case Kind.Var: case Kind.DeclTag:
        p += 4;
        break;
      case Kind.Array:
        p += 12;
        break;
      case Kind.Struct: case Kind.Union: {
        const name = str(nameOff);
        const members: string[] = [];
        for (let i = 0; i < vlen; i++) members.push(str(data.readUInt32LE(p + i * 12)));
        if (name && !structs.has(name)) structs.set(name, { name, members });
        p += vlen * 12;
        break;
      }
      case Kind.Enum: {
        const values: Array<[string, number]> = [];
        for (let i = 0; i < vlen; i++) {
          values.push([str(data.readUInt32LE(p + i * 8)), data.readUInt32LE(p + i * 8 + 4)]);
        }
        enums.push({ name: str(nameOff), values });
        p += vlen * 8;
        break;
      }
      case Kind.Enum64: {
        const values: Array<[string, number]> = [];
        // drop reasons are 32-bit; keep the low half like the kernel's u32 casts
        for (let i = 0; i < vlen; i++) {
          values.push([str(data.readUInt32LE(p + i * 12)), data.readUInt32LE(p + i * 12 + 4)]);
        }
        enums.push({ name: str(nameOff), values });
        p += vlen * 12;
        break;
      }
      case Kind.FuncProto:
        p += vlen * 8;
        break;
      case Kind.Datasec:
        p += vlen * 12;
        break;
      case Kind.Ptr: case Kind.Fwd: case Kind.Typedef: case Kind.Volatile:
      case Kind.Const: case Kind.Restrict: case Kind.Func: case Kind.Float:
      case Kind.TypeTag:
        break;
      default:
        throw new BtfError(`unknown BTF kind ${kind} at offset ${p - 12}`);
    }
  }
  return { enums, structs, strLen: baseLen + strLen, strings: base ? Buffer.concat([base.strings.subarray(0, baseLen), strings]) : strings };
}

function cstr(buf: Buffer, off: number): string {
  if (off < 0 || off >= buf.length) return '';
  const nul = buf.indexOf(0, off);
  return buf.toString('latin1', off, nul < 0 ? buf.length : nul);
}

/** Every enum whose name mentions drop_reason: the core enum, the subsystem enum and each subsystem's own. */
export function dropReasonEnums(summaries: BtfSummary[]): Record<string, Array<[string, number]>> {
  const out: Record<string, Array<[string, number]>> = {};
  for (const s of summaries) {
    for (const e of s.enums) {
      if (e.name.includes('drop_reason') && !(e.name in out)) out[e.name] = e.values;
    }
  }
  return out;
}
