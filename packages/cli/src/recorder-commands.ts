// The recorder is optional: an analyzer-only install (no native addon, no
// BPF toolchain) must still run `dropcap analyze`. Its commands are loaded
// when present and replaced by an explanation when not.
import type { CommandModule } from 'yargs';

const RECORDER_ONLY = ['record', 'demo', 'reasons'] as const;

export async function loadRecorderCommands(): Promise<CommandModule[]> {
  try {
    const recorder = await import('@dropcap/recorder');
    return recorder.recorderCommands as CommandModule[];
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    return RECORDER_ONLY.map((name) => ({
      command: `${name} [args..]`,
      describe: `(unavailable: this install has no recorder)`,
      // accept the recorder's usual flags so the user hears what is missing,
      // not that -w is an unknown argument
      builder: (y) => y.strict(false).parserConfiguration({ 'unknown-options-as-args': true }),
      handler: () => {
        const e = new Error(`'dropcap ${name}' needs the recorder package, which is not installed here (${why}); this install can only analyze captures`) as Error & { code: string };
        e.code = 'ENORECORDER';
        throw e;
      },
    }));
  }
}
