// What the running kernel can do, for tests whose expectation depends on it.
import os from 'node:os';

/** Whether `uname -r` is at least major.minor (e.g. 6.17 from "6.18.44-fc-v782"). */
export function kernelAtLeast(major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(os.release());
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}

/**
 * tp_btf's program variant that reads packet bytes by plain loads needs
 * bpf_rdonly_cast() to untrusted memory, which the verifier accepts from 6.17.
 */
export const packetLoadsExpected = (): boolean => kernelAtLeast(6, 17);
