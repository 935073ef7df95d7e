-- scopes_watch.sql: the executor's list of watched scans (src/scope_plan.c,
-- scan_watch: a scan whose condition holds a model-wide holder's form is
-- watched until its $modelwide InitPlan is computed, then the form is
-- dropped) must hold only scans of executors that are alive, whatever
-- ends an execution: an error in the middle of a watched scan caught by a
-- PL/pgSQL block (a statement, a SQL function's statement, a cursor's
-- fetch rolled back to a savepoint), nested executors (a function that
-- reads the table per row of a scan of it, recursively), a nested loop
-- rescanning a watched scan after the acting user changed.  Each statement
-- afterwards gives the rows has_row_perm gives.  (test/sanitize.sh runs
-- it under valgrind, which sees an entry left behind only where its
-- memory went back to malloc: PostgreSQL keeps a freed context's first
-- block for reuse.)
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;

CREATE ROLE swa_app LOGIN;
CREATE SCHEMA swa;
GRANT USAGE ON SCHEMA swa TO swa_app;
CREATE TABLE swa.loc (id int PRIMARY KEY, parent_id int);
INSERT INTO swa.loc SELECT i, CASE WHEN i > 1 THEN (i - 2) / 4 + 1 END FROM generate_series(1, 200) i;
CREATE TABLE swa.item (id int PRIMARY KEY, loc_id int);
INSERT INTO swa.item SELECT i, 1 + (i * 7) % 200 FROM generate_series(1, 2000) i;
ANALYZE swa.loc;
ANALYZE swa.item;
GRANT SELECT ON swa.item TO swa_app;
SELECT inventree_perms.register_tree('swaloc', 'swa.loc');
SELECT inventree_perms.protect('swa.item', 'swaitem', 'loc_id', 'swaloc');
SELECT inventree_perms.add_delegate('swa_app');
SELECT inventree_perms.create_user(u) FROM unnest('{narrow,wide}'::text[]) u;
SELECT inventree_perms.grant_user_scope('narrow', 'swaitem', 'view', 30);
SELECT inventree_perms.grant_user_perm('wide', 'swaitem', 'view');

-- what has_row_perm admits for u
CREATE FUNCTION pg_temp.expected(u text) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM swa.item WHERE inventree_perms.has_row_perm(u, 'swaitem', 'view', loc_id)
$$;
-- raises at its 5th call in a statement (at the 5th row the policy
-- admits: a scan stopped in its middle)
CREATE FUNCTION swa.boom(i int) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	n int := coalesce(nullif(current_setting('swa.calls', true), ''), '0')::int + 1;
BEGIN
	PERFORM set_config('swa.calls', CASE WHEN n >= 5 THEN '0' ELSE n::text END, true);
	IF n >= 5 THEN
		RAISE EXCEPTION 'boom %', i;
	END IF;
	RETURN true;
END $$;
CREATE FUNCTION swa.sql_boom() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM swa.item WHERE swa.boom(id)
$$;
-- per row of a scan of the table, another scan of it (nested executors),
-- to a depth of d
CREATE FUNCTION swa.nested(d int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	IF d = 0 THEN
		SELECT count(*) INTO n FROM swa.item;
		RETURN n;
	END IF;
	SELECT sum(swa.nested(d - 1)) INTO n FROM (SELECT id FROM swa.item ORDER BY id LIMIT 2) x;
	RETURN n;
END $$;
-- set_acting_user in a row (the inner side of a nested loop rescanned
-- after it)
CREATE FUNCTION swa.act(u text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM inventree_perms.set_acting_user(u);
	RETURN u;
END $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA swa TO swa_app;

SELECT plan(8);

-- errors in the middle of watched scans, caught; then the table read again
CREATE FUNCTION pg_temp.after_errors(u text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c refcursor;
	n bigint;
	got int;
	out text := '';
BEGIN
	SET LOCAL ROLE swa_app;
	PERFORM inventree_perms.set_acting_user(u);
	FOR k IN 1..3 LOOP
		BEGIN
			PERFORM count(*) FROM swa.item WHERE swa.boom(id);
		EXCEPTION WHEN raise_exception THEN
			out := out || 'a';
		END;
		BEGIN
			n := swa.sql_boom();
		EXCEPTION WHEN raise_exception THEN
			out := out || 'b';
		END;
		-- a cursor opened outside the block, failing inside it
		OPEN c FOR SELECT i.id FROM swa.item i WHERE swa.boom(i.id) ORDER BY i.id;
		BEGIN
			LOOP
				FETCH c INTO got;
				EXIT WHEN NOT FOUND;
			END LOOP;
		EXCEPTION WHEN raise_exception THEN
			out := out || 'c';
		END;
		CLOSE c;
		SELECT count(*) INTO n FROM swa.item;
		out := out || ':' || n || ' ';
	END LOOP;
	RESET ROLE;
	RETURN out;
END $$;
SELECT is(pg_temp.after_errors('wide'),
		  format('abc:%1$s abc:%1$s abc:%1$s ', pg_temp.expected('wide')),
	'a model-wide holder: errors in the middle of watched scans (a statement, a SQL function, a cursor), caught; then every row');
SELECT is(pg_temp.after_errors('narrow'),
		  format('abc:%1$s abc:%1$s abc:%1$s ', pg_temp.expected('narrow')),
	'... a narrow scope: its rows');

-- a cursor over a watched scan, an error in another watched scan rolled
-- back to a savepoint between two fetches, then read on
SET LOCAL ROLE swa_app;
SELECT inventree_perms.set_acting_user('wide');
DECLARE cur SCROLL CURSOR FOR SELECT id FROM swa.item ORDER BY id;
MOVE 3 IN cur;
SAVEPOINT s1;
MOVE 3 IN cur;
SELECT set_config('swa.calls', '0', true) \g /dev/null
SELECT throws_like('SELECT count(*) FROM swa.item WHERE swa.boom(id)', 'boom %',
	'an error in the middle of a watched scan');
ROLLBACK TO s1;
SELECT is(count(*), 2000::bigint, '... rolled back to the savepoint, a new watched scan: every row') FROM swa.item;
MOVE ABSOLUTE 0 IN cur;
RESET ROLE;
CREATE FUNCTION pg_temp.rest() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	c refcursor := 'cur';
	got int;
	n bigint := 0;
BEGIN
	LOOP
		FETCH c INTO got;
		EXIT WHEN NOT FOUND;
		n := n + 1;
	END LOOP;
	RETURN n;
END $$;
SELECT is(pg_temp.rest(), pg_temp.expected('wide'),
	'a scroll cursor read again after an error rolled back to a savepoint between its fetches: every row');
CLOSE cur;

-- nested executors: per row of a watched scan, a function reading the table
SET LOCAL ROLE swa_app;
SELECT inventree_perms.set_acting_user('wide');
CREATE TEMP TABLE nested_wide AS SELECT swa.nested(3) AS n;
SELECT inventree_perms.set_acting_user('narrow');
CREATE TEMP TABLE nested_narrow AS SELECT swa.nested(3) AS n;
RESET ROLE;
SELECT is(ARRAY[(SELECT n FROM nested_wide), (SELECT n FROM nested_narrow)],
		  ARRAY[8 * pg_temp.expected('wide'), 8 * pg_temp.expected('narrow')],
	'nested executors three deep, each scan of the table for a row of another: the acting user''s rows');

-- a nested loop whose inner scan is rescanned after its outer row changed
-- the acting user: planned for a model-wide holder, the first row switches
-- to a narrow scope (the inner condition's $modelwide is computed for it:
-- false, nothing dropped), the second back to the model-wide holder (the
-- call per row reads the acting user: every row)
SET LOCAL enable_hashjoin = off;
SET LOCAL enable_mergejoin = off;
SET LOCAL enable_material = off;
SET LOCAL enable_memoize = off;
SET LOCAL ROLE swa_app;
SELECT inventree_perms.set_acting_user('wide');
CREATE TEMP TABLE switched AS
	SELECT v.u, count(i.id) AS n
	  FROM (SELECT swa.act(u) AS u, o FROM (VALUES ('narrow', 1), ('wide', 2)) x(u, o) OFFSET 0) v,
		   LATERAL (SELECT id FROM swa.item WHERE id > v.o - 10) i
	 GROUP BY v.u;
RESET ROLE;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_material;
RESET enable_memoize;
SELECT is((SELECT array_agg(u || ':' || n ORDER BY u) FROM switched),
		  ARRAY['narrow:' || pg_temp.expected('narrow'), 'wide:' || pg_temp.expected('wide')],
	'a nested loop rescanning a watched scan after its outer rows switched the acting user: each user''s rows');
SELECT ok(pg_temp.expected('narrow') BETWEEN 1 AND 1000, 'the narrow scope admits some of the rows');

SELECT * FROM finish();
ROLLBACK;
