-- ---------------------------------------------------------------------------
-- Who may write the tables, what each schema shows and to whom.  This part
-- is also the last part of the upgrade script (sql/upgrade/1.1--1.2/99_api.sql
-- is a link to it), so that an updated extension ends exactly as a fresh one.
--
-- Privileges: nothing for PUBLIC on the tables; the internal functions
-- closed to PUBLIC (they run as the extension's, or are called from C by
-- OID); the API's functions for everybody (they check).
-- ---------------------------------------------------------------------------

-- Cache invalidation (src/cache.c): every change to a table the checks
-- read, whoever makes it and however (a function, direct DML, TRUNCATE, an
-- upgrade script, logical replication's apply worker), invalidates every
-- session's caches at commit.  A statement trigger (one invalidation per
-- statement: per row, an import would queue one per row), ENABLE ALWAYS so
-- that session_replication_role = replica does not skip it; a row trigger
-- for replica mode only (the apply worker fires no statement triggers); a
-- TRUNCATE trigger.  They invalidate the sentinel, cache_sentinel; the
-- triggers of trees, which src/tree.c follows by table, say 'table'.  Made
-- on every such table that has none yet (whichever part, or version,
-- created it); 1.1's row trigger of that name is made a statement trigger.
DO $$
DECLARE
	t text;
	rel pg_catalog.regclass;
	arg text;
BEGIN
	FOREACH t IN ARRAY ARRAY['users', 'groups', 'memberships', 'models', 'user_perms', 'group_perms',
							 'roles', 'role_models', 'group_roles', 'delegates', 'role_change_inherits',
							 'trees', 'owners', 'model_scopes', 'user_scope_grants', 'group_scope_grants'] LOOP
		rel := pg_catalog.format('inventree_perms.%I', t)::pg_catalog.regclass;
		arg := CASE WHEN t OPERATOR(pg_catalog.=) 'trees' THEN '''table''' ELSE '' END;
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
				   WHERE g.tgrelid OPERATOR(pg_catalog.=) rel
					 AND g.tgname OPERATOR(pg_catalog.=) 'inventree_perms_invalidate'
					 AND (g.tgtype::integer OPERATOR(pg_catalog.&) 1) OPERATOR(pg_catalog.=) 1) THEN	-- FOR EACH ROW
			EXECUTE pg_catalog.format('DROP TRIGGER inventree_perms_invalidate ON inventree_perms.%I', t);
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
					   WHERE g.tgrelid OPERATOR(pg_catalog.=) rel
						 AND g.tgname OPERATOR(pg_catalog.=) 'inventree_perms_invalidate') THEN
			EXECUTE pg_catalog.format(
				'CREATE TRIGGER inventree_perms_invalidate AFTER INSERT OR UPDATE OR DELETE ON inventree_perms.%I'
				' FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._invalidate(%s)', t, arg);
			EXECUTE pg_catalog.format('ALTER TABLE inventree_perms.%I ENABLE ALWAYS TRIGGER inventree_perms_invalidate', t);
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
					   WHERE g.tgrelid OPERATOR(pg_catalog.=) rel
						 AND g.tgname OPERATOR(pg_catalog.=) 'inventree_perms_invalidate_row') THEN
			EXECUTE pg_catalog.format(
				'CREATE TRIGGER inventree_perms_invalidate_row AFTER INSERT OR UPDATE OR DELETE ON inventree_perms.%I'
				' FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._invalidate(%s)', t, arg);
			EXECUTE pg_catalog.format('ALTER TABLE inventree_perms.%I ENABLE REPLICA TRIGGER inventree_perms_invalidate_row', t);
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
					   WHERE g.tgrelid OPERATOR(pg_catalog.=) rel
						 AND g.tgname OPERATOR(pg_catalog.=) 'inventree_perms_invalidate_truncate') THEN
			EXECUTE pg_catalog.format(
				'CREATE TRIGGER inventree_perms_invalidate_truncate AFTER TRUNCATE ON inventree_perms.%I'
				' FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._invalidate(%s)', t, arg);
		END IF;
		EXECUTE pg_catalog.format('ALTER TABLE inventree_perms.%I ENABLE ALWAYS TRIGGER inventree_perms_invalidate_truncate', t);
	END LOOP;
END;
$$;

-- The write guard (src/guard.c): every table of the extension is written by
-- its functions only or by a PostgreSQL superuser; a role that holds a
-- privilege on a table anyway (a member of pg_write_all_data, a mistaken
-- GRANT) gets 42501.  BEFORE row triggers (INSERT, UPDATE, DELETE, COPY) and
-- a BEFORE TRUNCATE trigger, ENABLE ALWAYS, on every table of the schema
-- that has none yet (whichever part, or version, created it).
DO $$
DECLARE
	t name;
BEGIN
	FOR t IN
		SELECT c.relname FROM pg_catalog.pg_class c
		WHERE c.relnamespace OPERATOR(pg_catalog.=) 'inventree_perms'::pg_catalog.regnamespace
		  AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}')
		  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
						  WHERE g.tgrelid OPERATOR(pg_catalog.=) c.oid
							AND g.tgname OPERATOR(pg_catalog.=) 'inventree_perms_guard')
		ORDER BY c.relname
	LOOP
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER inventree_perms_guard'
			' BEFORE INSERT OR UPDATE OR DELETE ON inventree_perms.%I'
			' FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._guard()', t);
		EXECUTE pg_catalog.format(
			'ALTER TABLE inventree_perms.%I ENABLE ALWAYS TRIGGER inventree_perms_guard', t);
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER inventree_perms_guard_truncate'
			' BEFORE TRUNCATE ON inventree_perms.%I'
			' FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._guard()', t);
		EXECUTE pg_catalog.format(
			'ALTER TABLE inventree_perms.%I ENABLE ALWAYS TRIGGER inventree_perms_guard_truncate', t);
	END LOOP;
END;
$$;
-- The same guard on the cache sentinel (05_schema.sql): it is never written,
-- but a member of pg_write_all_data could insert rows into it, and a role
-- granted TRUNCATE on it by mistake could make every session drop its cache.
CREATE TRIGGER inventree_perms_guard
	BEFORE INSERT OR UPDATE OR DELETE ON inventree_perms_internal.cache_sentinel
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._guard();
ALTER TABLE inventree_perms_internal.cache_sentinel ENABLE ALWAYS TRIGGER inventree_perms_guard;
CREATE TRIGGER inventree_perms_guard_truncate
	BEFORE TRUNCATE ON inventree_perms_internal.cache_sentinel
	FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._guard();
ALTER TABLE inventree_perms_internal.cache_sentinel ENABLE ALWAYS TRIGGER inventree_perms_guard_truncate;

-- The audit log's ids: its sequence can be moved by anyone who may UPDATE
-- it (every member of pg_write_all_data), and setval() is not undone by a
-- rollback.  So the id a new row gets by default is the sequence's next
-- value unless the log holds that id already (the sequence was moved back):
-- then one past the highest id (or, once the log holds the last bigint, the
-- first free id after one it holds), and the sequence follows.  The
-- sequence cycles, so one moved to its end gives 1 instead of an error.  An
-- id another session holds uncommitted is not seen here: _audit_insert()
-- waits for that session and draws again.  Without a move: one index probe,
-- and the sequence's order.  A row given its id explicitly (a restore)
-- keeps it.
ALTER SEQUENCE inventree_perms.audit_log_id_seq CYCLE;
CREATE OR REPLACE FUNCTION inventree_perms_internal._audit_next_id()
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint := pg_catalog.nextval('inventree_perms.audit_log_id_seq'::pg_catalog.regclass);
BEGIN
	IF EXISTS (SELECT 1 FROM inventree_perms.audit_log a WHERE a.id OPERATOR(pg_catalog.=) n) THEN
		SELECT a.id INTO n FROM inventree_perms.audit_log a ORDER BY a.id DESC LIMIT 1;
		IF n OPERATOR(pg_catalog.<) 9223372036854775807 THEN
			n := n OPERATOR(pg_catalog.+) 1;
		ELSE
			SELECT a.id OPERATOR(pg_catalog.+) 1 INTO n
			  FROM inventree_perms.audit_log a
			 WHERE a.id OPERATOR(pg_catalog.<) 9223372036854775807
			   AND NOT EXISTS (SELECT 1 FROM inventree_perms.audit_log b
							   WHERE b.id OPERATOR(pg_catalog.=) (a.id OPERATOR(pg_catalog.+) 1))
			 ORDER BY a.id LIMIT 1;
			IF n IS NULL THEN
				RAISE EXCEPTION 'the audit log has no free id left'
					USING ERRCODE = 'sequence_generator_limit_exceeded';
			END IF;
		END IF;
		PERFORM pg_catalog.setval('inventree_perms.audit_log_id_seq'::pg_catalog.regclass, n);
	END IF;
	RETURN n;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._audit_next_id() IS
	'Internal: the default of audit_log.id; takes nothing, returns the sequence''s next value, or, when the log holds that id already (someone moved the sequence back: setval by a member of pg_write_all_data), one past the highest id (the first free one once the log holds the last bigint), moving the sequence there; 2200H only when no id is left';
ALTER TABLE inventree_perms.audit_log
	ALTER COLUMN id SET DEFAULT inventree_perms_internal._audit_next_id();

-- Every audit row is written here: an id drawn that another session holds
-- uncommitted (the sequence moved back onto it) waits for that session,
-- and, once it has committed, is drawn again.
CREATE OR REPLACE FUNCTION inventree_perms_internal._audit_insert(session_role text, acting_user text,
																	operation text, target text, detail jsonb)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	FOR i IN 1..100 LOOP
		INSERT INTO inventree_perms.audit_log (session_role, acting_user, operation, target, detail)
		VALUES (session_role, acting_user, operation, target, detail)
		ON CONFLICT (id) DO NOTHING;
		IF FOUND THEN
			RETURN;
		END IF;
	END LOOP;
	RAISE EXCEPTION 'could not number an audit row'
		USING ERRCODE = 'unique_violation',
			  DETAIL = 'Every id drawn was taken: the audit log''s sequence keeps being moved.';
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._audit_insert(text, text, text, text, jsonb) IS
	'Internal: appends one row to audit_log (session role, acting user, operation, target, detail); draws another id while the one drawn is taken (the sequence moved back onto ids the log or another session holds); returns nothing';
CREATE OR REPLACE FUNCTION inventree_perms_internal._log(operation text, target text, detail jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._audit_insert(inventree_perms_internal._caller()::regrole::text,
												   inventree_perms_internal._caller_acting(),
												   operation, target, detail);
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._log(text, text, jsonb) IS
	'Internal: append a row to audit_log for the management call now running';

REVOKE ALL ON ALL TABLES IN SCHEMA inventree_perms FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA inventree_perms FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA inventree_perms_internal FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA inventree_perms FROM PUBLIC;
GRANT USAGE ON SCHEMA inventree_perms TO PUBLIC;
GRANT SELECT ON inventree_perms.my_permissions TO PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA inventree_perms TO PUBLIC;
-- The functions a scoped table's policies call run as the querying user,
-- and a table's owner who restores its policies names them: PUBLIC may use
-- the internal schema (names only) and execute these (the planner writes
-- the last ones into the policies' conditions, src/scope_plan.c).
GRANT USAGE ON SCHEMA inventree_perms_internal TO PUBLIC;
GRANT EXECUTE ON FUNCTION inventree_perms_internal.allowed_nodes(text, text),
	inventree_perms_internal.scope_admits(text, text, bigint, boolean, bigint[], boolean),
	inventree_perms_internal.scope_admits_row(text, text, record, integer),
	inventree_perms_internal.scope_nodes(text, text, bigint[]),
	inventree_perms_internal.scope_test(text, text, bigint),
	inventree_perms_internal.scope_test4(text, text, integer),
	inventree_perms_internal.scope_test2(text, text, smallint) TO PUBLIC;

COMMENT ON SEQUENCE inventree_perms.audit_log_id_seq IS
	'Numbers the rows of audit_log (its id column); only the extension''s functions draw from it';

-- Each management function's implementation says whose it is.
DO $$
DECLARE
	f record;
BEGIN
	FOR f IN
		SELECT i.oid::pg_catalog.regprocedure AS impl,
			   pg_catalog.format('inventree_perms.%s(%s)', a.proname,
								 pg_catalog.pg_get_function_identity_arguments(a.oid)) AS api
		  FROM pg_catalog.pg_proc i
		  JOIN pg_catalog.pg_proc a
		    ON a.pronamespace OPERATOR(pg_catalog.=) 'inventree_perms'::pg_catalog.regnamespace
		   AND i.proname OPERATOR(pg_catalog.=) ('_' OPERATOR(pg_catalog.||) a.proname)
		   AND i.proargtypes OPERATOR(pg_catalog.=) a.proargtypes
		 WHERE i.pronamespace OPERATOR(pg_catalog.=) 'inventree_perms_internal'::pg_catalog.regnamespace
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON FUNCTION %s IS %L', f.impl, pg_catalog.format(
			'Internal: the implementation of %s, called only by that function''s C gate once it has '
			'checked the caller (42501) and refused NULL arguments (22004); takes, returns and raises '
			'what that function does.  SECURITY DEFINER; PUBLIC may not execute it.', f.api));
	END LOOP;
END;
$$;

-- Ownership: every object of the extension (its functions, tables, sequence,
-- view, event triggers and the internal schema) and the schema
-- inventree_perms belong to the bootstrap superuser, as PostgreSQL does for
-- trusted extensions; the role that ran CREATE EXTENSION stays the
-- extension's owner (an administrator).  Whoever owns a function that a
-- superuser's command runs (an event trigger on every DDL, a trigger on a
-- user's table, has_model_perm) has a superuser's rights; an extension owner
-- who later stops being a superuser must not keep them.  The SECURITY
-- DEFINER implementations run as that superuser and decide everything about
-- their caller (_caller()), never about themselves.
DO $$
DECLARE
	ext pg_catalog.oid := (SELECT e.oid FROM pg_catalog.pg_extension e
							WHERE e.extname OPERATOR(pg_catalog.=) 'inventree_perms');
	boot text := (SELECT pg_catalog.quote_ident(r.rolname::text) FROM pg_catalog.pg_roles r
				   WHERE r.oid OPERATOR(pg_catalog.=) 10);
	o record;
BEGIN
	EXECUTE pg_catalog.format('ALTER SCHEMA inventree_perms OWNER TO %s', boot);
	FOR o IN
		SELECT d.classid, d.objid FROM pg_catalog.pg_depend d
		 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
		   AND d.refobjid OPERATOR(pg_catalog.=) ext AND d.deptype OPERATOR(pg_catalog.=) 'e'
		 ORDER BY d.classid, d.objid
	LOOP
		IF o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass THEN
			EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO %s', o.objid::pg_catalog.regprocedure, boot);
		ELSIF o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass THEN
			EXECUTE pg_catalog.format('ALTER SCHEMA %s OWNER TO %s', o.objid::pg_catalog.regnamespace, boot);
		ELSIF o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_event_trigger'::pg_catalog.regclass THEN
			EXECUTE pg_catalog.format('ALTER EVENT TRIGGER %I OWNER TO %s',
				(SELECT t.evtname FROM pg_catalog.pg_event_trigger t WHERE t.oid OPERATOR(pg_catalog.=) o.objid), boot);
		ELSIF o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			  AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) o.objid)
				  OPERATOR(pg_catalog.<>) 'S' THEN	-- a sequence goes with its table
			EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %s', o.objid::pg_catalog.regclass, boot);
		END IF;
	END LOOP;
	-- the extension's owner reads the tables directly, as a superuser does
	IF (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.oid OPERATOR(pg_catalog.=) ext)
	   OPERATOR(pg_catalog.<>) 10 THEN
		EXECUTE pg_catalog.format('GRANT SELECT ON ALL TABLES IN SCHEMA inventree_perms TO %s',
			(SELECT e.extowner::pg_catalog.regrole FROM pg_catalog.pg_extension e
			  WHERE e.oid OPERATOR(pg_catalog.=) ext));
	END IF;
END;
$$;
