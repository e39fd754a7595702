// Every tool the benchmark knows, in the order the tables list them.
import { bareRunner } from './bare.js';
import { bpftraceCountRunner, bpftraceTcpdropRunner } from './bpftrace.js';
import { perfRunner } from './perf.js';
import { traceCmdRunner } from './trace-cmd.js';
import { bccRunner } from './bcc.js';
import { dropcapRunner } from './dropcap.js';

/** @type {import('./types.js').Runner[]} */
export const ALL_RUNNERS = [
  bareRunner,
  bpftraceCountRunner,
  dropcapRunner('none'),
  dropcapRunner('default'),
  dropcapRunner('all'),
  bpftraceTcpdropRunner,
  bccRunner,
  perfRunner,
  traceCmdRunner,
];
