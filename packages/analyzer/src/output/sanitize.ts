/**
 * Strings that come from a capture (comm, interface names, anything a query
 * selects) are untrusted: a recorded task can name itself with an escape
 * sequence that recolours, retitles or rewrites the analyst's terminal.
 * Before such a string reaches a terminal it goes through sanitizeTerminal.
 */

// ESC-introduced sequences (CSI, OSC, DCS, SOS/PM/APC and two-byte escapes)
// are removed whole, so their parameters do not leak out as visible junk.
const ESCAPE_SEQUENCE =
  // CSI: ESC [ params intermediates final
  /\u001b\[[0-?]*[ -/]*[@-~]?|\u001b[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|$)|\u001b[ -/]*[0-~]?/g;
// 8-bit C1 introducers (U+009B is CSI, U+009D is OSC) behave like ESC [ and
// ESC ] on some terminals, so their sequences go too.
const C1_SEQUENCE = /\u009b[0-?]*[ -/]*[@-~]?|[\u0090\u0098\u009d\u009e\u009f][\s\S]*?(?:\u0007|\u009c|\u001b\\|$)/g;
// What is left of C0/C1 controls, DEL, and the bidirectional overrides that
// can make text display in a different order than it is stored.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// Any character that could start or be part of a sequence; most strings
// have none and skip the replacements (list formats millions of fields).
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Removes escape sequences and control characters; visible text is kept. */
export function sanitizeTerminal(s: string): string {
  if (!SUSPECT.test(s)) return s;
  return s.replace(ESCAPE_SEQUENCE, '').replace(C1_SEQUENCE, '').replace(CONTROL, '');
}
