// Engineer Q's analyzer micro benchmark: import one capture, then time every
// statement of the summary, a few filtered summaries and a `list` scan.
// Prints one JSON object. Peak RSS is this process's VmHWM, so write the
// capture first, in another process (bench/analyzer-synth.mjs).
//   node bench/analyzer-perf.mjs CAPTURE [--db FILE] [--analyzer DIST/index.js] [--list N]
// Build a private copy of the analyzer to measure without touching dist/:
//   npx tsc -p packages/analyzer --outDir /tmp/qbuild --tsBuildInfoFile /tmp/qbuild/.tsbuildinfo
//   ln -sfn "$PWD/node_modules" /tmp/node_modules
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    db: { type: 'string' },
    analyzer: { type: 'string', default: join(HERE, '../packages/analyzer/dist/index.js') },
    list: { type: 'string', default: '1000000' },
  },
});
const capture = positionals[0];
if (!capture) {
  process.stderr.write('usage: node bench/analyzer-perf.mjs CAPTURE [--db FILE] [--analyzer DIST/index.js] [--list N]\n');
  process.exit(2);
}
const main = await import(pathToFileURL(values.analyzer).href);
// the summary's helpers live in commands/ and are not all re-exported at the top
const commands = await import(pathToFileURL(values.analyzer.replace(/index\.js$/, 'commands/index.js')).href);
const analyzer = { ...commands, ...main };
const vmHwmBytes = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

if (values.db) for (const f of [values.db, `${values.db}-journal`]) rmSync(f, { force: true });
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const analysis = analyzer.loadCaptures([capture], values.db ? { dbPath: values.db } : {});
const importSeconds = seconds(t0);
const cpu = process.cpuUsage(cpu0);
// this VM is shared: CPU time is the steadier figure when others load it
const importCpuSeconds = (cpu.user + cpu.system) / 1e6;
const importRss = vmHwmBytes();
const db = analysis.db;
const drops = Number(db.prepare('SELECT events FROM captures').pluck().get());
const dbBytes = values.db ? statSync(values.db).size : Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));

// time every statement the summary runs (better-sqlite3 executes in all/get/run)
/** @type {Array<{ sql: string, seconds: number }>} */
let statements = [];
const prepare = db.prepare.bind(db);
db.prepare = (sql) => {
  const stmt = prepare(sql);
  for (const method of ['all', 'get', 'run']) {
    const original = stmt[method].bind(stmt);
    stmt[method] = (...args) => {
      const q0 = process.hrtime.bigint();
      try {
        return original(...args);
      } finally {
        statements.push({ sql: sql.replace(/\s+/g, ' ').trim().slice(0, 140), seconds: seconds(q0) });
      }
    };
  }
  return stmt;
};

function summary(label, filterOpts) {
  statements = [];
  const filter = analyzer.parseFilters(filterOpts);
  const s0 = process.hrtime.bigint();
  const where = analyzer.buildDropFilter(filter, analyzer.captureSpans(db));
  const data = analyzer.collectSummary(db, where, { top: 10, stacks: 5, buckets: 60 }, analyzer.hasFilters(filter));
  const total = seconds(s0);
  const slowest = [...statements].sort((a, b) => b.seconds - a.seconds).slice(0, label === 'all' ? 40 : 3);
  return { label, seconds: total, drops: data.totals.drops, top_reason: data.top_reasons[0]?.reason, slowest };
}

const summaries = [
  summary('all', {}),
  summary('--reason', { reason: ['NO_SOCKET'] }),
  summary('--port 443', { port: ['443'] }),
  summary('--since 30m', { since: '30m' }),
];
db.prepare = prepare;

// `analyze list`: rows/s reading the drops view in time order, the text line's columns
const listN = Number(values.list);
const l0 = process.hrtime.bigint();
let listed = 0;
for (const _row of db
  .prepare('SELECT time, time_ns, pid, family, saddr, sport, daddr, dport, state, tcp_flags, reason, reason_code, location, stack_id, stack_status FROM drops WHERE 1 ORDER BY time_ns, capture_id, cpu LIMIT ?')
  .safeIntegers(true)
  .iterate(listN)) listed++;
const listSeconds = seconds(l0);
db.close();

process.stdout.write(
  `${JSON.stringify(
    {
      capture,
      drops,
      captureBytes: statSync(capture).size,
      importSeconds,
      importCpuSeconds,
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      rowsPerSecond: Math.round(drops / importSeconds),
      importPeakRssMiB: Math.round(importRss / 2 ** 20),
      peakRssMiB: Math.round(vmHwmBytes() / 2 ** 20),
      dbMiB: Math.round(dbBytes / 2 ** 20),
      summaries,
      list: { rows: listed, seconds: listSeconds, rowsPerSecond: Math.round(listed / listSeconds) },
    },
    null,
    1,
  )}\n`,
);
