#!/usr/bin/env bash
# django.sh -- the Django link benchmark: one command, prints a table.
#
#   bash test/bench/django.sh            (as root: starts its own server)
#
# For two site sizes (BENCH_SMALL users, default 1,000; BENCH_LARGE users,
# default 100,000; BENCH_PERMS direct Django permissions per user, default
# 10, so 1,000,000 permission rows at the large size; 100 groups, two per
# user; 250 content types x 4 permissions; 10 InvenTree rulesets per group;
# InvenTree's users_owner, one owner per user and group; Django's indexes
# on every foreign key)
# it measures, in one throwaway cluster:
#   - import_django() of the whole site, then a re-import that changes nothing
#     (and whether it wrote a row);
#   - one single-row Django change (a user permission added and removed,
#     each its own transaction) with the schema linked and not linked: the
#     time the link adds, and its ratio large/small;
#   - 4 clients changing different users' permissions at once vs 1 client
#     (pgbench, transactions per second): the ratio.
# Targets (issue 11): import <= 20 s and re-import <= 5 s at the large size;
# a linked change adds <= 2 ms and within 1.5x of the small site; 4 clients
# >= 1.5x one client.  They are reported, never asserted.
#
# Environment: IP_PGBIN (PostgreSQL's bin directory), BENCH_PORT (default
# 5463), BENCH_SMALL, BENCH_LARGE, BENCH_PERMS, BENCH_TX (transactions per
# measured change, default 20), BENCH_SECONDS (per pgbench run, default 10),
# BENCH_IMPORT_ONLY=1 (measure the imports only: no pgbench runs).
set -euo pipefail

cd "$(dirname "$0")/../.."
PGBIN=${IP_PGBIN:-${PGBIN:-/usr/lib/postgresql/15/bin}}
PORT=${BENCH_PORT:-5463}
SMALL=${BENCH_SMALL:-1000}
LARGE=${BENCH_LARGE:-100000}
PERMS=${BENCH_PERMS:-10}
TX=${BENCH_TX:-20}
SECS=${BENCH_SECONDS:-10}
IMPORT_ONLY=${BENCH_IMPORT_ONLY:-0}
TMP=""

cleanup() {
	if [ -n "$TMP" ] && [ -d "$TMP" ]; then
		su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$TMP/data' -m immediate -w stop" >/dev/null 2>&1 || true
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || { echo "django.sh: run me as root" >&2; exit 2; }
TMP=$(mktemp -d /tmp/inventree_perms_djbench.XXXXXX)
chmod 755 "$TMP"
chown postgres: "$TMP"
su postgres -s /bin/sh -c "$PGBIN/initdb -D '$TMP/data' -A trust -U postgres -E UTF8 --locale=C" >"$TMP/initdb.log" 2>&1 ||
	{ cat "$TMP/initdb.log"; exit 1; }
cat >>"$TMP/data/postgresql.conf" <<EOF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$TMP'
shared_buffers = 512MB
max_locks_per_transaction = 1024
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
autovacuum = off
jit = off
EOF
su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$TMP/data' -l '$TMP/log' -w start" >/dev/null
export PGHOST=$TMP PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
psql() { command "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
ms() { local ns; ns=$(date +%s%N); echo $((ns / 1000000)); }

# The site generator: schema dj_bench, :users users, :perms direct
# permissions each.
make_site() {
	psql -v users="$1" -v perms="$2" <<'SQL'
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS dj_bench CASCADE;
CREATE SCHEMA dj_bench;
CREATE TABLE dj_bench.django_content_type (id serial PRIMARY KEY, app_label varchar(100) NOT NULL,
	model varchar(100) NOT NULL, UNIQUE (app_label, model));
CREATE TABLE dj_bench.auth_permission (id serial PRIMARY KEY, name varchar(255) NOT NULL,
	content_type_id integer NOT NULL REFERENCES dj_bench.django_content_type,
	codename varchar(100) NOT NULL, UNIQUE (content_type_id, codename));
CREATE TABLE dj_bench.auth_group (id serial PRIMARY KEY, name varchar(150) NOT NULL UNIQUE);
CREATE TABLE dj_bench.auth_group_permissions (id bigserial PRIMARY KEY,
	group_id integer NOT NULL REFERENCES dj_bench.auth_group,
	permission_id integer NOT NULL REFERENCES dj_bench.auth_permission, UNIQUE (group_id, permission_id));
CREATE TABLE dj_bench.auth_user (id serial PRIMARY KEY, password varchar(128) NOT NULL, last_login timestamptz,
	is_superuser boolean NOT NULL, username varchar(150) NOT NULL UNIQUE, is_staff boolean NOT NULL DEFAULT false,
	is_active boolean NOT NULL, date_joined timestamptz NOT NULL DEFAULT now());
CREATE TABLE dj_bench.auth_user_groups (id bigserial PRIMARY KEY,
	user_id integer NOT NULL REFERENCES dj_bench.auth_user,
	group_id integer NOT NULL REFERENCES dj_bench.auth_group, UNIQUE (user_id, group_id));
CREATE TABLE dj_bench.auth_user_user_permissions (id bigserial PRIMARY KEY,
	user_id integer NOT NULL REFERENCES dj_bench.auth_user,
	permission_id integer NOT NULL REFERENCES dj_bench.auth_permission, UNIQUE (user_id, permission_id));
CREATE TABLE dj_bench.users_ruleset (id serial PRIMARY KEY, name varchar(50) NOT NULL,
	can_view boolean NOT NULL DEFAULT false, can_add boolean NOT NULL DEFAULT false,
	can_change boolean NOT NULL DEFAULT false, can_delete boolean NOT NULL DEFAULT false,
	group_id integer NOT NULL REFERENCES dj_bench.auth_group, UNIQUE (name, group_id));
CREATE TABLE dj_bench.users_owner (id serial PRIMARY KEY, owner_id integer,
	owner_type_id integer REFERENCES dj_bench.django_content_type, UNIQUE (owner_type_id, owner_id));
-- Django indexes every foreign key column
CREATE INDEX ON dj_bench.auth_permission (content_type_id);
CREATE INDEX ON dj_bench.auth_group_permissions (group_id);
CREATE INDEX ON dj_bench.auth_group_permissions (permission_id);
CREATE INDEX ON dj_bench.auth_user_groups (user_id);
CREATE INDEX ON dj_bench.auth_user_groups (group_id);
CREATE INDEX ON dj_bench.auth_user_user_permissions (user_id);
CREATE INDEX ON dj_bench.auth_user_user_permissions (permission_id);
CREATE INDEX ON dj_bench.users_ruleset (group_id);
CREATE INDEX ON dj_bench.users_owner (owner_type_id);
INSERT INTO dj_bench.django_content_type (app_label, model)
SELECT 'app' || (i % 10), 'model' || i FROM generate_series(1, 248) i;
INSERT INTO dj_bench.django_content_type (app_label, model) VALUES ('auth', 'user'), ('auth', 'group');
INSERT INTO dj_bench.auth_permission (name, content_type_id, codename)
SELECT 'Can ' || a || ' ' || ct.model, ct.id, a || '_' || ct.model
FROM dj_bench.django_content_type ct, unnest('{add,change,delete,view}'::text[]) a;
INSERT INTO dj_bench.auth_group (name) SELECT 'Group ' || i FROM generate_series(1, 100) i;
INSERT INTO dj_bench.users_ruleset (name, can_view, can_add, can_change, can_delete, group_id)
SELECT r, (g + length(r)) % 2 = 0, (g + length(r)) % 3 = 0, (g + length(r)) % 4 = 0, false, g
FROM generate_series(1, 100) g,
	 unnest('{admin,part_category,part,stock_location,stock,build,purchase_order,sales_order,return_order,transfer_order}'::text[]) r;
INSERT INTO dj_bench.auth_group_permissions (group_id, permission_id)
SELECT g, 1 + (g * 7 + j * 13) % 1000 FROM generate_series(1, 100) g, generate_series(1, 40) j
ON CONFLICT DO NOTHING;
INSERT INTO dj_bench.auth_user (password, is_superuser, username, is_active)
SELECT 'x', false, 'user' || i, i % 50 <> 0 FROM generate_series(1, :users) i;
INSERT INTO dj_bench.auth_user_groups (user_id, group_id)
SELECT u, 1 + (u + k * 37) % 100 FROM generate_series(1, :users) u, generate_series(0, 1) k;
-- InvenTree's owners: one for every user and every group
INSERT INTO dj_bench.users_owner (owner_id, owner_type_id)
SELECT u, (SELECT id FROM dj_bench.django_content_type WHERE (app_label, model) = ('auth', 'user'))
FROM generate_series(1, :users) u;
INSERT INTO dj_bench.users_owner (owner_id, owner_type_id)
SELECT g, (SELECT id FROM dj_bench.django_content_type WHERE (app_label, model) = ('auth', 'group'))
FROM generate_series(1, 100) g;
-- permissions 1..999 are given; 1000 (view_group) only by the measured change
INSERT INTO dj_bench.auth_user_user_permissions (user_id, permission_id)
SELECT u, 1 + (u * 31 + j * 97) % 999 FROM generate_series(1, :users) u, generate_series(1, :perms) j
ON CONFLICT DO NOTHING;
ANALYZE;
SQL
}

# The time (ms) of one import of the whole site; rows written to the
# extension's tables (statistics counters).
import_ms() {
	local t0 t1
	t0=$(ms)
	psql -c "SELECT count(*) FROM inventree_perms.import_django('dj_bench')" >/dev/null
	t1=$(ms)
	echo $((t1 - t0))
}
writes() {
	psql -At -c "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables
				 WHERE schemaname = 'inventree_perms'"
}

# The mean latency (ms) of one single-row Django change, with pgbench; each
# client changes its own users (user id = client number modulo 4).
cat >"$TMP/change.sql" <<'SQL'
\set u 1 + :client_id + 4 * random(0, :users / 4 - 1)
BEGIN;
INSERT INTO dj_bench.auth_user_user_permissions (user_id, permission_id) VALUES (:u, 1000);
COMMIT;
BEGIN;
DELETE FROM dj_bench.auth_user_user_permissions WHERE user_id = :u AND permission_id = 1000;
COMMIT;
SQL
# The same for a change of a user's own row (auth_user: deactivated and
# reactivated, each its own transaction).
cat >"$TMP/user.sql" <<'SQL'
\set u 1 + :client_id + 4 * random(0, :users / 4 - 1)
BEGIN;
UPDATE dj_bench.auth_user SET is_active = NOT is_active WHERE id = :u;
COMMIT;
BEGIN;
UPDATE dj_bench.auth_user SET is_active = NOT is_active WHERE id = :u;
COMMIT;
SQL
latency_user() {	# latency_user USERS: mean ms per transaction, 1 client
	"$PGBIN/pgbench" -n -f "$TMP/user.sql" -D users="$1" -c 1 -j 1 -t "$TX" 2>&1 |
		awk '/latency average/ { print $4 / 2 }' || true
}
latency() {	# latency USERS CLIENTS: mean ms per transaction
	"$PGBIN/pgbench" -n -f "$TMP/change.sql" -D users="$1" -c "$2" -j "$2" -t "$TX" 2>&1 |
		awk '/latency average/ { print $4 / 2 }' || true
}
tps() {	# tps USERS CLIENTS: transactions per second over BENCH_SECONDS
	"$PGBIN/pgbench" -n -f "$TMP/change.sql" -D users="$1" -c "$2" -j "$2" -T "$SECS" 2>&1 |
		awk '/^tps/ { print $3 * 2; exit }' || true
}

psql -c "CREATE EXTENSION inventree_perms"
declare -A R
for size in small large; do
	if [ $size = small ]; then n=$SMALL; else n=$LARGE; fi
	echo "# $size site: $n users, $((n * PERMS)) user permission rows: generating..." >&2
	psql -c "DROP EXTENSION inventree_perms CASCADE; CREATE EXTENSION inventree_perms" 2>/dev/null
	make_site "$n" "$PERMS"
	R[$size.users]=$n
	R[$size.import]=$(import_ms)
	w0=$(writes)
	R[$size.reimport]=$(import_ms)
	w1=$(writes)
	R[$size.rewrites]=$((w1 - w0))
	if [ "$IMPORT_ONLY" = 1 ]; then
		continue
	fi
	R[$size.plain]=$(latency "$n" 1)
	R[$size.uplain]=$(latency_user "$n")
	psql -c "SELECT inventree_perms.link_django('dj_bench')" >/dev/null
	R[$size.linked]=$(latency "$n" 1)
	R[$size.ulinked]=$(latency_user "$n")
	R[$size.tps1]=$(tps "$n" 1)
	R[$size.tps4]=$(tps "$n" 4)
	psql -c "SELECT inventree_perms.unlink_django('dj_bench')" >/dev/null
done

added() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
printf '\n%-58s %14s %14s %10s\n' "measure" "small site" "large site" "ratio"
printf '%-58s %14s %14s\n' "users" "${R[small.users]}" "${R[large.users]}"
printf '%-58s %14s %14s %10s\n' "import_django(), ms (target large <= 20000)" \
	"${R[small.import]}" "${R[large.import]}" "$(ratio "${R[large.import]}" "${R[small.import]}")"
printf '%-58s %14s %14s %10s\n' "re-import changing nothing, ms (target large <= 5000)" \
	"${R[small.reimport]}" "${R[large.reimport]}" "$(ratio "${R[large.reimport]}" "${R[small.reimport]}")"
printf '%-58s %14s %14s\n' "... rows it wrote (target 0)" "${R[small.rewrites]}" "${R[large.rewrites]}"
if [ "$IMPORT_ONLY" = 1 ]; then
	exit 0
fi
sa=$(added "${R[small.linked]}" "${R[small.plain]}")
la=$(added "${R[large.linked]}" "${R[large.plain]}")
printf '%-58s %14s %14s\n' "one single-row Django change, not linked, ms" "${R[small.plain]}" "${R[large.plain]}"
printf '%-58s %14s %14s\n' "... linked, ms" "${R[small.linked]}" "${R[large.linked]}"
printf '%-58s %14s %14s %10s\n' "... added by the link, ms (target <= 2, ratio <= 1.5x)" "$sa" "$la" "$(ratio "$la" "$sa")"
ua_s=$(added "${R[small.ulinked]}" "${R[small.uplain]}")
ua_l=$(added "${R[large.ulinked]}" "${R[large.uplain]}")
printf '%-58s %14s %14s\n' "one auth_user row change, not linked, ms" "${R[small.uplain]}" "${R[large.uplain]}"
printf '%-58s %14s %14s\n' "... linked, ms" "${R[small.ulinked]}" "${R[large.ulinked]}"
printf '%-58s %14s %14s %10s\n' "... added by the link, ms (target <= 2, ratio <= 1.5x)" "$ua_s" "$ua_l" "$(ratio "$ua_l" "$ua_s")"
printf '%-58s %14s %14s\n' "linked changes/s, 1 client" "${R[small.tps1]}" "${R[large.tps1]}"
printf '%-58s %14s %14s\n' "linked changes/s, 4 clients, different users" "${R[small.tps4]}" "${R[large.tps4]}"
printf '%-58s %14s %14s\n' "... 4 clients / 1 client (target >= 1.5x)" \
	"$(ratio "${R[small.tps4]}" "${R[small.tps1]}")" "$(ratio "${R[large.tps4]}" "${R[large.tps1]}")"
