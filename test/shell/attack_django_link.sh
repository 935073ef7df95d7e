#!/usr/bin/env bash
# attack_django_link.sh -- attacks on the Django link (1.2: row by row) from
# the roles the security model names as less trusted: the Django site's role
# (owns the Django tables, may write them, is NOT a delegate here) and a role
# that may only CREATE in the Django schema.  Every "ok" states the safe
# outcome, so a case that fails shows a hole.
#
#   1. a role with only CREATE on the Django schema creates the optional
#      table users_owner there: the site's writes to its linked tables go on
#      (that table is not the site's and is not followed); import_django()
#      refuses it (42501), as the reference says.
#   2. a users_owner row whose id is a hand-made owner's: the hand-made
#      owner is neither changed nor removed.
# (What the Django tables' owner itself can do -- name a Django superuser
# after its own role, switch the link's triggers off -- is the power of a
# Django superuser; README "Security model" says so.)
#
# Run as root after `make install`.  Port: 5740 (or the next free up to 5759).
source "$(dirname "$0")/lib/common.bash"

PORT=$(free_port 5740 5759)
new_cluster pg "$PORT"
SITE="$(dirname "$0")/../pgtap/django_site.inc"

as_role() {	# as_role ROLE DB: statements from stdin, errors ignored
	psql -X -A -t -q -h "$T" -p "$PORT" -U "$1" -d "$2" >/dev/null 2>&1
}
# a database with the extension and a Django site dj_site owned by role
# django (not a superuser, not a delegate), imported and linked
site_db() {	# site_db DB
	q "$PORT" postgres "CREATE DATABASE $1" || bail "db $1"
	q "$PORT" "$1" "CREATE EXTENSION inventree_perms; CREATE SCHEMA dj_site AUTHORIZATION django" || bail "ext $1"
	sed 's/^CREATE SCHEMA dj_site;$//' "$SITE" |
		psql -X -q -v ON_ERROR_STOP=1 -h "$T" -p "$PORT" -U django -d "$1" >/dev/null || bail "site $1"
	q "$PORT" "$1" "SELECT inventree_perms.import_django('dj_site'); SELECT inventree_perms.link_django('dj_site')" \
		>/dev/null || bail "link $1"
}
q "$PORT" postgres "CREATE ROLE django LOGIN; CREATE ROLE mallory LOGIN" || bail roles

# ---- 1. a CREATE-only role squats the optional users_owner -----------------
site_db d1
q "$PORT" d1 "GRANT USAGE, CREATE ON SCHEMA dj_site TO mallory" || bail grant
as_role mallory d1 <<'EOF'
CREATE TABLE dj_site.users_owner (id int PRIMARY KEY, owner_type_id int, owner_id int);
EOF
is "$(sqlstate "$PORT" d1 "INSERT INTO dj_site.auth_group (name) VALUES ('New Team')" django)" OK \
	"1: a table a CREATE-only role puts in the Django schema does not stop the site's writes to its linked tables"
is "$(sqlstate "$PORT" d1 "UPDATE dj_site.auth_user SET is_active = false WHERE username = 'alice'" django)" OK \
	"1: nor its changes of auth_user"
is "$(sqlstate "$PORT" d1 "SELECT inventree_perms.import_django('dj_site')")" 42501 \
	"1: import_django() refuses a users_owner of another owner (42501)"

# ---- 2. users_owner at a hand-made owner's id ----------------------
site_db d4
q "$PORT" d4 "SELECT inventree_perms.create_user('zed'); SELECT inventree_perms.set_owner(100, 'zed')" \
	>/dev/null || bail "hand-made"
as_role django d4 <<'EOF'
CREATE TABLE dj_site.users_owner (id serial PRIMARY KEY, owner_type_id int, owner_id int);
EOF
q "$PORT" d4 "SELECT inventree_perms.link_django('dj_site')" >/dev/null || bail relink
as_role django d4 <<'EOF'
INSERT INTO dj_site.users_owner VALUES (100, 1, 3), (101, 1, 4);
UPDATE dj_site.users_owner SET owner_id = 5 WHERE id = 100;
UPDATE dj_site.users_owner SET id = 100 WHERE id = 101;
DELETE FROM dj_site.users_owner WHERE id = 100;
EOF
is "$(q "$PORT" d4 "SELECT count(*) FROM inventree_perms.owners WHERE id = 100 AND username = 'zed' AND source IS NULL")" 1 \
	"2: users_owner rows at a hand-made owner's id leave that owner alone"

is "$(log_crashes pg)" "" "server log: no crash"
tap_done
