/*-------------------------------------------------------------------------
 *
 * parallel.c
 *	  One snapshot per parallel statement, shared by the leader and its
 *	  workers; the once-per-statement hook.
 *
 * Outside parallel mode the cache builds its entries from the latest
 * snapshot, so that a check answers what is committed now, whatever the
 * isolation level.  In parallel mode no new snapshot may be taken, and the
 * workers only have the leader's transaction and active snapshots: in a
 * REPEATABLE READ transaction both are older than a change committed since
 * the transaction began.  So, when a statement whose plan needs parallel
 * mode starts in the leader (ExecutorStart, before parallel mode is
 * entered), the leader takes one latest snapshot, empties its cache (every
 * entry it uses in that statement is then built from that snapshot), and
 * hands the snapshot to the workers in a hidden setting: PostgreSQL copies
 * the leader's settings into each worker before the worker runs anything.
 * Leader and workers then build every entry from the same data.
 *
 * The setting cannot be set by anyone but this file: its check hook refuses
 * every value except the one set here, and the one a parallel worker
 * receives from its leader.
 *
 * When the library is loaded in the middle of a statement (its first call
 * in the session), the hook was not there when that statement started: the
 * snapshot is then taken at load time, for the rest of that statement.
 *
 * The leader's snapshot is a copy in TopTransactionContext and is not
 * registered: it is used only while the statement that took it runs, whose
 * own snapshot (older, registered until ExecutorEnd) keeps the rows it can
 * see from being pruned.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "inventree_perms.h"

#define SNAPSHOT_GUC "inventree_perms.parallel_snapshot"

static char *snapshot_setting = NULL;
static bool setting_internally = false;

/* Leader: the snapshot of the running parallel statement, and its query. */
static Snapshot leader_snapshot = NULL;
static QueryDesc *leader_query = NULL;

/* Worker: the snapshot decoded from the setting, and the string it came from. */
static Snapshot worker_snapshot = NULL;
static const char *worker_snapshot_from = NULL;

static ExecutorStart_hook_type prev_executor_start = NULL;
static ExecutorEnd_hook_type prev_executor_end = NULL;

/*
 * snapshot_check: only this file and a parallel worker's restore of its
 * leader's settings may set the hidden setting.
 */
static bool
snapshot_check(char **newval, pg_attribute_unused() void **extra, GucSource source)
{
	if (setting_internally || InitializingParallelWorker || source == PGC_S_DEFAULT)
		return true;
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;			/* empty: nothing to use */
	GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
	GUC_check_errmsg("parameter \"%s\" is set by inventree_perms only", SNAPSHOT_GUC);
	return false;
}

static void
set_snapshot_setting(const char *value)
{
	setting_internally = true;
	PG_TRY();
	{
		(void) set_config_option(SNAPSHOT_GUC, value, PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_SET, true, 0, false);
	}
	PG_FINALLY();
	{
		setting_internally = false;
	}
	PG_END_TRY();
}

/*
 * forget_leader_snapshot: the parallel statement is over.  The setting is
 * emptied only outside parallel mode (where settings may change).
 */
static void
forget_leader_snapshot(bool reset_setting)
{
	if (leader_snapshot)
		pfree(leader_snapshot);
	leader_snapshot = NULL;
	leader_query = NULL;
	if (reset_setting && !IsInParallelMode() && snapshot_setting && snapshot_setting[0] != '\0')
		set_snapshot_setting("");
}

/*
 * take_leader_snapshot: take the latest snapshot for the parallel statement
 * query (NULL: the statement during which the library is being loaded),
 * empty the cache, and publish the snapshot in the hidden setting.
 */
static void
take_leader_snapshot(QueryDesc *query)
{
	Snapshot	latest;
	Size		size;
	char	   *buf;
	char	   *hex;
	MemoryContext old;

	forget_leader_snapshot(false);

	latest = GetLatestSnapshot();
	size = EstimateSnapshotSpace(latest);
	old = MemoryContextSwitchTo(TopTransactionContext);
	buf = palloc(size);
	SerializeSnapshot(latest, buf);
	hex = palloc(size * 2 + 1);
	hex[hex_encode(buf, size, hex)] = '\0';
	leader_snapshot = RestoreSnapshot(buf);
	MemoryContextSwitchTo(old);
	leader_query = query;

	ip_cache_flush();
	set_snapshot_setting(hex);
	pfree(buf);
	pfree(hex);
}

/*
 * ip_parallel_snapshot: in parallel mode, the snapshot the leader took for
 * this statement (in the leader and in its workers); NULL if there is none.
 */
Snapshot
ip_parallel_snapshot(void)
{
	if (!IsParallelWorker())
		return leader_snapshot;

	if (snapshot_setting == NULL || snapshot_setting[0] == '\0')
		return NULL;
	if (worker_snapshot == NULL || worker_snapshot_from != snapshot_setting)
	{
		Size		hexlen = strlen(snapshot_setting);
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
		char	   *buf = palloc(hexlen / 2 + 1);

		(void) hex_decode(snapshot_setting, hexlen, buf);
		worker_snapshot = RestoreSnapshot(buf);
		pfree(buf);
		MemoryContextSwitchTo(old);
		worker_snapshot_from = snapshot_setting;
	}
	return worker_snapshot;
}

/*
 * executor_start: the statement check of the acting user, and the snapshot
 * of a statement that will run in parallel mode (taken here, before
 * ExecutorRun enters parallel mode).
 */
static void
executor_start(QueryDesc *queryDesc, int eflags)
{
	if (!IsInParallelMode())
	{
		ip_statement_check();
		if (queryDesc->plannedstmt->parallelModeNeeded &&
			!(eflags & EXEC_FLAG_EXPLAIN_ONLY) && ip_catalog_installed())
			take_leader_snapshot(queryDesc);
	}
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/*
 * executor_end: the parallel statement (or, for the snapshot taken at load
 * time, the statement that loaded the library) is over.
 */
static void
executor_end(QueryDesc *queryDesc)
{
	if (prev_executor_end)
		prev_executor_end(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
	if (leader_snapshot && !IsInParallelMode() &&
		(leader_query == queryDesc || leader_query == NULL))
		forget_leader_snapshot(true);
}

/*
 * xact_callback / subxact_callback: the copies live in TopTransactionContext;
 * the setting itself is undone by PostgreSQL on abort.
 */
static void
xact_callback(XactEvent event, pg_attribute_unused() void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			leader_snapshot = NULL;
			leader_query = NULL;
			worker_snapshot = NULL;
			worker_snapshot_from = NULL;
			break;
		default:
			break;
	}
}

static void
subxact_callback(SubXactEvent event, pg_attribute_unused() SubTransactionId mySubid,
				 pg_attribute_unused() SubTransactionId parentSubid,
				 pg_attribute_unused() void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && leader_snapshot)
		forget_leader_snapshot(false);
}

/*
 * ip_parallel_init: define the hidden setting and install the hooks (from
 * _PG_init).  Loaded inside a transaction, outside parallel mode, by a
 * backend that is not a parallel worker: take the snapshot for the
 * statement now running, which may be a parallel one.
 */
void
ip_parallel_init(void)
{
	DefineCustomStringVariable(SNAPSHOT_GUC,
							   "Internal: the snapshot of the running parallel statement, for its workers.",
							   NULL,
							   &snapshot_setting,
							   "",
							   PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NO_RESET_ALL | GUC_NOT_IN_SAMPLE |
							   GUC_DISALLOW_IN_FILE | GUC_DISALLOW_IN_AUTO_FILE,
							   snapshot_check, NULL, NULL);

	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = executor_start;
	prev_executor_end = ExecutorEnd_hook;
	ExecutorEnd_hook = executor_end;
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);

	if (IsTransactionState() && !IsInParallelMode() && !IsParallelWorker() &&
		ip_catalog_installed())
		take_leader_snapshot(NULL);
}
