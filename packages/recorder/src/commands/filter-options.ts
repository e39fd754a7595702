// The in-kernel filter flags, shared by `record` and `demo`.
import type { Argv } from 'yargs';
import type { FilterOptions } from '../filters.js';

export interface FilterArgv {
  ipv4?: boolean;
  ipv6?: boolean;
  port?: number;
  sport?: number;
  dport?: number;
  host?: string;
  netns?: string;
  reason?: string[];
}

export function withFilterOptions<T>(y: Argv<T>) {
  return y
    .option('ipv4', { alias: '4', type: 'boolean', describe: 'trace IPv4 family only', conflicts: 'ipv6' })
    .option('ipv6', { alias: '6', type: 'boolean', describe: 'trace IPv6 family only' })
    .option('port', { type: 'number', describe: 'either port equals PORT' })
    .option('sport', { type: 'number', describe: 'source port equals PORT' })
    .option('dport', { type: 'number', describe: 'destination port equals PORT' })
    .option('host', { type: 'string', describe: 'either address equals HOST (numeric IPv4/IPv6)' })
    .option('netns', { type: 'string', describe: 'network namespace: a name from ip netns, a /proc/PID/ns/net path or an inode number' })
    .option('reason', { type: 'string', array: true, describe: 'keep only these drop reasons; !NAME excludes (repeatable)' })
    .group(['ipv4', 'ipv6', 'port', 'sport', 'dport', 'host', 'netns', 'reason'], 'Filters (applied in the kernel):');
}

export function filtersFromArgv(argv: FilterArgv, resolveNetns: (arg: string) => number): FilterOptions {
  const f: FilterOptions = {};
  if (argv.ipv4) f.family = 4;
  if (argv.ipv6) f.family = 6;
  if (argv.port !== undefined) f.port = argv.port;
  if (argv.sport !== undefined) f.sport = argv.sport;
  if (argv.dport !== undefined) f.dport = argv.dport;
  if (argv.host !== undefined) f.host = argv.host;
  if (argv.netns !== undefined) f.netns = resolveNetns(argv.netns);
  if (argv.reason?.length) f.reasons = argv.reason.flatMap((r) => r.split(',')).filter(Boolean);
  return f;
}
