import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the packages by name; these aliases point them at the
// TypeScript sources so unit tests need no build. Kernel and CLI tests spawn
// the built `dropcap` binary and so run after `npm run build`.
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));
const alias = {
  '@dropcap/format': src('format'),
  '@dropcap/analyzer': src('analyzer'),
  '@dropcap/recorder': src('recorder'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        // some import real captures (1-3 s alone); CI runs them beside the
        // kernel and CLI projects on 2 vCPUs, where 5 s was seen to run out
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/format/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        resolve: { alias },
        test: { name: 'cli', include: ['test/cli/**/*.test.ts'], testTimeout: 120_000 },
      },
      // the benchmark harness's pure parts (parsing, medians, verdicts, the report)
      { test: { name: 'bench', include: ['bench/test/**/*.test.js'] } },
      {
        resolve: { alias },
        test: {
          name: 'kernel',
          include: ['test/kernel/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // kernel tests share the tracepoint and create namespaces: one file at a time
          fileParallelism: false,
        },
      },
    ],
  },
});
