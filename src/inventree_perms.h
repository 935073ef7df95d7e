/*-------------------------------------------------------------------------
 *
 * inventree_perms.h
 *	  Declarations shared by the C files of inventree_perms.
 *
 *-------------------------------------------------------------------------
 */
#ifndef INVENTREE_PERMS_H
#define INVENTREE_PERMS_H

#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "nodes/pg_list.h"
#include "storage/proc.h"
#include "utils/inval.h"
#include "utils/snapshot.h"

/* Action bits. */
#define IP_VIEW		0x01
#define IP_ADD		0x02
#define IP_CHANGE	0x04
#define IP_DELETE	0x08
#define IP_ALL		(IP_VIEW | IP_ADD | IP_CHANGE | IP_DELETE)

/* names.c */
extern int	ip_parse_action(const char *s, int len, bool allow_all);
extern int	ip_action_bit_of_stored(const char *s, int len);
extern void ip_check_name(const char *kind, const char *name, int len);

/* catalog.c: OIDs of the extension's tables and indexes */
typedef enum IpTable
{
	IPT_USERS,
	IPT_GROUPS,
	IPT_MEMBERSHIPS,
	IPT_MODELS,
	IPT_USER_PERMS,
	IPT_GROUP_PERMS,
	IPT_ROLES,
	IPT_ROLE_MODELS,
	IPT_GROUP_ROLES,
	IPT_DELEGATES,
	IPT_ROLE_CHANGE_INHERITS,	/* 1.2; InvalidOid before the update */
	IPT_COUNT
} IpTable;

typedef struct IpCatalog
{
	bool		valid;
	Oid			table[IPT_COUNT];
	Oid			pkey[IPT_COUNT];
	Oid			nsp;			/* the extension's schema */
	Oid			sentinel;		/* 1.2; InvalidOid before the update */
} IpCatalog;

extern IpCatalog ip_catalog;
extern void ip_catalog_load(void);
extern bool ip_catalog_has_relid(Oid relid);
extern bool ip_catalog_is_sentinel(Oid relid);
extern bool ip_catalog_installed(void);
extern Oid	ip_internal_namespace(void);
extern Oid	ip_function_in_namespace(const char *name, int nargs, const Oid *argtypes,
									 Oid nspid, bool missing_ok);

/* cache.c */
typedef struct IpUser
{
	bool		found;
	bool		is_active;
	bool		is_superuser;
} IpUser;

extern int	ip_cache_size;
extern void ip_cache_init(void);
extern void ip_cache_invalidate(void);
extern void ip_cache_flush(void);
extern int	ip_model_perm(const char *user, int userlen, const char *model, int modellen,
						  int action);
extern int	ip_role_perm(const char *user, int userlen, const char *role, int rolelen,
						 int action);
extern bool ip_user_lookup(const char *user, int userlen, IpUser *out);
extern bool ip_is_delegate(Oid roleid);
extern uint64 ip_cache_generation(void);

/* acting_user.c */
extern uint64 ip_acting_generation;
extern void ip_acting_user_init(void);
extern const char *ip_acting_user(int *len);
extern const char *ip_acting_user_gen(int *len, uint64 *generation);
extern void ip_statement_check(void);

/* parallel.c */
extern uint64 ip_statement_number;	/* counts executor starts */

/*
 * Where a cache last looked at the statement: its transaction, its start
 * time, and the executor-start count.  ip_statement_advance() tells what
 * changed since, and accepts the invalidations other sessions committed
 * whenever anything did: a new client statement (IP_NEW_START), or another
 * statement that shares its start time (IP_NEXT_STATEMENT: one of a query
 * string of several, or one a function runs).
 */
typedef struct IpStatementMark
{
	LocalTransactionId lxid;
	TimestampTz start;
	uint64		number;
} IpStatementMark;

typedef enum IpStatementChange
{
	IP_SAME_STATEMENT,
	IP_NEXT_STATEMENT,
	IP_NEW_START
} IpStatementChange;

static inline IpStatementChange
ip_statement_advance(IpStatementMark *mark)
{
	TimestampTz start = GetCurrentStatementStartTimestamp();
	IpStatementChange change = IP_SAME_STATEMENT;

	if (MyProc->lxid != mark->lxid || start != mark->start)
		change = IP_NEW_START;
	else if (ip_statement_number != mark->number)
		change = IP_NEXT_STATEMENT;
	if (change != IP_SAME_STATEMENT)
	{
		mark->lxid = MyProc->lxid;
		mark->start = start;
		mark->number = ip_statement_number;
		AcceptInvalidationMessages();
	}
	return change;
}

extern void ip_parallel_init(void);
extern struct SnapshotData *ip_parallel_snapshot(void);

/* guard.c */
extern Oid	ip_extension_owner(void);
extern Oid	ip_extension_lookup(Oid *nsp);

/* tree.c: the backend cache of trees (row scopes) */
typedef enum IpScopeTable
{
	IPS_TREES,
	IPS_OWNERS,
	IPS_MODEL_SCOPES,
	IPS_USER_SCOPE_GRANTS,
	IPS_GROUP_SCOPE_GRANTS,
	IPS_USERS,
	IPS_GROUPS,
	IPS_MEMBERSHIPS,
	IPS_MODELS,
	IPS_USER_PERMS,
	IPS_GROUP_PERMS,
	IPS_ROLES,
	IPS_ROLE_MODELS,
	IPS_GROUP_ROLES,
	IPS_COUNT
} IpScopeTable;

typedef struct IpScopeCatalog
{
	bool		valid;
	Oid			table[IPS_COUNT];
	Oid			pkey[IPS_COUNT];
	Oid			owners_username_idx;
	Oid			owners_groupname_idx;
} IpScopeCatalog;

typedef struct IpTree
{
	MemoryContext cxt;
	char		name[NAMEDATALEN];
	Oid			relid;
	bool		stale;
	bool		has_owners;		/* registered with an owner column */
	int32		nnodes;
	int64	   *ids;
	int32	   *parent;			/* index of the parent, -1: a root */
	int64	   *eff_owner;		/* the owner of the nearest owned node, from
								 * here up (has_owners only) */
	uint8	   *eff_has;		/* bit per node: eff_owner is set */
	int32	   *child_start;	/* children of i: child_list[child_start[i] .. [i + 1]) */
	int32	   *child_list;
	/* id -> index: dense (ids within a range not much wider than nnodes) ... */
	int64		base;			/* the smallest id */
	uint32		span;			/* dense: ids base .. base + span - 1; 0: hashed */
	int32	   *dense;			/* id - base -> index, -1: none */
	/* ... or hashed */
	uint32		mask;
	int32	   *slots;			/* id -> index + 1, open addressing */
} IpTree;

extern IpScopeCatalog ip_scope_catalog;
extern void ip_scope_catalog_load(void);
extern bool ip_tree_begin(void);
extern uint64 ip_tree_generation(void);
extern Snapshot ip_scope_snapshot(void);
extern IpTree *ip_tree_get(const char *name, int len);
extern int32 ip_tree_find_hashed(const IpTree *t, int64 id);

/* Find a node's index, or -1. */
static inline int32
ip_tree_find(const IpTree *t, int64 id)
{
	if (t->span > 0)
	{
		uint64		off = (uint64) id - (uint64) t->base;

		return off < t->span ? t->dense[off] : -1;
	}
	return ip_tree_find_hashed(t, id);
}

/* The bit of a node in a statement's allowed set: by id - base when dense. */
static inline int64
ip_tree_bitpos(const IpTree *t, int32 idx)
{
	return t->span > 0 ? t->ids[idx] - t->base : idx;
}

/* scope.c */
extern void ip_scope_invalidate(void);
typedef enum IpScopePlanKind
{
	IP_SCOPE_NARROW,
	IP_SCOPE_BROAD,
	IP_SCOPE_MODELWIDE
} IpScopePlanKind;
extern IpScopePlanKind ip_scope_plan_kind(const char *model, int mlen, int action);
extern bool ip_scope_is_admits_row(PGFunction fn);
struct PlannerInfo;
extern void ip_scope_plan_depends(struct PlannerInfo *root, Oid funcid);
extern void ip_scope_plans_invalidate(void);
extern bool ip_scope_has_planned(void);
extern bool ip_scope_plan_has_form(List *invalItems);
extern void ip_scope_plan_init(void);

/* gate.c */
extern Oid	ip_gate_caller(void);

#endif							/* INVENTREE_PERMS_H */
