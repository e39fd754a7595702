// @dropcap/format: the capture file (docs/capture-format.md), shared by the
// recorder (writer) and the analyzer (reader).
export {
  MAGIC,
  FORMAT_MAJOR,
  FORMAT_MINOR,
  FILE_HEADER_SIZE,
  BLOCK_HEADER_SIZE,
  MAX_BLOCK_LENGTH,
  MAX_RAW_LENGTH,
  BlockType,
  Codec,
  FLAG_CODEC_MASK,
  FLAG_SHUFFLED,
  LAST_KNOWN_BLOCK_TYPE,
  LAST_KNOWN_CODEC,
  MAX_DEFLATE_RATIO,
} from './constants.js';
export { CaptureFormatError, CaptureWriteError, type CaptureFormatErrorCode } from './errors.js';
export { packValue, unpackValue } from './msgpack.js';
export { shuffle, unshuffle } from './shuffle.js';
export {
  EVENT_LAYOUT_V1,
  EventFlags,
  validateLayout,
  findField,
  type RecordLayout,
  type LayoutField,
  type FieldType,
} from './record-layout.js';
export { encodeStacks, decodeStacks, type StackEntry } from './stacks.js';
export { encodeBody, decodeBody, type DeflateTuning } from './block-codec.js';
export { constantPlanes, splitPlanes, encodePlanes, decodePlanes, decodePlanesToRecords, type Planes, type PlanesToRecords } from './planes.js';
export { CaptureWriter, EVENTS_DEFLATE, fileHeader, type BlockOptions, type EventsOptions } from './writer.js';
export { CaptureReader, type DecodedBlock, type Damage, type DamageCause } from './reader.js';
