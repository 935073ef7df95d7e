/*-------------------------------------------------------------------------
 *
 * scope_plan.c
 *	  The planner support function of scope_admits(): the condition of a
 *	  scoped policy in a form an index on the scope column can serve.
 *
 * protect() writes a scoped table's condition (view; add, change and delete
 * where ownership does not apply) as
 *
 *	 scope_admits(model, action, <scope column>,
 *				   (SELECT has_model_perm(model, action)),
 *				   (SELECT allowed_nodes(model, action)))
 *
 * While the query is planned (eval_const_expressions), this function
 * replaces the call by one of two conditions, both exact for every acting
 * user (a plan kept and run later for another user gives the same rows):
 *
 * - for a model-wide holder, a superuser, a model that is not scoped, or a
 *	 scope over more than 1/20 of the tree:
 *	   $modelwide OR scope_admits(..., planned => true)
 *	 (a sequential scan; a model-wide holder's rows cost no lookup);
 *
 * - for a narrow scope (or nobody):
 *	   scope_admits(..., planned => true)
 *	   AND (col = ANY ($allowed) OR col >= (CASE WHEN $modelwide THEN
 *			<smallest bigint> END) OR col IS NULL)
 *	 The OR is implied by the first part for every user (the allowed nodes
 *	 are the scope; a model-wide holder's range is everything), so it only
 *	 lets the planner use a bitmap index scan of the scope column; the
 *	 per-row answer stays the first part's.  For a non-model-wide user the
 *	 range is empty (a comparison with NULL).
 *
 * $modelwide and $allowed are the call's own arguments (subqueries the
 * planner makes InitPlans of: once per statement, computed by the leader
 * for parallel workers).  Nothing is looked up by name: the operators come
 * from the integer btree operator family by OID, the function is the call's
 * own.  Outside the planner (no PlannerInfo) or once planned, the call stays
 * as it is and answers by itself.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_operator.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "access/stratnum.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_scope_admits_support);

/* Arguments of scope_admits(). */
#define ARG_MODEL 0
#define ARG_ACTION 1
#define ARG_NODE 2
#define ARG_MODELWIDE 3
#define ARG_ALLOWED 4
#define ARG_PLANNED 5
#define NARGS 6

/* A non-null text Const's value, or NULL. */
static text *
const_text(Node *n)
{
	if (n && IsA(n, Const) && !((Const *) n)->constisnull && ((Const *) n)->consttype == TEXTOID)
		return DatumGetTextPP(((Const *) n)->constvalue);
	return NULL;
}

/*
 * The scope column as the table has it: the implicit or explicit cast of a
 * smallint or integer to bigint is taken off (the index is on the column).
 */
static Node *
scope_column(Node *node, Oid *type)
{
	if (IsA(node, FuncExpr))
	{
		FuncExpr   *f = (FuncExpr *) node;

		if (list_length(f->args) == 1 && f->funcresulttype == INT8OID &&
			(f->funcformat == COERCE_IMPLICIT_CAST || f->funcformat == COERCE_EXPLICIT_CAST))
		{
			Node	   *arg = linitial(f->args);
			Oid			t = exprType(arg);

			if (t == INT2OID || t == INT4OID)
			{
				*type = t;
				return arg;
			}
		}
	}
	*type = INT8OID;
	return node;
}

/* col <op> arg for the integer btree family's strategy, or NULL. */
static Oid
integer_op(Oid lefttype, int16 strategy)
{
	return get_opfamily_member(INTEGER_BTREE_FAM_OID, lefttype, INT8OID, strategy);
}

/*
 * _scope_support(internal) returns internal: SupportRequestSimplify for
 * scope_admits().
 */
Datum
ip_scope_admits_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestSimplify *req;
	FuncExpr   *call;
	FuncExpr   *planned;
	List	   *args;
	text	   *model,
			   *action;
	Node	   *node,
			   *col,
			   *modelwide,
			   *allowed;
	Oid			coltype,
				eq,
				ge;
	Node	   *in_scope;

	if (!IsA(rawreq, SupportRequestSimplify))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestSimplify *) rawreq;
	call = req->fcall;
	if (req->root == NULL || list_length(call->args) != NARGS)
		PG_RETURN_POINTER(NULL);
	/* planned already (or a caller's own false/NULL): leave it */
	{
		Node	   *p = list_nth(call->args, ARG_PLANNED);

		if (!IsA(p, Const) || ((Const *) p)->constisnull || DatumGetBool(((Const *) p)->constvalue))
			PG_RETURN_POINTER(NULL);
	}
	model = const_text(list_nth(call->args, ARG_MODEL));
	action = const_text(list_nth(call->args, ARG_ACTION));
	if (model == NULL || action == NULL)
		PG_RETURN_POINTER(NULL);
	node = list_nth(call->args, ARG_NODE);
	modelwide = list_nth(call->args, ARG_MODELWIDE);
	allowed = list_nth(call->args, ARG_ALLOWED);

	/* the call itself, marked planned (the answer per row) */
	args = list_copy(call->args);
	list_nth_cell(args, ARG_MODELWIDE)->ptr_value = makeNullConst(BOOLOID, -1, InvalidOid);
	list_nth_cell(args, ARG_ALLOWED)->ptr_value = makeNullConst(INT8ARRAYOID, -1, InvalidOid);
	list_nth_cell(args, ARG_PLANNED)->ptr_value = makeBoolConst(true, false);
	planned = makeFuncExpr(call->funcid, call->funcresulttype, args, call->funccollid,
						   call->inputcollid, COERCE_EXPLICIT_CALL);
	planned->funcretset = false;
	planned->funcvariadic = false;

	col = scope_column(node, &coltype);
	eq = integer_op(coltype, BTEqualStrategyNumber);
	ge = integer_op(coltype, BTGreaterEqualStrategyNumber);
	if (!OidIsValid(eq) || !OidIsValid(ge) ||
		!ip_scope_narrow(VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model),
						 ip_parse_action(VARDATA_ANY(action), VARSIZE_ANY_EXHDR(action), false)))
		PG_RETURN_POINTER(make_orclause(list_make2(copyObject(modelwide), planned)));

	/* col = ANY ($allowed) */
	{
		ScalarArrayOpExpr *saop = makeNode(ScalarArrayOpExpr);
		CaseExpr   *lo = makeNode(CaseExpr);
		CaseWhen   *when = makeNode(CaseWhen);
		NullTest   *isnull = makeNode(NullTest);
		Expr	   *range;

		saop->opno = eq;
		saop->opfuncid = get_opcode(eq);
		saop->hashfuncid = InvalidOid;
		saop->negfuncid = InvalidOid;
		saop->useOr = true;
		saop->inputcollid = InvalidOid;
		saop->args = list_make2(copyObject(col), copyObject(allowed));
		saop->location = -1;

		/* col >= CASE WHEN $modelwide THEN <smallest bigint> END */
		when->expr = (Expr *) copyObject(modelwide);
		when->result = (Expr *) makeConst(INT8OID, -1, InvalidOid, sizeof(int64),
										  Int64GetDatum(PG_INT64_MIN), false, FLOAT8PASSBYVAL);
		when->location = -1;
		lo->casetype = INT8OID;
		lo->casecollid = InvalidOid;
		lo->arg = NULL;
		lo->args = list_make1(when);
		lo->defresult = (Expr *) makeNullConst(INT8OID, -1, InvalidOid);
		lo->location = -1;
		range = make_opclause(ge, BOOLOID, false, (Expr *) copyObject(col), (Expr *) lo,
							  InvalidOid, InvalidOid);
		((OpExpr *) range)->opfuncid = get_opcode(ge);

		/* col IS NULL */
		isnull->arg = (Expr *) copyObject(col);
		isnull->nulltesttype = IS_NULL;
		isnull->argisrow = false;
		isnull->location = -1;

		in_scope = (Node *) make_orclause(list_make3(saop, range, isnull));
	}
	PG_RETURN_POINTER(make_andclause(list_make2(planned, in_scope)));
}
