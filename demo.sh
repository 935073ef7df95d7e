#!/usr/bin/env bash
# demo.sh -- see inventree_perms at work in a minute.
#
#   sudo ./demo.sh            installs, builds, starts a throwaway cluster,
#                             walks through a small example, then opens psql
#   sudo ./demo.sh --no-psql  the same, but prints and exits
#
# Needs Debian 12 (or any Debian/Ubuntu with the PGDG packages for 15) and
# root: it installs packages with apt-get, and runs PostgreSQL as the postgres
# OS user.  Nothing is left behind: the cluster lives in a temp directory and
# is stopped and removed on exit.
set -euo pipefail

cd "$(dirname "$0")"
PGVER=15
PGBIN=/usr/lib/postgresql/$PGVER/bin
PACKAGES="postgresql-$PGVER postgresql-server-dev-$PGVER postgresql-$PGVER-pgtap
	libtap-parser-sourcehandler-pgtap-perl libipc-run-perl make gcc"

want_psql=1
for a in "$@"; do
	case "$a" in
		--no-psql) want_psql=0 ;;
		-h|--help) sed -n '2,11p' "$0"; exit 0 ;;
		*) echo "demo.sh: unknown option $a (try --help)" >&2; exit 2 ;;
	esac
done
[ -t 0 ] || want_psql=0

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run me as root (sudo ./demo.sh): I install packages and start PostgreSQL as the postgres user" >&2
	exit 2
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Packages ------------------------------------------------------------------
missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	step "installing packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
fi

# Build and install -----------------------------------------------------------
step "building and installing the extension"
make -s PG_CONFIG=$PGBIN/pg_config PG_CFLAGS='-Wall -Wextra -Werror'
make -s PG_CONFIG=$PGBIN/pg_config install

# A throwaway cluster -----------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=${IP_DEMO_PORT:-5441}
while port_busy "$PORT" || [ -e "/tmp/.s.PGSQL.$PORT" ]; do PORT=$((PORT + 1)); done
TMP=$(mktemp -d /tmp/inventree_perms_demo.XXXXXX)
cleanup() {
	if [ -f "$TMP/data/postmaster.pid" ]; then
		su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -m fast -w stop" >/dev/null 2>&1 || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
chmod 755 "$TMP"
chown postgres: "$TMP"
step "starting a throwaway PostgreSQL $PGVER in $TMP (port $PORT)"
su postgres -s /bin/sh -c "cd / && $PGBIN/initdb -D '$TMP/data' -A trust -U postgres -E UTF8 --locale=C" >"$TMP/initdb.log" 2>&1 ||
	{ cat "$TMP/initdb.log"; exit 1; }
su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -l '$TMP/server.log' -w \
	-o \"-c listen_addresses=127.0.0.1 -p $PORT -k '$TMP'\" start" >/dev/null ||
	{ cat "$TMP/server.log"; exit 1; }
export PGHOST=$TMP PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1)
WALK=("${PSQL[@]}" -a -d demo)	# echo each statement, then its result

step "creating the extension, users, groups and a protected table"
"${PSQL[@]}" >/dev/null <<'SQL'
CREATE DATABASE demo;
\c demo
CREATE EXTENSION inventree_perms;

-- PostgreSQL roles: people who log in themselves, and an application role.
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
CREATE ROLE carol LOGIN;
CREATE ROLE inventree_app LOGIN;		-- logs in for many application users

-- Users of the extension (a role with the same name *is* that user).
SELECT inventree_perms.create_user('alice');
SELECT inventree_perms.create_user('bob', is_active => false);		-- left the company
SELECT inventree_perms.create_user('carol', is_superuser => true);
SELECT inventree_perms.create_user('dave');							-- an application-only user
SELECT inventree_perms.add_delegate('inventree_app');				-- may act for app users

-- Groups, InvenTree-style: role flags (rulesets) and plain grants.
SELECT inventree_perms.create_group('Stock Team');
SELECT inventree_perms.add_user_to_group('alice', 'Stock Team');
SELECT inventree_perms.add_user_to_group('bob', 'Stock Team');
SELECT inventree_perms.grant_group_role('Stock Team', 'part', 'view');
SELECT inventree_perms.grant_group_role('Stock Team', 'stock', 'change');
SELECT inventree_perms.grant_user_perm('dave', 'part_part', 'add');
SELECT inventree_perms.grant_user_perm('dave', 'part_part', 'view');

-- InvenTree's part table, protected by row-level security.
CREATE TABLE part_part (id serial PRIMARY KEY, name text NOT NULL, ipn text);
INSERT INTO part_part (name, ipn) VALUES
	('M3x10 screw', 'SCR-0310'), ('10k resistor', 'RES-1002'), ('Arduino Uno', 'MCU-0001');
GRANT SELECT, INSERT, UPDATE, DELETE ON part_part TO alice, bob, carol, inventree_app;
GRANT USAGE ON SEQUENCE part_part_id_seq TO alice, bob, carol, inventree_app;
SELECT inventree_perms.protect('part_part');
SQL
cat <<'EOF'
  roles alice, bob, carol (PostgreSQL roles and users of the extension)
  user  dave (an application-only user, no role), role inventree_app (a delegate)
  alice and bob are in group "Stock Team": role part (view), role stock (change)
  bob is inactive, carol is a superuser, dave holds view and add on part_part
  table part_part (3 rows), protected: SELECT needs view, INSERT add, UPDATE change, DELETE delete
EOF

step "who may do what on part_part?  (has_model_perm)"
"${WALK[@]}" <<'SQL'
SELECT u AS "user",
	   inventree_perms.has_model_perm(u, 'part_part', 'view') AS view,
	   inventree_perms.has_model_perm(u, 'part_part', 'add') AS add,
	   inventree_perms.has_model_perm(u, 'part_part', 'change') AS change,
	   inventree_perms.has_model_perm(u, 'part_part', 'delete') AS delete,
	   CASE u WHEN 'alice' THEN 'role part (view) of group Stock Team'
			  WHEN 'bob' THEN 'inactive: nothing at all'
			  WHEN 'carol' THEN 'superuser: everything'
			  WHEN 'dave' THEN 'direct grants (application-only user)'
			  ELSE 'unknown user: nothing' END AS why
FROM unnest(ARRAY['alice', 'bob', 'carol', 'dave', 'mallory']) u;
SQL

step "why may alice?  (user_permissions, stock rows left out)"
"${WALK[@]}" -c "SELECT * FROM inventree_perms.user_permissions('alice') WHERE model IN ('part_part', 'stock_stockitem') ORDER BY 1, 2"

step "the same SELECT, as different roles"
"${WALK[@]}" <<'SQL'
SET ROLE alice;
SELECT current_user, count(*) AS rows_seen FROM part_part;
RESET ROLE;
SET ROLE bob;
SELECT current_user, count(*) AS rows_seen FROM part_part;
RESET ROLE;
SET ROLE carol;
SELECT current_user, count(*) AS rows_seen FROM part_part;
RESET ROLE;
SQL

step "alice may view but not add: the INSERT is refused by row-level security"
"${WALK[@]}" -v ON_ERROR_STOP=0 <<'SQL'
SET ROLE alice;
INSERT INTO part_part (name) VALUES ('alice was here');
RESET ROLE;
SQL

step "the application role acts for dave (set_acting_user), who may add"
"${WALK[@]}" <<'SQL'
SET ROLE inventree_app;
BEGIN;
SELECT inventree_perms.set_acting_user('dave');		-- to the end of the transaction
SELECT inventree_perms.acting_user();
INSERT INTO part_part (name, ipn) VALUES ('Raspberry Pi 5', 'MCU-0002') RETURNING id, name;
COMMIT;
SELECT inventree_perms.acting_user() AS after_commit, count(*) AS rows_seen_as_inventree_app FROM part_part;
RESET ROLE;
SQL

step "alice is given change on part_part: she sees it at once"
"${WALK[@]}" <<'SQL'
SELECT inventree_perms.grant_user_perm('alice', 'part_part', 'change');
SET ROLE alice;
UPDATE part_part SET ipn = 'RES-1002-A' WHERE id = 2 RETURNING id, name, ipn;
RESET ROLE;
SELECT id, operation, target, left(detail::text, 50) AS detail FROM inventree_perms.audit() ORDER BY id DESC LIMIT 3;
SQL

step "row scopes: a team changes stock in its own locations only, and views the rest"
"${PSQL[@]}" -d demo >/dev/null <<'SQL'
-- InvenTree's stock locations: a tree (parent_id), with an owner (owner_id,
-- InvenTree's users_owner: an owner id stands for a user or a group).
CREATE TABLE stock_stocklocation (id serial PRIMARY KEY, name text NOT NULL,
	parent_id int REFERENCES stock_stocklocation, owner_id int);
INSERT INTO stock_stocklocation (id, name, parent_id, owner_id) VALUES
	(1, 'Warehouse A', NULL, NULL), (2, 'Shelf A1', 1, NULL), (3, 'Cage A2', 1, 7),
	(4, 'Warehouse B', NULL, NULL), (5, 'Shelf B1', 4, NULL);
CREATE TABLE stock_stockitem (id serial PRIMARY KEY, part text NOT NULL, quantity int NOT NULL,
	location_id int REFERENCES stock_stocklocation, owner_id int);
INSERT INTO stock_stockitem (part, quantity, location_id) VALUES
	('M3x10 screw', 500, 2), ('10k resistor', 1000, 2), ('Arduino Uno', 10, 3),
	('M3x10 screw', 200, 5), ('Raspberry Pi 5', 4, 5);
GRANT SELECT, INSERT, UPDATE, DELETE ON stock_stockitem, stock_stocklocation TO PUBLIC;

CREATE ROLE erin LOGIN;
CREATE ROLE frank LOGIN;
SELECT inventree_perms.create_user('erin');
SELECT inventree_perms.create_user('frank');
SELECT inventree_perms.create_group('Warehouse A team');
SELECT inventree_perms.create_group('Security');
SELECT inventree_perms.add_user_to_group('erin', 'Warehouse A team');
SELECT inventree_perms.add_user_to_group('frank', 'Warehouse A team');
SELECT inventree_perms.add_user_to_group('frank', 'Security');
SELECT inventree_perms.set_owner(7, groupname => 'Security');	-- owner 7: the Security group

-- The recipe: the locations are a tree with owners; stock items are scoped
-- by their location and owned (their own owner_id, else their location's).
SELECT inventree_perms.register_tree('stock_location', 'stock_stocklocation', 'parent_id', 'owner_id');
SELECT inventree_perms.protect('stock_stockitem', 'stock_stockitem', 'location_id', 'stock_location', 'owner_id');
-- The team views all stock, and changes it within Warehouse A.
SELECT inventree_perms.grant_group_perm('Warehouse A team', 'stock_stockitem', 'view');
SELECT inventree_perms.grant_group_scope('Warehouse A team', 'stock_stockitem', 'change', 1);
SQL
cat <<'EOF'
  tree stock_location = table stock_stocklocation: Warehouse A (Shelf A1, Cage A2 owned by group Security),
                                                    Warehouse B (Shelf B1)
  stock_stockitem protected, scoped by location_id, owned (owner_id, else the location's owner)
  group "Warehouse A team" (erin, frank): view all stock, change within Warehouse A; frank is also in Security
  (the same for parts: register_tree('part_category', 'part_partcategory'), then
   protect('part_part', 'part_part', 'category_id', 'part_category'))
EOF
"${WALK[@]}" -v ON_ERROR_STOP=0 <<'SQL'
SELECT * FROM inventree_perms.user_scopes('erin');
SET ROLE erin;
SELECT count(*) AS items_erin_sees FROM stock_stockitem;
UPDATE stock_stockitem SET quantity = quantity - 1 RETURNING id, part, location_id;	-- Shelf A1 only: Cage A2 is Security's
UPDATE stock_stockitem SET location_id = 5 WHERE id = 1;	-- moving it out of her scope: refused
RESET ROLE;
SET ROLE frank;
UPDATE stock_stockitem SET quantity = quantity - 1 RETURNING id, part, location_id;	-- Shelf A1 and Cage A2
RESET ROLE;
SELECT n AS location, inventree_perms.has_row_perm('erin', 'stock_stockitem', 'change', n) AS erin_may_change,
	   inventree_perms.has_row_perm('frank', 'stock_stockitem', 'change', n) AS frank_may_change
  FROM generate_series(1, 5) n;
SQL

if [ "$want_psql" -eq 1 ]; then
	step "your turn: psql on the demo database (\\q to quit; the cluster is removed then)"
	cat <<'EOF'
  Try:
    SET ROLE alice;  SELECT * FROM part_part;  SELECT * FROM inventree_perms.my_permissions WHERE can_view;
    RESET ROLE;      SELECT inventree_perms.set_user_active('alice', false);
    SET ROLE alice;  SELECT * FROM part_part;          -- nothing now
    RESET ROLE;      \df inventree_perms.*
EOF
	"$PGBIN/psql" -X -d demo || true
else
	step "done (run ./demo.sh in a terminal, without --no-psql, to get a psql prompt)"
fi
