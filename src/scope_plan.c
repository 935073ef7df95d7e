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
 * replaces the call by a condition chosen for the acting user:
 *
 * - for a model-wide holder, a superuser, an unknown or inactive user or a
 *   model that is not scoped:
 *	   $modelwide OR scope_admits_row(model, action, <the whole row>, <attno>)
 *	 (a sequential scan; the whole row is formed only if the call runs, so
 *	 the rows $modelwide admits are not even deformed; and once
 *	 $modelwide is computed true, the executor drops the condition from the
 *	 scan: below, scan_watch);
 *
 * - for a scope over more than 1/20 of the tree (or a narrow one, when no
 *   index has the scope column first):
 *	   scope_test(model, action, <the column in its own type>)
 *	 (scope_test4() for an integer column, scope_test2() for a smallint)
 *	 (a sequential scan; per row a call, a few comparisons and a bit test
 *	 without a branch on the answer: src/scope.c);
 *
 * - for a narrow scope (or nothing granted):
 *	   col = ANY (scope_nodes(model, action, $allowed))
 *	 and nothing else: an index on the scope column serves the whole
 *	 condition, so nothing is left for the heap (an index-only scan, or a
 *	 bitmap heap scan that skips the all-visible pages).
 *
 * The first two are exact for every acting user.  The third is exact for
 * every user who is not a model-wide holder or a superuser: for them it
 * leaves out the rows whose node is NULL (no index condition can be
 * switched on by a runtime value).  So the forms are chosen for the acting
 * user alone, and the plan depends on scope_admits() (a PlanInvalItem):
 * src/scope.c invalidates exactly those plans (ip_scope_plans_invalidate)
 * when what the choice was made from may change: a permission, a grant or a
 * tree (the relcache callbacks of src/cache.c and src/tree.c), the acting
 * user setting (its assign hook: set, reset, the end of a local set, a
 * rollback, RESET ALL, DISCARD ALL), a role renamed.  A change of role (SET
 * ROLE, SECURITY DEFINER) replans by PostgreSQL's own rule for plans that
 * depend on row-level security.  A plan that runs without being checked
 * first (a SQL function's statements, planned together before its body
 * runs; an open cursor; a change another session committed that reaches
 * a plan kept in a transaction block only once it runs: a protocol-level
 * Bind, a statement a function's loop runs again -- EXECUTE, CALL and a
 * new statement's executor look for changes first, below) may meet a model-wide holder: scope_nodes()
 * then raises 40001 rather than answer short.
 *
 * $modelwide and $allowed are the call's own arguments (subqueries the
 * planner makes InitPlans of: once per statement, computed by the leader
 * for parallel workers).  The operator comes from the integer btree
 * operator family by OID; scope_admits() is the call's own function, and
 * scope_admits_row(), scope_test() and scope_nodes() are looked up in its
 * schema (where nobody else may create anything).  Outside the planner (no
 * PlannerInfo) or once planned, the call stays as it is and answers by
 * itself.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_operator.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/parallel.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_index.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "optimizer/clauses.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

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
 * A function of the extension's own schema (the schema of scope_admits(),
 * where nobody else may create anything), or InvalidOid.
 */
static Oid
own_function(FuncExpr *call, const char *name, int nargs, const Oid *argtypes)
{
	char	   *nspname = get_namespace_name(get_func_namespace(call->funcid));

	if (nspname == NULL)
		return InvalidOid;
	return LookupFuncName(list_make2(makeString(nspname), makeString(pstrdup(name))),
						  nargs, argtypes, true);
}

/*
 * The model-wide holder's form: "$modelwide OR <the answer>".  When the node
 * is a column of the table, the answer is scope_admits_row() of the whole
 * row and the column's number: a whole-row argument is formed only when the
 * call runs, so the rows $modelwide admits are not even deformed.  (The
 * function is looked up in the extension's own schema, where nobody else
 * may create anything.)
 */
static Node *
modelwide_form(PlannerInfo *root, FuncExpr *call, Node *modelwide, FuncExpr *planned, Node *col)
{
	Var		   *v = (Var *) col;
	RangeTblEntry *rte;
	Oid			argtypes[4] = {TEXTOID, TEXTOID, RECORDOID, INT4OID};
	Oid			fn;

	if (!IsA(col, Var) || v->varlevelsup != 0 || v->varattno <= 0 ||
		v->varno < 1 || v->varno > list_length(root->parse->rtable))
		return (Node *) make_orclause(list_make2(copyObject(modelwide), planned));
	rte = rt_fetch(v->varno, root->parse->rtable);
	fn = own_function(call, "scope_admits_row", 4, argtypes);
	if (rte->rtekind != RTE_RELATION || !OidIsValid(fn))
		return (Node *) make_orclause(list_make2(copyObject(modelwide), planned));
	return (Node *) make_orclause(list_make2(copyObject(modelwide),
											 makeFuncExpr(fn, BOOLOID,
														  list_make4(copyObject(linitial(call->args)),
																	 copyObject(lsecond(call->args)),
																	 makeWholeRowVar(rte, v->varno, 0, false),
																	 makeConst(INT4OID, -1, InvalidOid, sizeof(int32),
																			   Int32GetDatum(v->varattno), false, true)),
														  InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL)));
}

/*
 * The broad scope's form: scope_test(model, action, <the column in its own
 * type>), exact for every acting user (see src/scope.c): one call and a bit
 * test per row.  NULL if the function is missing.
 */
static Node *
broad_form(FuncExpr *call, Node *col, Oid coltype)
{
	Oid			argtypes[3] = {TEXTOID, TEXTOID, coltype};
	Node	   *node = col;
	Oid			fn = own_function(call, coltype == INT2OID ? "scope_test2" :
								  coltype == INT4OID ? "scope_test4" : "scope_test", 3, argtypes);

	if (!OidIsValid(fn))
	{
		argtypes[2] = INT8OID;
		fn = own_function(call, "scope_test", 3, argtypes);
		node = list_nth(call->args, ARG_NODE);
	}
	if (!OidIsValid(fn))
		return NULL;
	return (Node *) makeFuncExpr(fn, BOOLOID,
								 list_make3(copyObject(linitial(call->args)),
											copyObject(lsecond(call->args)),
											copyObject(node)),
								 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
}

/*
 * Is the node a column of a table with a valid index whose first column it
 * is (not partial)?  Without one, the narrow form would be a sequential
 * scan testing every row against the array: the broad form is cheaper.
 * (The table is locked: the query names it.)
 */
static bool
indexed_column(PlannerInfo *root, Node *col)
{
	Var		   *v = (Var *) col;
	RangeTblEntry *rte;
	Relation	rel;
	List	   *indexes;
	ListCell   *lc;
	bool		found = false;

	if (!IsA(col, Var) || v->varlevelsup != 0 || v->varattno <= 0 ||
		v->varno < 1 || v->varno > list_length(root->parse->rtable))
		return false;
	rte = rt_fetch(v->varno, root->parse->rtable);
	if (rte->rtekind != RTE_RELATION)
		return false;
	rel = table_open(rte->relid, NoLock);
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index ind;

		if (!HeapTupleIsValid(tup))
			continue;
		ind = (Form_pg_index) GETSTRUCT(tup);
		if (ind->indnkeyatts > 0 && ind->indkey.values[0] == v->varattno && ind->indisvalid &&
			heap_attisnull(tup, Anum_pg_index_indpred, NULL))
			found = true;
		ReleaseSysCache(tup);
	}
	list_free(indexes);
	table_close(rel, NoLock);
	return found;
}

/*
 * The narrow scope's form: col = ANY (scope_nodes(model, action, $allowed)),
 * exact for every acting user who is not a model-wide holder or a superuser
 * (the rows whose node is NULL are not among them), which is what the plan
 * is for; scope_nodes() raises for anyone else (a plan run without being
 * checked first).  An index on the scope column serves it, and nothing else
 * is left for the heap: a bitmap heap scan that needs no column skips the
 * heap pages that are all-visible.  NULL if a piece is missing.
 */
static Node *
narrow_form(FuncExpr *call, Node *col, Oid eq, Node *allowed)
{
	Oid			argtypes[3] = {TEXTOID, TEXTOID, INT8ARRAYOID};
	Oid			fn = own_function(call, "scope_nodes", 3, argtypes);
	ScalarArrayOpExpr *saop;

	if (!OidIsValid(fn) || !OidIsValid(eq))
		return NULL;
	saop = makeNode(ScalarArrayOpExpr);
	saop->opno = eq;
	saop->opfuncid = get_opcode(eq);
	saop->hashfuncid = InvalidOid;
	saop->negfuncid = InvalidOid;
	saop->useOr = true;
	saop->inputcollid = InvalidOid;
	saop->args = list_make2(copyObject(col),
							makeFuncExpr(fn, INT8ARRAYOID,
										 list_make3(copyObject(linitial(call->args)),
													copyObject(lsecond(call->args)),
													copyObject(allowed)),
										 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL));
	saop->location = -1;
	return (Node *) saop;
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
	Oid			coltype;
	Node	   *form;
	IpScopePlanKind kind;

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
	kind = ip_scope_plan_kind(VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model),
							  ip_parse_action(VARDATA_ANY(action), VARSIZE_ANY_EXHDR(action), false));
	/* replanned when what the kind was chosen from changes */
	ip_scope_plan_depends(req->root, call->funcid);
	if (kind == IP_SCOPE_MODELWIDE)
		PG_RETURN_POINTER(modelwide_form(req->root, call, modelwide, planned, col));
	if (kind == IP_SCOPE_NARROW && indexed_column(req->root, col) &&
		(form = narrow_form(call, col, integer_op(coltype, BTEqualStrategyNumber), allowed)) != NULL)
		PG_RETURN_POINTER(form);
	if ((form = broad_form(call, col, coltype)) != NULL)
		PG_RETURN_POINTER(form);
	PG_RETURN_POINTER(make_orclause(list_make2(copyObject(modelwide), planned)));
}

/*
 * Before a statement runs: accept the invalidations other sessions sent.
 * PostgreSQL looks for them when a transaction starts and when it takes a
 * lock it did not hold; a plan kept in a transaction block (EXECUTE, a
 * PL/pgSQL function's statement) is checked against them before that, as
 * its locks are held already.  A form chosen for the acting user must hear
 * of a grant committed since (ip_scope_plans_invalidate marks it invalid),
 * so this backend, once it planned one, looks at every statement's start,
 * before EXECUTE and CALL look their plans up and before the executor
 * runs a query whose functions (a PL/pgSQL body) look theirs up.  Without
 * messages this is a test of one flag.
 */
static ExecutorStart_hook_type prev_executor_start = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;

static void
accept_changes(void)
{
	if (ip_scope_has_planned() && IsTransactionState() && !IsParallelWorker())
		AcceptInvalidationMessages();
}

/*
 * The model-wide holder's form in a scan's condition,
 *
 *	 $modelwide OR scope_admits_row(...)
 *
 * (the call the C function of scope_admits_row(), whatever SQL name points
 * to it), whose $modelwide is the output of an InitPlan that depends on no
 * other parameter: computed once, when first needed, and never again in
 * this execution (no parameter it reads can change, so no rescan makes it
 * run again).  Returns the parameter's number, or -1.
 */
static int
modelwide_param(Node *item, EState *estate)
{
	BoolExpr   *or;
	Param	   *param;
	FuncExpr   *call;
	FmgrInfo	finfo;
	SubPlanState *initplan;

	if (!is_orclause(item))
		return -1;
	or = (BoolExpr *) item;
	if (list_length(or->args) != 2 || !IsA(linitial(or->args), Param) ||
		!IsA(lsecond(or->args), FuncExpr))
		return -1;
	param = linitial(or->args);
	call = lsecond(or->args);
	if (param->paramkind != PARAM_EXEC || param->paramtype != BOOLOID ||
		param->paramid < 0 || param->paramid >= list_length(estate->es_plannedstmt->paramExecTypes))
		return -1;
	fmgr_info(call->funcid, &finfo);
	if (!ip_scope_is_admits_row(finfo.fn_addr))
		return -1;
	/* not computed yet, by an InitPlan of one scalar that depends on nothing */
	initplan = estate->es_param_exec_vals[param->paramid].execPlan;
	if (initplan == NULL || !IsA(initplan, SubPlanState) ||
		initplan->subplan->subLinkType != EXPR_SUBLINK ||
		initplan->subplan->parParam != NIL || initplan->subplan->args != NIL ||
		list_length(initplan->subplan->setParam) != 1 ||
		linitial_int(initplan->subplan->setParam) != param->paramid ||
		initplan->planstate == NULL || !bms_is_empty(initplan->planstate->plan->extParam))
		return -1;
	return param->paramid;
}

/*
 * A scan being watched: its forms (items of the plan's qual) and their
 * $modelwide parameters.  Kept in the executor's memory, listed until that
 * memory goes (forget_watched, its reset callback).
 */
typedef struct WatchedScan
{
	struct WatchedScan *next;
	PlanState  *ps;
	EState	   *estate;
	int			nforms;
	Node	  **forms;
	int		   *params;
} WatchedScan;

static WatchedScan *watched = NULL;

static void
forget_watched(void *arg)
{
	EState	   *estate = arg;
	WatchedScan **p = &watched;

	while (*p != NULL)
	{
		if ((*p)->estate == estate)
			*p = (*p)->next;
		else
			p = &(*p)->next;
	}
}

/*
 * Has every form of the watched scan had its $modelwide computed?  Then the
 * forms whose $modelwide is true are dropped: "true OR x" is true for every
 * row, whatever x (the call is not even made), so the condition is compiled
 * again without them -- without any, the scan tests nothing per row, as a
 * table without row-level security.  The answer is the one the whole
 * condition gives, for every row and every acting user: $modelwide read the
 * acting user when it was computed, at the first row the condition tested,
 * as it would have.  Only this execution's state changes, never the plan.
 * False while one is not computed yet.
 */
static bool
drop_admitted(WatchedScan *w)
{
	PlanState  *ps = w->ps;
	ParamExecData *params = w->estate->es_param_exec_vals;
	List	   *kept = NIL;
	bool		dropped = false;
	ListCell   *lc;

	for (int i = 0; i < w->nforms; i++)
		if (params[w->params[i]].execPlan != NULL)
			return false;
	foreach(lc, ps->plan->qual)
	{
		bool		admitted = false;

		for (int i = 0; i < w->nforms; i++)
			if (w->forms[i] == lfirst(lc))
			{
				ParamExecData *prm = &params[w->params[i]];

				admitted = !prm->isnull && DatumGetBool(prm->value);
				break;
			}
		if (admitted)
			dropped = true;
		else
			kept = lappend(kept, lfirst(lc));
	}
	if (dropped)
	{
		MemoryContext old = MemoryContextSwitchTo(w->estate->es_query_cxt);
		Relation	rel = ((ScanState *) ps)->ss_currentRelation;

		ps->qual = ExecInitQual(kept, ps);
		MemoryContextSwitchTo(old);
		ereport(DEBUG1,
				(errmsg_internal("inventree_perms: the model-wide answer admits every row of \"%s\": %d of the scan's %d conditions dropped",
								 rel ? RelationGetRelationName(rel) : "?",
								 list_length(ps->plan->qual) - list_length(kept),
								 list_length(ps->plan->qual))));
	}
	return true;
}

/*
 * A watched scan runs through this until its forms' $modelwide are computed
 * (drop_admitted): the node as PostgreSQL set it up (through
 * ExecProcNodeFirst: instrumentation as asked), then a look.
 */
static TupleTableSlot *
scan_watch(PlanState *ps)
{
	TupleTableSlot *slot;
	WatchedScan *w;

	ExecSetExecProcNode(ps, ps->ExecProcNodeReal);
	slot = ps->ExecProcNode(ps);
	for (w = watched; w != NULL; w = w->next)
		if (w->ps == ps)
			break;
	if (w != NULL && !drop_admitted(w))
		ps->ExecProcNode = scan_watch;
	return slot;
}

/*
 * Scans whose condition holds a model-wide holder's form, to be watched
 * (scan_watch), appended to the List *context.  A condition with subplans
 * is left as it is (compiling it again would register them twice).
 */
static bool
watch_scans(PlanState *ps, void *context)
{
	if (ps == NULL)
		return false;
	switch (nodeTag(ps))
	{
		case T_SeqScanState:
		case T_IndexScanState:
		case T_IndexOnlyScanState:
		case T_BitmapHeapScanState:
		case T_SampleScanState:
		case T_TidScanState:
		case T_TidRangeScanState:
			if (ps->qual != NULL && ps->plan->qual != NIL &&
				!contain_subplans((Node *) ps->plan->qual))
			{
				WatchedScan *w = NULL;
				ListCell   *lc;

				foreach(lc, ps->plan->qual)
				{
					int			id = modelwide_param(lfirst(lc), ps->state);

					if (id < 0)
						continue;
					if (w == NULL)
					{
						w = palloc0(sizeof(WatchedScan));
						w->ps = ps;
						w->estate = ps->state;
						w->forms = palloc(list_length(ps->plan->qual) * sizeof(Node *));
						w->params = palloc(list_length(ps->plan->qual) * sizeof(int));
					}
					w->forms[w->nforms] = lfirst(lc);
					w->params[w->nforms++] = id;
				}
				if (w != NULL)
				{
					List	  **found = context;

					*found = lappend(*found, w);
				}
			}
			break;
		default:
			break;
	}
	return planstate_tree_walker(ps, watch_scans, context);
}

/*
 * The executor: accept changes first (above); once it is set up, the scans
 * that hold a model-wide holder's form are watched until its $modelwide is
 * known (watch_scans).  Plans this backend made with such a form; not for
 * EXPLAIN without ANALYZE, nor in a parallel worker (its $modelwide comes
 * from the leader, computed already: nothing would tell it from a
 * parameter that changes).
 */
static void
scope_executor_start(QueryDesc *queryDesc, int eflags)
{
	accept_changes();
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
	if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 && queryDesc->planstate != NULL &&
		!IsParallelWorker() && ip_scope_plan_has_form(queryDesc->plannedstmt->invalItems))
	{
		EState	   *estate = queryDesc->estate;
		MemoryContext old = MemoryContextSwitchTo(estate->es_query_cxt);
		List	   *found = NIL;
		ListCell   *lc;

		/* found first (an error leaves nothing listed), then listed */
		(void) watch_scans(queryDesc->planstate, &found);
		if (found != NIL)
		{
			MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

			cb->func = forget_watched;
			cb->arg = estate;
			MemoryContextRegisterResetCallback(estate->es_query_cxt, cb);
			foreach(lc, found)
			{
				WatchedScan *w = lfirst(lc);

				w->next = watched;
				watched = w;
				w->ps->ExecProcNode = scan_watch;
			}
		}
		MemoryContextSwitchTo(old);
	}
}

static void
scope_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					  ProcessUtilityContext context, ParamListInfo params,
					  QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	accept_changes();
	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}

/*
 * ip_scope_plan_init: install the hooks (from _PG_init).
 */
void
ip_scope_plan_init(void)
{
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = scope_executor_start;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = scope_process_utility;
}
