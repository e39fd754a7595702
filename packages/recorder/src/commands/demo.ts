// `dropcap demo`: the whole product in one command. It records a private
// network namespace while provoking a handful of different real drops in
// it, then analyzes the capture it kept, exactly as `dropcap analyze` would.
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { PrivilegeError, checkRecordPrivileges, effectiveCaps } from '../kernel/privileges.js';
import { NetnsSandbox, SCENARIOS, type ScenarioName, type ScenarioResult } from '../provoke/index.js';
import { DEFAULT_RECORD_OPTIONS, record, type RecordSummary } from '../session.js';
import { formatSummaryLine } from '../summary-line.js';
import { showDemoAnalysis } from './demo-analysis.js';
import { checkOneValueEach } from './one-value-options.js';
import { UsageError } from './usage-error.js';

const DEFAULT_CAPTURE = 'dropcap-demo.dcap';

interface DemoArgv {
  write?: string;
  list: number;
}

/** What each scenario shows, in the order the demo runs them. */
const STEPS: Array<[ScenarioName, string]> = [
  ['closedPortV4', 'SYN to a closed port over IPv4 (NO_SOCKET)'],
  ['closedPortV6', 'SYN to a closed port over IPv6 (NO_SOCKET)'],
  ['netfilterDrop', 'SYN dropped by an nftables rule (NETFILTER_DROP)'],
  ['abortOnData', 'data sent to a socket that was shut down (TCP_ABORT_ON_DATA)'],
  ['socketFilter', 'segment rejected by a socket filter (SOCKET_FILTER)'],
  ['tcpFlags', 'SYN+FIN sent to a listener (TCP_FLAGS)'],
  ['invalidSequence', 'segment outside the receive window (TCP_INVALID_SEQUENCE)'],
  ['listenOverflow', 'handshake completed into a full accept queue (TCP_LISTEN_OVERFLOW)'],
];

export const demoCommand: CommandModule<object, DemoArgv> = {
  command: 'demo',
  describe: 'provoke real drops in a private network namespace, record them and show the analysis',
  builder: (y) =>
    y
      // no yargs default: with one, a bare -w would quietly become it
      .option('write', { alias: 'w', type: 'string', defaultDescription: DEFAULT_CAPTURE, describe: 'where to keep the capture' })
      .option('list', { type: 'number', default: 3, describe: 'how many drops to list with their stacks (0 = none)' })
      .check((argv) => {
        checkOneValueEach(argv, {
          write: { flag: '-w', needs: 'a path to keep the capture in, e.g. -w demo.dcap' },
          list: { flag: '--list', needs: 'a number of drops, e.g. --list 5' },
        });
        // a negative or fractional count would quietly list nothing
        if (!Number.isInteger(argv.list) || argv.list < 0) throw new UsageError('--list takes a whole number of drops to list, e.g. --list 5 (0 lists none)');
        return true;
      })
      .example('sudo $0 demo', 'run the demo, keep dropcap-demo.dcap')
      .example('$0 analyze dropcap-demo.dcap', 'go on analyzing the demo capture')
      .epilog('Needs root: it creates a network namespace and loads a BPF program. Nothing leaves loopback; the namespace and its firewall rules are removed afterwards, on Ctrl-C too.'),
  handler: async (argv) => {
    try {
      checkRecordPrivileges(effectiveCaps());
    } catch (err) {
      if (err instanceof PrivilegeError) throw new PrivilegeError('dropcap demo needs root: it creates a network namespace and loads a BPF program; run it with sudo');
      throw err;
    }
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const capture = argv.write ?? DEFAULT_CAPTURE;
    const file = resolve(capture);
    const sandbox = NetnsSandbox.create('dropcap-demo');
    const controller = new AbortController();
    // Ctrl-C stops the recording; the finally below removes the namespace
    const onSignal = (): void => controller.abort();
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
    let summary: RecordSummary;
    try {
      out(`dropcap demo: recording network namespace ${sandbox.name} (netns ${sandbox.inode}) into ${file}`);
      let attached!: () => void;
      const ready = new Promise<void>((r) => (attached = r));
      const recording = record({
        ...DEFAULT_RECORD_OPTIONS,
        output: file,
        filters: { netns: sandbox.inode },
        stacks: 'all',
        cmdline: process.argv.slice(1),
        signal: controller.signal,
        onAttached: () => attached(),
      });
      await Promise.race([ready, recording]);
      const results: ScenarioResult[] = [];
      for (const [name, what] of STEPS) {
        if (controller.signal.aborted) break;
        if (name === 'closedPortV6' && !sandbox.ipv6) continue;
        const r = SCENARIOS[name](sandbox);
        results.push(r);
        out(`  provoked ${String(r.total).padStart(2)} drop${r.total === 1 ? ' ' : 's'}: ${what}`);
      }
      // the last batch leaves the poll thread within its batch interval
      await new Promise((r) => setTimeout(r, 3 * DEFAULT_RECORD_OPTIONS.batchMs));
      controller.abort();
      summary = await recording;
    } finally {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
      sandbox.destroy();
    }
    out(formatSummaryLine(summary, file).replace(/^dropcap: /, 'recorded: '));
    out('');
    await showDemoAnalysis(file, argv.list);
    out('');
    out(`The capture is kept: try 'dropcap analyze list ${capture} --stacks' or 'dropcap analyze query ${capture} "SELECT reason, count(*) FROM drops GROUP BY 1"'.`);
  },
};
