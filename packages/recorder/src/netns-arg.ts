// --netns accepts what people have at hand: a name from `ip netns`, a
// namespace file such as /proc/PID/ns/net, or the inode number itself.
// The BPF filter compares inode numbers only: any file's inode (or any
// number) would be accepted by it and match nothing, so each form is
// checked to be a network namespace that exists.
import { statSync, type Stats } from 'node:fs';
import { FilterError } from './filters.js';
import { findNetworkNamespace, namespaceLinkKind, readMountedNamespaces } from './netns-inodes.js';

/**
 * Namespace inode numbers are never small: the initial namespaces have fixed
 * numbers just below 0xF0000000 (net is 0xEFFFFFF9 on 6.x) and later ones
 * are allocated from 0xF0000000 up (proc_alloc_inum). Below this floor a
 * number is refused without scanning /proc, which an unprivileged user
 * could not fully do anyway.
 */
const MIN_NAMESPACE_INODE = 0xefffff00;

const FORMS = "give an 'ip netns' name, a /proc/PID/ns/net path or the inode number of a network namespace";

export function resolveNetns(arg: string): number {
  return /^\d+$/.test(arg) ? checkInode(arg) : checkPath(arg);
}

function checkInode(arg: string): number {
  const inode = Number(arg);
  // ns.inum is 32 bits in the kernel and in the BPF filter
  const where = inode >= MIN_NAMESPACE_INODE && inode <= 0xffffffff ? findNetworkNamespace(inode) : 'absent';
  if (where === 'found') return inode;
  if (where === 'unknown') {
    throw new FilterError(`--netns ${arg}: cannot check that a network namespace has this inode (no permission to see every process's namespace); give an 'ip netns' name or a /proc/PID/ns/net path instead`);
  }
  throw new FilterError(`--netns ${arg}: no network namespace has this inode ('ls -iL /proc/PID/ns/net' shows a process's); ${FORMS}`);
}

function checkPath(arg: string): number {
  const path = arg.includes('/') ? arg : `/run/netns/${arg}`;
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? `permission denied reading ${path}` : 'no such network namespace';
    throw new FilterError(`--netns ${arg}: ${why} (${FORMS})`);
  }
  // every namespace file lives on nsfs, a single kernel-internal file system
  if (st.dev !== statSync('/proc/self/ns/net').dev) {
    throw new FilterError(`--netns ${arg}: ${path} is not a namespace file (${FORMS})`);
  }
  const kind = namespaceLinkKind(path)?.kind ?? readMountedNamespaces().get(st.ino) ?? (findNetworkNamespace(st.ino) === 'found' ? 'net' : undefined);
  if (kind !== 'net') {
    throw new FilterError(`--netns ${arg}: ${path} is ${kind ? `a ${kind} namespace` : 'a namespace of another kind'}, not a network namespace (${FORMS})`);
  }
  return st.ino;
}
