/*-------------------------------------------------------------------------
 *
 * protect.c
 *	  What protect() needs from C: locking a table by OID, and forgetting
 *	  this session's temporary tables when the session ends.
 *
 * protect() and unprotect() (sql/src/70_protect.sql) lock each table by OID
 * before they look at it, so that what they checked is what they change.
 *
 * A temporary table goes at session end without firing sql_drop, so the
 * event trigger that forgets dropped tables never hears of it.  A row trigger
 * on the extension's tables that name relations (models.relation,
 * protected.relation) registers, the first time such a row names one of this
 * session's temporary tables, a before_shmem_exit callback that forgets them
 * (_forget_temp_tables(), run as the extension's owner).  It is registered
 * after the session's temporary namespace, whose own cleanup callback
 * (RemoveTempRelationsCallback) therefore runs after it: the tables are still
 * there when ours runs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_protect_lock);
PG_FUNCTION_INFO_V1(ip_watch_temp_tables);

/* The exit callback is registered at most once per backend. */
static bool forget_registered = false;

/*
 * _protect_lock(relation oid) returns boolean: takes an ACCESS EXCLUSIVE lock
 * on the relation by OID (what CREATE POLICY and ALTER TABLE ... ROW LEVEL
 * SECURITY take), then tells whether it still exists.  The lock is held to
 * the end of the transaction.
 */
Datum
ip_protect_lock(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);

	LockRelationOid(relid, AccessExclusiveLock);
	PG_RETURN_BOOL(SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)));
}

/*
 * forget_temp_tables: before_shmem_exit callback.  In a transaction of its
 * own (as RemoveTempRelationsCallback does), call
 * inventree_perms_internal._forget_temp_tables(), a SECURITY DEFINER function of the
 * extension's owner that removes what names this session's temporary tables.
 * An error here ends the session with FATAL (errors during proc_exit do),
 * after which the remaining exit callbacks still run; the rows left behind
 * then name tables that are gone, which every reader treats as not there and
 * the next table created with such an OID clears (_protect_ddl_end).
 */
static void
forget_temp_tables(pg_attribute_unused() int code, pg_attribute_unused() Datum arg)
{
	Oid			fn = InvalidOid;
	Oid			nsp;

	if (!IsUnderPostmaster || !OidIsValid(MyDatabaseId))
		return;

	AbortOutOfAnyTransaction();
	StartTransactionCommand();
	nsp = ip_internal_namespace();
	if (OidIsValid(nsp))
		fn = ip_function_in_namespace("_forget_temp_tables", 0, NULL, nsp, true);
	if (OidIsValid(fn))
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		OidFunctionCall0(fn);
		PopActiveSnapshot();
	}
	CommitTransactionCommand();
}

/*
 * _watch_temp_tables(): AFTER INSERT OR UPDATE row trigger on the extension's
 * tables that have a "relation" column.  When the new row names one of this
 * session's temporary tables, registers forget_temp_tables (once).
 */
Datum
ip_watch_temp_tables(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tuple;
	TupleDesc	tupdesc;
	int			attnum;
	bool		isnull;
	Datum		relation;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("_watch_temp_tables() must be fired as an AFTER row trigger")));

	if (forget_registered)
		return PointerGetDatum(NULL);

	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	tupdesc = RelationGetDescr(trigdata->tg_relation);
	attnum = SPI_fnumber(tupdesc, "relation");
	if (attnum <= 0)
		elog(ERROR, "table \"%s\" has no column \"relation\"",
			 RelationGetRelationName(trigdata->tg_relation));
	relation = heap_getattr(tuple, attnum, tupdesc, &isnull);
	if (!isnull)
	{
		Oid			nsp = get_rel_namespace(DatumGetObjectId(relation));

		if (OidIsValid(nsp) && isTempNamespace(nsp))
		{
			before_shmem_exit(forget_temp_tables, (Datum) 0);
			forget_registered = true;
		}
	}
	return PointerGetDatum(NULL);
}
