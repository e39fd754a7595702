// The harness's own unit tests (not part of the repo's test projects, which
// cover the product): npx vitest run -c bench/test/vitest.config.js
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['bench/test/**/*.test.js'], root: new URL('../..', import.meta.url).pathname },
});
