// The host context that travels in the capture so that it can be decoded on
// another machine: identity of the host and kernel, interfaces, kallsyms.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';

export interface HostIdentity {
  hostname: string;
  kernel_release: string;
  kernel_version: string;
  machine: string;
  boot_id: string;
  nr_cpus: number;
}

export interface InterfaceInfo {
  netns: number;
  ifindex: number;
  name: string;
}

export function hostIdentity(): HostIdentity {
  return {
    hostname: os.hostname(),
    kernel_release: os.release(),
    kernel_version: os.version(),
    machine: os.machine(),
    boot_id: readTrimmed('/proc/sys/kernel/random/boot_id'),
    nr_cpus: possibleCpus(),
  };
}

/** Per-CPU BPF maps have one slot per *possible* CPU, not per online CPU. */
export function possibleCpus(text = readTrimmed('/sys/devices/system/cpu/possible')): number {
  let n = 0;
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map((x) => Number.parseInt(x, 10));
    if (a === undefined || Number.isNaN(a)) continue;
    n = Math.max(n, (b ?? a) + 1);
  }
  return n || os.cpus().length;
}

/** Network namespace inode of this process: what the BPF program reports as netns. */
export function currentNetns(): number {
  return statSync('/proc/self/ns/net').ino;
}

/**
 * Interfaces (ifindex -> name) of the recorder's network namespace and of
 * every named one (`ip netns`): drops inside containers and test namespaces
 * carry their own netns inode, and ifindexes only mean something per netns.
 */
export function interfaces(): InterfaceInfo[] {
  const out = ownInterfaces(currentNetns());
  const named = '/run/netns';
  if (existsSync(named)) {
    for (const name of readdirSync(named)) {
      let netns: number;
      try {
        netns = statSync(`${named}/${name}`).ino;
      } catch {
        continue; // removed while we looked
      }
      out.push(...namedNetnsInterfaces(name, netns));
    }
  }
  return out;
}

function ownInterfaces(netns: number): InterfaceInfo[] {
  const root = '/sys/class/net';
  if (!existsSync(root)) return [];
  const out: InterfaceInfo[] = [];
  for (const name of readdirSync(root)) {
    const ifindex = Number.parseInt(readTrimmed(`${root}/${name}/ifindex`), 10);
    if (Number.isInteger(ifindex)) out.push({ netns, ifindex, name });
  }
  return out.sort((a, b) => a.ifindex - b.ifindex);
}

/** `ip -n NAME -o link` lines look like `2: veth0@if3: <...>`. */
export function parseIpLinkOneline(text: string, netns: number): InterfaceInfo[] {
  const out: InterfaceInfo[] = [];
  for (const m of text.matchAll(/^(\d+): ([^:@\s]+)[@:]/gm)) out.push({ netns, ifindex: Number(m[1]), name: m[2] as string });
  return out;
}

function namedNetnsInterfaces(name: string, netns: number): InterfaceInfo[] {
  const r = spawnSync('ip', ['-n', name, '-o', 'link', 'show'], { encoding: 'utf8', timeout: 2000 });
  return r.status === 0 ? parseIpLinkOneline(r.stdout, netns) : [];
}

/**
 * /proc/kallsyms, read after attaching so the BPF program's own frames
 * resolve. Without CAP_SYSLOG every address reads as zero: refuse that
 * rather than write a snapshot that silently symbolizes nothing.
 */
export function readKallsyms(path = '/proc/kallsyms'): string {
  const text = readFileSync(path, 'latin1');
  if (/^0{8,16} /.test(text) && !/^[0-9a-f]*[1-9a-f][0-9a-f]* /m.test(text.slice(0, 65536))) {
    throw new Error(`${path} shows only zero addresses (kptr_restrict): record as root or with CAP_SYSLOG`);
  }
  return text;
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
