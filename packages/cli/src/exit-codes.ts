// Exit codes of the dropcap command, documented in README.md.
export const EXIT_OK = 0;
/** the command failed: unreadable capture, kernel or I/O error */
export const EXIT_FAILURE = 1;
/** bad flags or arguments */
export const EXIT_USAGE = 2;
/** recording needs privileges this process does not have */
export const EXIT_PRIVILEGES = 3;
/** the command ran but data was lost (recorder: disk full, events lost on write) */
export const EXIT_DATA_LOSS = 4;
