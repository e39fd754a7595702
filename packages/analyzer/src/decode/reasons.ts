// Drop-reason names from the capture's own BTF enum snapshot (REASONS block):
// the numbering differs between kernels, so it is never hard-coded.

const CORE_ENUM = 'skb_drop_reason';
const SUBSYS_ENUM = 'skb_drop_reason_subsys';
const PREFIX = 'SKB_DROP_REASON_';
const SUBSYS_PREFIX = 'SKB_DROP_REASON_SUBSYS_';
/** enumerators that are bookkeeping, not reasons */
const NOT_REASONS = new Set(['SKB_DROP_REASON_SUBSYS_MASK', 'SKB_DROP_REASON_MAX']);

export interface ReasonEntry {
  code: number;
  /** short name, e.g. NO_SOCKET */
  name: string;
  /** as the kernel spells it, e.g. SKB_DROP_REASON_NO_SOCKET */
  enumName: string;
  /** the C enum it belongs to */
  enumType: string;
}

export function shortReasonName(kernelName: string): string {
  return kernelName.startsWith(PREFIX) ? kernelName.slice(PREFIX.length) : kernelName;
}

export class ReasonTable {
  readonly #byCode = new Map<number, ReasonEntry>();
  readonly #subsystems = new Map<number, string>();
  readonly #entries: ReasonEntry[] = [];

  /**
   * `enums`: enum name -> [enumerator, value] pairs (values as u32). The core
   * enum wins on a collision; the subsystem enum's values are subsystem ids
   * (unshifted), so it names subsystems rather than reasons.
   */
  static fromEnums(enums: Record<string, Array<[string, number]>>): ReasonTable {
    const t = new ReasonTable();
    const names = Object.keys(enums).sort((a, b) => (a === CORE_ENUM ? -1 : b === CORE_ENUM ? 1 : a.localeCompare(b)));
    for (const enumType of names) {
      const list = enums[enumType];
      if (!Array.isArray(list)) continue;
      for (const pair of list) {
        if (!Array.isArray(pair) || typeof pair[0] !== 'string') continue;
        const value = Number(pair[1]);
        if (!Number.isInteger(value)) continue;
        const code = value >>> 0;
        const enumName = pair[0];
        if (enumType === SUBSYS_ENUM) {
          const short = enumName.startsWith(SUBSYS_PREFIX) ? enumName.slice(SUBSYS_PREFIX.length) : enumName;
          if (!NOT_REASONS.has(enumName) && !t.#subsystems.has(code)) t.#subsystems.set(code, short);
          continue;
        }
        if (NOT_REASONS.has(enumName)) continue;
        const entry = { code, name: shortReasonName(enumName), enumName, enumType };
        t.#entries.push(entry);
        if (!t.#byCode.has(code)) t.#byCode.set(code, entry);
      }
    }
    return t;
  }

  /** Every enumerator of the snapshot (for the reasons table). */
  entries(): readonly ReasonEntry[] {
    return this.#entries;
  }

  /** Short name; `UNKNOWN(<code>)` when the capture's enums do not have it. */
  name(code: number): string {
    return this.#byCode.get(code >>> 0)?.name ?? `UNKNOWN(${code >>> 0})`;
  }

  /** Subsystem of a reason value: `(code >> 16)` named by skb_drop_reason_subsys; 0 is CORE. */
  subsystem(code: number): string {
    const id = (code >>> 0) >>> 16;
    return this.#subsystems.get(id) ?? (id === 0 ? 'CORE' : `SUBSYS(${id})`);
  }
}
