-- scopes_attack.sql: a scoped policy's per-user form (src/scope_plan.c)
-- against a statement whose acting user changes while it runs, and the
-- ExecutorStart / ProcessUtility hooks against a session whose extension
-- is dropped and made again.  A statement's policies read the acting user
-- once, as PostgreSQL's own row-level security reads the role once: the
-- narrow form's allowed nodes (and every policy's model-wide check) are
-- InitPlans, computed for the acting user when the statement first needs
-- them; a set_acting_user() inside the statement (a delegate's, in the
-- outer rows) counts from the next statement, also for a subplan rescanned
-- after it.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;

CREATE ROLE sat_app LOGIN;
CREATE SCHEMA sat;
GRANT USAGE ON SCHEMA sat TO sat_app;
CREATE TABLE sat.loc (id int PRIMARY KEY, parent_id int);
INSERT INTO sat.loc SELECT i, CASE WHEN i > 1 THEN (i - 2) / 4 + 1 END FROM generate_series(1, 2000) i;
CREATE TABLE sat.item (id int PRIMARY KEY, loc_id int);
INSERT INTO sat.item SELECT i, CASE WHEN i % 50 = 0 THEN NULL ELSE 1 + i % 2000 END FROM generate_series(1, 20000) i;
CREATE INDEX ON sat.item (loc_id);
ANALYZE sat.loc;
ANALYZE sat.item;
GRANT SELECT ON sat.item TO sat_app;
SELECT inventree_perms.register_tree('satloc', 'sat.loc');
SELECT inventree_perms.protect('sat.item', 'satitem', 'loc_id', 'satloc');
SELECT inventree_perms.add_delegate('sat_app');
SELECT inventree_perms.create_user(u) FROM unnest('{sat_a,sat_b}'::text[]) u;
-- two narrow scopes (about 4 % of the tree each), disjoint
SELECT inventree_perms.grant_user_scope('sat_a', 'satitem', 'view', 30);
SELECT inventree_perms.grant_user_scope('sat_b', 'satitem', 'view', 31);

CREATE FUNCTION pg_temp.expected(u text) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM sat.item WHERE inventree_perms.has_row_perm(u, 'satitem', 'view', loc_id)
$$;
CREATE TEMP TABLE want AS SELECT u, pg_temp.expected(u) AS n FROM unnest('{sat_a,sat_b}'::text[]) u;
GRANT SELECT ON want TO sat_app;

SELECT plan(8);

SELECT isnt((SELECT n FROM want WHERE u = 'sat_a'), (SELECT n FROM want WHERE u = 'sat_b'),
	'fixture: the two users see different counts');

CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	plan text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		plan := plan || line || E'\n';
	END LOOP;
	RETURN plan;
END $$;
-- the outer rows switch the acting user (a delegate's session-level set);
-- the subplan is rescanned for each, with a nested loop's plan
CREATE VIEW pg_temp.per_user WITH (security_invoker = true) AS
	SELECT x.u, (SELECT count(*) FROM sat.item i WHERE i.id > x.k) AS n
	FROM (SELECT u, k, inventree_perms.set_acting_user(u, false) AS s
		  FROM (VALUES (1, 'sat_a', 0), (2, 'sat_b', 0)) v(o, u, k) ORDER BY o) x;
GRANT SELECT ON pg_temp.per_user TO sat_app;

SET ROLE sat_app;
SELECT inventree_perms.set_acting_user('sat_a', false);
SELECT matches(pg_temp.plan_of('SELECT count(*) FROM sat.item'), 'scope_nodes',
	'fixture: sat_a''s statements get the narrow form');
SELECT is((SELECT n FROM pg_temp.per_user WHERE u = 'sat_a'), (SELECT n FROM want WHERE u = 'sat_a'),
	'a subplan scanned for the first acting user of a statement: his rows');
SELECT is(ARRAY(SELECT n FROM pg_temp.per_user ORDER BY u),
	ARRAY(SELECT n FROM want, unnest('{1,2}'::int[]) WHERE u = 'sat_a'),
	'a subplan rescanned after the acting user changed within the statement: the statement''s first acting user''s rows (the change counts from the next statement)');
SELECT is((SELECT count(*) FROM sat.item), (SELECT n FROM want WHERE u = 'sat_b'),
	'... and the next statement: the new acting user''s rows');
SELECT inventree_perms.reset_acting_user();
RESET ROLE;

-- The hooks: a session with a kept plan of a per-user form, whose
-- extension is dropped in a transaction that rolls back, then dropped and
-- made again; and an aborted transaction block.
SET ROLE sat_app;
SELECT inventree_perms.set_acting_user('sat_b', false);
PREPARE sat_kept AS SELECT count(*) FROM sat.item;
\o /dev/null
EXECUTE sat_kept;
\o
SELECT inventree_perms.reset_acting_user();	-- (a delegate's session-level acting user: every statement after DROP EXTENSION raises 55000)
RESET ROLE;
SAVEPOINT before_drop;
DROP EXTENSION inventree_perms CASCADE;
ROLLBACK TO before_drop;
SAVEPOINT aborted;
SELECT throws_ok('SELECT 1 / 0', '22012');
ROLLBACK TO aborted;
SET ROLE sat_app;
SELECT inventree_perms.set_acting_user('sat_b', false);
SELECT is((SELECT count(*) FROM sat.item WHERE id > 0), (SELECT n FROM want WHERE u = 'sat_b'),
	'after DROP EXTENSION rolled back and an aborted subtransaction: the acting user''s rows');
SELECT is((SELECT count(*) FROM sat.item), (SELECT n FROM want WHERE u = 'sat_b'), '... and the kept statement''s text again');
SELECT inventree_perms.reset_acting_user();
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
