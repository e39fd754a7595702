import { describe, expect, it } from 'vitest';
import { effectiveCaps, checkRecordPrivileges } from '@dropcap/recorder';
import { parseIpLinkOneline, possibleCpus } from '../../packages/recorder/src/host-context.js';

describe('host context', () => {
  it('reads interfaces of a named namespace from `ip -o link`', () => {
    const text = '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue\\    link/loopback 00:00:00:00:00:00\n7: veth-a@if6: <BROADCAST,MULTICAST> mtu 1500\\    link/ether\n';
    expect(parseIpLinkOneline(text, 42)).toEqual([
      { netns: 42, ifindex: 1, name: 'lo' },
      { netns: 42, ifindex: 7, name: 'veth-a' },
    ]);
  });

  it('counts possible CPUs from ranges, as per-CPU maps size themselves', () => {
    expect(possibleCpus('0-3')).toBe(4);
    expect(possibleCpus('0,2-5')).toBe(6);
    expect(possibleCpus('0')).toBe(1);
  });
});

describe('privileges', () => {
  const status = (hex: string) => `Name:\tnode\nCapEff:\t${hex}\n`;

  it('accepts root (all capabilities) and CAP_BPF+CAP_PERFMON+CAP_SYSLOG', () => {
    expect(() => checkRecordPrivileges(effectiveCaps(status('000001ffffffffff')))).not.toThrow();
    const bpfPerfmonSyslog = (1n << 39n) | (1n << 38n) | (1n << 34n);
    expect(() => checkRecordPrivileges(bpfPerfmonSyslog)).not.toThrow();
  });

  it('names exactly what is missing', () => {
    expect(() => checkRecordPrivileges(effectiveCaps(status('0000000000000000')))).toThrow(/CAP_BPF and CAP_PERFMON \(or CAP_SYS_ADMIN\) \+ CAP_SYSLOG/);
    expect(() => checkRecordPrivileges((1n << 39n) | (1n << 38n))).toThrow(/needs root or CAP_SYSLOG:/);
  });
});
