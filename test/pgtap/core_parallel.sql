-- core_parallel.sql -- SPEC "Checking": parallel query changes nothing; a
-- parallel worker answers exactly as its leader (same acting user, same
-- data).  Within one REPEATABLE READ transaction (the isolation specs
-- parallel_*.spec cover changes committed by other sessions): the
-- transaction's own changes, made between parallel statements, are seen by
-- the workers exactly as by a serial check, and the hidden setting that
-- carries the snapshot to the workers is set by nobody else.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
SELECT plan(14);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
CREATE ROLE par_app;
CREATE TABLE public.par_rows AS SELECT g AS id FROM generate_series(1, 20000) g;
CREATE TABLE public.par_open AS SELECT g AS id FROM generate_series(1, 20000) g;
ANALYZE public.par_rows, public.par_open;
GRANT SELECT ON public.par_rows, public.par_open TO par_app;
SELECT inventree_perms.create_user('par_alice');
SELECT inventree_perms.create_user('par_app');
SELECT inventree_perms.create_group('par_staff');
SELECT inventree_perms.add_delegate('par_app');
SELECT inventree_perms.protect('public.par_rows', 'par_part');

SET LOCAL force_parallel_mode = on;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;
SET LOCAL max_parallel_workers_per_gather = 2;

CREATE FUNCTION pg_temp.in_workers(username text, action text) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FILTER (WHERE inventree_perms.has_model_perm(username, 'par_part', action)) FROM public.par_rows
$$;
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	l text;
	r text := '';
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		r := r || l || E'\n';
	END LOOP;
	RETURN r;
END;
$$;

SELECT matches(pg_temp.plan_of($$SELECT count(*) FILTER (WHERE inventree_perms.has_model_perm('par_alice', 'par_part', 'view')) FROM public.par_rows$$),
			   'Gather.*Parallel Seq Scan', 'the checks run under a Gather, in parallel workers');
SELECT is(pg_temp.in_workers('par_alice', 'view'), 0::bigint, 'workers: no grant yet');
SELECT inventree_perms.grant_user_perm('par_alice', 'par_part', 'view');
SELECT is(pg_temp.in_workers('par_alice', 'view'), 20000::bigint, 'workers see the grant made by their transaction');
SELECT inventree_perms.add_user_to_group('par_alice', 'par_staff');
SELECT inventree_perms.grant_group_perm('par_staff', 'par_part', 'delete');
SELECT is(pg_temp.in_workers('par_alice', 'delete'), 20000::bigint, 'and a grant through a group');
SELECT inventree_perms.revoke_user_perm('par_alice', 'par_part', 'view');
SELECT is(pg_temp.in_workers('par_alice', 'view'), 0::bigint, 'and the revoke');
SET LOCAL force_parallel_mode = off;
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT is(inventree_perms.has_model_perm('par_alice', 'par_part', 'delete'), true, 'serially the same (delete)');
SELECT is(inventree_perms.has_model_perm('par_alice', 'par_part', 'view'), false, 'serially the same (view)');
SET LOCAL force_parallel_mode = on;
SET LOCAL max_parallel_workers_per_gather = 2;

-- the acting user in workers is the leader's; rows through a parallel plan
SET LOCAL ROLE par_app;
SELECT inventree_perms.set_acting_user('par_alice');
SELECT matches(pg_temp.plan_of('SELECT count(*) FROM public.par_rows'), 'Gather.*Parallel Seq Scan on par_rows',
			   'a protected table is read through a parallel plan');
SELECT is((SELECT count(*) FILTER (WHERE inventree_perms.acting_user() = 'par_alice') FROM public.par_open),
		  20000::bigint, 'workers: acting_user() is the leader''s');
SELECT is((SELECT count(*) FROM public.par_rows), 0::bigint, 'par_alice may not view: no row');
RESET ROLE;
SELECT inventree_perms.grant_user_perm('par_alice', 'par_part', 'view');
SET LOCAL ROLE par_app;
SELECT is((SELECT count(*) FROM public.par_rows), 20000::bigint, 'granted in the transaction: every row');
RESET ROLE;

-- the hidden setting
SELECT throws_ok($$SET inventree_perms.parallel_snapshot = '00'$$, '42501', NULL,
				 'a superuser cannot set inventree_perms.parallel_snapshot');
SET LOCAL ROLE par_app;
SELECT throws_ok($$SELECT set_config('inventree_perms.parallel_snapshot', '00', true)$$, '42501', NULL,
				 'nor can an ordinary role');
RESET ROLE;
SELECT is(current_setting('inventree_perms.parallel_snapshot'), '', 'between statements it is empty');

SELECT * FROM finish();
ROLLBACK;
