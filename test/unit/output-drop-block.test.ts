import { describe, expect, it } from 'vitest';
import { formatDropBlock } from '../../packages/analyzer/src/output/drop-block.js';

const row = {
  time: '2026-11-22T20:24:39.123456789Z', pid: 42, family: 4, saddr: '10.0.0.1', sport: 1234,
  daddr: '10.0.0.2', dport: 80, state: 'NONE', tcp_flags: 'SYN', reason: 'NO_SOCKET', reason_code: 3,
};

const block = (stackStatus: string, frames: string[] = []) =>
  [...formatDropBlock({ ...row, stack_status: stackStatus, location: 'tcp_v4_rcv+0x99' }, frames, { time: 'utc', stacks: true })];

describe('formatDropBlock', () => {
  it('prints the frames, then an empty line', () => {
    const lines = block('taken', ['tcp_v4_rcv+0x99', 'ip_local_deliver+0x10']);
    expect(lines.slice(1)).toEqual(['\ttcp_v4_rcv+0x99', '\tip_local_deliver+0x10', '']);
  });

  it('says why a stackless drop has no stack, for every status', () => {
    expect(block('budget')[1]).toBe('\t(no stack: per-CPU stack budget spent)');
    expect(block('error')[1]).toBe('\t(no stack: the kernel could not walk it)');
    expect(block('none')[1]).toBe('\t(no stack: stacks were off in this recording)');
    expect(block('taken')[1]).toBe('\t(no stack: its frames are missing from the capture)');
  });

  it('prints only the line without --stacks', () => {
    expect([...formatDropBlock({ ...row, stack_status: 'none' }, [], { time: 'utc' })]).toHaveLength(1);
  });
});
