// Checks up front that the recorder can do its job, so the user gets one
// clear line instead of an EPERM from deep inside libbpf.
import { readFileSync } from 'node:fs';

const CAP_SYS_ADMIN = 21;
const CAP_SYSLOG = 34;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

export class PrivilegeError extends Error {
  readonly code = 'EPRIV';
}

/** Effective capability mask of this process, from /proc/self/status. */
export function effectiveCaps(status = readFileSync('/proc/self/status', 'utf8')): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

const has = (caps: bigint, bit: number): boolean => (caps & (1n << BigInt(bit))) !== 0n;

/**
 * Loading tracing BPF programs needs CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN);
 * reading real kernel addresses from /proc/kallsyms needs CAP_SYSLOG,
 * otherwise every address reads as 0 and stacks cannot be symbolized.
 */
export function checkRecordPrivileges(caps: bigint): void {
  const bpf = has(caps, CAP_SYS_ADMIN) || (has(caps, CAP_BPF) && has(caps, CAP_PERFMON));
  const missing: string[] = [];
  if (!bpf) missing.push('CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)');
  if (!has(caps, CAP_SYSLOG) && !has(caps, CAP_SYS_ADMIN)) missing.push('CAP_SYSLOG');
  if (missing.length > 0) {
    throw new PrivilegeError(
      `recording needs root or ${missing.join(' + ')}: run with sudo, or grant them with ` +
        `'setcap cap_bpf,cap_perfmon,cap_syslog+ep $(command -v node)'`,
    );
  }
}
