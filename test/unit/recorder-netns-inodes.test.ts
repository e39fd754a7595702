// `--netns NAME` is a bind mount on /run/netns: /proc/self/mountinfo tells
// which kind of namespace each nsfs mount is, so a mounted uts namespace is
// not taken for a network namespace.
import { describe, expect, it } from 'vitest';
import { mountedNamespaces } from '../../packages/recorder/src/netns-inodes.js';

describe('mountedNamespaces', () => {
  it('maps the inode of every nsfs mount to its kind', () => {
    const mountinfo = [
      '22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw',
      '44 43 0:4 net:[4026532177] /run/netns/sbench rw shared:2 - nsfs nsfs rw',
      '45 43 0:4 uts:[4026532300] /run/utsns/x rw shared:3 - nsfs nsfs rw',
      // optional fields before the separator vary in number
      '46 43 0:4 net:[4026532400] /var/run/docker/netns/ab\\040c rw shared:4 master:9 - nsfs nsfs rw',
      '47 22 0:21 / /proc rw,nosuid - proc proc rw',
      '',
    ].join('\n');
    expect(mountedNamespaces(mountinfo)).toEqual(new Map([[4026532177, 'net'], [4026532300, 'uts'], [4026532400, 'net']]));
  });
});
