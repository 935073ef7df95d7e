#!/usr/bin/env bash
# protect_temp.sh -- a binding or protection of a temporary table ends with
# the session that owned the table (SPEC: stored references never pass to a
# new object).  A temporary table goes at session end without firing
# sql_drop; the extension forgets it in an exit callback of that session.
#
# An administrator who is no PostgreSQL superuser protects one temporary
# table and binds a model to another (register_model) in a session that then
# ends: by \q, by pg_terminate_backend() in the middle of a failed
# transaction, and (the callback is registered once per session) after a
# second temporary table.  Another session then finds neither binding nor
# protection naming the gone tables, the models still registered, and binds
# them to other tables.  A session that ends while another session's
# temporary table is protected leaves that one alone.  A tree on a temporary
# table scopes temporary tables only, and goes with its session, with its
# scoped grants (audited); its name is free again.
#
# Run as root after `make install`.  Port: 5720 (or the next free up to 5739).
source "$(dirname "$0")/lib/common.bash"

PORT=$(free_port 5720 5739)
new_cluster pg "$PORT"

q "$PORT" postgres - >/dev/null <<'SQL' || bail "setup"
CREATE EXTENSION inventree_perms;
CREATE ROLE tmp_admin LOGIN;
GRANT CREATE ON SCHEMA public TO tmp_admin;
SELECT inventree_perms.create_user('tmp_admin');
SELECT inventree_perms.grant_user_perm('tmp_admin', 'user', 'change');
CREATE TABLE public.keeper (id int);
ALTER TABLE public.keeper OWNER TO tmp_admin;
SQL

# what names a temporary table: "model=oid" for bindings, "protected(model)=oid"
# for rows of protected (public.keeper, a table that stays, left out)
refs() {
	q "$PORT" postgres "SELECT string_agg(x, ' ' ORDER BY x) FROM (
		SELECT name || '=' || relation::oid AS x FROM inventree_perms.models
		 WHERE relation IS NOT NULL AND name LIKE 'tmp%' AND relation <> 'public.keeper'::regclass
		UNION ALL
		SELECT 'protected(' || model || ')=' || relation::oid FROM inventree_perms.protected) s"
}
backend_gone() {	# backend_gone PID: wait until the backend has exited
	local i
	for i in $(seq 1 100); do
		[ "$(q "$PORT" postgres "SELECT count(*) FROM pg_stat_activity WHERE pid = $1")" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# 1. \q ---------------------------------------------------------------------
session_open a "$PORT" postgres tmp_admin
session_q a "CREATE TEMP TABLE t1 (id int)" >/dev/null
session_q a "CREATE TEMP TABLE t2 (id int)" >/dev/null
session_q a "SELECT inventree_perms.protect('pg_temp.t1', 'tmp_protected')" >/dev/null
session_q a "SELECT inventree_perms.register_model('tmp_bound', 'pg_temp.t2')" >/dev/null
t1=$(session_q a "SELECT 'pg_temp.t1'::regclass::oid")
t2=$(session_q a "SELECT 'pg_temp.t2'::regclass::oid")
pid=$(session_q a "SELECT pg_backend_pid()")
is "$(refs)" "protected(tmp_protected)=$t1 tmp_bound=$t2 tmp_protected=$t1" \
	"while the session lasts, its temporary tables are protected and bound"
session_close a
backend_gone "$pid"
ok $? "the session has ended"
is "$(refs)" "" "after it ended, nothing names its temporary tables (protection and both bindings gone)"
is "$(q "$PORT" postgres "SELECT string_agg(name, ' ' ORDER BY name) FROM inventree_perms.models WHERE name LIKE 'tmp%'")" \
	"tmp_bound tmp_protected" "the models stay registered"
is "$(sqlstate "$PORT" postgres "SELECT inventree_perms.protect('public.keeper', 'tmp_protected')" tmp_admin)" OK \
	"the model of the gone table protects another table"
is "$(q "$PORT" postgres "SELECT relation FROM inventree_perms.models WHERE name = 'tmp_protected'")" keeper \
	"... and is bound to it"
q "$PORT" postgres "SELECT inventree_perms.unprotect('public.keeper')" >/dev/null

# 2. terminated in the middle of a failed transaction ----------------------------
session_open b "$PORT" postgres tmp_admin
session_q b "CREATE TEMP TABLE t3 (id int)" >/dev/null
session_q b "SELECT inventree_perms.protect('pg_temp.t3', 'tmp_three')" >/dev/null
session_q b "CREATE TEMP TABLE t4 (id int)" >/dev/null
session_q b "SELECT inventree_perms.protect('pg_temp.t4', 'tmp_four')" >/dev/null
session_q b "BEGIN" >/dev/null
session_q b "SELECT 1/0" >/dev/null
pid=$(q "$PORT" postgres "SELECT pid FROM pg_stat_activity WHERE usename = 'tmp_admin'")
is "$(q "$PORT" postgres "SELECT count(*) FROM inventree_perms.protected")" 2 "two temporary tables protected"
q "$PORT" postgres "SELECT pg_terminate_backend($pid)" >/dev/null
backend_gone "$pid"
ok $? "the session was terminated"
session_close b
is "$(refs)" "" "terminated in a failed transaction: nothing names its temporary tables"

# 3. another session's end leaves this one's alone ----------------------------
session_open c "$PORT" postgres tmp_admin
session_q c "CREATE TEMP TABLE t5 (id int)" >/dev/null
session_q c "SELECT inventree_perms.protect('pg_temp.t5', 'tmp_five')" >/dev/null
t5=$(session_q c "SELECT 'pg_temp.t5'::regclass::oid")
session_open d "$PORT" postgres tmp_admin
session_q d "CREATE TEMP TABLE t6 (id int)" >/dev/null
session_q d "SELECT inventree_perms.protect('pg_temp.t6', 'tmp_six')" >/dev/null
pid=$(session_q d "SELECT pg_backend_pid()")
session_close d
backend_gone "$pid"
is "$(refs)" "protected(tmp_five)=$t5 tmp_five=$t5" "a session's end forgets its own temporary tables only"
session_close c

# 4. a temporary table dropped by hand is forgotten at once (sql_drop) ----------
session_open e "$PORT" postgres tmp_admin
session_q e "CREATE TEMP TABLE t7 (id int)" >/dev/null
session_q e "SELECT inventree_perms.protect('pg_temp.t7', 'tmp_seven')" >/dev/null
session_q e "DROP TABLE pg_temp.t7" >/dev/null
is "$(refs | tr ' ' '\n' | grep -c seven)" 0 "a temporary table dropped in its session is forgotten at once"
session_close e

# 5. a tree on a temporary table ends with the session -------------------------
# (a temporary table scoped by it, a scoped grant on it; a permanent table
# cannot be scoped by it: another session could not read the tree)
q "$PORT" postgres - >/dev/null <<'SQL' || bail "setup 5"
CREATE TABLE public.scoped (id int PRIMARY KEY, node int);
INSERT INTO public.scoped VALUES (1, 1), (2, 2);
ALTER TABLE public.scoped OWNER TO tmp_admin;
CREATE ROLE tmp_reader LOGIN;
SELECT inventree_perms.create_user('tmp_reader');
SQL
session_open f "$PORT" postgres tmp_admin
session_q f "CREATE TEMP TABLE tt (id int PRIMARY KEY, parent_id int)" >/dev/null
session_q f "INSERT INTO pg_temp.tt VALUES (1, NULL), (2, 1)" >/dev/null
session_q f "CREATE TEMP TABLE ts (id int PRIMARY KEY, node int)" >/dev/null
session_q f "SELECT inventree_perms.register_tree('tmp_tree', 'pg_temp.tt')" >/dev/null
is "$(session_q f "SELECT inventree_perms.protect('public.scoped', 'tmp_scoped', 'node', 'tmp_tree')" | grep -o '42P16')" 42P16 \
	"a permanent table scoped by a tree on a temporary table: 42P16"
session_q f "SELECT inventree_perms.protect('pg_temp.ts', 'tmp_scoped', 'node', 'tmp_tree')" >/dev/null
session_q f "SELECT inventree_perms.grant_user_scope('tmp_reader', 'tmp_scoped', 'view', 1)" >/dev/null
is "$(session_q f "SELECT inventree_perms.has_row_perm('tmp_reader', 'tmp_scoped', 'view', 2)")" t \
	"while the session lasts, the reader's grant counts within the node of the temporary tree"
pid=$(session_q f "SELECT pg_backend_pid()")
session_close f
backend_gone "$pid"
ok $? "the session has ended"
is "$(q "$PORT" postgres "SELECT count(*) FROM inventree_perms.trees WHERE name = 'tmp_tree'")" 0 \
	"after it ended, the tree on its temporary table is gone"
is "$(q "$PORT" postgres "SELECT count(*) FROM inventree_perms.user_scope_grants WHERE tree = 'tmp_tree'")" 0 \
	"... with its scoped grants"
is "$(q "$PORT" postgres "SELECT detail->>'user_scope_grants', detail->'models_no_longer_scoped' FROM inventree_perms.audit_log WHERE operation = 'tree_table_dropped' AND target = 'tmp_tree'")" '1|[]' \
	"... audited: the grants (the temporary table it scoped went first, with its scoping)"
is "$(q "$PORT" postgres "SELECT count(*) FROM inventree_perms.model_scopes WHERE model = 'tmp_scoped'")" 0 \
	"... and the model it scoped is scoped no more"
q "$PORT" postgres "CREATE TABLE public.tree2 (id int PRIMARY KEY, parent_id int); ALTER TABLE public.tree2 OWNER TO tmp_admin" >/dev/null
is "$(sqlstate "$PORT" postgres "SELECT inventree_perms.register_tree('tmp_tree', 'public.tree2')" tmp_admin)" OK \
	"the tree's name may be registered again"
is "$(sqlstate "$PORT" postgres "SELECT inventree_perms.protect('public.scoped', 'tmp_scoped', 'node', 'tmp_tree')" tmp_admin)" OK \
	"... and a permanent table scoped by it"

is "$(log_crashes pg)" "" "server log: no crash"
is "$(grep -E 'ERROR|FATAL' "$T/pg.log" | grep -v 'division by zero\|terminating connection due to administrator command\|cannot be scoped by tree' | grep -c .)" 0 \
	"server log: no error but the three the test caused (none from the exit callback)"
tap_done
