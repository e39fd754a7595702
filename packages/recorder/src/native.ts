// Loads the native addon lazily, so that commands which do not record (and
// machines without the addon, such as an analyzer-only install) never need it.
import { createRequire } from 'node:module';
import type * as Native from '@dropcap/native';

export type NativeModule = typeof Native;

export class NativeUnavailableError extends Error {
  readonly code = 'ENATIVE';
}

let cached: NativeModule | null = null;

export function loadNative(): NativeModule {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  try {
    cached = require('@dropcap/native') as NativeModule;
  } catch (err) {
    throw new NativeUnavailableError(
      `the recorder's native addon is not available (${(err as Error).message.split('\n')[0]}): run 'npm run build' in the dropcap checkout, or install a prebuilt package ('npm run pack:recorder')`,
    );
  }
  return cached;
}
