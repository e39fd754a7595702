// `dropcap reasons`: the drop reasons this kernel knows, from its BTF.
// Names and numbers differ between kernels; filters take these names.
import type { CommandModule } from 'yargs';
import { dropReasonEnums } from '../kernel/btf.js';
import { loadVmlinuxBtf } from '../kernel/features.js';

export const reasonsCommand: CommandModule = {
  command: 'reasons',
  describe: "list this kernel's drop reasons (names for --reason)",
  builder: (y) => y.example('$0 reasons | grep TCP_', 'the TCP-state reasons'),
  handler: () => {
    const btf = loadVmlinuxBtf();
    if (!btf) throw Object.assign(new Error('this kernel has no BTF (/sys/kernel/btf/vmlinux): its drop reasons cannot be listed'), { code: 'ENOBTF' });
    const enums = dropReasonEnums([btf]);
    for (const [enumName, values] of Object.entries(enums)) {
      for (const [name, value] of values) {
        process.stdout.write(`${String(value).padStart(10)}  ${name.replace(/^SKB_DROP_REASON_/, '')}  (${enumName})\n`);
      }
    }
  },
};
