#!/usr/bin/env bash
# django.sh -- real Django (Debian's python3-django, 3.2 on Debian 12) against
# import_django() and link_django(): Django's own user.has_perm() and
# has_model_perm() give the same answer for every user and every permission,
# after the import and after each batch of random changes made through
# Django's ORM on a linked schema.
#
# The site: the project in test/shell/django/ (contenttypes, auth, two apps:
# "part" with models named like InvenTree's and a custom permission, "users"
# with InvenTree's RuleSet in users_ruleset, InvenTree's Owner in users_owner
# (one per user and group, made and removed by signals) and a second custom
# permission),
# migrated at run time (makemigrations into a copy in the temp dir) into a
# database owned by "djowner", the role Django connects as: not a superuser,
# it owns every Django table, as in production.  "djadmin" is an
# administrator of the extension (an active superuser user of it) and a
# member of djowner: it imports, links and makes the hand-made rows.
# "auditor", a plain role, asks has_model_perm() in a session kept open over
# the whole test (warm caches) and in a new session each time.
#
# What "the same answer" means (driver.py says it in full): Django's
# has_perm() on a user object fetched fresh, for '<app_label>.<action>_<model>'
# of every view/add/change/delete permission Django has; rulesets become
# group permissions as InvenTree's update_group_roles makes them (change
# inheritance part -> part_bomitem included); the SPEC's open models are
# permitted to every active user; the hand-made model follows the hand-made
# rows, whose holders are followed by Django's primary keys through renames;
# names Django no longer has are unknown users.  has_role_perm() is compared
# with InvenTree's check_user_role() (the rulesets' flags) the same way.
# Each comparison also checks that the extension's users (with their flags),
# groups and memberships are Django's plus the hand-made ones, and its owners
# InvenTree's.
#
# Random changes: DJANGO_BATCHES (10) batches of DJANGO_BATCH_SIZE (25)
# changes each, drawn from DJANGO_SEED (printed; set it to replay a run):
# grants and revokes to users and groups, memberships, is_active and
# is_superuser, renames (also swaps of two names in one transaction, names
# Django used before, a user's old name taken by a new user in the same
# transaction), deletes (also a new user with the deleted one's name in the
# same transaction; a group too), new users and groups, rulesets saved and
# deleted, content types (models) made, renamed and deleted, bulk updates, and
# atomic blocks that roll back (whole, or a nested savepoint).  In the last
# DJANGO_CONCURRENT (3) batches a second Django process makes its own batch
# at the same time (a change that meets the other's, e.g. a deleted row or a
# deadlock, fails in Django and is counted as failed; these batches depend on
# timing, so a seed replays them only roughly).  A model whose content type
# Django deleted or renamed is no model under that name (42704).  A model
# whose name the SPEC refuses (longer than 63 characters) is left out of the
# comparison: the import names it.  A mismatch prints what Django and the
# extension say and Django's reasons; KEEP_TMP=1 keeps the temp dir
# (dj/ops.log: every change).
#
# Also: the import reports custom codenames and a second import changes
# nothing; hand-made rows (a grant to an imported user, a hand-made group's
# membership of one, a grant to an imported group, a grant on an imported
# model) survive renames in Django,
# through import_django() and through the link; a Django user whose name a
# hand-made user holds is skipped until that user is dropped; after
# unlink_django() Django's changes are not followed until the next import.
#
# Run as root after `make install`.  Port: 5780 (or the next free up to 5789).
source "$(dirname "$0")/lib/common.bash"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SEED=${DJANGO_SEED:-$((RANDOM * 32768 + RANDOM))}
BATCHES=${DJANGO_BATCHES:-10}
BATCH_SIZE=${DJANGO_BATCH_SIZE:-25}
CONCURRENT=${DJANGO_CONCURRENT:-3}	# the last batches: two Django processes at once
START=$(date +%s)
diag "seed $SEED (DJANGO_SEED=$SEED replays this run), $BATCHES batches of $BATCH_SIZE changes"

# ---- Django ------------------------------------------------------------------
PY=/usr/bin/python3		# Debian's, which sees Debian's python3-* packages
missing=""
for p in python3-django python3-psycopg2; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	diag "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || bail "apt-get update failed"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 || bail "apt-get install$missing failed"
fi
DJVER=$("$PY" -c 'import django, psycopg2; print(django.get_version())') || bail "python3 cannot import django and psycopg2"
diag "Django $DJVER"

# ---- cluster, roles, database ------------------------------------------------
P=$(free_port 5780 5789)
new_cluster pg "$P"
diag "cluster on 127.0.0.1:$P in $T"
q "$P" postgres "CREATE ROLE djowner LOGIN;
CREATE ROLE djadmin LOGIN IN ROLE djowner;
CREATE ROLE auditor LOGIN;
CREATE DATABASE shop OWNER djowner" >/dev/null || bail "roles and database"
q "$P" shop - >/dev/null <<'SQL' || bail "extension and harness schema"
CREATE EXTENSION inventree_perms;
SELECT inventree_perms.create_user('djadmin', true);
-- the harness: Django's answers, loaded from CSV before each comparison
CREATE SCHEMA harness;
CREATE TABLE harness.expect (username text, model text, action text, want text);
CREATE TABLE harness.d_users (name text, is_superuser boolean, is_active boolean);
CREATE TABLE harness.d_groups (name text);
CREATE TABLE harness.d_members (username text, groupname text);
CREATE TABLE harness.d_owners (id bigint, username text, groupname text);
-- has_model_perm() (has_role_perm() for m = 'role:<role>') as 't' / 'f' /
-- 'null', or 'E:<sqlstate>' if it fails (so one error does not hide the
-- other answers)
CREATE FUNCTION harness.check(u text, m text, a text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE r boolean;
BEGIN
	IF m LIKE 'role:%' THEN
		r := inventree_perms.has_role_perm(u, substr(m, 6), a);
	ELSE
		r := inventree_perms.has_model_perm(u, m, a);
	END IF;
	RETURN CASE WHEN r THEN 't' WHEN NOT r THEN 'f' ELSE 'null' END;
EXCEPTION WHEN OTHERS THEN
	RETURN 'E:' || SQLSTATE;
END $$;
GRANT USAGE ON SCHEMA harness TO auditor;
GRANT SELECT ON harness.expect TO auditor;
SQL

# qr ROLE SQL: run SQL in database shop as ROLE
qr() {
	printf '%s\n' "$2" | psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$T" -p "$P" -U "$1" -d shop | sed '/^$/d'
}
lit() { printf "'%s'" "${1//\'/\'\'}"; }	# a SQL string literal

cp -r "$HERE/django" "$T/dj"
export DJ_HOST=$T DJ_PORT=$P DJ_DB=shop DJ_USER=djowner
export DJ_ROLES_CSV=$ROOT/data/inventree_roles.csv DJ_STATE=$T/dj/state.json DJ_OPLOG=$T/dj/ops.log
export DJ_HAND_USERS=djadmin,ops.bot DJ_HAND_GROUPS='Night Shift'
export DJANGO_SETTINGS_MODULE=settings PYTHONPATH=$T/dj

# dj WORDS...: one command of driver.py, answered by one Python process that
# runs for the whole test (Django starts once), fed through a fifo
dj() {
	local line
	(IFS=$'\t'; printf '%s\n' "$*") >&"$DJ_W"
	while IFS= read -r -t 300 line <&"$DJ_R"; do
		case $line in
		'__end__ 0') return 0 ;;
		'__end__ '*) return 1 ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
	echo "driver.py did not answer"
	return 1
}

(cd "$T/dj" && "$PY" -m django makemigrations part users && "$PY" -m django migrate) \
	>"$T/migrate.log" 2>&1 || { cat "$T/migrate.log"; bail "Django's migrate failed"; }
is "$(q "$P" shop "SELECT count(*) FILTER (WHERE c.relowner <> 'djowner'::regrole), count(*) >= 12,
		(SELECT rolsuper FROM pg_roles WHERE rolname = 'djowner')
	FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'")" "0|t|f" \
	"Django migrated contenttypes, auth, part, users as djowner (not a superuser), who owns every table"
is "$(q "$P" shop "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'
	AND table_name = 'users_ruleset' AND column_name IN ('name', 'group_id', 'can_view', 'can_add', 'can_change', 'can_delete')")" 6 \
	"users_ruleset is InvenTree-shaped (name, group_id, can_view, can_add, can_change, can_delete)"

mkfifo "$T/dj.in" "$T/dj.out"
(cd "$T/dj" && exec "$PY" driver.py serve <"$T/dj.in" >"$T/dj.out" 2>"$T/dj.err") &
DJ_PID=$!
exec {DJ_W}>"$T/dj.in" {DJ_R}<"$T/dj.out"
dj setup "$SEED" >"$T/setup.log" 2>&1 || { cat "$T/setup.log"; bail "creating the site through Django failed"; }
diag "site: $(q "$P" shop "SELECT (SELECT count(*) FROM auth_user) || ' users, ' || (SELECT count(*) FROM auth_group) || ' groups, '
	|| (SELECT count(*) FROM auth_user_groups) || ' memberships, ' || (SELECT count(*) FROM auth_user_user_permissions)
	|| ' user permissions, ' || (SELECT count(*) FROM auth_group_permissions) || ' group permissions, '
	|| (SELECT count(*) FROM users_ruleset) || ' rulesets'")"

# ---- comparing -----------------------------------------------------------------
session_open warm "$P" shop auditor
MISMATCH_QUERY="SELECT count(*) FROM harness.expect e
	WHERE harness.check(e.username, e.model, e.action) IS DISTINCT FROM e.want"
SAMPLE_QUERY="SELECT e.username, e.model, e.action, e.want, harness.check(e.username, e.model, e.action)
	FROM harness.expect e WHERE harness.check(e.username, e.model, e.action) IS DISTINCT FROM e.want
	ORDER BY e.model, e.action, e.username LIMIT 4"
KINDS_QUERY="SELECT k || ' (' || n || 'x)' FROM (
	SELECT e.model || ' ' || e.action || ': expected ' || e.want || ', got ' || x.got AS k, count(*) AS n
	FROM harness.expect e CROSS JOIN LATERAL (SELECT harness.check(e.username, e.model, e.action) AS got) x
	WHERE x.got IS DISTINCT FROM e.want GROUP BY 1) s ORDER BY n DESC, k LIMIT 8"
STRUCT_QUERY="SELECT
	(SELECT count(*) FROM ((SELECT name, is_superuser, is_active FROM inventree_perms.users WHERE name NOT IN ('djadmin', 'ops.bot')
							EXCEPT SELECT * FROM harness.d_users)
						   UNION ALL (SELECT * FROM harness.d_users
							EXCEPT SELECT name, is_superuser, is_active FROM inventree_perms.users)) x),
	(SELECT count(*) FROM ((SELECT name FROM inventree_perms.groups WHERE name <> 'Night Shift'
							EXCEPT SELECT * FROM harness.d_groups)
						   UNION ALL (SELECT * FROM harness.d_groups EXCEPT SELECT name FROM inventree_perms.groups)) x),
	(SELECT count(*) FROM ((SELECT username, groupname FROM inventree_perms.memberships WHERE groupname <> 'Night Shift'
							EXCEPT SELECT * FROM harness.d_members)
						   UNION ALL (SELECT * FROM harness.d_members
							EXCEPT SELECT username, groupname FROM inventree_perms.memberships)) x),
	(SELECT count(*) FROM ((SELECT id, username, groupname FROM inventree_perms.owners
							EXCEPT SELECT * FROM harness.d_owners)
						   UNION ALL (SELECT * FROM harness.d_owners
							EXCEPT SELECT id, username, groupname FROM inventree_perms.owners)) x)"
STRUCT_DIFF="(SELECT 'user only here: ' || name || ' su=' || is_superuser || ' active=' || is_active FROM
		(SELECT name, is_superuser, is_active FROM inventree_perms.users WHERE name NOT IN ('djadmin', 'ops.bot') EXCEPT SELECT * FROM harness.d_users) a LIMIT 3)
	UNION ALL (SELECT 'user only in Django: ' || name || ' su=' || is_superuser || ' active=' || is_active FROM
		(SELECT * FROM harness.d_users EXCEPT SELECT name, is_superuser, is_active FROM inventree_perms.users) b LIMIT 3)
	UNION ALL (SELECT 'group only here: ' || name FROM
		(SELECT name FROM inventree_perms.groups WHERE name <> 'Night Shift' EXCEPT SELECT * FROM harness.d_groups) c LIMIT 3)
	UNION ALL (SELECT 'group only in Django: ' || name FROM
		(SELECT * FROM harness.d_groups EXCEPT SELECT name FROM inventree_perms.groups) d LIMIT 3)
	UNION ALL (SELECT 'membership only here: ' || username || ' in ' || groupname FROM
		(SELECT username, groupname FROM inventree_perms.memberships WHERE groupname <> 'Night Shift' EXCEPT SELECT * FROM harness.d_members) e LIMIT 3)
	UNION ALL (SELECT 'membership only in Django: ' || username || ' in ' || groupname FROM
		(SELECT * FROM harness.d_members EXCEPT SELECT username, groupname FROM inventree_perms.memberships) f LIMIT 3)
	UNION ALL (SELECT 'owner only here: ' || id || ' ' || coalesce(username, '') || '/' || coalesce(groupname, '') FROM
		(SELECT id, username, groupname FROM inventree_perms.owners EXCEPT SELECT * FROM harness.d_owners) g LIMIT 3)
	UNION ALL (SELECT 'owner only in Django: ' || id || ' ' || coalesce(username, '') || '/' || coalesce(groupname, '') FROM
		(SELECT * FROM harness.d_owners EXCEPT SELECT id, username, groupname FROM inventree_perms.owners) h LIMIT 3)"
TOTAL_MISMATCHES=0

# show_mismatches HOW: the kinds of mismatch and a few of them, with Django's reasons
show_mismatches() {
	local line u m a want got
	while IFS= read -r line; do diag "  $line"; done < <(q "$P" shop "$KINDS_QUERY")
	while IFS='|' read -r u m a want got; do
		diag "  mismatch ($1): has_model_perm('$u', '$m', '$a') = $got, expected $want"
		dj explain "$u" "$m" "$a" 2>&1 | while IFS= read -r line; do diag "$line"; done
	done < <(q "$P" shop "$SAMPLE_QUERY")
}

# compare LABEL: Django's answers against has_model_perm() in the warm session
# and in a new one, and the users, groups and memberships
compare() {
	local label=$1 out rows broken warm new s
	rm -rf "$T/exp" && mkdir "$T/exp"
	out=$(dj expect "$T/exp" 2>&1) || { printf '%s\n' "$out"; bail "Django's answers ($label)"; }
	read -r rows broken <<<"$out"
	q "$P" shop "TRUNCATE harness.expect, harness.d_users, harness.d_groups, harness.d_members, harness.d_owners;
\\copy harness.expect FROM '$T/exp/expect.csv' CSV
\\copy harness.d_users FROM '$T/exp/users.csv' CSV
\\copy harness.d_groups FROM '$T/exp/groups.csv' CSV
\\copy harness.d_members FROM '$T/exp/members.csv' CSV
\\copy harness.d_owners FROM '$T/exp/owners.csv' (FORMAT csv, FORCE_NULL (username, groupname))" >/dev/null || bail "loading Django's answers ($label)"
	is "$broken" 0 "$label: Django keeps its own rules (inactive: nothing; active superuser: everything)"
	warm=$(session_q warm "$MISMATCH_QUERY")
	is "$warm" 0 "$label: has_model_perm = Django's has_perm and has_role_perm = check_user_role, $rows answers, warm session"
	new=$(qr auditor "$MISMATCH_QUERY")
	is "$new" 0 "$label: has_model_perm = Django's has_perm and has_role_perm = check_user_role, $rows answers, new session"
	if [ "$warm" != 0 ] || [ "$new" != 0 ]; then
		show_mismatches "$label"
	fi
	[[ "$warm" =~ ^[0-9]+$ ]] && TOTAL_MISMATCHES=$((TOTAL_MISMATCHES + warm))
	[[ "$new" =~ ^[0-9]+$ ]] && TOTAL_MISMATCHES=$((TOTAL_MISMATCHES + new))
	s=$(q "$P" shop "$STRUCT_QUERY")
	is "$s" "0|0|0|0" "$label: users (and flags), groups, memberships are Django's and the hand-made ones, owners are InvenTree's (differences: users|groups|memberships|owners)"
	if [ "$s" != "0|0|0|0" ]; then
		q "$P" shop "$STRUCT_DIFF" | while IFS= read -r line; do diag "  $line"; done
	fi
}

SNAPSHOT="SELECT md5(string_agg(x, E'\\n' ORDER BY x)) || ' ' || (SELECT count(*) FROM inventree_perms.audit_log) FROM (
	SELECT 'u ' || name || ' ' || is_superuser || ' ' || is_active FROM inventree_perms.users
	UNION ALL SELECT 'g ' || name FROM inventree_perms.groups
	UNION ALL SELECT 'm ' || username || ' ' || groupname FROM inventree_perms.memberships
	UNION ALL SELECT 'M ' || name || ' ' || is_open FROM inventree_perms.models
	UNION ALL SELECT 'up ' || username || ' ' || model || ' ' || action FROM inventree_perms.user_perms
	UNION ALL SELECT 'gp ' || groupname || ' ' || model || ' ' || action FROM inventree_perms.group_perms
	UNION ALL SELECT 'gr ' || groupname || ' ' || role || ' ' || action FROM inventree_perms.group_roles) s(x)"

# ---- import -------------------------------------------------------------------
result=$(qr djadmin "SELECT what || '=' || count FROM inventree_perms.import_django()" 2>&1)
ok $? "import_django() by djadmin (an administrator, member of the tables' owner)"
diag "import: $(printf '%s' "$result" | tr '\n' ' ' | head -c 600)"
ok "$([[ $result == *audit_part* && $result == *award_badge* ]] && echo 0 || echo 1)" \
	"the import reports the custom codenames (part.audit_part, users.award_badge)"
LONG=partparametertemplateselectionlistentryhistoricalrecordarchive
ok "$([[ $result == *"$LONG"* ]] && echo 0 || echo 1)" \
	"the import names the model it cannot import: part_$LONG is longer than 63 characters"
compare "import"

before=$(q "$P" shop "$SNAPSHOT")
qr djadmin "SELECT count(*) FROM inventree_perms.import_django()" >/dev/null
is "$(q "$P" shop "$SNAPSHOT")" "$before" "a second import_django() changes nothing and writes no audit row"

# ---- hand-made rows, then renames in Django -----------------------------------
U1ID=$(dj hand u1) U2ID=$(dj hand u2) G1ID=$(dj hand g1) M1ID=$(dj hand m1) || bail "hand-made targets"
U1=$(dj name user "$U1ID") U2=$(dj name user "$U2ID") G1=$(dj name group "$G1ID") M1=$(dj name user "$M1ID")
diag "hand-made rows on: user $U1ID '$U1' (grant), user $U2ID '$U2' (membership), group $G1ID '$G1' (grant; member $M1ID '$M1')"
qr djadmin "SELECT inventree_perms.register_model('ops_report', NULL, 'a model made by hand');
SELECT inventree_perms.grant_user_perm($(lit "$U1"), 'ops_report', 'view');
SELECT inventree_perms.create_group('Night Shift');
SELECT inventree_perms.grant_group_perm('Night Shift', 'ops_report', 'change');
SELECT inventree_perms.add_user_to_group($(lit "$U2"), 'Night Shift');
SELECT inventree_perms.grant_group_perm($(lit "$G1"), 'ops_report', 'delete');
SELECT inventree_perms.create_user('ops.bot');
SELECT inventree_perms.grant_user_perm('ops.bot', 'part_gadget', 'view');" >/dev/null
ok $? "djadmin makes hand-made rows on imported users, an imported group and an imported model"
dj hand-model ops_report || bail "hand-model"
hand_check() {	# hand_check USER ACTION: has_model_perm on the hand-made model
	qr auditor "SELECT inventree_perms.has_model_perm($(lit "$1"), 'ops_report', $(lit "$2"))" 2>&1
}
is "$(hand_check "$U1" view)|$(hand_check "$U2" change)|$(hand_check "$M1" delete)" "t|t|t" \
	"the hand-made grant, membership and group grant hold before any rename"
compare "hand-made rows"

mark=$(q "$P" shop "SELECT coalesce(max(id), 0) FROM inventree_perms.audit_log")
U1NEW=$(dj rename user "$U1ID") || bail "rename"
qr djadmin "SELECT count(*) FROM inventree_perms.import_django()" >/dev/null
ok $? "import_django() after user $U1ID is renamed in Django ('$U1' -> '$U1NEW')"
is "$(hand_check "$U1NEW" view)" t "import: the hand-made grant on an imported user survives its rename in Django (identity is the primary key)"
is "$(hand_check "$U1" view)" f "import: the old name is no user any more"
# audit_says MARK OLD NEW: an audit row after MARK names both OLD and NEW
audit_says() {
	q "$P" shop "SELECT count(*) > 0 FROM inventree_perms.audit_log WHERE id > $1
		AND strpos(concat_ws(' ', operation, target, detail::text), $(lit "$2")) > 0
		AND strpos(concat_ws(' ', operation, target, detail::text), $(lit "$3")) > 0"
}
is "$(audit_says "$mark" "$U1" "$U1NEW")" t "import: an audit row says the user was renamed, from what to what"
compare "rename, import"

qr djadmin "SELECT inventree_perms.link_django()" >/dev/null
ok $? "link_django() by djadmin"
compare "link"
mark=$(q "$P" shop "SELECT coalesce(max(id), 0) FROM inventree_perms.audit_log")
U2NEW=$(dj rename user "$U2ID") && G1NEW=$(dj rename group "$G1ID") || bail "rename"
diag "renamed in Django (linked): user '$U2' -> '$U2NEW', group '$G1' -> '$G1NEW'"
is "$(hand_check "$U2NEW" change)" t "link: a hand-made membership of an imported user survives its rename in Django"
is "$(hand_check "$M1" delete)" t "link: a hand-made grant on an imported group survives the group's rename in Django"
is "$(q "$P" shop "SELECT count(*) FROM inventree_perms.group_perms WHERE groupname = $(lit "$G1NEW") AND model = 'ops_report'")" 1 \
	"link: the group's hand-made grant is there under the group's new name"
is "$(audit_says "$mark" "$U2" "$U2NEW")|$(audit_says "$mark" "$G1" "$G1NEW")" "t|t" \
	"link: audit rows say the user and the group were renamed, from what to what"
dj rename-ct gadget gizmo >/dev/null || bail "rename content type"
is "$(qr auditor "SELECT inventree_perms.has_model_perm('ops.bot', 'part_gizmo', 'view')" 2>&1)" t \
	"link: a hand-made grant on an imported model survives its rename in Django (content type part.gadget -> part.gizmo)"
compare "renames, link"

# ---- random changes, linked ---------------------------------------------------
for n in $(seq 1 "$BATCHES"); do
	if [ "$n" -le $((BATCHES - CONCURRENT)) ]; then
		done_ops=$(dj batch "$SEED" "$n" "$BATCH_SIZE")
		rc=$?
		ok $rc "batch $n: $BATCH_SIZE random changes through Django's ORM"
		[ $rc = 0 ] || printf '%s\n' "$done_ops" | tail -20 | sed 's/^/#   /'
		diag "batch $n: $done_ops"
	else
		# a second Django process (another web worker) changes the site at
		# the same time: which change meets which is up to timing
		dj fork-state "$T/dj/state-b.json" $((100000 * n)) || bail "fork-state"
		(cd "$T/dj" && DJ_STATE=$T/dj/state-b.json exec "$PY" driver.py batch "$SEED" "${n}b" "$BATCH_SIZE" tolerant) \
			>"$T/worker-b.out" 2>&1 &
		bpid=$!
		done_ops=$(dj batch "$SEED" "$n" "$BATCH_SIZE" tolerant)
		rc=$?
		wait "$bpid"
		rcb=$?
		dj merge-state "$T/dj/state-b.json" || bail "merge-state"
		ok "$([ $rc = 0 ] && [ $rcb = 0 ] && echo 0 || echo 1)" \
			"batch $n: $BATCH_SIZE random changes through Django's ORM in each of two processes at once"
		[ $rc = 0 ] || printf '%s\n' "$done_ops" | tail -20 | sed 's/^/#   /'
		[ $rcb = 0 ] || tail -20 "$T/worker-b.out" | sed 's/^/#   /'
		diag "batch $n: $done_ops"
		diag "batch ${n}b: $(tail -1 "$T/worker-b.out")"
	fi
	compare "batch $n"
done

# ---- a Django user whose name a hand-made user holds ---------------------------
qr djadmin "SELECT inventree_perms.create_user('clash.user');
SELECT inventree_perms.grant_user_perm('clash.user', 'ops_report', 'add');" >/dev/null
ok $? "djadmin makes a hand-made user clash.user (add on the hand-made model)"
dj create-user clash.user part.view_note >/dev/null || bail "create clash.user in Django"
is "$(qr auditor "SELECT inventree_perms.has_model_perm('clash.user', 'part_note', 'view') || ' '
	|| inventree_perms.has_model_perm('clash.user', 'ops_report', 'add')")" "false true" \
	"clash.user made in Django (linked) while a hand-made user has the name: the hand-made user answers"
result=$(qr djadmin "SELECT what || '=' || count FROM inventree_perms.import_django()" 2>&1)
ok "$([[ $result == *clash.user* ]] && echo 0 || echo 1)" "import_django() reports the name clash (clash.user)"
qr djadmin "SELECT inventree_perms.drop_user('clash.user')" >/dev/null
qr djadmin "SELECT count(*) FROM inventree_perms.import_django()" >/dev/null
is "$(qr auditor "SELECT inventree_perms.has_model_perm('clash.user', 'part_note', 'view') || ' '
	|| inventree_perms.has_model_perm('clash.user', 'ops_report', 'add')")" "true false" \
	"once the hand-made clash.user is dropped, the import brings Django's clash.user"
compare "clash ended"

# ---- unlinked: imported rows stay, the next import catches up ------------------
qr djadmin "SELECT inventree_perms.unlink_django()" >/dev/null
ok $? "unlink_django() by djadmin"
who=$(dj grant-new part.view_drawing) || bail "grant in Django"
[ -n "$who" ] || bail "no user to grant part.view_drawing to"
is "$(qr auditor "SELECT inventree_perms.has_model_perm($(lit "$who"), 'part_drawing', 'view')")" f \
	"unlinked: a grant made in Django afterwards is not followed ('$who', part.view_drawing)"
qr djadmin "SELECT count(*) FROM inventree_perms.import_django()" >/dev/null
is "$(qr auditor "SELECT inventree_perms.has_model_perm($(lit "$who"), 'part_drawing', 'view')")" t \
	"import_django() catches up"
compare "unlinked, import"

diag "$TOTAL_MISMATCHES mismatches in all; $(($(date +%s) - START)) s"
is "$(postmaster_alive pg && echo up)" up "the server is up"
is "$(log_crashes pg)" "" "no crash in the server log"
session_close warm
exec {DJ_W}>&-
wait "$DJ_PID"
tap_done
