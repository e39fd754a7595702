// Turns the user's filter flags into the values the BPF program is loaded
// with. Filtering happens in the kernel, so a bad value must be caught here
// with a clear message rather than silently matching nothing.
import { isIP } from 'node:net';
import type { TracerFilters } from '@dropcap/native';

export class FilterError extends Error {
  readonly code = 'EFILTER';
}

export interface FilterOptions {
  family?: 4 | 6;
  port?: number;
  sport?: number;
  dport?: number;
  host?: string;
  netns?: number;
  /** reason names to keep (without or with the SKB_DROP_REASON_ prefix) */
  reasons?: string[];
  /** reason names to drop; prefix a name with '!' in `reasons` for the same */
  excludeReasons?: string[];
}

export const MAX_REASON_FILTERS = 16;
const PREFIX = 'SKB_DROP_REASON_';

export function toTracerFilters(f: FilterOptions, reasonEnums: Record<string, Array<[string, number]>>): TracerFilters {
  const out: TracerFilters = {
    family: f.family ?? 0,
    port: checkPort('--port', f.port),
    sport: checkPort('--sport', f.sport),
    dport: checkPort('--dport', f.dport),
    netns: f.netns ?? 0,
    reasons: [],
    reasonExclude: false,
  };
  if (f.host !== undefined) {
    const { bytes, family } = parseHost(f.host);
    if (out.family !== 0 && out.family !== family) {
      throw new FilterError(`--host ${f.host} is IPv${family} but -${out.family} was given: drop one of them`);
    }
    out.host = bytes;
    out.hostFamily = family;
  }
  const include = (f.reasons ?? []).filter((r) => !r.startsWith('!'));
  const exclude = [...(f.excludeReasons ?? []), ...(f.reasons ?? []).filter((r) => r.startsWith('!')).map((r) => r.slice(1))];
  if (include.length > 0 && exclude.length > 0) {
    throw new FilterError('--reason cannot both include and exclude reasons: use either NAME... or !NAME...');
  }
  const names = include.length > 0 ? include : exclude;
  if (names.length > MAX_REASON_FILTERS) {
    throw new FilterError(`at most ${MAX_REASON_FILTERS} reasons can be filtered in the kernel (got ${names.length})`);
  }
  const byName = reasonIndex(reasonEnums);
  out.reasons = names.map((n) => {
    const code = byName.get(normalizeReason(n));
    if (code === undefined) {
      throw new FilterError(`unknown drop reason '${n}' on this kernel: see 'dropcap reasons' for the names it knows`);
    }
    return code;
  });
  out.reasonExclude = exclude.length > 0;
  return out;
}

export function normalizeReason(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith(PREFIX) ? upper.slice(PREFIX.length) : upper;
}

function reasonIndex(enums: Record<string, Array<[string, number]>>): Map<string, number> {
  const map = new Map<string, number>();
  for (const values of Object.values(enums)) {
    for (const [name, value] of values) {
      const key = normalizeReason(name);
      if (!map.has(key)) map.set(key, value);
    }
  }
  return map;
}

function checkPort(flag: string, port: number | undefined): number {
  if (port === undefined) return 0;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FilterError(`${flag} ${port} is not a TCP port: give a number from 1 to 65535`);
  }
  return port;
}

export function parseHost(host: string): { bytes: Buffer; family: 4 | 6 } {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const kind = isIP(bare);
  const bytes = Buffer.alloc(16);
  if (kind === 4) {
    bare.split('.').forEach((o, i) => bytes.writeUInt8(Number(o), i));
    return { bytes, family: 4 };
  }
  if (kind === 6) {
    ipv6Bytes(bare).copy(bytes);
    return { bytes, family: 6 };
  }
  throw new FilterError(`--host '${host}' is not an IP address: give a numeric IPv4 or IPv6 address (no names)`);
}

function ipv6Bytes(addr: string): Buffer {
  // an embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups first
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  let text = addr;
  if (v4?.[1]) {
    const o = v4[1].split('.').map(Number) as [number, number, number, number];
    text = addr.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(Number.parseInt(g, 16), i * 2));
  return out;
}
