-- enforce_blackbox.sql -- SPEC "Enforcing" and "Safety rules that always
-- hold", checked from the SPEC's text, for what the other files leave out:
--  * the admit-all for a command goes when the owner's permissive policy for
--    that command applies to some roles only (TO ...): it decides the command
--    for everyone; renaming it changes nothing; dropping it brings it back.
--  * unprotect() of a table whose RLS protect() enabled, while the owner has
--    a (restrictive) policy of his own: RLS stays on, his policy stays.
--  * views: one owned by the table's owner shows every row (RLS stops there);
--    one made WITH (security_invoker) answers as the table does.
--  * every level: a partitioned table attached with its own partition, a
--    table adopted (INHERIT) with its own child; a child un-inherited whose
--    parent is then dropped stays protected, and unprotect() frees it.
--  * the write guard covers the cache sentinel too (pg_write_all_data, a
--    mistaken TRUNCATE grant).
--  * a member of pg_write_all_data holds UPDATE on the audit log's
--    sequence; its setval() (back, or to the end) never makes an audited
--    management call fail.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;
SELECT plan(30);

CREATE ROLE ebb_owner;			-- owns the tables, an administrator
CREATE ROLE ebb_alice;			-- every permission on the models
CREATE ROLE ebb_bob;			-- every permission on the models
CREATE ROLE ebb_reader;			-- table privileges, no permission
CREATE ROLE ebb_writer;			-- member of pg_write_all_data
GRANT pg_write_all_data TO ebb_writer;
CREATE ROLE ebb_granted;		-- given privileges on the internal tables by mistake
CREATE SCHEMA ebb AUTHORIZATION ebb_owner;
GRANT USAGE ON SCHEMA ebb TO ebb_alice, ebb_bob, ebb_reader;
SELECT inventree_perms.create_user('ebb_owner', true);
SELECT inventree_perms.create_user('ebb_alice');
SELECT inventree_perms.create_user('ebb_bob');
SELECT inventree_perms.create_user('ebb_reader');

CREATE FUNCTION pg_temp.permissive(r regclass) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(polname || ':' || polcmd::text, ' ' ORDER BY polname), '')
	FROM pg_policy WHERE polrelid = r AND polpermissive $$;
CREATE FUNCTION pg_temp.ours(r regclass) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM pg_policy WHERE polrelid = r AND polname LIKE 'inventree\_perms\_%' $$;
CREATE FUNCTION pg_temp.model_of(r regclass) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce((SELECT model FROM inventree_perms.protected WHERE relation = r), '-') $$;
CREATE FUNCTION pg_temp.sees(who name, r regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', who);
	EXECUTE format('SELECT count(*) FROM %s', r) INTO n;
	RESET ROLE;
	RETURN n;
END $$;
CREATE FUNCTION pg_temp.updates(who name, r regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', who);
	EXECUTE format('UPDATE %s SET v = v', r);
	GET DIAGNOSTICS n = ROW_COUNT;
	RESET ROLE;
	RETURN n;
END $$;

-- 1. a permissive policy TO some roles decides its command for everyone ------
SET ROLE ebb_owner;
CREATE TABLE ebb.t (id int PRIMARY KEY, v text);
INSERT INTO ebb.t VALUES (1, 'a'), (2, 'b');
GRANT SELECT, INSERT, UPDATE, DELETE ON ebb.t TO ebb_alice, ebb_bob, ebb_reader;
SELECT inventree_perms.protect('ebb.t', 'ebb_t');
RESET ROLE;
SELECT inventree_perms.grant_user_perm(u, 'ebb_t', 'all') FROM unnest('{ebb_alice,ebb_bob}'::text[]) u;
SELECT is(pg_temp.updates('ebb_bob', 'ebb.t'), 2::bigint, 'bob (change) updates both rows through the admit-all');
SET ROLE ebb_owner;
CREATE POLICY alice_only ON ebb.t FOR UPDATE TO ebb_alice USING (id = 1);
RESET ROLE;
SELECT is(pg_temp.permissive('ebb.t'),
	'alice_only:w inventree_perms_permissive_delete:d inventree_perms_permissive_insert:a inventree_perms_permissive_select:r',
	'an owner''s permissive policy FOR UPDATE TO one role: the admit-all for UPDATE goes, the others stay');
SELECT is(pg_temp.updates('ebb_bob', 'ebb.t'), 0::bigint,
	'... and it decides UPDATE for every role: bob, outside its TO list, updates nothing');
SELECT is(pg_temp.updates('ebb_alice', 'ebb.t'), 1::bigint, '... alice updates the row it admits');
SET ROLE ebb_owner;
ALTER POLICY alice_only ON ebb.t RENAME TO alice_rows;
RESET ROLE;
SELECT is(pg_temp.permissive('ebb.t'),
	'alice_rows:w inventree_perms_permissive_delete:d inventree_perms_permissive_insert:a inventree_perms_permissive_select:r',
	'renamed, it is still the owner''s: no admit-all for UPDATE comes back');
SET ROLE ebb_owner;
DROP POLICY alice_rows ON ebb.t;
RESET ROLE;
SELECT is(pg_temp.permissive('ebb.t'),
	'inventree_perms_permissive_delete:d inventree_perms_permissive_insert:a inventree_perms_permissive_select:r inventree_perms_permissive_update:w',
	'dropped: the admit-all for UPDATE is back');
SELECT is(pg_temp.updates('ebb_bob', 'ebb.t'), 2::bigint, '... and bob updates both rows again');

-- 2. unprotect(): RLS that protect() enabled stays on for the owner's policy --
SELECT is((SELECT enabled_rls FROM inventree_perms.protected WHERE relation = 'ebb.t'::regclass), true,
	'protect() enabled RLS on ebb.t');
SET ROLE ebb_owner;
CREATE POLICY keep_out ON ebb.t AS RESTRICTIVE FOR SELECT USING (id <> 2);
SELECT inventree_perms.unprotect('ebb.t');
RESET ROLE;
SELECT is((SELECT relrowsecurity::text || ' ' || pg_temp.ours('ebb.t') || ' ' ||
				  (SELECT string_agg(polname, ',') FROM pg_policy WHERE polrelid = 'ebb.t'::regclass)
		   FROM pg_class WHERE oid = 'ebb.t'::regclass),
	'true 0 keep_out',
	'unprotect() with an owner''s restrictive policy: our policies go, RLS stays enabled, his policy stays (fail closed)');
SELECT is(pg_temp.sees('ebb_alice', 'ebb.t'), 0::bigint,
	'... and with no permissive policy left, nobody but the owner reads a row (fail closed)');
SET ROLE ebb_owner;
DROP POLICY keep_out ON ebb.t;
ALTER TABLE ebb.t DISABLE ROW LEVEL SECURITY;
RESET ROLE;

-- 3. views: the owner's view bypasses RLS, a security_invoker view does not --
SET ROLE ebb_owner;
CREATE TABLE ebb.w (id int, v text);
INSERT INTO ebb.w VALUES (1, 'a'), (2, 'b'), (3, 'c');
SELECT inventree_perms.protect('ebb.w', 'ebb_w');
CREATE VIEW ebb.w_owner AS SELECT * FROM ebb.w;
CREATE VIEW ebb.w_invoker WITH (security_invoker = true) AS SELECT * FROM ebb.w;
GRANT SELECT ON ebb.w, ebb.w_owner, ebb.w_invoker TO ebb_reader, ebb_alice;
RESET ROLE;
SELECT inventree_perms.grant_user_perm('ebb_alice', 'ebb_w', 'view');
SELECT is(pg_temp.sees('ebb_reader', 'ebb.w'), 0::bigint, 'the reader (no view) reads no row of the table');
SELECT is(pg_temp.sees('ebb_reader', 'ebb.w_owner'), 3::bigint,
	'a view owned by the table''s owner shows him every row: RLS stops there (README)');
SELECT is(pg_temp.sees('ebb_reader', 'ebb.w_invoker'), 0::bigint,
	'a view WITH (security_invoker = true) shows him none');
SELECT is(pg_temp.sees('ebb_alice', 'ebb.w_invoker'), 3::bigint, '... and alice (view) every row');

-- 4. every level ----------------------------------------------------------------
SET ROLE ebb_owner;
CREATE TABLE ebb.p (id int, k int, v text) PARTITION BY RANGE (k);
CREATE TABLE ebb.p0 PARTITION OF ebb.p FOR VALUES FROM (0) TO (10);
SELECT inventree_perms.protect('ebb.p', 'ebb_p');
-- a partitioned table with a partition of its own, attached later
CREATE TABLE ebb.p1 (id int, k int, v text) PARTITION BY RANGE (k);
CREATE TABLE ebb.p1a PARTITION OF ebb.p1 FOR VALUES FROM (10) TO (15);
INSERT INTO ebb.p1a VALUES (1, 11, 'x');
ALTER TABLE ebb.p ATTACH PARTITION ebb.p1 FOR VALUES FROM (10) TO (20);
-- inheritance: a table with a child of its own, adopted later
CREATE TABLE ebb.i (id int, v text);
SELECT inventree_perms.protect('ebb.i', 'ebb_i');
CREATE TABLE ebb.ia (id int, v text);
CREATE TABLE ebb.ia1 () INHERITS (ebb.ia);
INSERT INTO ebb.ia1 VALUES (1, 'y');
ALTER TABLE ebb.ia INHERIT ebb.i;
GRANT SELECT ON ALL TABLES IN SCHEMA ebb TO ebb_reader, ebb_alice;
RESET ROLE;
SELECT is(pg_temp.model_of('ebb.p1') || ' ' || pg_temp.model_of('ebb.p1a') || ' ' || pg_temp.ours('ebb.p1a'),
	'ebb_p ebb_p 8',
	'a partitioned table attached later: it and its own partition are protected under the parent''s model');
SELECT is(pg_temp.sees('ebb_reader', 'ebb.p1a'), 0::bigint, '... the reader reads nothing naming its partition');
SELECT is(pg_temp.model_of('ebb.ia') || ' ' || pg_temp.model_of('ebb.ia1') || ' ' || pg_temp.ours('ebb.ia1'),
	'ebb_i ebb_i 8',
	'a table adopted with INHERIT: it and its own child are protected under the parent''s model');
SELECT is(pg_temp.sees('ebb_reader', 'ebb.ia1'), 0::bigint, '... the reader reads nothing naming the grandchild');
-- un-inherited, then the parent dropped
SET ROLE ebb_owner;
ALTER TABLE ebb.ia NO INHERIT ebb.i;
DROP TABLE ebb.i;
RESET ROLE;
SELECT is(pg_temp.model_of('ebb.ia') || ' ' || pg_temp.ours('ebb.ia') || ' ' || pg_temp.sees('ebb_reader', 'ebb.ia'),
	'ebb_i 8 0',
	'a child un-inherited whose parent is then dropped stays protected (fail closed)');
SET ROLE ebb_owner;
SELECT inventree_perms.unprotect('ebb.ia');
RESET ROLE;
SELECT is(pg_temp.model_of('ebb.ia') || ' ' || pg_temp.ours('ebb.ia') || ' ' || pg_temp.ours('ebb.ia1') || ' ' ||
		  (SELECT relrowsecurity FROM pg_class WHERE oid = 'ebb.ia'::regclass),
	'- 0 0 false',
	'... and its unprotect() undoes it there and below: no policy of ours, RLS off as before');

-- 5. the write guard on the cache sentinel ----------------------------------------
GRANT ALL ON inventree_perms_internal.cache_sentinel TO ebb_granted;
SET ROLE ebb_writer;
SELECT throws_ok($$INSERT INTO inventree_perms_internal.cache_sentinel DEFAULT VALUES$$, '42501', NULL,
	'a member of pg_write_all_data cannot insert into the cache sentinel');
RESET ROLE;
SET ROLE ebb_granted;
SELECT throws_ok($$TRUNCATE inventree_perms_internal.cache_sentinel$$, '42501', NULL,
	'a role granted TRUNCATE on the cache sentinel by mistake cannot truncate it');
RESET ROLE;

-- 6. the audit log's sequence ------------------------------------------------------
-- A member of pg_write_all_data holds UPDATE on it and may setval() it (not
-- undone by a rollback): moved back, or to its end, the log's next id never
-- collides with one it holds (one past the highest), and audited calls keep
-- working.
-- back below the highest id the log holds: its next value is taken already
SELECT max(id) - 1 AS back FROM inventree_perms.audit_log \gset
SET ROLE ebb_writer;
SELECT setval('inventree_perms.audit_log_id_seq', :back);
RESET ROLE;
SELECT lives_ok($$SELECT inventree_perms.create_group('ebb_after_setval')$$,
	'the audit sequence moved back by a member of pg_write_all_data: an audited call still works');
SELECT is((SELECT count(*) FROM inventree_perms.audit_log WHERE target = 'ebb_after_setval'), 1::bigint,
	'... and writes its audit row');
SET ROLE ebb_writer;
SELECT setval('inventree_perms.audit_log_id_seq', 9223372036854775807);
RESET ROLE;
SELECT lives_ok($$SELECT inventree_perms.create_group('ebb_after_max')$$,
	'the audit sequence moved to its end: an audited call still works (no 2200H)');
SELECT is((SELECT count(*) FROM inventree_perms.audit_log WHERE target = 'ebb_after_max'), 1::bigint,
	'... and writes its audit row');

-- at its end, an audited call took the last id (9223372036854775807): the
-- sequence cycles to an id the log holds, and "one past the highest" does
-- not exist (was: every later audited call failed, 22003 bigint out of range)
SET ROLE ebb_writer;
SELECT setval('inventree_perms.audit_log_id_seq', 9223372036854775806);
RESET ROLE;
SELECT lives_ok($$SELECT inventree_perms.create_group('ebb_takes_last')$$,
	'the audit sequence moved next to its end: an audited call still works');
SELECT is((SELECT id FROM inventree_perms.audit_log WHERE target = 'ebb_takes_last'), 9223372036854775807::bigint,
	'... and its row takes the last bigint id');
SELECT lives_ok($$SELECT inventree_perms.create_group('ebb_after_last')$$,
	'the log holds the last bigint id: an audited call still works (no 22003)');
SELECT is((SELECT count(*) FROM inventree_perms.audit_log WHERE target = 'ebb_after_last'), 1::bigint,
	'... and writes its audit row');

SELECT * FROM finish();
ROLLBACK;
