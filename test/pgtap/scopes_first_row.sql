-- scopes_first_row.sql: when the executor drops a model-wide holder's form
-- "$modelwide OR scope_admits_row(...)" from a scan's condition
-- (src/scope_plan.c, scan_watch), the rows a statement gives must stay
-- those the condition itself gives, whose $modelwide InitPlan reads the
-- acting user at the first row the condition tests -- not at the scan's
-- first call.  These tests make that first call return no row (the inner
-- side of a left join that finds nothing) and change the acting user
-- before the scan's first row is tested.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;

CREATE ROLE sfr_app LOGIN;
CREATE SCHEMA sfr;
GRANT USAGE ON SCHEMA sfr TO sfr_app;
CREATE TABLE sfr.loc (id int PRIMARY KEY, parent_id int);
INSERT INTO sfr.loc SELECT i, CASE WHEN i > 1 THEN (i - 2) / 4 + 1 END FROM generate_series(1, 200) i;
CREATE TABLE sfr.item (id int PRIMARY KEY, loc_id int);
INSERT INTO sfr.item SELECT i, 1 + (i * 7) % 200 FROM generate_series(1, 200) i;
ANALYZE sfr.loc;
ANALYZE sfr.item;
GRANT SELECT ON sfr.item TO sfr_app;
SELECT inventree_perms.register_tree('sfrloc', 'sfr.loc');
SELECT inventree_perms.protect('sfr.item', 'sfritem', 'loc_id', 'sfrloc');
SELECT inventree_perms.add_delegate('sfr_app');
SELECT inventree_perms.create_user(u) FROM unnest('{narrow,wide}'::text[]) u;
SELECT inventree_perms.create_user('boss', true);
SELECT inventree_perms.grant_user_scope('narrow', 'sfritem', 'view', 30);
SELECT inventree_perms.grant_user_perm('wide', 'sfritem', 'view');

SELECT plan(4);

-- The statement: for each k, the items with id >= k (a nested loop whose
-- inner index scan finds nothing for the first k, 1000).
CREATE FUNCTION pg_temp.q() RETURNS text LANGUAGE sql AS $$
	SELECT 'SELECT p.id FROM (VALUES (1000), (1), (2), (3)) v(k) LEFT JOIN sfr.item p ON p.id >= v.k'
$$;
-- what has_row_perm admits of that statement's rows for u
CREATE FUNCTION pg_temp.expected(u text) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM (VALUES (1000), (1), (2), (3)) v(k) JOIN sfr.item p ON p.id >= v.k
	 WHERE inventree_perms.has_row_perm(u, 'sfritem', 'view', p.loc_id)
$$;
-- a cursor over the statement, opened (planned) and first fetched from for
-- "first" (the first k: no item), the rest read for "second"
CREATE FUNCTION pg_temp.cursor_rows(first text, second text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	c refcursor;
	id int;
	n bigint := 0;
BEGIN
	SET LOCAL ROLE sfr_app;
	SET LOCAL enable_hashjoin = off;
	SET LOCAL enable_mergejoin = off;
	SET LOCAL enable_material = off;
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_bitmapscan = off;
	PERFORM inventree_perms.set_acting_user(first);
	OPEN c FOR EXECUTE pg_temp.q();
	FETCH c INTO id;			-- k = 1000: no item (the inner scan's first call)
	PERFORM inventree_perms.set_acting_user(second);
	LOOP
		FETCH c INTO id;
		EXIT WHEN NOT FOUND;
		IF id IS NOT NULL THEN
			n := n + 1;
		END IF;
	END LOOP;
	CLOSE c;
	RESET ROLE;
	RESET enable_hashjoin;
	RESET enable_mergejoin;
	RESET enable_material;
	RESET enable_seqscan;
	RESET enable_bitmapscan;
	RETURN n;
END $$;

SELECT ok(pg_temp.expected('narrow') BETWEEN 1 AND 20, 'the narrow scope admits a few of the rows');
SELECT is(pg_temp.cursor_rows('narrow', 'narrow'), pg_temp.expected('narrow'),
	'a cursor read for a narrow scope: the reader''s rows');
SELECT is(pg_temp.cursor_rows('wide', 'wide'), pg_temp.expected('wide'),
	'... for a model-wide holder: every row');
-- Opened for a model-wide holder (or a superuser), whose first fetch tested
-- no row of the inner scan, then read for a narrow scope: the condition
-- would evaluate its $modelwide InitPlan for the narrow user at the inner
-- scan's first tested row (false) and admit the narrow user's rows only.
SELECT is(ARRAY[pg_temp.cursor_rows('wide', 'narrow'), pg_temp.cursor_rows('boss', 'narrow')],
		  ARRAY[pg_temp.expected('narrow'), pg_temp.expected('narrow')],
	'a cursor opened for a model-wide holder (or a superuser) whose inner scan''s first call found no row, read for a narrow scope: the reader''s rows');

SELECT * FROM finish();
ROLLBACK;
