#!/usr/bin/env bash
# load.sh -- inventree_perms under concurrent load (pgbench).
#
# Two pgbench runs at the same time, for LOAD_SECONDS (default 20) each:
#   writers (3 clients, as the PostgreSQL superuser): grant/revoke a user
#     perm, grant/revoke a group perm, add/remove a membership, set a user
#     active/inactive -- each a transaction that takes an advisory lock on
#     the key it changes (so operations on one key are serialized and their
#     log order is their commit order), reads whether the change will change
#     anything, calls the management function and appends to public.load_log
#     in the SAME transaction: the log holds exactly the committed operations.
#   readers (3 clients, as the delegate role ip_app): has_model_perm checks
#     (3-argument form), and a count(*) of a protected table acting for a
#     random user, which must be all rows or none (else a division by zero raises).
# Before that, the readers alone for a few seconds (the quiet baseline).
# Afterwards: both pgbench runs exited 0 with no client error (the SPEC
# errors could not even occur: all inputs are valid), no deadlock / crash /
# "server process" / TRAP / PANIC in the server log and no ERROR there
# whose SQLSTATE the SPEC does not define; the final tables equal what the
# log implies (the last logged operation per key, from a known start); the
# audit log gained exactly one row per logged operation that changed
# something; and has_model_perm in a new session agrees with permissions
# recomputed in plain SQL from the expected state.  Throughput per script
# (tps) is printed as TAP comments ("# tps ...").
#
# Run as root after `make install`.  Port: 5473 (or the next free up to 5479).
source "$(dirname "$0")/lib/common.bash"

SECS=${LOAD_SECONDS:-20}
BASE_SECS=${LOAD_BASE_SECONDS:-5}
P=$(free_port 5473 5479)
new_cluster pg "$P" "max_connections = 40" "shared_buffers = 64MB" "deadlock_timeout = 200ms" \
	"log_lock_waits = on" "synchronous_commit = off"
diag "cluster on 127.0.0.1:$P in $T; $SECS s mixed load, $BASE_SECS s readers-only baseline"

NU=20 NG=5 NM=8
q "$P" postgres - >/dev/null <<SQL || bail "setup"
CREATE ROLE ip_app LOGIN;
CREATE EXTENSION inventree_perms;
CREATE TABLE public.items (id int PRIMARY KEY, payload text);
INSERT INTO public.items SELECT g, repeat('x', 50) FROM generate_series(1, 1000) g;
GRANT SELECT ON public.items TO ip_app;
SELECT inventree_perms.protect('public.items');
SELECT inventree_perms.register_model('m' || g) FROM generate_series(1, $NM) g;
SELECT inventree_perms.create_user('u' || g) FROM generate_series(1, $NU) g;
SELECT inventree_perms.create_group('g' || g) FROM generate_series(1, $NG) g;
SELECT inventree_perms.add_delegate('ip_app');

-- the log of committed operations; kind: up (user perm), gp (group perm),
-- mb (membership), ac (active).  value: the state the operation asks for.
CREATE TABLE public.load_log (
	id bigserial PRIMARY KEY, kind text NOT NULL, k1 text NOT NULL, k2 text NOT NULL DEFAULT '',
	k3 text NOT NULL DEFAULT '', value boolean NOT NULL, changed boolean NOT NULL,
	at timestamptz DEFAULT clock_timestamp());

CREATE FUNCTION public.load_up(u text, m text, a text, v boolean) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE before boolean;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('up|' || u || '|' || m || '|' || a));
	before := EXISTS (SELECT 1 FROM inventree_perms.user_perms p WHERE p.username = u AND p.model = m AND p.action = a);
	IF v THEN PERFORM inventree_perms.grant_user_perm(u, m, a);
	ELSE PERFORM inventree_perms.revoke_user_perm(u, m, a); END IF;
	INSERT INTO public.load_log (kind, k1, k2, k3, value, changed) VALUES ('up', u, m, a, v, before <> v);
END \$\$;
CREATE FUNCTION public.load_gp(g text, m text, a text, v boolean) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE before boolean;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('gp|' || g || '|' || m || '|' || a));
	before := EXISTS (SELECT 1 FROM inventree_perms.group_perms p WHERE p.groupname = g AND p.model = m AND p.action = a);
	IF v THEN PERFORM inventree_perms.grant_group_perm(g, m, a);
	ELSE PERFORM inventree_perms.revoke_group_perm(g, m, a); END IF;
	INSERT INTO public.load_log (kind, k1, k2, k3, value, changed) VALUES ('gp', g, m, a, v, before <> v);
END \$\$;
CREATE FUNCTION public.load_mb(u text, g text, v boolean) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE before boolean;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('mb|' || u || '|' || g));
	before := EXISTS (SELECT 1 FROM inventree_perms.memberships x WHERE x.username = u AND x.groupname = g);
	IF v THEN PERFORM inventree_perms.add_user_to_group(u, g);
	ELSE PERFORM inventree_perms.remove_user_from_group(u, g); END IF;
	INSERT INTO public.load_log (kind, k1, k2, value, changed) VALUES ('mb', u, g, v, before <> v);
END \$\$;
CREATE FUNCTION public.load_ac(u text, v boolean) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE before boolean;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('ac|' || u));
	SELECT x.is_active INTO before FROM inventree_perms.users x WHERE x.name = u;
	PERFORM inventree_perms.set_user_active(u, v);
	INSERT INTO public.load_log (kind, k1, value, changed) VALUES ('ac', u, v, before <> v);
END \$\$;
SQL

# ---- pgbench scripts ---------------------------------------------------------
mkdir -p "$T/bench"
cat >"$T/bench/w_user_perm.sql" <<EOF
\set u random(1, $NU)
\set m random(1, $((NM + 1)))
\set a random(1, 4)
\set v random(0, 2)
SELECT public.load_up('u' || :u, CASE WHEN :m > $NM THEN 'items' ELSE 'm' || :m END, (ARRAY['view','add','change','delete'])[:a], :v > 0);
EOF
cat >"$T/bench/w_group_perm.sql" <<EOF
\set g random(1, $NG)
\set m random(1, $((NM + 1)))
\set a random(1, 4)
\set v random(0, 1)
SELECT public.load_gp('g' || :g, CASE WHEN :m > $NM THEN 'items' ELSE 'm' || :m END, (ARRAY['view','add','change','delete'])[:a], :v > 0);
EOF
cat >"$T/bench/w_membership.sql" <<EOF
\set u random(1, $NU)
\set g random(1, $NG)
\set v random(0, 1)
SELECT public.load_mb('u' || :u, 'g' || :g, :v > 0);
EOF
cat >"$T/bench/w_active.sql" <<EOF
\set u random(1, $NU)
\set v random(0, 3)
SELECT public.load_ac('u' || :u, :v > 0);
EOF
cat >"$T/bench/r_check.sql" <<EOF
\set u random(1, $NU)
\set m random(1, $NM)
\set a random(1, 4)
SELECT inventree_perms.has_model_perm('u' || :u, 'm' || :m, (ARRAY['view','add','change','delete'])[:a]),
       inventree_perms.has_model_perm('u' || :u, 'items', 'view'),
       inventree_perms.has_model_perm('u' || :u, 'user', 'change');
EOF
cat >"$T/bench/r_scan.sql" <<EOF
\set u random(1, $NU)
BEGIN;
SELECT inventree_perms.set_acting_user('u' || :u);
SELECT CASE WHEN c IN (0, 1000) THEN c ELSE c / (c - c) END FROM (SELECT count(*) AS c FROM public.items) s;
END;
EOF
chmod -R a+rX "$T/bench"

PGB="pgbench -n -h $T -p $P"
WRITE_SCRIPTS="-f $T/bench/w_user_perm.sql@4 -f $T/bench/w_group_perm.sql@2 -f $T/bench/w_membership.sql@2 -f $T/bench/w_active.sql@1"
READ_SCRIPTS="-f $T/bench/r_check.sql@1 -f $T/bench/r_scan.sql@1"

# tps per script from a pgbench output file
report() {	# report LABEL FILE
	local label=$1 f=$2
	awk -v L="$label" '
		/^SQL script [0-9]+:/ { name = $4; sub(/.*\//, "", name) }
		/^ - [0-9]+ transactions .*tps = / { n = $2; match($0, /tps = [0-9.]+/); tps = substr($0, RSTART + 6, RLENGTH - 6);
			printf "# tps %-9s %-18s %10.0f  (%s transactions)\n", L, name, tps, n }
		/^tps = / { printf "# tps %-9s %-18s %10.0f  (all scripts)\n", L, "total", $3 }
		/^number of failed transactions/ { print "# " L " " $0 }' "$f"
}

# ---- 1. readers alone (baseline) ----------------------------------------------
$PGB -U ip_app -c 3 -j 3 -T "$BASE_SECS" $READ_SCRIPTS postgres >"$T/base.out" 2>&1
ok $? "baseline: readers alone, pgbench exits 0"
report quiet "$T/base.out"

# ---- 2. writers and readers together -------------------------------------------
START_AUDIT=$(q "$P" postgres "SELECT coalesce(max(id), 0) FROM inventree_perms.audit_log")
$PGB -U postgres -c 3 -j 3 -T "$SECS" $WRITE_SCRIPTS postgres >"$T/write.out" 2>&1 &
WPID=$!
$PGB -U ip_app -c 3 -j 3 -T "$SECS" $READ_SCRIPTS postgres >"$T/read.out" 2>&1
RRC=$?
wait $WPID
WRC=$?
ok $WRC "writers: pgbench exits 0 (no client aborted)"
[ $WRC -eq 0 ] || grep -iE 'error|abort' "$T/write.out" | head -5 | sed 's/^/#   /'
ok $RRC "readers: pgbench exits 0 (no client aborted, RLS counts all-or-nothing)"
[ $RRC -eq 0 ] || grep -iE 'error|abort' "$T/read.out" | head -5 | sed 's/^/#   /'
is "$(grep -hiE 'error|abort|deadlock' "$T/write.out" "$T/read.out" | head -3)" "" "pgbench output: no error, abort or deadlock"
report writers "$T/write.out"
report readers "$T/read.out"

# ---- 3. the server log ------------------------------------------------------------
is "$(grep -iE 'deadlock|server process|terminated by signal|TRAP|PANIC' "$T/pg.log" | head -3)" "" \
	"server log: no deadlock, crash, TRAP or PANIC"
is "$(grep -E ' ERROR: ' "$T/pg.log" | grep -vE ' (22023|42704|42710|42501|22004) ERROR: ' | head -3)" "" \
	"server log: no ERROR outside the SPEC's SQLSTATEs"

diag "lock waits over deadlock_timeout (200 ms) logged: $(grep -c 'still waiting for' "$T/pg.log")"

# ---- 4. the final state is what the log implies -----------------------------------
NOPS=$(q "$P" postgres "SELECT count(*) FROM public.load_log")
ok "$([ "$NOPS" -gt 100 ]; echo $?)" "the writers committed a fair number of operations ($NOPS)"
diag "committed operations: $(q "$P" postgres "SELECT string_agg(kind || '=' || n || ' (' || c || ' changed)', ', ' ORDER BY kind) FROM (SELECT kind, count(*) n, count(*) FILTER (WHERE changed) c FROM public.load_log GROUP BY kind) s")"
q "$P" postgres >/dev/null - <<'SQL'
CREATE VIEW public.expected_last AS
	SELECT DISTINCT ON (kind, k1, k2, k3) kind, k1, k2, k3, value FROM public.load_log ORDER BY kind, k1, k2, k3, id DESC;
CREATE VIEW public.expected_user_perms AS SELECT k1 AS username, k2 AS model, k3 AS action FROM public.expected_last WHERE kind = 'up' AND value;
CREATE VIEW public.expected_group_perms AS SELECT k1 AS groupname, k2 AS model, k3 AS action FROM public.expected_last WHERE kind = 'gp' AND value;
CREATE VIEW public.expected_memberships AS SELECT k1 AS username, k2 AS groupname FROM public.expected_last WHERE kind = 'mb' AND value;
CREATE VIEW public.expected_users AS	-- every user starts active
	SELECT u.name, coalesce((SELECT e.value FROM public.expected_last e WHERE e.kind = 'ac' AND e.k1 = u.name), true) AS is_active
	FROM inventree_perms.users u;
SQL
cmp_set() {	# cmp_set DESC ACTUAL-SELECT EXPECTED-SELECT
	is "$(q "$P" postgres "SELECT count(*) FROM (($2 EXCEPT $3) UNION ALL ($3 EXCEPT $2)) d")" 0 "$1"
}
cmp_set "user_perms = the last logged grant/revoke per key" \
	"SELECT username::text, model::text, action::text FROM inventree_perms.user_perms" "SELECT * FROM public.expected_user_perms"
cmp_set "group_perms = the last logged grant/revoke per key" \
	"SELECT groupname::text, model::text, action::text FROM inventree_perms.group_perms" "SELECT * FROM public.expected_group_perms"
cmp_set "memberships = the last logged add/remove per key" \
	"SELECT username::text, groupname::text FROM inventree_perms.memberships" "SELECT * FROM public.expected_memberships"
cmp_set "users.is_active = the last logged set_user_active per user" \
	"SELECT name::text, is_active FROM inventree_perms.users" "SELECT name::text, is_active FROM public.expected_users"
is "$(q "$P" postgres "SELECT count(*) FROM inventree_perms.audit_log WHERE id > $START_AUDIT")" \
	"$(q "$P" postgres "SELECT count(*) FROM public.load_log WHERE changed")" \
	"audit_log gained one row per logged operation that changed something"
is "$(q "$P" postgres "SELECT count(*) FROM inventree_perms.users")" "$NU" "no user lost or added"

# has_model_perm (fresh session) against permissions recomputed in SQL
is "$(q "$P" postgres "
	SELECT count(*) FROM inventree_perms.users u, inventree_perms.models m, unnest(ARRAY['view','add','change','delete']) a
	WHERE m.name IN (SELECT 'm' || g FROM generate_series(1, $NM) g UNION ALL VALUES ('items'))
	  AND inventree_perms.has_model_perm(u.name, m.name, a) IS DISTINCT FROM (
		(SELECT e.is_active FROM public.expected_users e WHERE e.name = u.name) AND (
		EXISTS (SELECT 1 FROM public.expected_user_perms x WHERE x.username = u.name AND x.model = m.name AND x.action = a)
		OR EXISTS (SELECT 1 FROM public.expected_memberships x JOIN public.expected_group_perms y USING (groupname)
			WHERE x.username = u.name AND y.model = m.name AND y.action = a)))")" 0 \
	"has_model_perm agrees with the expected state for $NU users x $((NM + 1)) models x 4 actions"
# and the same through the protected table, per user
bad=0
for i in $(seq 1 "$NU"); do
	want=$(q "$P" postgres "SELECT CASE WHEN (SELECT is_active FROM public.expected_users WHERE name = 'u$i') AND (
		EXISTS (SELECT 1 FROM public.expected_user_perms WHERE username = 'u$i' AND model = 'items' AND action = 'view')
		OR EXISTS (SELECT 1 FROM public.expected_memberships x JOIN public.expected_group_perms y USING (groupname)
			WHERE x.username = 'u$i' AND y.model = 'items' AND y.action = 'view')) THEN 1000 ELSE 0 END")
	got=$(q "$P" postgres "SET ROLE ip_app; SELECT inventree_perms.set_acting_user('u$i', false); SELECT count(*) FROM public.items")
	[ "$got" = "$want" ] || { bad=$((bad + 1)); diag "u$i sees $got rows, expected $want"; }
done
is "$bad" 0 "every user sees through RLS what the expected state allows"
ok "$(postmaster_alive pg; echo $?)" "the postmaster is alive"
tap_done
