// SPDX-License-Identifier: MIT
/*
 * The import's per-drop lookups, compiled to WebAssembly by
 * scripts/build-wasm.sh and driven by src/sqlite/drop-keys.ts.
 *
 * Every drop of a capture is recognized by its raw bytes: three key tables
 * give the ids of its _who, _what and _task (each a fixed set of masked
 * 32-bit words of the record), and a fourth finds its group by (who, what)
 * and counts the drop there. In JavaScript this cost ~0.7 us a drop at 10M
 * diverse drops: ~3 ns per key word (bounds checks around a serial hash
 * chain) and two dependent cache misses per group. Here it is plain loads
 * and multiplies.
 *
 * The module decides no ids: a record whose key is new stops the batch, the
 * caller decodes and interns it, hands back its id and resumes. Groups are
 * the exception; they need nothing decoded, so a new one is numbered here
 * (0, 1, ... in the order first met) and the caller writes its row after
 * the batch. Last, each drop's _drop row is packed here from its ids, time
 * and raw seq/window/ack/len (src/sqlite/packing.ts has the packing).
 *
 * Freestanding: no libc. Tables live in this module's linear memory, sized
 * in powers of two; a table that grows hands its old block to a free list.
 */
#include <stddef.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(#name)))

typedef uint8_t u8;
typedef uint32_t u32;
typedef int32_t s32;

/* ----------------------------------------------------------------- memory */

extern u8 __heap_base;

#define WASM_PAGE 65536u
#define MIN_ORDER 4  /* 16 bytes: every block is 16-byte aligned */
#define MAX_ORDER 31 /* 2 GiB */

static uintptr_t heap_end;
static void *free_lists[MAX_ORDER + 1];

static u32 order_of(size_t bytes)
{
	u32 o = MIN_ORDER;

	while (o <= MAX_ORDER && ((size_t)1 << o) < bytes)
		o++;
	return o;
}

/* A zeroed block of at least `bytes`, or NULL when memory cannot grow. */
static void *mem_alloc(size_t bytes)
{
	u32 o = order_of(bytes);
	size_t size;
	uintptr_t start, end, have;
	void *p;

	if (o > MAX_ORDER)
		return NULL;
	size = (size_t)1 << o;
	p = free_lists[o];
	if (p) {
		free_lists[o] = *(void **)p;
		__builtin_memset(p, 0, size);
		return p;
	}
	if (!heap_end)
		heap_end = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
	start = heap_end;
	end = start + size;
	if (end < start)
		return NULL;
	have = __builtin_wasm_memory_size(0) * (uintptr_t)WASM_PAGE;
	if (end > have &&
	    __builtin_wasm_memory_grow(0, (end - have + WASM_PAGE - 1) / WASM_PAGE) == (size_t)-1)
		return NULL;
	heap_end = end;
	/* pages new to the memory are zero; only reused blocks need clearing */
	return (void *)start;
}

static void mem_free(void *p, size_t bytes)
{
	u32 o = order_of(bytes);

	if (!p)
		return;
	*(void **)p = free_lists[o];
	free_lists[o] = p;
}

EXPORT(dk_alloc) void *dk_alloc(u32 bytes) { return mem_alloc(bytes); }
EXPORT(dk_free) void dk_free(void *p, u32 bytes) { mem_free(p, bytes); }

/* ------------------------------------------------------------------ hashing */

/*
 * Keys are hashed as seed + sum(word[j] * mult[j]) mod 2^64, high half
 * kept, then mixed. The multipliers and the seed are random, given by the
 * caller (dk_seed) from the system's generator: a capture is untrusted
 * input, and one crafted so that its keys collide in a hash known in
 * advance would make every lookup walk the whole table. The products do
 * not wait for one another, so this costs no more than the fixed
 * multiply-and-rotate chain it replaced (measured).
 */
#define HASH_MULTS 64u

static uint64_t hash_mult[HASH_MULTS];
static uint64_t hash_seed;

/* Takes HASH_MULTS + 1 random 64-bit values: the multipliers (made odd), then the seed. */
EXPORT(dk_seed) void dk_seed(const uint64_t *random)
{
	for (u32 i = 0; i < HASH_MULTS; i++)
		hash_mult[i] = random[i] | 1;
	hash_seed = random[HASH_MULTS];
}

static inline u32 finish(u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

/* Records may sit at any byte offset: wasm loads need no alignment. */
static inline u32 load32(const u8 *p)
{
	u32 x;

	__builtin_memcpy(&x, p, 4);
	return x;
}

/* ---------------------------------------------------------------- key maps */

/*
 * Raw record bytes -> id. Each slot is 1 + words u32s: 1 + id (0: empty),
 * then the key words, side by side so that a lookup misses the cache once.
 */
struct keymap {
	u32 words;
	u32 *offs;	/* byte offset of each key word in a record */
	u32 *masks;	/* the key's bytes in that word */
	u32 *pending;	/* key of the last missed lookup */
	u32 *table;
	u32 slots;	/* a power of two, kept under half full */
	u32 size;
	u32 probe;	/* slot the last missed lookup ended on */
	s32 last;	/* slot of the last record found: drops come in runs */
};

static size_t table_bytes(u32 slots, u32 words)
{
	return (size_t)slots * (words + 1) * sizeof(u32);
}

#define KEYMAP_SLOTS 1024u

/*
 * A map of records keyed by `words` masked words: their byte offsets and
 * masks are at `offs` and `masks` (the caller's, copied). NULL when out of
 * memory or asked for no words.
 */
EXPORT(dk_keymap_new) struct keymap *dk_keymap_new(u32 words, const u32 *offs, const u32 *masks)
{
	struct keymap *m;

	if (words == 0 || words > (1u << 16))
		return NULL;
	m = mem_alloc(sizeof(*m));
	if (!m)
		return NULL;
	m->words = words;
	m->offs = mem_alloc(words * sizeof(u32));
	m->masks = mem_alloc(words * sizeof(u32));
	m->pending = mem_alloc(words * sizeof(u32));
	m->slots = KEYMAP_SLOTS;
	m->table = mem_alloc(table_bytes(m->slots, words));
	m->last = -1;
	if (!m->offs || !m->masks || !m->pending || !m->table)
		return NULL;
	for (u32 j = 0; j < words; j++) {
		m->offs[j] = offs[j];
		m->masks[j] = masks[j];
	}
	return m;
}

EXPORT(dk_keymap_size) u32 dk_keymap_size(const struct keymap *m) { return m->size; }

/* Forgets every key (ids already handed out stay valid). */
EXPORT(dk_keymap_clear) void dk_keymap_clear(struct keymap *m)
{
	__builtin_memset(m->table, 0, table_bytes(m->slots, m->words));
	m->size = 0;
	m->last = -1;
}

static u32 slot_hash(const u32 *key, u32 n)
{
	uint64_t acc = hash_seed;

	for (u32 j = 0; j < n; j++)
		acc += key[j] * hash_mult[j & (HASH_MULTS - 1)];
	return finish((u32)(acc >> 32));
}

/* The hash slot_hash() gives the `n` words at `key` (tests: each instance hashes differently). */
EXPORT(dk_slot_hash) u32 dk_slot_hash(const u32 *key, u32 n) { return slot_hash(key, n); }

/* The key of the record at `rec`, into m->pending. */
static void keymap_key(struct keymap *m, const u8 *rec)
{
	const u32 *offs = m->offs, *masks = m->masks;
	u32 *key = m->pending;

	for (u32 j = 0; j < m->words; j++)
		key[j] = load32(rec + offs[j]) & masks[j];
}

/* The hash of the key of the record at `rec`, the key kept in m->pending. */
static u32 keymap_hash(struct keymap *m, const u8 *rec)
{
	keymap_key(m, rec);
	return slot_hash(m->pending, m->words);
}

/* 1 + id of the key in m->pending, of hash `h`; or 0, its slot kept for a following set. */
static u32 keymap_find(struct keymap *m, u32 h)
{
	const u32 n = m->words, stride = n + 1, mask = m->slots - 1;
	const u32 *key = m->pending;

	for (u32 i = h & mask;; i = (i + 1) & mask) {
		const u32 *e = m->table + i * stride;
		u32 j = 0;
		if (e[0] == 0) {
			m->probe = i;
			return 0;
		}
		while (j < n && e[1 + j] == key[j])
			j++;
		if (j == n) {
			m->last = (s32)i;
			return e[0];
		}
	}
}

/* 1 + id of the record at `rec`, or 0 (its key kept for a following set). */
static u32 keymap_get(struct keymap *m, const u8 *rec)
{
	const u32 n = m->words;

	if (m->last >= 0) {
		const u32 *e = m->table + (u32)m->last * (n + 1);
		u32 j = 0;

		while (j < n && (load32(rec + m->offs[j]) & m->masks[j]) == e[1 + j])
			j++;
		if (j == n)
			return e[0];
	}
	return keymap_find(m, keymap_hash(m, rec));
}

static int keymap_grow(struct keymap *m)
{
	const u32 n = m->words, stride = n + 1, slots = m->slots * 2, mask = slots - 1;
	u32 *old = m->table, *t;

	if (slots == 0 || table_bytes(slots, n) / stride / sizeof(u32) != slots)
		return -1;
	t = mem_alloc(table_bytes(slots, n));
	if (!t)
		return -1;
	for (u32 s = 0; s < m->slots; s++) {
		const u32 *e = old + s * stride;
		u32 i;

		if (e[0] == 0)
			continue;
		i = slot_hash(e + 1, n) & mask;
		while (t[i * stride] != 0)
			i = (i + 1) & mask;
		for (u32 j = 0; j < stride; j++)
			t[i * stride + j] = e[j];
	}
	mem_free(old, table_bytes(m->slots, n));
	m->table = t;
	m->slots = slots;
	m->last = -1; /* slots moved */
	return 0;
}

/*
 * Stores `id` under the key of the last lookup of `m` that missed (the
 * caller resumes at that record). -1 when the table cannot grow.
 */
EXPORT(dk_keymap_set) int dk_keymap_set(struct keymap *m, u32 id)
{
	u32 *e = m->table + m->probe * (m->words + 1);

	if (id >= 0x7fffffffu)
		return -1;
	e[0] = id + 1;
	for (u32 j = 0; j < m->words; j++)
		e[1 + j] = m->pending[j];
	if (++m->size * 2 > m->slots)
		return keymap_grow(m);
	return 0;
}

/* Which map the last dk_classify() stopped at: 0 who, 1 what, 2 task. */
static u32 missed_map;

EXPORT(dk_missed) u32 dk_missed(void) { return missed_map; }

#define PASS 512u

/* ------------------------------------------------------------- group rows */

/*
 * A new group's _group row (capture-importer.ts #groupRow): group_id,
 * who_id, what_id, capture_id, time_base, the who's 9 columns and the
 * what's 4, as doubles (NaN: NULL). The caller gives each who's and what's
 * columns when it interns them, and the rest once a pass.
 */
#define WHO_COLUMNS 9
#define WHAT_COLUMNS 4
#define GROUP_ROW (5 + WHO_COLUMNS + WHAT_COLUMNS)

static double *who_columns, *what_columns;
static u32 who_room, what_room;
/* group_id of group 0, who_id of who 0, what_id of what 0, capture_id, time_base */
static double row_base[5];
/* the rows of the groups the last dk_count_groups() created, in order */
static double *group_rows;

/* Makes room for `index` in a table of `columns` doubles a row; NULL when out of memory. */
static double *column_row(double **table, u32 *room, u32 index, u32 columns)
{
	if (index >= (1u << 26))
		return NULL;
	if (index >= *room) {
		u32 rows = *room ? *room : 1024;
		double *bigger;

		while (rows <= index)
			rows *= 2;
		bigger = mem_alloc((size_t)rows * columns * sizeof(double));
		if (!bigger)
			return NULL;
		if (*table) {
			__builtin_memcpy(bigger, *table, (size_t)*room * columns * sizeof(double));
			mem_free(*table, (size_t)*room * columns * sizeof(double));
		}
		*table = bigger;
		*room = rows;
	}
	return *table + (size_t)index * columns;
}

/* Where to write who `who`'s 9 _group columns (NULL when out of memory). */
EXPORT(dk_who_columns) double *dk_who_columns(u32 who) { return column_row(&who_columns, &who_room, who, WHO_COLUMNS); }
/* Where to write what `what`'s 4 _group columns (NULL when out of memory). */
EXPORT(dk_what_columns) double *dk_what_columns(u32 what) { return column_row(&what_columns, &what_room, what, WHAT_COLUMNS); }

/* The first five columns of the rows to come: the ids of group, who and what 0, the capture and its time base. */
EXPORT(dk_set_group_row_base) void dk_set_group_row_base(double first_group, double first_who, double first_what,
							 double capture, double time_base)
{
	row_base[0] = first_group;
	row_base[1] = first_who;
	row_base[2] = first_what;
	row_base[3] = capture;
	row_base[4] = time_base;
}

/* The rows of the groups the last dk_count_groups() created, GROUP_ROW doubles each. */
EXPORT(dk_group_rows) const double *dk_group_rows(void) { return group_rows; }

static void group_row(double *row, u32 index, s32 who, s32 what)
{
	const double *w = who_columns + (size_t)who * WHO_COLUMNS, *t = what_columns + (size_t)what * WHAT_COLUMNS;

	row[0] = row_base[0] + index;
	row[1] = row_base[1] + who;
	row[2] = row_base[2] + what;
	row[3] = row_base[3];
	row[4] = row_base[4];
	for (u32 i = 0; i < WHO_COLUMNS; i++)
		row[5 + i] = w[i];
	for (u32 i = 0; i < WHAT_COLUMNS; i++)
		row[5 + WHO_COLUMNS + i] = t[i];
}

/* Keeps the loads of dk_count_groups()'s touch pass from being optimized away. */
static volatile u32 touch_sink;

/* The who hashes of the records of the pass, from dk_prepare(). */
static u32 who_hashes[PASS];

/*
 * Readies a pass of `count` records (at most PASS) of `size` bytes from
 * `recs` for dk_classify(): hashes each one's who key, then, in a loop of
 * its own, loads the entry each hash points to. With tens of thousands of
 * flows the who table outgrows the CPU caches (and their TLB), and a loop
 * that does nothing but those loads lets the CPU wait for many of their
 * misses at once.
 */
EXPORT(dk_prepare) void dk_prepare(const u8 *recs, u32 size, u32 count, struct keymap *who)
{
	const u32 stride = who->words + 1, mask = who->slots - 1;
	u32 sink = 0;

	if (count > PASS)
		count = PASS;
	for (u32 p = 0; p < count; p++, recs += size)
		who_hashes[p] = keymap_hash(who, recs);
	/* an entry's key may run onto the next cache line: touch both ends */
	for (u32 p = 0; p < count; p++) {
		const u32 *e = who->table + (who_hashes[p] & mask) * stride;

		sink += e[0] + e[stride - 1];
	}
	touch_sink = sink;
}

/*
 * The who, what and (with a task map) task id of records `from` to `count`
 * of the pass dk_prepare() readied (`recs`: its first record), into the out
 * arrays at the same positions. Returns how far it got: short of
 * `count` when a record's key is new to one of the maps (dk_missed() says
 * which); the caller sets its id and calls again from that record.
 */
EXPORT(dk_classify) u32 dk_classify(const u8 *recs, u32 size, u32 from, u32 count,
				    struct keymap *who, struct keymap *what, struct keymap *task,
				    s32 *out_who, s32 *out_what, s32 *out_task)
{
	const u8 *rec = recs + (size_t)from * size;

	if (count > PASS)
		count = PASS;
	for (u32 p = from; p < count; p++, rec += size) {
		u32 a, b, c;

		/* the who key's hash is dk_prepare()'s */
		keymap_key(who, rec);
		a = keymap_find(who, who_hashes[p]);
		if (a == 0) {
			missed_map = 0;
			return p;
		}
		b = keymap_get(what, rec);
		if (b == 0) {
			missed_map = 1;
			return p;
		}
		if (task) {
			c = keymap_get(task, rec);
			if (c == 0) {
				missed_map = 2;
				return p;
			}
			out_task[p] = (s32)c - 1;
		}
		out_who[p] = (s32)a - 1;
		out_what[p] = (s32)b - 1;
	}
	return count;
}

/* ------------------------------------------------------------------ groups */

/*
 * A group's key and counts in one 32-byte record: with millions of groups a
 * drop's group is a cache miss wherever it lives, and this makes it one.
 * Times are ns after the capture's time base; NaN for a time kept as a
 * bigint (counted, but no first or last).
 */
struct group {
	s32 who;
	s32 what;
	double drops;
	double first;
	double last;
};

/*
 * A slot of the (who, what) -> group table: the group and the pair's hash.
 * A probe compares hashes, and reads a group's record only when they are
 * equal: at up to half full, one lookup in two passes a slot of another
 * group, and reading its record was a cache miss the CPU could not overlap.
 * The hash also places the slot again when the table grows.
 */
struct slot {
	u32 id;		/* 1 + group index, 0 for none */
	u32 hash;
};

struct groups {
	struct slot *slots;	/* kept under half full */
	u32 nslots;
	u32 keys;	/* keyed groups: the last `keys` records */
	struct group *recs;
	u32 size;
	u32 cap;
	u32 hashes[PASS];	/* the pass's pairs' hashes */
	u32 created[PASS];	/* the groups the pass created, in order */
};

#define GROUP_SLOTS 2048u
#define GROUP_RECS 1024u

static inline u32 hash_pair(u32 a, u32 b)
{
	return finish((u32)((hash_seed + a * hash_mult[0] + b * hash_mult[1]) >> 32));
}

EXPORT(dk_groups_new) struct groups *dk_groups_new(void)
{
	struct groups *g = mem_alloc(sizeof(*g));

	if (!g)
		return NULL;
	g->nslots = GROUP_SLOTS;
	g->slots = mem_alloc(g->nslots * sizeof(struct slot));
	g->cap = GROUP_RECS;
	g->recs = mem_alloc(g->cap * sizeof(struct group));
	return g->slots && g->recs ? g : NULL;
}

EXPORT(dk_groups_size) u32 dk_groups_size(const struct groups *g) { return g->size; }
/* The records, group 0 first: who, what (s32), drops, first, last (double). */
EXPORT(dk_groups_records) const struct group *dk_groups_records(const struct groups *g) { return g->recs; }

/* Later drops get new groups; the groups so far keep their counts. */
EXPORT(dk_groups_forget) void dk_groups_forget(struct groups *g)
{
	__builtin_memset(g->slots, 0, g->nslots * sizeof(struct slot));
	g->keys = 0;
}

static int groups_rehash(struct groups *g)
{
	const u32 nslots = g->nslots * 2, mask = nslots - 1;
	struct slot *slots;

	if (nslots == 0 || nslots > (1u << 28))
		return -1;
	slots = mem_alloc(nslots * sizeof(struct slot));
	if (!slots)
		return -1;
	/* in slot order: no record is read, and the new slots fill in ascending order too */
	for (u32 i = 0; i < g->nslots; i++) {
		const struct slot e = g->slots[i];
		u32 s;

		if (e.id == 0)
			continue;
		for (s = e.hash & mask; slots[s].id != 0; s = (s + 1) & mask)
			;
		slots[s] = e;
	}
	mem_free(g->slots, g->nslots * sizeof(struct slot));
	g->slots = slots;
	g->nslots = nslots;
	return 0;
}

static s32 groups_add(struct groups *g, u32 slot, u32 hash, s32 who, s32 what)
{
	struct group *r;
	u32 index;

	if (g->size == g->cap) {
		struct group *bigger;

		if (g->cap >= (1u << 26))
			return -1;
		bigger = mem_alloc((size_t)g->cap * 2 * sizeof(struct group));
		if (!bigger)
			return -1;
		__builtin_memcpy(bigger, g->recs, (size_t)g->size * sizeof(struct group));
		mem_free(g->recs, (size_t)g->cap * sizeof(struct group));
		g->recs = bigger;
		g->cap *= 2;
	}
	index = g->size++;
	r = &g->recs[index];
	r->who = who;
	r->what = what;
	r->drops = 0;
	r->first = __builtin_inf();
	r->last = -__builtin_inf();
	g->slots[slot] = (struct slot){ index + 1, hash };
	if (++g->keys * 2 > g->nslots && groups_rehash(g) < 0)
		return -1;
	return (s32)index;
}

/*
 * The _group rows of the `created` groups a pass created, into group_rows.
 * A new group's who is most often one not met for a while, its columns a
 * cache miss: loaded first in a loop of their own, the misses overlap.
 */
static void group_rows_of(const struct groups *g, u32 created)
{
	u32 sink = 0;

	for (u32 k = 0; k < created; k++) {
		/* bytes, not doubles: converting a NaN to an integer traps in WebAssembly */
		const u8 *w = (const u8 *)(who_columns + (size_t)g->recs[g->created[k]].who * WHO_COLUMNS);

		sink += load32(w) + load32(w + (WHO_COLUMNS - 1) * sizeof(double));
	}
	touch_sink = sink;
	for (u32 k = 0; k < created; k++) {
		const struct group *r = &g->recs[g->created[k]];

		group_row(group_rows + (size_t)k * GROUP_ROW, g->created[k], r->who, r->what);
	}
}

/*
 * The group of each of `count` (who, what) pairs into `out`, creating the
 * groups not met before (their _group rows into dk_group_rows(), in
 * order), and counts each drop with its time `t`. Returns 0, -1 when out
 * of memory, -2 for a who or what given no columns.
 *
 * First a pass that only loads each pair's slot, then one that loads its
 * record: alone in a short loop those loads do not wait for one another,
 * and the CPU overlaps their misses, which a lookup followed by a count
 * cannot.
 */
EXPORT(dk_count_groups) int dk_count_groups(struct groups *g, const s32 *who, const s32 *what,
					    const double *t, u32 count, s32 *out)
{
	u32 sink = 0, created = 0;

	if (count > PASS)
		return -1;
	if (!group_rows && !(group_rows = mem_alloc(PASS * GROUP_ROW * sizeof(double))))
		return -1;
	{
		const u32 mask = g->nslots - 1;

		for (u32 p = 0; p < count; p++) {
			const u32 h = hash_pair((u32)who[p], (u32)what[p]);

			g->hashes[p] = h;
			sink += g->slots[h & mask].id;
		}
		/* the slots are in the cache now: the record of the first one of the same hash */
		for (u32 p = 0; p < count; p++) {
			const u32 h = g->hashes[p];

			for (u32 s = h & mask; g->slots[s].id != 0; s = (s + 1) & mask) {
				if (g->slots[s].hash == h) {
					sink += (u32)g->recs[g->slots[s].id - 1].who;
					break;
				}
			}
		}
		touch_sink = sink;
	}
	for (u32 p = 0; p < count; p++) {
		const u32 mask = g->nslots - 1, h = g->hashes[p];
		const s32 a = who[p], b = what[p];
		const double tp = t[p];
		s32 found = -1;
		struct group *r;
		u32 s;

		for (s = h & mask;; s = (s + 1) & mask) {
			const struct slot e = g->slots[s];

			if (e.id == 0)
				break;
			if (e.hash == h && g->recs[e.id - 1].who == a && g->recs[e.id - 1].what == b) {
				found = (s32)e.id - 1;
				break;
			}
		}
		if (found < 0) {
			/* a who or what the caller gave no columns for makes no row */
			if ((u32)a >= who_room || (u32)b >= what_room)
				return -2;
			found = groups_add(g, s, h, a, b);
			if (found < 0)
				return -1;
			g->created[created++] = (u32)found;
		}
		out[p] = found;
		r = &g->recs[found];
		r->drops += 1;
		if (tp == tp) {
			if (tp < r->first)
				r->first = tp;
			if (tp > r->last)
				r->last = tp;
		}
	}
	group_rows_of(g, created);
	return 0;
}

/* ----------------------------------------------------------------- drop rows */

/* Where a number field of a record is: `size` 1, 2, 4 or 8 bytes (0: absent, read as 0). */
struct field {
	u32 off;
	u32 size;
};

enum { SEQ, WINDOW, ACK_SEQ, LEN, ROW_FIELDS };

static struct field row_fields[ROW_FIELDS];

/* A field as JavaScript reads it: a u64 as low + high * 2^32 (a double). */
static double read_uint(const u8 *rec, struct field f)
{
	switch (f.size) {
	case 1:
		return rec[f.off];
	case 2:
		return (u32)rec[f.off] | (u32)rec[f.off + 1] << 8;
	case 4:
		return load32(rec + f.off);
	case 8:
		return (double)load32(rec + f.off) + (double)load32(rec + f.off + 4) * 4294967296.0;
	default:
		return 0;
	}
}

/* Where seq, window, ack_seq and len are in a record (offset, size pairs). */
EXPORT(dk_set_row_fields) void dk_set_row_fields(u32 seq_off, u32 seq_size, u32 win_off, u32 win_size,
						 u32 ack_off, u32 ack_size, u32 len_off, u32 len_size)
{
	row_fields[SEQ] = (struct field){ seq_off, seq_size };
	row_fields[WINDOW] = (struct field){ win_off, win_size };
	row_fields[ACK_SEQ] = (struct field){ ack_off, ack_size };
	row_fields[LEN] = (struct field){ len_off, len_size };
}

#define LEN_LIMIT 2097152.0 /* 2^21: packing.ts LEN_LIMIT */

/*
 * The _drop rows of `count` records of `size` bytes from `recs` (at most
 * PASS): t, group_id (first_group + the group), task_id, seq_win, ack_len,
 * 5 doubles a row into `out`, with the same double arithmetic as
 * packing.ts. A len of LEN_LIMIT or more makes ack_len negative: its row
 * in _big_len is the caller's.
 */
EXPORT(dk_drop_rows) void dk_drop_rows(const u8 *recs, u32 size, u32 count, const double *t,
				       const s32 *group, const s32 *task, double first_group, double *out)
{
	if (count > PASS)
		count = PASS;
	for (u32 p = 0; p < count; p++, recs += size, out += 5) {
		const double ack = read_uint(recs, row_fields[ACK_SEQ]), len = read_uint(recs, row_fields[LEN]);

		out[0] = t[p];
		out[1] = first_group + group[p];
		out[2] = task[p];
		out[3] = read_uint(recs, row_fields[SEQ]) * 65536.0 + read_uint(recs, row_fields[WINDOW]);
		out[4] = len < LEN_LIMIT ? ack * LEN_LIMIT + len : -(ack * LEN_LIMIT) - 1;
	}
}
