/*-------------------------------------------------------------------------
 *
 * scope.c
 *	  has_row_perm: the answer a protected row gets (row scopes), and the
 *	  per-statement sets it is answered from; allowed_nodes(), scope_admits()
 *	  and scope_admits_row(), which the scoped policies call.
 *
 * Model-wide permission comes from the permission cache (src/cache.c).  What
 * rows add is kept per statement: for each (user, model, action) a check
 * meets, the set of tree nodes within the user's scoped grants (a bitmap by
 * id - base when the tree's ids are dense, else by node index; filled once
 * from the granted nodes down), and for each user the owner ids that cover
 * it (the user's own and its groups').  So a policy that calls has_row_perm
 * once per row pays a bit test per row (a hash lookup first, for sparse
 * ids); the grants are read once per statement.  A call site whose model
 * and action are constants remembers its statement entry (CallMemo).
 *
 * The sets are thrown away at the next statement and whenever a table they
 * were read from changes (the relcache callback of src/tree.c); a check that
 * saw such a change while it ran starts again, so no answer mixes data from
 * before and after a change.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/pathnodes.h"
#include "nodes/plannodes.h"
#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "optimizer/planmain.h"
#include "storage/proc.h"
#include "utils/timestamp.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/typcache.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_has_row_perm);
PG_FUNCTION_INFO_V1(ip_has_row_perm_acting);
PG_FUNCTION_INFO_V1(ip_allowed_nodes);
PG_FUNCTION_INFO_V1(ip_scope_admits);
PG_FUNCTION_INFO_V1(ip_scope_admits_row);
PG_FUNCTION_INFO_V1(ip_scope_nodes);
PG_FUNCTION_INFO_V1(ip_scope_test2);
PG_FUNCTION_INFO_V1(ip_scope_test4);
PG_FUNCTION_INFO_V1(ip_scope_test8);

/* Columns. */
#define ANUM_MODEL_SCOPES_MODEL 1
#define ANUM_MODEL_SCOPES_TREE 2
#define ANUM_SCOPE_GRANTS_WHO 1
#define ANUM_SCOPE_GRANTS_MODEL 2
#define ANUM_SCOPE_GRANTS_ACTION 3
#define ANUM_SCOPE_GRANTS_NODE 4
#define ANUM_SCOPE_GRANTS_TREE 5
#define ANUM_OWNERS_ID 1
#define ANUM_OWNERS_USERNAME 2
#define ANUM_OWNERS_GROUPNAME 3
#define ANUM_MEMBERSHIPS_USERNAME 1
#define ANUM_MEMBERSHIPS_GROUPNAME 2

/* What one user is, for this statement. */
typedef struct StmtUser
{
	struct StmtUser *next;
	char	   *name;
	int			len;
	int			ngroups;
	text	  **groups;
	int			nowners;
	int64	   *owners;			/* sorted: the owner ids that cover the user */
} StmtUser;

/* The rows a (user, model, action) holds within its scope, for this statement. */
typedef struct StmtScope
{
	struct StmtScope *next;
	StmtUser   *user;
	char	   *model;
	int			modellen;
	int			action;
	IpTree	   *tree;			/* the model's tree; NULL: not scoped */
	uint8	   *allowed;		/* bit per node of tree (ip_tree_bitpos); NULL: none */
	bool		user_ok;		/* the user exists and is active */
	bool		superuser;		/* ... and is a superuser */
	bool		modelwide;		/* holds the action on the model */
} StmtScope;

static MemoryContext IpStmtContext = NULL;
static bool stmt_valid = false;
static uint64 scope_generation = 0;
static StmtUser *stmt_users = NULL;
static StmtScope *stmt_scopes = NULL;
static StmtScope *memo_scope = NULL;

/*
 * Changes whenever the statement's sets are thrown away or made stale:
 * what scope_test()'s memo is checked against, once per row.
 */
static uint64 scope_epoch = 1;

/*
 * The scope_admits() functions whose calls the planner rewrote in this
 * backend (normally one), with their PROCOID hash values: the plans that
 * depend on them are invalidated when what the form was chosen from changes.
 */
#define MAX_PLANNED_FUNCS 4
static int	n_planned_funcs = 0;
static Oid	planned_funcs[MAX_PLANNED_FUNCS];
static uint32 planned_hashes[MAX_PLANNED_FUNCS];

static const char *const action_words[] = {"view", "add", "change", "delete"};

/*
 * ip_scope_invalidate: what the sets were read from changed (from the
 * relcache callback: only marks them; they are freed at the next check).
 */
void
ip_scope_invalidate(void)
{
	stmt_valid = false;
	scope_generation++;
	scope_epoch++;
	ip_scope_plans_invalidate();
}

/*
 * ip_scope_plan_depends: from the planner support function of
 * scope_admits() (src/scope_plan.c), which wrote a form chosen for the
 * acting user: the plan depends on that function, so that
 * ip_scope_plans_invalidate() reaches it (PlanInvalItem on PROCOID).
 */
void
ip_scope_plan_depends(PlannerInfo *root, Oid funcid)
{
	int			i;

	record_plan_function_dependency(root, funcid);
	/*
	 * And on the role: acting_user() is current_user when no acting user is
	 * set (a plan of a policy depends on it anyway; this covers a call
	 * written into a query by hand).
	 */
	root->glob->dependsOnRole = true;
	for (i = 0; i < n_planned_funcs; i++)
		if (planned_funcs[i] == funcid)
			return;
	if (n_planned_funcs == MAX_PLANNED_FUNCS)
	{
		/* (only after several ALTER EXTENSION ... UPDATE in one session) */
		memmove(planned_funcs, planned_funcs + 1, (MAX_PLANNED_FUNCS - 1) * sizeof(Oid));
		memmove(planned_hashes, planned_hashes + 1, (MAX_PLANNED_FUNCS - 1) * sizeof(uint32));
		n_planned_funcs--;
	}
	planned_hashes[n_planned_funcs] = GetSysCacheHashValue1(PROCOID, ObjectIdGetDatum(funcid));
	planned_funcs[n_planned_funcs++] = funcid;
}

/*
 * ip_scope_has_planned: has this backend planned a form chosen for the
 * acting user (src/scope_plan.c)?
 */
bool
ip_scope_has_planned(void)
{
	return n_planned_funcs > 0;
}

/*
 * ip_scope_plan_has_form: does a plan with these invalItems hold a form
 * this backend planned (a PlanInvalItem of one of those functions)?  A hash
 * that only collides costs a look at the plan, nothing more.
 */
bool
ip_scope_plan_has_form(List *invalItems)
{
	ListCell   *lc;

	if (n_planned_funcs == 0)
		return false;
	foreach(lc, invalItems)
	{
		PlanInvalItem *item = lfirst(lc);

		if (item->cacheId != PROCOID)
			continue;
		for (int i = 0; i < n_planned_funcs; i++)
			if (planned_hashes[i] == item->hashValue)
				return true;
	}
	return false;
}

/*
 * ip_scope_plans_invalidate: what the planner chose a scoped policy's form
 * from may have changed (a permission, a grant, a tree, the acting user):
 * mark every cached plan of this backend that holds such a form invalid
 * (plancache.c replans it at its next use).  Only flags are set: safe in an
 * invalidation callback and a setting's assign hook.
 */
void
ip_scope_plans_invalidate(void)
{
	for (int i = 0; i < n_planned_funcs; i++)
		CallSyscacheCallbacks(PROCOID, planned_hashes[i]);
}

static const char *
action_word(int bit)
{
	switch (bit)
	{
		case IP_VIEW:
			return action_words[0];
		case IP_ADD:
			return action_words[1];
		case IP_CHANGE:
			return action_words[2];
		default:
			return action_words[3];
	}
}

static int
int64_cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* Scan the rows of a table whose first key columns equal keys (text). */
typedef void (*RowFn) (HeapTuple tup, TupleDesc desc, void *arg);

static void
scan_keys(Oid table, Oid index, int nkeys, const AttrNumber *attnos, text **keys,
		  Snapshot snap, RowFn fn, void *arg)
{
	Relation	rel = table_open(table, AccessShareLock);
	ScanKeyData skey[4];
	SysScanDesc scan;
	HeapTuple	tup;

	for (int i = 0; i < nkeys; i++)
		ScanKeyInit(&skey[i], attnos[i], BTEqualStrategyNumber, F_TEXTEQ, PointerGetDatum(keys[i]));
	scan = systable_beginscan(rel, index, true, snap, nkeys, skey);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		fn(tup, RelationGetDescr(rel), arg);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* Collected integers. */
typedef struct Int64List
{
	int			n;
	int			cap;
	int64	   *items;
	const char *tree;			/* scope grants: only those of this tree */
	int			treelen;
} Int64List;

static void
int64list_add(Int64List *l, int64 v)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = l->items ? repalloc(l->items, l->cap * sizeof(int64))
			: palloc(l->cap * sizeof(int64));
	}
	l->items[l->n++] = v;
}

static void
owner_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, ANUM_OWNERS_ID, desc, &isnull);

	if (!isnull)
		int64list_add((Int64List *) arg, DatumGetInt64(d));
}

static void
grant_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	Int64List  *l = arg;
	bool		isnull;
	Datum		d = heap_getattr(tup, ANUM_SCOPE_GRANTS_TREE, desc, &isnull);
	text	   *t;

	if (isnull)
		return;
	t = DatumGetTextPP(d);
	if ((int) VARSIZE_ANY_EXHDR(t) != l->treelen || memcmp(VARDATA_ANY(t), l->tree, l->treelen) != 0)
		return;
	d = heap_getattr(tup, ANUM_SCOPE_GRANTS_NODE, desc, &isnull);
	if (!isnull)
		int64list_add(l, DatumGetInt64(d));
}

typedef struct TextList
{
	int			n;
	int			cap;
	text	  **items;
} TextList;

static void
membership_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	TextList   *l = arg;
	bool		isnull;
	Datum		d = heap_getattr(tup, ANUM_MEMBERSHIPS_GROUPNAME, desc, &isnull);

	if (isnull)
		return;
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = l->items ? repalloc(l->items, l->cap * sizeof(text *))
			: palloc(l->cap * sizeof(text *));
	}
	l->items[l->n++] = DatumGetTextPCopy(d);
}

typedef struct TreeName
{
	bool		found;
	text	   *tree;
} TreeName;

static void
model_scope_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	TreeName   *r = arg;
	bool		isnull;
	Datum		d = heap_getattr(tup, ANUM_MODEL_SCOPES_TREE, desc, &isnull);

	if (!isnull)
	{
		r->found = true;
		r->tree = DatumGetTextPCopy(d);
	}
}

/* The statement's entry of a user, built on first use. */
static StmtUser *
stmt_user(const char *name, int len, Snapshot snap)
{
	StmtUser   *u;
	text	   *key;
	TextList	groups = {0};
	Int64List	owners = {0};
	AttrNumber	att;

	for (u = stmt_users; u; u = u->next)
		if (u->len == len && memcmp(u->name, name, len) == 0)
			return u;

	u = palloc0(sizeof(StmtUser));
	u->name = pnstrdup(name, len);
	u->len = len;
	key = cstring_to_text_with_len(name, len);

	att = ANUM_MEMBERSHIPS_USERNAME;
	scan_keys(ip_scope_catalog.table[IPS_MEMBERSHIPS], ip_scope_catalog.pkey[IPS_MEMBERSHIPS],
			  1, &att, &key, snap, membership_row, &groups);
	u->ngroups = groups.n;
	u->groups = groups.items;

	att = ANUM_OWNERS_USERNAME;
	scan_keys(ip_scope_catalog.table[IPS_OWNERS], ip_scope_catalog.owners_username_idx,
			  1, &att, &key, snap, owner_row, &owners);
	att = ANUM_OWNERS_GROUPNAME;
	for (int i = 0; i < u->ngroups; i++)
		scan_keys(ip_scope_catalog.table[IPS_OWNERS], ip_scope_catalog.owners_groupname_idx,
				  1, &att, &u->groups[i], snap, owner_row, &owners);
	if (owners.n > 1)
		qsort(owners.items, owners.n, sizeof(int64), int64_cmp);
	u->nowners = owners.n;
	u->owners = owners.items;

	u->next = stmt_users;
	stmt_users = u;
	return u;
}

/* Is a node's bit set?  And set it. */
#define BIT_IS_SET(bits, pos) (((bits)[(pos) >> 3] & (1 << ((pos) & 7))) != 0)
#define BIT_SET(bits, pos) ((bits)[(pos) >> 3] |= (uint8) (1 << ((pos) & 7)))

/*
 * Mark a node and everything below it (bits by ip_tree_bitpos).  The stack
 * grows as needed: a subtree is usually far smaller than its tree.
 */
static void
mark_subtree(const IpTree *t, uint8 *bits, int32 top)
{
	int32	   *stack;
	int			cap = 256;
	int			depth = 0;
	int64		pos = ip_tree_bitpos(t, top);

	if (BIT_IS_SET(bits, pos))
		return;
	stack = palloc(cap * sizeof(int32));
	stack[depth++] = top;
	BIT_SET(bits, pos);
	while (depth > 0)
	{
		int32		n = stack[--depth];

		for (int32 c = t->child_start[n]; c < t->child_start[n + 1]; c++)
		{
			int32		k = t->child_list[c];

			pos = ip_tree_bitpos(t, k);
			if (!BIT_IS_SET(bits, pos))
			{
				BIT_SET(bits, pos);
				if (depth == cap)
				{
					cap *= 2;
					stack = repalloc_huge(stack, cap * sizeof(int32));
				}
				stack[depth++] = k;
			}
		}
	}
	pfree(stack);
}

/* The statement's entry of (user, model, action), built on first use. */
static StmtScope *
stmt_scope(const char *user, int userlen, const char *model, int modellen, int action)
{
	StmtScope  *s;
	Snapshot	snap;
	text	   *keys[3];
	AttrNumber	atts[3] = {ANUM_SCOPE_GRANTS_WHO, ANUM_SCOPE_GRANTS_MODEL, ANUM_SCOPE_GRANTS_ACTION};
	AttrNumber	att = ANUM_MODEL_SCOPES_MODEL;
	TreeName	tn = {0};
	Int64List	nodes = {0};
	MemoryContext old;

	IpUser		u;
	bool		modelwide;

	if (memo_scope && memo_scope->action == action && memo_scope->user->len == userlen &&
		memo_scope->modellen == modellen && memcmp(memo_scope->model, model, modellen) == 0 &&
		memcmp(memo_scope->user->name, user, userlen) == 0)
		return memo_scope;
	for (s = stmt_scopes; s; s = s->next)
		if (s->action == action && s->user->len == userlen && s->modellen == modellen &&
			memcmp(s->model, model, modellen) == 0 && memcmp(s->user->name, user, userlen) == 0)
			return memo_scope = s;

	/* has_model_perm's rules: 42704, unknown or inactive, superuser, grants */
	modelwide = ip_model_perm(user, userlen, model, modellen, action);
	ip_user_lookup(user, userlen, &u);

	old = MemoryContextSwitchTo(IpStmtContext);
	snap = ip_scope_snapshot();
	s = palloc0(sizeof(StmtScope));
	s->user = stmt_user(user, userlen, snap);
	s->model = pnstrdup(model, modellen);
	s->modellen = modellen;
	s->action = action;
	s->user_ok = u.found && u.is_active;
	s->superuser = s->user_ok && u.is_superuser;
	s->modelwide = s->user_ok && modelwide;

	keys[1] = cstring_to_text_with_len(model, modellen);
	scan_keys(ip_scope_catalog.table[IPS_MODEL_SCOPES], ip_scope_catalog.pkey[IPS_MODEL_SCOPES],
			  1, &att, &keys[1], snap, model_scope_row, &tn);
	if (tn.found && s->user_ok && !s->superuser)
	{
		nodes.tree = VARDATA_ANY(tn.tree);
		nodes.treelen = VARSIZE_ANY_EXHDR(tn.tree);
		s->tree = ip_tree_get(nodes.tree, nodes.treelen);
	}
	if (s->tree)
	{
		keys[2] = cstring_to_text(action_word(action));
		keys[0] = cstring_to_text_with_len(user, userlen);
		scan_keys(ip_scope_catalog.table[IPS_USER_SCOPE_GRANTS], ip_scope_catalog.pkey[IPS_USER_SCOPE_GRANTS],
				  3, atts, keys, snap, grant_row, &nodes);
		for (int i = 0; i < s->user->ngroups; i++)
		{
			keys[0] = s->user->groups[i];
			scan_keys(ip_scope_catalog.table[IPS_GROUP_SCOPE_GRANTS], ip_scope_catalog.pkey[IPS_GROUP_SCOPE_GRANTS],
					  3, atts, keys, snap, grant_row, &nodes);
		}
		for (int i = 0; i < nodes.n; i++)
		{
			int32		idx = ip_tree_find(s->tree, nodes.items[i]);

			if (idx < 0)
				continue;
			if (s->allowed == NULL)
				s->allowed = palloc_extended((s->tree->span > 0 ? s->tree->span : (uint32) s->tree->nnodes) / 8 + 1,
											 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
			mark_subtree(s->tree, s->allowed, idx);
		}
	}
	UnregisterSnapshot(snap);
	MemoryContextSwitchTo(old);

	s->next = stmt_scopes;
	stmt_scopes = s;
	return memo_scope = s;
}

/* Does the owner id cover the user? */
static bool
covers(const StmtUser *u, int64 owner)
{
	return bsearch(&owner, u->owners, u->nowners, sizeof(int64), int64_cmp) != NULL;
}

/*
 * What one call site (a policy's expression, per row) remembers in
 * fn_extra: the statement entry it used last, valid while the statement,
 * the generation, the model, the action and the user are the same.
 */
typedef struct CallMemo
{
	LocalTransactionId lxid;
	TimestampTz statement;
	uint64		generation;
	StmtScope  *scope;
	bool		consts;			/* model and action are Consts of the call */
	const char *user;			/* the acting user's name as returned ... */
	uint64		user_generation;	/* ... with this ip_acting_user_gen() number */
	Datum		model_datum;	/* ... whose values are these (then: same text) */
	Datum		action_datum;
	int			modellen;
	int			actionlen;
	char		model[NAMEDATALEN];
	char		action[16];
} CallMemo;

/*
 * The decision for a row, from the statement's entry.  A model-wide holder
 * costs no lookup; with ids mapped densely, a row within the scope costs
 * one bit test, and its owned node (add, change, delete) one array load.
 */
static pg_attribute_always_inline bool
decide(const StmtScope *s, bool node_null, int64 node, bool owner_null, int64 owner)
{
	const IpTree *t = s->tree;
	int32		idx = -1;
	bool		looked = false;
	bool		result;

	if (!s->user_ok)
		return false;			/* unknown or inactive */
	if (s->superuser)
		return true;

	/* model-wide, or within the node */
	if (s->modelwide)
		result = true;
	else if (t == NULL || node_null || s->allowed == NULL)
		result = false;
	else if (t->span > 0)
	{
		uint64		off = (uint64) node - (uint64) t->base;

		result = off < t->span && BIT_IS_SET(s->allowed, off);
	}
	else
	{
		idx = ip_tree_find_hashed(t, node);
		looked = true;
		result = idx >= 0 && BIT_IS_SET(s->allowed, idx);
	}

	/* ownership, for add, change and delete */
	if (result && s->action != IP_VIEW)
	{
		if (!owner_null)
			result = covers(s->user, owner);
		else if (t != NULL && t->has_owners && !node_null)
		{
			if (!looked)
				idx = ip_tree_find(t, node);
			if (idx >= 0 && BIT_IS_SET(t->eff_has, idx))
				result = covers(s->user, t->eff_owner[idx]);
		}
	}
	return result;
}

/* Is argument argnum of the call a Const (the same Datum on every call)? */
static bool
arg_is_const(FmgrInfo *flinfo, int argnum)
{
	Node	   *expr = flinfo->fn_expr;
	List	   *args;

	if (expr == NULL || !IsA(expr, FuncExpr))
		return false;
	args = ((FuncExpr *) expr)->args;
	return argnum < list_length(args) && IsA(list_nth(args, argnum), Const);
}

/*
 * The call's memo answers for this row: the same statement, nothing
 * changed, the same user, and model and action the same Consts.  (What
 * one call site of a policy costs per row, besides decide().)
 */
static pg_attribute_always_inline CallMemo *
memo_hit(FunctionCallInfo fcinfo, const char *user, int userlen, Datum model, Datum action)
{
	CallMemo   *memo = fcinfo->flinfo->fn_extra;

	if (memo && memo->consts && memo->scope && memo->model_datum == model &&
		memo->action_datum == action && memo->generation == scope_generation && stmt_valid &&
		memo->lxid == MyProc->lxid && memo->statement == GetCurrentStatementStartTimestamp() &&
		memo->scope->user->len == userlen &&
		memcmp(memo->scope->user->name, user, userlen) == 0)
		return memo;
	return NULL;
}

/*
 * The same for the acting user: the name need not be compared while
 * ip_acting_user_gen() returns the same pointer and number.
 */
static pg_attribute_always_inline CallMemo *
memo_hit_acting(FunctionCallInfo fcinfo, const char *user, int userlen, uint64 user_generation,
				Datum model, Datum action)
{
	CallMemo   *memo = fcinfo->flinfo->fn_extra;

	if (memo && memo->user == user && memo->user_generation == user_generation &&
		memo->consts && memo->scope && memo->model_datum == model &&
		memo->action_datum == action && memo->generation == scope_generation && stmt_valid &&
		memo->lxid == MyProc->lxid && memo->statement == GetCurrentStatementStartTimestamp())
		return memo;
	return memo_hit(fcinfo, user, userlen, model, action);
}

/*
 * statement_scope: the statement's entry of (user, model, action), the
 * sets thrown away first when a new statement began or something they were
 * read from changed; built again if a change arrived while it was built, so
 * it never mixes data from before and after a change.  *generation: the
 * scope generation it is valid for.
 */
static StmtScope *
statement_scope(const char *user, int userlen, const char *m, int mlen, int bit,
				uint64 *generation)
{
	for (;;)
	{
		StmtScope  *s;

		if (ip_tree_begin() || !stmt_valid)
		{
			if (IpStmtContext == NULL)
				IpStmtContext = AllocSetContextCreate(TopMemoryContext,
													  "inventree_perms statement scopes",
													  ALLOCSET_DEFAULT_SIZES);
			MemoryContextReset(IpStmtContext);
			stmt_users = NULL;
			stmt_scopes = NULL;
			memo_scope = NULL;
			stmt_valid = true;
			scope_epoch++;
		}
		*generation = scope_generation;
		s = stmt_scope(user, userlen, m, mlen, bit);
		if (*generation == scope_generation && stmt_valid)
			return s;
		/* a change arrived while we looked: look again */
	}
}

/*
 * row_perm: has_row_perm's rules, in the SPEC's order.  Everything but the
 * node and the owner is decided once per statement (stmt_scope); a row
 * costs a bit test (see decide()).
 */
static bool
row_perm(FunctionCallInfo fcinfo, const char *user, int userlen, uint64 user_generation,
		 int model_arg, bool node_null, int64 node, bool owner_null, int64 owner)
{
	text	   *model = PG_GETARG_TEXT_PP(model_arg);
	text	   *action = PG_GETARG_TEXT_PP(model_arg + 1);
	const char *m = VARDATA_ANY(model);
	int			mlen = VARSIZE_ANY_EXHDR(model);
	const char *a = VARDATA_ANY(action);
	int			alen = VARSIZE_ANY_EXHDR(action);
	CallMemo   *memo = fcinfo->flinfo->fn_extra;
	int			bit;

	/* the same statement, nothing changed, the same arguments: per row */
	if (memo && memo->scope && memo->generation == scope_generation && stmt_valid &&
		memo->lxid == MyProc->lxid && memo->statement == GetCurrentStatementStartTimestamp() &&
		memo->modellen == mlen && memo->actionlen == alen &&
		memo->scope->user->len == userlen &&
		memcmp(memo->model, m, mlen) == 0 && memcmp(memo->action, a, alen) == 0 &&
		memcmp(memo->scope->user->name, user, userlen) == 0)
		return decide(memo->scope, node_null, node, owner_null, owner);

	bit = ip_parse_action(a, alen, false);
	{
		uint64		generation;
		StmtScope  *s = statement_scope(user, userlen, m, mlen, bit, &generation);
		bool		result = decide(s, node_null, node, owner_null, owner);

		if (mlen < NAMEDATALEN && alen < (int) sizeof(memo->action))
		{
			if (memo == NULL)
				memo = fcinfo->flinfo->fn_extra =
					MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CallMemo));
			memo->lxid = MyProc->lxid;
			memo->statement = GetCurrentStatementStartTimestamp();
			memo->consts = arg_is_const(fcinfo->flinfo, model_arg) &&
				arg_is_const(fcinfo->flinfo, model_arg + 1);
			memo->user = user_generation != 0 ? user : NULL;
			memo->user_generation = user_generation;
			memo->model_datum = PG_GETARG_DATUM(model_arg);
			memo->action_datum = PG_GETARG_DATUM(model_arg + 1);
			memo->generation = generation;
			memo->scope = s;
			memo->modellen = mlen;
			memo->actionlen = alen;
			memcpy(memo->model, m, mlen);
			memcpy(memo->action, a, alen);
		}
		return result;
	}
}

/*
 * has_row_perm(username text, model text, action text, node bigint,
 * owner bigint DEFAULT NULL) returns boolean
 */
Datum
ip_has_row_perm(PG_FUNCTION_ARGS)
{
	text	   *user;
	const char *u;
	int			ulen;
	bool		node_null,
				owner_null;
	int64		node,
				owner;
	CallMemo   *memo;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	user = PG_GETARG_TEXT_PP(0);
	u = VARDATA_ANY(user);
	ulen = VARSIZE_ANY_EXHDR(user);
	node_null = PG_ARGISNULL(3);
	node = node_null ? 0 : PG_GETARG_INT64(3);
	owner_null = PG_NARGS() < 5 || PG_ARGISNULL(4);
	owner = owner_null ? 0 : PG_GETARG_INT64(4);
	if ((memo = memo_hit(fcinfo, u, ulen, PG_GETARG_DATUM(1), PG_GETARG_DATUM(2))) != NULL)
		PG_RETURN_BOOL(decide(memo->scope, node_null, node, owner_null, owner));
	PG_RETURN_BOOL(row_perm(fcinfo, u, ulen, 0, 1, node_null, node, owner_null, owner));
}

/*
 * has_row_perm(model text, action text, node bigint, owner bigint DEFAULT
 * NULL) returns boolean, for acting_user()
 */
Datum
ip_has_row_perm_acting(PG_FUNCTION_ARGS)
{
	int			len;
	uint64		gen;
	const char *user;
	bool		node_null,
				owner_null;
	int64		node,
				owner;
	CallMemo   *memo;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	user = ip_acting_user_gen(&len, &gen);
	node_null = PG_ARGISNULL(2);
	node = node_null ? 0 : PG_GETARG_INT64(2);
	owner_null = PG_NARGS() < 4 || PG_ARGISNULL(3);
	owner = owner_null ? 0 : PG_GETARG_INT64(3);
	if ((memo = memo_hit_acting(fcinfo, user, len, gen, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1))) != NULL)
		PG_RETURN_BOOL(decide(memo->scope, node_null, node, owner_null, owner));
	PG_RETURN_BOOL(row_perm(fcinfo, user, len, gen, 0, node_null, node, owner_null, owner));
}

/*
 * allowed_nodes(model text, action text) returns bigint[]: the nodes the
 * acting user holds the action within on the model (its scoped grants'
 * nodes and everything below them, now), from the statement's sets; empty
 * for a model-wide holder, a superuser, an unknown or inactive user, or a
 * model that is not scoped (they need no list).  The scoped policies compute
 * it once per statement (an InitPlan) as an index condition.
 */
Datum
ip_allowed_nodes(PG_FUNCTION_ARGS)
{
	text	   *model = PG_GETARG_TEXT_PP(0);
	text	   *action = PG_GETARG_TEXT_PP(1);
	int			len;
	const char *user = ip_acting_user(&len);
	uint64		generation;
	StmtScope  *s;
	int64		n = 0;
	int64		nbits;
	Datum	   *elems;
	int64		k = 0;

	s = statement_scope(user, len, VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model),
						ip_parse_action(VARDATA_ANY(action), VARSIZE_ANY_EXHDR(action), false),
						&generation);
	if (!s->user_ok || s->superuser || s->modelwide || s->tree == NULL || s->allowed == NULL)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(INT8OID));
	nbits = s->tree->span > 0 ? (int64) s->tree->span : (int64) s->tree->nnodes;
	for (int64 pos = 0; pos < nbits; pos++)
		if (BIT_IS_SET(s->allowed, pos))
			n++;
	elems = palloc_extended(Max(n, 1) * sizeof(Datum), MCXT_ALLOC_HUGE);
	for (int64 pos = 0; pos < nbits; pos++)
		if (BIT_IS_SET(s->allowed, pos))
			elems[k++] = Int64GetDatum(s->tree->span > 0 ? s->tree->base + pos : s->tree->ids[pos]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, (int) n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}

/*
 * ip_scope_plan_kind: for the planner (src/scope_plan.c): the acting
 * user's view of the model's rows, now: model-wide (a model-wide holder, a
 * superuser, or a model that is not scoped; and an unknown or inactive user,
 * who sees nothing whatever the form: the model-wide form is exact for every
 * user, so a plan made before a SQL function's body sets the acting user
 * serves whoever it sets), narrow (a scope within at most 1/20 of the
 * tree's nodes, or nothing), or broad.
 */
IpScopePlanKind
ip_scope_plan_kind(const char *model, int mlen, int action)
{
	int			len;
	const char *user = ip_acting_user(&len);
	uint64		generation;
	StmtScope  *s = statement_scope(user, len, model, mlen, action, &generation);
	int64		nbits,
				n = 0;

	if (!s->user_ok || s->superuser || s->modelwide || s->tree == NULL)
		return IP_SCOPE_MODELWIDE;
	if (s->allowed == NULL)
		return IP_SCOPE_NARROW;
	nbits = s->tree->span > 0 ? (int64) s->tree->span : (int64) s->tree->nnodes;
	for (int64 pos = 0; pos < nbits; pos++)
		if (BIT_IS_SET(s->allowed, pos))
			n++;
	return n <= s->tree->nnodes / 20 ? IP_SCOPE_NARROW : IP_SCOPE_BROAD;
}

/*
 * ip_scope_is_admits_row: is fn the C function scope_admits_row() is (so a
 * call of it in a plan is ours, whatever SQL name or schema points to it)?
 */
bool
ip_scope_is_admits_row(PGFunction fn)
{
	return fn == ip_scope_admits_row;
}

/*
 * scope_admits(model text, action text, node bigint, modelwide boolean,
 * allowed bigint[], planned boolean DEFAULT false) returns boolean: the
 * acting user's answer for a row of a scoped model whose ownership does not
 * apply: model-wide, or within the node (has_row_perm's).  modelwide and
 * allowed are not read here: the planner support function of src/scope_plan.c
 * uses them to write the policy's condition in a form an index can serve.
 */
Datum
ip_scope_admits(PG_FUNCTION_ARGS)
{
	int			len;
	uint64		gen;
	const char *user;
	bool		node_null;
	int64		node;
	CallMemo   *memo;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	user = ip_acting_user_gen(&len, &gen);
	node_null = PG_ARGISNULL(2);
	node = node_null ? 0 : PG_GETARG_INT64(2);
	if ((memo = memo_hit_acting(fcinfo, user, len, gen, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1))) != NULL)
		PG_RETURN_BOOL(decide(memo->scope, node_null, node, true, 0));
	PG_RETURN_BOOL(row_perm(fcinfo, user, len, gen, 0, node_null, node, true, 0));
}

/*
 * scope_admits_row(model text, action text, r record, attno integer)
 * returns boolean: scope_admits() of the node in attribute attno of the row
 * (an integer column).  The planner support function of scope_admits()
 * writes it for a model-wide holder: a whole-row argument is formed only
 * when the call runs, so a row admitted before it (model-wide) costs no
 * deforming of the row at all.
 */
Datum
ip_scope_admits_row(PG_FUNCTION_ARGS)
{
	int			len;
	uint64		gen;
	const char *user;
	bool		node_null = true;
	int64		node = 0;
	CallMemo   *memo;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (!PG_ARGISNULL(2) && !PG_ARGISNULL(3))
	{
		HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(2);
		int32		attno = PG_GETARG_INT32(3);
		TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(row),
												  HeapTupleHeaderGetTypMod(row));
		HeapTupleData tuple;
		Datum		d;

		if (attno < 1 || attno > desc->natts)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("attribute %d does not exist", attno)));
		tuple.t_len = HeapTupleHeaderGetDatumLength(row);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = row;
		d = heap_getattr(&tuple, attno, desc, &node_null);
		if (!node_null)
		{
			switch (TupleDescAttr(desc, attno - 1)->atttypid)
			{
				case INT2OID:
					node = DatumGetInt16(d);
					break;
				case INT4OID:
					node = DatumGetInt32(d);
					break;
				case INT8OID:
					node = DatumGetInt64(d);
					break;
				default:
					ReleaseTupleDesc(desc);
					ereport(ERROR,
							(errcode(ERRCODE_DATATYPE_MISMATCH),
							 errmsg("attribute %d is not an integer column", attno)));
			}
		}
		ReleaseTupleDesc(desc);
	}
	user = ip_acting_user_gen(&len, &gen);
	if ((memo = memo_hit_acting(fcinfo, user, len, gen, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1))) != NULL)
		PG_RETURN_BOOL(decide(memo->scope, node_null, node, true, 0));
	PG_RETURN_BOOL(row_perm(fcinfo, user, len, gen, 0, node_null, node, true, 0));
}

/*
 * scope_nodes(model text, action text, allowed bigint[]) returns bigint[]:
 * allowed (allowed_nodes() of the same model and action, the statement's
 * InitPlan), once the acting user is known to be one for whom "node =
 * ANY(allowed)" is the whole answer: not a model-wide holder, not a
 * superuser, and the model scoped.  The planner writes that condition, and
 * nothing else, for an acting user whose scope is narrow (src/scope_plan.c);
 * it would leave out the rows whose node is NULL for anyone else.  The plan
 * is invalidated when the acting user or a permission changes, but a plan
 * can be run without being checked first (a SQL function's statements, an
 * open cursor, a change another session committed that reaches a plan
 * kept in a transaction block only once it runs): then this raises 40001 rather than answer short.
 */
Datum
ip_scope_nodes(PG_FUNCTION_ARGS)
{
	text	   *model,
			   *action;
	int			len;
	const char *user;
	uint64		generation;
	StmtScope  *s;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	model = PG_GETARG_TEXT_PP(0);
	action = PG_GETARG_TEXT_PP(1);
	user = ip_acting_user(&len);
	s = statement_scope(user, len, VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model),
						ip_parse_action(VARDATA_ANY(action), VARSIZE_ANY_EXHDR(action), false),
						&generation);
	if (s->user_ok && (s->superuser || s->modelwide || s->tree == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("the plan of this statement was made for a narrower permission of \"%.*s\"",
						len, user),
				 errdetail("The acting user or a permission on model \"%s\" changed after the statement was planned.",
						   text_to_cstring(model)),
				 errhint("Run the statement again: it is planned anew.")));
	if (PG_ARGISNULL(2))
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(INT8OID));
	PG_RETURN_DATUM(PG_GETARG_DATUM(2));
}

/*
 * What scope_test() remembers in fn_extra: the answer for every row of
 * this statement, while nothing changed (scope_epoch), for the acting user
 * it was made for (ip_acting_generation and the role: acting_user() is
 * current_user when no acting user is set).
 */
typedef enum TestMode
{
	TEST_NONE,					/* false for every row */
	TEST_ALL,					/* true for every row */
	TEST_BITS,					/* the bit of node - base (dense ids) */
	TEST_DECIDE					/* decide() (hashed ids; owned trees) */
} TestMode;

typedef struct TestMemo
{
	uint64		epoch;			/* 0: never valid (model, action not Consts) */
	uint64		acting;
	uint64		statement_number;
	LocalTransactionId lxid;
	TimestampTz statement;
	Oid			userid;
	TestMode	mode;
	int64		base;
	uint64		span;
	const uint8 *bits;
	const StmtScope *scope;
} TestMemo;

/* The memo's answer for a row (node not NULL). */
static pg_attribute_always_inline bool
test_row(const TestMemo *m, int64 node)
{
	if (likely(m->mode == TEST_BITS))
	{
		uint64		off = (uint64) node - (uint64) m->base;
		uint64		in = off < m->span;

		/* without a branch on the answer: a scan cannot predict it */
		off = in ? off : 0;
		return (in & (m->bits[off >> 3] >> (off & 7))) != 0;
	}
	if (m->mode == TEST_DECIDE)
		return decide(m->scope, false, node, true, 0);
	return m->mode == TEST_ALL;
}

static pg_attribute_always_inline bool
test_fresh(const TestMemo *m)
{
	return m != NULL && m->epoch == scope_epoch && m->acting == ip_acting_generation &&
		m->statement_number == ip_statement_number && m->lxid == MyProc->lxid &&
		m->statement == GetCurrentStatementStartTimestamp() && m->userid == GetUserId();
}

/* The slow path: the statement's entry, the memo filled, the answer. */
static pg_noinline bool
test_slow(FunctionCallInfo fcinfo, bool node_null, int64 node)
{
	text	   *model = PG_GETARG_TEXT_PP(0);
	text	   *action = PG_GETARG_TEXT_PP(1);
	int			len;
	const char *user = ip_acting_user(&len);
	uint64		generation;
	StmtScope  *s;
	TestMemo   *m = fcinfo->flinfo->fn_extra;

	s = statement_scope(user, len, VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model),
						ip_parse_action(VARDATA_ANY(action), VARSIZE_ANY_EXHDR(action), false),
						&generation);
	if (m == NULL)
		m = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(TestMemo));
	m->epoch = (arg_is_const(fcinfo->flinfo, 0) && arg_is_const(fcinfo->flinfo, 1)) ? scope_epoch : 0;
	m->acting = ip_acting_generation;
	m->statement_number = ip_statement_number;
	m->lxid = MyProc->lxid;
	m->statement = GetCurrentStatementStartTimestamp();
	m->userid = GetUserId();
	m->scope = s;
	if (!s->user_ok)
		m->mode = TEST_NONE;
	else if (s->superuser || s->modelwide)
		m->mode = TEST_ALL;
	else if (s->tree == NULL || s->allowed == NULL)
		m->mode = TEST_NONE;
	else if (s->tree->span > 0 && !(s->action != IP_VIEW && s->tree->has_owners))
	{
		m->mode = TEST_BITS;
		m->base = s->tree->base;
		m->span = s->tree->span;
		m->bits = s->allowed;
	}
	else
		m->mode = TEST_DECIDE;
	return decide(s, node_null, node, true, 0);
}

/*
 * scope_test(model text, action text, node bigint), scope_test4(..., node
 * integer), scope_test2(..., node smallint) return boolean: scope_admits() (the acting user's answer for a row whose
 * ownership does not apply), with the node in the column's own type and the
 * least work per row: what the planner writes for a broad scope.  While
 * the statement, the acting user and everything read are the same, a row
 * costs a few comparisons and a bit test.
 */
#define SCOPE_TEST(fname, getarg) \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	TestMemo   *m = fcinfo->flinfo->fn_extra; \
\
	if (unlikely(PG_ARGISNULL(0) || PG_ARGISNULL(1))) \
		PG_RETURN_NULL(); \
	if (likely(test_fresh(m))) \
	{ \
		if (unlikely(PG_ARGISNULL(2))) \
			PG_RETURN_BOOL(m->mode == TEST_ALL); \
		PG_RETURN_BOOL(test_row(m, (int64) getarg(2))); \
	} \
	PG_RETURN_BOOL(test_slow(fcinfo, PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : (int64) getarg(2))); \
}

SCOPE_TEST(ip_scope_test2, PG_GETARG_INT16)
SCOPE_TEST(ip_scope_test4, PG_GETARG_INT32)
SCOPE_TEST(ip_scope_test8, PG_GETARG_INT64)
