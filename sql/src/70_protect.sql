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
-- widens what those allow.
--
-- PostgreSQL admits no row at all for a command that no permissive policy
-- applies to.  For each command that no permissive policy of the table's
-- own applies to (a FOR ALL policy applies to all four), protect() adds an
-- admit-all permissive policy for that command alone:
--
--     inventree_perms_permissive_select  FOR SELECT USING (true)
--     inventree_perms_permissive_insert  FOR INSERT WITH CHECK (true)
--     inventree_perms_permissive_update  FOR UPDATE USING (true) WITH CHECK (true)
--     inventree_perms_permissive_delete  FOR DELETE USING (true)
--
-- and keeps it so over time: an event trigger drops the admit-all of a
-- command (with a NOTICE) as soon as the owner creates a permissive policy
-- for it, and puts it back when the owner's last one for it is dropped.
-- "Its own" are the policies of the table itself and of the protected
-- tables above it under the same protection (its protected ancestors):
-- PostgreSQL applies only a partition's or child's own policies when the
-- query names it, so an admit-all left there while the parent is restricted
-- would give more rows through the partition than through the parent.  A
-- table's admit-all for a command therefore exists only while no permissive
-- policy for that command exists on it or on any of its protected
-- ancestors: once the owner restricts the parent, naming the partition
-- admits nothing for that command (fail closed) unless the owner gives the
-- partition a policy of its own too.  The whole subtree is reconciled when a
-- policy on a parent is created or dropped and when a table is attached or
-- adopted (a table detached keeps what it had: it can only have lost a
-- restriction it may not widen by itself; protect() on it reconciles it).
-- protect()'s own policies are known by their exact names (one list,
-- _protect_policy_names()): a policy of the owner's named like ours
-- (inventree_perms_own_rows) is the owner's.
-- (1.1 had one admit-all FOR ALL, inventree_perms_permissive; the upgrade
-- replaces it.)  To keep a table deny-all for a command, give it a permissive
-- policy USING (false) for that command.
--
-- Every way to the rows: PostgreSQL applies a table's policies only to
-- queries that name that table, so a partition or an inheritance child named
-- directly would pass by the parent's.  protect() puts the same protection,
-- under the parent's model, on every partition and child at every level;
-- an event trigger does the same for ones created, attached or adopted
-- (INHERIT) later.  A table detached (NO INHERIT) stays protected (fail
-- closed).  A protected table gains no parent that is not protected under
-- the same model (ALTER [FOREIGN] TABLE .. INHERIT, ATTACH PARTITION,
-- CREATE TABLE .. INHERITS with several parents): the parent would show its
-- rows unchecked, so the DDL fails (55000; protect() of a table that has such
-- a parent too).  inventree_perms.protected records for each table the table whose
-- protect() call put it there (root): unprotect() of the root undoes it
-- everywhere, detached tables included; unprotect() of a detached table
-- undoes it there (and below it) alone; unprotect() of a partition or child
-- still attached to a protected table is refused (55000).
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
-- What was checked is what is used: every table is locked by OID before it
-- is looked at, and every DDL statement (which names the table by its
-- schema-qualified name, resolved again when it runs: a schema can be renamed
-- without a lock on the table) is verified by OID to have reached that table;
-- else everything is rolled back.
--
-- inventree_perms.protected records what protect() changed (enabled_rls,
-- added_permissive) so that unprotect() puts each table back as it was.
-- ---------------------------------------------------------------------------

-- Internal: lock a relation by OID (ACCESS EXCLUSIVE, to the end of the
-- transaction); true if it exists.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_lock(relation oid)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_protect_lock'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION inventree_perms_internal._protect_lock(oid) IS
	'Internal: takes an ACCESS EXCLUSIVE lock on a relation by OID; true if the relation exists';

-- Internal: the schema-qualified, quoted name of a relation, read by OID
-- (for DDL text; whoever uses it verifies the DDL reached that OID).
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_relname(relation regclass)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
	  FROM pg_catalog.pg_class c
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE c.oid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_relname(regclass) IS
	'Internal: the quoted schema-qualified name of a relation, by OID; NULL if there is none';

-- Internal: raise unless a DDL statement reached the table it was meant for
-- (a concurrent rename of its schema can make the name name another table).
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_reached(relation regclass, reached boolean)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
	IF reached IS NOT TRUE THEN
		RAISE EXCEPTION 'table with OID % was renamed while inventree_perms changed it', relation::pg_catalog.oid
			USING ERRCODE = 'serialization_failure',
				  DETAIL = 'A statement naming the table reached another object; everything is rolled back.',
				  HINT = 'Try again.';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_reached(regclass, boolean) IS
	'Internal: raises 40001 unless reached is true (a DDL statement reached the table it named by OID)';

-- Internal: ENABLE or DISABLE row-level security on a table (locked by the
-- caller), verified by OID.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_rls(relation regclass, enable boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
	EXECUTE pg_catalog.format('ALTER TABLE %s %s ROW LEVEL SECURITY',
							  inventree_perms_internal._protect_relname(relation),
							  CASE WHEN enable THEN 'ENABLE' ELSE 'DISABLE' END);
	PERFORM inventree_perms_internal._protect_reached(relation,
		(SELECT c.relrowsecurity OPERATOR(pg_catalog.=) enable FROM pg_catalog.pg_class c
		  WHERE c.oid OPERATOR(pg_catalog.=) relation::pg_catalog.oid));
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_rls(regclass, boolean) IS
	'Internal: enables or disables row-level security on a table, verified by OID (40001 if the name reached another table)';

-- Internal: drop the policy "name" from a table (locked by the caller) if it
-- is there, verified by OID.  True if it dropped one.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_drop_policy(relation regclass, name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
				   WHERE x.polrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
					 AND x.polname OPERATOR(pg_catalog.=) name) THEN
		RETURN false;
	END IF;
	EXECUTE pg_catalog.format('DROP POLICY %I ON %s', name, inventree_perms_internal._protect_relname(relation));
	PERFORM inventree_perms_internal._protect_reached(relation,
		NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
					WHERE x.polrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
					  AND x.polname OPERATOR(pg_catalog.=) name));
	RETURN true;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_drop_policy(regclass, text) IS
	'Internal: drops one policy from a table if it is there, verified by OID; true if it dropped it';

-- Internal: make the policy "name" on the table exactly what protect() wants
-- (create it, or replace a policy of that name that is not it).  Returns true
-- if it changed anything.  The caller has locked the table.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_policy(relation regclass, name text, permissive boolean,
												cmd "char", using_expr text, check_expr text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	p pg_catalog.pg_policy;
	present boolean;
	before text;
	after text;
	before_ctid pg_catalog.tid;
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
	WHERE x.polrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
	  AND x.polname OPERATOR(pg_catalog.=) name;
	present := FOUND;
	IF present AND (p.polcmd OPERATOR(pg_catalog.<>) cmd
				  OR p.polpermissive OPERATOR(pg_catalog.<>) permissive) THEN
		-- not ours (or altered beyond what ALTER POLICY can put back)
		PERFORM inventree_perms_internal._protect_drop_policy(relation, name);
		present := false;
	END IF;
	IF NOT present THEN
		EXECUTE pg_catalog.format('CREATE POLICY %I ON %s AS %s FOR %s TO PUBLIC%s',
								  name, inventree_perms_internal._protect_relname(relation),
								  CASE WHEN permissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
								  cmdword, clauses);
		PERFORM inventree_perms_internal._protect_reached(relation,
			EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
					WHERE x.polrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
					  AND x.polname OPERATOR(pg_catalog.=) name));
		RETURN true;
	END IF;

	-- It exists with the right command and kind: put the roles and the
	-- expressions back, and tell whether that changed them.  ALTER POLICY
	-- always writes a new version of the row: a row that did not move was
	-- not reached.
	SELECT x.ctid INTO before_ctid FROM pg_catalog.pg_policy x
	 WHERE x.oid OPERATOR(pg_catalog.=) p.oid;
	before := pg_catalog.concat_ws(' | ', p.polroles::text,
								   pg_catalog.pg_get_expr(p.polqual, p.polrelid),
								   pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid));
	EXECUTE pg_catalog.format('ALTER POLICY %I ON %s TO PUBLIC%s', name,
							  inventree_perms_internal._protect_relname(relation), clauses);
	PERFORM inventree_perms_internal._protect_reached(relation,
		EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
				WHERE x.oid OPERATOR(pg_catalog.=) p.oid
				  AND x.polrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
				  AND x.ctid OPERATOR(pg_catalog.<>) before_ctid));
	SELECT pg_catalog.concat_ws(' | ', x.polroles::text,
								pg_catalog.pg_get_expr(x.polqual, x.polrelid),
								pg_catalog.pg_get_expr(x.polwithcheck, x.polrelid))
	  INTO after
	  FROM pg_catalog.pg_policy x
	 WHERE x.oid OPERATOR(pg_catalog.=) p.oid;
	RETURN before IS DISTINCT FROM after;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_policy(regclass, text, boolean, "char", text, text) IS
	'Internal: create or repair one policy protect() puts on a table, verified by OID; true if it changed anything';

-- Internal: the names of the policies protect() puts on a table (the four
-- restrictive ones, the four admit-alls, and 1.1's FOR ALL admit-all): the
-- one list by which every function and event trigger tells protect()'s
-- policies from the owner's (a policy of the owner's may well be named
-- inventree_perms_something).
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_policy_names()
RETURNS name[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '{inventree_perms_delete,inventree_perms_insert,inventree_perms_permissive,inventree_perms_permissive_delete,inventree_perms_permissive_insert,inventree_perms_permissive_select,inventree_perms_permissive_update,inventree_perms_select,inventree_perms_update}'::name[]
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_policy_names() IS
	'Internal: the exact names of the policies protect() creates (a policy of any other name is the owner''s)';

-- Internal: the protected tables above a protected table under the same
-- model (its parents that are protected by that model, theirs, and so on;
-- the walk stops at a parent that is not).  Empty for a table that is not
-- protected.  Reads the catalogs only (no locks).
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_ancestors(relation regclass)
RETURNS oid[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	WITH RECURSIVE me AS (
		SELECT p.model FROM inventree_perms.protected p
		 WHERE p.relation OPERATOR(pg_catalog.=) $1
	), up(rel, depth) AS (
		SELECT $1::pg_catalog.oid, 0
		UNION
		SELECT h.inhparent, u.depth OPERATOR(pg_catalog.+) 1
		  FROM up u
		  JOIN pg_catalog.pg_inherits h ON h.inhrelid OPERATOR(pg_catalog.=) u.rel
		  JOIN inventree_perms.protected p ON p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) h.inhparent
		  JOIN me ON me.model OPERATOR(pg_catalog.=) p.model
		 WHERE u.depth OPERATOR(pg_catalog.<) 1000
	)
	SELECT coalesce(pg_catalog.array_agg(DISTINCT u.rel), '{}')
	  FROM up u
	 WHERE u.rel OPERATOR(pg_catalog.<>) $1::pg_catalog.oid
	   AND EXISTS (SELECT 1 FROM me)
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_ancestors(regclass) IS
	'Internal: the OIDs of the protected tables above a protected table under the same model (its protected ancestors); empty if none';

-- Internal: the protected tables this transaction holds an ACCESS EXCLUSIVE
-- lock on: the tables the DDL statement an event trigger follows has
-- touched (or earlier statements of the transaction), known by OID, not by
-- a name that a concurrent rename could move.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_locked()
RETURNS regclass[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(pg_catalog.array_agg(p.relation ORDER BY p.relation::pg_catalog.oid), '{}')
	  FROM inventree_perms.protected p
	 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
					WHERE l.locktype OPERATOR(pg_catalog.=) 'relation'
					  AND l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()
					  AND l.database OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
															 WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
					  AND l.relation OPERATOR(pg_catalog.=) p.relation::pg_catalog.oid
					  AND l.mode OPERATOR(pg_catalog.=) 'AccessExclusiveLock'
					  AND l.granted)
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_locked() IS
	'Internal: the protected tables this transaction holds an ACCESS EXCLUSIVE lock on';

-- Internal: raise unless every parent of a protected table is protected
-- under the same model: any other parent would show its rows unchecked
-- (fail closed: the statement that gave it that parent is rolled back).
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_check_parents(relation regclass)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	mine inventree_perms.protected;
	parent regclass;
BEGIN
	SELECT * INTO mine FROM inventree_perms.protected p WHERE p.relation OPERATOR(pg_catalog.=) relation;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT h.inhparent::regclass INTO parent
	  FROM pg_catalog.pg_inherits h
	 WHERE h.inhrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
	   AND NOT EXISTS (SELECT 1 FROM inventree_perms.protected p
					   WHERE p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) h.inhparent
						 AND p.model OPERATOR(pg_catalog.=) mine.model)
	 ORDER BY h.inhseqno LIMIT 1;
	IF parent IS NOT NULL THEN
		RAISE EXCEPTION 'table % is protected by model "%", its parent % is not', relation, mine.model, parent
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'A query on a parent reads its partitions'' and children''s rows under the parent''s policies only: a parent not protected by the same model would show them unchecked.',
				  HINT = pg_catalog.format('Protect %s under model "%s" first (as a partition or child of %s), or do not make it a parent of %s.',
										   parent, mine.model, coalesce(mine.root, mine.relation), relation);
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_check_parents(regclass) IS
	'Internal: raises 55000 if a protected table has a parent (partitioned table or inheritance parent) not protected by the same model';

-- Internal: the admit-all permissive policies of one protected table (locked
-- by the caller), command by command: one exists only while no other
-- permissive policy applies to its command, on the table or on one of its
-- protected ancestors (see the top of this file).  "mode" says which way it may
-- go: 'both' (protect()), 'drop' (the owner created a policy: admit-alls can
-- only go), 'add' (the owner dropped one: they can only come back).  "tell":
-- a NOTICE for each change.  Drops 1.1's FOR ALL admit-all.  Keeps
-- protected.added_permissive (some admit-all is there) when it changed
-- something.  Returns what it changed.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_reconcile(relation regclass, mode text, tell boolean)
RETURNS text[]
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	a record;
	others text;
	above oid[] := inventree_perms_internal._protect_ancestors(relation);
	changed text[] := '{}';
BEGIN
	FOR a IN
		SELECT * FROM (VALUES
			('inventree_perms_permissive_select', 'r'::"char", 'SELECT', 'true', NULL),
			('inventree_perms_permissive_insert', 'a'::"char", 'INSERT', NULL, 'true'),
			('inventree_perms_permissive_update', 'w'::"char", 'UPDATE', 'true', 'true'),
			('inventree_perms_permissive_delete', 'd'::"char", 'DELETE', 'true', NULL))
			AS v(polname, cmd, cmdword, using_expr, check_expr)
	LOOP
		SELECT pg_catalog.string_agg(
					CASE WHEN x.polrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
						 THEN pg_catalog.quote_ident(x.polname)
						 ELSE pg_catalog.format('%I (on table %s)', x.polname, x.polrelid::regclass) END,
					', ' ORDER BY x.polrelid OPERATOR(pg_catalog.<>) relation::pg_catalog.oid, x.polrelid, x.polname)
		  INTO others
		  FROM pg_catalog.pg_policy x
		 WHERE (x.polrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
				OR x.polrelid OPERATOR(pg_catalog.=) ANY (above))
		   AND x.polpermissive
		   AND x.polcmd OPERATOR(pg_catalog.=) ANY (ARRAY[a.cmd, '*'::"char"])
		   AND x.polname OPERATOR(pg_catalog.<>) ALL (inventree_perms_internal._protect_policy_names());
		IF others IS NOT NULL THEN
			IF mode OPERATOR(pg_catalog.<>) 'add'
			   AND inventree_perms_internal._protect_drop_policy(relation, a.polname) THEN
				changed := changed OPERATOR(pg_catalog.||) ('dropped ' OPERATOR(pg_catalog.||) a.polname);
				IF tell THEN
					RAISE NOTICE 'permissive policy % now decides % on table %', others, a.cmdword, relation
						USING DETAIL = pg_catalog.format('The admit-all policy %s of inventree_perms.protect() is dropped: it would admit every row.', a.polname);
				END IF;
			END IF;
		ELSIF mode OPERATOR(pg_catalog.<>) 'drop' THEN
			IF mode OPERATOR(pg_catalog.=) 'both'
			   OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
							  WHERE x.polrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
								AND x.polname OPERATOR(pg_catalog.=) a.polname) THEN
				IF inventree_perms_internal._protect_policy(relation, a.polname, true, a.cmd,
												   a.using_expr, a.check_expr) THEN
					changed := changed OPERATOR(pg_catalog.||) a.polname;
					IF tell THEN
						RAISE NOTICE 'no permissive policy of its own decides % on table % any more', a.cmdword, relation
							USING DETAIL = pg_catalog.format('The admit-all policy %s of inventree_perms.protect() is back: without a permissive policy no row would be admitted.', a.polname);
					END IF;
				END IF;
			END IF;
		END IF;
	END LOOP;
	IF inventree_perms_internal._protect_drop_policy(relation, 'inventree_perms_permissive') THEN
		changed := changed OPERATOR(pg_catalog.||) 'dropped inventree_perms_permissive'::text;
	END IF;
	-- (only after a change: a restore creates the policies one by one, and
	-- must end with the flag it restored)
	UPDATE inventree_perms.protected p
	   SET added_permissive = NOT p.added_permissive
	 WHERE pg_catalog.cardinality(changed) OPERATOR(pg_catalog.>) 0
	   AND p.relation OPERATOR(pg_catalog.=) _protect_reconcile.relation
	   AND p.added_permissive OPERATOR(pg_catalog.<>) EXISTS (
			SELECT 1 FROM pg_catalog.pg_policy x
			 WHERE x.polrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
			   AND x.polname OPERATOR(pg_catalog.=) ANY (inventree_perms_internal._protect_policy_names())
			   AND x.polname OPERATOR(pg_catalog.~) '^inventree_perms_permissive_');
	RETURN changed;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_reconcile(regclass, text, boolean) IS
	'Internal: keeps protect()''s admit-all policies of one table, command by command, to the commands no other permissive policy applies to (mode both|drop|add; tell: NOTICEs); returns what it changed';

-- Internal: the tables at and below a table (its partitions and inheritance
-- children, at every level), each locked by OID before its children are
-- read; top first, then level by level.  42P01 for a table that is gone.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_subtree(top regclass)
RETURNS regclass[]
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	tables regclass[] := ARRAY[top];
	i integer := 1;
	t regclass;
BEGIN
	WHILE i OPERATOR(pg_catalog.<=) pg_catalog.cardinality(tables) LOOP
		t := tables[i];
		IF NOT inventree_perms_internal._protect_lock(t::pg_catalog.oid) THEN
			RAISE EXCEPTION 'relation with OID % does not exist', t::pg_catalog.oid
				USING ERRCODE = 'undefined_table';
		END IF;
		tables := tables OPERATOR(pg_catalog.||) ARRAY(
			SELECT h.inhrelid::regclass FROM pg_catalog.pg_inherits h
			 WHERE h.inhparent OPERATOR(pg_catalog.=) t::pg_catalog.oid
			   AND h.inhrelid::regclass OPERATOR(pg_catalog.<>) ALL (tables)
			 ORDER BY h.inhrelid);
		i := i OPERATOR(pg_catalog.+) 1;
	END LOOP;
	RETURN tables;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_subtree(regclass) IS
	'Internal: a table and its partitions and inheritance children at every level, each locked by OID; 42P01 for one that is gone';

-- Internal: true if a protected table at or below a table has an admit-all
-- policy for a command that a permissive policy of the owner's decides there
-- or on one of its protected ancestors (what _protect_settle(.., 'drop', ..)
-- would drop).  Reads the catalogs only, so that a statement that changes
-- nothing of the kind locks nothing more.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_widens(relation regclass)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	WITH RECURSIVE under(rel, depth) AS (
		SELECT $1::pg_catalog.oid, 0
		UNION
		SELECT h.inhrelid, u.depth OPERATOR(pg_catalog.+) 1
		  FROM under u JOIN pg_catalog.pg_inherits h ON h.inhparent OPERATOR(pg_catalog.=) u.rel
		 WHERE u.depth OPERATOR(pg_catalog.<) 1000)
	SELECT EXISTS (
		SELECT 1 FROM under u
		  JOIN inventree_perms.protected p ON p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) u.rel
		  JOIN pg_catalog.pg_policy a ON a.polrelid OPERATOR(pg_catalog.=) u.rel
		 WHERE a.polname OPERATOR(pg_catalog.=) ANY (inventree_perms_internal._protect_policy_names())
		   AND a.polpermissive
		   AND EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
						WHERE (x.polrelid OPERATOR(pg_catalog.=) u.rel
							   OR x.polrelid OPERATOR(pg_catalog.=) ANY (inventree_perms_internal._protect_ancestors(u.rel::regclass)))
						  AND x.polpermissive
						  AND x.polname OPERATOR(pg_catalog.<>) ALL (inventree_perms_internal._protect_policy_names())
						  AND (x.polcmd OPERATOR(pg_catalog.=) '*'
							   OR a.polcmd OPERATOR(pg_catalog.=) '*'
							   OR x.polcmd OPERATOR(pg_catalog.=) a.polcmd)))
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_widens(regclass) IS
	'Internal: true if an admit-all policy at or below a protected table is for a command a permissive policy of the owner''s decides there or above';

-- Internal: the admit-all policies of every protected table at and below a
-- table, after a policy on that table was created (mode 'drop') or dropped
-- ('add'), or after it was attached or adopted ('drop'): a policy there
-- decides for the tables below it too.  'drop' locks the whole subtree by
-- OID (an admit-all left in place would widen).  'add' takes no lock on a
-- table below that the transaction does not hold already and whose owner is
-- not the owner of "relation" (the role that changed it): such a table stays
-- without the admit-all (fail closed) rather than stall the statement; nor
-- on one that has a permissive policy for every command (nothing to add).
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_settle(relation regclass, mode text, tell boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	t regclass;
	owner oid;
	held regclass[];
	done text[];
	below text[] := '{}';
BEGIN
	IF mode OPERATOR(pg_catalog.<>) 'add' THEN
		FOREACH t IN ARRAY inventree_perms_internal._protect_subtree(relation) LOOP
			IF EXISTS (SELECT 1 FROM inventree_perms.protected p WHERE p.relation OPERATOR(pg_catalog.=) t) THEN
				done := inventree_perms_internal._protect_reconcile(t, mode, tell AND t OPERATOR(pg_catalog.=) relation);
				IF t OPERATOR(pg_catalog.<>) relation THEN
					below := below OPERATOR(pg_catalog.||)
						ARRAY(SELECT t::text OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) d
								FROM pg_catalog.unnest(done) d);
				END IF;
			END IF;
		END LOOP;
	ELSIF inventree_perms_internal._protect_lock(relation::pg_catalog.oid) THEN
		SELECT c.relowner INTO owner FROM pg_catalog.pg_class c
		 WHERE c.oid OPERATOR(pg_catalog.=) relation::pg_catalog.oid;
		held := inventree_perms_internal._protect_locked();
		FOR t IN
			WITH RECURSIVE under(rel, depth) AS (
				SELECT relation::pg_catalog.oid, 0
				UNION
				SELECT h.inhrelid, u.depth OPERATOR(pg_catalog.+) 1
				  FROM under u JOIN pg_catalog.pg_inherits h ON h.inhparent OPERATOR(pg_catalog.=) u.rel
				 WHERE u.depth OPERATOR(pg_catalog.<) 1000)
			SELECT u.rel::regclass FROM under u
			  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) u.rel
			 WHERE EXISTS (SELECT 1 FROM inventree_perms.protected p
							WHERE p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) u.rel)
			   AND (u.rel::regclass OPERATOR(pg_catalog.=) ANY (held)
					OR c.relowner OPERATOR(pg_catalog.=) owner)
			   -- (one whose every command has a permissive policy there
			   -- needs nothing back)
			   AND EXISTS (SELECT 1 FROM pg_catalog.unnest('{r,a,w,d}'::"char"[]) v(cmd)
							WHERE NOT EXISTS (
								SELECT 1 FROM pg_catalog.pg_policy x
								 WHERE x.polrelid OPERATOR(pg_catalog.=) u.rel
								   AND x.polpermissive
								   AND x.polcmd OPERATOR(pg_catalog.=) ANY (ARRAY[v.cmd, '*'::"char"])))
			 GROUP BY u.rel ORDER BY pg_catalog.min(u.depth), u.rel
		LOOP
			IF inventree_perms_internal._protect_lock(t::pg_catalog.oid)
			   AND EXISTS (SELECT 1 FROM inventree_perms.protected p WHERE p.relation OPERATOR(pg_catalog.=) t) THEN
				done := inventree_perms_internal._protect_reconcile(t, 'add', tell AND t OPERATOR(pg_catalog.=) relation);
				IF t OPERATOR(pg_catalog.<>) relation THEN
					below := below OPERATOR(pg_catalog.||)
						ARRAY(SELECT t::text OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) d
								FROM pg_catalog.unnest(done) d);
				END IF;
			END IF;
		END LOOP;
	END IF;
	IF tell AND pg_catalog.cardinality(below) OPERATOR(pg_catalog.>) 0 THEN
		RAISE NOTICE 'admit-all policies of inventree_perms.protect() changed below table %', relation
			USING DETAIL = pg_catalog.format('The permissive policies of a protected table decide for its partitions and children too; changed: %s%s.',
											 pg_catalog.array_to_string(below[1:10], ', '),
											 CASE WHEN pg_catalog.cardinality(below) OPERATOR(pg_catalog.>) 10
												  THEN pg_catalog.format(' and %s more', pg_catalog.cardinality(below) OPERATOR(pg_catalog.-) 10)
												  ELSE '' END);
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_settle(regclass, text, boolean) IS
	'Internal: reconciles the admit-all policies of the protected tables at and below a table (mode drop: every one, locked; add: those held or owned by the table''s owner)';

-- Internal: protect() of one table (locked, recorded in protected): RLS on,
-- the four restrictive policies for the model, the admit-all policies its
-- commands need.  Returns what it changed.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_apply(relation regclass, model text)
RETURNS text[]
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	c pg_catalog.pg_class;
	a record;
	s inventree_perms.model_scopes;
	owned boolean;
	node_expr text := 'NULL::pg_catalog.int8';
	owner_expr text := 'NULL::pg_catalog.int8';
	expr text;
	changed text[] := '{}';
BEGIN
	SELECT * INTO c FROM pg_catalog.pg_class x WHERE x.oid OPERATOR(pg_catalog.=) relation::pg_catalog.oid;
	IF c.relkind OPERATOR(pg_catalog.<>) ALL ('{r,p}'::"char"[]) THEN
		RAISE EXCEPTION '"%" is not a table', relation
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'Row-level security applies to tables and partitioned tables only; a foreign table among the partitions or children of a protected table would let its rows through.';
	END IF;

	-- Row-level security on.
	IF NOT c.relrowsecurity THEN
		PERFORM inventree_perms_internal._protect_rls(relation, true);
		UPDATE inventree_perms.protected p SET enabled_rls = true
		 WHERE p.relation OPERATOR(pg_catalog.=) _protect_apply.relation;
		changed := changed OPERATOR(pg_catalog.||) 'enabled_rls'::text;
	END IF;

	-- Row rules of the model (row scopes): the node and owner columns.
	SELECT * INTO s FROM inventree_perms.model_scopes x WHERE x.model OPERATOR(pg_catalog.=) _protect_apply.model;
	owned := s.owner_column IS NOT NULL
		OR EXISTS (SELECT 1 FROM inventree_perms.trees t
				   WHERE t.name OPERATOR(pg_catalog.=) s.tree AND t.owner_column IS NOT NULL);
	IF s.tree IS NOT NULL THEN
		node_expr := pg_catalog.format('%I::pg_catalog.int8', s.scope_column);
	END IF;
	IF s.owner_column IS NOT NULL THEN
		owner_expr := pg_catalog.format('%I::pg_catalog.int8', s.owner_column);
	END IF;

	-- The four restrictive policies: model-wide as an InitPlan (once per
	-- statement); a scoped model also admits a row within the user's scope
	-- (the allowed nodes as an InitPlan too, for an index), and for add,
	-- change and delete an owned row only for its owner (per row, from the
	-- per-statement sets of src/scope.c).
	FOR a IN
		SELECT * FROM (VALUES
			('inventree_perms_select', 'r'::"char", 'view', true, false),
			('inventree_perms_insert', 'a'::"char", 'add', false, true),
			('inventree_perms_update', 'w'::"char", 'change', true, true),
			('inventree_perms_delete', 'd'::"char", 'delete', true, false))
			AS v(polname, cmd, action, has_using, has_check)
	LOOP
		IF owned AND a.action OPERATOR(pg_catalog.<>) 'view' THEN
			expr := pg_catalog.format('inventree_perms.has_row_perm(%L::text, %L::text, %s, %s)',
									  model, a.action, node_expr, owner_expr);
		ELSIF s.tree IS NOT NULL THEN
			-- (its planner support function makes an index on the scope
			-- column usable: src/scope_plan.c)
			expr := pg_catalog.format(
				'inventree_perms_internal.scope_admits(%L::text, %L::text, %s, (SELECT inventree_perms.has_model_perm(%L::text, %L::text)), (SELECT inventree_perms_internal.allowed_nodes(%L::text, %L::text)))',
				model, a.action, node_expr, model, a.action, model, a.action);
		ELSE
			expr := pg_catalog.format('(SELECT inventree_perms.has_model_perm(%L::text, %L::text))',
									  model, a.action);
		END IF;
		IF inventree_perms_internal._protect_policy(
				relation, a.polname, false, a.cmd,
				CASE WHEN a.has_using THEN expr END,
				CASE WHEN a.has_check THEN expr END) THEN
			changed := changed OPERATOR(pg_catalog.||) a.polname::text;
		END IF;
	END LOOP;

	RETURN changed OPERATOR(pg_catalog.||) inventree_perms_internal._protect_reconcile(relation, 'both', false);
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_apply(regclass, text) IS
	'Internal: RLS, the four restrictive policies and the admit-all policies needed on one protected table; returns what it changed';

-- Internal: protect a table and everything below it (partitions, children,
-- every level) under a model, recording "root" as the table whose protect()
-- call put it there.  A table below that is already protected by another
-- model: 42710.  Returns what it changed, each entry of a table other than
-- "top" prefixed with that table's name.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_tree(root regclass, top regclass, model text)
RETURNS text[]
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	tables regclass[] := inventree_perms_internal._protect_subtree(top);
	t regclass;
	prev inventree_perms.protected;
	done text[];
	changed text[] := '{}';
BEGIN
	-- First record every table (so that the event trigger, which hears of
	-- the DDL below, finds each one protected already), then change them.
	FOREACH t IN ARRAY tables LOOP
		SELECT * INTO prev FROM inventree_perms.protected p
		 WHERE p.relation OPERATOR(pg_catalog.=) t;
		IF NOT FOUND THEN
			INSERT INTO inventree_perms.protected (relation, model, enabled_rls, added_permissive, root)
			VALUES (t, _protect_tree.model, false, false, _protect_tree.root);
			done := ARRAY['protected'];
		ELSIF prev.model OPERATOR(pg_catalog.<>) _protect_tree.model THEN
			RAISE EXCEPTION 'table % is already protected by model "%"', t, prev.model
				USING ERRCODE = 'duplicate_object',
					  DETAIL = pg_catalog.format('It is a partition or child of %s, which is to be protected by model "%s".', top, _protect_tree.model),
					  HINT = pg_catalog.format('Call inventree_perms.unprotect() on %s first.', prev.root);
		ELSIF prev.root IS DISTINCT FROM _protect_tree.root THEN
			UPDATE inventree_perms.protected p SET root = _protect_tree.root
			 WHERE p.relation OPERATOR(pg_catalog.=) t;
			done := ARRAY['root'];
		ELSE
			done := '{}';
		END IF;
		IF t OPERATOR(pg_catalog.=) top THEN
			changed := changed OPERATOR(pg_catalog.||) done;
		ELSE
			changed := changed OPERATOR(pg_catalog.||)
				ARRAY(SELECT t::text OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) d
						FROM pg_catalog.unnest(done) d);
		END IF;
	END LOOP;
	-- No way to their rows through a parent that is not protected alike.
	FOREACH t IN ARRAY tables LOOP
		PERFORM inventree_perms_internal._protect_check_parents(t);
	END LOOP;
	FOREACH t IN ARRAY tables LOOP
		done := inventree_perms_internal._protect_apply(t, model);
		IF t OPERATOR(pg_catalog.=) top THEN
			changed := changed OPERATOR(pg_catalog.||) done;
		ELSE
			changed := changed OPERATOR(pg_catalog.||)
				ARRAY(SELECT t::text OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) d
						FROM pg_catalog.unnest(done) d);
		END IF;
	END LOOP;
	RETURN changed;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_tree(regclass, regclass, text) IS
	'Internal: protects a table and its partitions and children at every level under a model and root; 42710 for one protected by another model, 55000 for one with a parent not protected by that model; returns what it changed';

-- Internal: forget what names relations that are gone (or are no longer
-- tables: an OID can come back as anything): a row of protected, a model's
-- binding; a protected table whose root is gone becomes its own root.  Such
-- rows are left by temporary tables of sessions that crashed (their tables
-- go without sql_drop); they must not pass to a new relation.  A row without
-- a root (restored from a dump of 1.1) is its own root.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_purge()
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM inventree_perms.protected p
	 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
					   WHERE c.oid OPERATOR(pg_catalog.=) p.relation::pg_catalog.oid
						 AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::"char"[]));
	UPDATE inventree_perms.protected p SET root = p.relation
	 WHERE p.root IS NULL;
	UPDATE inventree_perms.protected p SET root = p.relation
	 WHERE p.root OPERATOR(pg_catalog.<>) p.relation
	   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
					   WHERE c.oid OPERATOR(pg_catalog.=) p.root::pg_catalog.oid
						 AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::"char"[]));
	UPDATE inventree_perms.models m SET relation = NULL
	 WHERE m.relation IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
					   WHERE c.oid OPERATOR(pg_catalog.=) m.relation::pg_catalog.oid);
	PERFORM inventree_perms_internal._forget_trees(ARRAY(
		SELECT t.relation::pg_catalog.oid FROM inventree_perms.trees t
		 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
						   WHERE c.oid OPERATOR(pg_catalog.=) t.relation::pg_catalog.oid
							 AND c.relkind OPERATOR(pg_catalog.=) 'r')));
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_purge() IS
	'Internal: removes rows of protected, model bindings and trees that name relations that are gone';

-- Internal: the table protect()/unprotect() is asked about, checked, locked
-- by OID and checked again: it must be a table (plain or partitioned), and
-- the caller must be an administrator who owns it, or a PostgreSQL
-- superuser.  Returns the table's pg_class row.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_target(relation regclass, what text)
RETURNS pg_catalog.pg_class
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	c pg_catalog.pg_class;
	pass integer;
BEGIN
	PERFORM inventree_perms_internal._require_admin(what);
	-- Checked before the lock (no lock for whoever may not), then locked by
	-- OID and checked again: what was checked is what is changed.
	FOR pass IN 1..2 LOOP
		IF pass OPERATOR(pg_catalog.=) 2 THEN
			PERFORM inventree_perms_internal._protect_lock(relation::pg_catalog.oid);
		END IF;
		SELECT * INTO c FROM pg_catalog.pg_class x WHERE x.oid OPERATOR(pg_catalog.=) relation::pg_catalog.oid;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'relation with OID % does not exist', relation::pg_catalog.oid
				USING ERRCODE = 'undefined_table';
		END IF;
		IF c.relkind OPERATOR(pg_catalog.<>) ALL ('{r,p}'::"char"[]) THEN
			RAISE EXCEPTION '"%" is not a table', relation
				USING ERRCODE = 'wrong_object_type',
					  DETAIL = 'Row-level security applies to tables and partitioned tables only.';
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles a
					   WHERE a.oid OPERATOR(pg_catalog.=) inventree_perms_internal._caller() AND a.rolsuper)
		   AND NOT pg_catalog.pg_has_role(inventree_perms_internal._caller(), c.relowner, 'USAGE') THEN
			RAISE EXCEPTION 'permission denied to %', what
				USING ERRCODE = 'insufficient_privilege',
					  DETAIL = pg_catalog.format('Role "%s" does not own table %s.',
												 inventree_perms_internal._caller()::regrole, relation),
					  HINT = 'Only the table''s owner (or a member of the owning role) or a PostgreSQL superuser may do this.';
		END IF;
	END LOOP;
	RETURN c;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_target(regclass, text) IS
	'Internal: the pg_class row of a table protect()/unprotect() may change, locked by OID; 42501 unless the caller is an administrator owning it or a PostgreSQL superuser';

-- protect -------------------------------------------------------------------
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect(relation regclass, model text, scope_column name,
													tree text, owner_column name)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	c pg_catalog.pg_class;
	prev inventree_perms.protected;
	up inventree_perms.protected;
	m inventree_perms.models;
	modelname text := model;
	registered boolean;
	bound text;
	tr inventree_perms.trees;
	sc inventree_perms.model_scopes;
	scope_col name := scope_column;
	changed text[] := '{}';
BEGIN
	c := inventree_perms_internal._protect_target(relation, 'protect tables');
	PERFORM inventree_perms_internal._protect_purge();

	SELECT * INTO prev FROM inventree_perms.protected p
	WHERE p.relation OPERATOR(pg_catalog.=) _protect.relation;

	-- A partition or child protected through a table it belongs (or
	-- belonged) to, or one that belongs to a protected table: it is protected
	-- as that table is, under that table's model.
	IF prev.relation IS NULL THEN
		SELECT p.* INTO up FROM pg_catalog.pg_inherits h
		  JOIN inventree_perms.protected p ON p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) h.inhparent
		 WHERE h.inhrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
		 ORDER BY h.inhseqno LIMIT 1;
	ELSIF prev.root OPERATOR(pg_catalog.<>) relation THEN
		up := prev;
	END IF;
	IF up.relation IS NOT NULL THEN
		SELECT * INTO sc FROM inventree_perms.model_scopes x WHERE x.model OPERATOR(pg_catalog.=) up.model;
		IF (tree IS NOT NULL AND tree IS DISTINCT FROM sc.tree)
		   OR (scope_column IS NOT NULL AND scope_column IS DISTINCT FROM sc.scope_column)
		   OR (owner_column IS NOT NULL AND owner_column IS DISTINCT FROM sc.owner_column) THEN
			RAISE EXCEPTION 'table % is protected through table %', relation, up.root
				USING ERRCODE = 'duplicate_object',
					  DETAIL = 'Its tree, scope column and owner column are those of that table.',
					  HINT = pg_catalog.format('Call inventree_perms.protect() on %s.', up.root);
		END IF;
		IF modelname IS NOT NULL AND modelname OPERATOR(pg_catalog.<>) up.model THEN
			RAISE EXCEPTION 'table % is already protected by model "%"', relation, up.model
				USING ERRCODE = 'duplicate_object',
					  DETAIL = pg_catalog.format('It is protected through table %s.', up.root),
					  HINT = pg_catalog.format('Call inventree_perms.unprotect() on %s first.', up.root);
		END IF;
		changed := inventree_perms_internal._protect_tree(up.root, relation, up.model);
		IF pg_catalog.cardinality(changed) OPERATOR(pg_catalog.>) 0 THEN
			PERFORM inventree_perms_internal._log('protect', relation::text,
				pg_catalog.jsonb_build_object('model', up.model, 'root', up.root::text,
											  'changed', changed));
		END IF;
		RETURN;
	END IF;

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
			PERFORM inventree_perms_internal._check_name('model', modelname);
		EXCEPTION WHEN invalid_parameter_value THEN
			RAISE EXCEPTION 'table name "%" is not a valid model name', c.relname
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = 'Model names match ^[a-z][a-z0-9_.]{0,62}$.',
					  HINT = 'Name the model: inventree_perms.protect(relation, model).';
		END;
	ELSE
		PERFORM inventree_perms_internal._check_name('model', modelname);
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

	-- Row rules (row scopes): the tree the model is scoped by, the columns
	-- holding the node and the owner; none: model-wide only.
	IF tree IS NOT NULL THEN
		PERFORM inventree_perms_internal._check_tree_name(tree);
		SELECT * INTO tr FROM inventree_perms.trees x WHERE x.name OPERATOR(pg_catalog.=) tree;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'tree "%" is not registered', tree
				USING ERRCODE = 'undefined_object',
					  HINT = 'Register it with inventree_perms.register_tree().';
		END IF;
		-- as a foreign key: a permanent table is scoped by a permanent tree
		-- only (another session cannot read a temporary table)
		IF c.relpersistence OPERATOR(pg_catalog.<>) 't'
		   AND (SELECT tc.relpersistence FROM pg_catalog.pg_class tc
				 WHERE tc.oid OPERATOR(pg_catalog.=) tr.relation::pg_catalog.oid) OPERATOR(pg_catalog.=) 't' THEN
			RAISE EXCEPTION 'a table that is not temporary cannot be scoped by tree "%" of temporary table %',
				tree, tr.relation
				USING ERRCODE = 'invalid_table_definition',
					  HINT = 'Register the tree on a permanent table.';
		END IF;
		IF scope_col IS NULL THEN
			IF tr.relation OPERATOR(pg_catalog.<>) relation THEN
				RAISE EXCEPTION 'scope_column is needed for table %', relation
					USING ERRCODE = 'invalid_parameter_value',
						  DETAIL = pg_catalog.format('Only the tree''s own table %s defaults to its primary key.', tr.relation);
			END IF;
			scope_col := tr.key_column;
		END IF;
		PERFORM inventree_perms_internal._tree_column(relation, scope_col, 'scope column');
	ELSIF scope_column IS NOT NULL THEN
		RAISE EXCEPTION 'scope_column needs a tree'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give the tree the column''s values are nodes of.';
	END IF;
	IF owner_column IS NOT NULL THEN
		PERFORM inventree_perms_internal._tree_column(relation, owner_column, 'owner column');
	END IF;
	SELECT * INTO sc FROM inventree_perms.model_scopes x WHERE x.model OPERATOR(pg_catalog.=) modelname;
	IF tree IS NULL AND owner_column IS NULL THEN
		IF sc.model IS NOT NULL THEN
			DELETE FROM inventree_perms.model_scopes x WHERE x.model OPERATOR(pg_catalog.=) modelname;
			changed := changed OPERATOR(pg_catalog.||) 'unscoped'::text;
		END IF;
	ELSIF sc.model IS NULL THEN
		INSERT INTO inventree_perms.model_scopes (model, tree, scope_column, owner_column)
		VALUES (modelname, tree, scope_col, owner_column);
		changed := changed OPERATOR(pg_catalog.||) 'scoped'::text;
	ELSIF sc.tree IS DISTINCT FROM tree OR sc.scope_column IS DISTINCT FROM scope_col
		  OR sc.owner_column IS DISTINCT FROM owner_column THEN
		UPDATE inventree_perms.model_scopes x
		   SET tree = _protect.tree, scope_column = scope_col, owner_column = _protect.owner_column
		 WHERE x.model OPERATOR(pg_catalog.=) modelname;
		changed := changed OPERATOR(pg_catalog.||) 'scoped'::text;
	END IF;

	-- The table and everything below it.
	changed := changed OPERATOR(pg_catalog.||) inventree_perms_internal._protect_tree(relation, relation, modelname);

	IF pg_catalog.cardinality(changed) OPERATOR(pg_catalog.>) 0 THEN
		SELECT * INTO prev FROM inventree_perms.protected p
		 WHERE p.relation OPERATOR(pg_catalog.=) _protect.relation;
		PERFORM inventree_perms_internal._log('protect', relation::text,
			pg_catalog.jsonb_build_object('model', modelname,
										  'tree', tree, 'scope_column', scope_col,
										  'owner_column', owner_column,
										  'enabled_rls', 'enabled_rls' OPERATOR(pg_catalog.=) ANY (changed),
										  'added_permissive', prev.added_permissive,
										  'dropped_permissive', EXISTS (
												SELECT 1 FROM pg_catalog.unnest(changed) x
												 WHERE x OPERATOR(pg_catalog.~) '^dropped inventree_perms_permissive'),
										  'changed', changed));
	END IF;
END;
$$;
CREATE OR REPLACE FUNCTION inventree_perms.protect(relation regclass, model text DEFAULT NULL,
													scope_column name DEFAULT NULL, tree text DEFAULT NULL,
													owner_column name DEFAULT NULL)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.protect(regclass, text, name, text, name) IS
	'Enforce a model''s permissions on a table and its partitions and inheritance children with row-level security (SELECT=view, INSERT=add, UPDATE=change, DELETE=delete); with a tree, rows within the user''s scoped grants too; with owners, add/change/delete of an owned row for its owner only; an administrator owning the table, or a PostgreSQL superuser';

-- Internal: undo protect() on one table (locked, its row of protected
-- already deleted): drop the policies protect() put there and disable
-- row-level security if protect() enabled it, unless the table has policies
-- of its own (NOTICE).  Returns what it changed.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_undo(relation regclass, enabled_rls boolean)
RETURNS text[]
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	pol text;
	changed text[] := '{}';
BEGIN
	FOREACH pol IN ARRAY inventree_perms_internal._protect_policy_names()::text[] LOOP
		IF inventree_perms_internal._protect_drop_policy(relation, pol) THEN
			changed := changed OPERATOR(pg_catalog.||) pol;
		END IF;
	END LOOP;

	-- Row-level security off again if protect() turned it on, unless the
	-- owner has given the table policies of its own since (turning it off
	-- would silently lift them).
	IF enabled_rls AND (SELECT c.relrowsecurity FROM pg_catalog.pg_class c
						WHERE c.oid OPERATOR(pg_catalog.=) relation::pg_catalog.oid) THEN
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
				   WHERE x.polrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid) THEN
			RAISE NOTICE 'row-level security stays enabled on %', relation
				USING DETAIL = 'The table has policies that protect() did not create.';
		ELSE
			PERFORM inventree_perms_internal._protect_rls(relation, false);
			changed := changed OPERATOR(pg_catalog.||) 'disabled_rls'::text;
		END IF;
	END IF;
	RETURN changed;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_undo(regclass, boolean) IS
	'Internal: drops the policies protect() put on one table and disables row-level security if protect() enabled it (and the table has no policy of its own); returns what it changed';

-- unprotect -----------------------------------------------------------------
CREATE OR REPLACE FUNCTION inventree_perms_internal._unprotect(relation regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	prev inventree_perms.protected;
	gone inventree_perms.protected;
	goners inventree_perms.protected[] := '{}';
	parent regclass;
	top regclass;
	up regclass;
	tables regclass[];
	t regclass;
	done text[];
	dropped text[] := '{}';
	disabled boolean := false;
	others text[] := '{}';
BEGIN
	-- A protected table that has since been dropped: forget it (and its
	-- model's binding), so that the model can be unregistered or reused.
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class x WHERE x.oid OPERATOR(pg_catalog.=) relation::pg_catalog.oid)
	   AND EXISTS (SELECT 1 FROM inventree_perms.protected p
				   WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation) THEN
		PERFORM inventree_perms_internal._require_admin('unprotect tables');
		DELETE FROM inventree_perms.protected p
		WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation
		RETURNING * INTO prev;
		UPDATE inventree_perms.protected p SET root = p.relation
		WHERE p.root OPERATOR(pg_catalog.=) _unprotect.relation;
		UPDATE inventree_perms.models x SET relation = NULL
		WHERE x.relation OPERATOR(pg_catalog.=) _unprotect.relation;
		PERFORM inventree_perms_internal._log('unprotect', relation::pg_catalog.oid::text,
			pg_catalog.jsonb_build_object('model', prev.model, 'dropped_table', true));
		RETURN;
	END IF;

	PERFORM inventree_perms_internal._protect_target(relation, 'unprotect tables');
	PERFORM inventree_perms_internal._protect_purge();
	SELECT * INTO prev FROM inventree_perms.protected p
	WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation;
	IF NOT FOUND THEN
		RAISE NOTICE 'table % is not protected, skipping', relation;
		RETURN;
	END IF;

	-- A partition or child still attached to a protected table answers as
	-- that table does: it is unprotected with it, not alone.
	SELECT h.inhparent::regclass INTO parent
	  FROM pg_catalog.pg_inherits h
	  JOIN inventree_perms.protected p ON p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) h.inhparent
	 WHERE h.inhrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
	 ORDER BY h.inhseqno LIMIT 1;
	IF parent IS NOT NULL THEN
		top := parent;
		LOOP
			SELECT h.inhparent::regclass INTO up
			  FROM pg_catalog.pg_inherits h
			  JOIN inventree_perms.protected p ON p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) h.inhparent
			 WHERE h.inhrelid OPERATOR(pg_catalog.=) top::pg_catalog.oid
			 ORDER BY h.inhseqno LIMIT 1;
			EXIT WHEN up IS NULL;
			top := up;
		END LOOP;
		RAISE EXCEPTION 'table % is protected as a partition or child of table %', relation, parent
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'A partition or child attached to a protected table is protected as that table is.',
				  HINT = pg_catalog.format('Unprotect the parent: inventree_perms.unprotect(%L).', top::text);
	END IF;

	-- The table and what is protected below it; for the table whose
	-- protect() call it was, also the tables detached from it since.
	-- (parents before their partitions and children: a table undone while
	-- its parent is still protected would be protected again at once)
	tables := ARRAY(SELECT s.t FROM pg_catalog.unnest(inventree_perms_internal._protect_subtree(relation))
						   WITH ORDINALITY s(t, n)
					 WHERE EXISTS (SELECT 1 FROM inventree_perms.protected p
								   WHERE p.relation OPERATOR(pg_catalog.=) s.t)
					 ORDER BY s.n);
	IF prev.root OPERATOR(pg_catalog.=) relation THEN
		FOR t IN
			SELECT p.relation FROM inventree_perms.protected p
			 WHERE p.root OPERATOR(pg_catalog.=) _unprotect.relation
			   AND p.relation OPERATOR(pg_catalog.<>) ALL (tables)
			 ORDER BY p.relation::pg_catalog.oid
		LOOP
			tables := tables OPERATOR(pg_catalog.||) inventree_perms_internal._protect_subtree(t);
		END LOOP;
	END IF;

	-- Every row first, then the tables: the event trigger that hears of the
	-- DDL below finds none of them protected (neither a child whose parent
	-- is already undone, nor a table to protect again).
	FOREACH t IN ARRAY tables LOOP
		DELETE FROM inventree_perms.protected p
		 WHERE p.relation OPERATOR(pg_catalog.=) t
		RETURNING * INTO gone;
		IF gone.relation IS NOT NULL THEN
			goners := goners OPERATOR(pg_catalog.||) gone;
		END IF;
		gone := NULL;
	END LOOP;
	FOREACH gone IN ARRAY goners LOOP
		t := gone.relation;
		done := inventree_perms_internal._protect_undo(t, gone.enabled_rls);
		IF t OPERATOR(pg_catalog.=) relation THEN
			dropped := ARRAY(SELECT d FROM pg_catalog.unnest(done) d
							  WHERE d OPERATOR(pg_catalog.<>) 'disabled_rls');
			disabled := 'disabled_rls' OPERATOR(pg_catalog.=) ANY (done);
		ELSE
			others := others OPERATOR(pg_catalog.||) t::text;
		END IF;
	END LOOP;

	PERFORM inventree_perms_internal._log('unprotect', relation::text,
		pg_catalog.jsonb_build_object('model', prev.model,
									  'dropped_policies', dropped,
									  'disabled_rls', disabled,
									  'also_unprotected', others));
END;
$$;
CREATE OR REPLACE FUNCTION inventree_perms.unprotect(relation regclass)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.unprotect(regclass) IS
	'Drop the policies protect() created and disable row-level security if protect() enabled it, on the table and everywhere its protect() call reached (partitions, children, detached ones); 55000 for a partition or child still attached to a protected table; the model stays registered';

-- ---------------------------------------------------------------------------
-- Following the user's DDL: event triggers.
-- ---------------------------------------------------------------------------

-- Internal: a table at or below "relation" that is not protected but is a
-- partition or child of a protected table gets that table's protection
-- (its model, its root), with everything below it.  A table protected by
-- another model, or one that belongs to tables protected by two models:
-- 42710 (fail closed: the command that made it so is rolled back).
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_adopt(relation regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	t regclass;
	mine inventree_perms.protected;
	up inventree_perms.protected;
	models text[];
BEGIN
	FOR t IN
		WITH RECURSIVE below(rel, depth) AS (
			SELECT relation::pg_catalog.oid, 0
			UNION
			SELECT h.inhrelid, b.depth OPERATOR(pg_catalog.+) 1
			  FROM below b JOIN pg_catalog.pg_inherits h ON h.inhparent OPERATOR(pg_catalog.=) b.rel
			 WHERE b.depth OPERATOR(pg_catalog.<) 1000)
		SELECT b.rel::regclass FROM below b
		 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h
						 JOIN inventree_perms.protected p ON p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) h.inhparent
						WHERE h.inhrelid OPERATOR(pg_catalog.=) b.rel)
		 GROUP BY b.rel ORDER BY pg_catalog.min(b.depth), b.rel
	LOOP
		models := ARRAY(SELECT DISTINCT p.model FROM pg_catalog.pg_inherits h
						  JOIN inventree_perms.protected p ON p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) h.inhparent
						 WHERE h.inhrelid OPERATOR(pg_catalog.=) t::pg_catalog.oid ORDER BY 1);
		IF pg_catalog.cardinality(models) OPERATOR(pg_catalog.>) 1 THEN
			RAISE EXCEPTION 'table % would belong to tables protected by different models (%)', t,
					pg_catalog.array_to_string(models, ', ')
				USING ERRCODE = 'duplicate_object',
					  DETAIL = 'A table is protected under one model only.';
		END IF;
		SELECT p.* INTO up FROM pg_catalog.pg_inherits h
		  JOIN inventree_perms.protected p ON p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) h.inhparent
		 WHERE h.inhrelid OPERATOR(pg_catalog.=) t::pg_catalog.oid
		 ORDER BY h.inhseqno LIMIT 1;
		SELECT * INTO mine FROM inventree_perms.protected p WHERE p.relation OPERATOR(pg_catalog.=) t;
		IF mine.relation IS NOT NULL THEN
			IF mine.model OPERATOR(pg_catalog.<>) up.model THEN
				RAISE EXCEPTION 'table % is protected by model "%"', t, mine.model
					USING ERRCODE = 'duplicate_object',
						  DETAIL = pg_catalog.format('It cannot become a partition or child of table %s, protected by model "%s".', up.relation, up.model),
						  HINT = pg_catalog.format('Call inventree_perms.unprotect() on %s first.', mine.root);
			END IF;
			CONTINUE WHEN coalesce(mine.root, mine.relation) OPERATOR(pg_catalog.=) coalesce(up.root, up.relation);
		END IF;
		PERFORM inventree_perms_internal._protect_tree(coalesce(up.root, up.relation), t, up.model);
		mine := NULL;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_adopt(regclass) IS
	'Internal: gives the tables at or below a table that belong to a protected table that table''s protection; 42710 where models clash';

-- Internal event trigger (ddl_command_end): keeps protection on every way to
-- the rows and the admit-all policies to what "never widens" allows.  It
-- touches only what the statement touched: the relation it reports (by
-- OID), its partitions and children the transaction holds ACCESS EXCLUSIVE
-- on, and the tables below those.
--  * A new relation: nothing stored may name its OID (a row left by a
--    relation that went without sql_drop, such as a crashed session's
--    temporary table, must not pass to it).
--  * A table created as a partition or child, or altered (ATTACH PARTITION,
--    INHERIT, also of a foreign table) below a protected table: protected as
--    that table is (a foreign table cannot be: 42809).
--  * A protected table given a parent not protected by its model: 55000.
--  * A table attached or adopted below a restricted protected table, or a
--    permissive policy created by the owner on a protected table: the
--    admit-alls of the commands it applies to go, there and below.
-- Cheap where nothing is protected: it reads protected and pg_inherits by
-- index only.
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_ddl_end()
RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	cmd record;
	pol pg_catalog.pg_policy;
	t regclass;
BEGIN
	FOR cmd IN
		SELECT d.classid, d.objid, d.command_tag FROM pg_catalog.pg_event_trigger_ddl_commands() d
		 WHERE d.objsubid OPERATOR(pg_catalog.=) 0
	LOOP
		IF cmd.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass THEN
			IF cmd.command_tag OPERATOR(pg_catalog.~) '^CREATE '
			   OR cmd.command_tag OPERATOR(pg_catalog.=) 'SELECT INTO' THEN
				DELETE FROM inventree_perms.protected p
				 WHERE p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) cmd.objid;
				UPDATE inventree_perms.protected p SET root = p.relation
				 WHERE p.root::pg_catalog.oid OPERATOR(pg_catalog.=) cmd.objid;
				-- (only if one does: any role creates relations, and a
				-- statement on models, even one that changes no row,
				-- invalidates every session's cache)
				IF EXISTS (SELECT 1 FROM inventree_perms.models m
							WHERE m.relation::pg_catalog.oid OPERATOR(pg_catalog.=) cmd.objid) THEN
					UPDATE inventree_perms.models m SET relation = NULL
					 WHERE m.relation::pg_catalog.oid OPERATOR(pg_catalog.=) cmd.objid;
				END IF;
				-- (only if one does: this trigger also fires while the
				-- install script creates its tables, before _forget_trees)
				IF EXISTS (SELECT 1 FROM inventree_perms.trees t
							WHERE t.relation::pg_catalog.oid OPERATOR(pg_catalog.=) cmd.objid) THEN
					PERFORM inventree_perms_internal._forget_trees(ARRAY[cmd.objid]);
				END IF;
			END IF;
			IF cmd.command_tag OPERATOR(pg_catalog.=) ANY ('{CREATE TABLE,CREATE FOREIGN TABLE,ALTER TABLE,ALTER FOREIGN TABLE}'::text[])
			   AND EXISTS (SELECT 1 FROM inventree_perms.protected) THEN
				PERFORM inventree_perms_internal._protect_adopt(cmd.objid::regclass);
				-- The tables that may have gained a parent: the one reported
				-- (INHERIT, CREATE TABLE), and its partitions and children
				-- that the statement locked (ATTACH PARTITION reports the
				-- parent and locks the partition).
				FOR t IN
					SELECT cmd.objid::regclass
					UNION ALL
					SELECT h.inhrelid::regclass FROM pg_catalog.pg_inherits h
					 WHERE h.inhparent OPERATOR(pg_catalog.=) cmd.objid
					   AND h.inhrelid::regclass OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest(inventree_perms_internal._protect_locked()))
				LOOP
					PERFORM inventree_perms_internal._protect_check_parents(t);
					-- an admit-all there or below that a restriction there or
					-- above decides now (attached below it): it goes
					IF inventree_perms_internal._protect_widens(t) THEN
						PERFORM inventree_perms_internal._protect_settle(t, 'drop', true);
					END IF;
				END LOOP;
			END IF;
		ELSIF cmd.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass
			  AND cmd.command_tag OPERATOR(pg_catalog.=) 'CREATE POLICY' THEN
			SELECT * INTO pol FROM pg_catalog.pg_policy x WHERE x.oid OPERATOR(pg_catalog.=) cmd.objid;
			IF pol.polpermissive
			   AND pol.polname OPERATOR(pg_catalog.<>) ALL (inventree_perms_internal._protect_policy_names())
			   AND EXISTS (SELECT 1 FROM inventree_perms.protected p
						   WHERE p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) pol.polrelid)
			   AND inventree_perms_internal._protect_lock(pol.polrelid)
			   AND inventree_perms_internal._protect_widens(pol.polrelid::regclass) THEN
				PERFORM inventree_perms_internal._protect_settle(pol.polrelid::regclass, 'drop', true);
			END IF;
		END IF;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._protect_ddl_end() IS
	'Internal event trigger: forgets stored references to a new relation''s OID, protects new or attached partitions and children of protected tables, refuses an unprotected parent of a protected table (55000), drops admit-all policies a new permissive policy or parent makes wider than it';
CREATE EVENT TRIGGER inventree_perms_protect_ddl ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'CREATE VIEW',
				 'CREATE MATERIALIZED VIEW', 'CREATE FOREIGN TABLE', 'CREATE SEQUENCE',
				 'CREATE INDEX', 'CREATE TYPE', 'ALTER TABLE', 'ALTER FOREIGN TABLE',
				 'CREATE POLICY')
	EXECUTE FUNCTION inventree_perms_internal._protect_ddl_end();

-- Internal event trigger (sql_drop).  A dropped table is no longer bound to
-- its model, nor protected: the model keeps its grants, and protect() may
-- bind it to a new table of that name.  A table protected through a dropped
-- one (detached from it before) stays protected, as its own root.  A
-- permissive policy of the owner's dropped from a protected table: the
-- admit-all of a command no permissive policy applies to any more comes back,
-- there and below.  The dropped policy's table is known by name only (a
-- concurrent rename of a schema can move a name): it is found among the
-- protected tables the transaction holds ACCESS EXCLUSIVE on (DROP POLICY
-- takes it); no other table is locked, beyond the ones below it owned alike.
CREATE OR REPLACE FUNCTION inventree_perms_internal._forget_dropped_tables()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t regclass;
BEGIN
	DELETE FROM inventree_perms.protected p
	 USING pg_catalog.pg_event_trigger_dropped_objects() d
	 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
	   AND d.objsubid OPERATOR(pg_catalog.=) 0
	   AND p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid;
	UPDATE inventree_perms.protected p SET root = p.relation
	  FROM pg_catalog.pg_event_trigger_dropped_objects() d
	 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
	   AND d.objsubid OPERATOR(pg_catalog.=) 0
	   AND p.root::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid;
	-- Only when a model is bound to a dropped table: any role drops what it
	-- owns (a temporary table too), and a statement on models, even one that
	-- changes no row, invalidates every session's cache (its statement
	-- trigger).
	IF EXISTS (SELECT 1 FROM inventree_perms.models m, pg_catalog.pg_event_trigger_dropped_objects() d
				WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
				  AND d.objsubid OPERATOR(pg_catalog.=) 0
				  AND m.relation::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid) THEN
		UPDATE inventree_perms.models m SET relation = NULL
		  FROM pg_catalog.pg_event_trigger_dropped_objects() d
		 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
		   AND d.objsubid OPERATOR(pg_catalog.=) 0
		   AND m.relation::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid;
	END IF;

	IF EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger_dropped_objects() d
				WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass
				  AND d.address_names[3] OPERATOR(pg_catalog.<>) ALL (inventree_perms_internal._protect_policy_names()))
	   AND EXISTS (SELECT 1 FROM inventree_perms.protected) THEN
		FOREACH t IN ARRAY inventree_perms_internal._protect_locked() LOOP
			PERFORM inventree_perms_internal._protect_settle(t, 'add', true);
		END LOOP;
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._forget_dropped_tables() IS
	'Internal event trigger: unbinds models from dropped tables and forgets them as protected; brings admit-all policies back when the owner''s permissive policies are dropped (on the protected tables the transaction holds locked, and below them)';
-- (its event trigger, inventree_perms_forget_dropped_tables, there since
-- 1.0, is made in 90_final.sql)

-- Internal: forget this session's temporary tables (called at session end,
-- as their tables go without sql_drop; see src/protect.c), and whatever else
-- names relations that are gone.
CREATE OR REPLACE FUNCTION inventree_perms_internal._forget_temp_tables()
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM inventree_perms.protected p
	 WHERE p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(
			SELECT c.oid FROM pg_catalog.pg_class c
			 WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema()));
	UPDATE inventree_perms.models m SET relation = NULL
	 WHERE m.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(
			SELECT c.oid FROM pg_catalog.pg_class c
			 WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema()));
	-- a tree on a temporary table goes with it, as with DROP TABLE (its
	-- scoped grants and the scope of the models scoped by it too)
	PERFORM inventree_perms_internal._forget_trees(ARRAY(
			SELECT c.oid FROM pg_catalog.pg_class c
			 WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema()));
	PERFORM inventree_perms_internal._protect_purge();
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._forget_temp_tables() IS
	'Internal: at session end, removes the rows of protected, the model bindings and the trees that name this session''s temporary tables';

-- Internal trigger: a row that names one of this session's temporary tables
-- makes the session forget it when it ends (src/protect.c).
CREATE OR REPLACE FUNCTION inventree_perms_internal._watch_temp_tables()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ip_watch_temp_tables'
LANGUAGE C;
COMMENT ON FUNCTION inventree_perms_internal._watch_temp_tables() IS
	'Internal trigger: when a row names one of this session''s temporary tables, registers the session-end cleanup (_forget_temp_tables)';
CREATE TRIGGER inventree_perms_watch_temp AFTER INSERT OR UPDATE OF relation ON inventree_perms.models
	FOR EACH ROW WHEN (NEW.relation IS NOT NULL) EXECUTE FUNCTION inventree_perms_internal._watch_temp_tables();
ALTER TABLE inventree_perms.models ENABLE ALWAYS TRIGGER inventree_perms_watch_temp;
CREATE TRIGGER inventree_perms_watch_temp AFTER INSERT OR UPDATE OF relation ON inventree_perms.protected
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._watch_temp_tables();
ALTER TABLE inventree_perms.protected ENABLE ALWAYS TRIGGER inventree_perms_watch_temp;
