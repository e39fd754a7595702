// The private network namespace all benchmark traffic stays in.
import { run } from './proc.js';

/** Creates a namespace with loopback up; deletes a stale one of the same name first. */
export async function createNetns(/** @type {string} */ name) {
  await run('ip', ['netns', 'del', name], { allowFail: true });
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Deletes the namespace; never throws (it runs during cleanup). */
export async function deleteNetns(/** @type {string} */ name) {
  await run('ip', ['netns', 'del', name], { allowFail: true }).catch(() => undefined);
}
