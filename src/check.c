/*-------------------------------------------------------------------------
 *
 * check.c
 *	  has_model_perm and has_role_perm: the hot path, nothing but lookups.
 *
 * Both are STRICT (a NULL argument gives NULL) and follow the SPEC's order:
 * unknown action 22023, unregistered model / unknown role 42704, unknown or
 * inactive user false, active superuser true, then the grants.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_has_model_perm);
PG_FUNCTION_INFO_V1(ip_has_model_perm_acting);
PG_FUNCTION_INFO_V1(ip_has_role_perm);
PG_FUNCTION_INFO_V1(ip_has_role_perm_acting);

static bool
model_perm(const char *user, int userlen, text *model, text *action)
{
	int			bit = ip_parse_action(VARDATA_ANY(action), VARSIZE_ANY_EXHDR(action), false);

	return ip_model_perm(user, userlen, VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model), bit);
}

static bool
role_perm(const char *user, int userlen, text *role, text *action)
{
	int			bit = ip_parse_action(VARDATA_ANY(action), VARSIZE_ANY_EXHDR(action), false);

	return ip_role_perm(user, userlen, VARDATA_ANY(role), VARSIZE_ANY_EXHDR(role), bit);
}

/*
 * has_model_perm(username text, model text, action text) returns boolean
 */
Datum
ip_has_model_perm(PG_FUNCTION_ARGS)
{
	text	   *user = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(model_perm(VARDATA_ANY(user), VARSIZE_ANY_EXHDR(user),
							  PG_GETARG_TEXT_PP(1), PG_GETARG_TEXT_PP(2)));
}

/*
 * has_model_perm(model text, action text) returns boolean, for acting_user()
 */
Datum
ip_has_model_perm_acting(PG_FUNCTION_ARGS)
{
	int			len;
	const char *user = ip_acting_user(&len);

	PG_RETURN_BOOL(model_perm(user, len, PG_GETARG_TEXT_PP(0), PG_GETARG_TEXT_PP(1)));
}

/*
 * has_role_perm(username text, role text, action text) returns boolean
 */
Datum
ip_has_role_perm(PG_FUNCTION_ARGS)
{
	text	   *user = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(role_perm(VARDATA_ANY(user), VARSIZE_ANY_EXHDR(user),
							 PG_GETARG_TEXT_PP(1), PG_GETARG_TEXT_PP(2)));
}

/*
 * has_role_perm(role text, action text) returns boolean, for acting_user()
 */
Datum
ip_has_role_perm_acting(PG_FUNCTION_ARGS)
{
	int			len;
	const char *user = ip_acting_user(&len);

	PG_RETURN_BOOL(role_perm(user, len, PG_GETARG_TEXT_PP(0), PG_GETARG_TEXT_PP(1)));
}
