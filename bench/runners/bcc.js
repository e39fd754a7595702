// bcc's tcpdrop (Debian bpfcc-tools), where bcc can compile its program.
// bcc builds its BPF C at run time against the running kernel's headers;
// a kernel without /lib/modules/$(uname -r)/build and without
// CONFIG_IKHEADERS cannot run it, and check() says so.
import { existsSync } from 'node:fs';
import { run, startTool } from '../lib/proc.js';
import { fileSize, grepCount, grepLines } from '../lib/files.js';

const TCPDROP = '/usr/sbin/tcpdrop-bpfcc';
// bcc's python module is installed for the system python only
const PYTHON = '/usr/bin/python3';

/** @type {import('./types.js').Runner} */
export const bccRunner = {
  name: 'bcc-tcpdrop',
  label: "bcc tcpdrop",
  command: `${TCPDROP} > out.txt`,
  async check() {
    if (!existsSync(TCPDROP)) return { ok: false, why: 'bcc tcpdrop is not installed (apt-get install bpfcc-tools)' };
    const probe = "from bcc import BPF\nBPF(text='int probe(void *ctx) { return 0; }')\n";
    const r = await run(PYTHON, ['-c', probe], { allowFail: true, timeoutMs: 60_000 })
      .catch((e) => ({ code: 1, stdout: '', stderr: e.message }));
    if (r.code !== 0) {
      // bcc prints the headers complaint on stdout, the traceback on stderr
      const why = (r.stdout + r.stderr).includes('Unable to find kernel headers')
        ? 'bcc cannot compile here: no kernel headers for this kernel (/lib/modules/$(uname -r)/build absent, CONFIG_IKHEADERS off)'
        : `bcc cannot compile here: ${r.stderr.trim().split('\n').pop()}`;
      return { ok: false, why };
    }
    return { ok: true };
  },
  async start(ctx) {
    const tool = startTool({
      rusageExec: ctx.paths.rusageExec,
      argv: [PYTHON, TCPDROP],
      prefix: `${ctx.prefix}.bcc`,
    });
    // the header line is printed once the probes are attached
    await tool.waitUntil(() => tool.stdout().includes('SADDR:SPORT'), 120_000, 'bcc tcpdrop');
    return {
      cpuSecondsNow: () => tool.cpuSecondsNow(),
      async stop() {
        const usage = await tool.stop();
        const captured = await grepCount(` > [0-9a-f.:]+:${ctx.dport} `, tool.stdoutPath);
        let lost = 0;
        for (const line of await grepLines('Possibly lost [0-9]+ samples', tool.stdoutPath)) lost += Number(line.match(/(\d+) samples/)?.[1] ?? 0);
        for (const m of tool.stderr().matchAll(/Possibly lost (\d+) samples/g)) lost += Number(m[1]);
        return { captured, toolLost: lost, bytesOnDisk: fileSize(tool.stdoutPath), toolCpuSeconds: usage.user_s + usage.sys_s };
      },
      decode: null,
    };
  },
};
