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
static LocalTransactionId last_lxid = InvalidLocalTransactionId;
static TimestampTz last_statement = 0;

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
	TimestampTz stmt = GetCurrentStatementStartTimestamp();
	bool		new_statement = false;

	tree_init();
	if (MyProc->lxid != last_lxid || stmt != last_statement)
	{
		last_lxid = MyProc->lxid;
		last_statement = stmt;
		AcceptInvalidationMessages();
		new_statement = true;
		if (flush_trees_at_next_statement)
		{
			flush_trees_at_next_statement = false;
			tree_relcache_callback((Datum) 0, InvalidOid);
		}
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

/* Find a node's index, or -1. */
int32
ip_tree_find(const IpTree *t, int64 id)
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
 * load_tree: read the row of "trees" and the tree's table.  NULL if no tree
 * of that name is registered.
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
	int			cap = 64;
	AttrNumber	key_att,
				parent_att,
				owner_att = InvalidAttrNumber;
	Oid			key_typ,
				parent_typ,
				owner_typ = InvalidOid;
	int64	   *parent_ids;
	bool	   *has_parent;
	int8	   *state;
	int32	   *stack;
	int32	   *counts;
	uint64		generation = tree_generation;

	rel = table_open(ip_scope_catalog.table[IPS_TREES], AccessShareLock);
	ScanKeyInit(&skey, ANUM_TREES_NAME, BTEqualStrategyNumber, F_TEXTEQ,
				PointerGetDatum(cstring_to_text_with_len(name, len)));
	scan = systable_beginscan(rel, ip_scope_catalog.pkey[IPS_TREES], true, snap, 1, &skey);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;
		Datum		d;

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
	t->ids = palloc(cap * sizeof(int64));
	t->owner = palloc(cap * sizeof(int64));
	t->has_owner = palloc(cap * sizeof(bool));
	parent_ids = palloc(cap * sizeof(int64));
	has_parent = palloc(cap * sizeof(bool));
	MemoryContextSwitchTo(old);

	/* The nodes: one sequential scan (row-level security does not apply). */
	rel = table_open(relid, AccessShareLock);
	key_att = tree_column(rel, t->name, key_col, &key_typ);
	parent_att = tree_column(rel, t->name, parent_col, &parent_typ);
	if (owner_col)
		owner_att = tree_column(rel, t->name, owner_col, &owner_typ);
	hscan = table_beginscan(rel, snap, 0, NULL);
	while (HeapTupleIsValid(tup = heap_getnext(hscan, ForwardScanDirection)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		int64		id;
		int			n = t->nnodes;

		CHECK_FOR_INTERRUPTS();
		if (!int_attr(tup, desc, key_att, key_typ, &id))
			continue;
		if (n == cap)
		{
			cap *= 2;
			t->ids = repalloc_huge(t->ids, cap * sizeof(int64));
			t->owner = repalloc_huge(t->owner, cap * sizeof(int64));
			t->has_owner = repalloc_huge(t->has_owner, cap * sizeof(bool));
			parent_ids = repalloc_huge(parent_ids, cap * sizeof(int64));
			has_parent = repalloc_huge(has_parent, cap * sizeof(bool));
		}
		t->ids[n] = id;
		has_parent[n] = int_attr(tup, desc, parent_att, parent_typ, &parent_ids[n]);
		t->has_owner[n] = int_attr(tup, desc, owner_att, owner_typ, &t->owner[n]);
		t->nnodes++;
	}
	table_endscan(hscan);
	table_close(rel, AccessShareLock);
	UnregisterSnapshot(snap);

	/* The id -> index hash (open addressing, load at most 1/2). */
	old = MemoryContextSwitchTo(cxt);
	{
		uint32		size = 16;

		while (size < (uint32) t->nnodes * 2)
			size <<= 1;
		t->mask = size - 1;
		t->slots = palloc_extended(size * sizeof(int32), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		for (int i = 0; i < t->nnodes; i++)
		{
			uint32		h = (uint32) hash_id(t->ids[i]) & t->mask;

			while (t->slots[h] != 0)
				h = (h + 1) & t->mask;
			t->slots[h] = i + 1;
		}
	}

	/* Parents by index; a missing parent makes a root. */
	t->parent = palloc_extended(Max(t->nnodes, 1) * sizeof(int32), MCXT_ALLOC_HUGE);
	for (int i = 0; i < t->nnodes; i++)
		t->parent[i] = has_parent[i] ? ip_tree_find(t, parent_ids[i]) : -1;

	/*
	 * Cycles: walk up from each node not yet done; meeting a node of the
	 * current walk closes a cycle, whose nodes become roots.
	 */
	state = palloc_extended(Max(t->nnodes, 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);	/* 0 new, 1 on walk, 2 done */
	stack = palloc_extended(Max(t->nnodes, 1) * sizeof(int32), MCXT_ALLOC_HUGE);
	for (int i = 0; i < t->nnodes; i++)
	{
		int			depth = 0;
		int32		n = i;

		while (n >= 0 && state[n] == 0)
		{
			state[n] = 1;
			stack[depth++] = n;
			n = t->parent[n];
		}
		if (n >= 0 && state[n] == 1)
		{
			/* n is on this walk: the nodes from n to the top form a cycle */
			int			k = depth - 1;

			while (k >= 0 && stack[k] != n)
				k--;
			for (int j = k; j < depth; j++)
				t->parent[stack[j]] = -1;
		}
		for (int j = 0; j < depth; j++)
			state[stack[j]] = 2;
	}

	/* The nearest owned node, from each node up (roots first by walking). */
	t->eff = palloc_extended(Max(t->nnodes, 1) * sizeof(int32), MCXT_ALLOC_HUGE);
	memset(state, 0, Max(t->nnodes, 1));
	for (int i = 0; i < t->nnodes; i++)
	{
		int			depth = 0;
		int32		n = i;
		int32		eff;

		while (n >= 0 && state[n] == 0 && !t->has_owner[n])
		{
			stack[depth++] = n;
			n = t->parent[n];
		}
		if (n < 0)
			eff = -1;
		else if (t->has_owner[n])
			eff = n;
		else
			eff = t->eff[n];
		if (n >= 0)
		{
			t->eff[n] = t->has_owner[n] ? n : t->eff[n];
			state[n] = 1;
		}
		for (int j = 0; j < depth; j++)
		{
			t->eff[stack[j]] = eff;
			state[stack[j]] = 1;
		}
	}

	/* Children, for the allowed sets (compressed: start[] and list[]). */
	counts = palloc_extended((t->nnodes + 1) * sizeof(int32), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	t->child_start = palloc_extended((t->nnodes + 1) * sizeof(int32), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	t->child_list = palloc_extended(Max(t->nnodes, 1) * sizeof(int32), MCXT_ALLOC_HUGE);
	for (int i = 0; i < t->nnodes; i++)
		if (t->parent[i] >= 0)
			t->child_start[t->parent[i] + 1]++;
	for (int i = 0; i < t->nnodes; i++)
		t->child_start[i + 1] += t->child_start[i];
	for (int i = 0; i < t->nnodes; i++)
		if (t->parent[i] >= 0)
		{
			int32		p = t->parent[i];

			t->child_list[t->child_start[p] + counts[p]++] = i;
		}
	pfree(counts);
	pfree(state);
	pfree(stack);
	pfree(parent_ids);
	pfree(has_parent);
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
