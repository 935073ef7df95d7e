-- ---------------------------------------------------------------------------
-- Interop with a Django / InvenTree database.
--
-- import_django(schema) makes the extension's users, groups, memberships,
-- models, grants and role flags match Django's auth tables (and InvenTree's
-- users_ruleset) in that schema.  What it decides, so that the result is
-- what the InvenTree web UI would answer:
--
--  * Rows it creates carry source = the schema; it updates and removes only
--    rows with that source.  A hand-made row (source NULL, or another
--    schema's) is never touched: a Django user or group whose name is taken
--    by one is reported ("conflict_user:<name>", "conflict_group:<name>")
--    and skipped together with its memberships, grants and role flags.
--    Hand-made grants, memberships and role flags on imported users and
--    groups stay (they go with the user or group if Django removes it).
--  * is_superuser and is_active are copied as Django stores them; is_staff
--    is ignored (it only opens Django's admin site).  Creating, changing or
--    removing a superuser this way needs a superuser (of PostgreSQL or of
--    the extension), as create_user() does: 42501 otherwise.
--  * Every content type is a model named <app_label>_<model>; missing ones
--    are registered (closed, no table).  A model it registered is removed
--    with its content type, unless a table is protect()ed with it (reported
--    as "kept_protected_model:<name>").  Built-in and catalogue models are
--    never registered nor removed by it.
--  * A permission whose codename is exactly view_/add_/change_/delete_ +
--    the content type's model is that action on that model.  Any other
--    codename is custom: reported as "custom_codename:<app>.<codename>" with
--    the number of users and groups holding it, never guessed.
--  * users_owner (InvenTree's, optional): each row whose owner_type is
--    the content type auth.user or auth.group and whose owner_id is a user
--    or group of this schema is an owner (set_owner()) of the same id,
--    marked as from this schema; an owner id set by hand is left alone
--    (reported as "conflict_owner:<id>").  The result then has a row
--    "owners".
--  * users_ruleset (optional): each set flag (can_view, can_add, can_change,
--    can_delete) of a group's ruleset is a role flag, copied as stored (so
--    has_role_perm() answers what InvenTree's check_user_role() reads).  A
--    ruleset whose name is not a role in inventree_perms.roles is reported
--    ("unknown_role:<name>").  Django's auth.user permissions are not mapped
--    to the extension's built-in model "user" (that would hand the
--    administrator rule to Django); auth_user is just a model.
--  * Names the SPEC refuses are skipped and counted ("invalid_user_names",
--    "invalid_group_names", "invalid_model_names").
--  * What it reads belongs to the role that owns Django's tables, and is
--    read as that role (src/django.c): each table resolved once to an OID,
--    locked, checked after the lock (a plain table, owned by auth_user's
--    owner: 42809 / 42501 otherwise; the columns read of integer, text or
--    boolean type), then read by OID inside a security-restricted operation,
--    named columns only (never auth_user.password).  No SQL text names a
--    Django table, so nothing of that schema (a view put in a table's place,
--    a function, a later table of another role) runs with the extension's
--    rights.  Who may import: an administrator who is, or is a member of,
--    that owner, or a PostgreSQL superuser (42501 otherwise).
--
-- The result: one row per kind of change with the number of rows this run
-- changed (users created or changed, groups, memberships, models, user_perms,
-- group_perms and role_flags added, and "removed" for every row it deleted),
-- then the report rows.  A second run returns zeros and writes no audit row;
-- a run that changed something writes one ("import_django", the schema, the
-- counts).
--
-- link_django(schema) records the schema and the OIDs of its Django tables
-- in django_links, imports, and puts triggers on those tables (ENABLE
-- ALWAYS): on each a row trigger (_django_row_trigger(), AFTER INSERT,
-- UPDATE of the columns read, DELETE) that applies each row's change alone
-- (_django_apply()): a user, a group, a content type, a permission, an
-- owner, a membership, a grant, a ruleset; locking only what that row is
-- about, and reading the rest of Django's tables by key.  A TRUNCATE of any
-- of them re-runs the whole import in the same transaction (a statement
-- trigger).  Each linked write first checks that the schema still holds
-- the tables the link recorded (55000 otherwise), as an import does.  What
-- they write goes through the extension's tables, whose own triggers
-- invalidate every session's cache at commit: a change committed through
-- the InvenTree web UI is enforced from the next statement of every
-- session.  Because from then on whoever may write those tables decides
-- who is a superuser, link_django() and unlink_django() need a superuser
-- (of PostgreSQL or of the extension) who owns the tables (or a PostgreSQL
-- superuser).  unlink_django() drops the triggers and the link; the
-- imported rows stay.  A row change that cannot be applied alone (a Django
-- user whose name a hand-made user holds) is skipped and reported by the
-- next import_django().
--
-- Imports are serialised by a lock of the import's own (_django_lock(): a
-- lock tag no pg_advisory_* call can take, so no other role can stall an
-- import or a linked write), so two sessions changing Django's tables at
-- once cannot undo each other's changes.
-- ---------------------------------------------------------------------------

-- Internal: the Django tables import_django() reads, and the columns it reads
-- from each (the trigger of link_django() fires on updates of these columns
-- only: Django's updates of last_login at each login do not re-import).
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_tables()
RETURNS TABLE (tablename text, columns text[], required boolean)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	VALUES ('auth_user', '{id,username,is_superuser,is_active}'::text[], true),
		   ('auth_group', '{id,name}', true),
		   ('auth_user_groups', '{user_id,group_id}', true),
		   ('django_content_type', '{id,app_label,model}', true),
		   ('auth_permission', '{id,content_type_id,codename}', true),
		   ('auth_group_permissions', '{group_id,permission_id}', true),
		   ('auth_user_user_permissions', '{user_id,permission_id}', true),
		   ('users_ruleset', '{name,group_id,can_view,can_add,can_change,can_delete}', false),
		   ('users_owner', '{id,owner_type_id,owner_id}', false);
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_tables() IS
	'Internal: the Django / InvenTree tables import_django() reads and the columns it reads from each';

-- Internal (C, src/django.c): resolve the Django tables of a schema once
-- each to an OID, lock them, check them (plain tables of auth_user's owner,
-- the columns read with integer, text or boolean types) and check the
-- caller (NULL: link_django()'s trigger path).  Returns the owner, then the
-- tables' OIDs in the order of _django_tables() (0: a missing optional one).
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_open(source_schema name, caller oid)
RETURNS oid[]
AS 'MODULE_PATHNAME', 'ip_django_open'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms_internal._django_open(name, oid) IS
	'Internal: lock and check a Django schema''s tables; returns {owner, table OIDs...}; 3F000, 42P01, 42809, 42501, 42703, 42804';

-- Internal (C): the rows of one Django table opened by _django_open(), read
-- by OID as its owner in a security-restricted operation: the named columns
-- only (never the password), as bigint, text and boolean.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_read(relation oid, tablename text, owner oid)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ip_django_read'
LANGUAGE C VOLATILE STRICT
ROWS 100000;	-- plan hash joins: Django's tables may be large
COMMENT ON FUNCTION inventree_perms_internal._django_read(oid, text, oid) IS
	'Internal: the named columns of a Django table locked by _django_open(), read by OID as its owner (column definition list required)';

-- Internal (C): a transaction lock of the import's own (kind 0, id 0: the
-- whole import; exclusive or shared).  pg_advisory_* cannot take its tags, so
-- no other role can stall an import or a linked write with them.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_lock(kind integer, id integer, exclusive boolean)
RETURNS void
AS 'MODULE_PATHNAME', 'ip_django_lock'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION inventree_perms_internal._django_lock(integer, integer, boolean) IS
	'Internal: take one of the import''s own locks to the end of the transaction (no advisory lock number reaches it)';

-- Internal: is name a valid user, group or model name?  Names Django itself
-- allows take the fast path; the rest ask _check_name() (the one place of the
-- SPEC's rules), catching its 22023.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_valid_name(kind text, name text)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL THEN
		RETURN false;
	END IF;
	IF kind OPERATOR(pg_catalog.=) 'model' THEN
		RETURN name OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_.]{0,62}$';
	END IF;
	IF name OPERATOR(pg_catalog.~) '^[A-Za-z0-9_.@+-]{1,150}$' THEN
		RETURN true;
	END IF;
	BEGIN
		PERFORM inventree_perms_internal._check_name(kind, name);
	EXCEPTION WHEN invalid_parameter_value THEN
		RETURN false;
	END;
	RETURN true;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_valid_name(text, text) IS
	'Internal: does a name from Django follow the SPEC''s rules for its kind (user, group, model)?';

-- Internal: one audit row of the import.  With a caller (import_django(),
-- link_django()) as the management call's; on the trigger path of
-- link_django() (caller NULL: no management call is running, _caller() would
-- raise 55000) it names the role the session made the change as (its SET
-- ROLE, else its login role: a SECURITY DEFINER function changes neither)
-- and the acting user it set, and says which table's change caused it and
-- who owns that table.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_log(operation text, target text, detail jsonb,
											caller oid, via regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF caller IS NOT NULL THEN
		PERFORM inventree_perms_internal._log(operation, target, detail);
		RETURN;
	END IF;
	PERFORM inventree_perms_internal._audit_insert(
		CASE pg_catalog.current_setting('role')
			WHEN 'none' THEN session_user::text
			ELSE pg_catalog.current_setting('role') END,
		NULLIF(pg_catalog.current_setting('inventree_perms.acting_user', true), ''),
		operation, target,
		detail OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(
			'via', 'link_django',
			'table', via::text,
			'table_owner', (SELECT c.relowner::regrole::text FROM pg_catalog.pg_class c
							WHERE c.oid OPERATOR(pg_catalog.=) via)));
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_log(text, text, jsonb, oid, regclass) IS
	'Internal: append an audit row for the import (caller NULL: link_django()''s trigger path, via the Django table that changed)';

-- Internal: the INSERT of _django_insert() (which checks and locks the
-- foreign keys first), in primary key order; skip_existing: ON CONFLICT DO
-- NOTHING.  Returns the rows inserted.  (unnest() in the select list: a
-- function in FROM would first copy its million values to a tuplestore.)
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_insert_rows(kind text, src text,
																	   col1 text[], col2 text[], col3 text[],
																	   skip_existing boolean)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	IF kind OPERATOR(pg_catalog.=) 'memberships' AND skip_existing THEN
		INSERT INTO inventree_perms.memberships (username, groupname, source)
		SELECT x.a, x.b, src
		FROM (SELECT pg_catalog.unnest(col1) AS a, pg_catalog.unnest(col2) AS b) x
		ORDER BY x.a COLLATE pg_catalog."C", x.b COLLATE pg_catalog."C"
		ON CONFLICT DO NOTHING;
	ELSIF kind OPERATOR(pg_catalog.=) 'memberships' THEN
		INSERT INTO inventree_perms.memberships (username, groupname, source)
		SELECT x.a, x.b, src
		FROM (SELECT pg_catalog.unnest(col1) AS a, pg_catalog.unnest(col2) AS b) x
		ORDER BY x.a COLLATE pg_catalog."C", x.b COLLATE pg_catalog."C";
	ELSIF kind OPERATOR(pg_catalog.=) 'user_perms' AND skip_existing THEN
		INSERT INTO inventree_perms.user_perms (username, model, action, source)
		SELECT x.a, x.b, x.c, src
		FROM (SELECT pg_catalog.unnest(col1) AS a, pg_catalog.unnest(col2) AS b, pg_catalog.unnest(col3) AS c) x
		ORDER BY x.a COLLATE pg_catalog."C", x.b COLLATE pg_catalog."C", x.c COLLATE pg_catalog."C"
		ON CONFLICT DO NOTHING;
	ELSIF kind OPERATOR(pg_catalog.=) 'user_perms' THEN
		INSERT INTO inventree_perms.user_perms (username, model, action, source)
		SELECT x.a, x.b, x.c, src
		FROM (SELECT pg_catalog.unnest(col1) AS a, pg_catalog.unnest(col2) AS b, pg_catalog.unnest(col3) AS c) x
		ORDER BY x.a COLLATE pg_catalog."C", x.b COLLATE pg_catalog."C", x.c COLLATE pg_catalog."C";
	ELSIF kind OPERATOR(pg_catalog.=) 'owners' AND skip_existing THEN
		INSERT INTO inventree_perms.owners (id, username, groupname, source)
		SELECT x.a::bigint, x.b, x.c, src
		FROM (SELECT pg_catalog.unnest(col1) AS a, pg_catalog.unnest(col2) AS b, pg_catalog.unnest(col3) AS c) x
		ORDER BY 1
		ON CONFLICT DO NOTHING;
	ELSIF kind OPERATOR(pg_catalog.=) 'owners' THEN
		INSERT INTO inventree_perms.owners (id, username, groupname, source)
		SELECT x.a::bigint, x.b, x.c, src
		FROM (SELECT pg_catalog.unnest(col1) AS a, pg_catalog.unnest(col2) AS b, pg_catalog.unnest(col3) AS c) x
		ORDER BY 1;
	ELSIF kind OPERATOR(pg_catalog.=) 'group_perms' AND skip_existing THEN
		INSERT INTO inventree_perms.group_perms (groupname, model, action, source)
		SELECT x.a, x.b, x.c, src
		FROM (SELECT pg_catalog.unnest(col1) AS a, pg_catalog.unnest(col2) AS b, pg_catalog.unnest(col3) AS c) x
		ORDER BY x.a COLLATE pg_catalog."C", x.b COLLATE pg_catalog."C", x.c COLLATE pg_catalog."C"
		ON CONFLICT DO NOTHING;
	ELSIF kind OPERATOR(pg_catalog.=) 'group_perms' THEN
		INSERT INTO inventree_perms.group_perms (groupname, model, action, source)
		SELECT x.a, x.b, x.c, src
		FROM (SELECT pg_catalog.unnest(col1) AS a, pg_catalog.unnest(col2) AS b, pg_catalog.unnest(col3) AS c) x
		ORDER BY x.a COLLATE pg_catalog."C", x.b COLLATE pg_catalog."C", x.c COLLATE pg_catalog."C";
	END IF;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_insert_rows(text, text, text[], text[], text[], boolean) IS
	'Internal: the INSERT of _django_insert() (called by it only, after the foreign keys are checked and locked); returns the rows inserted';

-- Internal: insert the rows the import found missing in memberships
-- (col1 username, col2 groupname), user_perms (username, model, action),
-- group_perms (groupname, model, action) or owners (id, username,
-- groupname), marked as from src; returns the number inserted.  The foreign keys of those tables are checked by their
-- triggers one row at a time (a query each: two thirds of the cost of
-- inserting a million grants), so this function checks them as a whole
-- instead and skips the triggers as pg_restore --disable-triggers and
-- logical replication do, with session_replication_role = replica for its
-- own duration (a function SET: restored when it returns or fails; only a
-- superuser may set it, and this function is the bootstrap superuser's and
-- closed to PUBLIC).  Referential integrity holds by construction: every
-- user, group and model the rows name is locked FOR KEY SHARE, as each
-- foreign key check locks it, to the end of the transaction, before the
-- rows are written (except a row this transaction wrote itself, which no
-- other can see, nor so remove); one that does not exist (or was renamed
-- or deleted meanwhile) raises 23503 and nothing is written.  What replica mode does
-- not skip still runs: the write guard and the statement trigger that
-- invalidates every session's cache (ENABLE ALWAYS), the CHECK constraints
-- and unique indexes.  The rows are inserted in primary key order.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_insert(kind text, src text,
																  col1 text[], col2 text[], col3 text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET session_replication_role = replica
SET enable_nestloop = off
SET work_mem = '64MB'
SET jit = off
AS $$
DECLARE
	n bigint;
	want1 bigint;
	got1 bigint;
	want2 bigint;
	got2 bigint;
	me xid;
BEGIN
	IF kind IS NULL OR kind OPERATOR(pg_catalog.<>) ALL ('{memberships,user_perms,group_perms,owners}') THEN
		RAISE EXCEPTION 'unknown kind of row: %', kind USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF pg_catalog.cardinality(col1) IS DISTINCT FROM pg_catalog.cardinality(col2)
	   OR (kind OPERATOR(pg_catalog.<>) 'memberships'
		   AND pg_catalog.cardinality(col1) IS DISTINCT FROM pg_catalog.cardinality(col3)) THEN
		RAISE EXCEPTION 'the columns of the rows to insert differ in length'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;

	-- The parents, each once, locked as the foreign key checks lock them
	-- (a row whose parent is gone is not in the join: the counts differ).
	-- A parent this transaction wrote (xmin: a user the import has just
	-- created) is not locked: no other transaction can see it, so none can
	-- remove it before this one ends.
	me := pg_catalog.pg_current_xact_id()::xid;
	IF kind OPERATOR(pg_catalog.=) ANY ('{memberships,user_perms}') THEN
		WITH d AS MATERIALIZED (SELECT DISTINCT y.n FROM (SELECT pg_catalog.unnest(col1) AS n) y WHERE y.n IS NOT NULL)
		SELECT (SELECT pg_catalog.count(*) FROM d),
			   (SELECT pg_catalog.count(*) FROM inventree_perms.users u JOIN d ON u.name OPERATOR(pg_catalog.=) d.n
				WHERE u.xmin OPERATOR(pg_catalog.=) me)
			   OPERATOR(pg_catalog.+)
			   (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM inventree_perms.users u JOIN d ON u.name OPERATOR(pg_catalog.=) d.n
												WHERE u.xmin OPERATOR(pg_catalog.<>) me FOR KEY SHARE OF u) l)
		  INTO want1, got1;
	ELSIF kind OPERATOR(pg_catalog.=) 'group_perms' THEN
		WITH d AS MATERIALIZED (SELECT DISTINCT y.n FROM (SELECT pg_catalog.unnest(col1) AS n) y WHERE y.n IS NOT NULL)
		SELECT (SELECT pg_catalog.count(*) FROM d),
			   (SELECT pg_catalog.count(*) FROM inventree_perms.groups g JOIN d ON g.name OPERATOR(pg_catalog.=) d.n
				WHERE g.xmin OPERATOR(pg_catalog.=) me)
			   OPERATOR(pg_catalog.+)
			   (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM inventree_perms.groups g JOIN d ON g.name OPERATOR(pg_catalog.=) d.n
												WHERE g.xmin OPERATOR(pg_catalog.<>) me FOR KEY SHARE OF g) l)
		  INTO want1, got1;
	ELSE	-- owners: id, username, groupname
		WITH d AS MATERIALIZED (SELECT DISTINCT y.n FROM (SELECT pg_catalog.unnest(col2) AS n) y WHERE y.n IS NOT NULL)
		SELECT (SELECT pg_catalog.count(*) FROM d),
			   (SELECT pg_catalog.count(*) FROM inventree_perms.users u JOIN d ON u.name OPERATOR(pg_catalog.=) d.n
				WHERE u.xmin OPERATOR(pg_catalog.=) me)
			   OPERATOR(pg_catalog.+)
			   (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM inventree_perms.users u JOIN d ON u.name OPERATOR(pg_catalog.=) d.n
												WHERE u.xmin OPERATOR(pg_catalog.<>) me FOR KEY SHARE OF u) l)
		  INTO want1, got1;
	END IF;
	IF kind OPERATOR(pg_catalog.=) 'memberships' THEN
		WITH d AS MATERIALIZED (SELECT DISTINCT y.n FROM (SELECT pg_catalog.unnest(col2) AS n) y WHERE y.n IS NOT NULL)
		SELECT (SELECT pg_catalog.count(*) FROM d),
			   (SELECT pg_catalog.count(*) FROM inventree_perms.groups g JOIN d ON g.name OPERATOR(pg_catalog.=) d.n
				WHERE g.xmin OPERATOR(pg_catalog.=) me)
			   OPERATOR(pg_catalog.+)
			   (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM inventree_perms.groups g JOIN d ON g.name OPERATOR(pg_catalog.=) d.n
												WHERE g.xmin OPERATOR(pg_catalog.<>) me FOR KEY SHARE OF g) l)
		  INTO want2, got2;
	ELSIF kind OPERATOR(pg_catalog.=) 'owners' THEN
		WITH d AS MATERIALIZED (SELECT DISTINCT y.n FROM (SELECT pg_catalog.unnest(col3) AS n) y WHERE y.n IS NOT NULL)
		SELECT (SELECT pg_catalog.count(*) FROM d),
			   (SELECT pg_catalog.count(*) FROM inventree_perms.groups g JOIN d ON g.name OPERATOR(pg_catalog.=) d.n
				WHERE g.xmin OPERATOR(pg_catalog.=) me)
			   OPERATOR(pg_catalog.+)
			   (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM inventree_perms.groups g JOIN d ON g.name OPERATOR(pg_catalog.=) d.n
												WHERE g.xmin OPERATOR(pg_catalog.<>) me FOR KEY SHARE OF g) l)
		  INTO want2, got2;
	ELSE
		WITH d AS MATERIALIZED (SELECT DISTINCT y.n FROM (SELECT pg_catalog.unnest(col2) AS n) y WHERE y.n IS NOT NULL)
		SELECT (SELECT pg_catalog.count(*) FROM d),
			   (SELECT pg_catalog.count(*) FROM inventree_perms.models m JOIN d ON m.name OPERATOR(pg_catalog.=) d.n
				WHERE m.xmin OPERATOR(pg_catalog.=) me)
			   OPERATOR(pg_catalog.+)
			   (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM inventree_perms.models m JOIN d ON m.name OPERATOR(pg_catalog.=) d.n
												WHERE m.xmin OPERATOR(pg_catalog.<>) me FOR KEY SHARE OF m) l)
		  INTO want2, got2;
	END IF;
	IF got1 OPERATOR(pg_catalog.<>) want1 OR got2 OPERATOR(pg_catalog.<>) want2 THEN
		RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint', kind
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = pg_catalog.format('%s of the %s named do not exist, %s of the %s.',
											 want1 OPERATOR(pg_catalog.-) got1,
											 CASE kind WHEN 'group_perms' THEN 'groups' ELSE 'users' END,
											 want2 OPERATOR(pg_catalog.-) got2,
											 CASE WHEN kind OPERATOR(pg_catalog.=) ANY ('{memberships,owners}')
												  THEN 'groups' ELSE 'models' END);
	END IF;

	-- Without ON CONFLICT (its check before each row costs as much as the
	-- insert): the rows are not there, unless another transaction has just
	-- made one of them, or two of Django's permissions name one model and
	-- action; then the statement is made again, as a whole, skipping them.
	BEGIN
		n := inventree_perms_internal._django_insert_rows(kind, src, col1, col2, col3, false);
	EXCEPTION WHEN unique_violation THEN
		n := inventree_perms_internal._django_insert_rows(kind, src, col1, col2, col3, true);
	END;
	RETURN n;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_insert(text, text, text[], text[], text[]) IS
	'Internal: insert the import''s new memberships, user_perms, group_perms or owners rows (columns as arrays) with their foreign keys checked and locked as a whole (23503), then the row triggers of those keys skipped (session_replication_role = replica for its own duration); returns the rows inserted';

-- Internal: the import.  caller is the role to check (import_django(),
-- link_django()), or NULL on the trigger path of link_django() (no caller
-- check: the link was authorised when it was made; the audit row names the
-- session's login role and the trigger's table).  opened: what
-- _django_open() returned, or NULL to open the schema here.  Identity is
-- Django's primary key (users.django_id, groups.django_id; models record
-- their content type's id in django_ct): a changed name is a rename.  Set
-- based: each step is one statement over Django's rows, and a run that
-- finds nothing to change writes nothing.  Hash joins (enable_nestloop and
-- enable_mergejoin off, work_mem for them): the statistics of the tables it
-- fills are those of before the import, so a nested loop planned on them
-- could be quadratic, and a merge join sorts a million of Django's rows that
-- a hash of a thousand permissions would join (and a generic plan, whose
-- arrays have default sizes, stays a hash join).
-- No JIT: compiling each statement would cost more than running it.  Plans
-- are cached as usual: forcing custom plans would also re-plan the foreign
-- key check of every row the import writes.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_sync(source_schema name, caller oid, via regclass, opened oid[])
RETURNS TABLE (what text, count bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET enable_nestloop = off
SET enable_mergejoin = off
SET work_mem = '64MB'
SET jit = off
AS $$
DECLARE
	src text := source_schema::text;
	rels oid[];
	o oid;
	-- Django's users and groups with valid names, by id
	u_id bigint[];
	u_name text[];
	u_su boolean[];
	u_act boolean[];
	u_gone text[];	-- names of this schema's users Django no longer has
	g_id bigint[];
	g_name text[];
	-- what this run did
	n_users bigint := 0;
	n_groups bigint := 0;
	n_members bigint := 0;
	n_models bigint := 0;
	n_renamed_models bigint := 0;
	n_uperms bigint := 0;
	n_gperms bigint := 0;
	n_flags bigint := 0;
	n_removed bigint := 0;
	n_owners bigint;	-- NULL: the schema has no users_owner
	-- Django's permissions that grant an action on a registered model
	pm_id bigint[];
	pm_model text[];
	pm_act text[];
	-- and the custom ones
	cu_id bigint[];
	cu_app text[];
	cu_code text[];
	k bigint;
	r_what text[] := '{}';
	r_n bigint[] := '{}';
	-- rows to write (memberships, user_perms, group_perms) and to delete
	ins_a text[];
	ins_b text[];
	ins_c text[];
	del_a text[];
	del_b text[];
	del_c text[];
	ow_id bigint[];
	ow_del bigint[];
	w text[];
	wn bigint[];
	ren_row record;
	detail jsonb;
BEGIN
	-- One import of this schema at a time: each one then reads what the
	-- previous committed.  (The key is the schema's: imports and linked
	-- writes of other schemas never wait for it.)
	PERFORM inventree_perms_internal._django_lock(0, pg_catalog.hashtext(source_schema::text), true);

	-- Lock and check Django's tables; from here on they are read by OID as
	-- their owner (_django_read), named columns only, never the password.
	rels := coalesce(opened, inventree_perms_internal._django_open(source_schema, caller));
	-- A linked schema is followed through triggers on the tables link_django()
	-- found: a Django table created (an optional one, such as users_ruleset)
	-- or re-created since has none, so changes in it would not be followed.
	-- Fail closed until the link is made again (link_django() itself passes
	-- the tables it is about to record).
	IF (opened IS NULL OR via IS NOT NULL) AND EXISTS (
			SELECT 1 FROM inventree_perms.django_links l
			 WHERE l.source_schema OPERATOR(pg_catalog.=) _django_sync.source_schema
			   AND l.tables IS NOT NULL
			   AND l.tables::oid[] IS DISTINCT FROM ARRAY(
					SELECT NULLIF(x.r, 0) FROM pg_catalog.unnest(rels[2:]) WITH ORDINALITY x(r, i) ORDER BY x.i)) THEN
		RAISE EXCEPTION 'the Django tables of schema "%" changed since it was linked', source_schema
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'A Django table was created, dropped or re-created since link_django(); its changes would not be followed.',
				  HINT = 'Call inventree_perms.link_django() for the schema again.';
	END IF;
	o := rels[1];

	-- Django's users and groups; names the SPEC refuses are skipped.  (The
	-- arrays of one query are filled in the same row order.)
	SELECT coalesce(pg_catalog.array_agg(x.id) FILTER (WHERE x.ok), '{}'),
		   coalesce(pg_catalog.array_agg(x.username) FILTER (WHERE x.ok), '{}'),
		   coalesce(pg_catalog.array_agg(x.is_superuser) FILTER (WHERE x.ok), '{}'),
		   coalesce(pg_catalog.array_agg(x.is_active) FILTER (WHERE x.ok), '{}'),
		   pg_catalog.count(*) FILTER (WHERE NOT x.ok)
	  INTO u_id, u_name, u_su, u_act, k
	  FROM (SELECT u.*, (u.username OPERATOR(pg_catalog.~) '^[A-Za-z0-9_.@+-]+$'
							 AND pg_catalog.length(u.username) OPERATOR(pg_catalog.<=) 150
							OR inventree_perms_internal._django_valid_name('user', u.username)) AS ok
			FROM inventree_perms_internal._django_read(rels[2], 'auth_user', o)
				 AS u(id bigint, username text, is_superuser boolean, is_active boolean)) x;
	IF k OPERATOR(pg_catalog.>) 0 THEN
		r_what := r_what OPERATOR(pg_catalog.||) 'invalid_user_names'::text;
		r_n := r_n OPERATOR(pg_catalog.||) k;
	END IF;
	SELECT coalesce(pg_catalog.array_agg(x.id) FILTER (WHERE x.ok), '{}'),
		   coalesce(pg_catalog.array_agg(x.name) FILTER (WHERE x.ok), '{}'),
		   pg_catalog.count(*) FILTER (WHERE NOT x.ok)
	  INTO g_id, g_name, k
	  FROM (SELECT g.*, (g.name OPERATOR(pg_catalog.~) '^[A-Za-z0-9_.@+-]+$'
							 AND pg_catalog.length(g.name) OPERATOR(pg_catalog.<=) 150
							OR inventree_perms_internal._django_valid_name('group', g.name)) AS ok
			FROM inventree_perms_internal._django_read(rels[3], 'auth_group', o) AS g(id bigint, name text)) x;
	IF k OPERATOR(pg_catalog.>) 0 THEN
		r_what := r_what OPERATOR(pg_catalog.||) 'invalid_group_names'::text;
		r_n := r_n OPERATOR(pg_catalog.||) k;
	END IF;

	-- Rows this schema imported before Django's ids were kept (1.1): they
	-- are Django's row of the same name.
	IF EXISTS (SELECT 1 FROM inventree_perms.users u
			   WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id IS NULL) THEN
		UPDATE inventree_perms.users u SET django_id = x.id
		  FROM ROWS FROM (pg_catalog.unnest(u_id), pg_catalog.unnest(u_name)) x(id, n)
		 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id IS NULL AND u.name OPERATOR(pg_catalog.=) x.n
		   AND NOT EXISTS (SELECT 1 FROM inventree_perms.users v
						   WHERE v.source OPERATOR(pg_catalog.=) src AND v.django_id OPERATOR(pg_catalog.=) x.id);
	END IF;

	UPDATE inventree_perms.groups g SET django_id = x.id
	  FROM ROWS FROM (pg_catalog.unnest(g_id), pg_catalog.unnest(g_name)) x(id, n)
	 WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id IS NULL AND g.name OPERATOR(pg_catalog.=) x.n
	   AND NOT EXISTS (SELECT 1 FROM inventree_perms.groups v
					   WHERE v.source OPERATOR(pg_catalog.=) src AND v.django_id OPERATOR(pg_catalog.=) x.id);

	-- From here on, the users steps need only Django's users that are new
	-- or differ from this schema's row of the same id (a user that matches
	-- is neither created, renamed, changed, removed nor in conflict), and
	-- this schema's users Django no longer has: one full join finds both,
	-- so that a run that changes nothing does each step over no rows.
	SELECT coalesce(pg_catalog.array_agg(x.id) FILTER (WHERE x.id IS NOT NULL), '{}'),
		   coalesce(pg_catalog.array_agg(x.n) FILTER (WHERE x.id IS NOT NULL), '{}'),
		   coalesce(pg_catalog.array_agg(x.s) FILTER (WHERE x.id IS NOT NULL), '{}'),
		   coalesce(pg_catalog.array_agg(x.a) FILTER (WHERE x.id IS NOT NULL), '{}'),
		   coalesce(pg_catalog.array_agg(u.name) FILTER (WHERE x.id IS NULL), '{}')
	  INTO u_id, u_name, u_su, u_act, u_gone
	  FROM ROWS FROM (pg_catalog.unnest(u_id), pg_catalog.unnest(u_name), pg_catalog.unnest(u_su), pg_catalog.unnest(u_act)) x(id, n, s, a)
	  FULL JOIN (SELECT v.* FROM inventree_perms.users v WHERE v.source OPERATOR(pg_catalog.=) src) u
		ON u.django_id OPERATOR(pg_catalog.=) x.id
	 WHERE x.id IS NULL OR u.name IS NULL
		OR (u.name, u.is_superuser, u.is_active) IS DISTINCT FROM (x.n, x.s, x.a);

	-- Creating, changing (renaming included) or removing a superuser needs
	-- a superuser.
	IF caller IS NOT NULL AND (
		EXISTS (SELECT 1
				FROM ROWS FROM (pg_catalog.unnest(u_id), pg_catalog.unnest(u_name), pg_catalog.unnest(u_su), pg_catalog.unnest(u_act)) x(id, n, s, a)
				LEFT JOIN inventree_perms.users u ON u.source OPERATOR(pg_catalog.=) src
												 AND u.django_id OPERATOR(pg_catalog.=) x.id
				WHERE (u.name IS NULL AND x.s)
				   OR (u.name IS NOT NULL AND (u.is_superuser OR x.s)
					   AND (u.is_superuser, u.is_active, u.name) IS DISTINCT FROM (x.s, x.a, x.n)))
		OR EXISTS (SELECT 1 FROM inventree_perms.users u
				   JOIN pg_catalog.unnest(u_gone) x(n) ON x.n OPERATOR(pg_catalog.=) u.name
				   WHERE u.source OPERATOR(pg_catalog.=) src AND u.is_superuser)) THEN
		PERFORM inventree_perms_internal._require_superadmin('import a superuser from Django');
	END IF;

	-- Users.  Identity is Django's id: removed ids are removed, a changed
	-- username is a rename (one audit row each; what hangs on the user
	-- stays), a name held by another row is reported and skipped.
	IF pg_catalog.cardinality(u_gone) OPERATOR(pg_catalog.>) 0 THEN
		DELETE FROM inventree_perms.users u
		 USING pg_catalog.unnest(u_gone) x(n)
		 WHERE u.source OPERATOR(pg_catalog.=) src AND u.name OPERATOR(pg_catalog.=) x.n;
		GET DIAGNOSTICS k = ROW_COUNT;
		n_removed := n_removed OPERATOR(pg_catalog.+) k;
	END IF;
	IF pg_catalog.cardinality(u_id) OPERATOR(pg_catalog.>) 0 THEN
		FOR ren_row IN
			WITH ren AS (
				UPDATE inventree_perms.users u SET name = x.n
				  FROM ROWS FROM (pg_catalog.unnest(u_id), pg_catalog.unnest(u_name)) x(id, n)
				 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) x.id
				   AND u.name OPERATOR(pg_catalog.<>) x.n
				   AND NOT EXISTS (SELECT 1 FROM inventree_perms.users v WHERE v.name OPERATOR(pg_catalog.=) x.n)
				RETURNING u.django_id, u.name)
			SELECT ren.name AS new_name,
				   (SELECT u.name FROM inventree_perms.users u WHERE u.source OPERATOR(pg_catalog.=) src
					  AND u.django_id OPERATOR(pg_catalog.=) ren.django_id) AS old_name
			FROM ren ORDER BY ren.name
		LOOP
			PERFORM inventree_perms_internal._django_log('rename_user', ren_row.new_name,
				pg_catalog.jsonb_build_object('from', ren_row.old_name, 'to', ren_row.new_name, 'source', src), caller, via);
			n_users := n_users OPERATOR(pg_catalog.+) 1;
		END LOOP;
		UPDATE inventree_perms.users u SET is_superuser = x.s, is_active = x.a
		  FROM ROWS FROM (pg_catalog.unnest(u_id), pg_catalog.unnest(u_su), pg_catalog.unnest(u_act)) x(id, s, a)
		 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) x.id
		   AND (u.is_superuser, u.is_active) IS DISTINCT FROM (x.s, x.a);
		GET DIAGNOSTICS k = ROW_COUNT;
		n_users := n_users OPERATOR(pg_catalog.+) k;
		-- New users, in name order, without ON CONFLICT (its check before
		-- each row costs about as much as the insert): a name taken
		-- meanwhile by another transaction makes the insert again, as a
		-- whole, skipping such names (reported below).
		BEGIN
			INSERT INTO inventree_perms.users (name, is_superuser, is_active, source, django_id)
			SELECT x.n, x.s, x.a, src, x.id
			FROM ROWS FROM (pg_catalog.unnest(u_id), pg_catalog.unnest(u_name), pg_catalog.unnest(u_su), pg_catalog.unnest(u_act)) x(id, n, s, a)
			WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.users u
							  WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) x.id)
			  AND NOT EXISTS (SELECT 1 FROM inventree_perms.users u WHERE u.name OPERATOR(pg_catalog.=) x.n)
			ORDER BY x.n COLLATE pg_catalog."C";
			GET DIAGNOSTICS k = ROW_COUNT;
		EXCEPTION WHEN unique_violation THEN
			INSERT INTO inventree_perms.users (name, is_superuser, is_active, source, django_id)
			SELECT x.n, x.s, x.a, src, x.id
			FROM ROWS FROM (pg_catalog.unnest(u_id), pg_catalog.unnest(u_name), pg_catalog.unnest(u_su), pg_catalog.unnest(u_act)) x(id, n, s, a)
			WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.users u
							  WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) x.id)
			  AND NOT EXISTS (SELECT 1 FROM inventree_perms.users u WHERE u.name OPERATOR(pg_catalog.=) x.n)
			ON CONFLICT DO NOTHING;
			GET DIAGNOSTICS k = ROW_COUNT;
		END;
		n_users := n_users OPERATOR(pg_catalog.+) k;
		-- Django users whose name another row holds: reported, skipped.
		SELECT coalesce(pg_catalog.array_agg('conflict_user:' OPERATOR(pg_catalog.||) x.n ORDER BY x.n), '{}'),
			   coalesce(pg_catalog.array_agg(1::bigint), '{}')
		  INTO w, wn
		  FROM ROWS FROM (pg_catalog.unnest(u_id), pg_catalog.unnest(u_name)) x(id, n)
		 WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.users u
						   WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) x.id
							 AND u.name OPERATOR(pg_catalog.=) x.n);
		r_what := r_what OPERATOR(pg_catalog.||) w;
		r_n := r_n OPERATOR(pg_catalog.||) wn;
	END IF;

	-- Groups, the same way.
	WITH d AS (SELECT x.id FROM pg_catalog.unnest(g_id) x(id)),
	del AS (
		DELETE FROM inventree_perms.groups g
		WHERE g.source OPERATOR(pg_catalog.=) src
		  AND NOT EXISTS (SELECT 1 FROM d WHERE d.id OPERATOR(pg_catalog.=) g.django_id)
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO k FROM del;
	n_removed := n_removed OPERATOR(pg_catalog.+) k;
	FOR ren_row IN
		WITH ren AS (
			UPDATE inventree_perms.groups g SET name = x.n
			  FROM ROWS FROM (pg_catalog.unnest(g_id), pg_catalog.unnest(g_name)) x(id, n)
			 WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) x.id
			   AND g.name OPERATOR(pg_catalog.<>) x.n
			   AND NOT EXISTS (SELECT 1 FROM inventree_perms.groups v WHERE v.name OPERATOR(pg_catalog.=) x.n)
			RETURNING g.django_id, g.name)
		SELECT ren.name AS new_name,
			   (SELECT g.name FROM inventree_perms.groups g WHERE g.source OPERATOR(pg_catalog.=) src
				  AND g.django_id OPERATOR(pg_catalog.=) ren.django_id) AS old_name
		FROM ren ORDER BY ren.name
	LOOP
		PERFORM inventree_perms_internal._django_log('rename_group', ren_row.new_name,
			pg_catalog.jsonb_build_object('from', ren_row.old_name, 'to', ren_row.new_name, 'source', src), caller, via);
		n_groups := n_groups OPERATOR(pg_catalog.+) 1;
	END LOOP;
	WITH ins AS (
		INSERT INTO inventree_perms.groups (name, source, django_id)
		SELECT x.n, src, x.id
		FROM ROWS FROM (pg_catalog.unnest(g_id), pg_catalog.unnest(g_name)) x(id, n)
		WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.groups g
						  WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) x.id)
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.groups g WHERE g.name OPERATOR(pg_catalog.=) x.n)
		ON CONFLICT DO NOTHING
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO k FROM ins;
	n_groups := n_groups OPERATOR(pg_catalog.+) k;
	SELECT coalesce(pg_catalog.array_agg('conflict_group:' OPERATOR(pg_catalog.||) x.n ORDER BY x.n), '{}'),
		   coalesce(pg_catalog.array_agg(1::bigint), '{}')
	  INTO w, wn
	  FROM ROWS FROM (pg_catalog.unnest(g_id), pg_catalog.unnest(g_name)) x(id, n)
	 WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.groups g
					   WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) x.id
						 AND g.name OPERATOR(pg_catalog.=) x.n);
	r_what := r_what OPERATOR(pg_catalog.||) w;
	r_n := r_n OPERATOR(pg_catalog.||) wn;

	-- Memberships, between this schema's users and groups, by Django ids.
	-- What Django has (want) and what is here, in one full join: only the
	-- differences are written (a row here, hand-made or not, is never
	-- inserted again; a row of this schema Django no longer has goes).
	-- The differences are collected first, by a plain query (hash joins,
	-- nothing materialised: a run that finds none writes nothing), then
	-- written: the new rows by _django_insert(), the gone ones by one DELETE.
	-- Django's rows are unique, and a duplicate would only meet ON CONFLICT.
	SELECT coalesce(pg_catalog.array_agg(d.wu) FILTER (WHERE d.hu IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.wg) FILTER (WHERE d.hu IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.hu) FILTER (WHERE d.wu IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.hg) FILTER (WHERE d.wu IS NULL), '{}')
	  INTO ins_a, ins_b, del_a, del_b
	  FROM (SELECT want.username AS wu, want.groupname AS wg, x.username AS hu, x.groupname AS hg
			FROM (SELECT u.name AS username, g.name AS groupname
				  FROM inventree_perms_internal._django_read(rels[4], 'auth_user_groups', o)
					   AS ug(user_id bigint, group_id bigint)
				  JOIN inventree_perms.users u ON u.source OPERATOR(pg_catalog.=) src
											  AND u.django_id OPERATOR(pg_catalog.=) ug.user_id
				  JOIN inventree_perms.groups g ON g.source OPERATOR(pg_catalog.=) src
											   AND g.django_id OPERATOR(pg_catalog.=) ug.group_id) want
			FULL JOIN inventree_perms.memberships x
			  ON x.username OPERATOR(pg_catalog.=) want.username AND x.groupname OPERATOR(pg_catalog.=) want.groupname
			WHERE x.username IS NULL
			   OR (want.username IS NULL AND x.source OPERATOR(pg_catalog.=) src)) d;
	IF pg_catalog.cardinality(ins_a) OPERATOR(pg_catalog.>) 0 THEN
		n_members := inventree_perms_internal._django_insert('memberships', src, ins_a, ins_b, NULL);
	END IF;
	IF pg_catalog.cardinality(del_a) OPERATOR(pg_catalog.>) 0 THEN
		DELETE FROM inventree_perms.memberships m
		 USING ROWS FROM (pg_catalog.unnest(del_a), pg_catalog.unnest(del_b)) d(a, b)
		 WHERE m.source OPERATOR(pg_catalog.=) src
		   AND m.username OPERATOR(pg_catalog.=) d.a AND m.groupname OPERATOR(pg_catalog.=) d.b;
		GET DIAGNOSTICS k = ROW_COUNT;
		n_removed := n_removed OPERATOR(pg_catalog.+) k;
	END IF;

	-- A model imported from a content type whose name changed in Django (a
	-- RenameModel migration) is renamed: identity is the content type's id,
	-- and what hangs on the model (hand-made grants included) stays, under
	-- the new name (one audit row).  Not a model a table is protected with
	-- (its policies name it), nor one whose new name is taken.
	FOR ren_row IN
		WITH d AS (
			SELECT ct.id, ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model AS n
			FROM inventree_perms_internal._django_read(rels[5], 'django_content_type', o)
				 AS ct(id bigint, app_label text, model text)
		), ren AS (
			UPDATE inventree_perms.models m SET name = d.n
			  FROM d
			 WHERE m.source OPERATOR(pg_catalog.=) src AND m.django_ct OPERATOR(pg_catalog.=) d.id
			   AND m.name OPERATOR(pg_catalog.<>) d.n
			   AND d.n OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_.]*$'
			   AND pg_catalog.length(d.n) OPERATOR(pg_catalog.<=) 63
			   AND NOT m.builtin AND NOT m.shipped
			   AND NOT EXISTS (SELECT 1 FROM inventree_perms.models v WHERE v.name OPERATOR(pg_catalog.=) d.n)
			   AND NOT EXISTS (SELECT 1 FROM inventree_perms.protected p
							   WHERE p.model OPERATOR(pg_catalog.=) m.name)
			RETURNING m.django_ct, m.name)
		SELECT ren.name AS new_name,
			   (SELECT m.name FROM inventree_perms.models m WHERE m.source OPERATOR(pg_catalog.=) src
				  AND m.django_ct OPERATOR(pg_catalog.=) ren.django_ct) AS old_name
		FROM ren ORDER BY ren.name
	LOOP
		PERFORM inventree_perms_internal._django_log('rename_model', ren_row.new_name,
			pg_catalog.jsonb_build_object('from', ren_row.old_name, 'to', ren_row.new_name, 'source', src), caller, via);
		n_renamed_models := n_renamed_models OPERATOR(pg_catalog.+) 1;
	END LOOP;

	-- Models: every content type is <app_label>_<model>.  A name the SPEC
	-- refuses (longer than 63 characters, ...) is reported by name.  Only
	-- names not registered at all are inserted (an INSERT of a catalogue
	-- model's name would update that row: see _upsert_shipped()).
	SELECT coalesce(pg_catalog.array_agg('invalid_model:' OPERATOR(pg_catalog.||) x.n ORDER BY x.n), '{}'),
		   coalesce(pg_catalog.array_agg(1::bigint), '{}')
	  INTO w, wn
	  FROM (SELECT ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model AS n
			FROM inventree_perms_internal._django_read(rels[5], 'django_content_type', o)
				 AS ct(id bigint, app_label text, model text)) x
	 WHERE NOT (x.n OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_.]*$'
				AND pg_catalog.length(x.n) OPERATOR(pg_catalog.<=) 63);
	IF pg_catalog.cardinality(w) OPERATOR(pg_catalog.>) 0 THEN
		r_what := r_what OPERATOR(pg_catalog.||) 'invalid_model_names'::text OPERATOR(pg_catalog.||) w;
		r_n := r_n OPERATOR(pg_catalog.||) pg_catalog.cardinality(w)::bigint OPERATOR(pg_catalog.||) wn;
	END IF;
	WITH d AS (
		SELECT ct.id, ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model AS n
		FROM inventree_perms_internal._django_read(rels[5], 'django_content_type', o)
			 AS ct(id bigint, app_label text, model text)
	), ins AS (
		INSERT INTO inventree_perms.models (name, description, source, django_ct)
		SELECT DISTINCT ON (d.n) d.n, 'Django model ' OPERATOR(pg_catalog.||) d.n, src, d.id
		FROM d
		WHERE d.n OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_.]*$'
		  AND pg_catalog.length(d.n) OPERATOR(pg_catalog.<=) 63
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.models m WHERE m.name OPERATOR(pg_catalog.=) d.n)
		ORDER BY d.n, d.id
		ON CONFLICT (name) DO NOTHING
		RETURNING 1),
	kept AS (
		SELECT m.name FROM inventree_perms.models m
		WHERE m.source OPERATOR(pg_catalog.=) src
		  AND NOT EXISTS (SELECT 1 FROM d WHERE d.n OPERATOR(pg_catalog.=) m.name)
		  AND EXISTS (SELECT 1 FROM inventree_perms.protected p WHERE p.model OPERATOR(pg_catalog.=) m.name)),
	del AS (
		DELETE FROM inventree_perms.models m
		WHERE m.source OPERATOR(pg_catalog.=) src
		  AND NOT EXISTS (SELECT 1 FROM d WHERE d.n OPERATOR(pg_catalog.=) m.name)
		  AND NOT m.builtin AND NOT m.shipped
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.protected p
						  WHERE p.model OPERATOR(pg_catalog.=) m.name)
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM ins), (SELECT pg_catalog.count(*) FROM del),
		   (SELECT coalesce(pg_catalog.array_agg('kept_protected_model:' OPERATOR(pg_catalog.||) kept.name ORDER BY kept.name), '{}') FROM kept),
		   (SELECT coalesce(pg_catalog.array_agg(1::bigint), '{}') FROM kept)
	  INTO n_models, k, w, wn;
	n_models := n_models OPERATOR(pg_catalog.+) n_renamed_models;
	n_removed := n_removed OPERATOR(pg_catalog.+) k;
	r_what := r_what OPERATOR(pg_catalog.||) w;
	r_n := r_n OPERATOR(pg_catalog.||) wn;
	-- The content type id of this schema's models (for an id that was
	-- not yet recorded, or changed with Django's table).
	UPDATE inventree_perms.models m SET django_ct = x.id
	  FROM (SELECT DISTINCT ON (ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model)
				   ct.id, ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model AS n
			FROM inventree_perms_internal._django_read(rels[5], 'django_content_type', o)
				 AS ct(id bigint, app_label text, model text)
			ORDER BY 2, 1) x
	 WHERE m.source OPERATOR(pg_catalog.=) src AND m.name OPERATOR(pg_catalog.=) x.n
	   AND m.django_ct IS DISTINCT FROM x.id;

	-- Django's permissions: (content type, codename) -> (model, action), or
	-- a custom codename, reported with the number of users and groups
	-- holding it, never guessed.  Read once: the permissions that grant
	-- something on a registered model into arrays (joined by hash below),
	-- the custom ones' holders by permission_id (Django's index).
	SELECT coalesce(pg_catalog.array_agg(x.id) FILTER (WHERE x.act IS NOT NULL AND x.known), '{}'),
		   coalesce(pg_catalog.array_agg(x.model) FILTER (WHERE x.act IS NOT NULL AND x.known), '{}'),
		   coalesce(pg_catalog.array_agg(x.act) FILTER (WHERE x.act IS NOT NULL AND x.known), '{}'),
		   coalesce(pg_catalog.array_agg(x.id) FILTER (WHERE x.act IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(x.app) FILTER (WHERE x.act IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(x.codename) FILTER (WHERE x.act IS NULL), '{}')
	  INTO pm_id, pm_model, pm_act, cu_id, cu_app, cu_code
	  FROM (SELECT p.id, ct.app_label AS app, ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model AS model,
				   p.codename, inventree_perms_internal._django_action(ct.model, p.codename) AS act,
				   EXISTS (SELECT 1 FROM inventree_perms.models m
						   WHERE m.name OPERATOR(pg_catalog.=) (ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model)) AS known
			FROM inventree_perms_internal._django_read(rels[6], 'auth_permission', o) AS p(id bigint, content_type_id bigint, codename text)
			JOIN inventree_perms_internal._django_read(rels[5], 'django_content_type', o) AS ct(id bigint, app_label text, model text)
			  ON ct.id OPERATOR(pg_catalog.=) p.content_type_id) x;
	WITH custom AS (
		SELECT * FROM ROWS FROM (pg_catalog.unnest(cu_id), pg_catalog.unnest(cu_app), pg_catalog.unnest(cu_code)) c(id, app, codename)
	), holders AS (
		SELECT c.app, c.codename, 'u' AS kind, up.user_id AS h
		FROM custom c,
			 LATERAL inventree_perms_internal._django_read_by(rels[8], 'auth_user_user_permissions', o, 'permission_id', c.id)
				AS up(user_id bigint, permission_id bigint)
		UNION
		SELECT c.app, c.codename, 'g', gp.group_id
		FROM custom c,
			 LATERAL inventree_perms_internal._django_read_by(rels[7], 'auth_group_permissions', o, 'permission_id', c.id)
				AS gp(group_id bigint, permission_id bigint)
	)
	SELECT coalesce(pg_catalog.array_agg('custom_codename:' OPERATOR(pg_catalog.||) x.app
										 OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) x.codename
										 ORDER BY x.app, x.codename), '{}'),
		   coalesce(pg_catalog.array_agg(x.n ORDER BY x.app, x.codename), '{}')
	  INTO w, wn
	  FROM (SELECT holders.app, holders.codename, pg_catalog.count(*) AS n
			FROM holders GROUP BY holders.app, holders.codename) x;
	r_what := r_what OPERATOR(pg_catalog.||) w;
	r_n := r_n OPERATOR(pg_catalog.||) wn;

	-- Direct user permissions, as memberships (one full join: only the
	-- differences are written).
	SELECT coalesce(pg_catalog.array_agg(d.wn) FILTER (WHERE d.hn IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.wm) FILTER (WHERE d.hn IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.wa) FILTER (WHERE d.hn IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.hn) FILTER (WHERE d.wn IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.hm) FILTER (WHERE d.wn IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.ha) FILTER (WHERE d.wn IS NULL), '{}')
	  INTO ins_a, ins_b, ins_c, del_a, del_b, del_c
	  FROM (SELECT want.username AS wn, want.model AS wm, want.action AS wa,
				   x.username AS hn, x.model AS hm, x.action AS ha
			FROM (SELECT u.name AS username, p.model, p.act AS action
				  FROM inventree_perms_internal._django_read(rels[8], 'auth_user_user_permissions', o)
					   AS r(user_id bigint, permission_id bigint)
				  JOIN ROWS FROM (pg_catalog.unnest(pm_id), pg_catalog.unnest(pm_model), pg_catalog.unnest(pm_act))
					   p(id, model, act) ON p.id OPERATOR(pg_catalog.=) r.permission_id
				  JOIN inventree_perms.users u ON u.source OPERATOR(pg_catalog.=) src
											  AND u.django_id OPERATOR(pg_catalog.=) r.user_id) want
			FULL JOIN inventree_perms.user_perms x
			  ON x.username OPERATOR(pg_catalog.=) want.username AND x.model OPERATOR(pg_catalog.=) want.model
			 AND x.action OPERATOR(pg_catalog.=) want.action
			WHERE x.username IS NULL
			   OR (want.username IS NULL AND x.source OPERATOR(pg_catalog.=) src)) d;
	IF pg_catalog.cardinality(ins_a) OPERATOR(pg_catalog.>) 0 THEN
		n_uperms := inventree_perms_internal._django_insert('user_perms', src, ins_a, ins_b, ins_c);
	END IF;
	IF pg_catalog.cardinality(del_a) OPERATOR(pg_catalog.>) 0 THEN
		DELETE FROM inventree_perms.user_perms x
		 USING ROWS FROM (pg_catalog.unnest(del_a), pg_catalog.unnest(del_b), pg_catalog.unnest(del_c)) d(a, b, c)
		 WHERE x.source OPERATOR(pg_catalog.=) src AND x.username OPERATOR(pg_catalog.=) d.a
		   AND x.model OPERATOR(pg_catalog.=) d.b AND x.action OPERATOR(pg_catalog.=) d.c;
		GET DIAGNOSTICS k = ROW_COUNT;
		n_removed := n_removed OPERATOR(pg_catalog.+) k;
	END IF;

	-- Group permissions.
	SELECT coalesce(pg_catalog.array_agg(d.wn) FILTER (WHERE d.hn IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.wm) FILTER (WHERE d.hn IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.wa) FILTER (WHERE d.hn IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.hn) FILTER (WHERE d.wn IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.hm) FILTER (WHERE d.wn IS NULL), '{}'),
		   coalesce(pg_catalog.array_agg(d.ha) FILTER (WHERE d.wn IS NULL), '{}')
	  INTO ins_a, ins_b, ins_c, del_a, del_b, del_c
	  FROM (SELECT want.groupname AS wn, want.model AS wm, want.action AS wa,
				   x.groupname AS hn, x.model AS hm, x.action AS ha
			FROM (SELECT g.name AS groupname, p.model, p.act AS action
				  FROM inventree_perms_internal._django_read(rels[7], 'auth_group_permissions', o)
					   AS r(group_id bigint, permission_id bigint)
				  JOIN ROWS FROM (pg_catalog.unnest(pm_id), pg_catalog.unnest(pm_model), pg_catalog.unnest(pm_act))
					   p(id, model, act) ON p.id OPERATOR(pg_catalog.=) r.permission_id
				  JOIN inventree_perms.groups g ON g.source OPERATOR(pg_catalog.=) src
											  AND g.django_id OPERATOR(pg_catalog.=) r.group_id) want
			FULL JOIN inventree_perms.group_perms x
			  ON x.groupname OPERATOR(pg_catalog.=) want.groupname AND x.model OPERATOR(pg_catalog.=) want.model
			 AND x.action OPERATOR(pg_catalog.=) want.action
			WHERE x.groupname IS NULL
			   OR (want.groupname IS NULL AND x.source OPERATOR(pg_catalog.=) src)) d;
	IF pg_catalog.cardinality(ins_a) OPERATOR(pg_catalog.>) 0 THEN
		n_gperms := inventree_perms_internal._django_insert('group_perms', src, ins_a, ins_b, ins_c);
	END IF;
	IF pg_catalog.cardinality(del_a) OPERATOR(pg_catalog.>) 0 THEN
		DELETE FROM inventree_perms.group_perms x
		 USING ROWS FROM (pg_catalog.unnest(del_a), pg_catalog.unnest(del_b), pg_catalog.unnest(del_c)) d(a, b, c)
		 WHERE x.source OPERATOR(pg_catalog.=) src AND x.groupname OPERATOR(pg_catalog.=) d.a
		   AND x.model OPERATOR(pg_catalog.=) d.b AND x.action OPERATOR(pg_catalog.=) d.c;
		GET DIAGNOSTICS k = ROW_COUNT;
		n_removed := n_removed OPERATOR(pg_catalog.+) k;
	END IF;


	-- Role flags from InvenTree's rulesets, as stored.
	IF rels[9] OPERATOR(pg_catalog.<>) 0 THEN
		WITH rs AS (
			SELECT r.*
			FROM inventree_perms_internal._django_read(rels[9], 'users_ruleset', o)
				 AS r(name text, group_id bigint, can_view boolean, can_add boolean,
					  can_change boolean, can_delete boolean)
			JOIN pg_catalog.unnest(g_id) x(id) ON x.id OPERATOR(pg_catalog.=) r.group_id)
		SELECT coalesce(pg_catalog.array_agg('unknown_role:' OPERATOR(pg_catalog.||) x.r ORDER BY x.r), '{}'),
			   coalesce(pg_catalog.array_agg(x.n ORDER BY x.r), '{}')
		  INTO w, wn
		  FROM (SELECT rs.name AS r, pg_catalog.count(*) AS n FROM rs
				WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.roles ro WHERE ro.name OPERATOR(pg_catalog.=) rs.name)
				GROUP BY rs.name) x;
		r_what := r_what OPERATOR(pg_catalog.||) w;
		r_n := r_n OPERATOR(pg_catalog.||) wn;
	END IF;
	WITH want AS (
		SELECT DISTINCT g.name AS groupname, ro.name AS role, f.act AS action
		FROM inventree_perms_internal._django_read(rels[9], 'users_ruleset', o)
			 AS r(name text, group_id bigint, can_view boolean, can_add boolean,
				  can_change boolean, can_delete boolean)
		CROSS JOIN LATERAL (VALUES ('view'::text, r.can_view), ('add', r.can_add),
								   ('change', r.can_change), ('delete', r.can_delete)) f(act, isset)
		JOIN inventree_perms.groups g ON g.source OPERATOR(pg_catalog.=) src
									 AND g.django_id OPERATOR(pg_catalog.=) r.group_id
		JOIN inventree_perms.roles ro ON ro.name OPERATOR(pg_catalog.=) r.name
		WHERE rels[9] OPERATOR(pg_catalog.<>) 0 AND f.isset
	), ins AS (
		INSERT INTO inventree_perms.group_roles (groupname, role, action, source)
		SELECT want.groupname, want.role, want.action, src FROM want
		ON CONFLICT DO NOTHING
		RETURNING 1),
	del AS (
		DELETE FROM inventree_perms.group_roles x
		WHERE x.source OPERATOR(pg_catalog.=) src
		  AND NOT EXISTS (SELECT 1 FROM want WHERE want.groupname OPERATOR(pg_catalog.=) x.groupname
												AND want.role OPERATOR(pg_catalog.=) x.role
												AND want.action OPERATOR(pg_catalog.=) x.action)
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM ins), (SELECT pg_catalog.count(*) FROM del) INTO n_flags, k;
	n_removed := n_removed OPERATOR(pg_catalog.+) k;

	-- Owners from InvenTree's users_owner (when present): an owner id
	-- stands for the user or group of this schema its row names.  An owner
	-- id set by hand (or by another schema) is left alone and reported.
	IF rels[10] OPERATOR(pg_catalog.<>) 0 THEN
		-- The differences first (an owner id Django has that is not here or
		-- stands for another user or group, one of this schema's that Django
		-- no longer has, one set by hand), then only those are written: an
		-- INSERT ... ON CONFLICT DO UPDATE of every owner would lock each
		-- row it leaves unchanged.
		SELECT coalesce(pg_catalog.array_agg(d.wid) FILTER (WHERE d.up AND d.hid IS NOT NULL), '{}'),
			   coalesce(pg_catalog.array_agg(d.wu) FILTER (WHERE d.up AND d.hid IS NOT NULL), '{}'),
			   coalesce(pg_catalog.array_agg(d.wg) FILTER (WHERE d.up AND d.hid IS NOT NULL), '{}'),
			   coalesce(pg_catalog.array_agg(d.wid::text) FILTER (WHERE d.up AND d.hid IS NULL), '{}'),
			   coalesce(pg_catalog.array_agg(d.wu) FILTER (WHERE d.up AND d.hid IS NULL), '{}'),
			   coalesce(pg_catalog.array_agg(d.wg) FILTER (WHERE d.up AND d.hid IS NULL), '{}'),
			   coalesce(pg_catalog.array_agg(d.hid) FILTER (WHERE d.wid IS NULL), '{}'),
			   coalesce(pg_catalog.array_agg('conflict_owner:' OPERATOR(pg_catalog.||) d.wid ORDER BY d.wid)
						FILTER (WHERE d.clash), '{}'),
			   coalesce(pg_catalog.array_agg(1::bigint) FILTER (WHERE d.clash), '{}')
		  INTO ow_id, del_a, del_b, ins_a, ins_b, ins_c, ow_del, w, wn
		  FROM (SELECT want.id AS wid, want.username AS wu, want.groupname AS wg, x.id AS hid, x.source AS hs,
					   want.id IS NOT NULL AND (x.id IS NULL
						   OR (x.source OPERATOR(pg_catalog.=) src
							   AND (x.username, x.groupname) IS DISTINCT FROM (want.username, want.groupname))) AS up,
					   want.id IS NOT NULL AND x.id IS NOT NULL AND x.source IS DISTINCT FROM src AS clash
				FROM (SELECT DISTINCT ON (ow.id) ow.id, u.name AS username, g.name AS groupname
					  FROM inventree_perms_internal._django_read(rels[10], 'users_owner', o)
							AS ow(id bigint, owner_type_id bigint, owner_id bigint)
					  JOIN inventree_perms_internal._django_read(rels[5], 'django_content_type', o)
							AS ct(id bigint, app_label text, model text)
						ON ct.id OPERATOR(pg_catalog.=) ow.owner_type_id AND ct.app_label OPERATOR(pg_catalog.=) 'auth'
					  LEFT JOIN inventree_perms.users u ON ct.model OPERATOR(pg_catalog.=) 'user'
						AND u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) ow.owner_id
					  LEFT JOIN inventree_perms.groups g ON ct.model OPERATOR(pg_catalog.=) 'group'
						AND g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) ow.owner_id
					  WHERE u.name IS NOT NULL OR g.name IS NOT NULL
					  ORDER BY ow.id) want
				FULL JOIN inventree_perms.owners x ON x.id OPERATOR(pg_catalog.=) want.id
				WHERE want.id IS NULL OR x.id IS NULL OR x.source IS DISTINCT FROM src
				   OR (x.username, x.groupname) IS DISTINCT FROM (want.username, want.groupname)) d
		 WHERE d.up OR d.clash OR (d.wid IS NULL AND d.hs OPERATOR(pg_catalog.=) src);
		n_owners := 0;
		IF pg_catalog.cardinality(ow_del) OPERATOR(pg_catalog.>) 0 THEN
			DELETE FROM inventree_perms.owners x
			 WHERE x.source OPERATOR(pg_catalog.=) src AND x.id OPERATOR(pg_catalog.=) ANY (ow_del);
			GET DIAGNOSTICS k = ROW_COUNT;
			n_removed := n_removed OPERATOR(pg_catalog.+) k;
		END IF;
		-- An owner of this schema that now stands for another user or group
		-- (rare: the foreign key checks run), then the new ones (all of them
		-- at the first import: _django_insert()).
		IF pg_catalog.cardinality(ow_id) OPERATOR(pg_catalog.>) 0 THEN
			UPDATE inventree_perms.owners x SET username = d.u, groupname = d.g
			  FROM ROWS FROM (pg_catalog.unnest(ow_id), pg_catalog.unnest(del_a), pg_catalog.unnest(del_b)) d(id, u, g)
			 WHERE x.id OPERATOR(pg_catalog.=) d.id AND x.source OPERATOR(pg_catalog.=) src
			   AND (x.username, x.groupname) IS DISTINCT FROM (d.u, d.g);
			GET DIAGNOSTICS n_owners = ROW_COUNT;
		END IF;
		IF pg_catalog.cardinality(ins_a) OPERATOR(pg_catalog.>) 0 THEN
			n_owners := n_owners OPERATOR(pg_catalog.+)
						inventree_perms_internal._django_insert('owners', src, ins_a, ins_b, ins_c);
		END IF;
		r_what := r_what OPERATOR(pg_catalog.||) w;
		r_n := r_n OPERATOR(pg_catalog.||) wn;
	END IF;

	-- One audit row if anything changed.
	detail := pg_catalog.jsonb_build_object(
		'users', n_users, 'groups', n_groups, 'memberships', n_members, 'models', n_models,
		'user_perms', n_uperms, 'group_perms', n_gperms, 'role_flags', n_flags, 'removed', n_removed);
	IF n_owners IS NOT NULL THEN
		detail := detail OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('owners', n_owners);
	END IF;
	IF n_users OPERATOR(pg_catalog.+) n_groups OPERATOR(pg_catalog.+) n_members
	   OPERATOR(pg_catalog.+) n_models OPERATOR(pg_catalog.+) n_uperms OPERATOR(pg_catalog.+) n_gperms
	   OPERATOR(pg_catalog.+) n_flags OPERATOR(pg_catalog.+) n_removed
	   OPERATOR(pg_catalog.+) coalesce(n_owners, 0) OPERATOR(pg_catalog.>) 0 THEN
		PERFORM inventree_perms_internal._django_log('import_django', src, detail, caller, via);
	END IF;

	RETURN QUERY
	SELECT x.w, x.n
	FROM ROWS FROM (
			pg_catalog.unnest('{users,groups,memberships,models,user_perms,group_perms,role_flags,removed}'::text[]
							  OPERATOR(pg_catalog.||) CASE WHEN n_owners IS NOT NULL THEN '{owners}'::text[] ELSE '{}' END
							  OPERATOR(pg_catalog.||) r_what),
			pg_catalog.unnest(ARRAY[n_users, n_groups, n_members, n_models, n_uperms, n_gperms, n_flags, n_removed]
							  OPERATOR(pg_catalog.||) CASE WHEN n_owners IS NOT NULL THEN ARRAY[n_owners] ELSE '{}' END
							  OPERATOR(pg_catalog.||) r_n)) x(w, n);
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_sync(name, oid, regclass, oid[]) IS
	'Internal: make the extension''s rows from a Django schema match it; caller NULL on link_django()''s trigger path; opened: what _django_open() returned, or NULL';

-- Internal: the action a Django codename stands for on its model, or NULL
-- for a custom codename (or a NULL argument).  One expression, every
-- operator qualified, no SET clause: inlined into the queries that call it
-- (it runs per row; a SET clause would make each call a function call with
-- its own configuration switch).
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_action(model text, codename text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
	SELECT CASE
		WHEN codename OPERATOR(pg_catalog.=) ('view_'::text OPERATOR(pg_catalog.||) model) THEN 'view'::text
		WHEN codename OPERATOR(pg_catalog.=) ('add_'::text OPERATOR(pg_catalog.||) model) THEN 'add'::text
		WHEN codename OPERATOR(pg_catalog.=) ('change_'::text OPERATOR(pg_catalog.||) model) THEN 'change'::text
		WHEN codename OPERATOR(pg_catalog.=) ('delete_'::text OPERATOR(pg_catalog.||) model) THEN 'delete'::text
	END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_action(text, text) IS
	'Internal: view/add/change/delete for Django''s default codenames of a model, NULL for a custom codename';

-- import_django ---------------------------------------------------------------
CREATE OR REPLACE FUNCTION inventree_perms_internal._import_django(source_schema name)
RETURNS TABLE (what text, count bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('import from Django');
	RETURN QUERY SELECT * FROM inventree_perms_internal._django_sync(source_schema, inventree_perms_internal._caller(), NULL, NULL);
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._import_django(name) IS
	'Internal: implementation of import_django()';
CREATE OR REPLACE FUNCTION inventree_perms.import_django(source_schema name DEFAULT 'public')
RETURNS TABLE (what text, count bigint)
AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.import_django(name) IS
	'Make users, groups, memberships, models, grants and role flags match a Django / InvenTree schema; returns what changed and what was skipped';

-- Internal (C): the rows of one Django table opened by _django_open() whose
-- integer column keycol equals keyval, read by OID as its owner like
-- _django_read(), through a btree index of the built-in integer operators
-- when the table has one (Django indexes every foreign key): a linked
-- change reads what it is about, not the whole table.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_read_by(relation oid, tablename text, owner oid,
												keycol text, keyval bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ip_django_read_by'
LANGUAGE C VOLATILE STRICT
ROWS 10;
COMMENT ON FUNCTION inventree_perms_internal._django_read_by(oid, text, oid, text, bigint) IS
	'Internal: the rows of a Django table locked by _django_open() whose integer column keycol equals keyval, read by OID as its owner (through an index when there is one; column definition list required)';

-- Internal: take one of the import's own locks on each of a set of Django
-- ids (kind 1 users, 2 groups, 3 permissions, 4 content types), in
-- ascending order (so two writers never wait on each other in a cycle).
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_lock_ids(kind integer, ids bigint[], exclusive boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._django_lock(kind, (x.id OPERATOR(pg_catalog.%) 2147483647)::integer, exclusive)
	FROM (SELECT DISTINCT y.id FROM pg_catalog.unnest(ids) y(id) WHERE y.id IS NOT NULL ORDER BY 1) x;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_lock_ids(integer, bigint[], boolean) IS
	'Internal: take the import''s own lock of the given kind on each id, in ascending order, to the end of the transaction';

-- Internal: the (model, action) each of a set of Django permission ids
-- stands for (none for a custom codename), read from the linked
-- auth_permission and django_content_type by OID as their owner, by their
-- primary keys.  Each permission and then each content type is locked
-- shared first (their own changes lock them exclusively), and read after
-- the locks: what a concurrent change of a permission committed is seen.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_perm_map(tabs oid[], owner oid, ids bigint[])
RETURNS TABLE (id bigint, model text, action text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
ROWS 1
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
BEGIN
	IF ids IS NULL OR pg_catalog.cardinality(ids) OPERATOR(pg_catalog.=) 0 THEN
		RETURN;
	END IF;
	PERFORM inventree_perms_internal._django_lock_ids(3, ids, false);
	PERFORM inventree_perms_internal._django_lock_ids(4, ARRAY(
		SELECT p.content_type_id
		FROM (SELECT DISTINCT y.id FROM pg_catalog.unnest(ids) y(id)) i,
			 LATERAL inventree_perms_internal._django_read_by(tabs[5], 'auth_permission', owner, 'id', i.id)
				AS p(id bigint, content_type_id bigint, codename text)), false);
	RETURN QUERY
	SELECT p.id, ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model,
		   inventree_perms_internal._django_action(ct.model, p.codename)
	FROM (SELECT DISTINCT y.id FROM pg_catalog.unnest(ids) y(id) WHERE y.id IS NOT NULL) i,
		 LATERAL inventree_perms_internal._django_read_by(tabs[5], 'auth_permission', owner, 'id', i.id)
			AS p(id bigint, content_type_id bigint, codename text),
		 LATERAL inventree_perms_internal._django_read_by(tabs[4], 'django_content_type', owner, 'id', p.content_type_id)
			AS ct(id bigint, app_label text, model text)
	WHERE inventree_perms_internal._django_action(ct.model, p.codename) IS NOT NULL;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_perm_map(oid[], oid, bigint[]) IS
	'Internal: the model and action of Django permission ids (custom codenames left out), read from the linked tables by OID and primary key after locking them shared';

-- Internal: a Django permission now means something else (its codename or
-- content type changed, its content type was renamed, made or removed):
-- the users and groups of this schema holding it (read by permission_id,
-- through Django's index) lose the grant of what it meant and get the grant
-- of what it means (if that model exists).  Returns how many grants it
-- added and removed.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_regrant(src text, tabs oid[], owner oid, perm bigint,
												old_model text, old_action text,
												new_model text, new_action text,
												OUT added bigint, OUT removed bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	c bigint;
BEGIN
	added := 0;
	removed := 0;
	IF perm IS NULL OR (old_model, old_action) IS NOT DISTINCT FROM (new_model, new_action) THEN
		RETURN;
	END IF;
	IF old_action IS NOT NULL THEN
		DELETE FROM inventree_perms.user_perms x
		 USING inventree_perms_internal._django_read_by(tabs[7], 'auth_user_user_permissions', owner, 'permission_id', perm)
				AS up(user_id bigint, permission_id bigint),
			   inventree_perms.users u
		 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) up.user_id
		   AND x.username OPERATOR(pg_catalog.=) u.name AND x.model OPERATOR(pg_catalog.=) old_model
		   AND x.action OPERATOR(pg_catalog.=) old_action AND x.source OPERATOR(pg_catalog.=) src;
		GET DIAGNOSTICS c = ROW_COUNT;
		removed := removed OPERATOR(pg_catalog.+) c;
		DELETE FROM inventree_perms.group_perms x
		 USING inventree_perms_internal._django_read_by(tabs[6], 'auth_group_permissions', owner, 'permission_id', perm)
				AS gp(group_id bigint, permission_id bigint),
			   inventree_perms.groups g
		 WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) gp.group_id
		   AND x.groupname OPERATOR(pg_catalog.=) g.name AND x.model OPERATOR(pg_catalog.=) old_model
		   AND x.action OPERATOR(pg_catalog.=) old_action AND x.source OPERATOR(pg_catalog.=) src;
		GET DIAGNOSTICS c = ROW_COUNT;
		removed := removed OPERATOR(pg_catalog.+) c;
	END IF;
	IF new_action IS NOT NULL
	   AND EXISTS (SELECT 1 FROM inventree_perms.models m WHERE m.name OPERATOR(pg_catalog.=) new_model) THEN
		INSERT INTO inventree_perms.user_perms (username, model, action, source)
		SELECT DISTINCT u.name, new_model, new_action, src
		FROM inventree_perms_internal._django_read_by(tabs[7], 'auth_user_user_permissions', owner, 'permission_id', perm)
				AS up(user_id bigint, permission_id bigint)
		JOIN inventree_perms.users u ON u.source OPERATOR(pg_catalog.=) src
									AND u.django_id OPERATOR(pg_catalog.=) up.user_id
		ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS c = ROW_COUNT;
		added := added OPERATOR(pg_catalog.+) c;
		INSERT INTO inventree_perms.group_perms (groupname, model, action, source)
		SELECT DISTINCT g.name, new_model, new_action, src
		FROM inventree_perms_internal._django_read_by(tabs[6], 'auth_group_permissions', owner, 'permission_id', perm)
				AS gp(group_id bigint, permission_id bigint)
		JOIN inventree_perms.groups g ON g.source OPERATOR(pg_catalog.=) src
									 AND g.django_id OPERATOR(pg_catalog.=) gp.group_id
		ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS c = ROW_COUNT;
		added := added OPERATOR(pg_catalog.+) c;
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_regrant(text, oid[], oid, bigint, text, text, text, text) IS
	'Internal: move the grants of one Django permission''s holders from what it meant (old model, action) to what it means (new); returns the grants added and removed';

-- Internal: one changed row of a linked auth_user (id, username,
-- is_superuser, is_active as text; o NULL: inserted, n NULL: deleted).  As
-- the import decides for that one user: identity is the id (a changed name
-- is a rename, one audit row; a name held by another row, or one the SPEC
-- refuses, is skipped, and the next import_django() reports it), flags as
-- stored, a user made here gets the memberships and permissions Django
-- already holds for it.  Locks that user only (kind 1).
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_apply_user(src text, tabs oid[], owner oid, via regclass,
												   o text[], n text[], OUT k bigint, OUT kr bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	c bigint;
	id bigint := n[1]::bigint;
	cur record;
	ok boolean;
BEGIN
	k := 0;
	kr := 0;
	PERFORM inventree_perms_internal._django_lock_ids(1, ARRAY[o[1]::bigint, n[1]::bigint], true);
	IF o IS NOT NULL AND (n IS NULL OR n[1] OPERATOR(pg_catalog.<>) o[1]) THEN
		DELETE FROM inventree_perms.users u
		 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) o[1]::bigint;
		GET DIAGNOSTICS c = ROW_COUNT;
		kr := kr OPERATOR(pg_catalog.+) c;
	END IF;
	IF n IS NULL THEN
		RETURN;
	END IF;
	ok := n[2] OPERATOR(pg_catalog.~) '^[A-Za-z0-9_.@+-]+$' AND pg_catalog.length(n[2]) OPERATOR(pg_catalog.<=) 150
		  OR inventree_perms_internal._django_valid_name('user', n[2]);
	SELECT u.name, u.is_superuser, u.is_active INTO cur FROM inventree_perms.users u
	 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) id;
	IF NOT FOUND AND ok THEN
		-- a row this schema imported before Django's ids were kept (1.1)
		UPDATE inventree_perms.users u SET django_id = id
		 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id IS NULL AND u.name OPERATOR(pg_catalog.=) n[2]
		RETURNING u.name, u.is_superuser, u.is_active INTO cur;
	END IF;
	IF NOT ok THEN
		IF cur.name IS NOT NULL THEN
			DELETE FROM inventree_perms.users u
			 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) id;
			kr := kr OPERATOR(pg_catalog.+) 1;
		END IF;
		RETURN;
	END IF;
	IF cur.name IS NULL THEN
		IF EXISTS (SELECT 1 FROM inventree_perms.users u WHERE u.name OPERATOR(pg_catalog.=) n[2]) THEN
			RETURN;		-- the name is taken: the next import reports it
		END IF;
		INSERT INTO inventree_perms.users (name, is_superuser, is_active, source, django_id)
		VALUES (n[2], n[3]::boolean, n[4]::boolean, src, id);
		k := k OPERATOR(pg_catalog.+) 1;
		-- what Django holds for it already (a user imported late)
		INSERT INTO inventree_perms.memberships (username, groupname, source)
		SELECT DISTINCT n[2], g.name, src
		FROM inventree_perms_internal._django_read_by(tabs[3], 'auth_user_groups', owner, 'user_id', id)
				AS ug(user_id bigint, group_id bigint)
		JOIN inventree_perms.groups g ON g.source OPERATOR(pg_catalog.=) src
									 AND g.django_id OPERATOR(pg_catalog.=) ug.group_id
		ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS c = ROW_COUNT;
		k := k OPERATOR(pg_catalog.+) c;
		INSERT INTO inventree_perms.user_perms (username, model, action, source)
		SELECT DISTINCT n[2], p.model, p.action, src
		FROM inventree_perms_internal._django_perm_map(tabs, owner, ARRAY(
				SELECT up.permission_id
				FROM inventree_perms_internal._django_read_by(tabs[7], 'auth_user_user_permissions', owner, 'user_id', id)
					AS up(user_id bigint, permission_id bigint))) p
		JOIN inventree_perms.models m ON m.name OPERATOR(pg_catalog.=) p.model
		ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS c = ROW_COUNT;
		k := k OPERATOR(pg_catalog.+) c;
		k := k OPERATOR(pg_catalog.+) inventree_perms_internal._django_owners_of(src, tabs, owner, 'user', id, n[2]);
		RETURN;
	END IF;
	IF cur.name OPERATOR(pg_catalog.<>) n[2]
	   AND NOT EXISTS (SELECT 1 FROM inventree_perms.users v WHERE v.name OPERATOR(pg_catalog.=) n[2]) THEN
		UPDATE inventree_perms.users u SET name = n[2]
		 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) id;
		PERFORM inventree_perms_internal._django_log('rename_user', n[2],
			pg_catalog.jsonb_build_object('from', cur.name, 'to', n[2], 'source', src), NULL, via);
		k := k OPERATOR(pg_catalog.+) 1;
	END IF;
	IF (cur.is_superuser, cur.is_active) IS DISTINCT FROM (n[3]::boolean, n[4]::boolean) THEN
		UPDATE inventree_perms.users u SET is_superuser = n[3]::boolean, is_active = n[4]::boolean
		 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) id;
		k := k OPERATOR(pg_catalog.+) 1;
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_apply_user(text, oid[], oid, regclass, text[], text[]) IS
	'Internal: apply one changed row of a linked auth_user (a user made, renamed, its flags changed, removed); locks only that user; returns rows added or changed, and removed';

-- Internal: one changed row of a linked auth_group (id, name), as
-- _django_apply_user() for a user: a group made here gets the members,
-- permissions and ruleset flags Django already holds for it.  Locks that
-- group only (kind 2).
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_apply_group(src text, tabs oid[], owner oid, via regclass,
													o text[], n text[], OUT k bigint, OUT kr bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	c bigint;
	id bigint := n[1]::bigint;
	cur text;
	ok boolean;
BEGIN
	k := 0;
	kr := 0;
	PERFORM inventree_perms_internal._django_lock_ids(2, ARRAY[o[1]::bigint, n[1]::bigint], true);
	IF o IS NOT NULL AND (n IS NULL OR n[1] OPERATOR(pg_catalog.<>) o[1]) THEN
		DELETE FROM inventree_perms.groups g
		 WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) o[1]::bigint;
		GET DIAGNOSTICS c = ROW_COUNT;
		kr := kr OPERATOR(pg_catalog.+) c;
	END IF;
	IF n IS NULL THEN
		RETURN;
	END IF;
	ok := n[2] OPERATOR(pg_catalog.~) '^[A-Za-z0-9_.@+-]+$' AND pg_catalog.length(n[2]) OPERATOR(pg_catalog.<=) 150
		  OR inventree_perms_internal._django_valid_name('group', n[2]);
	SELECT g.name INTO cur FROM inventree_perms.groups g
	 WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) id;
	IF cur IS NULL AND ok THEN
		UPDATE inventree_perms.groups g SET django_id = id
		 WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id IS NULL AND g.name OPERATOR(pg_catalog.=) n[2]
		RETURNING g.name INTO cur;
	END IF;
	IF NOT ok THEN
		IF cur IS NOT NULL THEN
			DELETE FROM inventree_perms.groups g
			 WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) id;
			kr := kr OPERATOR(pg_catalog.+) 1;
		END IF;
		RETURN;
	END IF;
	IF cur IS NULL THEN
		IF EXISTS (SELECT 1 FROM inventree_perms.groups g WHERE g.name OPERATOR(pg_catalog.=) n[2]) THEN
			RETURN;		-- the name is taken: the next import reports it
		END IF;
		INSERT INTO inventree_perms.groups (name, source, django_id) VALUES (n[2], src, id);
		k := k OPERATOR(pg_catalog.+) 1;
		INSERT INTO inventree_perms.memberships (username, groupname, source)
		SELECT DISTINCT u.name, n[2], src
		FROM inventree_perms_internal._django_read_by(tabs[3], 'auth_user_groups', owner, 'group_id', id)
				AS ug(user_id bigint, group_id bigint)
		JOIN inventree_perms.users u ON u.source OPERATOR(pg_catalog.=) src
									AND u.django_id OPERATOR(pg_catalog.=) ug.user_id
		ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS c = ROW_COUNT;
		k := k OPERATOR(pg_catalog.+) c;
		INSERT INTO inventree_perms.group_perms (groupname, model, action, source)
		SELECT DISTINCT n[2], p.model, p.action, src
		FROM inventree_perms_internal._django_perm_map(tabs, owner, ARRAY(
				SELECT gp.permission_id
				FROM inventree_perms_internal._django_read_by(tabs[6], 'auth_group_permissions', owner, 'group_id', id)
					AS gp(group_id bigint, permission_id bigint))) p
		JOIN inventree_perms.models m ON m.name OPERATOR(pg_catalog.=) p.model
		ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS c = ROW_COUNT;
		k := k OPERATOR(pg_catalog.+) c;
		INSERT INTO inventree_perms.group_roles (groupname, role, action, source)
		SELECT DISTINCT n[2], ro.name, f.act, src
		FROM inventree_perms_internal._django_read_by(tabs[8], 'users_ruleset', owner, 'group_id', id)
				AS r(name text, group_id bigint, can_view boolean, can_add boolean,
					 can_change boolean, can_delete boolean)
		CROSS JOIN LATERAL (VALUES ('view'::text, r.can_view), ('add', r.can_add),
								   ('change', r.can_change), ('delete', r.can_delete)) f(act, isset)
		JOIN inventree_perms.roles ro ON ro.name OPERATOR(pg_catalog.=) r.name
		WHERE f.isset
		ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS c = ROW_COUNT;
		k := k OPERATOR(pg_catalog.+) c;
		k := k OPERATOR(pg_catalog.+) inventree_perms_internal._django_owners_of(src, tabs, owner, 'group', id, n[2]);
		RETURN;
	END IF;
	IF cur OPERATOR(pg_catalog.<>) n[2]
	   AND NOT EXISTS (SELECT 1 FROM inventree_perms.groups v WHERE v.name OPERATOR(pg_catalog.=) n[2]) THEN
		UPDATE inventree_perms.groups g SET name = n[2]
		 WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) id;
		PERFORM inventree_perms_internal._django_log('rename_group', n[2],
			pg_catalog.jsonb_build_object('from', cur, 'to', n[2], 'source', src), NULL, via);
		k := k OPERATOR(pg_catalog.+) 1;
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_apply_group(text, oid[], oid, regclass, text[], text[]) IS
	'Internal: apply one changed row of a linked auth_group (a group made, renamed, removed); locks only that group; returns rows added or changed, and removed';

-- Internal: one changed row of a linked django_content_type (id,
-- app_label, model).  As the import decides for that one content type: its
-- model <app_label>_<model> is registered (closed, no table), a changed
-- name renames the model it made (identity is the content type's id; one
-- audit row), unless a table is protected with it or the name is taken;
-- the grants of its permissions follow what they now mean; a model it
-- registered whose name no content type has any more is removed (not one a
-- table is protected with).  Locks that content type (kind 4) exclusively:
-- a linked change mapping one of its permissions waits for it.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_apply_ct(src text, tabs oid[], owner oid, via regclass,
												 o text[], n text[], OUT k bigint, OUT kr bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	c bigint;
	oname text := o[2] OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) o[3];
	nname text := n[2] OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) n[3];
	nvalid boolean;
	renamed boolean := false;
	cur text;
	p record;
	r record;
BEGIN
	k := 0;
	kr := 0;
	PERFORM inventree_perms_internal._django_lock_ids(4, ARRAY[o[1]::bigint, n[1]::bigint], true);
	nvalid := coalesce(nname OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_.]*$'
					   AND pg_catalog.length(nname) OPERATOR(pg_catalog.<=) 63, false);
	-- a rename of the model it made
	IF o IS NOT NULL AND n IS NOT NULL AND o[1] OPERATOR(pg_catalog.=) n[1]
	   AND oname OPERATOR(pg_catalog.<>) nname AND nvalid THEN
		SELECT m.name INTO cur FROM inventree_perms.models m
		 WHERE m.source OPERATOR(pg_catalog.=) src AND m.django_ct OPERATOR(pg_catalog.=) n[1]::bigint
		   AND m.name OPERATOR(pg_catalog.<>) nname AND NOT m.builtin AND NOT m.shipped
		   AND NOT EXISTS (SELECT 1 FROM inventree_perms.models v WHERE v.name OPERATOR(pg_catalog.=) nname)
		   AND NOT EXISTS (SELECT 1 FROM inventree_perms.protected pr WHERE pr.model OPERATOR(pg_catalog.=) m.name)
		 ORDER BY m.name LIMIT 1;
		IF cur IS NOT NULL THEN
			UPDATE inventree_perms.models m SET name = nname WHERE m.name OPERATOR(pg_catalog.=) cur;
			PERFORM inventree_perms_internal._django_log('rename_model', nname,
				pg_catalog.jsonb_build_object('from', cur, 'to', nname, 'source', src), NULL, via);
			k := k OPERATOR(pg_catalog.+) 1;
			renamed := cur OPERATOR(pg_catalog.=) oname;
		END IF;
	END IF;
	-- its model, registered if missing, with the content type's id
	IF n IS NOT NULL AND nvalid THEN
		INSERT INTO inventree_perms.models (name, description, source, django_ct)
		SELECT nname, 'Django model ' OPERATOR(pg_catalog.||) nname, src, n[1]::bigint
		WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.models m WHERE m.name OPERATOR(pg_catalog.=) nname)
		ON CONFLICT (name) DO NOTHING;
		GET DIAGNOSTICS c = ROW_COUNT;
		k := k OPERATOR(pg_catalog.+) c;
		UPDATE inventree_perms.models m SET django_ct = n[1]::bigint
		 WHERE m.source OPERATOR(pg_catalog.=) src AND m.name OPERATOR(pg_catalog.=) nname
		   AND m.django_ct IS DISTINCT FROM n[1]::bigint;
	END IF;
	-- the grants of its permissions: from what they meant to what they mean
	FOR p IN
		SELECT DISTINCT ap.id, ap.content_type_id, ap.codename
		FROM (SELECT DISTINCT y.ct FROM pg_catalog.unnest(ARRAY[o[1]::bigint, n[1]::bigint]) y(ct)
			  WHERE y.ct IS NOT NULL) x,
			 LATERAL inventree_perms_internal._django_read_by(tabs[5], 'auth_permission', owner, 'content_type_id', x.ct)
				AS ap(id bigint, content_type_id bigint, codename text)
		ORDER BY ap.id
	LOOP
		r := inventree_perms_internal._django_regrant(src, tabs, owner, p.id,
				CASE WHEN o IS NOT NULL AND p.content_type_id OPERATOR(pg_catalog.=) o[1]::bigint
					 THEN CASE WHEN renamed THEN nname ELSE oname END END,
				CASE WHEN o IS NOT NULL AND p.content_type_id OPERATOR(pg_catalog.=) o[1]::bigint
					 THEN inventree_perms_internal._django_action(o[3], p.codename) END,
				CASE WHEN n IS NOT NULL AND nvalid AND p.content_type_id OPERATOR(pg_catalog.=) n[1]::bigint
					 THEN nname END,
				CASE WHEN n IS NOT NULL AND nvalid AND p.content_type_id OPERATOR(pg_catalog.=) n[1]::bigint
					 THEN inventree_perms_internal._django_action(n[3], p.codename) END);
		k := k OPERATOR(pg_catalog.+) r.added;
		kr := kr OPERATOR(pg_catalog.+) r.removed;
	END LOOP;
	-- the model it made under the old name, if no content type has that name
	IF o IS NOT NULL AND NOT renamed AND oname IS DISTINCT FROM nname
	   AND NOT EXISTS (SELECT 1 FROM inventree_perms_internal._django_read(tabs[4], 'django_content_type', owner)
							AS ct(id bigint, app_label text, model text)
					   WHERE ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model
							 OPERATOR(pg_catalog.=) oname) THEN
		DELETE FROM inventree_perms.models m
		 WHERE m.source OPERATOR(pg_catalog.=) src AND m.name OPERATOR(pg_catalog.=) oname
		   AND NOT m.builtin AND NOT m.shipped
		   AND NOT EXISTS (SELECT 1 FROM inventree_perms.protected pr WHERE pr.model OPERATOR(pg_catalog.=) m.name);
		GET DIAGNOSTICS c = ROW_COUNT;
		kr := kr OPERATOR(pg_catalog.+) c;
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_apply_ct(text, oid[], oid, regclass, text[], text[]) IS
	'Internal: apply one changed row of a linked django_content_type (a model registered, renamed or removed, the grants of its permissions moved); locks only that content type; returns rows added or changed, and removed';

-- Internal: one changed row of a linked auth_permission (id,
-- content_type_id, codename): the grants of its holders move from what it
-- meant to what it means.  Locks that permission (kind 3) exclusively, its
-- content types shared.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_apply_permission(src text, tabs oid[], owner oid, via regclass,
														 o text[], n text[], OUT k bigint, OUT kr bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	om text;
	oa text;
	nm text;
	na text;
	r record;
BEGIN
	k := 0;
	kr := 0;
	PERFORM inventree_perms_internal._django_lock_ids(3, ARRAY[o[1]::bigint, n[1]::bigint], true);
	PERFORM inventree_perms_internal._django_lock_ids(4, ARRAY[o[2]::bigint, n[2]::bigint], false);
	IF o IS NOT NULL THEN
		SELECT ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model,
			   inventree_perms_internal._django_action(ct.model, o[3])
		  INTO om, oa
		  FROM inventree_perms_internal._django_read_by(tabs[4], 'django_content_type', owner, 'id', o[2]::bigint)
				AS ct(id bigint, app_label text, model text);
	END IF;
	IF n IS NOT NULL THEN
		SELECT ct.app_label OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ct.model,
			   inventree_perms_internal._django_action(ct.model, n[3])
		  INTO nm, na
		  FROM inventree_perms_internal._django_read_by(tabs[4], 'django_content_type', owner, 'id', n[2]::bigint)
				AS ct(id bigint, app_label text, model text);
	END IF;
	IF o IS NOT NULL AND n IS NOT NULL AND o[1] OPERATOR(pg_catalog.=) n[1] THEN
		r := inventree_perms_internal._django_regrant(src, tabs, owner, n[1]::bigint, om, oa, nm, na);
		k := k OPERATOR(pg_catalog.+) r.added;
		kr := kr OPERATOR(pg_catalog.+) r.removed;
		RETURN;
	END IF;
	IF o IS NOT NULL THEN
		r := inventree_perms_internal._django_regrant(src, tabs, owner, o[1]::bigint, om, oa, NULL, NULL);
		kr := kr OPERATOR(pg_catalog.+) r.removed;
	END IF;
	IF n IS NOT NULL THEN
		r := inventree_perms_internal._django_regrant(src, tabs, owner, n[1]::bigint, NULL, NULL, nm, na);
		k := k OPERATOR(pg_catalog.+) r.added;
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_apply_permission(text, oid[], oid, regclass, text[], text[]) IS
	'Internal: apply one changed row of a linked auth_permission (the grants of its holders follow what it means); locks only that permission; returns rows added and removed';

-- Internal: the owners InvenTree's users_owner (linked, tabs[9]) has for a
-- user or group just made here (kind 'user' or 'group', its Django id and
-- name): an owner id this schema set before is set again, a hand-made one
-- is left alone.  Returns how many owners it set.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_owners_of(src text, tabs oid[], owner oid, kind text,
												  django_id bigint, name text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	c bigint;
BEGIN
	IF coalesce(tabs[9], 0) OPERATOR(pg_catalog.=) 0 THEN
		RETURN 0;
	END IF;
	INSERT INTO inventree_perms.owners AS x (id, username, groupname, source)
	SELECT ow.id, CASE kind WHEN 'user' THEN _django_owners_of.name END,
		   CASE kind WHEN 'group' THEN _django_owners_of.name END, src
	FROM inventree_perms_internal._django_read_by(tabs[9], 'users_owner', owner, 'owner_id', django_id)
			AS ow(id bigint, owner_type_id bigint, owner_id bigint),
		 LATERAL inventree_perms_internal._django_read_by(tabs[4], 'django_content_type', owner, 'id', ow.owner_type_id)
			AS ct(id bigint, app_label text, model text)
	WHERE ct.app_label OPERATOR(pg_catalog.=) 'auth' AND ct.model OPERATOR(pg_catalog.=) kind
	ON CONFLICT (id) DO UPDATE SET username = excluded.username, groupname = excluded.groupname
	WHERE x.source OPERATOR(pg_catalog.=) src
	  AND (x.username, x.groupname) IS DISTINCT FROM (excluded.username, excluded.groupname);
	GET DIAGNOSTICS c = ROW_COUNT;
	RETURN c;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_owners_of(text, oid[], oid, text, bigint, text) IS
	'Internal: set the owners a linked users_owner has for a user or group just imported (kind user or group, its Django id and name); returns how many';

-- Internal: one changed row of a linked users_owner (id, owner_type_id,
-- owner_id): the owner id stands for the user or group of this schema that
-- the row names (owner_type_id: the content type auth.user or auth.group),
-- or, if that one is not imported, for nobody (the owner made by this
-- schema is dropped).  An owner id set by hand is left alone.  Locks that
-- owner id (kind 5).
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_apply_owner(src text, tabs oid[], owner oid, via regclass,
													o text[], n text[], OUT k bigint, OUT kr bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	c bigint;
	un text;
	gn text;
BEGIN
	k := 0;
	kr := 0;
	PERFORM inventree_perms_internal._django_lock_ids(5, ARRAY[o[1]::bigint, n[1]::bigint], true);
	IF o IS NOT NULL AND (n IS NULL OR n[1] OPERATOR(pg_catalog.<>) o[1]) THEN
		DELETE FROM inventree_perms.owners x
		 WHERE x.id OPERATOR(pg_catalog.=) o[1]::bigint AND x.source OPERATOR(pg_catalog.=) src;
		GET DIAGNOSTICS c = ROW_COUNT;
		kr := kr OPERATOR(pg_catalog.+) c;
	END IF;
	IF n IS NULL THEN
		RETURN;
	END IF;
	SELECT u.name, g.name INTO un, gn
	FROM inventree_perms_internal._django_read_by(tabs[4], 'django_content_type', owner, 'id', n[2]::bigint)
			AS ct(id bigint, app_label text, model text)
	LEFT JOIN inventree_perms.users u ON ct.model OPERATOR(pg_catalog.=) 'user'
		AND u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) n[3]::bigint
	LEFT JOIN inventree_perms.groups g ON ct.model OPERATOR(pg_catalog.=) 'group'
		AND g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) n[3]::bigint
	WHERE ct.app_label OPERATOR(pg_catalog.=) 'auth';
	IF un IS NULL AND gn IS NULL THEN
		DELETE FROM inventree_perms.owners x
		 WHERE x.id OPERATOR(pg_catalog.=) n[1]::bigint AND x.source OPERATOR(pg_catalog.=) src;
		GET DIAGNOSTICS c = ROW_COUNT;
		kr := kr OPERATOR(pg_catalog.+) c;
		RETURN;
	END IF;
	INSERT INTO inventree_perms.owners AS x (id, username, groupname, source)
	VALUES (n[1]::bigint, un, gn, src)
	ON CONFLICT (id) DO UPDATE SET username = excluded.username, groupname = excluded.groupname
	WHERE x.source OPERATOR(pg_catalog.=) src
	  AND (x.username, x.groupname) IS DISTINCT FROM (excluded.username, excluded.groupname);
	GET DIAGNOSTICS c = ROW_COUNT;
	k := k OPERATOR(pg_catalog.+) c;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_apply_owner(text, oid[], oid, regclass, text[], text[]) IS
	'Internal: apply one changed row of a linked users_owner (an owner id set to a user or group of the schema, or dropped); locks only that owner id; returns owners set and dropped';


-- Internal: apply one changed row of a linked Django table (the trigger
-- path of link_django(): _django_row_trigger() passes the old and new
-- values of the columns the import reads, as text).  Only what that row
-- means changes: a user, a group, a model, what a permission grants, an
-- owner, a membership, a user or group permission, the flags of one
-- ruleset.  Locks: the import's lock shared (a whole import waits for the
-- deltas and they for it) and the lock of what the row is about (a user, a
-- group, a permission, a content type, an owner id), so Django writes for
-- different users and groups never wait on each other here.  What Django's
-- tables hold beyond the row is read by OID as their owner, by key (the
-- link's tables, _django_read_by()).
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_apply(via regclass, tablename text, o text[], n text[], owner oid)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src text;
	tabs oid[];
	ids bigint[];
	k bigint := 0;
	kr bigint := 0;
	c bigint;
	kind integer;
	what text;
BEGIN
	SELECT l.source_schema::text, l.tables::oid[] INTO src, tabs
	FROM inventree_perms.django_links l WHERE via OPERATOR(pg_catalog.=) ANY (l.tables);
	IF src IS NULL THEN
		RETURN;
	END IF;
	PERFORM inventree_perms_internal._django_lock(0, pg_catalog.hashtext(src), false);
	-- Users, groups, content types, permissions, owners: each has its own
	-- function, which takes its own locks.
	IF tablename OPERATOR(pg_catalog.=) 'auth_user' THEN
		SELECT x.k, x.kr INTO k, kr FROM inventree_perms_internal._django_apply_user(src, tabs, owner, via, o, n) x;
		what := 'users';
	ELSIF tablename OPERATOR(pg_catalog.=) 'auth_group' THEN
		SELECT x.k, x.kr INTO k, kr FROM inventree_perms_internal._django_apply_group(src, tabs, owner, via, o, n) x;
		what := 'groups';
	ELSIF tablename OPERATOR(pg_catalog.=) 'django_content_type' THEN
		SELECT x.k, x.kr INTO k, kr FROM inventree_perms_internal._django_apply_ct(src, tabs, owner, via, o, n) x;
		what := 'models';
	ELSIF tablename OPERATOR(pg_catalog.=) 'auth_permission' THEN
		SELECT x.k, x.kr INTO k, kr FROM inventree_perms_internal._django_apply_permission(src, tabs, owner, via, o, n) x;
		what := 'grants';
	ELSIF tablename OPERATOR(pg_catalog.=) 'users_owner' THEN
		SELECT x.k, x.kr INTO k, kr FROM inventree_perms_internal._django_apply_owner(src, tabs, owner, via, o, n) x;
		what := 'owners';
	ELSE
		-- Memberships, user and group permissions, rulesets: the user or
		-- group the row is about (old and new), locked in order.
		kind := CASE WHEN tablename OPERATOR(pg_catalog.=) ANY ('{auth_user_groups,auth_user_user_permissions}') THEN 1 ELSE 2 END;
		ids := ARRAY(SELECT DISTINCT x.id FROM (VALUES ((CASE tablename WHEN 'users_ruleset' THEN o[2] ELSE o[1] END)::bigint),
													   ((CASE tablename WHEN 'users_ruleset' THEN n[2] ELSE n[1] END)::bigint)) x(id)
					 WHERE x.id IS NOT NULL ORDER BY 1);
		PERFORM inventree_perms_internal._django_lock(kind, (x.id OPERATOR(pg_catalog.%) 2147483647)::integer, true)
		FROM pg_catalog.unnest(ids) x(id);

		IF tablename OPERATOR(pg_catalog.=) 'auth_user_groups' THEN
			what := 'memberships';
			IF o IS NOT NULL THEN
				DELETE FROM inventree_perms.memberships m
				 USING inventree_perms.users u, inventree_perms.groups g
				 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) o[1]::bigint
				   AND g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) o[2]::bigint
				   AND m.username OPERATOR(pg_catalog.=) u.name AND m.groupname OPERATOR(pg_catalog.=) g.name
				   AND m.source OPERATOR(pg_catalog.=) src;
				GET DIAGNOSTICS c = ROW_COUNT;
				kr := kr OPERATOR(pg_catalog.+) c;
			END IF;
			IF n IS NOT NULL THEN
				INSERT INTO inventree_perms.memberships (username, groupname, source)
				SELECT u.name, g.name, src FROM inventree_perms.users u, inventree_perms.groups g
				 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) n[1]::bigint
				   AND g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) n[2]::bigint
				ON CONFLICT DO NOTHING;
				GET DIAGNOSTICS c = ROW_COUNT;
				k := k OPERATOR(pg_catalog.+) c;
			END IF;
		ELSIF tablename OPERATOR(pg_catalog.=) ANY ('{auth_user_user_permissions,auth_group_permissions}') THEN
			what := CASE kind WHEN 1 THEN 'user_perms' ELSE 'group_perms' END;
			IF o IS NOT NULL THEN
				IF kind OPERATOR(pg_catalog.=) 1 THEN
					DELETE FROM inventree_perms.user_perms x
					 USING inventree_perms.users u, inventree_perms_internal._django_perm_map(tabs, owner, ARRAY[o[2]::bigint]) p
					 WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) o[1]::bigint
					   AND x.username OPERATOR(pg_catalog.=) u.name AND x.model OPERATOR(pg_catalog.=) p.model
					   AND x.action OPERATOR(pg_catalog.=) p.action AND x.source OPERATOR(pg_catalog.=) src;
				ELSE
					DELETE FROM inventree_perms.group_perms x
					 USING inventree_perms.groups g, inventree_perms_internal._django_perm_map(tabs, owner, ARRAY[o[2]::bigint]) p
					 WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) o[1]::bigint
					   AND x.groupname OPERATOR(pg_catalog.=) g.name AND x.model OPERATOR(pg_catalog.=) p.model
					   AND x.action OPERATOR(pg_catalog.=) p.action AND x.source OPERATOR(pg_catalog.=) src;
				END IF;
				GET DIAGNOSTICS c = ROW_COUNT;
				kr := kr OPERATOR(pg_catalog.+) c;
			END IF;
			IF n IS NOT NULL THEN
				IF kind OPERATOR(pg_catalog.=) 1 THEN
					INSERT INTO inventree_perms.user_perms (username, model, action, source)
					SELECT u.name, m.name, p.action, src
					FROM inventree_perms.users u, inventree_perms_internal._django_perm_map(tabs, owner, ARRAY[n[2]::bigint]) p
					JOIN inventree_perms.models m ON m.name OPERATOR(pg_catalog.=) p.model
					WHERE u.source OPERATOR(pg_catalog.=) src AND u.django_id OPERATOR(pg_catalog.=) n[1]::bigint
					ON CONFLICT DO NOTHING;
				ELSE
					INSERT INTO inventree_perms.group_perms (groupname, model, action, source)
					SELECT g.name, m.name, p.action, src
					FROM inventree_perms.groups g, inventree_perms_internal._django_perm_map(tabs, owner, ARRAY[n[2]::bigint]) p
					JOIN inventree_perms.models m ON m.name OPERATOR(pg_catalog.=) p.model
					WHERE g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) n[1]::bigint
					ON CONFLICT DO NOTHING;
				END IF;
				GET DIAGNOSTICS c = ROW_COUNT;
				k := k OPERATOR(pg_catalog.+) c;
			END IF;
		ELSE	-- users_ruleset: name, group_id, can_view, can_add, can_change, can_delete
			what := 'role_flags';
			WITH oldf AS (
				SELECT g.name AS groupname, o[1] AS role, f.act AS action
				FROM inventree_perms.groups g,
					 (VALUES ('view'::text, o[3]), ('add', o[4]), ('change', o[5]), ('delete', o[6])) f(act, isset)
				WHERE o IS NOT NULL AND f.isset OPERATOR(pg_catalog.=) 't'
				  AND g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) o[2]::bigint),
			newf AS (
				SELECT g.name AS groupname, n[1] AS role, f.act AS action
				FROM inventree_perms.groups g,
					 (VALUES ('view'::text, n[3]), ('add', n[4]), ('change', n[5]), ('delete', n[6])) f(act, isset)
				WHERE n IS NOT NULL AND f.isset OPERATOR(pg_catalog.=) 't'
				  AND g.source OPERATOR(pg_catalog.=) src AND g.django_id OPERATOR(pg_catalog.=) n[2]::bigint),
			del AS (
				DELETE FROM inventree_perms.group_roles x
				 USING (SELECT * FROM oldf EXCEPT SELECT * FROM newf) d
				 WHERE x.groupname OPERATOR(pg_catalog.=) d.groupname AND x.role OPERATOR(pg_catalog.=) d.role
				   AND x.action OPERATOR(pg_catalog.=) d.action AND x.source OPERATOR(pg_catalog.=) src
				RETURNING 1),
			ins AS (
				INSERT INTO inventree_perms.group_roles (groupname, role, action, source)
				SELECT newf.groupname, ro.name, newf.action, src FROM newf
				JOIN inventree_perms.roles ro ON ro.name OPERATOR(pg_catalog.=) newf.role
				ON CONFLICT DO NOTHING
				RETURNING 1)
			SELECT (SELECT pg_catalog.count(*) FROM ins), (SELECT pg_catalog.count(*) FROM del) INTO k, kr;
		END IF;
	END IF;

	-- One audit row, with the counters of an import, if it changed something.
	IF k OPERATOR(pg_catalog.+) kr OPERATOR(pg_catalog.>) 0 THEN
		PERFORM inventree_perms_internal._django_log('import_django', src,
			pg_catalog.jsonb_build_object('users', 0, 'groups', 0, 'memberships', 0, 'models', 0,
										  'user_perms', 0, 'group_perms', 0, 'role_flags', 0)
			OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(what, k, 'removed', kr, 'delta', true),
			NULL, via);
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_apply(regclass, text, text[], text[], oid) IS
	'Internal: apply one changed row of a linked Django table (old and new values as text); locks only what that row is about (a user, a group, a permission, a content type, an owner)';

-- Internal (C): the row trigger link_django() puts on auth_user_groups,
-- auth_user_user_permissions, auth_group_permissions and users_ruleset.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_row_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ip_django_row_trigger'
LANGUAGE C SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION inventree_perms_internal._django_row_trigger() IS
	'Internal row trigger on a linked Django table: checks the table against the link (by OID) and applies that row''s change';

-- link_django / unlink_django -------------------------------------------------

-- Internal: the trigger link_django() puts on the Django tables.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_trigger()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src name;
BEGIN
	-- The link this table belongs to, by the table's OID (the schema may
	-- have been renamed since; a link made by 1.1 recorded no OIDs).
	SELECT l.source_schema INTO src FROM inventree_perms.django_links l
	 WHERE TG_RELID::pg_catalog.regclass OPERATOR(pg_catalog.=) ANY (l.tables)
		OR (l.tables IS NULL AND l.source_schema OPERATOR(pg_catalog.=) TG_TABLE_SCHEMA::name);
	IF src IS NOT NULL THEN
		PERFORM inventree_perms_internal._django_sync(src, NULL, TG_RELID::regclass, NULL);
	END IF;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_trigger() IS
	'Internal trigger on a linked Django schema''s tables: re-runs the import in the same transaction';

-- Internal: may the caller link or unlink this schema?  A superuser (of
-- PostgreSQL or of the extension) owning every Django table in it, or a
-- PostgreSQL superuser.
CREATE OR REPLACE FUNCTION inventree_perms_internal._django_link_check(source_schema name, what text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller oid := inventree_perms_internal._caller();
	t record;
BEGIN
	PERFORM inventree_perms_internal._require_admin(what);
	PERFORM inventree_perms_internal._require_superadmin(what);
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles a
			   WHERE a.oid OPERATOR(pg_catalog.=) caller AND a.rolsuper) THEN
		RETURN;
	END IF;
	-- The tables under that schema name now, and those the link recorded
	-- (by OID: the schema may have been renamed since).
	FOR t IN
		SELECT c.oid::regclass AS rel, c.relowner
		FROM inventree_perms_internal._django_tables() d
		JOIN pg_catalog.pg_class c ON c.relname OPERATOR(pg_catalog.=) d.tablename
		JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		WHERE n.nspname OPERATOR(pg_catalog.=) source_schema
		UNION
		SELECT c.oid::regclass, c.relowner
		FROM inventree_perms.django_links l
		JOIN pg_catalog.pg_class c ON c.oid::pg_catalog.regclass OPERATOR(pg_catalog.=) ANY (l.tables)
		WHERE l.source_schema OPERATOR(pg_catalog.=) _django_link_check.source_schema
	LOOP
		IF NOT pg_catalog.pg_has_role(caller, t.relowner, 'USAGE') THEN
			RAISE EXCEPTION 'permission denied to %', what
				USING ERRCODE = 'insufficient_privilege',
					  DETAIL = pg_catalog.format('Role "%s" does not own table %s.', caller::regrole, t.rel),
					  HINT = 'Only the owner of the Django tables (or a member of the owning role) or a PostgreSQL superuser may do this.';
		END IF;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._django_link_check(name, text) IS
	'Internal: 42501 unless the caller is a superuser of the extension owning the Django tables, or a PostgreSQL superuser';

CREATE OR REPLACE FUNCTION inventree_perms_internal._link_django(source_schema name)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
	rels oid[];
	added text[] := '{}';
	linked boolean;
BEGIN
	PERFORM inventree_perms_internal._django_link_check(source_schema, 'link a Django schema');
	INSERT INTO inventree_perms.django_links AS l (source_schema) VALUES (_link_django.source_schema)
	ON CONFLICT DO NOTHING;
	linked := FOUND;
	-- The tables are resolved, locked and checked once; the triggers go on
	-- exactly those (by OID: each is checked after it is made).
	PERFORM inventree_perms_internal._django_lock(0, pg_catalog.hashtext(source_schema::text), true);
	rels := inventree_perms_internal._django_open(source_schema, inventree_perms_internal._caller());
	PERFORM inventree_perms_internal._django_sync(source_schema, inventree_perms_internal._caller(), NULL, rels);
	UPDATE inventree_perms.django_links l
	   SET tables = ARRAY(SELECT NULLIF(x.r, 0)::regclass FROM pg_catalog.unnest(rels[2:]) WITH ORDINALITY x(r, i)
						  ORDER BY x.i)
	 WHERE l.source_schema OPERATOR(pg_catalog.=) _link_django.source_schema
	   AND l.tables IS DISTINCT FROM ARRAY(SELECT NULLIF(x.r, 0)::regclass
										   FROM pg_catalog.unnest(rels[2:]) WITH ORDINALITY x(r, i) ORDER BY x.i);
	-- Every Django table changes by the row (row triggers apply each row's
	-- delta); a TRUNCATE re-runs the import (statement triggers).  A
	-- statement trigger of an older link that re-imports on every change is
	-- replaced.
	FOR t IN
		SELECT rels[d.ord OPERATOR(pg_catalog.+) 1]::regclass AS rel, d.tablename, d.columns,
			   true AS delta,
			   (SELECT tg.tgenabled FROM pg_catalog.pg_trigger tg
				WHERE tg.tgrelid OPERATOR(pg_catalog.=) rels[d.ord OPERATOR(pg_catalog.+) 1]
				  AND tg.tgname OPERATOR(pg_catalog.=) 'inventree_perms_django') AS enabled,
			   (SELECT (tg.tgtype::integer OPERATOR(pg_catalog.&) 4) OPERATOR(pg_catalog.<>) 0 FROM pg_catalog.pg_trigger tg
				WHERE tg.tgrelid OPERATOR(pg_catalog.=) rels[d.ord OPERATOR(pg_catalog.+) 1]
				  AND tg.tgname OPERATOR(pg_catalog.=) 'inventree_perms_django') AS on_insert,
			   (SELECT tg.tgenabled FROM pg_catalog.pg_trigger tg
				WHERE tg.tgrelid OPERATOR(pg_catalog.=) rels[d.ord OPERATOR(pg_catalog.+) 1]
				  AND tg.tgname OPERATOR(pg_catalog.=) 'inventree_perms_django_row') AS row_enabled
		FROM inventree_perms_internal._django_tables() WITH ORDINALITY d(tablename, columns, required, ord)
		WHERE rels[d.ord OPERATOR(pg_catalog.+) 1] OPERATOR(pg_catalog.<>) 0
		ORDER BY d.ord
	LOOP
		IF t.delta AND t.on_insert THEN
			EXECUTE pg_catalog.format('DROP TRIGGER inventree_perms_django ON %s', t.rel);
			t.enabled := NULL;
		END IF;
		IF t.enabled IS NULL THEN
			IF t.delta THEN
				EXECUTE pg_catalog.format(
					'CREATE TRIGGER inventree_perms_django AFTER TRUNCATE ON %s'
					' FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._django_trigger()', t.rel);
			ELSE
				EXECUTE pg_catalog.format(
					'CREATE TRIGGER inventree_perms_django'
					' AFTER INSERT OR UPDATE OF %s OR DELETE OR TRUNCATE ON %s'
					' FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._django_trigger()',
					(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(col), ', ')
					 FROM pg_catalog.unnest(t.columns) col),
					t.rel);
			END IF;
			added := added OPERATOR(pg_catalog.||) t.tablename;
		END IF;
		IF t.delta AND t.row_enabled IS NULL THEN
			EXECUTE pg_catalog.format(
				'CREATE TRIGGER inventree_perms_django_row'
				' AFTER INSERT OR UPDATE OF %s OR DELETE ON %s'
				' FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._django_row_trigger()',
				(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(col), ', ')
				 FROM pg_catalog.unnest(t.columns) col),
				t.rel);
		END IF;
		IF t.delta AND t.row_enabled IS DISTINCT FROM 'A' THEN
			BEGIN
				EXECUTE pg_catalog.format(
					'ALTER TABLE %s ENABLE ALWAYS TRIGGER inventree_perms_django_row', t.rel);
			EXCEPTION WHEN object_in_use THEN
				NULL;	-- as below: fires all the same, except in replica mode
			END;
		END IF;
		-- ALWAYS: also when session_replication_role = replica (a logical
		-- replica applying InvenTree's changes).  ALTER TABLE refuses a table
		-- with pending trigger events (Django's deferred foreign keys, in
		-- this transaction): then the trigger fires in origin mode until
		-- link_django() is run again.
		IF t.enabled IS DISTINCT FROM 'A' THEN
			BEGIN
				EXECUTE pg_catalog.format(
					'ALTER TABLE %s ENABLE ALWAYS TRIGGER inventree_perms_django', t.rel);
			EXCEPTION WHEN object_in_use THEN
				RAISE WARNING 'trigger inventree_perms_django on "%.%" is not enabled ALWAYS',
					source_schema, t.tablename
					USING DETAIL = 'The table has pending trigger events in this transaction.',
						  HINT = 'It fires all the same, except under session_replication_role = replica; run link_django() again in a transaction of its own.';
			END;
		END IF;
		-- What was made is on the table that was checked (a schema renamed
		-- meanwhile would have sent the name elsewhere).
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger tg
					   WHERE tg.tgrelid OPERATOR(pg_catalog.=) t.rel
						 AND tg.tgname OPERATOR(pg_catalog.=) 'inventree_perms_django'
						 AND tg.tgfoid OPERATOR(pg_catalog.=) 'inventree_perms_internal._django_trigger()'::pg_catalog.regprocedure) THEN
			RAISE EXCEPTION 'table "%.%" changed while it was being linked', source_schema, t.tablename
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Run link_django() again.';
		END IF;
	END LOOP;
	IF linked OR pg_catalog.cardinality(added) OPERATOR(pg_catalog.>) 0 THEN
		PERFORM inventree_perms_internal._log('link_django', source_schema::text,
			pg_catalog.jsonb_build_object('triggers', added));
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._link_django(name) IS
	'Internal: implementation of link_django()';
CREATE OR REPLACE FUNCTION inventree_perms.link_django(source_schema name DEFAULT 'public')
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.link_django(name) IS
	'Import from a Django schema and keep it imported: triggers on its tables apply each change in the same transaction; superusers owning the tables only';

CREATE OR REPLACE FUNCTION inventree_perms_internal._unlink_django(source_schema name)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
	dropped text[] := '{}';
	unlinked boolean;
BEGIN
	PERFORM inventree_perms_internal._django_link_check(source_schema, 'unlink a Django schema');
	FOR t IN
		SELECT c.relname::text AS tablename, c.oid::regclass AS rel
		FROM pg_catalog.pg_trigger tg
		JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
		JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		WHERE n.nspname OPERATOR(pg_catalog.=) source_schema
		  AND tg.tgname OPERATOR(pg_catalog.=) 'inventree_perms_django'
		  AND tg.tgfoid OPERATOR(pg_catalog.=) 'inventree_perms_internal._django_trigger()'::pg_catalog.regprocedure
		ORDER BY 1
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER inventree_perms_django ON %s', t.rel);
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger tg
				   WHERE tg.tgrelid OPERATOR(pg_catalog.=) t.rel
					 AND tg.tgname OPERATOR(pg_catalog.=) 'inventree_perms_django_row') THEN
			EXECUTE pg_catalog.format('DROP TRIGGER inventree_perms_django_row ON %s', t.rel);
		END IF;
		dropped := dropped OPERATOR(pg_catalog.||) t.tablename;
	END LOOP;
	DELETE FROM inventree_perms.django_links l
	WHERE l.source_schema OPERATOR(pg_catalog.=) _unlink_django.source_schema;
	unlinked := FOUND;
	IF unlinked OR pg_catalog.cardinality(dropped) OPERATOR(pg_catalog.>) 0 THEN
		PERFORM inventree_perms_internal._log('unlink_django', source_schema::text,
			pg_catalog.jsonb_build_object('triggers', dropped));
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._unlink_django(name) IS
	'Internal: implementation of unlink_django()';
CREATE OR REPLACE FUNCTION inventree_perms.unlink_django(source_schema name DEFAULT 'public')
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.unlink_django(name) IS
	'Stop keeping a Django schema imported (drops link_django()''s triggers; imported rows stay); not an error if it was not linked';
