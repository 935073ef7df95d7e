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
 * The snapshot travels as text (its xmin, xmax, command id and running
 * transaction ids); leader and workers both use the snapshot decoded from
 * that text.  The leader's is a copy in TopTransactionContext and is not
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
#include "lib/stringinfo.h"
#include "storage/procarray.h"
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

/*
 * Executor starts outside parallel mode, counted: with the transaction and
 * the statement's start time it tells statements apart, also the statements
 * of one multi-statement query string, which share both.
 */
uint64		ip_statement_number = 0;

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
 * encode_snapshot: the fields of an MVCC snapshot that visibility needs, as
 * text: "xmin xmax curcid suboverflowed takenDuringRecovery whenTaken lsn
 * xcnt subxcnt xip... subxip...".
 */
static char *
encode_snapshot(Snapshot snap)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%u %u %u %d %d " UINT64_FORMAT " " UINT64_FORMAT " %u %d",
					 snap->xmin, snap->xmax, snap->curcid,
					 snap->suboverflowed ? 1 : 0, snap->takenDuringRecovery ? 1 : 0,
					 (uint64) snap->whenTaken, (uint64) snap->lsn,
					 snap->xcnt, snap->subxcnt);
	for (uint32 i = 0; i < snap->xcnt; i++)
		appendStringInfo(&buf, " %u", snap->xip[i]);
	for (int32 i = 0; i < snap->subxcnt; i++)
		appendStringInfo(&buf, " %u", snap->subxip[i]);
	return buf.data;
}

/* next_number: the next unsigned number of an encoded snapshot */
static uint64
next_number(const char **p)
{
	char	   *end;
	uint64		v;

	errno = 0;
	v = strtoull(*p, &end, 10);
	if (end == *p || errno != 0)
		elog(ERROR, "malformed value of %s", SNAPSHOT_GUC);
	*p = end;
	return v;
}

/*
 * decode_snapshot: an MVCC snapshot (one piece of memory in
 * TopTransactionContext, not registered) from encode_snapshot's text.
 */
static Snapshot
decode_snapshot(const char *text)
{
	const char *p = text;
	TransactionId xmin = (TransactionId) next_number(&p);
	TransactionId xmax = (TransactionId) next_number(&p);
	CommandId	curcid = (CommandId) next_number(&p);
	bool		suboverflowed = next_number(&p) != 0;
	bool		recovery = next_number(&p) != 0;
	TimestampTz whenTaken = (TimestampTz) next_number(&p);
	XLogRecPtr	lsn = (XLogRecPtr) next_number(&p);
	uint64		xcnt = next_number(&p);
	uint64		subxcnt = next_number(&p);
	Snapshot	snap;

	if (xcnt > (uint64) GetMaxSnapshotXidCount() || subxcnt > (uint64) GetMaxSnapshotSubxidCount())
		elog(ERROR, "malformed value of %s", SNAPSHOT_GUC);
	snap = MemoryContextAllocZero(TopTransactionContext,
								  sizeof(SnapshotData) + (xcnt + subxcnt) * sizeof(TransactionId));
	snap->snapshot_type = SNAPSHOT_MVCC;
	snap->xmin = xmin;
	snap->xmax = xmax;
	snap->curcid = curcid;
	snap->suboverflowed = suboverflowed;
	snap->takenDuringRecovery = recovery;
	snap->whenTaken = whenTaken;
	snap->lsn = lsn;
	snap->xcnt = (uint32) xcnt;
	snap->subxcnt = (int32) subxcnt;
	snap->xip = (TransactionId *) (snap + 1);
	snap->subxip = snap->xip + xcnt;
	for (uint64 i = 0; i < xcnt + subxcnt; i++)
		snap->xip[i] = (TransactionId) next_number(&p);
	snap->copied = true;
	return snap;
}

/*
 * take_leader_snapshot: take the latest snapshot for the parallel statement
 * query (NULL: the statement during which the library is being loaded),
 * empty the cache, and publish the snapshot in the hidden setting.  The
 * leader uses the decoded text, as its workers will.
 */
static void
take_leader_snapshot(QueryDesc *query)
{
	char	   *text;

	forget_leader_snapshot(false);

	text = encode_snapshot(GetLatestSnapshot());
	leader_snapshot = decode_snapshot(text);
	leader_query = query;

	ip_cache_flush();
	set_snapshot_setting(text);
	pfree(text);
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
		worker_snapshot = decode_snapshot(snapshot_setting);
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
		ip_statement_number++;
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
