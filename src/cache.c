/*-------------------------------------------------------------------------
 *
 * cache.c
 *	  The per-backend permission cache and its invalidation.
 *
 * What the checks need is kept per name: each model (registered? open?),
 * each role (exists? which models? which models its change flag gives in
 * full?), each group (its grants and role flags, role flags already expanded
 * to models, change inheritance included) and each user (active? superuser?
 * groups, direct grants).  Entries are built on first use from the tables
 * with index scans on the primary keys, and all of them are thrown away
 * together when any of the tables changes:
 *
 *	- a statement trigger (INSERT, UPDATE, DELETE, TRUNCATE) on every table,
 *	  and a row trigger that fires in replica mode only (logical
 *	  replication's apply worker fires no statement triggers), ip_invalidate,
 *	  sends a relcache invalidation for the sentinel, an empty table of the
 *	  extension that no query reads (an invalidation of the table written
 *	  would also make every backend re-plan what reads it): other backends
 *	  receive it when the writer commits (never if it aborts), the writer
 *	  itself at its next command, hot standbys when the commit record is
 *	  replayed;
 *	- a relcache callback, registered once per backend, marks the cache
 *	  invalid when the invalidation names the sentinel, one of our tables
 *	  (DDL: CREATE, ALTER and DROP EXTENSION), or everything (InvalidOid: a
 *	  reset after the shared invalidation queue overflowed);
 *	- a check accepts pending invalidation messages once per statement before
 *	  trusting the cache.
 *
 * The callback only marks the cache invalid and bumps a generation counter;
 * memory is released at the next check, so an invalidation that arrives in
 * the middle of building an entry (taking a lock accepts messages) cannot
 * free what is being built.  A check that saw the generation change while it
 * ran starts again: no answer mixes data from before and after a change.
 *
 * The number of entries is bounded by inventree_perms.cache_size; past it
 * the whole cache is emptied and refilled as checks need it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_invalidate);
PG_FUNCTION_INFO_V1(ip_cache_stats);

int			ip_cache_size = 200000;

/* Column numbers of the tables (sql/src/10_tables.sql; new columns go last). */
#define ANUM_USERS_IS_SUPERUSER 2
#define ANUM_USERS_IS_ACTIVE 3
#define ANUM_MODELS_NAME 1
#define ANUM_MODELS_IS_OPEN 4
#define ANUM_MEMBERSHIPS_GROUPNAME 2
#define ANUM_PERMS_MODEL 2		/* user_perms and group_perms */
#define ANUM_PERMS_ACTION 3
#define ANUM_ROLE_MODELS_MODEL 2
#define ANUM_ROLE_CHANGE_INHERITS_MODEL 2
#define ANUM_GROUP_ROLES_ROLE 2
#define ANUM_GROUP_ROLES_ACTION 3
#define ANUM_DELEGATES_ROLE 1
#define ANUM_DELEGATES_ROLE_NAME 2

/* Longest name that can be valid: 150 characters of at most 4 bytes. */
#define MAX_NAME_BYTES 600
#define MAX_MODEL_NAME_BYTES 63

/*
 * Memory layout.  The cache must stay fast when it holds 100,000 users and
 * no longer fits in the CPU's caches, so a check for a user touches as few
 * cache lines as possible: one slot of an open-addressing table (hash and
 * pointer), then the user's entry, which is one piece of memory starting on
 * a cache line: its flags, its name, its groups, then its direct grants.
 * Entries are built completely, then copied into an arena (bump allocation
 * in large blocks, released all at once with the cache) and added to their
 * table, so a half-built entry is never seen, even after an error.  Groups
 * hold their grants as a dense map indexed by model number, 4 action bits
 * per model.
 */

/*
 * How every cache entry begins.  The name (NUL-terminated) follows the
 * fixed part of the entry at name_off; arrays, if any, follow the name.
 */
typedef struct EntryHead
{
	uint32		hash;
	uint16		len;
	uint16		name_off;
} EntryHead;

#define ENTRY_NAME(e) ((const char *) (e) + (e)->name_off)

typedef struct Slot
{
	uint32		hash;
	EntryHead  *entry;			/* NULL: empty */
} Slot;

/* An open-addressing (linear probing) table of entries, by name. */
typedef struct NameTable
{
	Slot	   *slots;
	uint32		mask;			/* number of slots - 1; a power of 2 minus 1 */
	uint32		n;
} NameTable;

/* 4 action bits per number (model or role number), two numbers a byte. */
typedef struct NibbleMap
{
	int32		n;				/* numbers 0 .. n-1 are in the map */
	uint8	   *bits;
} NibbleMap;

typedef struct ModelEntry
{
	EntryHead	head;
	int32		idx;			/* model number; -1: not registered */
	bool		is_open;
} ModelEntry;

typedef struct RoleEntry
{
	EntryHead	head;
	int32		idx;			/* role number; -1: no such role */
	int32		nmodels;
	int32	   *models;			/* model numbers */
	int32		ninherits;
	int32	   *inherits;		/* model numbers its change flag gives in full */
} RoleEntry;

typedef struct GroupEntry
{
	EntryHead	head;
	NibbleMap	perms;			/* grants and role flags, by model number */
	NibbleMap	roles;			/* role flags, by role number */
} GroupEntry;

/* After the name: GroupEntry *groups[ngroups], uint32 perms[nperms]. */
typedef struct UserEntry
{
	EntryHead	head;
	bool		found;
	bool		is_active;
	bool		is_superuser;
	int32		ngroups;
	int32		nperms;			/* direct grants: model number << 4 | bits, sorted */
} UserEntry;

#define ARENA_BLOCK_SIZE (256 * 1024)

static MemoryContext IpCacheContext = NULL;
static MemoryContext IpBuildContext = NULL;
static char *arena_next = NULL;
static char *arena_end = NULL;
static NameTable models_table;
static NameTable roles_table;
static NameTable groups_table;
static NameTable users_table;
static bool cache_valid = false;
static uint64 cache_generation = 0;
static uint64 cache_resets = 0;
static long cache_entries = 0;
static int32 next_model_idx;
static bool models_loaded;		/* every registered model is in models_table */
static int32 next_role_idx;
static bool flush_at_next_statement = false;
static Snapshot check_snapshot = NULL;
static bool check_snapshot_registered = false;
static IpStatementMark statement_mark = {InvalidLocalTransactionId, 0, 0};

/* The entries of the last check, reused when the next one names the same. */
static uint64 memo_resets = 0;
static UserEntry *memo_user = NULL;
static ModelEntry *memo_model = NULL;

/*
 * arena_alloc: memory that lives until the cache is emptied, aligned to
 * align (a power of 2, at most a cache line).  Blocks start and end on a
 * cache line, so an aligned position is never past the end of its block.
 */
static void *
arena_alloc(Size size, Size align)
{
	char	   *p;

	Assert(align > 0 && align <= PG_CACHE_LINE_SIZE && (align & (align - 1)) == 0);
	size = MAXALIGN(size);
	if (size > ARENA_BLOCK_SIZE / 8)
		return (void *) TYPEALIGN(align, MemoryContextAlloc(IpCacheContext, size + align));
	p = arena_next ? (char *) TYPEALIGN(align, arena_next) : NULL;
	if (p == NULL || p > arena_end || (Size) (arena_end - p) < size)
	{
		p = (char *) TYPEALIGN(PG_CACHE_LINE_SIZE,
							   MemoryContextAlloc(IpCacheContext,
												  ARENA_BLOCK_SIZE + PG_CACHE_LINE_SIZE));
		arena_end = p + ARENA_BLOCK_SIZE;
	}
	arena_next = p + size;
	Assert(arena_next <= arena_end);
	return p;
}

static void
table_init(NameTable *t, uint32 nslots)
{
	t->slots = MemoryContextAllocZero(IpCacheContext, nslots * sizeof(Slot));
	t->mask = nslots - 1;
	t->n = 0;
}

static inline uint32
name_hash(const char *name, int len)
{
	return hash_bytes((const unsigned char *) name, len);
}

static void *
table_find(const NameTable *t, uint32 hash, const char *name, int len)
{
	for (uint32 i = hash & t->mask;; i = (i + 1) & t->mask)
	{
		const Slot *s = &t->slots[i];

		if (s->entry == NULL)
			return NULL;
		if (s->hash == hash && s->entry->len == len &&
			memcmp(ENTRY_NAME(s->entry), name, len) == 0)
			return s->entry;
	}
}

static void
table_put(NameTable *t, EntryHead *e)
{
	uint32		i = e->hash & t->mask;

	while (t->slots[i].entry != NULL)
		i = (i + 1) & t->mask;
	t->slots[i].hash = e->hash;
	t->slots[i].entry = e;
}

/* table_add: add a built entry (whose name is not in t yet); at most half full. */
static void
table_add(NameTable *t, EntryHead *e)
{
	if ((t->n + 1) * 2 > t->mask + 1)
	{
		Slot	   *old = t->slots;
		uint32		nold = t->mask + 1;

		t->slots = MemoryContextAllocZero(IpCacheContext, nold * 2 * sizeof(Slot));
		t->mask = nold * 2 - 1;
		for (uint32 i = 0; i < nold; i++)
			if (old[i].entry)
				table_put(t, old[i].entry);
		pfree(old);
	}
	table_put(t, e);
	t->n++;
	cache_entries++;			/* bounded at the next check's start */
}

/*
 * entry_place: copy a built entry (its fixed part of size bytes; the head is
 * filled here) into the arena, aligned to align, followed by its name and
 * room for extra bytes of arrays (8-byte aligned, at entry_extra()).
 */
static void *
entry_place(const EntryHead *built, Size size, const char *name, int len, uint32 hash,
			Size extra, Size align)
{
	Size		total = MAXALIGN(size + len + 1) + extra;
	char	   *mem = arena_alloc(total, align);
	EntryHead  *e = (EntryHead *) mem;

	Assert(len <= MAX_NAME_BYTES);
	memcpy(mem, built, size);
	memcpy(mem + size, name, len);
	mem[size + len] = '\0';
	e->hash = hash;
	e->len = (uint16) len;
	e->name_off = (uint16) size;
	return e;
}

/* entry_extra: where an entry's arrays begin. */
static inline char *
entry_extra(const EntryHead *e)
{
	return (char *) e + MAXALIGN(e->name_off + e->len + 1);
}

static inline GroupEntry **
user_groups(const UserEntry *u)
{
	return (GroupEntry **) entry_extra(&u->head);
}

static inline uint32 *
user_perms(const UserEntry *u)
{
	return (uint32 *) (entry_extra(&u->head) + u->ngroups * sizeof(GroupEntry *));
}

static inline int32
nibble_get(const NibbleMap *m, int32 idx)
{
	if (idx < 0 || idx >= m->n)
		return 0;
	return (m->bits[idx >> 1] >> ((idx & 1) << 2)) & 0x0F;
}

/*
 * Relcache callback: a change to one of our tables, or to everything.
 */
static void
ip_relcache_callback(pg_attribute_unused() Datum arg, Oid relid)
{
	if (relid == InvalidOid || ip_catalog_has_relid(relid))
	{
		cache_valid = false;
		ip_catalog.valid = false;
		cache_generation++;
		ip_scope_plans_invalidate();
	}
	else if (ip_catalog_is_sentinel(relid))
	{
		/* the data changed; the tables (and their OIDs) did not */
		cache_valid = false;
		cache_generation++;
		ip_scope_plans_invalidate();
	}
}

/*
 * ip_cache_init: register the callback, once per backend (from _PG_init).
 */
void
ip_cache_init(void)
{
	CacheRegisterRelcacheCallback(ip_relcache_callback, (Datum) 0);
}

/*
 * ip_cache_invalidate: forget everything now (used after DDL in this backend).
 */
void
ip_cache_invalidate(void)
{
	ip_relcache_callback((Datum) 0, InvalidOid);
}

/*
 * ip_cache_flush: forget every entry (not the tables' OIDs): a parallel
 * statement builds all it uses from its own snapshot.
 */
void
ip_cache_flush(void)
{
	cache_valid = false;
	cache_generation++;
}

/*
 * ip_cache_generation: changes whenever one of the tables (or everything)
 * was invalidated.
 */
uint64
ip_cache_generation(void)
{
	return cache_generation;
}

/*
 * cache_reset: empty the cache and look up the tables' OIDs again.
 */
static void
cache_reset(void)
{
	uint64		generation;

	if (IpCacheContext == NULL)
	{
		if (!CacheMemoryContext)
			CreateCacheMemoryContext();
		IpCacheContext = AllocSetContextCreate(CacheMemoryContext,
											   "inventree_perms cache",
											   ALLOCSET_DEFAULT_SIZES);
		IpBuildContext = AllocSetContextCreate(TopMemoryContext,
											   "inventree_perms cache build",
											   ALLOCSET_DEFAULT_SIZES);
	}
	MemoryContextReset(IpCacheContext);
	arena_next = arena_end = NULL;
	table_init(&models_table, 1024);
	table_init(&roles_table, 64);
	table_init(&groups_table, 512);
	table_init(&users_table, 2048);
	cache_entries = 0;
	next_model_idx = 0;
	models_loaded = false;
	next_role_idx = 0;
	cache_resets++;
	memo_user = NULL;
	memo_model = NULL;

	/*
	 * The tables' OIDs (and the sentinel's) first, then the cache counts as
	 * valid: a change is recognised by what the catalog holds, so a cache
	 * valid without it would hear of no change again.  If looking them up
	 * fails (the statement cancelled or timed out while it waited for a
	 * lock, the extension dropped), the cache stays invalid and the next
	 * check starts again; so it does if everything was invalidated while
	 * they were looked up.
	 */
	generation = cache_generation;
	ip_catalog.valid = false;
	ip_catalog_load();
	cache_valid = generation == cache_generation;
}

/*
 * cache_begin: before trusting the cache, accept the invalidation messages
 * that arrived since the statement began (once per statement), and empty
 * the cache if it is invalid.
 */
static void
cache_begin(void)
{
	if (ip_statement_advance(&statement_mark) != IP_SAME_STATEMENT)
	{
		if (flush_at_next_statement)
		{
			flush_at_next_statement = false;
			cache_valid = false;
		}
	}
	if (cache_entries > ip_cache_size)
		cache_valid = false;
	if (!cache_valid)
		cache_reset();
	check_snapshot = NULL;		/* a failed check's was released by its resource owner */
}

/*
 * cache_end: after a check, release what building entries used.
 */
static void
cache_end(void)
{
	if (check_snapshot && check_snapshot_registered)
		UnregisterSnapshot(check_snapshot);
	check_snapshot = NULL;
	MemoryContextReset(IpBuildContext);
}

/*
 * scan_snapshot: the snapshot entries are built from, one per check.  The
 * latest one, so that what a cache holds is what is committed now (plus this
 * transaction's own changes), whatever the isolation level.  In parallel mode
 * no new snapshot may be taken: there the one the leader took when the
 * statement started is used, by the leader and by its workers alike (see
 * parallel.c).  Without one (not expected), the statement's snapshot is
 * used, which workers share with their leader, and the leader forgets what
 * it built at the next statement.
 */
static Snapshot
scan_snapshot(void)
{
	if (check_snapshot)
		return check_snapshot;
	if (IsInParallelMode())
	{
		Snapshot	shared = ip_parallel_snapshot();

		if (shared)
		{
			check_snapshot = shared;
			check_snapshot_registered = false;
			return check_snapshot;
		}
		/*
		 * No snapshot was taken when this statement started (the library
		 * was loaded inside it, after parallel mode began).  The statement's
		 * own snapshot is what the workers have too; in READ COMMITTED it
		 * is as fresh as the statement, but where the transaction keeps one
		 * snapshot for all its statements it would miss what was committed
		 * since the transaction began: refuse rather than answer from it.
		 */
		if (IsolationUsesXactSnapshot())
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("inventree_perms cannot check permissions in this parallel query"),
					 errdetail("The extension's library was loaded after the parallel query started, in a transaction that keeps one snapshot for all its statements."),
					 errhint("Call any inventree_perms function in this session before such a query (the library then stays loaded), or add inventree_perms to session_preload_libraries.")));
		if (!IsParallelWorker())
			flush_at_next_statement = true;
		check_snapshot = RegisterSnapshot(ActiveSnapshotSet() ? GetActiveSnapshot()
										  : GetTransactionSnapshot());
	}
	else
		check_snapshot = RegisterSnapshot(GetLatestSnapshot());
	check_snapshot_registered = true;
	return check_snapshot;
}

/* A tuple callback of scan_table. */
typedef void (*TupleFn) (HeapTuple tup, TupleDesc desc, void *arg);

/*
 * scan_table: call fn on every row of table t whose first key column equals
 * key (a text datum), through the table's primary key; on every row of the
 * table when key is 0.
 */
static void
scan_table(IpTable t, Datum key, TupleFn fn, void *arg)
{
	Relation	rel;
	ScanKeyData skey;
	SysScanDesc scan;
	HeapTuple	tup;
	Snapshot	snap = scan_snapshot();

	rel = table_open(ip_catalog.table[t], AccessShareLock);
	if (key == (Datum) 0)
		scan = systable_beginscan(rel, InvalidOid, false, snap, 0, NULL);
	else
	{
		ScanKeyInit(&skey, 1, BTEqualStrategyNumber, F_TEXTEQ, key);
		scan = systable_beginscan(rel, ip_catalog.pkey[t], true, snap, 1, &skey);
	}
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		fn(tup, RelationGetDescr(rel), arg);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

static char *
text_attr(HeapTuple tup, TupleDesc desc, int attnum, int *len)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, attnum, desc, &isnull);
	text	   *t;

	if (isnull)
	{
		*len = 0;
		return "";
	}
	t = DatumGetTextPP(d);
	*len = VARSIZE_ANY_EXHDR(t);
	return VARDATA_ANY(t);
}

static bool
bool_attr(HeapTuple tup, TupleDesc desc, int attnum)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, attnum, desc, &isnull);

	return !isnull && DatumGetBool(d);
}

/*
 * grow: make room for one more element in a palloc'd array of n elements.
 */
static void *
grow(void *items, int n, int *cap, Size elsize)
{
	if (n < *cap)
		return items;
	*cap = *cap ? *cap * 2 : 16;
	return items ? repalloc(items, *cap * elsize) : palloc(*cap * elsize);
}

/* Growable list of (number, action bits), in the build context. */
typedef struct PermBits
{
	int32		idx;
	int32		bits;
} PermBits;

typedef struct PermList
{
	int			n;
	int			cap;
	PermBits   *items;
} PermList;

static void
permlist_add(PermList *l, int32 idx, int32 bits)
{
	if (idx < 0)
		return;
	l->items = grow(l->items, l->n, &l->cap, sizeof(PermBits));
	l->items[l->n].idx = idx;
	l->items[l->n].bits = bits;
	l->n++;
}

/* nibblemap_from: the list as a dense map, in the arena. */
static NibbleMap
nibblemap_from(const PermList *l)
{
	NibbleMap	m = {0, NULL};
	int32		top = -1;

	for (int i = 0; i < l->n; i++)
		top = Max(top, l->items[i].idx);
	if (top < 0)
		return m;
	m.n = top + 1;
	m.bits = arena_alloc(m.n / 2 + 1, MAXIMUM_ALIGNOF);
	memset(m.bits, 0, m.n / 2 + 1);
	for (int i = 0; i < l->n; i++)
		m.bits[l->items[i].idx >> 1] |= (uint8) (l->items[i].bits << ((l->items[i].idx & 1) << 2));
	return m;
}

static int
uint32_cmp(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a;
	uint32		y = *(const uint32 *) b;

	return (x > y) - (x < y);
}

/*
 * packed_from: the list sorted by number, one element per number (bits
 * merged), each element number << 4 | bits, into out (room for l->n);
 * returns how many.
 */
static int
packed_from(PermList *l, uint32 *out)
{
	int			n = 0;

	for (int i = 0; i < l->n; i++)
		out[i] = (uint32) l->items[i].idx << 4 | (uint32) l->items[i].bits;
	qsort(out, l->n, sizeof(uint32), uint32_cmp);
	for (int i = 0; i < l->n; i++)
	{
		if (n > 0 && (out[n - 1] >> 4) == (out[i] >> 4))
			out[n - 1] |= out[i];
		else
			out[n++] = out[i];
	}
	return n;
}

static int32
packed_bits(const uint32 *items, int n, int32 idx)
{
	int			lo = 0,
				hi = n - 1;
	uint32		key = (uint32) idx;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		uint32		v = items[mid] >> 4;

		if (v == key)
			return items[mid] & 0x0F;
		if (v < key)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return 0;
}

/* ---- models ------------------------------------------------------------ */

static bool
model_name_possible(const char *name, int len)
{
	return len >= 1 && len <= MAX_MODEL_NAME_BYTES && name[0] >= 'a' && name[0] <= 'z';
}

/* A row of models: its entry, numbered (if not there yet). */
static void
model_row(HeapTuple tup, TupleDesc desc, pg_attribute_unused() void *arg)
{
	int			len;
	char	   *name = text_attr(tup, desc, ANUM_MODELS_NAME, &len);
	uint32		hash = name_hash(name, len);
	ModelEntry	b;
	ModelEntry *m;

	if (!model_name_possible(name, len) || table_find(&models_table, hash, name, len))
		return;
	memset(&b, 0, sizeof(b));
	b.is_open = bool_attr(tup, desc, ANUM_MODELS_IS_OPEN);
	b.idx = next_model_idx++;
	m = entry_place(&b.head, sizeof(b), name, len, hash, 0, MAXIMUM_ALIGNOF);
	table_add(&models_table, &m->head);
}

/*
 * lookup_model: the entry of a model.  The first lookup that misses after
 * the cache was emptied reads the whole models table in one scan (groups and
 * roles name many models: one index scan each was most of the cost of a
 * cold check); after that a name not in the table is not registered, and
 * is remembered as such.  Only registered models get a number (grants and
 * role lists can name nothing else).
 */
static ModelEntry *
lookup_model(const char *name, int len)
{
	static ModelEntry unregistered = {{0, 0, 0}, -1, false};
	ModelEntry	b;
	ModelEntry *m;
	uint32		hash;

	if (!model_name_possible(name, len))
		return &unregistered;	/* malformed: never registered, not cached */

	hash = name_hash(name, len);
	m = table_find(&models_table, hash, name, len);
	if (m)
		return m;
	if (!models_loaded)
	{
		MemoryContext old = MemoryContextSwitchTo(IpBuildContext);

		scan_table(IPT_MODELS, (Datum) 0, model_row, NULL);
		MemoryContextSwitchTo(old);
		models_loaded = true;
		m = table_find(&models_table, hash, name, len);
		if (m)
			return m;
	}

	memset(&b, 0, sizeof(b));
	b.idx = -1;					/* not registered */
	m = entry_place(&b.head, sizeof(b), name, len, hash, 0, MAXIMUM_ALIGNOF);
	table_add(&models_table, &m->head);
	return m;
}

/* ---- roles ------------------------------------------------------------- */

static void
role_row(pg_attribute_unused() HeapTuple tup, pg_attribute_unused() TupleDesc desc, void *arg)
{
	*(bool *) arg = true;
}

/* The model numbers of a role's rows in role_models or role_change_inherits. */
typedef struct RoleModelsArg
{
	int			attnum;			/* the model column */
	int			n;
	int			cap;
	int32	   *idx;
} RoleModelsArg;

static void
role_model_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	RoleModelsArg *a = (RoleModelsArg *) arg;
	int			len;
	char	   *model = text_attr(tup, desc, a->attnum, &len);
	int32		idx = lookup_model(model, len)->idx;

	if (idx < 0)
		return;
	a->idx = grow(a->idx, a->n, &a->cap, sizeof(int32));
	a->idx[a->n++] = idx;
}

/*
 * lookup_role: the entry of a role: its number, the models it covers, and
 * the models its change flag gives every action on (change inheritance;
 * none before the 1.2 update made the table).
 */
static RoleEntry *
lookup_role(const char *name, int len)
{
	static RoleEntry nonexistent = {{0, 0, 0}, -1, 0, NULL, 0, NULL};
	RoleEntry	b;
	RoleEntry  *r;
	uint32		hash;
	MemoryContext old;
	RoleModelsArg a = {ANUM_ROLE_MODELS_MODEL, 0, 0, NULL};
	RoleModelsArg ci = {ANUM_ROLE_CHANGE_INHERITS_MODEL, 0, 0, NULL};
	Datum		key;
	bool		exists = false;

	if (!model_name_possible(name, len))
		return &nonexistent;

	hash = name_hash(name, len);
	r = table_find(&roles_table, hash, name, len);
	if (r)
		return r;

	memset(&b, 0, sizeof(b));
	old = MemoryContextSwitchTo(IpBuildContext);
	key = PointerGetDatum(cstring_to_text_with_len(name, len));
	scan_table(IPT_ROLES, key, role_row, &exists);
	if (exists)
	{
		scan_table(IPT_ROLE_MODELS, key, role_model_row, &a);
		if (OidIsValid(ip_catalog.table[IPT_ROLE_CHANGE_INHERITS]))
			scan_table(IPT_ROLE_CHANGE_INHERITS, key, role_model_row, &ci);
	}
	MemoryContextSwitchTo(old);
	b.idx = exists ? next_role_idx++ : -1;
	b.nmodels = a.n;
	b.ninherits = ci.n;
	r = entry_place(&b.head, sizeof(b), name, len, hash, (a.n + ci.n) * sizeof(int32),
					MAXIMUM_ALIGNOF);
	r->models = (int32 *) entry_extra(&r->head);
	r->inherits = r->models + a.n;
	if (a.n > 0)
		memcpy(r->models, a.idx, a.n * sizeof(int32));
	if (ci.n > 0)
		memcpy(r->inherits, ci.idx, ci.n * sizeof(int32));
	table_add(&roles_table, &r->head);
	return r;
}

/* ---- groups ------------------------------------------------------------ */

typedef struct GroupBuild
{
	PermList	perms;
	PermList	roles;
} GroupBuild;

static void
group_perm_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	GroupBuild *b = (GroupBuild *) arg;
	int			mlen,
				alen;
	char	   *model = text_attr(tup, desc, ANUM_PERMS_MODEL, &mlen);
	char	   *action = text_attr(tup, desc, ANUM_PERMS_ACTION, &alen);

	permlist_add(&b->perms, lookup_model(model, mlen)->idx,
				 ip_action_bit_of_stored(action, alen));
}

static void
group_role_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	GroupBuild *b = (GroupBuild *) arg;
	int			rlen,
				alen;
	char	   *rolename = text_attr(tup, desc, ANUM_GROUP_ROLES_ROLE, &rlen);
	char	   *action = text_attr(tup, desc, ANUM_GROUP_ROLES_ACTION, &alen);
	int32		bit = ip_action_bit_of_stored(action, alen);
	RoleEntry  *role = lookup_role(rolename, rlen);

	permlist_add(&b->roles, role->idx, bit);
	for (int i = 0; i < role->nmodels; i++)
		permlist_add(&b->perms, role->models[i], bit);
	/* change inheritance: the change flag gives every action */
	if (bit == IP_CHANGE)
		for (int i = 0; i < role->ninherits; i++)
			permlist_add(&b->perms, role->inherits[i], IP_ALL);
}

static GroupEntry *
lookup_group(const char *name, int len)
{
	GroupEntry	g;
	GroupEntry *e;
	GroupBuild	b;
	uint32		hash = name_hash(name, len);
	MemoryContext old;
	Datum		key;

	e = table_find(&groups_table, hash, name, len);
	if (e)
		return e;

	memset(&b, 0, sizeof(b));
	memset(&g, 0, sizeof(g));
	old = MemoryContextSwitchTo(IpBuildContext);
	key = PointerGetDatum(cstring_to_text_with_len(name, len));
	scan_table(IPT_GROUP_PERMS, key, group_perm_row, &b);
	scan_table(IPT_GROUP_ROLES, key, group_role_row, &b);
	MemoryContextSwitchTo(old);
	g.perms = nibblemap_from(&b.perms);
	g.roles = nibblemap_from(&b.roles);
	e = entry_place(&g.head, sizeof(g), name, len, hash, 0, MAXIMUM_ALIGNOF);
	table_add(&groups_table, &e->head);
	return e;
}

/* ---- users ------------------------------------------------------------- */

static void
user_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	UserEntry  *u = (UserEntry *) arg;

	u->found = true;
	u->is_superuser = bool_attr(tup, desc, ANUM_USERS_IS_SUPERUSER);
	u->is_active = bool_attr(tup, desc, ANUM_USERS_IS_ACTIVE);
}

typedef struct UserBuild
{
	int			ngroups;
	int			cap;
	char	  **names;
	PermList	perms;
} UserBuild;

static void
membership_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	UserBuild  *b = (UserBuild *) arg;
	int			len;
	char	   *g = text_attr(tup, desc, ANUM_MEMBERSHIPS_GROUPNAME, &len);

	b->names = grow(b->names, b->ngroups, &b->cap, sizeof(char *));
	b->names[b->ngroups++] = pnstrdup(g, len);
}

static void
user_perm_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	UserBuild  *b = (UserBuild *) arg;
	int			mlen,
				alen;
	char	   *model = text_attr(tup, desc, ANUM_PERMS_MODEL, &mlen);
	char	   *action = text_attr(tup, desc, ANUM_PERMS_ACTION, &alen);

	permlist_add(&b->perms, lookup_model(model, mlen)->idx,
				 ip_action_bit_of_stored(action, alen));
}

/*
 * lookup_user: the entry of a user, one piece of memory: the entry, its
 * group pointers, its direct grants, its name.
 */
static UserEntry *
lookup_user(const char *name, int len)
{
	static UserEntry unknown = {{0, 0, 0}, false, false, false, 0, 0};
	UserEntry	u;
	UserEntry  *e;
	UserBuild	b;
	GroupEntry **groups;
	uint32	   *perms;
	uint32		hash;
	MemoryContext old;
	Datum		key;
	Size		groups_size;

	if (len < 1 || len > MAX_NAME_BYTES)
		return &unknown;		/* cannot be a user: not cached */

	hash = name_hash(name, len);
	e = table_find(&users_table, hash, name, len);
	if (e)
		return e;

	memset(&u, 0, sizeof(u));
	memset(&b, 0, sizeof(b));
	old = MemoryContextSwitchTo(IpBuildContext);
	key = PointerGetDatum(cstring_to_text_with_len(name, len));
	scan_table(IPT_USERS, key, user_row, &u);
	/* Inactive users and superusers need nothing more. */
	if (u.found && u.is_active && !u.is_superuser)
	{
		scan_table(IPT_MEMBERSHIPS, key, membership_row, &b);
		scan_table(IPT_USER_PERMS, key, user_perm_row, &b);
	}
	groups = palloc((b.ngroups + 1) * sizeof(GroupEntry *));
	perms = palloc((b.perms.n + 1) * sizeof(uint32));
	MemoryContextSwitchTo(old);

	for (int i = 0; i < b.ngroups; i++)
		groups[i] = lookup_group(b.names[i], strlen(b.names[i]));
	u.ngroups = b.ngroups;
	u.nperms = packed_from(&b.perms, perms);

	groups_size = u.ngroups * sizeof(GroupEntry *);
	e = entry_place(&u.head, sizeof(u), name, len, hash,
					groups_size + u.nperms * sizeof(uint32), PG_CACHE_LINE_SIZE);
	memcpy(user_groups(e), groups, groups_size);
	memcpy(user_perms(e), perms, u.nperms * sizeof(uint32));
	table_add(&users_table, &e->head);
	return e;
}

/* ---- the checks -------------------------------------------------------- */

/* Is the memoized entry (if any, and not flushed since) the one of name? */
static inline bool
memo_hit(const EntryHead *head, const char *name, int len)
{
	return head && memo_resets == cache_resets && head->len == len &&
		memcmp(ENTRY_NAME(head), name, len) == 0;
}

/*
 * ip_model_perm: does user hold action (one bit) on model?  Raises 42704 for
 * an unregistered model.  Returns 1 or 0.
 */
int
ip_model_perm(const char *user, int userlen, const char *model, int modellen, int action)
{
	for (;;)
	{
		uint64		generation;
		UserEntry  *u;
		ModelEntry *m;
		int32		bits;

		cache_begin();
		generation = cache_generation;

		m = memo_hit(memo_model ? &memo_model->head : NULL, model, modellen) ?
			memo_model : lookup_model(model, modellen);

		if (m->idx < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("model \"%s\" is not registered", pnstrdup(model, modellen)),
					 errhint("Register it with inventree_perms.register_model().")));

		u = memo_hit(memo_user ? &memo_user->head : NULL, user, userlen) ?
			memo_user : lookup_user(user, userlen);

		if (!u->found || !u->is_active)
			bits = 0;
		else if (u->is_superuser || m->is_open)
			bits = IP_ALL;
		else
		{
			GroupEntry **groups = user_groups(u);

			/* the groups first: they are on the entry's first cache line */
			bits = 0;
			for (int i = 0; i < u->ngroups && !(bits & action); i++)
				bits |= nibble_get(&groups[i]->perms, m->idx);
			if (!(bits & action))
				bits |= packed_bits(user_perms(u), u->nperms, m->idx);
		}

		cache_end();
		if (generation == cache_generation && cache_valid)
		{
			if (m->head.len > 0)
				memo_model = m;
			if (u->head.len > 0)
				memo_user = u;
			memo_resets = cache_resets;
			return (bits & action) != 0;
		}
		/* a change arrived while we looked: look again */
	}
}

/*
 * ip_role_perm: does one of user's groups hold the flag action of role?
 * Raises 42704 for an unknown role.
 */
int
ip_role_perm(const char *user, int userlen, const char *role, int rolelen, int action)
{
	for (;;)
	{
		uint64		generation;
		UserEntry  *u;
		RoleEntry  *r;
		int32		bits;

		cache_begin();
		generation = cache_generation;

		r = lookup_role(role, rolelen);
		if (r->idx < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("role \"%s\" does not exist", pnstrdup(role, rolelen)),
					 errhint("Create it with inventree_perms.create_role().")));

		u = lookup_user(user, userlen);
		if (!u->found || !u->is_active)
			bits = 0;
		else if (u->is_superuser)
			bits = IP_ALL;
		else
		{
			GroupEntry **groups = user_groups(u);

			bits = 0;
			for (int i = 0; i < u->ngroups; i++)
				bits |= nibble_get(&groups[i]->roles, r->idx);
		}

		cache_end();
		if (generation == cache_generation && cache_valid)
			return (bits & action) != 0;
	}
}

/*
 * ip_user_lookup: is there such a user, and what are its flags?
 */
bool
ip_user_lookup(const char *user, int userlen, IpUser *out)
{
	for (;;)
	{
		uint64		generation;
		UserEntry  *u;

		cache_begin();
		generation = cache_generation;
		u = lookup_user(user, userlen);
		out->found = u->found;
		out->is_active = u->is_active;
		out->is_superuser = u->is_superuser;
		cache_end();
		if (generation == cache_generation && cache_valid)
			return out->found;
	}
}

/*
 * delegate_row_counts: does the delegates row (role, role_name) still stand
 * for the role it was made for?  The role must exist and still bear the name
 * it had when it was added: there is no event trigger for DROP ROLE, so a
 * row of a dropped role stays, and a later role could get the same OID.  A
 * renamed delegate stops counting too (fail closed: add it again).
 */
static bool
delegate_row_counts(Oid role, Datum name, bool name_isnull)
{
	HeapTuple	rtup;
	bool		same;

	if (!OidIsValid(role) || name_isnull)
		return false;
	rtup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(role));
	if (!HeapTupleIsValid(rtup))
		return false;
	same = strncmp(NameStr(((Form_pg_authid) GETSTRUCT(rtup))->rolname),
				   NameStr(*DatumGetName(name)), NAMEDATALEN) == 0;
	ReleaseSysCache(rtup);
	return same;
}

/*
 * ip_is_delegate: has roleid the privileges of a role registered as a
 * delegate (one that still counts)?  Read from the table each time
 * (set_acting_user is not hot; the statement check remembers its answer).
 */
bool
ip_is_delegate(Oid roleid)
{
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		result = false;
	Snapshot	snap;

	ip_catalog_load();
	snap = RegisterSnapshot(GetLatestSnapshot());
	rel = table_open(ip_catalog.table[IPT_DELEGATES], AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, snap, 0, NULL);
	while (!result && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;
		bool		name_isnull = true;
		Datum		d = heap_getattr(tup, ANUM_DELEGATES_ROLE, desc, &isnull);
		Datum		name = (Datum) 0;

		if (isnull)
			continue;
		if (desc->natts >= ANUM_DELEGATES_ROLE_NAME)
		{
			name = heap_getattr(tup, ANUM_DELEGATES_ROLE_NAME, desc, &name_isnull);
			if (!delegate_row_counts(DatumGetObjectId(d), name, name_isnull))
				continue;
		}
		/* else: a 1.0 or 1.1 table (before the update), which has no names */
		if (has_privs_of_role(roleid, DatumGetObjectId(d)))
			result = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	UnregisterSnapshot(snap);
	return result;
}

/*
 * invalidate: queue the invalidation that a write to rel stands for.  A
 * table of the extension's schema stands for the sentinel (see
 * sql/src/05_schema.sql): every session's cache listens for it, and no plan
 * depends on it; unless its trigger says 'table' (trees, which src/tree.c
 * follows by table: sql/src/95_api.sql).  Any other table (a tree's own),
 * or any table under an older version's script (no sentinel yet), stands
 * for itself.
 */
static void
invalidate(Relation rel, const Trigger *trigger)
{
	ip_catalog_load();
	if (OidIsValid(ip_catalog.sentinel) && RelationGetNamespace(rel) == ip_catalog.nsp &&
		!(trigger->tgnargs == 1 && strcmp(trigger->tgargs[0], "table") == 0))
		CacheInvalidateRelcacheByRelid(ip_catalog.sentinel);
	else
		CacheInvalidateRelcache(rel);
}

/*
 * _invalidate(['table']): statement (and replica-mode row) trigger on every
 * table the checks read.  Queues a relcache invalidation (invalidate()):
 * sent to every backend at commit, discarded at abort, processed by this
 * backend at its next command.
 */
Datum
ip_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("inventree_perms_internal._invalidate() must be called as a trigger")));

	invalidate(trigdata->tg_relation, trigdata->tg_trigger);
	return PointerGetDatum(NULL);
}

/*
 * _cache_stats(): entries and bytes of this backend's cache, its bound, and
 * how many times it was emptied and refilled (benchmarks, tests).  Fills as
 * many columns as the SQL declaration has (1.0 declared three).
 */
Datum
ip_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (desc->natts > 4)
		elog(ERROR, "_cache_stats() returns at most 4 columns");
	values[0] = Int64GetDatum(cache_valid ? cache_entries : 0);
	values[1] = Int64GetDatum(IpCacheContext ? MemoryContextMemAllocated(IpCacheContext, true) : 0);
	values[2] = Int64GetDatum(ip_cache_size);
	values[3] = Int64GetDatum((int64) cache_resets);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
