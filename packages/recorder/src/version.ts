import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** the recorder package's version, written into every capture header */
export const RECORDER_VERSION: string = (require('../package.json') as { version: string }).version;
