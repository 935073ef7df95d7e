-- ---------------------------------------------------------------------------
-- Enforcing: row-level security on the user's tables.
--
-- protect(t, model) puts four RESTRICTIVE policies on t, one per command:
--
--     inventree_perms_select  FOR SELECT USING      (view)
--     inventree_perms_insert  FOR INSERT WITH CHECK (add)
--     inventree_perms_update  FOR UPDATE USING      (change) WITH CHECK (change)
--     inventree_perms_delete  FOR DELETE USING      (delete)
--
-- each ((SELECT inventree_perms.has_model_perm('<model>', '<action>'))): the
-- 2-argument check, for the acting user; the scalar sub-SELECT makes it an
-- InitPlan, evaluated once per statement, not once per row.  Restrictive
-- policies are ANDed with the table's own permissive ones, so protect() never
-- widens what those allow.  PostgreSQL admits no row at all when a table with
-- RLS has no permissive policy, so where the table has none, protect() also
-- adds inventree_perms_permissive FOR ALL USING (true) WITH CHECK (true).
-- (To keep a table that has RLS and no permissive policy deny-all, give it a
-- permissive policy USING (false) first.)
--
-- What PostgreSQL does with these, and applications should know:
--  * An UPDATE or DELETE that reads the table (a WHERE clause, RETURNING, or
--    SET col = expression of columns) applies the SELECT policies to the rows
--    it reads as well: without "view", "change" and "delete" affect no row
--    (0 rows, no error).  A bare "DELETE FROM t" or "UPDATE t SET c = 1"
--    reads nothing, so "delete" / "change" alone are enough for it.
--  * INSERT ... RETURNING and INSERT ... ON CONFLICT DO UPDATE need view (and
--    change) as well.
--  * A refused INSERT, or an UPDATE whose new row fails the check, raises
--    PostgreSQL's own 42501 "new row violates row-level security policy".
--  * The table's owner (and any role with BYPASSRLS, superusers included)
--    bypasses row-level security unless the table has FORCE ROW LEVEL
--    SECURITY.  protect() does not change FORCE: grant the table to the
--    application's role, do not let it own the table.
--
-- inventree_perms.protected records what protect() changed (enabled_rls,
-- added_permissive) so that unprotect() puts the table back as it was.
-- ---------------------------------------------------------------------------

-- Internal: the table protect()/unprotect() is asked about, checked: it must
-- be a table (plain or partitioned), and the caller must be an administrator
-- who owns it, or a PostgreSQL superuser.  Returns the table's pg_class row.
CREATE FUNCTION inventree_perms._protect_target(relation regclass, what text)
RETURNS pg_catalog.pg_class
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c pg_catalog.pg_class;
BEGIN
	PERFORM inventree_perms._require_admin(what);
	SELECT * INTO c FROM pg_catalog.pg_class x WHERE x.oid OPERATOR(pg_catalog.=) relation;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'relation with OID % does not exist', relation::oid
			USING ERRCODE = 'undefined_table';
	END IF;
	IF c.relkind OPERATOR(pg_catalog.<>) ALL ('{r,p}'::"char"[]) THEN
		RAISE EXCEPTION '"%" is not a table', relation
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'Row-level security applies to tables and partitioned tables only.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_authid a
				   WHERE a.oid OPERATOR(pg_catalog.=) inventree_perms._caller() AND a.rolsuper)
	   AND NOT pg_catalog.pg_has_role(inventree_perms._caller(), c.relowner, 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to %', what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Role "%s" does not own table %s.',
											 inventree_perms._caller()::regrole, relation),
				  HINT = 'Only the table''s owner (or a member of the owning role) or a PostgreSQL superuser may do this.';
	END IF;
	RETURN c;
END;
$$;
COMMENT ON FUNCTION inventree_perms._protect_target(regclass, text) IS
	'Internal: the pg_class row of a table protect()/unprotect() may change; 42501 unless the caller is an administrator owning it or a PostgreSQL superuser';

-- Internal: make the policy "name" on the table exactly what protect() wants
-- (create it, or replace a policy of that name that is not it).  Returns true
-- if it changed anything.
CREATE FUNCTION inventree_perms._protect_policy(relation regclass, name text, permissive boolean,
												cmd "char", using_expr text, check_expr text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p pg_catalog.pg_policy;
	present boolean;
	before text;
	after text;
	cmdword text := CASE cmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
							 WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END;
	clauses text := '';
BEGIN
	IF using_expr IS NOT NULL THEN
		clauses := pg_catalog.format(' USING (%s)', using_expr);
	END IF;
	IF check_expr IS NOT NULL THEN
		clauses := clauses OPERATOR(pg_catalog.||) pg_catalog.format(' WITH CHECK (%s)', check_expr);
	END IF;

	SELECT * INTO p FROM pg_catalog.pg_policy x
	WHERE x.polrelid OPERATOR(pg_catalog.=) relation
	  AND x.polname OPERATOR(pg_catalog.=) name;
	present := FOUND;
	IF present AND (p.polcmd OPERATOR(pg_catalog.<>) cmd
				  OR p.polpermissive OPERATOR(pg_catalog.<>) permissive) THEN
		-- not ours (or altered beyond what ALTER POLICY can put back)
		EXECUTE pg_catalog.format('DROP POLICY %I ON %s', name, relation);
		present := false;
	END IF;
	IF NOT present THEN
		EXECUTE pg_catalog.format('CREATE POLICY %I ON %s AS %s FOR %s TO PUBLIC%s',
								  name, relation,
								  CASE WHEN permissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
								  cmdword, clauses);
		RETURN true;
	END IF;

	-- It exists with the right command and kind: put the roles and the
	-- expressions back, and tell whether that changed them.
	before := pg_catalog.concat_ws(' | ', p.polroles::text,
								   pg_catalog.pg_get_expr(p.polqual, p.polrelid),
								   pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid));
	EXECUTE pg_catalog.format('ALTER POLICY %I ON %s TO PUBLIC%s', name, relation, clauses);
	SELECT pg_catalog.concat_ws(' | ', x.polroles::text,
								pg_catalog.pg_get_expr(x.polqual, x.polrelid),
								pg_catalog.pg_get_expr(x.polwithcheck, x.polrelid))
	  INTO after
	  FROM pg_catalog.pg_policy x
	 WHERE x.polrelid OPERATOR(pg_catalog.=) relation
	   AND x.polname OPERATOR(pg_catalog.=) name;
	RETURN before IS DISTINCT FROM after;
END;
$$;
COMMENT ON FUNCTION inventree_perms._protect_policy(regclass, text, boolean, "char", text, text) IS
	'Internal: create or repair one policy protect() puts on a table; true if it changed anything';

-- protect -------------------------------------------------------------------
CREATE FUNCTION inventree_perms._protect(relation regclass, model text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c pg_catalog.pg_class;
	prev inventree_perms.protected;
	m inventree_perms.models;
	modelname text := model;
	registered boolean;
	bound text;
	enabled boolean := false;
	need_permissive boolean;
	keep_permissive boolean;
	dropped_permissive boolean := false;
	changed text[] := '{}';
	a record;
BEGIN
	c := inventree_perms._protect_target(relation, 'protect tables');

	SELECT * INTO prev FROM inventree_perms.protected p
	WHERE p.relation OPERATOR(pg_catalog.=) _protect.relation;
	SELECT x.name INTO bound FROM inventree_perms.models x
	WHERE x.relation OPERATOR(pg_catalog.=) _protect.relation;

	-- The model: as given; else the one protecting or bound to the table;
	-- else the table's own name.
	IF modelname IS NULL THEN
		modelname := coalesce(prev.model, bound);
	END IF;
	IF modelname IS NULL THEN
		modelname := c.relname;
		BEGIN
			PERFORM inventree_perms._check_name('model', modelname);
		EXCEPTION WHEN invalid_parameter_value THEN
			RAISE EXCEPTION 'table name "%" is not a valid model name', c.relname
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = 'Model names match ^[a-z][a-z0-9_.]{0,62}$.',
					  HINT = 'Name the model: inventree_perms.protect(relation, model).';
		END;
	ELSE
		PERFORM inventree_perms._check_name('model', modelname);
	END IF;

	-- One model per table, one table per model.
	IF prev.model IS NOT NULL AND prev.model OPERATOR(pg_catalog.<>) modelname THEN
		RAISE EXCEPTION 'table % is already protected by model "%"', relation, prev.model
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Call inventree_perms.unprotect() on the table first.';
	END IF;
	IF bound IS NOT NULL AND bound OPERATOR(pg_catalog.<>) modelname THEN
		RAISE EXCEPTION 'table % is already bound to model "%"', relation, bound
			USING ERRCODE = 'duplicate_object';
	END IF;
	SELECT * INTO m FROM inventree_perms.models x WHERE x.name OPERATOR(pg_catalog.=) modelname;
	registered := FOUND;
	IF registered AND m.relation IS NOT NULL AND m.relation OPERATOR(pg_catalog.<>) relation THEN
		RAISE EXCEPTION 'model "%" is already bound to table %', modelname, m.relation
			USING ERRCODE = 'duplicate_object',
				  DETAIL = pg_catalog.format('It cannot also protect %s.', relation);
	END IF;

	-- Register the model, or bind the registered one to the table.
	IF NOT registered THEN
		INSERT INTO inventree_perms.models (name, relation)
		VALUES (modelname, relation);
		changed := changed OPERATOR(pg_catalog.||) 'registered'::text;
	ELSIF m.relation IS NULL THEN
		UPDATE inventree_perms.models x SET relation = _protect.relation
		 WHERE x.name OPERATOR(pg_catalog.=) modelname;
		changed := changed OPERATOR(pg_catalog.||) 'bound'::text;
	END IF;

	-- Row-level security on.
	IF NOT c.relrowsecurity THEN
		EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', relation);
		enabled := true;
		changed := changed OPERATOR(pg_catalog.||) 'enabled_rls'::text;
	END IF;

	-- The four restrictive policies.
	FOR a IN
		SELECT * FROM (VALUES
			('inventree_perms_select', 'r'::"char", 'view', true, false),
			('inventree_perms_insert', 'a'::"char", 'add', false, true),
			('inventree_perms_update', 'w'::"char", 'change', true, true),
			('inventree_perms_delete', 'd'::"char", 'delete', true, false))
			AS v(polname, cmd, action, has_using, has_check)
	LOOP
		IF inventree_perms._protect_policy(
				relation, a.polname, false, a.cmd,
				CASE WHEN a.has_using THEN pg_catalog.format(
					'(SELECT inventree_perms.has_model_perm(%L::text, %L::text))',
					modelname, a.action) END,
				CASE WHEN a.has_check THEN pg_catalog.format(
					'(SELECT inventree_perms.has_model_perm(%L::text, %L::text))',
					modelname, a.action) END) THEN
			changed := changed OPERATOR(pg_catalog.||) a.polname::text;
		END IF;
	END LOOP;

	-- The permissive policy, where the table has no permissive policy of its
	-- own; dropped again once it has one (ours would widen it to every row).
	need_permissive := NOT EXISTS (
		SELECT 1 FROM pg_catalog.pg_policy x
		WHERE x.polrelid OPERATOR(pg_catalog.=) relation
		  AND x.polpermissive
		  AND x.polname OPERATOR(pg_catalog.<>) 'inventree_perms_permissive');
	IF need_permissive THEN
		IF inventree_perms._protect_policy(relation, 'inventree_perms_permissive', true, '*',
										   'true', 'true') THEN
			changed := changed OPERATOR(pg_catalog.||) 'inventree_perms_permissive'::text;
		END IF;
		keep_permissive := true;
	ELSE
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
				   WHERE x.polrelid OPERATOR(pg_catalog.=) relation
					 AND x.polname OPERATOR(pg_catalog.=) 'inventree_perms_permissive') THEN
			EXECUTE pg_catalog.format('DROP POLICY inventree_perms_permissive ON %s', relation);
			dropped_permissive := true;
			changed := changed OPERATOR(pg_catalog.||) 'dropped inventree_perms_permissive'::text;
		END IF;
		keep_permissive := false;
	END IF;

	-- Remember what to undo.
	IF prev.relation IS NULL THEN
		INSERT INTO inventree_perms.protected (relation, model, enabled_rls, added_permissive)
		VALUES (relation, modelname, enabled, keep_permissive);
		changed := changed OPERATOR(pg_catalog.||) 'protected'::text;
	ELSIF prev.enabled_rls OPERATOR(pg_catalog.<>) (prev.enabled_rls OR enabled)
		  OR prev.added_permissive OPERATOR(pg_catalog.<>) keep_permissive THEN
		UPDATE inventree_perms.protected p
		   SET enabled_rls = prev.enabled_rls OR enabled,
			   added_permissive = keep_permissive
		 WHERE p.relation OPERATOR(pg_catalog.=) _protect.relation;
	END IF;

	IF pg_catalog.cardinality(changed) OPERATOR(pg_catalog.>) 0 THEN
		PERFORM inventree_perms._log('protect', relation::text,
			pg_catalog.jsonb_build_object('model', modelname,
										  'enabled_rls', enabled,
										  'added_permissive', keep_permissive,
										  'dropped_permissive', dropped_permissive,
										  'changed', changed));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.protect(relation regclass, model text DEFAULT NULL)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.protect(regclass, text) IS
	'Enforce a model''s permissions on a table with row-level security (SELECT=view, INSERT=add, UPDATE=change, DELETE=delete); an administrator owning the table, or a PostgreSQL superuser';

-- unprotect -----------------------------------------------------------------
CREATE FUNCTION inventree_perms._unprotect(relation regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c pg_catalog.pg_class;
	prev inventree_perms.protected;
	pol text;
	dropped text[] := '{}';
	disabled boolean := false;
BEGIN
	-- A protected table that has since been dropped: forget it (and its
	-- model's binding), so that the model can be unregistered or reused.
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class x WHERE x.oid OPERATOR(pg_catalog.=) relation)
	   AND EXISTS (SELECT 1 FROM inventree_perms.protected p
				   WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation) THEN
		PERFORM inventree_perms._require_admin('unprotect tables');
		DELETE FROM inventree_perms.protected p
		WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation
		RETURNING * INTO prev;
		UPDATE inventree_perms.models x SET relation = NULL
		WHERE x.relation OPERATOR(pg_catalog.=) _unprotect.relation;
		PERFORM inventree_perms._log('unprotect', relation::oid::text,
			pg_catalog.jsonb_build_object('model', prev.model, 'dropped_table', true));
		RETURN;
	END IF;

	c := inventree_perms._protect_target(relation, 'unprotect tables');
	SELECT * INTO prev FROM inventree_perms.protected p
	WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation;
	IF NOT FOUND THEN
		RAISE NOTICE 'table % is not protected, skipping', relation;
		RETURN;
	END IF;

	FOR pol IN
		SELECT x.polname::text FROM pg_catalog.pg_policy x
		WHERE x.polrelid OPERATOR(pg_catalog.=) relation
		  AND (x.polname OPERATOR(pg_catalog.=) ANY ('{inventree_perms_select,inventree_perms_insert,inventree_perms_update,inventree_perms_delete}'::text[])
			   OR (prev.added_permissive
				   AND x.polname OPERATOR(pg_catalog.=) 'inventree_perms_permissive'))
		ORDER BY 1
	LOOP
		EXECUTE pg_catalog.format('DROP POLICY %I ON %s', pol, relation);
		dropped := dropped OPERATOR(pg_catalog.||) pol;
	END LOOP;

	-- Row-level security off again if protect() turned it on, unless the
	-- owner has given the table policies of its own since (turning it off
	-- would silently lift them).
	IF prev.enabled_rls AND c.relrowsecurity THEN
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
				   WHERE x.polrelid OPERATOR(pg_catalog.=) relation) THEN
			RAISE NOTICE 'row-level security stays enabled on %', relation
				USING DETAIL = 'The table has policies that protect() did not create.';
		ELSE
			EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', relation);
			disabled := true;
		END IF;
	END IF;

	DELETE FROM inventree_perms.protected p
	WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation;
	PERFORM inventree_perms._log('unprotect', relation::text,
		pg_catalog.jsonb_build_object('model', prev.model,
									  'dropped_policies', dropped,
									  'disabled_rls', disabled));
END;
$$;
CREATE FUNCTION inventree_perms.unprotect(relation regclass)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.unprotect(regclass) IS
	'Drop the policies protect() created and disable row-level security if protect() enabled it; the model stays registered';
