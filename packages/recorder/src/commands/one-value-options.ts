// yargs turns a repeated option into an array (`--netns a --netns b` gives
// ['a', 'b']) and an option given without a value into '' (strings) or
// undefined (numbers). Options that take one value would then hand the
// kernel filter or the file system nonsense ("--netns a,b", "cannot write
// capture to : ..."), so each command checks them before doing anything.
import { UsageError } from './usage-error.js';

export interface OneValueOption {
  /** the flag as the user reads it in --help, e.g. '-w' or '--netns' */
  flag: string;
  /** what the value is, for "FLAG needs ..."; omitted for options whose missing value yargs reports (choices) */
  needs?: string;
}

export function checkOneValueEach(argv: Record<string, unknown>, options: Readonly<Record<string, OneValueOption>>): void {
  for (const [name, { flag, needs }] of Object.entries(options)) {
    const value = argv[name];
    if (Array.isArray(value)) {
      throw new UsageError(`${flag} was given more than once (${value.join(', ')}): give it once`);
    }
    // a number option without a value is present in argv as undefined
    if (needs !== undefined && (value === '' || (value === undefined && Object.hasOwn(argv, name)))) {
      throw new UsageError(`${flag} needs ${needs}`);
    }
  }
}
