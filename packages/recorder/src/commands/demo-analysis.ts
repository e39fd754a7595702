// What the demo shows after recording: the analyzer's own summary and a few
// listed drops with their stacks, produced by the same code as
// `dropcap analyze` and `dropcap analyze list --stacks`.
import { processIO, runList, runSummary } from '@dropcap/analyzer';

export async function showDemoAnalysis(file: string, listed: number): Promise<void> {
  const io = processIO();
  await runSummary({ files: [file], top: 8, 'stack-depth': 6 }, io);
  if (listed > 0) {
    await io.stdout.write(`\nThe first ${listed} drops, as 'dropcap analyze list --stacks' prints them:\n`);
    await runList({ files: [file], stacks: true, limit: listed }, io);
  }
}
