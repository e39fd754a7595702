/**
 * Filters shared by `analyze` (summary) and `analyze list`, turned into a SQL
 * WHERE clause over the `drops` view. Values are always bound parameters,
 * never spliced into the SQL text: a filter value is user input.
 */
import { isIP } from 'node:net';
import type { Argv } from 'yargs';
import { UsageError } from './errors.js';
import { parseTimeSpec, resolveTimeSpec, type CaptureSpan, type TimeSpec } from './time-spec.js';

export interface FilterOptions {
  reason?: string[];
  port?: Array<string | number>;
  host?: string[];
  since?: string;
  until?: string;
  /** times of day in --since/--until are UTC, as `--utc` prints them */
  utc?: boolean;
}

export function withFilterOptions<T>(yargs: Argv<T>): Argv<T & FilterOptions> {
  return yargs
    .option('reason', {
      type: 'string',
      array: true,
      describe: 'only these drop reasons: names (NO_SOCKET, case-insensitive, SKB_DROP_REASON_ prefix optional) or codes; repeat or separate with commas',
      group: 'Filters:',
    })
    .option('port', {
      type: 'string',
      array: true,
      describe: 'only drops with this source or destination port; repeatable',
      group: 'Filters:',
    })
    .option('host', {
      type: 'string',
      array: true,
      describe: 'an IP address: drops from or to it; any other name: captures recorded on that host; repeatable',
      group: 'Filters:',
    })
    // requiresArg (nargs 1) makes yargs take the next word as the value
    // even when it starts with '-': `--since -30s` works like `--since=-30s`
    // instead of being read as the flags -3, -0 and -s.
    .option('since', {
      type: 'string',
      requiresArg: true,
      describe: 'drops at or after: ISO 8601 time, a time of day (20:24:39, UTC with --utc), an offset from the capture start (10s, 1m30s) or before its end (-30s)',
      group: 'Filters:',
    })
    .option('until', {
      type: 'string',
      requiresArg: true,
      describe: 'drops before this time; same forms as --since',
      group: 'Filters:',
    }) as unknown as Argv<T & FilterOptions>;
}

/** A WHERE condition and its bound parameters, in order. */
export interface SqlCondition {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Parsed, validated filters, independent of any database. */
export interface DropFilter {
  readonly reasonNames: readonly string[];
  readonly reasonCodes: readonly number[];
  readonly ports: readonly number[];
  readonly addresses: readonly string[];
  readonly hostNames: readonly string[];
  readonly since?: TimeSpec;
  readonly until?: TimeSpec;
}

const REASON_PREFIX = /^SKB_DROP_REASON_/;

// Repeated options and comma lists are the same thing: --reason a,b --reason c.
const splitList = (values: ReadonlyArray<string | number> | undefined) =>
  (values ?? []).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');

// What each list option takes, for the error when it is given no value.
const FILTER_VALUES: Record<'reason' | 'port' | 'host', string> = {
  reason: 'a drop reason name or code, e.g. --reason NO_SOCKET',
  port: 'a port number, e.g. --port 443',
  host: "an IP address or the recording host's name, e.g. --host 10.0.0.1",
};

/** The values of a list option; the flag alone (`--host`) would otherwise filter nothing, silently. */
function listValues(option: keyof typeof FILTER_VALUES, values: ReadonlyArray<string | number> | undefined): string[] {
  const list = splitList(values);
  if (values !== undefined && list.length === 0) throw new UsageError(`--${option} needs a value: ${FILTER_VALUES[option]}`);
  return list;
}

/**
 * Text that can only be meant as an address: dotted digits (300.1.1.1) or
 * anything with a colon (a host name has neither). If it is not a valid IP,
 * matching it as a host name would silently match nothing.
 */
const looksLikeAddress = (text: string) => (/^[\d.]+$/.test(text) && text.includes('.')) || text.includes(':');

/** Validates the filter options; throws UsageError naming the bad value. */
export function parseFilters(opts: FilterOptions): DropFilter {
  const reasonNames: string[] = [];
  const reasonCodes: number[] = [];
  for (const reason of listValues('reason', opts.reason)) {
    if (/^\d+$/.test(reason)) reasonCodes.push(Number(reason));
    else reasonNames.push(reason.toUpperCase().replace(REASON_PREFIX, ''));
  }
  const ports = listValues('port', opts.port).map((text) => {
    const port = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port ${JSON.stringify(text)} is not a port; give a number from 0 to 65535`);
    return port;
  });
  const addresses: string[] = [];
  const hostNames: string[] = [];
  for (const host of listValues('host', opts.host)) {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    if (isIP(bare)) addresses.push(...addressSpellings(bare));
    else if (looksLikeAddress(bare)) {
      throw new UsageError(`--host ${JSON.stringify(host)} is not a valid IP address; give one such as 10.0.0.1 or ::1 (a port goes in --port)`);
    } else hostNames.push(host);
  }
  const zone = opts.utc ? 'utc' : 'local';
  return {
    reasonNames,
    reasonCodes,
    ports,
    addresses,
    hostNames,
    ...(opts.since !== undefined ? { since: parseTimeSpec('since', opts.since, zone) } : {}),
    ...(opts.until !== undefined ? { until: parseTimeSpec('until', opts.until, zone) } : {}),
  };
}

/**
 * The ways an address may be spelled in the `drops` view: as typed, and in
 * the canonical compressed IPv6 form (RFC 5952) the analyzer writes, so
 * `--host 0:0:0:0:0:0:0:1` finds `::1`.
 */
export function addressSpellings(address: string): string[] {
  const spellings = new Set([address, address.toLowerCase()]);
  if (isIP(address) === 6) {
    // WHATWG URL parsing compresses IPv6 per RFC 5952.
    spellings.add(new URL(`http://[${address}]/`).hostname.slice(1, -1));
  }
  return [...spellings];
}

export function hasFilters(filter: DropFilter): boolean {
  return (
    filter.reasonNames.length + filter.reasonCodes.length + filter.ports.length + filter.addresses.length + filter.hostNames.length > 0 ||
    filter.since !== undefined ||
    filter.until !== undefined
  );
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * The WHERE condition for a filter. Time bounds depend on each capture's
 * span (offsets count from its own start), so they become one
 * `(capture_id = ? AND time_ns >= ?)` term per capture.
 */
export function buildDropFilter(filter: DropFilter, spans: ReadonlyMap<number | bigint, CaptureSpan> = new Map()): SqlCondition {
  const terms: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, values: readonly unknown[]) => {
    terms.push(sql);
    params.push(...values);
  };

  if (filter.reasonNames.length > 0 || filter.reasonCodes.length > 0) {
    const parts: string[] = [];
    const values: unknown[] = [];
    if (filter.reasonNames.length > 0) {
      parts.push(`upper(reason) IN (${placeholders(filter.reasonNames.length)})`);
      values.push(...filter.reasonNames);
    }
    if (filter.reasonCodes.length > 0) {
      parts.push(`reason_code IN (${placeholders(filter.reasonCodes.length)})`);
      values.push(...filter.reasonCodes);
    }
    add(`(${parts.join(' OR ')})`, values);
  }
  if (filter.ports.length > 0) {
    const list = placeholders(filter.ports.length);
    add(`(sport IN (${list}) OR dport IN (${list}))`, [...filter.ports, ...filter.ports]);
  }
  if (filter.addresses.length > 0 || filter.hostNames.length > 0) {
    const parts: string[] = [];
    const values: unknown[] = [];
    if (filter.addresses.length > 0) {
      const list = placeholders(filter.addresses.length);
      parts.push(`saddr IN (${list}) OR daddr IN (${list})`);
      values.push(...filter.addresses, ...filter.addresses);
    }
    if (filter.hostNames.length > 0) {
      parts.push(`host IN (${placeholders(filter.hostNames.length)})`);
      values.push(...filter.hostNames);
    }
    add(`(${parts.join(' OR ')})`, values);
  }
  for (const [spec, op] of [
    [filter.since, '>='],
    [filter.until, '<'],
  ] as const) {
    if (spec === undefined) continue;
    if (spec.kind === 'absolute') {
      add(`time_ns ${op} ?`, [spec.ns]);
      continue;
    }
    const perCapture = [...spans].map(([id, span]) => ({ id, bound: resolveTimeSpec(spec, span) }));
    // No capture spans: nothing can match a relative time.
    if (perCapture.length === 0) add('0', []);
    else {
      add(
        `(${perCapture.map(() => `(capture_id = ? AND time_ns ${op} ?)`).join(' OR ')})`,
        perCapture.flatMap(({ id, bound }) => [id, bound]),
      );
    }
  }
  return { sql: terms.length > 0 ? terms.join(' AND ') : '1', params };
}
