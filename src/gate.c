/*-------------------------------------------------------------------------
 *
 * gate.c
 *	  The gate every management function goes through.
 *
 * A management function is declared in SQL as LANGUAGE C, 'ip_gate'.  The
 * gate is not SECURITY DEFINER, so GetUserId() on entry is the role that
 * called it (never a definer function's owner on our side; a definer
 * function of someone else's calls us as that someone, which is right).  It
 * records that role and its acting user, refuses NULL arguments (22004)
 * except where the function's declared default is NULL -- but to a caller
 * who is not an administrator it says 42501 first, so that a NULL tells
 * such a caller nothing (_require_admin() decides, or the stricter
 * requirement of a function only some administrators may call) -- and calls the
 * implementation: the function of the same argument types whose name is the
 * gate's with a leading underscore, in the extension's internal schema
 * (ip_internal_namespace), a PL/pgSQL SECURITY DEFINER function that PUBLIC
 * may not execute.  The implementation reads the caller
 * back through _caller() and _caller_acting().
 *
 * A VOLATILE management function changes the tables; like GRANT, it is
 * refused in a read-only transaction and on a hot standby (25006) before
 * anything else, even when it would change nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "parser/parse_func.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_gate);
PG_FUNCTION_INFO_V1(ip_caller);
PG_FUNCTION_INFO_V1(ip_caller_acting);

/* What a gate remembers about its function (in fn_extra). */
typedef struct GateInfo
{
	char	   *name;			/* the public function's name */
	bool		writes;			/* VOLATILE: changes the tables */
	int			nargs;
	char	  **argnames;		/* for error messages */
	bool	   *nullable;		/* argument's declared default is NULL */
	FmgrInfo	impl;
	FmgrInfo	requirement;	/* who may call it, set up on first use */
	char	   *require_what;	/* its argument */
	bool		requirement_ready;
	Oid			nspid;			/* where the implementation is */
} GateInfo;

/* The caller of the innermost gate now running. */
static int	gate_depth = 0;
static Oid	gate_caller = InvalidOid;
static char *gate_acting = NULL;

static pg_noinline GateInfo *
gate_setup(FmgrInfo *flinfo)
{
	MemoryContext old = MemoryContextSwitchTo(flinfo->fn_mcxt);
	GateInfo   *gi = palloc0(sizeof(GateInfo));
	HeapTuple	tup;
	Form_pg_proc proc;
	bool		isnull;
	Datum		d;
	char	   *implname;
	Oid			implid;
	Oid		   *argtypes;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(flinfo->fn_oid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", flinfo->fn_oid);
	proc = (Form_pg_proc) GETSTRUCT(tup);

	gi->name = pstrdup(NameStr(proc->proname));
	gi->nspid = ip_internal_namespace();
	if (!OidIsValid(gi->nspid))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("schema \"inventree_perms_internal\" is not owned by the bootstrap superuser"),
				 errdetail("Its owner could put functions of its own under the names the extension uses."),
				 errhint("Give it back to the bootstrap superuser, or DROP EXTENSION and CREATE EXTENSION inventree_perms.")));
	gi->writes = (proc->provolatile == PROVOLATILE_VOLATILE);
	gi->nargs = proc->pronargs;
	gi->argnames = palloc0(sizeof(char *) * (gi->nargs + 1));
	gi->nullable = palloc0(sizeof(bool) * (gi->nargs + 1));
	argtypes = palloc(sizeof(Oid) * (gi->nargs + 1));
	memcpy(argtypes, proc->proargtypes.values, sizeof(Oid) * gi->nargs);

	d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_proargnames, &isnull);
	if (!isnull)
	{
		Datum	   *elems;
		int			n;

		deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, NULL, &n);
		for (int i = 0; i < n && i < gi->nargs; i++)
			gi->argnames[i] = TextDatumGetCString(elems[i]);
	}

	d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_proargdefaults, &isnull);
	if (!isnull)
	{
		List	   *defaults = castNode(List, stringToNode(TextDatumGetCString(d)));
		int			first = gi->nargs - list_length(defaults);
		ListCell   *lc;

		foreach(lc, defaults)
		{
			Node	   *expr = strip_implicit_coercions((Node *) lfirst(lc));

			if (IsA(expr, Const) && ((Const *) expr)->constisnull)
				gi->nullable[first + foreach_current_index(lc)] = true;
		}
	}

	implname = psprintf("_%s", gi->name);
	implid = ip_function_in_namespace(implname, gi->nargs, argtypes, gi->nspid, false);
	ReleaseSysCache(tup);

	fmgr_info_cxt(implid, &gi->impl, flinfo->fn_mcxt);
	MemoryContextSwitchTo(old);
	flinfo->fn_extra = gi;
	return gi;
}

/*
 * Management functions that only some administrators may call, and the
 * internal function that says who (raising 42501 for anyone else).  Every
 * other management function is for administrators (_require_admin).
 */
static const struct
{
	const char *function;
	const char *requirement;
	const char *what;
}			stricter_callers[] =
{
	{"set_user_superuser", "_require_superadmin", "change superuser status"},
	{"add_delegate", "_require_pg_admin", "add a delegate"},
	{"remove_delegate", "_require_pg_admin", "remove a delegate"},
};

/*
 * refuse_null: a non-nullable argument is NULL.  A caller who may call the
 * function is told 22004; anyone else 42501, by the function's own
 * requirement (with its detail and hint), before anything about the
 * arguments.  An older version's script may lack a stricter requirement's
 * function: _require_admin() then decides.
 */
static void
refuse_null(GateInfo *gi, int argno)
{
	if (!gi->requirement_ready)
	{
		Oid			argtype = TEXTOID;
		const char *what = psprintf("call %s()", gi->name);
		Oid			fn = InvalidOid;

		for (size_t i = 0; i < lengthof(stricter_callers); i++)
			if (strcmp(gi->name, stricter_callers[i].function) == 0)
			{
				fn = ip_function_in_namespace(stricter_callers[i].requirement, 1, &argtype,
										   gi->nspid, true);
				what = stricter_callers[i].what;
			}
		if (!OidIsValid(fn))
			fn = ip_function_in_namespace("_require_admin", 1, &argtype, gi->nspid, false);
		fmgr_info_cxt(fn, &gi->requirement, gi->impl.fn_mcxt);
		gi->require_what = MemoryContextStrdup(gi->impl.fn_mcxt, what);
		gi->requirement_ready = true;
	}
	(void) FunctionCall1(&gi->requirement, CStringGetTextDatum(gi->require_what));
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("argument \"%s\" of %s() must not be null",
					gi->argnames[argno] ? gi->argnames[argno] : "?", gi->name)));
}

/*
 * ip_gate: see the file's comment.
 */
Datum
ip_gate(PG_FUNCTION_ARGS)
{
	GateInfo   *const gi = fcinfo->flinfo->fn_extra ? (GateInfo *) fcinfo->flinfo->fn_extra
		: gate_setup(fcinfo->flinfo);
	LOCAL_FCINFO(impl, FUNC_MAX_ARGS);
	int			len;
	const char *acting;
	Oid			saved_caller = gate_caller;
	char	   *saved_acting = gate_acting;
	Datum		result;

	if (gi->writes && XactReadOnly)
		PreventCommandIfReadOnly(psprintf("%s()", gi->name));

	acting = ip_acting_user(&len);

	InitFunctionCallInfoData(*impl, &gi->impl, gi->nargs, fcinfo->fncollation,
							 fcinfo->context, fcinfo->resultinfo);
	for (int i = 0; i < gi->nargs; i++)
		impl->args[i] = fcinfo->args[i];

	gate_caller = GetUserId();
	gate_acting = pnstrdup(acting, len);
	gate_depth++;
	PG_TRY();
	{
		for (int i = 0; i < gi->nargs; i++)
			if (PG_ARGISNULL(i) && !gi->nullable[i])
				refuse_null(gi, i);
		result = FunctionCallInvoke(impl);
	}
	PG_FINALLY();
	{
		gate_depth--;
		gate_caller = saved_caller;
		gate_acting = saved_acting;
	}
	PG_END_TRY();

	fcinfo->isnull = impl->isnull;
	return result;
}

static void
require_gate(void)
{
	if (gate_depth == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no inventree_perms management function is running"),
				 errdetail("Internal functions of inventree_perms are called by its management functions only.")));
}

/*
 * _caller() returns oid: the role that called the running management function.
 */
Datum
ip_caller(PG_FUNCTION_ARGS)
{
	require_gate();
	PG_RETURN_OID(gate_caller);
}

/*
 * _caller_acting() returns text: that role's acting user.
 */
Datum
ip_caller_acting(PG_FUNCTION_ARGS)
{
	require_gate();
	PG_RETURN_TEXT_P(cstring_to_text(gate_acting));
}

/*
 * ip_gate_caller: for C callers.
 */
Oid
ip_gate_caller(void)
{
	require_gate();
	return gate_caller;
}
