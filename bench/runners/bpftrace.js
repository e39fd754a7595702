// The two bpftrace peers on tracepoint:skb:kfree_skb: the counting-only
// floor, and the tcpdrop equivalent that prints tuple, reason and stack.
import { join } from 'node:path';
import { run, startTool } from '../lib/proc.js';
import { fileSize, grepCount, grepLines } from '../lib/files.js';

/** bpftrace says "Lost N events" when its perf buffer overflows. */
export function parseBpftraceLost(/** @type {string} */ text) {
  let lost = 0;
  for (const m of text.matchAll(/Lost (\d+) events/g)) lost += Number(m[1]);
  return lost;
}

/** @param {import('./types.js').Paths} paths */
async function checkBpftrace(paths) {
  const r = await run('bpftrace', ['--version'], { allowFail: true }).catch((e) => ({ code: 1, stderr: e.message }));
  return r.code === 0 ? { ok: true } : { ok: false, why: `bpftrace not runnable: ${r.stderr}` };
}

/**
 * @param {import('../lib/proc.js').Tool} tool
 */
async function waitAttached(tool) {
  // bpftrace prints "Attaching 1 probe..." once the program is attached
  await tool.waitUntil(() => tool.stdout().includes('Attaching'), 30_000, 'bpftrace');
}

/** @type {import('./types.js').Runner} */
export const bpftraceCountRunner = {
  name: 'bpftrace-count',
  label: 'floor: bpftrace count only',
  command: "bpftrace -e 'tracepoint:skb:kfree_skb { @drops = count(); }'",
  check: checkBpftrace,
  async start(ctx) {
    const tool = startTool({
      rusageExec: ctx.paths.rusageExec,
      argv: ['bpftrace', join(ctx.paths.peers, 'count.bt')],
      prefix: `${ctx.prefix}.bpftrace-count`,
    });
    await waitAttached(tool);
    return {
      cpuSecondsNow: () => tool.cpuSecondsNow(),
      async stop() {
        const usage = await tool.stop();
        const m = tool.stdout().match(/@drops: (\d+)/);
        // host-wide count: other drops on the host during the run land here too
        const all = m ? Number(m[1]) : 0;
        const made = ctx.storm?.expected_drops ?? all;
        return {
          captured: Math.min(all, made),
          toolLost: parseBpftraceLost(tool.stdout() + tool.stderr()),
          bytesOnDisk: null,
          toolCpuSeconds: usage.user_s + usage.sys_s,
        };
      },
      decode: null,
    };
  },
};

/** @type {import('./types.js').Runner} */
export const bpftraceTcpdropRunner = {
  name: 'bpftrace-tcpdrop',
  label: 'bpftrace tcpdrop (tuple+reason+kstack)',
  command: 'bpftrace bench/peers/tcpdrop-tp.bt > out.txt',
  check: checkBpftrace,
  async start(ctx) {
    const tool = startTool({
      rusageExec: ctx.paths.rusageExec,
      argv: ['bpftrace', join(ctx.paths.peers, 'tcpdrop-tp.bt')],
      prefix: `${ctx.prefix}.bpftrace-tcpdrop`,
    });
    await waitAttached(tool);
    return {
      cpuSecondsNow: () => tool.cpuSecondsNow(),
      async stop() {
        const usage = await tool.stop();
        // count this storm's drops by their destination port
        const captured = await grepCount(`:${ctx.dport} flags=`, tool.stdoutPath);
        // "Lost N events" lines appear in stdout wherever the loss happened
        const lostLines = await grepLines('^Lost [0-9]+ events', tool.stdoutPath);
        const lost = parseBpftraceLost(tool.stderr()) + parseBpftraceLost(lostLines.join('\n'));
        return {
          captured,
          toolLost: lost,
          bytesOnDisk: fileSize(tool.stdoutPath),
          toolCpuSeconds: usage.user_s + usage.sys_s,
        };
      },
      decode: null,
    };
  },
};

