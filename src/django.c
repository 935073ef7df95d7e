/*-------------------------------------------------------------------------
 *
 * django.c
 *	  Reading a Django schema's auth tables safely, and the import's locks.
 *
 * What import_django() and link_django() read belongs to the role that owns
 * Django's tables, not to the extension.  So:
 *
 *	- each table is resolved ONCE, from the schema's OID and its name, to an
 *	  OID, locked (AccessShareLock), and re-resolved after the lock until the
 *	  name still names the locked relation (as RangeVarGetRelidExtended does);
 *	  from then on it is used by OID only.  A rename or a view put in a
 *	  table's place while we waited is seen after the lock;
 *	- after the lock each relation must be a plain table (42809 otherwise)
 *	  owned by the owner of auth_user (42501 otherwise), and each column read
 *	  must exist with a built-in integer, text or boolean type (42703, 42804);
 *	- rows are read with table_beginscan() under the active snapshot (or,
 *	  for the rows of one integer key, through a valid non-partial btree
 *	  index of the built-in integer operators on that column, when there is
 *	  one), deforming only the named columns (never auth_user.password): no
 *	  SQL text, no name resolution, no operator, function, view, policy or
 *	  trigger of that schema runs;
 *	- and all of it happens as the tables' owner inside a security-restricted
 *	  operation with a safe search_path (as VACUUM and REFRESH MATERIALIZED
 *	  VIEW run a table owner's code), restored on exit; an error unwinds both
 *	  with the (sub)transaction.
 *
 * The import's serialisation uses locks no SQL-level function can take: an
 * advisory lock tag whose fourth field is IP_DJANGO_LOCK_FIELD4, a value the
 * pg_advisory_* functions never use (they use 1 and 2).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/relcache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_django_open);
PG_FUNCTION_INFO_V1(ip_django_read);
PG_FUNCTION_INFO_V1(ip_django_lock);

/* The fourth field of our lock tags: pg_advisory_* use only 1 and 2. */
#define IP_DJANGO_LOCK_FIELD4	0x4950

/* What a column read must hold, and what it is returned as. */
typedef enum DjColKind
{
	DJ_INT,						/* int2, int4, int8 -> bigint */
	DJ_TEXT,					/* text, varchar -> text */
	DJ_BOOL						/* boolean -> boolean */
} DjColKind;

#define DJ_MAX_COLS 6

typedef struct DjTable
{
	const char *name;
	bool		required;
	int			ncols;
	const char *cols[DJ_MAX_COLS];
	DjColKind	kinds[DJ_MAX_COLS];
} DjTable;

/*
 * The tables the import reads, in the order of _django_tables() and of the
 * array _django_open() returns; auth_user first (its owner is the owner).
 */
static const DjTable dj_tables[] = {
	{"auth_user", true, 4, {"id", "username", "is_superuser", "is_active"},
	{DJ_INT, DJ_TEXT, DJ_BOOL, DJ_BOOL}},
	{"auth_group", true, 2, {"id", "name"}, {DJ_INT, DJ_TEXT}},
	{"auth_user_groups", true, 2, {"user_id", "group_id"}, {DJ_INT, DJ_INT}},
	{"django_content_type", true, 3, {"id", "app_label", "model"},
	{DJ_INT, DJ_TEXT, DJ_TEXT}},
	{"auth_permission", true, 3, {"id", "content_type_id", "codename"},
	{DJ_INT, DJ_INT, DJ_TEXT}},
	{"auth_group_permissions", true, 2, {"group_id", "permission_id"}, {DJ_INT, DJ_INT}},
	{"auth_user_user_permissions", true, 2, {"user_id", "permission_id"}, {DJ_INT, DJ_INT}},
	{"users_ruleset", false, 6,
		{"name", "group_id", "can_view", "can_add", "can_change", "can_delete"},
	{DJ_TEXT, DJ_INT, DJ_BOOL, DJ_BOOL, DJ_BOOL, DJ_BOOL}},
	{"users_owner", false, 3, {"id", "owner_type_id", "owner_id"}, {DJ_INT, DJ_INT, DJ_INT}},
};

#define DJ_NTABLES lengthof(dj_tables)

/* The state saved while we act as the tables' owner. */
typedef struct DjSwitch
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
} DjSwitch;

/*
 * Become the owner of the Django tables inside a security-restricted
 * operation, with a search_path that holds nothing of theirs.
 */
static void
dj_become_owner(Oid owner, DjSwitch *sw)
{
	GetUserIdAndSecContext(&sw->save_userid, &sw->save_sec_context);
	SetUserIdAndSecContext(owner,
						   sw->save_sec_context | SECURITY_RESTRICTED_OPERATION);
	sw->save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/*
 * Back to who we were (on error, the (sub)transaction's abort does this).
 */
static void
dj_restore(DjSwitch *sw)
{
	AtEOXact_GUC(false, sw->save_nestlevel);
	SetUserIdAndSecContext(sw->save_userid, sw->save_sec_context);
}

/*
 * The table of that name in namespace nspid, locked with AccessShareLock, or
 * InvalidOid if there is none.  The name is resolved again after the lock
 * until it still names what was locked: what we return is what we locked.
 */
static Oid
dj_resolve_locked(Oid nspid, const char *relname, Oid owner)
{
	for (;;)
	{
		Oid			relid = get_relname_relid(relname, nspid);
		HeapTuple	tup;

		if (!OidIsValid(relid))
			return InvalidOid;
		/*
		 * A relation of another owner (someone who may only create in the
		 * schema) is refused without waiting for its locks: the caller checks
		 * it and raises 42501.
		 */
		if (OidIsValid(owner))
		{
			tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
			if (HeapTupleIsValid(tup))
			{
				bool		other = ((Form_pg_class) GETSTRUCT(tup))->relowner != owner;

				ReleaseSysCache(tup);
				if (other)
					return relid;
			}
		}
		/* LockRelationOid accepts invalidation messages once it holds it */
		LockRelationOid(relid, AccessShareLock);
		if (get_relname_relid(relname, nspid) == relid)
			return relid;
		UnlockRelationOid(relid, AccessShareLock);
	}
}

/*
 * A word for a relkind, for the error about a relation that is no table.
 */
static const char *
dj_relkind_word(char relkind)
{
	switch (relkind)
	{
		case RELKIND_VIEW:
			return "view";
		case RELKIND_MATVIEW:
			return "materialized view";
		case RELKIND_FOREIGN_TABLE:
			return "foreign table";
		case RELKIND_PARTITIONED_TABLE:
			return "partitioned table";
		case RELKIND_SEQUENCE:
			return "sequence";
		case RELKIND_INDEX:
		case RELKIND_PARTITIONED_INDEX:
			return "index";
		case RELKIND_COMPOSITE_TYPE:
			return "composite type";
		default:
			return "relation that is not a plain table";
	}
}

/*
 * Check a locked relation: a plain table, owned by owner (if valid).
 * Returns its owner.
 */
static Oid
dj_check_relation(Oid relid, const char *nspname, const DjTable *t, Oid owner)
{
	HeapTuple	tup;
	Form_pg_class cls;
	char		relkind;
	Oid			relowner;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s.%s\" does not exist", nspname, t->name)));
	cls = (Form_pg_class) GETSTRUCT(tup);
	relkind = cls->relkind;
	relowner = cls->relowner;
	ReleaseSysCache(tup);

	if (relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s.%s\" is not a table", nspname, t->name),
				 errdetail("It is a %s; the Django import reads plain tables only.",
						   dj_relkind_word(relkind))));
	if (OidIsValid(owner) && relowner != owner)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("table \"%s.%s\" is not owned by the owner of the Django tables",
						nspname, t->name),
				 errdetail("It is owned by role \"%s\"; \"%s.auth_user\" is owned by role \"%s\".",
						   GetUserNameFromId(relowner, true) ? GetUserNameFromId(relowner, true) : "?",
						   nspname,
						   GetUserNameFromId(owner, true) ? GetUserNameFromId(owner, true) : "?"),
				 errhint("The Django tables must all belong to one role, the one Django connects as.")));
	return relowner;
}

/*
 * The attribute numbers of t's columns in rel, each checked for a type the
 * import can read; the owner (the current user here) must be able to read it.
 */
static void
dj_check_columns(Relation rel, const char *nspname, const DjTable *t, AttrNumber *attnums)
{
	TupleDesc	desc = RelationGetDescr(rel);

	for (int c = 0; c < t->ncols; c++)
	{
		Form_pg_attribute att = NULL;
		bool		ok;

		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, i);

			if (!a->attisdropped && strcmp(NameStr(a->attname), t->cols[c]) == 0)
			{
				att = a;
				break;
			}
		}
		if (att == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s.%s\" does not exist",
							t->cols[c], nspname, t->name),
					 errhint("The Django import expects the layout of Django's (and InvenTree's) tables.")));
		switch (t->kinds[c])
		{
			case DJ_INT:
				ok = att->atttypid == INT2OID || att->atttypid == INT4OID ||
					att->atttypid == INT8OID;
				break;
			case DJ_TEXT:
				ok = att->atttypid == TEXTOID || att->atttypid == VARCHAROID;
				break;
			case DJ_BOOL:
				ok = att->atttypid == BOOLOID;
				break;
			default:
				ok = false;
		}
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s.%s\" has type %s",
							t->cols[c], nspname, t->name, format_type_be(att->atttypid)),
					 errdetail("The Django import reads integer, character varying, text and boolean columns only.")));
		if (pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_SELECT) != ACLCHECK_OK &&
			pg_attribute_aclcheck(RelationGetRelid(rel), att->attnum, GetUserId(),
								  ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table %s.%s", nspname, t->name),
					 errdetail("Its owner may not read column \"%s\".", t->cols[c])));
		attnums[c] = att->attnum;
	}
}

/*
 * The index of a Django table's name in dj_tables.
 */
static int
dj_table_index(const char *name)
{
	for (int i = 0; i < (int) DJ_NTABLES; i++)
		if (strcmp(dj_tables[i].name, name) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("\"%s\" is not a Django table the import reads", name)));
	return -1;					/* keep compiler quiet */
}

/*
 * Open a Django schema: result[0] is the owner of the Django tables,
 * result[1..] the OIDs of the tables of dj_tables in order (InvalidOid for a
 * missing optional one), each locked with AccessShareLock until the end of
 * the transaction and checked.  caller, if valid, must be a PostgreSQL
 * superuser or have the owner's privileges (42501).
 */
static void
dj_open(const char *nspname, Oid caller, bool foreign_missing, Datum *result)
{
	Oid			nspid;
	Oid			owner;
	DjSwitch	sw;

	nspid = get_namespace_oid(nspname, false);

	/* auth_user first: its owner is the owner of them all */
	result[1] = ObjectIdGetDatum(dj_resolve_locked(nspid, dj_tables[0].name, InvalidOid));
	if (!OidIsValid(DatumGetObjectId(result[1])))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s.%s\" does not exist", nspname, dj_tables[0].name),
				 errhint("The Django import reads Django's auth tables: give the schema that holds them.")));
	owner = dj_check_relation(DatumGetObjectId(result[1]), nspname, &dj_tables[0], InvalidOid);
	result[0] = ObjectIdGetDatum(owner);

	if (OidIsValid(caller) && !superuser_arg(caller) && !has_privs_of_role(caller, owner))
	{
		char	   *cname = GetUserNameFromId(caller, true);
		char	   *oname = GetUserNameFromId(owner, true);

		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to import from Django schema \"%s\"", nspname),
				 errdetail("Role \"%s\" is not the owner of the Django tables (role \"%s\") nor a member of it.",
						   cname ? cname : "?", oname ? oname : "?"),
				 errhint("Only the role that owns the Django tables, a member of it, or a PostgreSQL superuser may import or link them.")));
	}

	dj_become_owner(owner, &sw);
	if (pg_namespace_aclcheck(nspid, owner, ACL_USAGE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for schema %s", nspname),
				 errdetail("The owner of the Django tables may not use the schema.")));
	for (int i = 0; i < (int) DJ_NTABLES; i++)
	{
		Oid			relid;
		Relation	rel;
		AttrNumber	attnums[DJ_MAX_COLS];

		relid = i == 0 ? DatumGetObjectId(result[1]) :
			dj_resolve_locked(nspid, dj_tables[i].name, owner);
		/*
		 * For a linked write (foreign_missing), an optional table of another
		 * owner -- made by a role that may only create in the schema, after
		 * link_django() -- is not the site's and not followed: it counts as
		 * missing rather than stall every linked write (an import refuses it).
		 */
		if (foreign_missing && OidIsValid(relid) && !dj_tables[i].required)
		{
			HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));

			if (HeapTupleIsValid(tup))
			{
				bool		other = ((Form_pg_class) GETSTRUCT(tup))->relowner != owner;

				ReleaseSysCache(tup);
				if (other)
					relid = InvalidOid;
			}
		}
		result[i + 1] = ObjectIdGetDatum(relid);
		if (!OidIsValid(relid))
		{
			if (dj_tables[i].required)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_TABLE),
						 errmsg("relation \"%s.%s\" does not exist", nspname, dj_tables[i].name),
						 errhint("The Django import reads Django's auth tables: give the schema that holds them.")));
			continue;
		}
		(void) dj_check_relation(relid, nspname, &dj_tables[i], owner);
		rel = table_open(relid, NoLock);
		dj_check_columns(rel, nspname, &dj_tables[i], attnums);
		table_close(rel, NoLock);
	}
	dj_restore(&sw);
}

/*
 * _django_open(source_schema name, caller oid) returns oid[]: element 1 is
 * the owner of the Django tables, elements 2.. the OIDs of the tables of
 * dj_tables in order (0 for a missing optional one), each locked with
 * AccessShareLock until the end of the transaction and checked.  caller,
 * unless NULL (link_django()'s trigger path), must be a PostgreSQL
 * superuser or have the owner's privileges (42501).
 */
Datum
ip_django_open(PG_FUNCTION_ARGS)
{
	Oid			caller = PG_ARGISNULL(1) ? InvalidOid : PG_GETARG_OID(1);
	Datum		result[DJ_NTABLES + 1];

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("source_schema must not be NULL")));
	dj_open(NameStr(*PG_GETARG_NAME(0)), caller, false, result);
	PG_RETURN_ARRAYTYPE_P(construct_array(result, DJ_NTABLES + 1, OIDOID,
										  sizeof(Oid), true, TYPALIGN_INT));
}

/*
 * The values of a Django row's named columns, as the reader returns them
 * (integers as bigint, text detoasted, booleans as they are).
 */
static void
dj_slot_values(TupleTableSlot *slot, Relation rel, const DjTable *t,
			   const AttrNumber *attnums, Datum *values, bool *nulls)
{
	for (int c = 0; c < t->ncols; c++)
	{
		int			i = attnums[c] - 1;
		Datum		d = slot->tts_values[i];

		nulls[c] = slot->tts_isnull[i];
		if (nulls[c])
		{
			values[c] = (Datum) 0;
			continue;
		}
		switch (TupleDescAttr(RelationGetDescr(rel), i)->atttypid)
		{
			case INT2OID:
				values[c] = Int64GetDatum((int64) DatumGetInt16(d));
				break;
			case INT4OID:
				values[c] = Int64GetDatum((int64) DatumGetInt32(d));
				break;
			case INT8OID:
				values[c] = d;
				break;
			case TEXTOID:
			case VARCHAROID:
				values[c] = PointerGetDatum(pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d)));
				break;
			default:
				values[c] = d;	/* boolean */
		}
	}
}

/*
 * An index of rel usable to find the rows whose column attnum equals an
 * integer: a valid, live, non-partial btree index of the built-in integer
 * operator family whose first key column is that plain column (so only
 * built-in code runs).  InvalidOid if there is none.  The equality
 * function comparing the column with a bigint goes to *eqproc.
 */
static Oid
dj_find_index(Relation rel, AttrNumber attnum, Oid atttypid, RegProcedure *eqproc)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			result = InvalidOid;

	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		Relation	irel = index_open(indexoid, AccessShareLock);
		Form_pg_index ix = irel->rd_index;
		bool		ok;

		ok = irel->rd_rel->relam == BTREE_AM_OID &&
			ix->indisvalid && ix->indisready && ix->indislive && !ix->indcheckxmin &&
			ix->indnkeyatts >= 1 && ix->indkey.values[0] == attnum &&
			heap_attisnull(irel->rd_indextuple, Anum_pg_index_indexprs, NULL) &&
			heap_attisnull(irel->rd_indextuple, Anum_pg_index_indpred, NULL) &&
			irel->rd_opfamily[0] == INTEGER_BTREE_FAM_OID;
		index_close(irel, AccessShareLock);
		if (ok)
		{
			Oid			opno = get_opfamily_member(INTEGER_BTREE_FAM_OID, atttypid,
												   INT8OID, BTEqualStrategyNumber);

			if (OidIsValid(opno))
			{
				*eqproc = get_opcode(opno);
				result = indexoid;
				break;
			}
		}
	}
	list_free(indexes);
	return result;
}

/*
 * The reader behind _django_read() and _django_read_by(): the named columns
 * of one Django table opened by _django_open() (the column definition list
 * must be its columns as bigint, text and boolean), read by OID under the
 * active snapshot as the owner in a security-restricted operation.  The
 * relation is checked again (locked, a plain table of that owner), so a
 * caller cannot make it read anything else.  Relation 0 (a missing optional
 * table) gives no rows.  keycol >= 0: only the rows whose column keycol
 * (an integer column of t) equals keyval, found through an index of the
 * built-in integer operators when the table has one.
 */
static Datum
dj_read(FunctionCallInfo fcinfo, Oid relid, const DjTable *t, Oid owner,
		int keycol, int64 keyval)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AttrNumber	attnums[DJ_MAX_COLS];
	AttrNumber	maxatt = 0;
	Datum		values[DJ_MAX_COLS];
	bool		nulls[DJ_MAX_COLS];
	DjSwitch	sw;
	Relation	rel;
	TupleTableSlot *slot;
	Snapshot	snapshot;
	char	   *nspname;
	Oid			indexoid = InvalidOid;
	RegProcedure eqproc = InvalidOid;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	/* a missing optional table (0 from _django_open()) has no rows */
	if (!OidIsValid(relid))
		return (Datum) 0;
	if (rsinfo->setDesc->natts != t->ncols)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the column definition list of %s has %d columns, expected %d",
						t->name, rsinfo->setDesc->natts, t->ncols)));
	for (int c = 0; c < t->ncols; c++)
	{
		Oid			want = t->kinds[c] == DJ_INT ? INT8OID :
			t->kinds[c] == DJ_TEXT ? TEXTOID : BOOLOID;

		if (TupleDescAttr(rsinfo->setDesc, c)->atttypid != want)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column %d of the column definition list of %s must have type %s",
							c + 1, t->name, format_type_be(want))));
	}

	/* already locked by _django_open(); this is then only a local check */
	LockRelationOid(relid, AccessShareLock);
	nspname = get_namespace_name(get_rel_namespace(relid));
	if (nspname == NULL)
		nspname = "?";
	(void) dj_check_relation(relid, nspname, t, owner);

	dj_become_owner(owner, &sw);
	rel = table_open(relid, NoLock);
	dj_check_columns(rel, nspname, t, attnums);
	for (int c = 0; c < t->ncols; c++)
		maxatt = Max(maxatt, attnums[c]);
	if (keycol >= 0)
		indexoid = dj_find_index(rel, attnums[keycol],
								 TupleDescAttr(RelationGetDescr(rel), attnums[keycol] - 1)->atttypid,
								 &eqproc);

	snapshot = RegisterSnapshot(GetActiveSnapshot());
	slot = table_slot_create(rel, NULL);
	if (OidIsValid(indexoid))
	{
		Relation	irel = index_open(indexoid, AccessShareLock);
		IndexScanDesc iscan;
		ScanKeyData key;

		ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, INT8OID,
							   InvalidOid, eqproc, Int64GetDatum(keyval));
		iscan = index_beginscan(rel, irel, snapshot, 1, 0);
		index_rescan(iscan, &key, 1, NULL, 0);
		while (index_getnext_slot(iscan, ForwardScanDirection, slot))
		{
			slot_getsomeattrs(slot, maxatt);
			dj_slot_values(slot, rel, t, attnums, values, nulls);
			if (nulls[keycol] || DatumGetInt64(values[keycol]) != keyval)
				continue;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		index_endscan(iscan);
		index_close(irel, AccessShareLock);
	}
	else
	{
		TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);

		while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			slot_getsomeattrs(slot, maxatt);
			dj_slot_values(slot, rel, t, attnums, values, nulls);
			if (keycol >= 0 && (nulls[keycol] || DatumGetInt64(values[keycol]) != keyval))
				continue;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		table_endscan(scan);
	}
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	table_close(rel, NoLock);
	dj_restore(&sw);

	return (Datum) 0;
}

/*
 * _django_read(relation oid, tablename text, owner oid) returns SETOF record:
 * every row of one Django table opened by _django_open() (see dj_read()).
 */
Datum
ip_django_read(PG_FUNCTION_ARGS)
{
	return dj_read(fcinfo, PG_GETARG_OID(0),
				   &dj_tables[dj_table_index(text_to_cstring(PG_GETARG_TEXT_PP(1)))],
				   PG_GETARG_OID(2), -1, 0);
}

/*
 * _django_read_by(relation oid, tablename text, owner oid, keycol text,
 * keyval bigint) returns SETOF record: the rows of one Django table opened
 * by _django_open() whose integer column keycol (one of those the import
 * reads) equals keyval, through an index when there is one (see dj_read()):
 * what a linked change costs does not grow with the table.
 */
PG_FUNCTION_INFO_V1(ip_django_read_by);
Datum
ip_django_read_by(PG_FUNCTION_ARGS)
{
	const DjTable *t = &dj_tables[dj_table_index(text_to_cstring(PG_GETARG_TEXT_PP(1)))];
	char	   *keycol = text_to_cstring(PG_GETARG_TEXT_PP(3));
	int			k = -1;

	for (int c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c], keycol) == 0 && t->kinds[c] == DJ_INT)
			k = c;
	if (k < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not an integer column the import reads from %s", keycol, t->name)));
	return dj_read(fcinfo, PG_GETARG_OID(0), t, PG_GETARG_OID(2), k, PG_GETARG_INT64(4));
}

/*
 * _django_lock(kind integer, id integer, exclusive boolean): take a lock of
 * the import's own, to the end of the transaction.  kind 0 / id 0 is the
 * whole import; other kinds name one user or group of a linked change.  No
 * pg_advisory_* call can take or block these tags.
 */
Datum
ip_django_lock(PG_FUNCTION_ARGS)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) PG_GETARG_INT32(0),
						 (uint32) PG_GETARG_INT32(1), IP_DJANGO_LOCK_FIELD4);
	(void) LockAcquire(&tag, PG_GETARG_BOOL(2) ? ExclusiveLock : ShareLock,
					   false, false);
	PG_RETURN_VOID();
}

/*
 * The text of a column value of a Django row (built-in types only, checked
 * before: no user code runs), or NULL.
 */
static Datum
dj_value_text(HeapTuple tuple, TupleDesc desc, AttrNumber attnum, bool *isnull)
{
	Datum		d = heap_getattr(tuple, attnum, desc, isnull);
	char		buf[32];

	if (*isnull)
		return (Datum) 0;
	switch (TupleDescAttr(desc, attnum - 1)->atttypid)
	{
		case INT2OID:
			snprintf(buf, sizeof(buf), "%d", (int) DatumGetInt16(d));
			return CStringGetTextDatum(buf);
		case INT4OID:
			snprintf(buf, sizeof(buf), "%d", DatumGetInt32(d));
			return CStringGetTextDatum(buf);
		case INT8OID:
			snprintf(buf, sizeof(buf), INT64_FORMAT, DatumGetInt64(d));
			return CStringGetTextDatum(buf);
		case BOOLOID:
			return CStringGetTextDatum(DatumGetBool(d) ? "t" : "f");
		default:				/* text, varchar */
			return PointerGetDatum(pg_detoast_datum_copy((struct varlena *) DatumGetPointer(d)));
	}
}

/*
 * The named columns of a Django row as a text[] (NULL elements for NULLs).
 */
static Datum
dj_row_array(HeapTuple tuple, TupleDesc desc, const DjTable *t, const AttrNumber *attnums)
{
	Datum		elems[DJ_MAX_COLS];
	bool		nulls[DJ_MAX_COLS];
	int			dims[1];
	int			lbs[1] = {1};

	for (int c = 0; c < t->ncols; c++)
		elems[c] = dj_value_text(tuple, desc, attnums[c], &nulls[c]);
	dims[0] = t->ncols;
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID,
											  -1, false, TYPALIGN_INT));
}

/* The row trigger's saved plans (kept for the backend's life). */
static SPIPlanPtr dj_link_plan = NULL;
static SPIPlanPtr dj_apply_plan = NULL;

/* The last link checked by dj_check_link(), and when. */
static LocalTransactionId dj_checked_lxid = InvalidLocalTransactionId;
static SubTransactionId dj_checked_subxid = InvalidSubTransactionId;
static TimestampTz dj_checked_stmt = 0;
static Oid	dj_checked_auth_user = InvalidOid;

/*
 * A linked change goes on only while the link's schema still holds the
 * tables link_django() recorded: the schema is opened (each Django table
 * resolved by name, locked, checked: 42809, 42501 as for an import) and the
 * tables found must be the recorded ones (55000 otherwise: a table created,
 * dropped or re-created since would not be followed).  An optional table of
 * another owner than auth_user's (made since by a role that may only create
 * in the schema) counts as missing: it is not the site's, and must not stop
 * the site's writes.  Once per client
 * statement and (sub)transaction: the locks taken are held to its end.
 */
static void
dj_check_link(const char *schema, Datum *linked, bool *linkednulls, int nlinked)
{
	Datum		found[DJ_NTABLES + 1];
	bool		same = nlinked == (int) DJ_NTABLES;

	if (dj_checked_lxid == MyProc->lxid &&
		dj_checked_subxid == GetCurrentSubTransactionId() &&
		dj_checked_stmt == GetCurrentStatementStartTimestamp() &&
		dj_checked_auth_user == DatumGetObjectId(linked[0]))
		return;
	dj_open(schema, InvalidOid, true, found);
	for (int i = 0; same && i < (int) DJ_NTABLES; i++)
	{
		Oid			r = DatumGetObjectId(found[i + 1]);

		if (linkednulls[i] ? OidIsValid(r) : DatumGetObjectId(linked[i]) != r)
			same = false;
	}
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the Django tables of schema \"%s\" changed since it was linked", schema),
				 errdetail("A Django table was created, dropped or re-created since link_django(); its changes would not be followed."),
				 errhint("Call inventree_perms.link_django() for the schema again.")));
	dj_checked_lxid = MyProc->lxid;
	dj_checked_subxid = GetCurrentSubTransactionId();
	dj_checked_stmt = GetCurrentStatementStartTimestamp();
	dj_checked_auth_user = DatumGetObjectId(linked[0]);
}

/*
 * _django_row_trigger(): the row trigger link_django() puts on the Django
 * tables whose changes are applied as deltas (memberships, user and group
 * permissions, rulesets).  The table must be one the link recorded (by
 * OID), still owned by the owner of the recorded auth_user, its columns of
 * the types the import reads; the old and new values of the named columns
 * go to _django_apply() as text arrays.  An UPDATE that changes none of them
 * does nothing.  Declared SECURITY DEFINER: it writes the extension's
 * tables; it reads nothing of the Django schema but its own row.
 */
PG_FUNCTION_INFO_V1(ip_django_row_trigger);
Datum
ip_django_row_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	const DjTable *t;
	AttrNumber	attnums[DJ_MAX_COLS];
	char	   *nspname;
	Datum		args[5];
	char		argnulls[5] = {' ', ' ', ' ', ' ', ' '};
	Oid			argtypes[5] = {OIDOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID, OIDOID};
	Oid			owner;
	HeapTuple	tup;
	bool		isnull;
	int			ret;
	char	   *linkschema;
	ArrayType  *linked;
	Datum	   *linkedoids;
	bool	   *linkednulls;
	int			nlinked;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("_django_row_trigger() must be an AFTER ROW trigger")));
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	t = &dj_tables[dj_table_index(RelationGetRelationName(rel))];
	nspname = get_namespace_name(RelationGetNamespace(rel));

	SPI_connect();
	/* the link: this very table (by OID) must be one it recorded */
	args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	if (dj_link_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(
			"SELECT l.source_schema, l.tables::pg_catalog.oid[] FROM inventree_perms.django_links l"
			" WHERE $1::pg_catalog.regclass OPERATOR(pg_catalog.=) ANY (l.tables)",
			1, argtypes);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_prepare failed: %d", SPI_result);
		dj_link_plan = plan;
	}
	ret = SPI_execute_plan(dj_link_plan, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %d", ret);
	if (SPI_processed == 0)
	{
		SPI_finish();
		return PointerGetDatum(NULL);	/* no longer linked */
	}
	tup = SPI_tuptable->vals[0];
	linkschema = SPI_getvalue(tup, SPI_tuptable->tupdesc, 1);
	args[1] = SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &isnull);
	if (isnull || linkschema == NULL)
		elog(ERROR, "link without tables");
	linked = DatumGetArrayTypeP(args[1]);
	deconstruct_array(linked, OIDOID, sizeof(Oid), true, TYPALIGN_INT,
					  &linkedoids, &linkednulls, &nlinked);
	if (nlinked < 1 || linkednulls[0])
		elog(ERROR, "link without auth_user");
	args[0] = linkedoids[0];

	/* the recorded auth_user, locked, names the owner */
	LockRelationOid(DatumGetObjectId(args[0]), AccessShareLock);
	tup = SearchSysCache1(RELOID, args[0]);
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the auth_user table linked with schema \"%s\" no longer exists", nspname),
				 errhint("Run unlink_django() and link_django() again.")));
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	if (rel->rd_rel->relowner != owner)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("table \"%s.%s\" is not owned by the owner of the Django tables",
						nspname, t->name)));
	dj_check_columns(rel, nspname, t, attnums);
	dj_check_link(linkschema, linkedoids, linkednulls, nlinked);

	args[2] = args[3] = (Datum) 0;
	argnulls[2] = argnulls[3] = 'n';
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		args[3] = dj_row_array(td->tg_trigtuple, desc, t, attnums);
		argnulls[3] = ' ';
	}
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		args[2] = dj_row_array(td->tg_trigtuple, desc, t, attnums);
		argnulls[2] = ' ';
	}
	else
	{
		args[2] = dj_row_array(td->tg_trigtuple, desc, t, attnums);
		args[3] = dj_row_array(td->tg_newtuple, desc, t, attnums);
		argnulls[2] = argnulls[3] = ' ';
		if (datumIsEqual(args[2], args[3], false, -1))
		{
			SPI_finish();
			return PointerGetDatum(NULL);	/* nothing the import reads changed */
		}
	}
	args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	args[1] = CStringGetTextDatum(t->name);
	args[4] = ObjectIdGetDatum(owner);
	if (dj_apply_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(
			"SELECT inventree_perms_internal._django_apply($1::pg_catalog.regclass, $2, $3, $4, $5)",
			5, argtypes);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_prepare failed: %d", SPI_result);
		dj_apply_plan = plan;
	}
	ret = SPI_execute_plan(dj_apply_plan, args, argnulls, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %d", ret);
	SPI_finish();
	return PointerGetDatum(NULL);
}
