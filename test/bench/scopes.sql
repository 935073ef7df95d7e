-- scopes.sql -- the row-scope benchmark (run by test/bench/scopes.sh, on
-- the tables test/bench/scopes_data.sql made).  One session; single core
-- (no parallel workers), JIT off.  Prints one table: each measurement is
-- the best of :reps runs.
\set QUIET 1
\pset pager off
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET jit = off;

-- the runs, interleaved: each round runs every measured statement once, so
-- that a passing load on the (shared) machine weighs on all of them alike;
-- best of :reps rounds, in ms
CREATE TEMP TABLE runs (k text, r text, q text);
CREATE TEMP TABLE timings (k text, ms numeric);
CREATE FUNCTION pg_temp.run_all(reps int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	x record;
BEGIN
	FOR i IN 1..reps LOOP
		FOR x IN SELECT * FROM runs ORDER BY k LOOP
			EXECUTE format('SET LOCAL ROLE %I', x.r);
			t0 := clock_timestamp();
			EXECUTE x.q;
			RESET ROLE;
			INSERT INTO timings VALUES (x.k, 1000 * extract(epoch FROM clock_timestamp() - t0));
		END LOOP;
	END LOOP;
END $$;
CREATE FUNCTION pg_temp.best(key text) RETURNS numeric LANGUAGE sql AS $$
	SELECT round(min(ms), 2) FROM timings WHERE k = key
$$;

-- the share of the rows a role sees, and the scan its count(*) is planned with
CREATE FUNCTION pg_temp.seen(r text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	line text;
	scan text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	SELECT count(*) INTO n FROM bs.item;
	FOR line IN EXPLAIN (COSTS OFF) SELECT count(*) FROM bs.item LOOP
		IF scan IS NULL AND line ~ 'Scan' THEN
			scan := substring(line FROM '([A-Z][A-Za-z ]* Scan)');
		END IF;
	END LOOP;
	RESET ROLE;
	RETURN round(100.0 * n / 1000000, 1) || ' % of the rows; ' || scan;
END $$;

CREATE TEMP TABLE results (what text, value numeric, unit text, target text);
INSERT INTO runs VALUES
	('floor', 'bs_wide', 'SELECT count(*) FROM bs.floor'),
	-- the two tables without row-level security (a superuser): the floor
	-- is a fair anchor only while these two take the same time
	('plain floor', 'postgres', 'SELECT count(*) FROM bs.floor'),
	('plain item', 'postgres', 'SELECT count(*) FROM bs.item'),
	('wide', 'bs_wide', 'SELECT count(*) FROM bs.item'),
	('broad', 'bs_broad', 'SELECT count(*) FROM bs.item'),
	('scoped', 'bs_scoped', 'SELECT count(*) FROM bs.item'),
	('small', 'bs_small', 'SELECT count(*) FROM bs.item'),
	('small by hand', 'postgres', $q$SELECT count(*) FROM bs.item WHERE location_id = ANY (ARRAY(
		WITH RECURSIVE s(id) AS (SELECT 122 UNION ALL
			SELECT l.id FROM bs.loc l JOIN s ON l.parent_id = s.id) SELECT id FROM s))$q$),
	-- per call: 1,000,000 rows of (user, node), the user a column (a
	-- constant-only qual would be evaluated once, as a one-time filter);
	-- minus the same count without a qual
	('calls', 'postgres', 'SELECT count(*) FROM bs.calls'),
	('calls has_row_perm', 'postgres', $q$SELECT count(*) FROM bs.calls
		WHERE inventree_perms.has_row_perm(u, 'item', 'change', node)$q$),
	('calls has_table_privilege', 'postgres', $q$SELECT count(*) FROM bs.calls
		WHERE has_table_privilege(u, 'bs.item', 'SELECT')$q$);
SELECT pg_temp.run_all(current_setting('bs.reps')::int);
DO $$
DECLARE
	floor_ms numeric := pg_temp.best('floor');
	v numeric;
	base numeric := pg_temp.best('calls');
BEGIN
	INSERT INTO results VALUES ('count(*) 1M rows, USING ((SELECT true)) floor', floor_ms, 'ms', '');
	INSERT INTO results VALUES ('  the scoped table / the floor''s table, both without RLS',
		round(pg_temp.best('plain item') / pg_temp.best('plain floor'), 3), 'x', '~ 1 (a fair anchor)');
	v := pg_temp.best('wide');
	INSERT INTO results VALUES ('count(*) model-wide user (' || pg_temp.seen('bs_wide') || ')', v, 'ms', ''),
		('  ratio to the floor', round(v / floor_ms, 3), 'x', '<= 1.05');
	v := pg_temp.best('broad');
	INSERT INTO results VALUES ('count(*) broad scope (20 grants; ' || pg_temp.seen('bs_broad') || ')', v, 'ms', ''),
		('  ratio to the floor', round(v / floor_ms, 3), 'x', '<= 1.5');
	v := pg_temp.best('scoped');
	INSERT INTO results VALUES ('count(*) scoped user (20 grants; ' || pg_temp.seen('bs_scoped') || ')', v, 'ms', ''),
		('  ratio to the floor', round(v / floor_ms, 3), 'x', '<= 1.5');
	v := pg_temp.best('small');
	INSERT INTO results VALUES ('count(*) small scope (' || pg_temp.seen('bs_small') || ')', v, 'ms', ''),
		('  ratio to the floor (a full scan)', round(v / floor_ms, 3), 'x', '<= 0.1 with the index');
	v := pg_temp.best('small by hand');
	INSERT INTO results VALUES ('  the same rows through the index, by hand (no RLS)', v, 'ms', ''),
		('  ratio to the floor', round(v / floor_ms, 3), 'x', '');
	INSERT INTO results VALUES ('has_row_perm per call (change, owned tree)',
		round(pg_temp.best('calls has_row_perm') - base, 1), 'ns', '<= 60');
	v := round(pg_temp.best('calls has_table_privilege') - base, 1);
	INSERT INTO results VALUES ('has_table_privilege per call', v, 'ns', '');
	INSERT INTO results VALUES ('  has_row_perm / has_table_privilege',
		round((SELECT value FROM results WHERE what ~ '^has_row_perm per') / nullif(v, 0), 3), 'x', '<= 0.25');
END $$;
SELECT rpad(what, 72) || lpad(value::text, 10) || ' ' || rpad(unit, 3) || target AS " " FROM results;
