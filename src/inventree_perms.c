/*-------------------------------------------------------------------------
 *
 * inventree_perms.c
 *	  Module load: settings and callbacks, nothing else.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "inventree_perms.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * _PG_init: define the settings (the acting user, the cache bound), reserve
 * the "inventree_perms." prefix, register the cache's invalidation callback.
 */
void
_PG_init(void)
{
	ip_acting_user_init();

	DefineCustomIntVariable("inventree_perms.cache_size",
							"Most users, groups, models and roles one session keeps in its permission cache.",
							"Past this the cache is emptied and refilled as checks need it.",
							&ip_cache_size,
							200000,
							16,
							INT_MAX / 2,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("inventree_perms");

	ip_cache_init();
	ip_parallel_init();
	ip_scope_plan_init();
}
