// dropcap itself: `dropcap record -w FILE --netns NS --stacks MODE`, then
// `dropcap analyze FILE --format json` (the summary) offline, then the same
// with `--db DB` (every drop also a row of a database file).
import { existsSync, rmSync } from 'node:fs';
import { run, startTool } from '../lib/proc.js';
import { fileSize } from '../lib/files.js';

/**
 * The line `dropcap record` ends with, e.g.
 * "dropcap: 1200 events, 0 lost, 3 without stack, 9.1 KiB in x.dcap, 2.0 s, via tp_btf".
 * @param {string} stderr
 * @returns {{ events: number, lost: number, stackless: number }|null}
 */
export function parseRecordSummary(stderr) {
  const m = stderr.match(/dropcap: (\d+) events?, (\d+) lost, (\d+) without stack/);
  return m ? { events: Number(m[1]), lost: Number(m[2]), stackless: Number(m[3]) } : null;
}

/**
 * Total drops in `dropcap analyze --format json` output, wherever the
 * summary keeps it (the analyzer's JSON shape may still move).
 * @param {string} json
 * @returns {number|null}
 */
export function totalFromSummaryJson(json) {
  try {
    const data = JSON.parse(json);
    for (const key of ['total_drops', 'drops', 'events', 'total']) {
      const v = data?.[key] ?? data?.totals?.[key];
      if (typeof v === 'number') return v;
    }
  } catch { /* not JSON */ }
  return null;
}

/**
 * @param {'none'|'default'|'all'} stacks
 * @returns {import('./types.js').Runner}
 */
export function dropcapRunner(stacks) {
  return {
    name: `dropcap-${stacks}`,
    label: `dropcap --stacks ${stacks}`,
    command: `dropcap record -w drops.dcap --netns NS --stacks ${stacks}; dropcap analyze drops.dcap --format json; dropcap analyze drops.dcap --db drops.db --format json`,
    async check(paths) {
      if (!existsSync(paths.cli)) return { ok: false, why: `${paths.cli} is not built (npm run build)` };
      const r = await run('node', [paths.cli, 'record', '--help'], { allowFail: true, timeoutMs: 30_000 })
        .catch((e) => ({ code: 1, stdout: '', stderr: e.message }));
      if (r.code !== 0 || !r.stdout.includes('--stacks')) {
        return { ok: false, why: `dropcap record is not available: ${(r.stderr || r.stdout).trim().split('\n')[0]}` };
      }
      return { ok: true };
    },
    async start(ctx) {
      const file = `${ctx.prefix}.${stacks}.dcap`;
      const tool = startTool({
        rusageExec: ctx.paths.rusageExec,
        // --duration only bounds a run whose stop signal got lost
        argv: ['node', ctx.paths.cli, 'record', '-w', file, '--netns', ctx.netns, '--stacks', stacks, '--duration', '600', '-v'],
        prefix: `${ctx.prefix}.dropcap-${stacks}`,
      });
      // -v prints "dropcap: attached via ..." once the program is attached
      await tool.waitUntil(() => tool.stderr().includes('attached via'), 60_000, 'dropcap record');
      return {
        cpuSecondsNow: () => tool.cpuSecondsNow(),
        async stop() {
          const usage = await tool.stop();
          const summary = parseRecordSummary(tool.stderr());
          return {
            captured: summary ? summary.events : null,
            toolLost: summary ? summary.lost : null,
            bytesOnDisk: fileSize(file),
            toolCpuSeconds: usage.user_s + usage.sys_s,
            note: summary ? `${summary.stackless} without stack` : `no summary line: ${tool.stderr().trim().split('\n').pop()}`,
          };
        },
        async decode() {
          const r = await run('node', [ctx.paths.cli, 'analyze', file, '--format', 'json'], { timeoutMs: 600_000 });
          const total = totalFromSummaryJson(r.stdout);
          const db = `${ctx.prefix}.${stacks}.db`;
          rmSync(db, { force: true });
          const withDb = await run('node', [ctx.paths.cli, 'analyze', file, '--db', db, '--format', 'json'], { timeoutMs: 600_000 });
          rmSync(db, { force: true });
          if (totalFromSummaryJson(withDb.stdout) !== total) throw new Error('dropcap analyze gave another total with --db');
          return { seconds: r.seconds, dbSeconds: withDb.seconds, ...(total === null ? {} : { captured: total }) };
        },
      };
    },
  };
}

/**
 * The fixed cost of a capture: `dropcap record` for 2 s with no drops.
 * @param {import('./types.js').Paths} paths
 * @param {string} netns
 * @param {string} prefix
 * @returns {Promise<{ bytes: number|null, error?: string }>}
 */
export async function measureQuietCapture(paths, netns, prefix) {
  const file = `${prefix}.dcap`;
  try {
    await run('node', [paths.cli, 'record', '-w', file, '--netns', netns, '--duration', '2'], { timeoutMs: 60_000 });
    const bytes = fileSize(file);
    rmSync(file, { force: true });
    return { bytes };
  } catch (err) {
    return { bytes: null, error: /** @type {Error} */ (err).message.split('\n')[0] };
  }
}
