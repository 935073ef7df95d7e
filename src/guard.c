/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  The write guard: the extension's tables are written by its own
 *	  functions only.
 *
 * PUBLIC has no privilege on the tables, but a role can still hold one: a
 * member of pg_write_all_data, or a role a superuser granted privileges to
 * by mistake.  Such a role must not make itself a superuser of the
 * extension, a delegate, or anything else by writing a table directly.
 *
 * A BEFORE row trigger (INSERT, UPDATE, DELETE; COPY fires it too) and a
 * BEFORE TRUNCATE statement trigger, both ENABLE ALWAYS, on every table of
 * the extension admit a write only when the current user (GetUserId()) is a
 * PostgreSQL superuser or the extension's owner.  The management functions
 * are SECURITY DEFINER functions owned by the extension's owner, so their
 * writes pass; so do foreign-key cascades (PostgreSQL runs them as the
 * owner of the table), pg_restore and ALTER EXTENSION UPDATE (run by a
 * superuser) and logical replication's apply worker (the subscription's
 * owner, a superuser).  A PostgreSQL superuser writing directly is on his
 * own, as with the system catalogs.  The checks never write, so the guard
 * costs nothing on their path.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_guard);

/* The extension's owner, looked up once per transaction. */
static Oid	owner_cached = InvalidOid;
static LocalTransactionId owner_lxid = InvalidLocalTransactionId;

/*
 * ip_extension_lookup: the owner of the extension inventree_perms and (if
 * nsp is not NULL) its schema, from pg_extension; InvalidOid for both if it
 * is not installed.
 */
Oid
ip_extension_lookup(Oid *nsp)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			owner = InvalidOid;

	if (nsp)
		*nsp = InvalidOid;
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("inventree_perms"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
		if (nsp)
			*nsp = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return owner;
}

/*
 * ip_extension_owner: the extension's owner, looked up once per transaction.
 */
Oid
ip_extension_owner(void)
{
	if (MyProc->lxid != owner_lxid || !OidIsValid(owner_cached))
	{
		owner_cached = ip_extension_lookup(NULL);
		owner_lxid = MyProc->lxid;
	}
	return owner_cached;
}

/*
 * _guard(): BEFORE row and BEFORE TRUNCATE trigger on every table of the
 * extension; 42501 unless the current user is a superuser or the owner.
 */
Datum
ip_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Oid			user = GetUserId();
	const char *op;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("inventree_perms_internal._guard() must be called as a BEFORE trigger")));

	if (superuser_arg(user) || user == ip_extension_owner())
	{
		if (TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
			return PointerGetDatum(NULL);
		if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
			return PointerGetDatum(trigdata->tg_newtuple);
		return PointerGetDatum(trigdata->tg_trigtuple);
	}

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		op = "INSERT";
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		op = "UPDATE";
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		op = "DELETE";
	else
		op = "TRUNCATE";
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s table %s.%s", op,
					get_namespace_name(RelationGetNamespace(trigdata->tg_relation)),
					RelationGetRelationName(trigdata->tg_relation)),
			 errdetail("The tables of inventree_perms are changed through its functions only."),
			 errhint("Use the management functions of inventree_perms (a PostgreSQL superuser may write the tables directly).")));
	PG_RETURN_NULL();			/* not reached */
}
