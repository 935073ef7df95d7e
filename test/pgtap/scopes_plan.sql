-- scopes_plan.sql: the scoped policies' plans.  While a query is planned,
-- scope_admits() (src/scope_plan.c) writes the condition for the acting
-- user: a narrow scope gets "node = ANY(scope_nodes(...))" alone (an index
-- scan of the scope column, nothing left for the heap), a model-wide holder
-- or a broad scope a sequential scan.  The narrow form is exact only for
-- users who are not model-wide, so the plans depend on scope_admits() and
-- the extension invalidates them when the acting user or a permission
-- changes: a plan kept (a prepared statement, PL/pgSQL's, generic plans)
-- and run for another acting user (set_acting_user local or for the
-- session, reset_acting_user, RESET ALL, SET ROLE, SECURITY DEFINER), after
-- a grant, a rollback or a moved node, through a view, or with parallel
-- workers, gives the rows has_row_perm gives; so does the per-row
-- ownership form of an owned table.  Where no invalidation can
-- reach (a SQL function's body, an open cursor), a narrow plan run for a
-- model-wide holder raises 40001, never answers short.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;

CREATE ROLE spl_app LOGIN;
CREATE SCHEMA spl;
GRANT USAGE ON SCHEMA spl TO spl_app;
-- a tree of 2,000 nodes (node i below (i - 2) / 4 + 1), 1998 <-> 1999 a cycle
CREATE TABLE spl.loc (id int PRIMARY KEY, parent_id int);
INSERT INTO spl.loc SELECT i, CASE WHEN i > 1 THEN (i - 2) / 4 + 1 END FROM generate_series(1, 2000) i;
UPDATE spl.loc SET parent_id = 1999 WHERE id = 1998;
UPDATE spl.loc SET parent_id = 1998 WHERE id = 1999;
-- 20,000 items: every 50th without a node, every 97th on a node not in the tree
CREATE TABLE spl.item (id int PRIMARY KEY, loc_id int);
INSERT INTO spl.item SELECT i, CASE WHEN i % 50 = 0 THEN NULL WHEN i % 97 = 0 THEN 5000
	ELSE 1 + (hashint4(i) & 2147483647) % 2000 END FROM generate_series(1, 20000) i;
CREATE INDEX ON spl.item (loc_id);
ANALYZE spl.loc;
ANALYZE spl.item;
GRANT SELECT, INSERT, UPDATE, DELETE ON spl.item TO spl_app;

SELECT inventree_perms.register_tree('sloc', 'spl.loc');
SELECT inventree_perms.protect('spl.item', 'sitem', 'loc_id', 'sloc');
SELECT inventree_perms.add_delegate('spl_app');
SELECT inventree_perms.create_user(u) FROM unnest('{narrow,broad,wide,nobody}'::text[]) u;
SELECT inventree_perms.create_user('idle', false, false);
SELECT inventree_perms.create_user('boss', true);
-- narrow: within node 30 (85 nodes: 4 % of the tree); broad: within node 2
SELECT inventree_perms.grant_user_scope('narrow', 'sitem', 'view', 30);
SELECT inventree_perms.grant_user_scope('narrow', 'sitem', 'change', 30);
SELECT inventree_perms.grant_user_scope('broad', 'sitem', 'view', 2);
SELECT inventree_perms.grant_user_perm('wide', 'sitem', 'view');
SELECT inventree_perms.grant_user_scope('idle', 'sitem', 'view', 30);

CREATE TEMP TABLE users AS SELECT unnest('{narrow,broad,wide,nobody,idle,boss}'::text[]) AS u;
-- what has_row_perm admits (the reference: scopes_oracle.sql checks it)
CREATE FUNCTION pg_temp.expected(u text) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM spl.item WHERE inventree_perms.has_row_perm(u, 'sitem', 'view', loc_id)
$$;
-- the plan of a query run by spl_app acting for u
CREATE FUNCTION pg_temp.plan_as(u text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	plan text := '';
BEGIN
	SET LOCAL ROLE spl_app;
	PERFORM inventree_perms.set_acting_user(u);
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		plan := plan || line || E'\n';
	END LOOP;
	RESET ROLE;
	RETURN plan;
END $$;
-- the count of a statement run by spl_app acting for u (planned for u)
CREATE FUNCTION pg_temp.count_as(u text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	SET LOCAL ROLE spl_app;
	PERFORM inventree_perms.set_acting_user(u);
	EXECUTE 'SELECT count(*) FROM spl.item' INTO n;
	RESET ROLE;
	RETURN n;
END $$;
-- the users for whom a plan kept from one made for "planner" gives other
-- rows than has_row_perm; the plan is made once, run for each user
CREATE FUNCTION pg_temp.kept_plan_wrong(planner text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	wrong text[] := '{}';
	n bigint;
	us text[] := ARRAY(SELECT u FROM users ORDER BY u);
	who text;
BEGIN
	SET LOCAL ROLE spl_app;
	PERFORM inventree_perms.set_acting_user(planner);
	EXECUTE 'PREPARE kept AS SELECT count(*) FROM spl.item';
	EXECUTE 'EXECUTE kept' INTO n;		-- planned now, for "planner"
	FOREACH who IN ARRAY us LOOP
		PERFORM inventree_perms.set_acting_user(who);
		BEGIN
			EXECUTE 'EXECUTE kept' INTO n;
		EXCEPTION WHEN serialization_failure THEN
			n := NULL;
		END;
		RESET ROLE;
		IF n IS DISTINCT FROM pg_temp.expected(who) THEN
			wrong := wrong || (who || ':' || n);
		END IF;
		SET LOCAL ROLE spl_app;
	END LOOP;
	RESET ROLE;
	EXECUTE 'DEALLOCATE kept';
	RETURN wrong;
END $$;

SELECT plan(46);

SELECT is((SELECT array_agg(u || ':' || pg_temp.count_as(u) ORDER BY u) FROM users),
		  (SELECT array_agg(u || ':' || pg_temp.expected(u) ORDER BY u) FROM users),
	'each acting user, planned for: the rows has_row_perm admits');
SELECT ok(pg_temp.expected('narrow') BETWEEN 200 AND 2000, 'narrow sees a few per cent of the rows');
SELECT ok(pg_temp.expected('wide') = 20000 AND pg_temp.expected('broad') > 3000 AND pg_temp.expected('nobody') = 0
		  AND pg_temp.expected('idle') = 0 AND pg_temp.expected('boss') = 20000,
	'... wide and boss see every row (without a node, on an unknown node), broad a quarter, nobody and idle nothing');

-- the plans
SELECT ok(pg_temp.plan_as('narrow', 'SELECT count(*) FROM spl.item') ~ 'Index (Only )?Scan (using|on) item_loc_id_idx',
	'a narrow scope: an index scan of the scope column');
SELECT ok(pg_temp.plan_as('narrow', 'SELECT count(*) FROM spl.item') ~ 'Index Cond: \(loc_id = ANY \(inventree_perms_internal\.scope_nodes\(''sitem''::text, ''view''::text, \$\d+\)\)\)'
		  AND pg_temp.plan_as('narrow', 'SELECT count(*) FROM spl.item') !~ 'Filter:',
	'... whose index condition is the whole condition (nothing is left for the heap)');
SELECT ok(pg_temp.plan_as('nobody', 'SELECT count(*) FROM spl.item') ~ 'Index (Only )?Scan (using|on) item_loc_id_idx',
	'nothing granted: the same (nothing to read)');
SELECT ok(pg_temp.plan_as('wide', 'SELECT count(*) FROM spl.item') !~ 'Index',
	'a model-wide holder: a sequential scan');
SELECT ok(pg_temp.plan_as('wide', 'SELECT count(*) FROM spl.item') ~ 'Filter: \(\$\d+ OR inventree_perms_internal\.scope_admits_row\(.*item\.\*, 2\)',
	'... whose rows the InitPlan admits before any lookup (the whole row only formed for the call)');
SELECT ok(pg_temp.plan_as('broad', 'SELECT count(*) FROM spl.item') ~ 'Filter: inventree_perms_internal\.scope_test4\(''sitem''::text, ''view''::text, loc_id\)',
	'a broad scope: one call per row, with the node column in its own type');
SELECT ok(pg_temp.plan_as('broad', 'SELECT count(*) FROM spl.item') !~ 'Index',
	'a broad scope (a quarter of the tree): a sequential scan');
SELECT ok(pg_temp.plan_as('boss', 'SELECT count(*) FROM spl.item') !~ 'Index',
	'a superuser: a sequential scan');

-- a plan kept and run for other acting users
SELECT is(pg_temp.kept_plan_wrong('narrow'), '{}', 'a plan made for a narrow scope gives every user''s rows');
SELECT is(pg_temp.kept_plan_wrong('wide'), '{}', 'a plan made for a model-wide holder gives every user''s rows');
SELECT is(pg_temp.kept_plan_wrong('idle'), '{}', 'a plan made for an inactive user gives every user''s rows');

-- a partitioned table whose partitions order their columns otherwise: the
-- whole row is the parent's (PostgreSQL converts it), its node where the
-- parent has it
CREATE TABLE spl.part (loc_id int, id int) PARTITION BY RANGE (id);
CREATE TABLE spl.part_a (id int, extra text, loc_id int);
ALTER TABLE spl.part_a DROP COLUMN extra;
ALTER TABLE spl.part ATTACH PARTITION spl.part_a FOR VALUES FROM (0) TO (10000);
CREATE TABLE spl.part_b PARTITION OF spl.part FOR VALUES FROM (10000) TO (30000);
INSERT INTO spl.part SELECT loc_id, id FROM spl.item;
GRANT SELECT ON spl.part TO spl_app;
SELECT inventree_perms.protect('spl.part', 'spart', 'loc_id', 'sloc');
SELECT inventree_perms.grant_user_scope('narrow', 'spart', 'view', 30);
SELECT inventree_perms.grant_user_perm('wide', 'spart', 'view');
CREATE FUNCTION pg_temp.part_kept_wrong() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	wrong text[] := '{}';
	n bigint;
	want bigint;
	who text;
BEGIN
	SET LOCAL ROLE spl_app;
	PERFORM inventree_perms.set_acting_user('wide');
	EXECUTE 'PREPARE part_kept AS SELECT count(*) FROM spl.part';
	EXECUTE 'EXECUTE part_kept' INTO n;		-- planned now, for wide
	FOREACH who IN ARRAY '{narrow,wide,nobody}'::text[] LOOP
		PERFORM inventree_perms.set_acting_user(who);
		BEGIN
			EXECUTE 'EXECUTE part_kept' INTO n;
		EXCEPTION WHEN serialization_failure THEN
			n := NULL;
		END;
		RESET ROLE;
		SELECT count(*) INTO want FROM spl.part WHERE inventree_perms.has_row_perm(who, 'spart', 'view', loc_id);
		IF n IS DISTINCT FROM want THEN
			wrong := wrong || (who || ':' || n || '<>' || want);
		END IF;
		SET LOCAL ROLE spl_app;
	END LOOP;
	RESET ROLE;
	EXECUTE 'DEALLOCATE part_kept';
	RETURN wrong;
END $$;
SELECT ok(pg_temp.plan_as('wide', 'SELECT count(*) FROM spl.part') ~ 'scope_admits_row',
	'a partitioned table, model-wide: the whole-row form');
SELECT is(pg_temp.part_kept_wrong(), '{}',
	'... its plan kept and run for other users: has_row_perm''s rows (partitions with other column orders included)');
SELECT ok(pg_temp.plan_as('narrow', 'SELECT count(*) FROM spl.part') ~ 'scope_test4\('
		  AND pg_temp.plan_as('narrow', 'SELECT count(*) FROM spl.part') !~ 'scope_nodes',
	'a narrow scope where no index has the scope column first: the per-row test, not the array');

-- a kept plan follows grants and the tree (the InitPlans run per execution)
SET ROLE spl_app;
SELECT inventree_perms.set_acting_user('narrow');
PREPARE narrow_kept AS SELECT count(*) FROM spl.item;
CREATE TEMP TABLE kept_first AS EXECUTE narrow_kept;	-- planned now, for narrow
RESET ROLE;
SELECT inventree_perms.grant_user_scope('narrow', 'sitem', 'view', 31);
UPDATE spl.loc SET parent_id = 30 WHERE id = 40;
SET ROLE spl_app;
SELECT inventree_perms.set_acting_user('narrow');
CREATE TEMP TABLE kept_count AS EXECUTE narrow_kept;
RESET ROLE;
SELECT is((SELECT count FROM kept_count), pg_temp.expected('narrow'),
	'the kept plan, after a grant within another node and a node moved below 30: has_row_perm''s rows');

-- parallel workers answer as the leader
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET min_parallel_index_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT is((SELECT array_agg(u || ':' || pg_temp.count_as(u) ORDER BY u) FROM users),
		  (SELECT array_agg(u || ':' || pg_temp.expected(u) ORDER BY u) FROM users),
	'with parallel workers: the same rows');
SELECT is(pg_temp.kept_plan_wrong('wide'), '{}',
	'... a plan made for a model-wide holder, kept and run for each user with workers: every user''s rows');
SELECT ok(pg_temp.plan_as('wide', 'SELECT count(*) FROM spl.item') ~ 'Gather',
	'... (the plan has workers)');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET min_parallel_index_scan_size;
RESET max_parallel_workers_per_gather;

-- UPDATE checks the new row, also under an index plan
SET ROLE spl_app;
SELECT inventree_perms.set_acting_user('narrow');
SELECT throws_ok($$UPDATE spl.item SET loc_id = 2 WHERE loc_id = 30$$, '42501', NULL,
	'narrow: moving a row out of the scope is refused');
WITH u AS (UPDATE spl.item SET loc_id = 30 WHERE loc_id IN (118, 119) RETURNING 1)
SELECT is((SELECT count(*) FROM u), (SELECT count(*) FROM spl.item WHERE loc_id IN (118, 119)),
	'narrow: moving rows within the scope works');
WITH u AS (UPDATE spl.item SET loc_id = 30 WHERE loc_id = 2 RETURNING 1)
SELECT is((SELECT count(*) FROM u), 0::bigint, 'narrow: rows outside the scope are not even seen by UPDATE');
RESET ROLE;

-- the acting user changed from row to row within one statement: each
-- row's check answers for the user acting then
SET ROLE spl_app;
SELECT is((SELECT count(*) FROM (
		SELECT inventree_perms.set_acting_user(u) AS s,
			   inventree_perms.has_row_perm('sitem', 'view', node) AS acting,
			   inventree_perms.has_row_perm(u, 'sitem', 'view', node) AS named
		  FROM (SELECT (ARRAY['narrow', 'broad', 'wide', 'nobody', 'idle', 'boss'])[1 + n % 6] AS u,
					   (1 + n * 37 % 2000)::bigint AS node
				  FROM generate_series(1, 3000) n) x
		OFFSET 0) y		-- (no qual pushed below the call that sets the user)
		   WHERE acting IS DISTINCT FROM named), 0::bigint,
	'the acting user set anew on every row: every check answers for the user acting then');
RESET ROLE;

-- ---- kept plans, and what their form was chosen from changing -------------
-- Each of these would give an error (40001) or short counts if the plans
-- made for a narrow scope were not invalidated when the acting user, a
-- permission or a grant changes.  run_wrong(stmt, users, is_local): spl_app
-- acts for each user in turn ('-': reset_acting_user(), then spl_app, an
-- unknown user, acts) and runs stmt; the users whose count differs from
-- has_row_perm's, or who got an error.
CREATE FUNCTION pg_temp.run_wrong(stmt text, us text[], is_local boolean DEFAULT true) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
	wrong text[] := '{}';
	n bigint;
	who text;
BEGIN
	FOREACH who IN ARRAY us LOOP
		SET LOCAL ROLE spl_app;
		IF who = '-' THEN
			PERFORM inventree_perms.reset_acting_user();
			who := 'spl_app';
		ELSE
			PERFORM inventree_perms.set_acting_user(who, is_local);
		END IF;
		BEGIN
			EXECUTE stmt INTO n;
		EXCEPTION WHEN serialization_failure THEN
			n := NULL;
			who := who || '(40001)';
		END;
		RESET ROLE;
		IF n IS DISTINCT FROM pg_temp.expected(split_part(who, '(', 1)) THEN
			wrong := wrong || (who || ':' || coalesce(n::text, 'error'));
		END IF;
	END LOOP;
	SET LOCAL ROLE spl_app;
	PERFORM inventree_perms.reset_acting_user();
	RESET ROLE;
	RETURN wrong;
END $$;
-- (tiny: within node 400, 5 nodes: narrow's scope is broad by now)
SELECT inventree_perms.create_user('tiny');
SELECT inventree_perms.grant_user_scope('tiny', 'sitem', 'view', 400);
CREATE TEMP TABLE seq AS
	SELECT '{tiny,wide,tiny,boss,nobody,tiny,idle,broad,narrow,tiny,-,tiny}'::text[] AS us;

-- PL/pgSQL keeps its statements' plans (no parameter: a generic plan)
CREATE FUNCTION pg_temp.spi_count() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	SELECT count(*) INTO n FROM spl.item;
	RETURN n;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.spi_count() TO spl_app;
SELECT is(pg_temp.run_wrong('SELECT pg_temp.spi_count()', us), '{}',
	'PL/pgSQL''s kept plan, the acting user set (SET LOCAL) anew before each call: has_row_perm''s rows') FROM seq;
SELECT is(pg_temp.run_wrong('SELECT pg_temp.spi_count()', us, false), '{}',
	'... set for the session, and reset: the same') FROM seq;

-- a generic plan of a statement with a parameter
SET plan_cache_mode = force_generic_plan;
PREPARE gen(int) AS SELECT count(*) FROM spl.item WHERE id > $1;
SELECT is(pg_temp.run_wrong('EXECUTE gen(0)', us), '{}',
	'PREPARE / EXECUTE, plan_cache_mode = force_generic_plan: has_row_perm''s rows') FROM seq;

-- through a view (security_invoker: the querying user's policies)
CREATE VIEW spl.v WITH (security_invoker = true) AS SELECT * FROM spl.item;
GRANT SELECT ON spl.v TO spl_app;
PREPARE vkept AS SELECT count(*) FROM spl.v;
SELECT is(pg_temp.run_wrong('EXECUTE vkept', us), '{}', 'the same through a view') FROM seq;

-- parallel workers (the leader computes the allowed nodes once)
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET min_parallel_index_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT is(pg_temp.run_wrong('EXECUTE gen(0)', us), '{}',
	'the same with parallel workers (force_parallel_mode)') FROM seq;
RESET force_parallel_mode;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET min_parallel_index_scan_size;
RESET max_parallel_workers_per_gather;

-- a permission taken away and the change rolled back (a subtransaction):
-- wide, without the permission, gets a narrow plan (nothing to read), and
-- after the rollback sees everything again
CREATE FUNCTION pg_temp.rollback_wrong() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	wrong text[] := '{}';
	plan text;
BEGIN
	BEGIN
		PERFORM inventree_perms.revoke_user_perm('wide', 'sitem', 'view');
		wrong := wrong || pg_temp.run_wrong('EXECUTE gen(0)', '{wide}');
		plan := pg_temp.plan_as('wide', 'EXECUTE gen(0)');
		IF plan !~ 'scope_nodes' THEN
			wrong := wrong || ('not narrow: ' || plan);
		END IF;
		RAISE EXCEPTION 'undo' USING ERRCODE = 'P0001';
	EXCEPTION WHEN raise_exception THEN
		NULL;
	END;
	RETURN wrong || pg_temp.run_wrong('EXECUTE gen(0)', '{wide,tiny,wide}');
END $$;
SELECT is(pg_temp.rollback_wrong(), '{}',
	'a permission revoked, then the revoke rolled back: the kept plan follows both');

-- SET ROLE: without an acting user set, acting_user() is current_user
CREATE ROLE spl_n;
CREATE ROLE spl_w;
GRANT USAGE ON SCHEMA spl TO spl_n, spl_w;
GRANT SELECT ON spl.item TO spl_n, spl_w;
SELECT inventree_perms.create_user('spl_n');
SELECT inventree_perms.create_user('spl_w');
SELECT inventree_perms.grant_user_scope('spl_n', 'sitem', 'view', 400);
SELECT inventree_perms.grant_user_perm('spl_w', 'sitem', 'view');
-- a SECURITY DEFINER function owned by spl_w answers for spl_w
CREATE FUNCTION spl.definer_count() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog AS $$
DECLARE
	n bigint;
BEGIN
	SELECT count(*) INTO n FROM spl.item;
	RETURN n;
END $$;
ALTER FUNCTION spl.definer_count() OWNER TO spl_w;
CREATE FUNCTION pg_temp.role_wrong() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	wrong text[] := '{}';
	n bigint;
	who text;
BEGIN
	FOREACH who IN ARRAY '{spl_n,spl_w,spl_n,spl_w}'::text[] LOOP
		EXECUTE format('SET LOCAL ROLE %I', who);
		BEGIN
			EXECUTE 'EXECUTE gen(0)' INTO n;
		EXCEPTION WHEN serialization_failure THEN
			n := NULL;
		END;
		RESET ROLE;
		IF n IS DISTINCT FROM pg_temp.expected(who) THEN
			wrong := wrong || (who || ':' || coalesce(n::text, 'error'));
		END IF;
		EXECUTE format('SET LOCAL ROLE %I', who);
		n := spl.definer_count();
		RESET ROLE;
		IF n IS DISTINCT FROM pg_temp.expected('spl_w') THEN
			wrong := wrong || (who || ' definer:' || n);
		END IF;
	END LOOP;
	RETURN wrong;
END $$;
SELECT is(pg_temp.role_wrong(), '{}',
	'SET ROLE between executions, and a SECURITY DEFINER function between them: each answers for its role');
SELECT ok(pg_temp.expected('spl_n') BETWEEN 1 AND 200 AND pg_temp.expected('spl_w') = 20000, '... (spl_n narrow, spl_w model-wide)');

-- RESET ALL clears a session's acting user: spl_w (a delegate, model-wide
-- itself) acts for tiny, then RESET ALL: spl_w acts again
SELECT inventree_perms.add_delegate('spl_w');
GRANT SELECT ON spl.v TO spl_w;
CREATE FUNCTION pg_temp.reset_all_wrong() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	wrong text[] := '{}';
	n bigint;
BEGIN
	SET LOCAL ROLE spl_w;
	PERFORM inventree_perms.set_acting_user('tiny', false);
	EXECUTE 'EXECUTE gen(0)' INTO n;
	IF n IS DISTINCT FROM pg_temp.expected('tiny') THEN
		wrong := wrong || ('tiny:' || n);
	END IF;
	RESET ALL;				-- (not the role: it is not reset by RESET ALL)
	SET LOCAL plan_cache_mode = force_generic_plan;
	BEGIN
		EXECUTE 'EXECUTE gen(0)' INTO n;
	EXCEPTION WHEN serialization_failure THEN
		n := NULL;
	END;
	IF n IS DISTINCT FROM pg_temp.expected('spl_w') THEN
		wrong := wrong || ('spl_w:' || coalesce(n::text, 'error'));
	END IF;
	RESET ROLE;
	RETURN wrong;
END $$;
SELECT is(pg_temp.reset_all_wrong(), '{}', 'RESET ALL between executions: the role''s own rows again');
SET client_min_messages = warning;
SET plan_cache_mode = force_generic_plan;

-- scope_admits() written into a query by hand (on a table without
-- row-level security: no policy makes the plan depend on the role): SET
-- ROLE still replans it
CREATE TABLE spl.plain AS SELECT * FROM spl.item;
CREATE INDEX ON spl.plain (loc_id);
ANALYZE spl.plain;
GRANT SELECT ON spl.plain TO spl_n, spl_w;
PREPARE by_hand AS SELECT count(*) FROM spl.plain
	WHERE inventree_perms_internal.scope_admits('sitem', 'view', loc_id,
		(SELECT inventree_perms.has_model_perm('sitem', 'view')),
		(SELECT inventree_perms_internal.allowed_nodes('sitem', 'view')));
CREATE FUNCTION pg_temp.by_hand_wrong() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	wrong text[] := '{}';
	n bigint;
	who text;
BEGIN
	FOREACH who IN ARRAY '{spl_n,spl_w,spl_n}'::text[] LOOP
		EXECUTE format('SET LOCAL ROLE %I', who);
		BEGIN
			EXECUTE 'EXECUTE by_hand' INTO n;
		EXCEPTION WHEN serialization_failure THEN
			n := NULL;
		END;
		RESET ROLE;
		IF n IS DISTINCT FROM pg_temp.expected(who) THEN
			wrong := wrong || (who || ':' || coalesce(n::text, 'error'));
		END IF;
	END LOOP;
	RETURN wrong;
END $$;
SELECT is(pg_temp.by_hand_wrong(), '{}', 'scope_admits() in a query by hand, SET ROLE between executions: each role''s rows');

-- UPDATE: the new row is checked with the kept plan's form too
PREPARE mv(int, int) AS UPDATE spl.item SET loc_id = $2 WHERE id = $1 RETURNING 1;
CREATE FUNCTION pg_temp.mv_as(u text, id int, node int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	SET LOCAL ROLE spl_app;
	PERFORM inventree_perms.set_acting_user(u);
	EXECUTE format('EXECUTE mv(%s, %s)', id, node) INTO n;
	RESET ROLE;
	RETURN coalesce(n, 0)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $$;
SELECT inventree_perms.grant_user_scope('tiny', 'sitem', 'change', 400);
CREATE TEMP TABLE mv_ids AS
	SELECT (array_agg(id ORDER BY id))[1] AS a, (array_agg(id ORDER BY id))[2] AS b FROM spl.item WHERE loc_id = 400;
SELECT is(ARRAY[pg_temp.mv_as('tiny', a, 400), pg_temp.mv_as('boss', a, 2),
				pg_temp.mv_as('tiny', b, 2), pg_temp.mv_as('boss', a, 400)],
		  '{1,1,42501,1}',
	'a kept UPDATE: tiny moves within its scope, boss anywhere, tiny not out of its scope') FROM mv_ids;
-- ownership (add, change, delete of an owned table) is has_row_perm per
-- row, a form of its own, exact for every user: a kept UPDATE plan run for
-- each user changes the rows that user owns or nobody owns
CREATE TABLE spl.oitem (id int PRIMARY KEY, loc_id int, owner_id bigint);
INSERT INTO spl.oitem VALUES (1, 400, 1), (2, 30, 2), (3, 2, NULL), (4, NULL, NULL);
CREATE INDEX ON spl.oitem (loc_id);
GRANT SELECT, UPDATE ON spl.oitem TO spl_app;
SELECT inventree_perms.set_owner(1, 'tiny');
SELECT inventree_perms.set_owner(2, 'narrow');
SELECT inventree_perms.protect('spl.oitem', 'soitem', 'loc_id', 'sloc', 'owner_id');
SELECT inventree_perms.grant_user_perm(u, 'soitem', a) FROM unnest('{tiny,narrow,wide}'::text[]) u, unnest('{view,change}'::text[]) a;
PREPARE otouch(int) AS UPDATE spl.oitem SET loc_id = loc_id WHERE id = $1 RETURNING id;
CREATE FUNCTION pg_temp.otouch_as(u text) RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE
	done int[] := '{}';
	n int;
BEGIN
	SET LOCAL ROLE spl_app;
	PERFORM inventree_perms.set_acting_user(u);
	FOR i IN 1..4 LOOP
		n := NULL;
		EXECUTE format('EXECUTE otouch(%s)', i) INTO n;
		IF n IS NOT NULL THEN
			done := done || n;
		END IF;
	END LOOP;
	RESET ROLE;
	RETURN done;
END $$;
SELECT is(ARRAY[pg_temp.otouch_as('tiny')::text, pg_temp.otouch_as('narrow')::text, pg_temp.otouch_as('wide')::text,
				pg_temp.otouch_as('boss')::text, pg_temp.otouch_as('tiny')::text],
		  '{"{1,3,4}","{2,3,4}","{3,4}","{1,2,3,4}","{1,3,4}"}',
	'an owned table, a kept UPDATE run for each user in turn: its own rows and the unowned ones');

RESET plan_cache_mode;

-- Where no invalidation reaches: a SQL function's statements are planned
-- together before its body runs (and kept for the statement), an open
-- cursor keeps its plan.  Planned for an unknown user (the model-wide
-- form, exact for everyone), every user the body sets gets its rows; a
-- narrow plan run for a model-wide holder raises 40001, never short.
CREATE FUNCTION pg_temp.sql_count(u text) RETURNS bigint LANGUAGE sql AS $$
	SELECT inventree_perms.set_acting_user(u);
	SELECT count(*) FROM spl.item;
$$;
GRANT EXECUTE ON FUNCTION pg_temp.sql_count(text) TO spl_app;
SET ROLE spl_app;
SELECT inventree_perms.reset_acting_user();
CREATE TEMP TABLE sql_counts AS
	SELECT u, pg_temp.sql_count(u) AS n FROM unnest('{narrow,wide,boss,nobody,broad,narrow}'::text[]) WITH ORDINALITY x(u, i);
SELECT inventree_perms.reset_acting_user();
RESET ROLE;
SELECT is((SELECT count(*) FROM sql_counts WHERE n IS DISTINCT FROM pg_temp.expected(u)), 0::bigint,
	'a SQL function whose body sets the acting user, planned for an unknown user: every user''s rows');
SET ROLE spl_app;
SELECT inventree_perms.set_acting_user('tiny');
SELECT throws_ok($$SELECT pg_temp.sql_count(u) FROM unnest('{tiny,wide}'::text[]) u$$, '40001', NULL,
	'... planned for a narrow scope, run for a model-wide holder: 40001, not a short count');
RESET ROLE;
CREATE FUNCTION pg_temp.cursor_as(first text, second text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c refcursor;
	n bigint;
BEGIN
	SET LOCAL ROLE spl_app;
	PERFORM inventree_perms.set_acting_user(first);
	OPEN c FOR SELECT count(*) FROM spl.item;
	PERFORM inventree_perms.set_acting_user(second);
	FETCH c INTO n;
	CLOSE c;
	RESET ROLE;
	RETURN n::text;
EXCEPTION WHEN serialization_failure THEN
	RETURN SQLSTATE;
END $$;
SELECT is(ARRAY[pg_temp.cursor_as('tiny', 'wide'), pg_temp.cursor_as('tiny', 'nobody'), pg_temp.cursor_as('wide', 'narrow')],
		  ARRAY['40001', pg_temp.expected('nobody')::text, pg_temp.expected('narrow')::text],
	'a cursor opened for a narrow scope and read for wide: 40001; for nobody, or opened for wide: the reader''s rows');


-- A model-wide holder's scan tests nothing per row: once the form's
-- $modelwide InitPlan has been computed true (at the first row the
-- condition tests), the executor drops "$modelwide OR scope_admits_row(...)"
-- from the scan.  Counted by the function statistics of this transaction:
-- has_model_perm() is the InitPlan, scope_admits_row() the call per row.
-- A cursor: opened for one user (planned for it), read for another (no
-- plan invalidation reaches it).
SET track_functions = 'all';
CREATE FUNCTION pg_temp.calls(f regprocedure) RETURNS bigint LANGUAGE sql AS $$
	SELECT coalesce(pg_stat_get_xact_function_calls(f), 0)
$$;
CREATE FUNCTION pg_temp.calls_as(planner text, runner text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c refcursor;
	n bigint;
	mp0 bigint := pg_temp.calls('inventree_perms.has_model_perm(text,text)');
	sr0 bigint := pg_temp.calls('inventree_perms_internal.scope_admits_row(text,text,record,integer)');
BEGIN
	SET LOCAL ROLE spl_app;
	PERFORM inventree_perms.set_acting_user(planner);
	OPEN c FOR SELECT count(*) FROM spl.item;
	PERFORM inventree_perms.set_acting_user(runner);
	FETCH c INTO n;
	CLOSE c;
	RESET ROLE;
	RETURN n || ' rows, ' || (pg_temp.calls('inventree_perms.has_model_perm(text,text)') - mp0)
		|| ' InitPlan, ' || (pg_temp.calls('inventree_perms_internal.scope_admits_row(text,text,record,integer)') - sr0)
		|| ' per row';
END $$;
SELECT is(pg_temp.calls_as('wide', 'wide'), '20000 rows, 1 InitPlan, 0 per row',
	'a model-wide holder: the InitPlan once, no call per row');
SELECT is(pg_temp.calls_as('wide', 'boss'), '20000 rows, 1 InitPlan, 0 per row',
	'... a superuser run through the same form: the same');
SELECT is(pg_temp.calls_as('wide', 'narrow'), pg_temp.expected('narrow') || ' rows, 1 InitPlan, 20000 per row',
	'... opened for a model-wide holder and read for a narrow scope (a cursor: the InitPlan reads the user at the first row): the InitPlan once, and the call for every row');
SELECT is(pg_temp.calls_as('wide', 'idle'), '0 rows, 1 InitPlan, 20000 per row',
	'... run for an inactive user: nothing dropped, no row');
RESET track_functions;

-- A function of the same name and arguments elsewhere, in the same form,
-- whose $modelwide is false: its rows stay refused (its table is read by
-- the same statement).  That only the extension's own function is dropped
-- where $modelwide is true cannot show in the rows ("true OR x" admits
-- them either way): the pg_regress test sql/scopes.sql shows it by the
-- DEBUG line.
CREATE FUNCTION spl.scope_admits_row(text, text, record, integer) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RETURN $4 = 0; END $$;
CREATE TABLE spl.fake (id int);
INSERT INTO spl.fake SELECT generate_series(1, 10);
ALTER TABLE spl.fake ENABLE ROW LEVEL SECURITY;
CREATE POLICY fake ON spl.fake USING ((SELECT inventree_perms.has_model_perm('sitem', 'change')) OR spl.scope_admits_row('sitem', 'view', fake, 1));
GRANT SELECT ON spl.fake TO spl_app;
GRANT USAGE ON SCHEMA spl TO spl_app;
CREATE FUNCTION pg_temp.fake_as(u text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	SET LOCAL ROLE spl_app;
	PERFORM inventree_perms.set_acting_user(u);
	EXECUTE 'SELECT (SELECT count(*) FROM spl.item) || '' '' || (SELECT count(*) FROM spl.fake)' INTO r;
	RESET ROLE;
	RETURN r;
END $$;
SELECT ok(pg_temp.plan_as('wide', 'SELECT (SELECT count(*) FROM spl.item), (SELECT count(*) FROM spl.fake)')
		  ~ 'Filter: \(\$\d+ OR spl\.scope_admits_row\(',
	'another schema''s scope_admits_row() in the form''s shape');
SELECT is(pg_temp.fake_as('wide'), '20000 0', '... is not taken for the extension''s: its rows stay refused');

SELECT * FROM finish();
ROLLBACK;
