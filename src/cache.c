/*-------------------------------------------------------------------------
 *
 * cache.c
 *	  The per-backend permission cache and its invalidation.
 *
 * What the checks need is kept per name: each model (registered? open?),
 * each role (exists? which models?), each group (its grants and role flags,
 * role flags already expanded to models) and each user (active? superuser?
 * groups, direct grants).  Entries are built on first use from the tables
 * with index scans on the primary keys, and all of them are thrown away
 * together when any of the tables changes:
 *
 *	- a row trigger (and a TRUNCATE trigger) on every table (ip_invalidate) sends a relcache
 *	  invalidation for the table: other backends receive it when the writer
 *	  commits (never if it aborts), the writer itself at its next command,
 *	  hot standbys when the commit record is replayed;
 *	- a relcache callback, registered once per backend, marks the cache
 *	  invalid when the invalidation names one of our tables, or everything
 *	  (InvalidOid: a reset after the shared invalidation queue overflowed);
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
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_invalidate);
PG_FUNCTION_INFO_V1(ip_cache_stats);

int			ip_cache_size = 200000;

/* Column numbers of the tables (sql/src/10_tables.sql; new columns go last). */
#define ANUM_USERS_NAME 1
#define ANUM_USERS_IS_SUPERUSER 2
#define ANUM_USERS_IS_ACTIVE 3
#define ANUM_MODELS_IS_OPEN 4
#define ANUM_MEMBERSHIPS_GROUPNAME 2
#define ANUM_PERMS_MODEL 2		/* user_perms and group_perms */
#define ANUM_PERMS_ACTION 3
#define ANUM_ROLE_MODELS_MODEL 2
#define ANUM_GROUP_ROLES_ROLE 2
#define ANUM_GROUP_ROLES_ACTION 3
#define ANUM_DELEGATES_ROLE 1

/* Longest name that can be valid: 150 characters of at most 4 bytes. */
#define MAX_NAME_BYTES 600
#define MAX_MODEL_NAME_BYTES 63

typedef struct NameKey
{
	const char *str;
	int			len;
} NameKey;

/* How every cache entry begins: its name, and whether it is fully built. */
typedef struct EntryHead
{
	NameKey		key;
	bool		ready;
} EntryHead;

/* Action bits held on one model (idx = model number) or role. */
typedef struct PermBits
{
	int32		idx;
	int32		bits;
} PermBits;

typedef struct PermSet
{
	int			n;
	PermBits   *items;			/* sorted by idx, one item per idx */
} PermSet;

typedef struct ModelEntry
{
	NameKey		key;
	bool		ready;
	int32		idx;
	bool		registered;
	bool		is_open;
} ModelEntry;

typedef struct RoleEntry
{
	NameKey		key;
	bool		ready;
	int32		idx;
	bool		exists;
	int			nmodels;
	int32	   *models;
} RoleEntry;

typedef struct GroupEntry
{
	NameKey		key;
	bool		ready;
	PermSet		perms;			/* grants and role flags, by model */
	PermSet		roles;			/* role flags, by role */
} GroupEntry;

typedef struct UserEntry
{
	NameKey		key;
	bool		ready;
	bool		found;
	bool		is_active;
	bool		is_superuser;
	int			ngroups;
	GroupEntry **groups;
	PermSet		perms;			/* direct grants, by model */
} UserEntry;

static MemoryContext IpCacheContext = NULL;
static MemoryContext IpBuildContext = NULL;
static HTAB *models_htab;
static HTAB *roles_htab;
static HTAB *groups_htab;
static HTAB *users_htab;
static bool cache_valid = false;
static uint64 cache_generation = 0;
static uint64 cache_resets = 0;
static long cache_entries = 0;
static int32 next_model_idx;
static int32 next_role_idx;
static bool flush_at_next_statement = false;
static Snapshot check_snapshot = NULL;
static LocalTransactionId last_lxid = InvalidLocalTransactionId;
static TimestampTz last_statement = 0;

/* The entries of the last check, reused when the next one names the same. */
static uint64 memo_resets = 0;
static UserEntry *memo_user = NULL;
static ModelEntry *memo_model = NULL;

static uint32
namekey_hash(const void *key, pg_attribute_unused() Size keysize)
{
	const NameKey *k = (const NameKey *) key;

	return hash_bytes((const unsigned char *) k->str, k->len);
}

static int
namekey_match(const void *a, const void *b, pg_attribute_unused() Size keysize)
{
	const NameKey *ka = (const NameKey *) a;
	const NameKey *kb = (const NameKey *) b;

	return (ka->len == kb->len && memcmp(ka->str, kb->str, ka->len) == 0) ? 0 : 1;
}

static HTAB *
make_htab(const char *name, Size entrysize, long nelem)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(NameKey);
	ctl.entrysize = entrysize;
	ctl.hash = namekey_hash;
	ctl.match = namekey_match;
	ctl.hcxt = IpCacheContext;
	return hash_create(name, nelem, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
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
 * cache_reset: empty the cache and look up the tables' OIDs again.
 */
static void
cache_reset(void)
{
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
	models_htab = make_htab("inventree_perms models", sizeof(ModelEntry), 256);
	roles_htab = make_htab("inventree_perms roles", sizeof(RoleEntry), 32);
	groups_htab = make_htab("inventree_perms groups", sizeof(GroupEntry), 256);
	users_htab = make_htab("inventree_perms users", sizeof(UserEntry), 1024);
	cache_entries = 0;
	next_model_idx = 0;
	next_role_idx = 0;
	cache_resets++;
	memo_user = NULL;
	memo_model = NULL;

	cache_valid = true;
	ip_catalog.valid = false;
	ip_catalog_load();
}

/*
 * cache_begin: before trusting the cache, accept the invalidation messages
 * that arrived since the statement began (once per statement), and empty
 * the cache if it is invalid.
 */
static void
cache_begin(void)
{
	TimestampTz stmt = GetCurrentStatementStartTimestamp();

	if (MyProc->lxid != last_lxid || stmt != last_statement)
	{
		last_lxid = MyProc->lxid;
		last_statement = stmt;
		AcceptInvalidationMessages();
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
	if (check_snapshot)
		UnregisterSnapshot(check_snapshot);
	check_snapshot = NULL;
	MemoryContextReset(IpBuildContext);
}

/*
 * scan_snapshot: the snapshot entries are built from, one per check.  The
 * latest one, so that what a cache holds is what is committed now (plus this
 * transaction's own changes), whatever the isolation level.  In parallel mode
 * no new snapshot may be taken: there the statement's snapshot is used
 * (workers get the leader's), and the leader forgets what it built at the
 * next statement.
 */
static Snapshot
scan_snapshot(void)
{
	if (check_snapshot)
		return check_snapshot;
	if (IsInParallelMode())
	{
		if (!IsParallelWorker())
			flush_at_next_statement = true;
		check_snapshot = RegisterSnapshot(ActiveSnapshotSet() ? GetActiveSnapshot()
										  : GetTransactionSnapshot());
	}
	else
		check_snapshot = RegisterSnapshot(GetLatestSnapshot());
	return check_snapshot;
}

/* A tuple callback of scan_table. */
typedef void (*TupleFn) (HeapTuple tup, TupleDesc desc, void *arg);

/*
 * scan_table: call fn on every row of table t whose first key column equals
 * key (a text datum), through the table's primary key.
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
	ScanKeyInit(&skey, 1, BTEqualStrategyNumber, F_TEXTEQ, key);
	scan = systable_beginscan(rel, ip_catalog.pkey[t], true, snap, 1, &skey);
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
 * cache_enter: find or make the entry for a name; a new entry's key points
 * at a copy of the name in the cache's memory.
 */
static void *
cache_enter(HTAB *htab, const char *name, int len)
{
	NameKey		key = {name, len};
	bool		found;
	EntryHead  *entry;

	StaticAssertStmt(offsetof(ModelEntry, ready) == offsetof(EntryHead, ready) &&
					 offsetof(RoleEntry, ready) == offsetof(EntryHead, ready) &&
					 offsetof(GroupEntry, ready) == offsetof(EntryHead, ready) &&
					 offsetof(UserEntry, ready) == offsetof(EntryHead, ready),
					 "every cache entry begins with an EntryHead");
	entry = hash_search(htab, &key, HASH_ENTER, &found);

	if (!found)
	{
		char	   *copy = MemoryContextAlloc(IpCacheContext, len + 1);

		memcpy(copy, name, len);
		copy[len] = '\0';
		entry->key.str = copy;
		entry->ready = false;
		cache_entries++;		/* bounded at the next check's start */
	}
	return entry;
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

/* Growable list of PermBits, in the build context. */
typedef struct PermList
{
	int			n;
	int			cap;
	PermBits   *items;
} PermList;

static void
permlist_add(PermList *l, int32 idx, int32 bits)
{
	l->items = grow(l->items, l->n, &l->cap, sizeof(PermBits));
	l->items[l->n].idx = idx;
	l->items[l->n].bits = bits;
	l->n++;
}

static int
permbits_cmp(const void *a, const void *b)
{
	int32		x = ((const PermBits *) a)->idx;
	int32		y = ((const PermBits *) b)->idx;

	return (x > y) - (x < y);
}

/* permset_from: sort, merge by idx, copy into the cache's memory. */
static PermSet
permset_from(PermList *l)
{
	PermSet		s = {0, NULL};

	if (l->n == 0)
		return s;
	qsort(l->items, l->n, sizeof(PermBits), permbits_cmp);
	s.items = MemoryContextAlloc(IpCacheContext, l->n * sizeof(PermBits));
	for (int i = 0; i < l->n; i++)
	{
		if (s.n > 0 && s.items[s.n - 1].idx == l->items[i].idx)
			s.items[s.n - 1].bits |= l->items[i].bits;
		else
			s.items[s.n++] = l->items[i];
	}
	return s;
}

static int32
permset_bits(const PermSet *s, int32 idx)
{
	int			lo = 0,
				hi = s->n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int32		v = s->items[mid].idx;

		if (v == idx)
			return s->items[mid].bits;
		if (v < idx)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return 0;
}

/* ---- models ------------------------------------------------------------ */

static void
model_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	ModelEntry *m = (ModelEntry *) arg;

	m->registered = true;
	m->is_open = bool_attr(tup, desc, ANUM_MODELS_IS_OPEN);
}

static bool
model_name_possible(const char *name, int len)
{
	return len >= 1 && len <= MAX_MODEL_NAME_BYTES && name[0] >= 'a' && name[0] <= 'z';
}

static ModelEntry *
lookup_model(const char *name, int len)
{
	static ModelEntry unregistered = {{"", 0}, true, -1, false, false};
	ModelEntry *m;
	MemoryContext old;

	if (!model_name_possible(name, len))
		return &unregistered;	/* malformed: never registered, not cached */

	m = cache_enter(models_htab, name, len);
	if (m->ready)
		return m;

	m->idx = next_model_idx++;
	m->registered = false;
	m->is_open = false;
	old = MemoryContextSwitchTo(IpBuildContext);
	scan_table(IPT_MODELS, PointerGetDatum(cstring_to_text_with_len(name, len)),
			   model_row, m);
	MemoryContextSwitchTo(old);
	m->ready = true;
	return m;
}

/* ---- roles ------------------------------------------------------------- */

static void
role_row(pg_attribute_unused() HeapTuple tup, pg_attribute_unused() TupleDesc desc, void *arg)
{
	((RoleEntry *) arg)->exists = true;
}

typedef struct RoleModelsArg
{
	int			n;
	int			cap;
	int32	   *idx;
} RoleModelsArg;

static void
role_model_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	RoleModelsArg *a = (RoleModelsArg *) arg;
	int			len;
	char	   *model = text_attr(tup, desc, ANUM_ROLE_MODELS_MODEL, &len);

	a->idx = grow(a->idx, a->n, &a->cap, sizeof(int32));
	a->idx[a->n++] = lookup_model(model, len)->idx;
}

static RoleEntry *
lookup_role(const char *name, int len)
{
	static RoleEntry nonexistent = {{"", 0}, true, -1, false, 0, NULL};
	RoleEntry  *r;
	MemoryContext old;
	RoleModelsArg a = {0, 0, NULL};
	Datum		key;

	if (!model_name_possible(name, len))
		return &nonexistent;

	r = cache_enter(roles_htab, name, len);
	if (r->ready)
		return r;

	r->idx = next_role_idx++;
	r->exists = false;
	r->nmodels = 0;
	r->models = NULL;
	old = MemoryContextSwitchTo(IpBuildContext);
	key = PointerGetDatum(cstring_to_text_with_len(name, len));
	scan_table(IPT_ROLES, key, role_row, r);
	if (r->exists)
		scan_table(IPT_ROLE_MODELS, key, role_model_row, &a);
	MemoryContextSwitchTo(old);
	if (a.n > 0)
	{
		r->models = MemoryContextAlloc(IpCacheContext, a.n * sizeof(int32));
		memcpy(r->models, a.idx, a.n * sizeof(int32));
		r->nmodels = a.n;
	}
	r->ready = true;
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
group_role_row(pg_attribute_unused() HeapTuple tup, pg_attribute_unused() TupleDesc desc, void *arg)
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
}

static GroupEntry *
lookup_group(const char *name, int len)
{
	GroupEntry *g = cache_enter(groups_htab, name, len);
	GroupBuild	b;
	MemoryContext old;
	Datum		key;

	if (g->ready)
		return g;

	memset(&b, 0, sizeof(b));
	old = MemoryContextSwitchTo(IpBuildContext);
	key = PointerGetDatum(cstring_to_text_with_len(name, len));
	scan_table(IPT_GROUP_PERMS, key, group_perm_row, &b);
	scan_table(IPT_GROUP_ROLES, key, group_role_row, &b);
	MemoryContextSwitchTo(old);
	g->perms = permset_from(&b.perms);
	g->roles = permset_from(&b.roles);
	g->ready = true;
	return g;
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
	int		   *lens;
	PermList	perms;
} UserBuild;

static void
membership_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	UserBuild  *b = (UserBuild *) arg;
	int			len;
	char	   *g = text_attr(tup, desc, ANUM_MEMBERSHIPS_GROUPNAME, &len);

	{
		int			cap = b->cap;

		b->names = grow(b->names, b->ngroups, &b->cap, sizeof(char *));
		b->lens = grow(b->lens, b->ngroups, &cap, sizeof(int));
	}
	b->names[b->ngroups] = pnstrdup(g, len);
	b->lens[b->ngroups] = len;
	b->ngroups++;
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

static UserEntry *
lookup_user(const char *name, int len)
{
	static UserEntry unknown = {{"", 0}, true, false, false, false, 0, NULL, {0, NULL}};
	UserEntry  *u;
	UserBuild	b;
	MemoryContext old;
	Datum		key;

	if (len < 1 || len > MAX_NAME_BYTES)
		return &unknown;		/* cannot be a user: not cached */

	u = cache_enter(users_htab, name, len);
	if (u->ready)
		return u;

	u->found = u->is_active = u->is_superuser = false;
	u->ngroups = 0;
	u->groups = NULL;
	u->perms.n = 0;
	u->perms.items = NULL;
	memset(&b, 0, sizeof(b));

	old = MemoryContextSwitchTo(IpBuildContext);
	key = PointerGetDatum(cstring_to_text_with_len(name, len));
	scan_table(IPT_USERS, key, user_row, u);
	/* Inactive users and superusers need nothing more. */
	if (u->found && u->is_active && !u->is_superuser)
	{
		scan_table(IPT_MEMBERSHIPS, key, membership_row, &b);
		scan_table(IPT_USER_PERMS, key, user_perm_row, &b);
	}
	MemoryContextSwitchTo(old);

	if (b.ngroups > 0)
	{
		u->groups = MemoryContextAlloc(IpCacheContext, b.ngroups * sizeof(GroupEntry *));
		for (int i = 0; i < b.ngroups; i++)
			u->groups[i] = lookup_group(b.names[i], b.lens[i]);
		u->ngroups = b.ngroups;
	}
	u->perms = permset_from(&b.perms);
	u->ready = true;
	return u;
}

/* ---- the checks -------------------------------------------------------- */

/* Is the memoized entry with this key (if any, and not flushed since) name's? */
static inline bool
memo_hit(const NameKey *key, const char *name, int len)
{
	return key && memo_resets == cache_resets && key->len == len &&
		memcmp(key->str, name, len) == 0;
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

		m = memo_hit(memo_model ? &memo_model->key : NULL, model, modellen) ?
			memo_model : lookup_model(model, modellen);

		if (!m->registered)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("model \"%s\" is not registered", pnstrdup(model, modellen)),
					 errhint("Register it with inventree_perms.register_model().")));

		u = memo_hit(memo_user ? &memo_user->key : NULL, user, userlen) ?
			memo_user : lookup_user(user, userlen);

		if (!u->found || !u->is_active)
			bits = 0;
		else if (u->is_superuser || m->is_open)
			bits = IP_ALL;
		else
		{
			bits = permset_bits(&u->perms, m->idx);
			for (int i = 0; i < u->ngroups && !(bits & action); i++)
				bits |= permset_bits(&u->groups[i]->perms, m->idx);
		}

		cache_end();
		if (generation == cache_generation && cache_valid)
		{
			if (m->key.len > 0)
				memo_model = m;
			if (u->key.len > 0)
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
		if (!r->exists)
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
			bits = 0;
			for (int i = 0; i < u->ngroups; i++)
				bits |= permset_bits(&u->groups[i]->roles, r->idx);
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
 * ip_is_delegate: has roleid the privileges of a role registered as a
 * delegate?  Read from the table each time (set_acting_user is not hot).
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
		bool		isnull;
		Datum		d = heap_getattr(tup, ANUM_DELEGATES_ROLE, RelationGetDescr(rel), &isnull);

		if (!isnull && has_privs_of_role(roleid, DatumGetObjectId(d)))
			result = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	UnregisterSnapshot(snap);
	return result;
}

/*
 * _invalidate(): row and TRUNCATE trigger on every table the checks read.  Queues
 * a relcache invalidation of the table: sent to every backend at commit,
 * discarded at abort, processed by this backend at its next command.
 */
Datum
ip_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("inventree_perms._invalidate() must be called as a trigger")));

	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

/*
 * _cache_stats(): entries and bytes of this backend's cache (benchmarks).
 */
Datum
ip_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = Int64GetDatum(cache_valid ? cache_entries : 0);
	values[1] = Int64GetDatum(IpCacheContext ? MemoryContextMemAllocated(IpCacheContext, true) : 0);
	values[2] = Int64GetDatum(ip_cache_size);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
