// --netns accepts what people have at hand: a name from `ip netns`, a
// namespace file such as /proc/PID/ns/net, or the inode number itself.
import { statSync } from 'node:fs';
import { FilterError } from './filters.js';

export function resolveNetns(arg: string): number {
  if (/^\d+$/.test(arg)) return Number(arg);
  const path = arg.includes('/') ? arg : `/run/netns/${arg}`;
  try {
    return statSync(path).ino;
  } catch {
    throw new FilterError(`--netns ${arg}: no such network namespace (give an 'ip netns' name, a /proc/PID/ns/net path or an inode number)`);
  }
}
