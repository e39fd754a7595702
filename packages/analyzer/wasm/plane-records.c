// SPDX-License-Identifier: MIT
/*
 * Records from the planes of a deflate-planes EVENTS body (codec 3,
 * docs/capture-format.md), compiled to WebAssembly with SIMD by
 * scripts/build-wasm.sh and driven by src/sqlite/plane-records.ts.
 *
 * A body stores byte p of every record as plane p: constant planes as one
 * byte, the others as `n` bytes each. Putting records back together is a
 * byte transpose, and in JavaScript it ran at ~0.6 GB/s: at 10M drops, 2 s
 * of the import's busiest thread. Here 16 planes x 16 records are loaded
 * as 16 vectors and transposed in registers (4 rounds of byte interleaves),
 * and each vector is then 16 bytes of one record. A constant plane is
 * loaded from 16 copies of its byte, so it costs what a varying one does
 * and no full plane layout is ever written.
 *
 * Freestanding: no libc. One buffer in this module's memory holds the
 * caller's varying planes, then the records, and grows when a body needs it.
 */
#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

typedef uint8_t u8;
typedef uint32_t u32;

#define WASM_PAGE 65536u
#define MAX_PLANES 65536u /* a RECORD_LAYOUT record is at most this size (record-layout.ts) */
#define LANES 16u

extern u8 __heap_base;

static u8 *buffer;
static size_t buffer_bytes;

/*
 * Room for `bytes` at the start of the buffer, as an address (0 when the
 * memory cannot grow). Growing moves nothing: what was there is the
 * caller's to write again.
 */
EXPORT(pr_reserve) u8 *pr_reserve(u32 bytes)
{
	const uintptr_t start = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
	const uintptr_t have = __builtin_wasm_memory_size(0) * (uintptr_t)WASM_PAGE;
	const uintptr_t end = start + bytes;

	if (end < start)
		return 0;
	if (end > have && __builtin_wasm_memory_grow(0, (end - have + WASM_PAGE - 1) / WASM_PAGE) == (size_t)-1)
		return 0;
	buffer = (u8 *)start;
	buffer_bytes = bytes;
	return buffer;
}

/* Per plane: where its bytes start, and 0 (constant) or ~0 (varying) to mask the record index with. */
static const u8 *plane_at[MAX_PLANES + LANES];
static u32 plane_step[MAX_PLANES + LANES];
/* 16 copies of each constant plane's byte, and of 0 for the planes past a record's end */
static u8 splats[(MAX_PLANES + LANES) * LANES] __attribute__((aligned(16)));

/* 4 rounds of this interleave transpose 16 vectors of 16 bytes: each round rotates the (vector, byte) index bits by one. */
static inline void interleave_round(v128_t v[16])
{
	v128_t t[16];

	for (u32 i = 0; i < 8; i++) {
		t[2 * i] = wasm_i8x16_shuffle(v[i], v[i + 8], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
		t[2 * i + 1] = wasm_i8x16_shuffle(v[i], v[i + 8], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
	}
	for (u32 i = 0; i < 16; i++)
		v[i] = t[i];
}

/*
 * The `n` records of `size` bytes of a body, into the buffer after
 * `varying_bytes` (rounded up to 16), 16 spare bytes after them.
 * `bitmap` (ceil(size / 8) bytes) marks the constant planes, whose bytes
 * are `values` in plane order; the varying planes are at the start of the
 * buffer, `n` bytes each, in plane order. Returns where the records are,
 * or 0 if the buffer reserved is too small or `size` is out of range.
 */
EXPORT(pr_records) u8 *pr_records(u32 n, u32 size, const u8 *bitmap, const u8 *values, u32 varying_bytes)
{
	const size_t records_at = ((size_t)varying_bytes + 15) & ~(size_t)15;
	const u32 groups = (size + LANES - 1) / LANES;
	u8 *out;
	u32 varying = 0, constant = 0;

	if (size == 0 || size > MAX_PLANES)
		return 0;
	if (records_at + (size_t)n * size + LANES > buffer_bytes)
		return 0;
	out = buffer + records_at;
	for (u32 p = 0; p < groups * LANES; p++) {
		const int is_constant = p >= size || ((bitmap[p >> 3] >> (p & 7)) & 1);

		if (is_constant) {
			const u8 value = p < size ? values[constant++] : 0;

			for (u32 k = 0; k < LANES; k++)
				splats[p * LANES + k] = value;
			plane_at[p] = splats + p * LANES;
			plane_step[p] = 0;
		} else {
			plane_at[p] = buffer + (size_t)varying++ * n;
			plane_step[p] = ~0u;
		}
	}
	if ((size_t)varying * n > varying_bytes)
		return 0;

	const u32 whole = n & ~(LANES - 1);
	for (u32 r = 0; r < whole; r += LANES) {
		/*
		 * The last group first: its 16-byte stores run past the end of
		 * a record whose size is not a multiple of 16, into the next
		 * record's first bytes, which group 0 writes afterwards.
		 */
		for (u32 g = groups; g-- > 0;) {
			v128_t v[16];

			for (u32 i = 0; i < LANES; i++) {
				const u32 p = g * LANES + i;

				v[i] = wasm_v128_load(plane_at[p] + (r & plane_step[p]));
			}
			interleave_round(v);
			interleave_round(v);
			interleave_round(v);
			interleave_round(v);
			for (u32 j = 0; j < LANES; j++)
				wasm_v128_store(out + (size_t)(r + j) * size + g * LANES, v[j]);
		}
	}
	/* the last records, byte by byte */
	for (u32 r = whole; r < n; r++)
		for (u32 p = 0; p < size; p++)
			out[(size_t)r * size + p] = plane_at[p][r & plane_step[p]];
	return out;
}
