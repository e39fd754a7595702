#!/usr/bin/env node
// `npm run bench`: dropcap against the drop tracers people use today, in one
// run, written to docs/benchmarks.md. Needs root (BPF, perf, tracefs, ip
// netns). All traffic stays in a private network namespace that is deleted
// at the end, whatever happens. See bench/README.md.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, pointsFor, USAGE } from './lib/options.js';
import { run, killAll } from './lib/proc.js';
import { createNetns, deleteNetns } from './lib/netns.js';
import { runMatrix } from './lib/matrix.js';
import { aggregate } from './lib/aggregate.js';
import { checkTargets } from './lib/targets.js';
import { renderReport } from './lib/report.js';
import { describeMachine } from './lib/machine.js';
import { ALL_RUNNERS } from './runners/index.js';
import { measureQuietCapture } from './runners/dropcap.js';
import { resetKfreeSkbTracing } from './runners/trace-cmd.js';
import { benchAnalyzer } from './analyzer/bench-analyzer.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NETNS = `dropcap-bench-${process.pid}`;

const log = (/** @type {string} */ line) => process.stderr.write(`bench: ${line}\n`);

async function prepare() {
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root (BPF, perf, tracefs, ip netns): run it with sudo');
  await run('sh', ['-c', 'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing']);
  await run('make', ['-s', '-C', join(REPO, 'bench')]);
  if (!existsSync(join(REPO, 'tools/build/dropgen'))) await run('make', ['-s', '-C', join(REPO, 'tools')]);
}

let interrupted = false;
/** @type {Promise<void>|null} */
let cleaning = null;
/** Kills every tool and deletes the namespace; every caller waits for the same cleanup. */
function cleanup() {
  cleaning ??= (async () => {
    killAll();
    resetKfreeSkbTracing();
    await deleteNetns(NETNS);
  })();
  return cleaning;
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const t0 = Date.now();
  await prepare();
  const workDir = resolve(REPO, opts.workDir);
  mkdirSync(workDir, { recursive: true });
  /** @type {import('./runners/types.js').Paths} */
  const paths = {
    repo: REPO,
    rusageExec: join(REPO, 'bench/build/rusage_exec'),
    ftraceShim: join(REPO, 'bench/build/ftrace_absent.so'),
    cli: join(REPO, 'packages/cli/dist/main.js'),
    dropgen: join(REPO, 'tools/build/dropgen'),
    peers: join(REPO, 'bench/peers'),
  };
  const points = pointsFor(opts);
  const wanted = opts.tools ? ALL_RUNNERS.filter((r) => opts.tools?.includes(r.name)) : ALL_RUNNERS;
  if (opts.tools && wanted.length !== opts.tools.length) {
    throw new Error(`--tools: unknown tool among ${opts.tools.join(',')}; known: ${ALL_RUNNERS.map((r) => r.name).join(', ')}`);
  }
  /** @type {import('./runners/types.js').Runner[]} */
  const ran = [];
  /** @type {Array<{ runner: import('./runners/types.js').Runner, why: string }>} */
  const skipped = [];
  for (const r of wanted) {
    const c = await r.check(paths);
    if (c.ok) ran.push(r);
    else {
      skipped.push({ runner: r, why: c.why ?? 'unavailable' });
      log(`skipping ${r.name}: ${c.why}`);
    }
  }

  await createNetns(NETNS);
  const machine = await describeMachine();
  log(`${ran.length} tools × ${points.length} points × ${opts.reps} repetitions${points.some((p) => (p.reps ?? opts.reps) !== opts.reps) ? ` (${points.map((p) => `${p.reps ?? opts.reps} at ${p.name}`).join(', ')})` : ''}`);
  const rows = await runMatrix({
    runners: ran, points, reps: opts.reps, paths, netns: NETNS, workDir, keepFiles: opts.keep, pairedBare: opts.pairedBare, stopped: () => interrupted,
    onRow: (row, done, total) => log(`[${done}/${total}] ${row.tool} @ ${row.point}: ${row.error ? `ERROR ${row.error}` : `captured ${row.captured ?? '?'} of ${row.made}, sender ${Math.round((row.genRate ?? 0) / 1e3)}k/s ${Math.round(row.genCpuNs ?? 0)} ns/pkt`}`),
  });

  let quiet = null;
  if (ran.some((r) => r.name.startsWith('dropcap'))) {
    log('measuring the fixed cost of a quiet capture');
    quiet = await measureQuietCapture(paths, NETNS, join(workDir, 'quiet'));
  } else {
    quiet = { bytes: null, error: 'dropcap record is not available' };
  }
  await cleanup();

  const analyzer = await benchAnalyzer({ sizes: opts.analyzerSizes, workDir, paths, log, budgetSeconds: opts.analyzerBudget, reps: opts.analyzerReps });

  const cells = aggregate(rows);
  const maxPoint = points.find((p) => p.rate === 0)?.name ?? points[points.length - 1].name;
  const verdicts = checkTargets({ cells, maxPoint, quiet, analyzer });
  const notes = [
    'Only NO_SOCKET drops are made here (skb->sk is NULL for them). Stock bcc tcpdrop and Debian\'s tcpdrop.bt return early when skb->sk is NULL, so they would capture none of these drops; the bpftrace peer here reads the tuple from the packet headers instead (bench/peers/tcpdrop-tp.bt).',
    'Peers trace the whole host; dropcap records only the benchmark namespace (--netns). Other activity on the host during a run would show up in the floor\'s host-wide count (capped at the drops made).',
    'trace-cmd cannot start on this VM without bench/build/ftrace_absent.so (LD_PRELOAD): writing /proc/sys/kernel/ftrace_enabled fails with EPERM even for root, and trace-cmd treats that as fatal but treats the file\'s absence as a kernel without the function tracer.',
  ];
  const report = renderReport({
    machine,
    commandLine: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    wallSeconds: (Date.now() - t0) / 1000,
    reps: opts.reps,
    pairedBare: opts.pairedBare,
    points,
    ran,
    skipped,
    generatorCommand: 'ip netns exec NS tools/build/dropgen storm --addr 127.0.0.1 --dport PORT --count N --rate R --threads 2',
    cells,
    rows,
    analyzer,
    quiet,
    verdicts,
    notes,
  });
  // the raw numbers too, for anyone who wants to plot or compare runs
  writeFileSync(join(workDir, 'results.json'), JSON.stringify({ machine, points, rows, cells, analyzer, quiet, verdicts }, null, 1));
  const out = resolve(REPO, opts.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, report);
  for (const v of verdicts) log(`${v.verdict.padEnd(12)} ${v.target}: ${v.detail}`);
  log(`wrote ${relative(process.cwd(), out)} in ${((Date.now() - t0) / 60000).toFixed(1)} min`);
}

for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: stopping the tools and deleting the namespace; no report is written`);
    void cleanup().finally(() => process.exit(130));
  });
}

main().catch(async (err) => {
  await cleanup();
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}).finally(cleanup);
