// What perf and trace-cmd have in common while they run: a tool that writes
// a file and counts nothing itself, so what it captured and lost is only
// known once the file is decoded.
import { fileSize } from '../lib/files.js';

/**
 * @param {import('../lib/proc.js').Tool} tool
 * @param {string} data the file the tool writes
 */
export function writesAFile(tool, data) {
  return {
    cpuSecondsNow: () => tool.cpuSecondsNow(),
    async stop() {
      const usage = await tool.stop();
      return { captured: null, toolLost: null, bytesOnDisk: fileSize(data), toolCpuSeconds: usage.user_s + usage.sys_s };
    },
  };
}
