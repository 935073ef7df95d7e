-- scopes_plan.sql: the scoped policies' plans.  While a query is planned,
-- scope_admits() (src/scope_plan.c) writes the condition for the acting
-- user: a narrow scope gets a bitmap index scan of the scope column, a
-- model-wide holder or a broad scope a sequential scan.  Either condition is
-- exact for every user: a plan kept (a prepared statement) and run for
-- another acting user, after a grant or a moved node, or with parallel
-- workers, gives the rows has_row_perm gives.
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
		EXECUTE 'EXECUTE kept' INTO n;
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

SELECT plan(21);

SELECT is((SELECT array_agg(u || ':' || pg_temp.count_as(u) ORDER BY u) FROM users),
		  (SELECT array_agg(u || ':' || pg_temp.expected(u) ORDER BY u) FROM users),
	'each acting user, planned for: the rows has_row_perm admits');
SELECT ok(pg_temp.expected('narrow') BETWEEN 200 AND 2000, 'narrow sees a few per cent of the rows');
SELECT ok(pg_temp.expected('wide') = 20000 AND pg_temp.expected('broad') > 3000 AND pg_temp.expected('nobody') = 0
		  AND pg_temp.expected('idle') = 0 AND pg_temp.expected('boss') = 20000,
	'... wide and boss see every row (without a node, on an unknown node), broad a quarter, nobody and idle nothing');

-- the plans
SELECT ok(pg_temp.plan_as('narrow', 'SELECT count(*) FROM spl.item') ~ 'Bitmap Index Scan on item_loc_id_idx',
	'a narrow scope: a bitmap index scan of the scope column');
SELECT ok(pg_temp.plan_as('nobody', 'SELECT count(*) FROM spl.item') ~ 'Bitmap Index Scan on item_loc_id_idx',
	'nothing granted: the same (nothing to read)');
SELECT ok(pg_temp.plan_as('wide', 'SELECT count(*) FROM spl.item') !~ 'Index',
	'a model-wide holder: a sequential scan');
SELECT ok(pg_temp.plan_as('wide', 'SELECT count(*) FROM spl.item') ~ 'Filter: \(\$\d+ OR inventree_perms_internal\.scope_admits_row\(.*item\.\*, 2\)',
	'... whose rows the InitPlan admits before any lookup (the whole row only formed for the call)');
SELECT ok(pg_temp.plan_as('broad', 'SELECT count(*) FROM spl.item') ~ 'Filter: \(\$\d+ OR inventree_perms_internal\.scope_admits\(.*loc_id',
	'a broad scope: the node column per row');
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
		EXECUTE 'EXECUTE part_kept' INTO n;
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

SELECT * FROM finish();
ROLLBACK;
