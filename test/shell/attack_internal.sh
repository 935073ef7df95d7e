#!/usr/bin/env bash
# attack_internal.sh -- attacks on the internal schema move (1.2): code of a
# less-trusted role must never run with a superuser's rights.
#
# Each case ends with the payload's proof: a server-side COPY ... TO a file,
# which only a superuser (or pg_write_server_files) may do; it stays written
# even when the statement that ran it fails.  Every "ok" below states the
# safe outcome, so a case that fails shows a hole.
#
#   1. a role with CREATE on the database makes the schema inventree_perms
#      before CREATE EXTENSION: the extension adopts it; the role renames it
#      and puts its own objects under the name that the SQL bodies use.
#   2. the same role squats inventree_perms_internal while 1.1 is installed;
#      the database is dumped and restored into one where the administrator
#      ran CREATE EXTENSION (1.2) first: pg_restore's ALTER SCHEMA ... OWNER
#      TO and GRANT land on the extension's own internal schema (and ALTER
#      FUNCTION ... OWNER TO on a member of the same signature); the role then
#      renames it away and the SQL bodies of event triggers call its functions.
#   3. the extension's owner who stops being a superuser replaces
#      _protect_ddl_end(), an event trigger function, with a body of its own
#      (SECURITY INVOKER):
#      the next superuser who creates a table runs it.
#
# Run as root after `make install`.  Port: 5700 (or the next free up to 5719).
source "$(dirname "$0")/lib/common.bash"

PORT=$(free_port 5700 5719)
new_cluster pg "$PORT"

# as ROLE: psql as that role, statements from stdin, errors ignored
as_role() {	# as_role ROLE DB
	psql -X -A -t -q -h "$T" -p "$PORT" -U "$1" -d "$2" >/dev/null 2>&1
}
pwned() { [ -e "$T/pwned_$1" ]; }

q "$PORT" postgres "CREATE ROLE mallory LOGIN" || bail "role"

# ---- 1. squatted API schema ------------------------------------------------
q "$PORT" postgres "CREATE DATABASE sq; GRANT CREATE ON DATABASE sq TO mallory" || bail "db sq"
q "$PORT" sq "SET ROLE mallory; CREATE SCHEMA inventree_perms" || bail "squat"
q "$PORT" sq "CREATE EXTENSION inventree_perms" >/dev/null 2>&1
created=$?
owner=$(q "$PORT" sq "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'inventree_perms'")
ok "$([ $created -ne 0 ] || [ "$owner" != mallory ] && echo true || echo false)" \
	"1: CREATE EXTENSION does not adopt a schema inventree_perms another role owns (owner now: $owner)"
as_role mallory sq <<EOF
CREATE SCHEMA staging;
CREATE FUNCTION staging.pwn() RETURNS TABLE(name text, is_active boolean, is_superuser boolean)
LANGUAGE plpgsql AS \$\$
BEGIN
	IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		EXECUTE 'COPY (SELECT current_user) TO ''$T/pwned_1''';
	END IF;
END \$\$;
CREATE VIEW staging.users AS SELECT * FROM staging.pwn();
CREATE FUNCTION staging.has_model_perm(text, text, text) RETURNS boolean
	LANGUAGE sql AS 'SELECT false';
ALTER SCHEMA inventree_perms RENAME TO ip_moved;
ALTER SCHEMA staging RENAME TO inventree_perms;
SELECT ip_moved.create_user('x');
EOF
ok "$(pwned 1 && echo false || echo true)" \
	"1: a gate (create_user) does not run the squatter's code as a superuser"

# ---- 2. squatted internal schema carried by pg_dump / pg_restore -----------
q "$PORT" postgres "CREATE DATABASE d11; GRANT CREATE ON DATABASE d11 TO mallory" || bail "db d11"
q "$PORT" d11 "CREATE EXTENSION inventree_perms VERSION '1.1'" || bail "1.1"
as_role mallory d11 <<'EOF'
CREATE SCHEMA inventree_perms_internal;
CREATE FUNCTION inventree_perms_internal._create_group(groupname text) RETURNS void
	LANGUAGE sql AS 'SELECT';
GRANT USAGE, CREATE ON SCHEMA inventree_perms_internal TO PUBLIC;
EOF
pg_dump -Fc -h "$T" -p "$PORT" -U postgres -d d11 -f "$T/d11.dump" || bail "pg_dump"
q "$PORT" postgres "CREATE DATABASE r12; GRANT CREATE ON DATABASE r12 TO mallory" || bail "db r12"
q "$PORT" r12 "CREATE EXTENSION inventree_perms" || bail "1.2"
pg_restore -h "$T" -p "$PORT" -U postgres -d r12 "$T/d11.dump" >/dev/null 2>&1
is "$(q "$PORT" r12 "SELECT nspowner::regrole || ' ' || (SELECT count(*) FROM aclexplode(nspacl) a
	WHERE a.privilege_type = 'CREATE' AND a.grantee <> nspowner)
	FROM pg_namespace WHERE nspname = 'inventree_perms_internal'")" \
	"postgres 0" \
	"2: after pg_restore, the internal schema is still the bootstrap superuser's and nobody else may create in it"
is "$(q "$PORT" r12 "SELECT string_agg(p.oid::regprocedure::text, ',') FROM pg_proc p
	JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
	 AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'inventree_perms')
	WHERE p.proowner <> (SELECT extowner FROM pg_extension WHERE extname = 'inventree_perms')")" \
	"" "2: after pg_restore, every member function is still the extension owner's"
as_role mallory r12 <<EOF
ALTER SCHEMA inventree_perms_internal RENAME TO ip_internal_moved;
CREATE SCHEMA inventree_perms_internal;
CREATE FUNCTION inventree_perms_internal._protect_policy_names() RETURNS text[]
LANGUAGE plpgsql AS \$\$
BEGIN
	IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		EXECUTE 'COPY (SELECT current_user) TO ''$T/pwned_2''';
	END IF;
	RETURN '{}';
END \$\$;
-- plpgsql, not sql: an inlined constant false would fold the whole test away
CREATE FUNCTION inventree_perms_internal._protect_lock(oid) RETURNS boolean
	LANGUAGE plpgsql AS 'BEGIN RETURN false; END';
CREATE FUNCTION inventree_perms_internal._protect_widens(regclass) RETURNS boolean
	LANGUAGE plpgsql AS 'BEGIN RETURN false; END';
CREATE SCHEMA m;
CREATE TABLE m.t (a int);
CREATE POLICY p ON m.t USING (true);
EOF
ok "$(pwned 2 && echo false || echo true)" \
	"2: the protect event trigger does not run the squatter's code as a superuser"

# ---- 3. the extension's owner, no longer a superuser ------------------------
q "$PORT" postgres "CREATE ROLE extowner LOGIN SUPERUSER; CREATE DATABASE own" || bail "db own"
psql -X -q -h "$T" -p "$PORT" -U extowner -d own -c "CREATE EXTENSION inventree_perms" >/dev/null ||
	bail "owner's extension"
q "$PORT" postgres "ALTER ROLE extowner NOSUPERUSER" || bail "demote"
as_role extowner own <<EOF
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_ddl_end()
RETURNS event_trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS \$\$
BEGIN
	IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		EXECUTE 'COPY (SELECT current_user) TO ''$T/pwned_3''';
	END IF;
END \$\$;
EOF
q "$PORT" own "CREATE TABLE t (a int);
	CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
	CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf()" >/dev/null 2>&1
ok "$(pwned 3 && echo false || echo true)" \
	"3: a superuser's CREATE TABLE does not run code the demoted extension owner wrote"

# ... nor by taking a function out of the extension first, nor by putting a
# trigger or an expression index of his on a table of the extension that a
# superuser then writes (pg_restore does)
as_role extowner own <<EOF
ALTER EXTENSION inventree_perms DROP FUNCTION inventree_perms_internal._protect_ddl_end();
CREATE FUNCTION public.own_pwn() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		EXECUTE 'COPY (SELECT current_user) TO ''$T/pwned_4''';
	END IF;
	RETURN NEW;
END \$\$;
CREATE TRIGGER own_pwn BEFORE INSERT ON inventree_perms.users FOR EACH ROW EXECUTE FUNCTION public.own_pwn();
CREATE FUNCTION public.own_idx(text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS \$\$
BEGIN
	IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		EXECUTE 'COPY (SELECT current_user) TO ''$T/pwned_5''';
	END IF;
	RETURN \$1;
END \$\$;
CREATE INDEX own_idx ON inventree_perms.users (public.own_idx(name));
ALTER EVENT TRIGGER inventree_perms_guard_members DISABLE;
EOF
is "$(q "$PORT" own "SELECT count(*) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'inventree_perms'
	WHERE d.objid = 'inventree_perms_internal._protect_ddl_end()'::regprocedure AND d.deptype = 'e'")" 1 \
	"3: the demoted owner cannot take a function out of the extension"
is "$(q "$PORT" own "SELECT evtenabled FROM pg_event_trigger WHERE evtname = 'inventree_perms_guard_members'")" O \
	"3: ... nor switch off the guard"
q "$PORT" own "INSERT INTO inventree_perms.users (name) VALUES ('restored_by_superuser')" >/dev/null 2>&1
ok "$( (pwned 4 || pwned 5) && echo false || echo true)" \
	"3: a superuser's write of the extension's tables runs no trigger or index expression of the demoted owner"

is "$(log_crashes pg)" "" "server log: no crash"
tap_done
