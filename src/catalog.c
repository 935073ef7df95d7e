/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  OIDs of the extension's tables and of their primary-key indexes.
 *
 * Looked up by name in the extension's schema (from pg_extension: a schema
 * of that name made by someone else in a database without the extension is
 * never read) once, kept until a relcache
 * invalidation of one of them (or of everything) arrives: DROP EXTENSION,
 * ALTER EXTENSION UPDATE and CREATE EXTENSION all send one.
 *
 * And the sentinel: the empty table inventree_perms_internal.cache_sentinel
 * (1.2 on), whose relcache invalidation stands for a change to the
 * extension's data (see _invalidate in src/cache.c).
 *
 * Also where the internal functions are: the schema inventree_perms_internal
 * (1.2 on) when it is a member of this extension, else (an older version's
 * script, until ALTER EXTENSION UPDATE) the extension's own schema.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "commands/extension.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "inventree_perms.h"

IpCatalog	ip_catalog;

static const char *const table_names[IPT_COUNT] = {
	"users", "groups", "memberships", "models", "user_perms",
	"group_perms", "roles", "role_models", "group_roles", "delegates",
	"role_change_inherits"
};

/*
 * Tables a later version added: an older version's script, installed with
 * this library (until ALTER EXTENSION UPDATE), has none; their OIDs are then
 * InvalidOid and the cache reads nothing from them.
 */
static bool
table_optional(int i)
{
	return i == IPT_ROLE_CHANGE_INHERITS;
}

/*
 * ip_catalog_load: fill ip_catalog, or raise an error if the extension is
 * not installed in this database.
 */
void
ip_catalog_load(void)
{
	Oid			nsp;
	IpCatalog	c;

	if (ip_catalog.valid)
		return;

	(void) ip_extension_lookup(&nsp);
	if (!OidIsValid(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"inventree_perms\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION inventree_perms.")));

	for (int i = 0; i < IPT_COUNT; i++)
	{
		char		idx[NAMEDATALEN];

		c.table[i] = get_relname_relid(table_names[i], nsp);
		snprintf(idx, sizeof(idx), "%s_pkey", table_names[i]);
		c.pkey[i] = get_relname_relid(idx, nsp);
		if (OidIsValid(c.pkey[i]) && IndexGetRelation(c.pkey[i], true) != c.table[i])
			c.pkey[i] = InvalidOid;	/* not that table's index: never used */
		if (table_optional(i) && !OidIsValid(c.table[i]))
			c.pkey[i] = InvalidOid;
		else if (!OidIsValid(c.table[i]) || !OidIsValid(c.pkey[i]))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"inventree_perms.%s\" or its primary key is missing",
							table_names[i]),
					 errhint("Reinstall the extension inventree_perms.")));
	}
	/*
	 * The sentinel: a table of the extension's own internal schema (where
	 * nobody else may create anything); none under an older version's
	 * script (the internal schema is then the extension's own).
	 */
	c.nsp = nsp;
	{
		Oid			internal = ip_internal_namespace();

		c.sentinel = OidIsValid(internal) && internal != nsp ?
			get_relname_relid("cache_sentinel", internal) : InvalidOid;
	}
	c.valid = true;
	ip_catalog = c;
}

/*
 * ip_catalog_has_relid: is relid one of our tables?
 */
bool
ip_catalog_has_relid(Oid relid)
{
	if (!ip_catalog.valid)
		return false;
	for (int i = 0; i < IPT_COUNT; i++)
		if (OidIsValid(ip_catalog.table[i]) && ip_catalog.table[i] == relid)
			return true;
	return false;
}

/*
 * ip_catalog_is_sentinel: is relid the sentinel (in a relcache callback: no
 * lookups, only what ip_catalog_load found last)?  Also while the catalog
 * is marked invalid (an invalidation of one of our tables arrived, and it
 * is not looked up again yet): what src/tree.c keeps per statement must
 * still hear of a change then.  A stale OID that a later table took (the
 * extension dropped) only costs that table's invalidations a flush.
 */
bool
ip_catalog_is_sentinel(Oid relid)
{
	return OidIsValid(ip_catalog.sentinel) && ip_catalog.sentinel == relid;
}

/*
 * ip_catalog_installed: is the extension's schema in this database?
 */
bool
ip_catalog_installed(void)
{
	return ip_catalog.valid || OidIsValid(get_extension_oid("inventree_perms", true));
}

/*
 * ip_internal_namespace: the schema of the extension's internal functions
 * (implementations, helpers, trigger functions), or InvalidOid if the
 * extension is not installed.  A schema named inventree_perms_internal that
 * is not a member of the extension (made by someone else while an older
 * version is installed) is never used; the member schema only while the
 * bootstrap superuser owns it, as the install script leaves it: InvalidOid
 * otherwise, and callers refuse.
 */
Oid
ip_internal_namespace(void)
{
	Oid			ext = get_extension_oid("inventree_perms", true);
	Oid			api;
	Oid			nsp;

	if (!OidIsValid(ext))
		return InvalidOid;
	(void) ip_extension_lookup(&api);
	nsp = get_namespace_oid("inventree_perms_internal", true);
	if (OidIsValid(nsp) && getExtensionOfObject(NamespaceRelationId, nsp) == ext)
	{
		HeapTuple	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
		Oid			nspowner = InvalidOid;

		if (HeapTupleIsValid(tup))
		{
			nspowner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
			ReleaseSysCache(tup);
		}
		if (nspowner != BOOTSTRAP_SUPERUSERID)
			return InvalidOid;
		return nsp;
	}
	return api;
}

/*
 * ip_function_in_namespace: the function of that name and argument types in
 * the namespace nspid (by OID: not by the namespace's name, which could
 * change); InvalidOid if missing_ok and there is none.
 */
Oid
ip_function_in_namespace(const char *name, int nargs, const Oid *argtypes, Oid nspid,
						 bool missing_ok)
{
	HeapTuple	tup;
	Oid			fn;

	tup = SearchSysCache3(PROCNAMEARGSNSP, CStringGetDatum(name),
						  PointerGetDatum(buildoidvector(argtypes, nargs)),
						  ObjectIdGetDatum(nspid));
	if (!HeapTupleIsValid(tup))
	{
		if (missing_ok)
			return InvalidOid;
		elog(ERROR, "function %s of inventree_perms is missing", name);
	}
	fn = ((Form_pg_proc) GETSTRUCT(tup))->oid;
	ReleaseSysCache(tup);
	return fn;
}
