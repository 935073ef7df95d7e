-- bench.sql -- the benchmark of inventree_perms, run by bench.sh in ONE psql
-- session (one backend: the cache measured is this backend's).
--
-- ns per call = (best time of  SELECT count(*) FROM <calls> WHERE f(...)
--                minus best time of the same query WHERE true) / rows,
-- best of :reps runs, single core, JIT off.  <calls> is a table of 1,000,000
-- (user, model, action) rows, so a varying user costs a column fetch only.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
\o /dev/null
SET max_parallel_workers_per_gather = 0;
SET jit = off;

DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA bench TO PUBLIC;
CREATE TABLE bench.results (
	n serial, section text, item text, value numeric, unit text, note text
);

-- best_ms(query, reps): best wall time of EXECUTE query (one bigint back).
CREATE FUNCTION bench.best_ms(q text, reps int DEFAULT :reps) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	best float8 := 'Infinity';
	dummy bigint;
BEGIN
	FOR i IN 1..reps LOOP
		t0 := clock_timestamp();
		EXECUTE q INTO dummy;
		best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
	END LOOP;
	RETURN best;
END;
$$;
GRANT EXECUTE ON FUNCTION bench.best_ms(text, int) TO PUBLIC;

-- ns_per_call(table, predicate, rows, reps): cost of the predicate per row,
-- over the first "rows" rows of the calls table; also checks how many rows
-- it accepted (must equal expect, else the run is wrong).
CREATE FUNCTION bench.ns_per_call(tab text, pred text, nrows int, expect text, reps int DEFAULT :reps)
RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
	src text := format('(SELECT * FROM %s LIMIT %s) c', tab, nrows);
	hits bigint;
	t float8;
	base float8;
BEGIN
	EXECUTE format('SELECT count(*) FROM %s WHERE %s', src, pred) INTO hits;	-- warm-up
	IF expect = 'all' AND hits <> nrows OR expect = 'none' AND hits <> 0 THEN
		RAISE EXCEPTION 'benchmark data wrong: % accepted % of % rows (expected %)',
			pred, hits, nrows, expect;
	END IF;
	t := bench.best_ms(format('SELECT count(*) FROM %s WHERE %s', src, pred), reps);
	base := bench.best_ms(format('SELECT count(*) FROM %s WHERE true', src), reps);
	RETURN round(((t - base) * 1e6 / nrows)::numeric, 1);
END;
$$;

-- A plain SQL STABLE function doing the same check with EXISTS over the
-- same tables: what a user would write without the extension.
CREATE FUNCTION bench.sql_perm(u text, m text, a text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (
		SELECT 1 FROM inventree_perms.users x
		 WHERE x.name = u AND x.is_active AND (
			x.is_superuser
			OR EXISTS (SELECT 1 FROM inventree_perms.models mm WHERE mm.name = m AND mm.is_open)
			OR EXISTS (SELECT 1 FROM inventree_perms.user_perms p
						WHERE p.username = u AND p.model = m AND p.action = a)
			OR EXISTS (SELECT 1 FROM inventree_perms.memberships ms
						 JOIN inventree_perms.group_perms gp ON gp.groupname = ms.groupname
						WHERE ms.username = u AND gp.model = m AND gp.action = a)
			OR EXISTS (SELECT 1 FROM inventree_perms.memberships ms
						 JOIN inventree_perms.group_roles gr ON gr.groupname = ms.groupname
						 JOIN inventree_perms.role_models rm ON rm.role = gr.role
						WHERE ms.username = u AND rm.model = m AND gr.action = a)))
$$;

-- call(i): the check of calls_group for user i: a (model, action) that the
-- user's first group holds.
CREATE FUNCTION bench.call(i int, OUT u text, OUT m text, OUT a text)
LANGUAGE sql IMMUTABLE AS $$
	SELECT 'user' || i, 'model' || (((i * 7) % 200) * 13 % 500),
		   (ARRAY['view', 'add', 'change', 'delete'])[((i * 7) % 200) % 4 + 1]
$$;

-- load(nusers, user_grants_per_user): the deterministic data set, by direct
-- INSERTs.  200 groups, 3 per user; 500 models; 250 grants per group
-- (50,000); nusers * ugrants user grants; 100 superusers admin0..admin99.
-- User i is in groups (i*7 + k*67) % 200, k = 0..2; group g holds action
-- actions[(g+k)%4] on model (g*13 + 2k) % 500, k = 0..249.
CREATE FUNCTION bench.load(nusers int, ugrants int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	TRUNCATE inventree_perms.users, inventree_perms.groups CASCADE;
	DELETE FROM inventree_perms.models WHERE name ~ '^(model[0-9]+|unused)$';
	INSERT INTO inventree_perms.models (name)
		SELECT 'model' || m FROM generate_series(0, 499) m UNION ALL SELECT 'unused';
	INSERT INTO inventree_perms.users (name)
		SELECT 'user' || i FROM generate_series(0, nusers - 1) i;
	INSERT INTO inventree_perms.users (name, is_superuser)
		SELECT 'admin' || i, true FROM generate_series(0, 99) i;
	INSERT INTO inventree_perms.groups (name)
		SELECT 'group' || g FROM generate_series(0, 199) g;
	INSERT INTO inventree_perms.memberships (username, groupname)
		SELECT 'user' || i, 'group' || ((i * 7 + k * 67) % 200)
		  FROM generate_series(0, nusers - 1) i, generate_series(0, 2) k;
	INSERT INTO inventree_perms.group_perms (groupname, model, action)
		SELECT 'group' || g, 'model' || ((g * 13 + 2 * k) % 500),
			   (ARRAY['view', 'add', 'change', 'delete'])[(g + k) % 4 + 1]
		  FROM generate_series(0, 199) g, generate_series(0, 249) k;
	INSERT INTO inventree_perms.user_perms (username, model, action)
		SELECT 'user' || i, 'model' || ((i * 31 + 7 * k) % 500),
			   (ARRAY['view', 'add', 'change', 'delete'])[(i + k) % 4 + 1]
		  FROM generate_series(0, nusers - 1) i, generate_series(0, ugrants - 1) k;
	-- 1,000,000 calls: user i = row % nusers with a (model, action) its first
	-- group holds (granted via a group), and with model "unused" (not granted).
	DROP TABLE IF EXISTS bench.calls_group, bench.calls_none, bench.calls_fixed, bench.calls_hot,
		bench.calls_shuffled;
	CREATE TABLE bench.calls_group AS
		SELECT c.* FROM generate_series(0, 999999) r, bench.call(r % nusers) c;
	-- the same, over the first 1,000 users only (the same working set
	-- whatever the number of users in the tables)
	CREATE TABLE bench.calls_hot AS
		SELECT c.* FROM generate_series(0, 999999) r, bench.call(r % 1000) c;
	-- the rows of calls_group in a fixed pseudo-random order: every user in
	-- turn, but never the neighbour of the previous one in the cache
	CREATE TABLE bench.calls_shuffled AS
		SELECT c.* FROM generate_series(0, 999999) r, bench.call(r % nusers) c
		 ORDER BY hashint4(r), r;
	CREATE TABLE bench.calls_none AS
		SELECT 'user' || (r % nusers) AS u, 'unused'::text AS m, 'view'::text AS a
		  FROM generate_series(0, 999999) r;
	-- the same user on every row (a column, not a constant: a qual without
	-- columns would be evaluated once, as a one-time filter); user42's first
	-- group is group94, which holds change on model222.
	CREATE TABLE bench.calls_fixed AS
		SELECT 'user42'::text AS u, 'model222'::text AS m, 'change'::text AS a,
			   'unused'::text AS nm, 'admin7'::text AS su
		  FROM generate_series(0, 999999) r;
	ANALYZE inventree_perms.users, inventree_perms.groups, inventree_perms.memberships,
		inventree_perms.models, inventree_perms.user_perms, inventree_perms.group_perms;
END;
$$;

CREATE FUNCTION bench.note(section text, item text, value numeric, unit text, note text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO bench.results (section, item, value, unit, note) VALUES ($1, $2, $3, $4, $5)
$$;

\echo 'loading 1,000 users ...'
SELECT bench.load(1000, 2);
VACUUM (FREEZE, ANALYZE) bench.calls_group, bench.calls_none, bench.calls_fixed, bench.calls_hot, bench.calls_shuffled;
\set M 1000000
SELECT bench.note('3 scale', '1k users: via group, 1k users called',
	bench.ns_per_call('bench.calls_hot', 'inventree_perms.has_model_perm(u, m, a)', :M, 'all'), 'ns/call');
SELECT bench.note('3 scale', '1k users: via group, varying user',
	bench.ns_per_call('bench.calls_group', 'inventree_perms.has_model_perm(u, m, a)', :M, 'all'), 'ns/call');
SELECT bench.note('3 scale', '1k users: via group, varying user, shuffled',
	bench.ns_per_call('bench.calls_shuffled', 'inventree_perms.has_model_perm(u, m, a)', :M, 'all'), 'ns/call');
SELECT bench.note('3 scale', '1k users: not granted, varying user',
	bench.ns_per_call('bench.calls_none', 'inventree_perms.has_model_perm(u, m, a)', :M, 'none'), 'ns/call');

\if :full
\echo 'loading 10,000 users ...'
SELECT bench.load(10000, 2);
VACUUM (FREEZE, ANALYZE) bench.calls_group, bench.calls_none, bench.calls_fixed, bench.calls_hot, bench.calls_shuffled;
SELECT bench.note('0 data', 'users', (SELECT count(*) FROM inventree_perms.users WHERE NOT is_superuser), 'rows', '+100 superusers');
SELECT bench.note('0 data', 'groups', (SELECT count(*) FROM inventree_perms.groups), 'rows');
SELECT bench.note('0 data', 'memberships', (SELECT count(*) FROM inventree_perms.memberships), 'rows');
SELECT bench.note('0 data', 'models', (SELECT count(*) FROM inventree_perms.models), 'rows', '500 + unused + catalogue');
SELECT bench.note('0 data', 'group grants', (SELECT count(*) FROM inventree_perms.group_perms), 'rows');
SELECT bench.note('0 data', 'user grants', (SELECT count(*) FROM inventree_perms.user_perms), 'rows');

-- PostgreSQL roles mirroring the data set, for has_table_privilege: user
-- roles in 3 group roles each; every group role may SELECT t_granted,
-- nobody t_none (so: granted through a group / not granted).
\echo 'creating 10,200 roles for has_table_privilege ...'
DO $$
BEGIN
	FOR g IN 0..199 LOOP
		EXECUTE format('DROP ROLE IF EXISTS %I', 'group' || g);
		EXECUTE format('CREATE ROLE %I NOLOGIN', 'group' || g);
	END LOOP;
	FOR i IN 0..9999 LOOP
		EXECUTE format('CREATE ROLE %I IN ROLE %I, %I, %I', 'user' || i,
					   'group' || ((i * 7) % 200), 'group' || ((i * 7 + 67) % 200),
					   'group' || ((i * 7 + 134) % 200));
	END LOOP;
END;
$$;
CREATE TABLE bench.t_granted (id int);
CREATE TABLE bench.t_none (id int);
CREATE TABLE bench.t_granted1 (id int);
GRANT SELECT ON bench.t_granted1 TO group94;	-- user42's first group only
DO $$
BEGIN
	FOR g IN 0..199 LOOP
		EXECUTE format('GRANT SELECT ON bench.t_granted TO %I', 'group' || g);
	END LOOP;
END;
$$;

\echo 'measuring checks ...'
\set S 20000
SELECT bench.note('1 check', 'has_model_perm: via group, fixed user',
	bench.ns_per_call('bench.calls_fixed', 'inventree_perms.has_model_perm(u, m, a)', :M, 'all'), 'ns/call');
SELECT bench.note('1 check', 'has_model_perm: via group, varying user',
	bench.ns_per_call('bench.calls_group', 'inventree_perms.has_model_perm(u, m, a)', :M, 'all'), 'ns/call');
SELECT bench.note('1 check', 'has_model_perm: not granted, fixed user',
	bench.ns_per_call('bench.calls_fixed', 'inventree_perms.has_model_perm(u, nm, a)', :M, 'none'), 'ns/call');
SELECT bench.note('1 check', 'has_model_perm: not granted, varying user',
	bench.ns_per_call('bench.calls_none', 'inventree_perms.has_model_perm(u, m, a)', :M, 'none'), 'ns/call');
SELECT bench.note('1 check', 'has_model_perm: superuser',
	bench.ns_per_call('bench.calls_fixed', 'inventree_perms.has_model_perm(su, m, a)', :M, 'all'), 'ns/call');
SELECT inventree_perms.set_acting_user('user42', false);
SELECT bench.note('1 check', 'has_model_perm(model, action): acting user, via group',
	bench.ns_per_call('bench.calls_fixed', 'inventree_perms.has_model_perm(m, a)', :M, 'all'), 'ns/call');
SELECT inventree_perms.reset_acting_user();
SELECT bench.note('1 check', 'has_table_privilege: via group role, fixed role',
	bench.ns_per_call('bench.calls_fixed', $$has_table_privilege(u, 'bench.t_granted1', 'select')$$, :M, 'all'), 'ns/call',
	'table granted to 1 group role');
SELECT bench.note('1 check', 'has_table_privilege: via group role, fixed role, 200 grantees',
	bench.ns_per_call('bench.calls_fixed', $$has_table_privilege(u, 'bench.t_granted', 'select')$$, :M, 'all'), 'ns/call',
	'table granted to all 200 group roles');
SELECT bench.note('1 check', 'has_table_privilege: via group role, varying role',
	bench.ns_per_call('bench.calls_group', $$has_table_privilege(u, 'bench.t_granted', 'select')$$, :S, 'all', 3), 'ns/call',
	'20,000 calls; table granted to all 200 group roles');
SELECT bench.note('1 check', 'has_table_privilege: not granted, fixed role',
	bench.ns_per_call('bench.calls_fixed', $$has_table_privilege(u, 'bench.t_none', 'select')$$, :M, 'none'), 'ns/call');
SELECT bench.note('1 check', 'has_table_privilege: not granted, varying role',
	bench.ns_per_call('bench.calls_none', $$has_table_privilege(u, 'bench.t_none', 'select')$$, :S, 'none', 3), 'ns/call', '20,000 calls');
SELECT bench.note('1 check', 'SQL function: via group, fixed user',
	bench.ns_per_call('bench.calls_fixed', 'bench.sql_perm(u, m, a)', :S, 'all', 3), 'ns/call', '20,000 calls');
SELECT bench.note('1 check', 'SQL function: via group, varying user',
	bench.ns_per_call('bench.calls_group', 'bench.sql_perm(u, m, a)', :S, 'all', 3), 'ns/call', '20,000 calls');
SELECT bench.note('1 check', 'SQL function: not granted, varying user',
	bench.ns_per_call('bench.calls_none', 'bench.sql_perm(u, m, a)', :S, 'none', 3), 'ns/call', '20,000 calls');

-- 2. A 1,000,000-row table read with count(*) by a role that may view it.
\echo 'measuring scans ...'
CREATE TABLE bench.t_plain (id int);
INSERT INTO bench.t_plain SELECT g FROM generate_series(1, 1000000) g;
CREATE TABLE bench.t_true (LIKE bench.t_plain);
INSERT INTO bench.t_true SELECT * FROM bench.t_plain;
ALTER TABLE bench.t_true ENABLE ROW LEVEL SECURITY;
CREATE POLICY floor ON bench.t_true USING ((SELECT true));
CREATE TABLE bench.t_protected (LIKE bench.t_plain);
INSERT INTO bench.t_protected SELECT * FROM bench.t_plain;
SELECT inventree_perms.protect('bench.t_protected', 'bench_item');
SELECT inventree_perms.grant_group_perm('group42', 'bench_item', 'view');	-- user6 is in group42
VACUUM (FREEZE, ANALYZE) bench.t_plain, bench.t_true, bench.t_protected;
GRANT SELECT ON bench.t_plain, bench.t_true, bench.t_protected TO PUBLIC;
SET ROLE user6;
SELECT bench.best_ms('SELECT count(*) FROM bench.t_plain') AS plain_ms,
	   bench.best_ms('SELECT count(*) FROM bench.t_true') AS true_ms,
	   bench.best_ms('SELECT count(*) FROM bench.t_protected') AS prot_ms,
	   (SELECT count(*) FROM bench.t_plain) AS plain_rows,
	   (SELECT count(*) FROM bench.t_true) AS true_rows,
	   (SELECT count(*) FROM bench.t_protected) AS prot_rows \gset
RESET ROLE;
SELECT bench.note('2 scan', 'no RLS', :plain_ms::numeric(10,1), 'ms', :plain_rows || ' rows seen');
SELECT bench.note('2 scan', 'policy USING ((SELECT true))', :true_ms::numeric(10,1), 'ms', :true_rows || ' rows seen');
SELECT bench.note('2 scan', 'protect() policies', :prot_ms::numeric(10,1), 'ms', :prot_rows || ' rows seen');
DO $$
BEGIN
	IF (SELECT count(*) FROM bench.results WHERE section = '2 scan' AND note <> '1000000 rows seen') > 0 THEN
		RAISE EXCEPTION 'benchmark data wrong: a scan did not see every row';
	END IF;
END;
$$;

DO $$
BEGIN
	FOR i IN 0..9999 LOOP
		EXECUTE format('DROP ROLE %I', 'user' || i);
		IF i % 500 = 0 THEN COMMIT; END IF;
	END LOOP;
END;
$$;
DROP TABLE bench.t_granted, bench.t_granted1, bench.t_none;
DO $$
BEGIN
	FOR g IN 0..199 LOOP
		EXECUTE format('DROP ROLE %I', 'group' || g);
	END LOOP;
END;
$$;

SELECT inventree_perms.unprotect('bench.t_protected');
\endif

-- 3 and 4. 100,000 users, 10 grants each (1,000,000 user grants).
\echo 'loading 100,000 users, 1,000,000 user grants ...'
SELECT bench.load(100000, 10);
VACUUM (FREEZE, ANALYZE) bench.calls_group, bench.calls_none, bench.calls_fixed, bench.calls_hot, bench.calls_shuffled;
SELECT resets AS resets_100k FROM inventree_perms_internal._cache_stats() \gset
SELECT bench.note('3 scale', '100k users: via group, 1k users called',
	bench.ns_per_call('bench.calls_hot', 'inventree_perms.has_model_perm(u, m, a)', :M, 'all'), 'ns/call');
SELECT bench.note('3 scale', '100k users: via group, varying user',
	bench.ns_per_call('bench.calls_group', 'inventree_perms.has_model_perm(u, m, a)', :M, 'all'), 'ns/call');
SELECT bench.note('3 scale', '100k users: via group, varying user, shuffled',
	bench.ns_per_call('bench.calls_shuffled', 'inventree_perms.has_model_perm(u, m, a)', :M, 'all'), 'ns/call');
SELECT bench.note('3 scale', '100k users: not granted, varying user',
	bench.ns_per_call('bench.calls_none', 'inventree_perms.has_model_perm(u, m, a)', :M, 'none'), 'ns/call');
SELECT bench.note('4 memory', 'cache entries after touching every user', entries, 'entries',
	'bound inventree_perms.cache_size = ' || cache_size) FROM inventree_perms_internal._cache_stats();
SELECT bench.note('4 memory', 'cache memory after touching every user', round(bytes / 1048576.0, 1), 'MB',
	round(bytes::numeric / (SELECT count(*) FROM inventree_perms.users)) || ' bytes per user') FROM inventree_perms_internal._cache_stats();
SELECT bench.note('4 memory', 'cache fills during the 100k-user measurements', resets - :resets_100k, 'fills',
	'the first one fills it; more would be thrashing') FROM inventree_perms_internal._cache_stats();

-- Ratios and targets.
CREATE FUNCTION bench.v(item text) RETURNS numeric LANGUAGE sql AS $$
	SELECT value FROM bench.results WHERE results.item = $1
$$;
SELECT bench.note('5 ratio', 'has_model_perm / has_table_privilege, via group, fixed',
	round(bench.v('has_model_perm: via group, fixed user') / bench.v('has_table_privilege: via group role, fixed role'), 3), 'x', 'target <= 0.5');
SELECT bench.note('5 ratio', 'has_model_perm / has_table_privilege, via group, varying',
	round(bench.v('has_model_perm: via group, varying user') / bench.v('has_table_privilege: via group role, varying role'), 3), 'x', 'target <= 0.5');
SELECT bench.note('5 ratio', 'has_model_perm / has_table_privilege, not granted, fixed',
	round(bench.v('has_model_perm: not granted, fixed user') / bench.v('has_table_privilege: not granted, fixed role'), 3), 'x', 'target <= 0.5');
SELECT bench.note('5 ratio', 'has_model_perm / has_table_privilege, not granted, varying',
	round(bench.v('has_model_perm: not granted, varying user') / bench.v('has_table_privilege: not granted, varying role'), 3), 'x', 'target <= 0.5');
SELECT bench.note('5 ratio', 'SQL function / has_model_perm, via group, varying',
	round(bench.v('SQL function: via group, varying user') / bench.v('has_model_perm: via group, varying user'), 0), 'x', 'target >= 100');
SELECT bench.note('5 ratio', 'SQL function / has_model_perm, not granted, varying',
	round(bench.v('SQL function: not granted, varying user') / bench.v('has_model_perm: not granted, varying user'), 0), 'x', 'target >= 100');
SELECT bench.note('5 ratio', 'protected scan / (SELECT true) floor',
	round(bench.v('protect() policies') / bench.v('policy USING ((SELECT true))'), 3), 'x', 'target <= 1.05');
SELECT bench.note('5 ratio', 'protected scan / no RLS',
	round(bench.v('protect() policies') / bench.v('no RLS'), 3), 'x');
SELECT bench.note('5 ratio', '100k-user / 1k-user cost, the same checks (1k users called)',
	round(bench.v('100k users: via group, 1k users called') / bench.v('1k users: via group, 1k users called'), 3), 'x', 'target <= 1.2');
SELECT bench.note('5 ratio', '100k-user / 1k-user cost, via group, every user called',
	round(bench.v('100k users: via group, varying user') / bench.v('1k users: via group, varying user'), 3), 'x', '100x the users: each check a new user, memory-bound (memlat below)');
SELECT bench.note('5 ratio', '100k-user / 1k-user cost, not granted, every user called',
	round(bench.v('100k users: not granted, varying user') / bench.v('1k users: not granted, varying user'), 3), 'x', '100x the users: each check a new user, memory-bound (memlat below)');
SELECT bench.note('5 ratio', '100k-user / 1k-user cost, via group, every user called, shuffled',
	round(bench.v('100k users: via group, varying user, shuffled') / bench.v('1k users: via group, varying user, shuffled'), 3), 'x', '100x the users: each check a new user, memory-bound (memlat below)');

\o
\unset QUIET
\pset footer off
SELECT section, item, value, unit, coalesce(note, '') AS note FROM bench.results
 WHERE value IS NOT NULL ORDER BY section, n;
\set QUIET 1
\o /dev/null
DROP SCHEMA bench CASCADE;
SELECT inventree_perms.unregister_model('bench_item') WHERE :full;
TRUNCATE inventree_perms.users, inventree_perms.groups CASCADE;
DELETE FROM inventree_perms.models WHERE name ~ '^(model[0-9]+|unused)$';
