// Which network namespaces exist, read from /proc: the kernel filter
// compares a namespace's inode number only, so `--netns` must be checked
// against real namespaces or a typo silently records nothing.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** A namespace link reads like "net:[4026531840]" (/proc/PID/ns/*, /proc/PID/fd/*). */
const NS_LINK = /^(\w+):\[(\d+)\]$/;

/** The kind ('net', 'uts', ...) a namespace link names, or null when `path` is no such link. */
export function namespaceLinkKind(path: string): { kind: string; inode: number } | null {
  let target: string;
  try {
    target = readlinkSync(path);
  } catch {
    return null;
  }
  const m = NS_LINK.exec(target);
  return m ? { kind: m[1]!, inode: Number(m[2]) } : null;
}

/**
 * Namespaces bind-mounted somewhere (`ip netns add` mounts them on
 * /run/netns/NAME; container runtimes elsewhere): nsfs mounts whose root
 * names the namespace, e.g. "44 43 0:4 net:[4026532177] /run/netns/x rw shared:2 - nsfs nsfs rw".
 */
export function mountedNamespaces(mountinfo: string): Map<number, string> {
  const found = new Map<number, string>();
  for (const line of mountinfo.split('\n')) {
    const [mount, fs] = line.split(' - ');
    if (!fs?.startsWith('nsfs ')) continue;
    const m = NS_LINK.exec(mount?.split(' ')[3] ?? '');
    if (m) found.set(Number(m[2]), m[1]!);
  }
  return found;
}

export function readMountedNamespaces(): Map<number, string> {
  try {
    return mountedNamespaces(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return new Map();
  }
}

/**
 * Looks for a network namespace with this inode: bind-mounted, the
 * namespace of a process or of one of its threads, or held open by a file
 * descriptor (a namespace lives as long as any of those). 'unknown' when
 * it was not found but some processes could not be looked at (not root).
 */
export function findNetworkNamespace(inode: number): 'found' | 'absent' | 'unknown' {
  if (readMountedNamespaces().get(inode) === 'net') return 'found';
  let hidden = false;
  const links = function* (): Generator<string> {
    const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    for (const pid of pids) yield `/proc/${pid}/ns/net`;
    // threads can be moved to another namespace (setns) on their own
    for (const pid of pids) for (const tid of listDir(`/proc/${pid}/task`)) yield `/proc/${pid}/task/${tid}/ns/net`;
    for (const pid of pids) for (const fd of listDir(`/proc/${pid}/fd`)) yield `/proc/${pid}/fd/${fd}`;
  };
  for (const path of links()) {
    try {
      if (readlinkSync(path) === `net:[${inode}]`) return 'found';
    } catch (err) {
      // a process that exited meanwhile is fine; one we may not look at is not
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') hidden = true;
    }
  }
  return hidden ? 'unknown' : 'absent';

  function listDir(dir: string): string[] {
    try {
      return readdirSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') hidden = true;
      return [];
    }
  }
}
