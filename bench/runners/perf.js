// perf: `perf record -e skb:kfree_skb -g -a`, then `perf script` offline.
import { run, startTool } from '../lib/proc.js';
import { decodeToFile, fileSize, grepCount, grepLines } from '../lib/files.js';
import { writesAFile } from './file-tool.js';

// perf script's default fields for a tracepoint, plus pid so that this
// storm's drops can be told apart from any other process's
const SCRIPT_FIELDS = 'comm,pid,tid,cpu,time,event,trace,ip,sym';

/** @type {import('./types.js').Runner} */
export const perfRunner = {
  name: 'perf',
  label: 'perf record -g',
  command: `perf record -e skb:kfree_skb -g -a -o perf.data; perf script --show-lost-events -F ${SCRIPT_FIELDS} -i perf.data > out.txt`,
  async check() {
    const r = await run('perf', ['version'], { allowFail: true }).catch((e) => ({ code: 1, stderr: e.message }));
    return r.code === 0 ? { ok: true } : { ok: false, why: `perf not runnable: ${r.stderr}` };
  },
  async start(ctx) {
    const data = `${ctx.prefix}.perf.data`;
    const tool = startTool({
      rusageExec: ctx.paths.rusageExec,
      argv: ['perf', 'record', '-e', 'skb:kfree_skb', '-g', '-a', '-o', data],
      prefix: `${ctx.prefix}.perf`,
    });
    // perf writes the file header once its events are open on every CPU
    await tool.waitUntil(() => fileSize(data) > 0, 30_000, 'perf record');
    await new Promise((r) => setTimeout(r, 300));
    return {
      ...writesAFile(tool, data),
      async decode() {
        const text = `${ctx.prefix}.perf.txt`;
        const { seconds } = await decodeToFile('perf', ['script', '--show-lost-events', '-F', SCRIPT_FIELDS, '-i', data], text);
        const pid = ctx.storm?.pid ?? -1;
        // the sender's events, or ksoftirqd's when the softirq was deferred to it
        const captured = await grepCount(`( ${pid}/[0-9]+ .*skb:kfree_skb:)|(ksoftirqd.*skb:kfree_skb:.*NO_SOCKET)`, text);
        let lost = 0;
        for (const line of await grepLines('LOST [0-9]+ events', text)) lost += Number(line.match(/LOST (\d+) events/)?.[1] ?? 0);
        const made = ctx.storm?.expected_drops ?? captured;
        return { seconds, captured: Math.min(captured, made), toolLost: lost };
      },
    };
  },
};
