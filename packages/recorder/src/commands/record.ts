// `dropcap record`: the yargs command. It maps flags to RecordOptions,
// wires signals and the terminal, and prints the one-line summary; the
// recording itself is session.ts.
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_RECORD_OPTIONS, record, type RecordOptions, type RecordSummary, type StackMode } from '../session.js';
import { LivePrinter, type LiveFormat } from '../live.js';
import { resolveNetns } from '../netns-arg.js';
import { formatSummaryLine } from '../summary-line.js';
import { withFilterOptions, filtersFromArgv, type FilterArgv } from './filter-options.js';
import { checkOneValueEach, type OneValueOption } from './one-value-options.js';
import { UsageError } from './usage-error.js';

export interface RecordArgv extends FilterArgv {
  write?: string;
  print: boolean;
  format: LiveFormat;
  duration?: number;
  count: number;
  stacks: StackMode;
  'stack-budget': number;
  'ring-size': number;
  compression: RecordOptions['compression'];
  verbose: boolean;
  attach?: 'tp_btf' | 'raw_tp' | 'tracepoint';
}

/** documented in the README: data was lost while recording */
const EXIT_DATA_LOST = 4;

const ONE_VALUE: Record<string, OneValueOption> = {
  write: { flag: '-w', needs: "a path to write the capture to, or '-' for stdout, e.g. -w drops.dcap" },
  format: { flag: '--format' },
  duration: { flag: '-d', needs: 'a number of seconds, e.g. -d 30' },
  count: { flag: '-c', needs: 'a number of drops, e.g. -c 100' },
  stacks: { flag: '--stacks' },
  'stack-budget': { flag: '--stack-budget', needs: 'a number of stacks per CPU per second, e.g. --stack-budget 1000' },
  'ring-size': { flag: '--ring-size', needs: 'a size in MiB, e.g. --ring-size 32' },
  compression: { flag: '--compression' },
  attach: { flag: '--attach' },
};

/** the native addon takes a 32-bit budget (stacks.budgetPerCpuPerSec) */
const MAX_STACK_BUDGET = 0xffffffff;

export function withRecordOptions<T>(y: Argv<T>) {
  return withFilterOptions(y)
    .option('write', { alias: 'w', type: 'string', describe: "write a capture file ('-' = stdout) instead of printing drops" })
    .option('print', { type: 'boolean', default: false, describe: 'print drops as they happen even while writing -w FILE' })
    .option('format', { choices: ['text', 'ndjson'] as const, default: 'text' as LiveFormat, describe: 'live output: tcpdrop-style text, or one JSON object per drop' })
    .option('duration', { alias: 'd', type: 'number', describe: 'stop after this many seconds' })
    .option('count', { alias: 'c', type: 'number', default: 0, describe: 'stop after this many drops (0 = no limit)' })
    .option('stacks', { choices: ['none', 'default', 'all'] as const, default: 'default' as StackMode, describe: 'kernel stacks: none, default (a budget per CPU + the first drop of each site), all' })
    .option('stack-budget', { type: 'number', default: DEFAULT_RECORD_OPTIONS.stackBudget, describe: 'stacks per CPU per second under --stacks default' })
    .option('ring-size', { type: 'number', default: DEFAULT_RECORD_OPTIONS.ringBytes >> 20, describe: 'BPF ring buffer size in MiB (power of two), split into one ring per CPU: each CPU online at start gets the largest power of two not above size / online CPUs (at least a page); raise it on hosts with many CPUs' })
    .option('compression', { choices: ['deflate', 'brotli', 'none'] as const, default: 'deflate' as RecordOptions['compression'], describe: 'compression of event blocks' })
    .option('attach', { choices: ['tp_btf', 'raw_tp', 'tracepoint'] as const, hidden: true, describe: 'force an attach method' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'say what the recorder is doing' })
    .check((argv) => {
      checkOneValueEach(argv, ONE_VALUE);
      if (argv.write === '-' && argv.print) throw new UsageError("--print and -w - both write to stdout: drop one, or write to a file");
      if (argv.duration !== undefined && !(argv.duration > 0)) throw new UsageError('--duration takes a number of seconds above 0, e.g. -d 30');
      if (!Number.isInteger(argv.count) || argv.count < 0) throw new UsageError('--count takes a whole number of drops, e.g. -c 100');
      const budget = argv['stack-budget'];
      if (!Number.isInteger(budget) || budget < 0 || budget > MAX_STACK_BUDGET) {
        throw new UsageError(`--stack-budget takes a whole number >= 0 (stacks per CPU per second, at most ${MAX_STACK_BUDGET}), e.g. --stack-budget 1000`);
      }
      const ring = argv['ring-size'];
      // at most 1024: the size becomes bytes with `<< 20`, and 2048 or more overflows a 32-bit int (4096 MiB became 0 and failed to load as EINVAL)
      if (!(ring >= 1 && ring <= 1024 && Number.isInteger(Math.log2(ring)))) throw new UsageError('--ring-size takes a power of two in MiB from 1 to 1024, e.g. 32');
      return true;
    });
}

export const recordCommand: CommandModule<object, RecordArgv> = {
  command: 'record',
  describe: 'trace TCP drops in the kernel: print them live, or record a capture (-w)',
  builder: (y) =>
    withRecordOptions(y)
      .example('$0 record', 'trace kernel TCP drops, tcpdrop-style')
      .example('$0 record -4', 'trace IPv4 drops only')
      .example('$0 record -w drops.dcap -d 60', 'record a capture for a minute')
      .example('$0 record -w - | ssh box "cat > drops.dcap"', 'stream a capture elsewhere')
      .example('$0 record --port 443', 'drops to or from port 443')
      // quoted: in interactive bash a bare ! starts history expansion; short
      // enough that yargs does not wrap the command over two lines at 100 columns
      .example("$0 record --reason '!NETFILTER_DROP'", 'every drop except firewall drops')
      .example('$0 record --format ndjson | jq .reason', 'one JSON object per drop') as unknown as Argv<RecordArgv>,
  handler: async (argv) => {
    const live = argv.write === undefined || argv.print ? new LivePrinter(process.stdout, argv.format) : null;
    const controller = new AbortController();
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    let interrupts = 0;
    const onSignal = (): void => {
      interrupts += 1;
      // a second Ctrl-C while stopping means the user really wants out
      if (interrupts > 1) process.exit(130);
      controller.abort();
    };
    for (const s of signals) process.on(s, onSignal);
    const info = argv.verbose ? (line: string) => process.stderr.write(`dropcap: ${line}\n`) : undefined;
    let summary: RecordSummary;
    try {
      summary = await record({
        ...DEFAULT_RECORD_OPTIONS,
        output: argv.write ?? null,
        filters: filtersFromArgv(argv, resolveNetns),
        stacks: argv.stacks,
        stackBudget: argv['stack-budget'],
        ringBytes: argv['ring-size'] << 20,
        count: argv.count,
        durationMs: (argv.duration ?? 0) * 1000,
        compression: argv.compression,
        cmdline: process.argv.slice(1),
        signal: controller.signal,
        ...(argv.attach ? { attach: argv.attach } : {}),
        ...(live ? { onBlock: live.onBlock } : {}),
        ...(info ? { onInfo: info } : {}),
      });
    } finally {
      for (const s of signals) process.off(s, onSignal);
    }
    live?.flush();
    process.stderr.write(`${formatSummaryLine(summary, argv.write ?? null)}\n`);
    if (summary.stop === 'error') {
      process.stderr.write(`dropcap: recording stopped early: ${summary.error?.message ?? 'write failed'}; the capture is readable up to its last complete block\n`);
    }
    // scripts must be able to tell a complete recording from a lossy one
    if (summary.stop === 'error' || summary.lost > 0) process.exitCode = EXIT_DATA_LOST;
  },
};
