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
 *	- rows are read with table_beginscan() under the active snapshot,
 *	  deforming only the named columns (never auth_user.password): no SQL
 *	  text, no name resolution, no operator, function, view, policy or
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

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
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
	char	   *nspname;
	Oid			caller = PG_ARGISNULL(1) ? InvalidOid : PG_GETARG_OID(1);
	Oid			nspid;
	Oid			owner;
	Datum		result[DJ_NTABLES + 1];
	DjSwitch	sw;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("source_schema must not be NULL")));
	nspname = NameStr(*PG_GETARG_NAME(0));
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

	PG_RETURN_ARRAYTYPE_P(construct_array(result, DJ_NTABLES + 1, OIDOID,
										  sizeof(Oid), true, TYPALIGN_INT));
}

/*
 * _django_read(relation oid, tablename text, owner oid) returns SETOF record:
 * the named columns of one Django table opened by _django_open() (the column
 * definition list must be its columns as bigint, text and boolean), read by
 * OID under the active snapshot as the owner in a security-restricted
 * operation.  The relation is checked again (locked, a plain table of that
 * owner), so a caller cannot make it read anything else.  Relation 0 (a
 * missing optional table) gives no rows.
 */
Datum
ip_django_read(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	char	   *tablename = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Oid			owner = PG_GETARG_OID(2);
	const DjTable *t = &dj_tables[dj_table_index(tablename)];
	AttrNumber	attnums[DJ_MAX_COLS];
	AttrNumber	maxatt = 0;
	Datum		values[DJ_MAX_COLS];
	bool		nulls[DJ_MAX_COLS];
	DjSwitch	sw;
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	Snapshot	snapshot;
	char	   *nspname;

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

	snapshot = RegisterSnapshot(GetActiveSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	slot = table_slot_create(rel, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		slot_getsomeattrs(slot, maxatt);
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
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, NoLock);
	dj_restore(&sw);

	return (Datum) 0;
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
	ret = SPI_execute_with_args(
		"SELECT (l.tables)[1] FROM inventree_perms.django_links l"
		" WHERE $1::pg_catalog.regclass OPERATOR(pg_catalog.=) ANY (l.tables)",
		1, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %d", ret);
	if (SPI_processed == 0)
	{
		SPI_finish();
		return PointerGetDatum(NULL);	/* no longer linked */
	}
	tup = SPI_tuptable->vals[0];
	args[0] = SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "link without auth_user");

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
	ret = SPI_execute_with_args(
		"SELECT inventree_perms_internal._django_apply($1::pg_catalog.regclass, $2, $3, $4, $5)",
		5, argtypes, args, argnulls, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %d", ret);
	SPI_finish();
	return PointerGetDatum(NULL);
}
