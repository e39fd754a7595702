// Fixed numbers of capture format v1 (docs/capture-format.md).

/** File magic: ASCII "DROPCAP" and a NUL. */
export const MAGIC: Buffer = Buffer.from('DROPCAP\0', 'latin1');
export const FORMAT_MAJOR = 1;
/** 1: codec 3 (deflate-planes); a 1.0 reader skips such blocks as unknown */
export const FORMAT_MINOR = 1;
export const FILE_HEADER_SIZE = 16;
export const BLOCK_HEADER_SIZE = 20;
/** Largest stored body a reader accepts: bounds the memory one block may take. */
export const MAX_BLOCK_LENGTH = 64 * 1024 * 1024;
/** Largest decoded body: the output limit given to inflate/brotli (decompression bombs). */
export const MAX_RAW_LENGTH = 256 * 1024 * 1024;

export enum BlockType {
  Header = 1,
  RecordLayout,
  Reasons,
  Kallsyms,
  Interfaces,
  Clocks,
  Stacks,
  Events,
  Stats,
  End,
}

/** Highest block type this version knows; higher ones are skipped by consumers. */
export const LAST_KNOWN_BLOCK_TYPE = BlockType.End;

export enum Codec {
  None = 0,
  Deflate = 1,
  Brotli = 2,
  /** shuffled EVENTS only: constant planes as one byte each, the others deflated (planes.ts) */
  DeflatePlanes = 3,
}

/**
 * Deflate expands at most ~1032:1 (a 258-byte match in 2 bits). A body
 * declaring more decoded bytes than this times its stored size cannot be
 * deflate: refused before anything is allocated. Codec 3, which could
 * expand without bound (a constant plane is one stored byte), is held to
 * the same ratio, so a capture's decode work stays proportional to its size.
 */
export const MAX_DEFLATE_RATIO = 1032;

/** Highest codec this version decodes; blocks with a higher one are skipped like unknown types. */
export const LAST_KNOWN_CODEC = Codec.DeflatePlanes;

/** Block header flags: bits 0-3 codec, bit 4 byte-shuffled records. */
export const FLAG_CODEC_MASK = 0x0f;
export const FLAG_SHUFFLED = 0x10;
