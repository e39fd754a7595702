// The in-kernel filter flags, shared by `record` and `demo`.
import type { Argv } from 'yargs';
import { FilterError, type FilterOptions } from '../filters.js';
import { checkOneValueEach, type OneValueOption } from './one-value-options.js';

export interface FilterArgv {
  ipv4?: boolean;
  ipv6?: boolean;
  /** ports stay text until parsed, so an error can show what was typed (yargs makes 'abc' NaN) */
  port?: string;
  sport?: string;
  dport?: string;
  host?: string;
  netns?: string;
  reason?: string[];
}

const ONE_VALUE: Record<string, OneValueOption> = {
  port: { flag: '--port', needs: 'a port number, e.g. --port 443' },
  sport: { flag: '--sport', needs: 'a port number, e.g. --sport 443' },
  dport: { flag: '--dport', needs: 'a port number, e.g. --dport 443' },
  host: { flag: '--host', needs: 'a numeric IPv4 or IPv6 address, e.g. --host 10.0.0.1' },
  netns: { flag: '--netns', needs: "a network namespace: an 'ip netns' name, a /proc/PID/ns/net path or its inode number" },
};

export function withFilterOptions<T>(y: Argv<T>) {
  return y
    .option('ipv4', { alias: '4', type: 'boolean', describe: 'trace IPv4 family only', conflicts: 'ipv6' })
    .option('ipv6', { alias: '6', type: 'boolean', describe: 'trace IPv6 family only' })
    .option('port', { type: 'string', describe: 'either port equals PORT' })
    .option('sport', { type: 'string', describe: 'source port equals PORT' })
    .option('dport', { type: 'string', describe: 'destination port equals PORT' })
    .option('host', { type: 'string', describe: 'either address equals HOST (numeric IPv4/IPv6)' })
    .option('netns', { type: 'string', describe: 'network namespace: a name from ip netns, a /proc/PID/ns/net path or an inode number' })
    .option('reason', { type: 'string', array: true, describe: 'keep only these drop reasons; !NAME excludes (repeatable)' })
    .group(['ipv4', 'ipv6', 'port', 'sport', 'dport', 'host', 'netns', 'reason'], 'Filters (applied in the kernel):')
    .check((argv) => {
      checkOneValueEach(argv, ONE_VALUE);
      return true;
    });
}

export function filtersFromArgv(argv: FilterArgv, resolveNetns: (arg: string) => number): FilterOptions {
  const f: FilterOptions = {};
  if (argv.ipv4) f.family = 4;
  if (argv.ipv6) f.family = 6;
  if (argv.port !== undefined) f.port = parsePort('--port', argv.port);
  if (argv.sport !== undefined) f.sport = parsePort('--sport', argv.sport);
  if (argv.dport !== undefined) f.dport = parsePort('--dport', argv.dport);
  if (argv.host !== undefined) f.host = argv.host;
  if (argv.netns !== undefined) f.netns = resolveNetns(argv.netns);
  if (argv.reason?.length) f.reasons = argv.reason.flatMap((r) => r.split(',')).filter(Boolean);
  return f;
}

/** Digits only: Number() would take '0x1bb', '1e3' or ' 443 ' as ports too. */
function parsePort(flag: string, text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new FilterError(`${flag} ${text} is not a TCP port: give a number from 1 to 65535`);
  return port;
}
