#!/usr/bin/env bash
# attack_guard.sh -- attacks on the guard of the extension's own objects
# (_guard_members, 1.2): code of a less-trusted role must never run with a
# superuser's rights, and the extension's internals stay its own.
#
# Each escalation case ends with the payload's proof: a server-side COPY ...
# TO a file, which only a superuser may do; the file stays written even when
# the statement that ran it fails.  Every "ok" below states the safe outcome,
# so a case that fails shows a hole.
#
#   1. the extension's owner, no longer a superuser, takes the schema
#      inventree_perms_internal out of the extension (ALTER EXTENSION ... DROP
#      SCHEMA: the guard checks only functions after ALTER EXTENSION, and only
#      in the schemas that are still members); the functions in it are then
#      outside the guard: he takes _protect_ddl_end() out too and replaces it; the
#      next superuser who creates a table anywhere runs it.
#   2. the same, then he puts everything back (ALTER EXTENSION ADD FUNCTION,
#      ADD SCHEMA): the membership looks intact, the gate works, but the C
#      trigger function _invalidate() is now his plpgsql (same OID): a
#      superuser writing its own table, registered as a tree, runs it.
#   3. while 1.1 is installed (no guard yet), the demoted owner hangs a
#      statement trigger on inventree_perms.delegates, which the 1.1->1.2
#      script updates; the superuser runs ALTER EXTENSION UPDATE (after the
#      HINT's ALTER SCHEMA inventree_perms OWNER TO a superuser).
#   4. a member table taken out of the extension takes triggers, defaults and
#      any ALTER TABLE; put back, it keeps them.
#   5. the demoted owner drops owners_username_idx and gives that name to an
#      index of a table of his in the API schema (CREATE TABLE is not
#      guarded): the row-scope code scans inventree_perms.owners through it.
#   6. CREATE TYPE ... AS RANGE in the internal schema creates functions there
#      (constructors), which the guard does not see; every later ALTER
#      EXTENSION, the superuser's UPDATE included, is then refused.
#
# Run as root after `make install`.  Port: 5720 (or the next free up to 5739).
source "$(dirname "$0")/lib/common.bash"

PORT=$(free_port 5720 5739)
new_cluster pg "$PORT"

# as ROLE: psql as that role, statements from stdin, errors ignored
as_role() {	# as_role ROLE DB
	psql -X -A -t -q -h "$T" -p "$PORT" -U "$1" -d "$2" >/dev/null 2>&1
}
pwned() { [ -e "$T/pwned_$1" ]; }
# the body of a payload that writes $T/pwned_N when a superuser runs it
payload() {	# payload N [RETURN]: RETURN is e.g. 'RETURN NULL;' for a trigger
	cat <<EOF
BEGIN
	IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
		EXECUTE 'COPY (SELECT current_user) TO ''$T/pwned_$1''';
	END IF;
	${2:-}
END
EOF
}
# a database whose extension (at VERSION) belongs to OWNER, no longer a superuser
owned_db() {	# owned_db DB OWNER [VERSION]
	q "$PORT" postgres "CREATE ROLE $2 LOGIN SUPERUSER; CREATE DATABASE $1" || bail "db $1"
	psql -X -q -h "$T" -p "$PORT" -U "$2" -d "$1" \
		-c "CREATE EXTENSION inventree_perms VERSION '${3:-1.2}'" >/dev/null || bail "extension in $1"
}
demote() { q "$PORT" postgres "ALTER ROLE $1 NOSUPERUSER" || bail "demote $1"; }
is_member_schema() {	# is_member_schema DB: 1 if inventree_perms_internal is a member
	q "$PORT" "$1" "SELECT count(*) FROM pg_depend d
		WHERE d.classid = 'pg_namespace'::regclass AND d.objid = 'inventree_perms_internal'::regnamespace
		  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'inventree_perms') AND d.deptype = 'e'"
}

# ---- 1. detach the internal schema, then replace _protect_ddl_end ------------------
owned_db o1 owner1
demote owner1
as_role owner1 o1 <<EOF
ALTER EXTENSION inventree_perms DROP SCHEMA inventree_perms_internal;
ALTER EXTENSION inventree_perms DROP FUNCTION inventree_perms_internal._protect_ddl_end();
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_ddl_end() RETURNS event_trigger
LANGUAGE plpgsql AS \$\$ $(payload 1) \$\$;
EOF
is "$(is_member_schema o1)" 1 \
	"1: the demoted owner cannot take the internal schema out of the extension"
q "$PORT" o1 "CREATE TABLE t (a int);
	CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
	CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf()" >/dev/null 2>&1
ok "$(pwned 1 && echo false || echo true)" \
	"1: a superuser's CREATE TABLE does not run code the demoted owner wrote (schema detached first)"

# ---- 2. the same, then everything put back -----------------------------------
owned_db o2 owner2
q "$PORT" o2 "CREATE TABLE public.locations (id bigint PRIMARY KEY, parent bigint);
	SELECT inventree_perms.register_tree('loc', 'public.locations', 'id', 'parent')" >/dev/null || bail "tree"
demote owner2
as_role owner2 o2 <<EOF
ALTER EXTENSION inventree_perms DROP SCHEMA inventree_perms_internal;
ALTER EXTENSION inventree_perms DROP FUNCTION inventree_perms_internal._invalidate();
CREATE OR REPLACE FUNCTION inventree_perms_internal._invalidate() RETURNS trigger
LANGUAGE plpgsql AS \$\$ $(payload 2 'RETURN NULL;') \$\$;
ALTER EXTENSION inventree_perms ADD FUNCTION inventree_perms_internal._invalidate();
ALTER EXTENSION inventree_perms ADD SCHEMA inventree_perms_internal;
EOF
is "$(q "$PORT" o2 "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
	WHERE p.oid = 'inventree_perms_internal._invalidate()'::regprocedure")" c \
	"2: _invalidate() is still the extension's C function"
q "$PORT" o2 "INSERT INTO public.locations VALUES (1, NULL)" >/dev/null 2>&1
ok "$(pwned 2 && echo false || echo true)" \
	"2: a superuser writing its own tree table does not run code the demoted owner wrote"

# ---- 3. ALTER EXTENSION UPDATE from 1.1 with a trigger placed beforehand -----
owned_db o3 owner3 1.1
demote owner3
q "$PORT" postgres "GRANT CREATE ON DATABASE o3 TO owner3" || bail "grant"
as_role owner3 o3 <<EOF
CREATE SCHEMA tools;
CREATE FUNCTION tools.t() RETURNS trigger LANGUAGE plpgsql AS \$\$ $(payload 3 'RETURN NULL;') \$\$;
CREATE TRIGGER zz BEFORE UPDATE ON inventree_perms.delegates
	FOR EACH STATEMENT EXECUTE FUNCTION tools.t();
EOF
q "$PORT" o3 "ALTER EXTENSION inventree_perms UPDATE" >/dev/null 2>&1
# the HINT of the refusal: give the schema to a superuser, run it again
q "$PORT" o3 "ALTER SCHEMA inventree_perms OWNER TO postgres" >/dev/null 2>&1
q "$PORT" o3 "ALTER EXTENSION inventree_perms UPDATE" >/dev/null 2>&1
ok "$(pwned 3 && echo false || echo true)" \
	"3: the superuser's ALTER EXTENSION UPDATE from 1.1 does not run the demoted owner's trigger"

# ---- 4. a member table taken out and put back --------------------------------
owned_db o4 owner4
demote owner4
as_role owner4 o4 <<'EOF'
ALTER EXTENSION inventree_perms DROP TABLE inventree_perms.delegates;
CREATE TRIGGER zz BEFORE INSERT ON inventree_perms.delegates
	FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._invalidate();
ALTER TABLE inventree_perms.delegates ADD COLUMN junk int DEFAULT 1;
ALTER EXTENSION inventree_perms ADD TABLE inventree_perms.delegates;
EOF
is "$(q "$PORT" o4 "SELECT count(*) FROM pg_trigger WHERE tgname = 'zz'")
$(q "$PORT" o4 "SELECT count(*) FROM pg_attribute WHERE attrelid = 'inventree_perms.delegates'::regclass AND attname = 'junk'")" \
	"0
0" "4: a table of the extension taken out and put back gained no trigger and no column"

# ---- 5. an index name of the API schema given to a decoy table's index -------
owned_db o5 owner5
q "$PORT" o5 "SELECT inventree_perms.create_user('alice'), inventree_perms.create_user('bob');
	SELECT inventree_perms.register_model('part', NULL);
	SELECT inventree_perms.grant_user_perm('bob', 'part', 'change');
	SELECT inventree_perms.set_owner(7, 'alice')" >/dev/null || bail "data o5"
demote owner5
before=$(q "$PORT" o5 "SELECT inventree_perms.has_row_perm('bob', 'part', 'change', NULL, 7)")
as_role owner5 o5 <<'EOF'
DROP INDEX inventree_perms.owners_username_idx;
CREATE TABLE inventree_perms.decoy (id bigint, username text, groupname text);
INSERT INTO inventree_perms.decoy SELECT 1, 'bob', NULL FROM generate_series(1, 2000);
CREATE INDEX owners_username_idx ON inventree_perms.decoy (username);
EOF
is "$(q "$PORT" o5 "SELECT inventree_perms.has_row_perm('bob', 'part', 'change', NULL, 7)" 2>&1)" "$before" \
	"5: has_row_perm reads the owners table through its own index, not one named like it"

# ---- 6. functions created in the internal schema by CREATE TYPE -------------
owned_db o6 owner6
demote owner6
as_role owner6 o6 <<'EOF'
CREATE TYPE inventree_perms_internal.r AS RANGE (subtype = int4,
	multirange_type_name = inventree_perms_internal.rm);
EOF
is "$(q "$PORT" o6 "SELECT count(*) FROM pg_proc
	WHERE pronamespace = 'inventree_perms_internal'::regnamespace AND proname IN ('r', 'rm')")" 0 \
	"6: no function is created in the internal schema outside the extension's scripts"

is "$(log_crashes pg)" "" "server log: no crash"
tap_done
