// SPDX-License-Identifier: MIT
/*
 * Leaf pages of a SQLite table b-tree, for the import's biggest tables,
 * compiled to WebAssembly by scripts/build-wasm.sh and driven by
 * src/sqlite/btree-pages.ts (which also writes the interior pages above).
 *
 * The format is SQLite's documented one (https://www.sqlite.org/fileformat2.html,
 * "B-tree Pages" and "Record Format"); only what these tables need is
 * written: rowid tables, records of integers, reals and NULLs small enough
 * to need no overflow page, leaves filled in ascending rowid order. Every
 * value is stored as SQLite itself would store it: an integral value that
 * an int64 holds is an INTEGER in the fewest bytes (0 and 1 in none, file
 * format 4), another number a REAL, a NaN a NULL.
 *
 * In JavaScript this cost ~0.2 us a row, the largest part of what the
 * database thread did in a 10M-drop import.
 *
 * Pages are filled one after another into a chunk of CHUNK_PAGES, which the
 * caller writes out whole when it is full (bl_add_rows() stops there).
 */
#include <stddef.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(#name)))

typedef uint8_t u8;
typedef uint32_t u32;
typedef int64_t s64;

#define LEAF_TABLE 0x0d
#define LEAF_HEADER 8
#define CHUNK_PAGES 256
#define MAX_ROWS 512
#define MAX_COLUMNS 126 /* a one-byte record header: 1 + columns < 128 */
#define MAX_PAGE 65536

enum {
	ERR_ORDER = -1,	 /* rowid not above the last one */
	ERR_PAYLOAD = -2, /* a record that needs overflow pages */
	ERR_SHAPE = -3,	 /* a page size or column count not supported */
};

/* Everything lives in static memory: one writer per module instance. */
static u8 chunk[CHUNK_PAGES * MAX_PAGE];
static double last_rowids[CHUNK_PAGES];
/* rows to add: MAX_ROWS rows of `columns` doubles; for bl_add_big_row, row 0
 * with bigs[i] in place of column i where is_big[i] */
static double values[MAX_ROWS * MAX_COLUMNS];
static s64 bigs[MAX_COLUMNS];
static u8 is_big[MAX_COLUMNS];

static u32 page_size, columns, rowid_column;
static u32 pages;	/* full pages in the chunk */
static u32 cells;	/* cells on the page being filled (chunk page `pages`) */
static u32 content_start;
static double last_rowid;

static const u8 serial_size[10] = { 0, 1, 2, 3, 4, 6, 8, 8, 0, 0 };

EXPORT(bl_values) double *bl_values(void) { return values; }
EXPORT(bl_bigs) s64 *bl_bigs(void) { return bigs; }
EXPORT(bl_is_big) u8 *bl_is_big(void) { return is_big; }
EXPORT(bl_chunk) u8 *bl_chunk(void) { return chunk; }
EXPORT(bl_last_rowids) double *bl_last_rowids(void) { return last_rowids; }
EXPORT(bl_pages) u32 bl_pages(void) { return pages; }
EXPORT(bl_max_rows) u32 bl_max_rows(void) { return MAX_ROWS; }

/* Starts the writer: `cols` columns, column 0 the INTEGER PRIMARY KEY (the rowid) with `rowid_col`. */
EXPORT(bl_init) int bl_init(u32 size, u32 cols, u32 rowid_col)
{
	if (size < 512 || size > MAX_PAGE || (size & (size - 1)) || cols == 0 || cols > MAX_COLUMNS)
		return ERR_SHAPE;
	page_size = size;
	columns = cols;
	rowid_column = rowid_col != 0;
	pages = 0;
	cells = 0;
	content_start = size;
	last_rowid = 0;
	return 0;
}

static u32 varint_length(uint64_t v)
{
	u32 n = 1;

	while (v >= 128 && n < 9) {
		v >>= 7;
		n++;
	}
	return n;
}

/* 7 bits a byte, most significant first, the high bit on all but the last (values below 2^56) */
static u8 *put_varint(u8 *o, uint64_t v)
{
	const u32 n = varint_length(v);

	for (u32 i = n; i-- > 0; v >>= 7)
		o[i] = (u8)((v & 0x7f) | (i == n - 1 ? 0 : 0x80));
	return o + n;
}

static u8 int_type(s64 x)
{
	if (x == 0)
		return 8;
	if (x == 1)
		return 9;
	if (x >= -128 && x <= 127)
		return 1;
	if (x >= -32768 && x <= 32767)
		return 2;
	if (x >= -8388608 && x <= 8388607)
		return 3;
	if (x >= -2147483648LL && x <= 2147483647LL)
		return 4;
	if (x >= -(1LL << 47) && x < (1LL << 47))
		return 5;
	return 6;
}

/* 2^63 as a double: the first whole double an int64 does not hold */
#define TWO_63 9223372036854775808.0

static int whole(double v)
{
	return v == __builtin_trunc(v) && v >= -TWO_63 && v < TWO_63;
}

static u8 real_type(double v)
{
	if (v != v)
		return 0; /* NaN: NULL, as SQLite stores it */
	return whole(v) ? int_type((s64)v) : 7;
}

static u8 *put_be(u8 *o, uint64_t x, u32 bytes)
{
	for (u32 i = bytes; i-- > 0; x >>= 8)
		o[i] = (u8)x;
	return o + bytes;
}

static u8 *put_value(u8 *o, u8 type, double v, s64 big, int is_int64)
{
	if (type == 0 || type >= 8)
		return o;
	if (type == 7) {
		uint64_t bits;

		__builtin_memcpy(&bits, &v, 8);
		return put_be(o, bits, 8);
	}
	return put_be(o, (uint64_t)(is_int64 ? big : (s64)v), serial_size[type]);
}

/* Hands on the page being filled: completes its header and clears its gap. */
static void finish_page(void)
{
	u8 *page = chunk + (size_t)pages * page_size;
	const u32 end = LEAF_HEADER + 2 * cells;

	__builtin_memset(page + end, 0, content_start - end);
	page[0] = LEAF_TABLE;
	page[1] = page[2] = 0; /* no freeblock */
	page[3] = (u8)(cells >> 8);
	page[4] = (u8)cells;
	page[5] = content_start == 65536 ? 0 : (u8)(content_start >> 8);
	page[6] = content_start == 65536 ? 0 : (u8)content_start;
	page[7] = 0; /* no fragmented bytes: cells are packed to the page's end */
	last_rowids[pages++] = last_rowid;
	cells = 0;
	content_start = page_size;
}

/*
 * Adds one row (`vals`, with bigs where is_big and `big` set). Returns 1,
 * 0 when the chunk is full (the caller drains it and calls again), or an
 * error.
 */
static int add_row(double rowid, const double *vals, int big)
{
	/* locals, not the globals: the byte stores below may alias any global */
	const u32 ncols = columns, header = 1 + ncols;
	u8 t[MAX_COLUMNS];
	u32 body = 0, payload, cell, ptr, start;
	u8 *page, *o;

	if (!(rowid > last_rowid && rowid <= 9007199254740991.0 && rowid == __builtin_trunc(rowid)))
		return ERR_ORDER;
	for (u32 i = 0; i < ncols; i++) {
		u8 type;

		if (i == 0 && rowid_column)
			type = 0; /* SQLite keeps the INTEGER PRIMARY KEY as the rowid, NULL in the record */
		else if (big && is_big[i])
			type = int_type(bigs[i]);
		else
			type = real_type(vals[i]);
		t[i] = type;
		body += serial_size[type];
	}
	payload = header + body;
	if (payload > page_size - 35)
		return ERR_PAYLOAD;
	cell = varint_length(payload) + varint_length((uint64_t)rowid) + payload;
	if (LEAF_HEADER + 2 * (cells + 1) > content_start - cell) {
		if (pages == CHUNK_PAGES)
			return 0;
		finish_page();
	}
	if (pages == CHUNK_PAGES)
		return 0;
	page = chunk + (size_t)pages * page_size;
	start = content_start - cell;
	ptr = LEAF_HEADER + 2 * cells;
	content_start = start;
	cells++;
	last_rowid = rowid;
	page[ptr] = (u8)(start >> 8);
	page[ptr + 1] = (u8)start;
	o = page + start;
	o = put_varint(o, payload);
	o = put_varint(o, (uint64_t)rowid);
	*o++ = (u8)header;
	for (u32 i = 0; i < ncols; i++)
		o[i] = t[i];
	o += ncols;
	for (u32 i = 0; i < ncols; i++)
		o = put_value(o, t[i], vals[i], big ? bigs[i] : 0, big && is_big[i]);
	return 1;
}

/*
 * Adds `count` rows (at most MAX_ROWS) from `values`: their rowids are
 * column 0 with a rowid column, else first_rowid, first_rowid + 1, ...
 * Returns how many it added (fewer when the chunk filled: the caller
 * drains it and adds the rest), or an error.
 */
EXPORT(bl_add_rows) int bl_add_rows(u32 count, double first_rowid)
{
	if (count > MAX_ROWS)
		count = MAX_ROWS;
	for (u32 r = 0; r < count; r++) {
		const double *vals = values + (size_t)r * columns;
		const int added = add_row(rowid_column ? vals[0] : first_rowid + r, vals, 0);

		if (added <= 0)
			return added < 0 ? added : (int)r;
	}
	return (int)count;
}

/* Adds row 0 of `values` with int64s from `bigs` where is_big: 1, 0 (chunk full), or an error. */
EXPORT(bl_add_big_row) int bl_add_big_row(double rowid)
{
	return add_row(rowid, values, 1);
}

/* Completes the page being filled, if it holds a row. */
EXPORT(bl_flush) void bl_flush(void)
{
	if (cells > 0 && pages < CHUNK_PAGES)
		finish_page();
}

/* Empties the chunk, once the caller has written its `bl_pages()` pages out. */
EXPORT(bl_drain) void bl_drain(void)
{
	pages = 0;
}
