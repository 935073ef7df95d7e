/*-------------------------------------------------------------------------
 *
 * tree.c
 *	  The backend cache of trees (row scopes): each registered tree's nodes,
 *	  their parents, owners and children, read from the user's table.
 *
 * A tree is loaded on first use with one sequential scan of its table and
 * kept until a relcache invalidation of that table (the triggers that
 * register_tree() puts on it send one for every node added, moved, re-owned
 * or deleted, and for TRUNCATE: at commit to every backend, on standbys at
 * replay, never after an abort), of the table "trees", or of everything.
 * The callback only marks the cache stale; memory is released at the start
 * of the next check (ip_tree_begin), never while a check holds a pointer.
 *
 * A cycle in the data never hangs anything: the nodes on a cycle are made
 * roots when the tree is loaded (their parent links are ignored), so every
 * walk up ends.  A parent id that names no node makes a root too.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/mman.h>

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_tree_has_node);

/* Columns of inventree_perms.trees. */
#define ANUM_TREES_NAME 1
#define ANUM_TREES_RELATION 2
#define ANUM_TREES_PARENT 3
#define ANUM_TREES_OWNER 4
#define ANUM_TREES_KEY 5

IpScopeCatalog ip_scope_catalog;

static const char *const scope_table_names[IPS_COUNT] = {
	"trees", "owners", "model_scopes", "user_scope_grants", "group_scope_grants",
	"users", "groups", "memberships", "models", "user_perms", "group_perms", "roles",
	"role_models", "group_roles"
};

static MemoryContext IpTreeContext = NULL;
static List *trees = NIL;		/* IpTree *, in IpTreeContext */
static bool trees_stale = false;	/* some entry is stale: sweep at begin */
static uint64 tree_generation = 0;
static bool flush_trees_at_next_statement = false;

/* Once per statement: accept invalidations. */
static IpStatementMark statement_mark = {InvalidLocalTransactionId, 0, 0};

/*
 * ip_scope_catalog_load: OIDs of the tables and indexes the scope checks
 * read; error if the extension (at 1.2) is not installed.
 */
void
ip_scope_catalog_load(void)
{
	Oid			nsp;
	IpScopeCatalog c;

	if (ip_scope_catalog.valid)
		return;
	(void) ip_extension_lookup(&nsp);
	if (!OidIsValid(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"inventree_perms\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION inventree_perms.")));
	for (int i = 0; i < IPS_COUNT; i++)
	{
		char		idx[NAMEDATALEN];

		c.table[i] = get_relname_relid(scope_table_names[i], nsp);
		snprintf(idx, sizeof(idx), "%s_pkey", scope_table_names[i]);
		c.pkey[i] = get_relname_relid(idx, nsp);
		if (OidIsValid(c.pkey[i]) && IndexGetRelation(c.pkey[i], true) != c.table[i])
			c.pkey[i] = InvalidOid;	/* not that table's index: never used */
		if (!OidIsValid(c.table[i]) || !OidIsValid(c.pkey[i]))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"inventree_perms.%s\" or its primary key is missing",
							scope_table_names[i]),
					 errhint("Update the extension: ALTER EXTENSION inventree_perms UPDATE.")));
	}
	c.owners_username_idx = get_relname_relid("owners_username_idx", nsp);
	c.owners_groupname_idx = get_relname_relid("owners_groupname_idx", nsp);
	/* an index of that name is used only if it is an index of owners */
	if (OidIsValid(c.owners_username_idx) &&
		IndexGetRelation(c.owners_username_idx, true) != c.table[IPS_OWNERS])
		c.owners_username_idx = InvalidOid;
	if (OidIsValid(c.owners_groupname_idx) &&
		IndexGetRelation(c.owners_groupname_idx, true) != c.table[IPS_OWNERS])
		c.owners_groupname_idx = InvalidOid;
	if (!OidIsValid(c.owners_username_idx) || !OidIsValid(c.owners_groupname_idx))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("an index of table \"inventree_perms.owners\" is missing"),
				 errhint("Update the extension: ALTER EXTENSION inventree_perms UPDATE.")));
	c.valid = true;
	ip_scope_catalog = c;
}

/*
 * Relcache callback: a tree's table, the table of trees, or everything
 * makes trees stale; any of the tables the scope checks read makes the
 * per-statement sets stale (src/scope.c).
 */
static void
tree_relcache_callback(pg_attribute_unused() Datum arg, Oid relid)
{
	ListCell   *lc;
	bool		ours = false;

	/* the extension's data changed (src/cache.c's invalidate()) */
	if (ip_catalog_is_sentinel(relid))
	{
		ip_scope_invalidate();
		return;
	}
	if (relid == InvalidOid)
	{
		ip_scope_catalog.valid = false;
		foreach(lc, trees)
			((IpTree *) lfirst(lc))->stale = true;
		trees_stale = true;
		tree_generation++;
		ip_scope_invalidate();
		return;
	}
	if (ip_scope_catalog.valid)
	{
		for (int i = 0; i < IPS_COUNT; i++)
			if (ip_scope_catalog.table[i] == relid)
				ours = true;
		/* (the table may be gone: DROP EXTENSION; look the OIDs up again) */
		if (ours)
			ip_scope_catalog.valid = false;
		if (ours && relid == ip_scope_catalog.table[IPS_TREES])
		{
			foreach(lc, trees)
				((IpTree *) lfirst(lc))->stale = true;
			trees_stale = true;
			tree_generation++;
		}
	}
	foreach(lc, trees)
	{
		IpTree	   *t = lfirst(lc);

		if (t->relid == relid)
		{
			t->stale = true;
			trees_stale = true;
			tree_generation++;
			ours = true;
		}
	}
	if (ours)
		ip_scope_invalidate();
}

/*
 * tree_init: register the callback, once per backend, before anything is
 * cached.
 */
static void
tree_init(void)
{
	static bool registered = false;

	if (!registered)
	{
		CacheRegisterRelcacheCallback(tree_relcache_callback, (Datum) 0);
		registered = true;
	}
}

/*
 * ip_tree_generation: changes whenever a tree may have changed.
 */
uint64
ip_tree_generation(void)
{
	return tree_generation;
}

/*
 * ip_tree_begin: before a check trusts the cache: once per statement,
 * accept pending invalidations; drop stale trees.  Returns true when a new
 * statement began.
 */
bool
ip_tree_begin(void)
{
	bool		new_statement;

	tree_init();
	/*
	 * Another statement with the same start time (one of a query string of
	 * several, or one a function runs) accepts invalidations too, but keeps
	 * the sets unless something changed since (the callback says).
	 */
	new_statement = ip_statement_advance(&statement_mark) == IP_NEW_START;
	if (new_statement && flush_trees_at_next_statement)
	{
		flush_trees_at_next_statement = false;
		tree_relcache_callback((Datum) 0, InvalidOid);
	}
	if (trees_stale)
	{
		List	   *keep = NIL;
		ListCell   *lc;
		MemoryContext old;

		foreach(lc, trees)
		{
			IpTree	   *t = lfirst(lc);

			if (t->stale)
				MemoryContextDelete(t->cxt);
			else
				keep = lappend(keep, t);
		}
		list_free(trees);
		old = MemoryContextSwitchTo(IpTreeContext);
		trees = list_copy(keep);
		MemoryContextSwitchTo(old);
		list_free(keep);
		trees_stale = false;
	}
	ip_scope_catalog_load();
	return new_statement;
}

/*
 * ip_scope_snapshot: the snapshot trees and grants are read with: the
 * latest (what is committed now, plus this transaction's own changes), as
 * the permission cache does; in parallel mode the statement's (workers get
 * the leader's), and the leader forgets its trees at the next statement.
 * The caller unregisters it.
 */
Snapshot
ip_scope_snapshot(void)
{
	if (IsInParallelMode())
	{
		if (!IsParallelWorker())
			flush_trees_at_next_statement = true;
		return RegisterSnapshot(ActiveSnapshotSet() ? GetActiveSnapshot()
								: GetTransactionSnapshot());
	}
	return RegisterSnapshot(GetLatestSnapshot());
}

/* A node id's hash (the finalizer of MurmurHash3's 64-bit mix). */
static inline uint32
hash_id(int64 id)
{
	uint64		h = (uint64) id;

	h ^= h >> 33;
	h *= UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64CONST(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (uint32) h;
}

/* Find a node's index in a hashed tree, or -1. */
int32
ip_tree_find_hashed(const IpTree *t, int64 id)
{
	uint32		h;

	if (t->nnodes == 0)
		return -1;
	h = (uint32) hash_id(id) & t->mask;
	for (;;)
	{
		int32		slot = t->slots[h];

		if (slot == 0)
			return -1;
		if (t->ids[slot - 1] == id)
			return slot - 1;
		h = (h + 1) & t->mask;
	}
}

/* Read an integer attribute as int64. */
static bool
int_attr(HeapTuple tup, TupleDesc desc, AttrNumber attnum, Oid typid, int64 *out)
{
	bool		isnull;
	Datum		d;

	if (attnum == InvalidAttrNumber)
		return false;
	d = heap_getattr(tup, attnum, desc, &isnull);
	if (isnull)
		return false;
	switch (typid)
	{
		case INT2OID:
			*out = DatumGetInt16(d);
			break;
		case INT4OID:
			*out = DatumGetInt32(d);
			break;
		default:
			*out = DatumGetInt64(d);
			break;
	}
	return true;
}

/* An integer column of the tree's table by name, or 42703 / 42804. */
static AttrNumber
tree_column(Relation rel, const char *tree, const char *col, Oid *typid)
{
	TupleDesc	desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped || strcmp(NameStr(a->attname), col) != 0)
			continue;
		if (a->atttypid != INT2OID && a->atttypid != INT4OID && a->atttypid != INT8OID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of tree \"%s\" is not an integer column", col, tree)));
		*typid = a->atttypid;
		return a->attnum;
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of tree \"%s\" does not exist", col, tree),
			 errhint("Register the tree again with inventree_perms.register_tree().")));
	return InvalidAttrNumber;	/* keep compiler quiet */
}

/*
 * A tree's arrays live in one arena, allocated at once.  Its first touch is
 * most of what reading a large tree costs (a page fault per 4 kB page, each
 * dear on a virtual machine), so an arena of 1 MB or more asks the kernel
 * for transparent huge pages (MADV_HUGEPAGE: a fault per 2 MB; nothing
 * happens where they are off).  The arena is freed with the tree's context.
 */
#define ARENA_HUGE ((Size) 2 * 1024 * 1024)

typedef struct TreeArena
{
	char	   *raw;			/* what was allocated (pfree) */
	char	   *next;
	char	   *end;
} TreeArena;

static void
arena_init(TreeArena *a, MemoryContext cxt, Size size)
{
	size = TYPEALIGN(ARENA_HUGE, size);
	if (size < ARENA_HUGE / 2)
	{
		a->raw = MemoryContextAllocExtended(cxt, size, MCXT_ALLOC_HUGE);
		a->next = a->raw;
	}
	else
	{
		a->raw = MemoryContextAllocExtended(cxt, size + ARENA_HUGE, MCXT_ALLOC_HUGE);
		a->next = (char *) TYPEALIGN(ARENA_HUGE, a->raw);
#ifdef MADV_HUGEPAGE
		(void) madvise(a->next, size, MADV_HUGEPAGE);
#endif
	}
	a->end = a->next + size;
}

static void *
arena_alloc(TreeArena *a, Size size)
{
	void	   *p = a->next;

	size = MAXALIGN(size);
	if (size > (Size) (a->end - a->next))
		elog(ERROR, "inventree_perms: tree arena exhausted");	/* sizes are computed below */
	a->next += size;
	return p;
}

/*
 * What the arena of a tree of cap nodes holds: ids, parent ids and flags
 * while reading, owners if any, parents, children, and the id map (an
 * array of at most 2 * cap + 1024 entries, or a hash table of at most
 * 4 * cap slots).
 */
static Size
arena_size(int64 cap, bool owners)
{
	Size		n = (Size) cap + 1;

	return MAXALIGN(n * sizeof(int64)) * 2 + MAXALIGN(n) +
		(owners ? MAXALIGN(n * sizeof(int64)) + MAXALIGN(n / 8 + 1) : 0) +
		MAXALIGN(n * sizeof(int32)) * 3 +
		MAXALIGN(Max(2 * n + 1024, 4 * n + 16) * sizeof(int32)) + 64;
}

/* Per node while a tree is read (flags[]). */
#define NODE_HAS_PARENT 0x01
#define NODE_HAS_OWNER	0x02
#define NODE_ON_WALK	0x04
#define NODE_DONE		0x08

/*
 * load_tree: read the row of "trees" and the tree's table.  NULL if no tree
 * of that name is registered.
 *
 * The first check of a session pays for this, and most of it is first
 * touches of new memory: the arrays are sized once from the table's size
 * (grown only when the estimate was short), the temporary ones are reused,
 * and ids within a range not much wider than their number are mapped by an
 * array (id - base) instead of a hash table.
 */
static IpTree *
load_tree(const char *name, int len)
{
	Relation	rel;
	ScanKeyData skey;
	SysScanDesc scan;
	HeapTuple	tup;
	Snapshot	snap = ip_scope_snapshot();
	Oid			relid = InvalidOid;
	char	   *parent_col = NULL,
			   *owner_col = NULL,
			   *key_col = NULL;
	IpTree	   *t;
	MemoryContext cxt,
				old;
	TableScanDesc hscan;
	TupleDesc	desc;
	int64		cap;
	int64		n = 0;
	int64		min_id = PG_INT64_MAX,
				max_id = PG_INT64_MIN;
	AttrNumber	key_att,
				parent_att,
				owner_att = InvalidAttrNumber;
	Oid			key_typ,
				parent_typ,
				owner_typ = InvalidOid;
	TreeArena	arena;
	int64	   *parent_ids;		/* then: stack[] and counts[] */
	uint8	   *flags;
	int32	   *stack;
	int32	   *counts;
	uint64		generation = tree_generation;

	rel = table_open(ip_scope_catalog.table[IPS_TREES], AccessShareLock);
	ScanKeyInit(&skey, ANUM_TREES_NAME, BTEqualStrategyNumber, F_TEXTEQ,
				PointerGetDatum(cstring_to_text_with_len(name, len)));
	scan = systable_beginscan(rel, ip_scope_catalog.pkey[IPS_TREES], true, snap, 1, &skey);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d;

		desc = RelationGetDescr(rel);
		relid = DatumGetObjectId(heap_getattr(tup, ANUM_TREES_RELATION, desc, &isnull));
		parent_col = pstrdup(NameStr(*DatumGetName(heap_getattr(tup, ANUM_TREES_PARENT, desc, &isnull))));
		d = heap_getattr(tup, ANUM_TREES_OWNER, desc, &isnull);
		if (!isnull)
			owner_col = pstrdup(NameStr(*DatumGetName(d)));
		key_col = pstrdup(NameStr(*DatumGetName(heap_getattr(tup, ANUM_TREES_KEY, desc, &isnull))));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(relid))
	{
		UnregisterSnapshot(snap);
		return NULL;
	}

	if (IpTreeContext == NULL)
	{
		if (!CacheMemoryContext)
			CreateCacheMemoryContext();
		IpTreeContext = AllocSetContextCreate(CacheMemoryContext, "inventree_perms trees",
											  ALLOCSET_SMALL_SIZES);
	}
	cxt = AllocSetContextCreate(IpTreeContext, "inventree_perms tree", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	t = palloc0(sizeof(IpTree));
	t->cxt = cxt;
	memcpy(t->name, name, len);
	t->name[len] = '\0';
	t->relid = relid;
	t->has_owners = owner_col != NULL;
	MemoryContextSwitchTo(old);

	/* The nodes: one sequential scan (row-level security does not apply). */
	rel = table_open(relid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the table of tree \"%s\", \"%s\", is not a plain table",
						t->name, RelationGetRelationName(rel)),
				 errhint("Register the tree again on a plain table.")));
	desc = RelationGetDescr(rel);
	key_att = tree_column(rel, t->name, key_col, &key_typ);
	parent_att = tree_column(rel, t->name, parent_col, &parent_typ);
	if (owner_col)
		owner_att = tree_column(rel, t->name, owner_col, &owner_typ);

	/* room for as many rows as the table's pages held at the last count */
	{
		BlockNumber pages = RelationGetNumberOfBlocks(rel);
		double		density = (rel->rd_rel->relpages > 0 && rel->rd_rel->reltuples > 0)
			? rel->rd_rel->reltuples / rel->rd_rel->relpages : 64;

		cap = (int64) Min(density * pages * 1.05 + 64, (double) (MaxAllocHugeSize / sizeof(int64) / 2));
	}
	arena_init(&arena, cxt, arena_size(cap, t->has_owners));
	t->ids = arena_alloc(&arena, cap * sizeof(int64));
	parent_ids = arena_alloc(&arena, cap * sizeof(int64));
	flags = arena_alloc(&arena, cap);
	if (t->has_owners)
		t->eff_owner = arena_alloc(&arena, cap * sizeof(int64));

	hscan = table_beginscan(rel, snap, 0, NULL);
	while (HeapTupleIsValid(tup = heap_getnext(hscan, ForwardScanDirection)))
	{
		int64		id;
		uint8		f = 0;

		CHECK_FOR_INTERRUPTS();
		if (!int_attr(tup, desc, key_att, key_typ, &id))
			continue;
		if (n == cap)
		{
			/* more rows than the estimate: a larger arena */
			TreeArena	bigger;
			int64	   *ids,
					   *pids,
					   *owners = NULL;
			uint8	   *fl;

			cap *= 2;
			arena_init(&bigger, cxt, arena_size(cap, t->has_owners));
			ids = arena_alloc(&bigger, cap * sizeof(int64));
			pids = arena_alloc(&bigger, cap * sizeof(int64));
			fl = arena_alloc(&bigger, cap);
			memcpy(ids, t->ids, n * sizeof(int64));
			memcpy(pids, parent_ids, n * sizeof(int64));
			memcpy(fl, flags, n);
			if (t->has_owners)
			{
				owners = arena_alloc(&bigger, cap * sizeof(int64));
				memcpy(owners, t->eff_owner, n * sizeof(int64));
			}
			pfree(arena.raw);
			arena = bigger;
			t->ids = ids;
			parent_ids = pids;
			flags = fl;
			t->eff_owner = owners;
		}
		t->ids[n] = id;
		if (id < min_id)
			min_id = id;
		if (id > max_id)
			max_id = id;
		if (int_attr(tup, desc, parent_att, parent_typ, &parent_ids[n]))
			f |= NODE_HAS_PARENT;
		if (t->has_owners && int_attr(tup, desc, owner_att, owner_typ, &t->eff_owner[n]))
			f |= NODE_HAS_OWNER;
		flags[n] = f;
		n++;
	}
	table_endscan(hscan);
	table_close(rel, AccessShareLock);
	UnregisterSnapshot(snap);
	if (n > PG_INT32_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tree \"%s\" has too many nodes", t->name)));
	t->nnodes = (int32) n;

	old = MemoryContextSwitchTo(cxt);

	/*
	 * The id -> index map: an array when the ids lie within a range at most
	 * twice their number (serial keys), else a hash table (open addressing,
	 * load at most 1/2).
	 */
	if (n > 0 && (uint64) max_id - (uint64) min_id < (uint64) n * 2 + 1024)
	{
		t->base = min_id;
		t->span = (uint32) ((uint64) max_id - (uint64) min_id + 1);
		t->dense = arena_alloc(&arena, t->span * sizeof(int32));
		memset(t->dense, 0xff, t->span * sizeof(int32));	/* -1 */
		for (int32 i = 0; i < t->nnodes; i++)
			t->dense[t->ids[i] - min_id] = i;
	}
	else
	{
		uint32		size = 16;

		while (size < (uint32) t->nnodes * 2)
			size <<= 1;
		t->mask = size - 1;
		t->slots = arena_alloc(&arena, size * sizeof(int32));
		memset(t->slots, 0, size * sizeof(int32));
		for (int32 i = 0; i < t->nnodes; i++)
		{
			uint32		h = (uint32) hash_id(t->ids[i]) & t->mask;

			while (t->slots[h] != 0)
				h = (h + 1) & t->mask;
			t->slots[h] = i + 1;
		}
	}

	/* Parents by index; a missing parent makes a root. */
	t->parent = arena_alloc(&arena, Max(t->nnodes, 1) * sizeof(int32));
	for (int32 i = 0; i < t->nnodes; i++)
		t->parent[i] = (flags[i] & NODE_HAS_PARENT) ? ip_tree_find(t, parent_ids[i]) : -1;

	/* the parent ids are done with: their room holds two int32 arrays */
	stack = (int32 *) parent_ids;
	counts = stack + Max(t->nnodes, 1);

	/*
	 * Cycles: walk up from each node not yet done; meeting a node of the
	 * current walk closes a cycle, whose nodes become roots.
	 */
	for (int32 i = 0; i < t->nnodes; i++)
	{
		int			depth = 0;
		int32		k = i;

		while (k >= 0 && !(flags[k] & (NODE_ON_WALK | NODE_DONE)))
		{
			flags[k] |= NODE_ON_WALK;
			stack[depth++] = k;
			k = t->parent[k];
		}
		if (k >= 0 && !(flags[k] & NODE_DONE))
		{
			/* k is on this walk: the nodes from k to the top form a cycle */
			int			j = depth - 1;

			while (j >= 0 && stack[j] != k)
				j--;
			for (; j < depth; j++)
				t->parent[stack[j]] = -1;
		}
		for (int j = 0; j < depth; j++)
			flags[stack[j]] = (flags[stack[j]] & ~NODE_ON_WALK) | NODE_DONE;
	}

	/*
	 * The owner of the nearest owned node, from each node up: walk up to an
	 * owned node, a root or a node already resolved, then fill the walk in.
	 * NODE_DONE now means "resolved" (cleared first).
	 */
	if (t->has_owners)
	{
		t->eff_has = arena_alloc(&arena, t->nnodes / 8 + 1);
		memset(t->eff_has, 0, t->nnodes / 8 + 1);
		for (int32 i = 0; i < t->nnodes; i++)
			flags[i] &= ~NODE_DONE;
		for (int32 i = 0; i < t->nnodes; i++)
		{
			int			depth = 0;
			int32		k = i;
			bool		has = false;
			int64		owner = 0;

			while (k >= 0 && !(flags[k] & (NODE_DONE | NODE_HAS_OWNER)))
			{
				stack[depth++] = k;
				k = t->parent[k];
			}
			if (k >= 0)
			{
				/* an owned node resolves to itself */
				if (flags[k] & NODE_HAS_OWNER && !(flags[k] & NODE_DONE))
				{
					t->eff_has[k >> 3] |= 1 << (k & 7);
					flags[k] |= NODE_DONE;
				}
				has = (t->eff_has[k >> 3] & (1 << (k & 7))) != 0;
				owner = t->eff_owner[k];
			}
			for (int j = 0; j < depth; j++)
			{
				int32		m = stack[j];

				if (has)
				{
					t->eff_has[m >> 3] |= 1 << (m & 7);
					t->eff_owner[m] = owner;
				}
				flags[m] |= NODE_DONE;
			}
		}
	}

	/* Children, for the allowed sets (compressed: start[] and list[]). */
	t->child_start = arena_alloc(&arena, (t->nnodes + 1) * sizeof(int32));
	memset(t->child_start, 0, (t->nnodes + 1) * sizeof(int32));
	t->child_list = arena_alloc(&arena, Max(t->nnodes, 1) * sizeof(int32));
	for (int32 i = 0; i < t->nnodes; i++)
		if (t->parent[i] >= 0)
			t->child_start[t->parent[i] + 1]++;
	for (int32 i = 0; i < t->nnodes; i++)
	{
		counts[i] = t->child_start[i + 1];	/* before the prefix sum below */
		t->child_start[i + 1] += t->child_start[i];
	}
	for (int32 i = t->nnodes - 1; i >= 0; i--)
		if (t->parent[i] >= 0)
		{
			int32		p = t->parent[i];

			t->child_list[t->child_start[p] + --counts[p]] = i;
		}
	MemoryContextSwitchTo(old);

	/* a change that arrived while we read: used once, then read again */
	if (generation != tree_generation)
	{
		t->stale = true;
		trees_stale = true;
	}
	old = MemoryContextSwitchTo(IpTreeContext);
	trees = lappend(trees, t);
	MemoryContextSwitchTo(old);
	return t;
}

/*
 * ip_tree_get: the tree of that name, loaded if needed; NULL if there is no
 * such tree.  Valid until the next ip_tree_begin().
 */
IpTree *
ip_tree_get(const char *name, int len)
{
	ListCell   *lc;

	foreach(lc, trees)
	{
		IpTree	   *t = lfirst(lc);

		if (!t->stale && (int) strlen(t->name) == len && memcmp(t->name, name, len) == 0)
			return t;
	}
	if (len >= NAMEDATALEN)
		return NULL;
	return load_tree(name, len);
}

/*
 * _tree_has_node(tree text, node bigint) returns boolean: is the node in
 * the tree's table now?  False for an unknown tree.
 */
Datum
ip_tree_has_node(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	int64		node = PG_GETARG_INT64(1);
	IpTree	   *t;

	ip_tree_begin();
	t = ip_tree_get(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
	PG_RETURN_BOOL(t != NULL && ip_tree_find(t, node) >= 0);
}
