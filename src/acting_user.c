/*-------------------------------------------------------------------------
 *
 * acting_user.c
 *	  The acting user: who the 2-argument checks are about.
 *
 * Kept in the setting inventree_perms.acting_user, defined here as PGC_SUSET:
 * an ordinary role cannot SET, SET LOCAL, set_config() or RESET it (and a
 * value it set before this library was loaded is refused when the library
 * defines the setting).  set_acting_user() lets a superuser or a delegate
 * set it, exactly as SET (is_local = false) or SET LOCAL (true) would, so
 * PostgreSQL's own rules apply: SET LOCAL ends with the transaction, a SET in
 * a transaction that rolls back is undone, RESET ALL and DISCARD ALL clear
 * it, parallel workers receive it from their leader.
 *
 * Each value remembers the role that set it (the setting's "extra", kept by
 * PostgreSQL beside each stacked value, so a rollback or RESET brings back
 * the setter with the value).  Once per statement, before the statement's
 * first check (and before a parallel statement starts its workers), the
 * setter must still be a superuser or a delegate; if not, the setting is
 * emptied, so acting_user() and the 2-argument checks answer for current_user
 * from that statement on, in the leader and in its workers alike.  Values
 * that come from the configuration (postgresql.conf, ALTER ROLE/DATABASE
 * SET: made by a superuser) have no setter and always apply; a value from
 * the connection's startup options is the login role's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/syscache.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_acting_user_sql);
PG_FUNCTION_INFO_V1(ip_set_acting_user);
PG_FUNCTION_INFO_V1(ip_reset_acting_user);

#define ACTING_USER_GUC "inventree_perms.acting_user"

static char *acting_user_setting = NULL;

/* What each value of the setting remembers: the role that set it. */
typedef struct ActingExtra
{
	Oid			setter;			/* InvalidOid: from the configuration */
} ActingExtra;

static Oid	acting_setter = InvalidOid;

/* The statement last checked, and what the check found. */
static LocalTransactionId checked_lxid = InvalidLocalTransactionId;
static TimestampTz checked_statement = 0;
static uint64 checked_number = 0;
static bool acting_suppressed = false;	/* in parallel mode: could not reset */

/* Changes whenever what ip_acting_user() returns may have changed. */
uint64		ip_acting_generation = 1;
/* strlen of the setting's value, for the value at acting_len_of (GUC values
 * are never changed in place; the assign hook forgets it) */
static int	acting_len = 0;
static const char *acting_len_of = NULL;

/* The last answer for acting_setter, valid while nothing it depends on changed. */
static Oid	allowed_setter = InvalidOid;
static uint64 allowed_generation = 0;
static uint64 role_generation = 1;	/* bumped by role and membership changes */

/* current_user's name, remembered for the role it was looked up for */
static Oid	role_name_oid = InvalidOid;
static char role_name[NAMEDATALEN];
static int	role_name_len = 0;

/* A role was renamed or dropped: look current_user's name up again. */
static void
role_name_callback(pg_attribute_unused() Datum arg, pg_attribute_unused() int cacheid,
				   pg_attribute_unused() uint32 hashvalue)
{
	role_name_oid = InvalidOid;
	role_generation++;
	ip_scope_plans_invalidate();
}

/* Role memberships changed: who is a delegate may have changed. */
static void
membership_callback(pg_attribute_unused() Datum arg, pg_attribute_unused() int cacheid,
					pg_attribute_unused() uint32 hashvalue)
{
	role_generation++;
}

/*
 * acting_check: remember who sets the value.  In a parallel worker's copy of
 * its leader's settings the leader has already decided (and workers never
 * check).
 */
static bool
acting_check(pg_attribute_unused() char **newval, void **extra, GucSource source)
{
	ActingExtra *e = malloc(sizeof(ActingExtra));

	if (e == NULL)
		return false;
	/* as PostgreSQL decides whose privileges a setting is made with */
	if (InitializingParallelWorker || (source < PGC_S_INTERACTIVE && source != PGC_S_CLIENT))
		e->setter = InvalidOid;
	else
		e->setter = GetUserId();
	*extra = e;
	return true;
}

static void
acting_assign(pg_attribute_unused() const char *newval, void *extra)
{
	acting_len_of = NULL;
	acting_setter = extra ? ((ActingExtra *) extra)->setter : InvalidOid;
	acting_suppressed = false;
	ip_acting_generation++;
	/* the plans of scoped policies were chosen for the acting user */
	ip_scope_plans_invalidate();
}

/*
 * ip_statement_check: once per statement, in a backend that is not a
 * parallel worker: does the role that set the acting user still have the
 * right to?  If not, reset the setting (outside parallel mode; inside it,
 * where settings cannot change, ignore it for the rest of the statement).
 */
void
ip_statement_check(void)
{
	TimestampTz stmt;
	uint64		generation;
	bool		allowed;

	if (acting_user_setting == NULL || acting_user_setting[0] == '\0' ||
		!OidIsValid(acting_setter) || IsParallelWorker() || !IsTransactionState())
		return;
	stmt = GetCurrentStatementStartTimestamp();
	if (MyProc->lxid == checked_lxid && stmt == checked_statement &&
		ip_statement_number == checked_number)
		return;
	checked_lxid = MyProc->lxid;
	checked_statement = stmt;
	checked_number = ip_statement_number;
	acting_suppressed = false;
	ip_acting_generation++;

	AcceptInvalidationMessages();
	generation = role_generation + ip_cache_generation();
	if (acting_setter == allowed_setter && generation == allowed_generation)
		return;
	allowed = superuser_arg(acting_setter) || ip_is_delegate(acting_setter);
	if (allowed)
	{
		allowed_setter = acting_setter;
		allowed_generation = role_generation + ip_cache_generation();
		return;
	}
	/*
	 * Set it empty (not RESET: the value may be the session's default, from
	 * the connection's startup options).
	 */
	if (IsInParallelMode())
	{
		acting_suppressed = true;
		ip_acting_generation++;
		ip_scope_plans_invalidate();
	}
	else
		(void) set_config_option(ACTING_USER_GUC, "", PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_SET, true, 0, false);
}

void
ip_acting_user_init(void)
{
	CacheRegisterSyscacheCallback(AUTHOID, role_name_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, membership_callback, (Datum) 0);

	DefineCustomStringVariable(ACTING_USER_GUC,
							   "The user whose permissions apply, set by inventree_perms.set_acting_user().",
							   "Empty means current_user.",
							   &acting_user_setting,
							   "",
							   PGC_SUSET,
							   0,
							   acting_check, acting_assign, NULL);
}

/*
 * ip_acting_user: the acting user's name (not NUL-terminated; *len bytes).
 */
const char *
ip_acting_user(int *len)
{
	Oid			roleid;

	if (acting_user_setting && acting_user_setting[0] != '\0')
		ip_statement_check();
	if (acting_user_setting && acting_user_setting[0] != '\0' && !acting_suppressed)
	{
		if (acting_len_of != acting_user_setting)
		{
			acting_len = strlen(acting_user_setting);
			acting_len_of = acting_user_setting;
		}
		*len = acting_len;
		return acting_user_setting;
	}

	roleid = GetUserId();
	if (roleid != role_name_oid)
	{
		char	   *name = GetUserNameFromId(roleid, false);

		strlcpy(role_name, name, NAMEDATALEN);
		role_name_len = strlen(role_name);
		role_name_oid = roleid;
		ip_acting_generation++;
	}
	*len = role_name_len;
	return role_name;
}

/*
 * ip_acting_user_gen: ip_acting_user(), and a number that changes whenever
 * the name returned may have changed: while the pointer and the number are
 * the same, so is the name (no need to compare it).
 */
const char *
ip_acting_user_gen(int *len, uint64 *generation)
{
	const char *user = ip_acting_user(len);

	*generation = ip_acting_generation;
	return user;
}

/*
 * acting_user() returns text
 */
Datum
ip_acting_user_sql(PG_FUNCTION_ARGS)
{
	int			len;
	const char *name = ip_acting_user(&len);

	PG_RETURN_TEXT_P(cstring_to_text_with_len(name, len));
}

static void
require_delegate(const char *what)
{
	Oid			caller = GetUserId();

	if (!superuser_arg(caller) && !ip_is_delegate(caller))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s", what),
				 errdetail("Only superusers and roles registered as delegates may set the acting user."),
				 errhint("A superuser can register a role with inventree_perms.add_delegate().")));
}

/*
 * set_acting_user(username text, is_local boolean DEFAULT true) returns void
 */
Datum
ip_set_acting_user(PG_FUNCTION_ARGS)
{
	text	   *username;
	char	   *name;
	IpUser		u;

	/* 42501 before anything else: a NULL tells a refused caller nothing */
	require_delegate("set the acting user");

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("arguments of set_acting_user() must not be null")));

	username = PG_GETARG_TEXT_PP(0);
	name = text_to_cstring(username);
	/* a name no user can have (empty, spaces around, control characters) */
	ip_check_name("user", VARDATA_ANY(username), VARSIZE_ANY_EXHDR(username));
	if (!ip_user_lookup(VARDATA_ANY(username), VARSIZE_ANY_EXHDR(username), &u))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("user \"%s\" does not exist", name)));

	(void) set_config_option(ACTING_USER_GUC, name, PGC_SUSET, PGC_S_SESSION,
							 PG_GETARG_BOOL(1) ? GUC_ACTION_LOCAL : GUC_ACTION_SET,
							 true, 0, false);
	PG_RETURN_VOID();
}

/*
 * reset_acting_user() returns void
 */
Datum
ip_reset_acting_user(PG_FUNCTION_ARGS)
{
	require_delegate("reset the acting user");
	(void) set_config_option(ACTING_USER_GUC, NULL, PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_SET, true, 0, false);
	PG_RETURN_VOID();
}
