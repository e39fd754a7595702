// Child process of the analyzer benchmark (run under rusage_exec so its
// peak RSS is the import's own): imports one capture with loadCaptures, then
// runs the summary's queries once, timing each SQL statement separately.
// Prints one JSON line per step on stdout as it goes ({ import }, then
// { query } each, then { done }), so that a parent that stops a too-slow
// summary still has everything measured up to then.
//   node import-child.js ANALYZER_DIST CAPTURE DB_PATH
import { pathToFileURL } from 'node:url';

const [distPath, capture, dbPath] = process.argv.slice(2);
const main = await import(pathToFileURL(distPath).href);
// the summary's helpers live in commands/ and may not be re-exported at the top
const commands = await import(pathToFileURL(distPath.replace(/index\.js$/, 'commands/index.js')).href).catch(() => ({}));
const analyzer = { ...commands, ...main };

const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const analysis = analyzer.loadCaptures([capture], { dbPath });
const importSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
const emit = (/** @type {object} */ o) => process.stdout.write(`${JSON.stringify(o)}\n`);
// CPU of all threads: above the wall time when the import's worker thread ran beside this one
emit({ importSeconds, importCpuSeconds: (cpu.user + cpu.system) / 1e6, decodedIn: analysis.decodedIn ?? null, warnings: analysis.warnings });

/** @type {Array<{ sql: string, seconds: number }>} */
const queries = [];
const db = analysis.db;
const prepare = db.prepare.bind(db);
// time every statement the summary runs: wrap the execution methods of the
// prepared statements (better-sqlite3 executes in all/get/run/iterate)
db.prepare = (/** @type {string} */ sql) => {
  const stmt = prepare(sql);
  for (const method of ['all', 'get', 'run']) {
    const original = stmt[method].bind(stmt);
    stmt[method] = (/** @type {unknown[]} */ ...args) => {
      const q0 = process.hrtime.bigint();
      try {
        return original(...args);
      } finally {
        const q = { sql: sql.replace(/\s+/g, ' ').trim(), seconds: Number(process.hrtime.bigint() - q0) / 1e9 };
        queries.push(q);
        emit({ query: q });
      }
    };
  }
  return stmt;
};

let summarySeconds = null;
let drops = null;
let summaryError = null;
try {
  // timed from here: `dropcap analyze` needs the capture spans before the summary
  const s0 = process.hrtime.bigint();
  const where = analyzer.buildDropFilter(analyzer.parseFilters({}), analyzer.captureSpans(db));
  const data = analyzer.collectSummary(db, where, { top: 10, stacks: 5, buckets: 60 }, false);
  summarySeconds = Number(process.hrtime.bigint() - s0) / 1e9;
  drops = data?.totals?.drops ?? null;
} catch (err) {
  summaryError = /** @type {Error} */ (err).message;
}
db.close();
emit({ done: true, summarySeconds, drops, summaryError });
