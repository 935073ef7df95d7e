-- escape_protect_more.sql -- more ways around protect()'s partition,
-- inheritance and admit-all machinery, each closed.  An administrator owns
-- the tables; a reporting role (no permission) and a user with "view" have
-- the table privileges on all of them.
--  * A partition keeps no admit-all for a command its parent's own policy
--    decides (naming the partition never gives more rows than the parent):
--    after the owner restricts the parent, when a partition is attached or
--    re-attached below the restricted parent, and back when the restriction
--    goes.
--  * An owner's policy named like protect()'s (inventree_perms_own_rows) is
--    the owner's.
--  * A protected table gains no parent that is not protected by its model:
--    INHERIT, CREATE TABLE .. INHERITS with two parents, ATTACH PARTITION of
--    a detached partition to an unprotected table, protect() of a table
--    with such a parent.
--  * A foreign table cannot become a child of a protected table (ALTER
--    FOREIGN TABLE .. INHERIT, CREATE FOREIGN TABLE .. INHERITS).
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

CREATE ROLE epm_adm LOGIN;		-- owns the tables, an administrator
CREATE ROLE epm_rep LOGIN;		-- table privileges, no permission
CREATE ROLE epm_alice LOGIN;	-- table privileges, view
CREATE SCHEMA epm AUTHORIZATION epm_adm;
GRANT USAGE ON SCHEMA epm TO epm_rep, epm_alice;
SELECT inventree_perms.create_user('epm_adm');
SELECT inventree_perms.grant_user_perm('epm_adm', 'user', 'change');
SELECT inventree_perms.create_user('epm_rep');
SELECT inventree_perms.create_user('epm_alice');

SET ROLE epm_adm;
CREATE TABLE epm.items (id int, owner name NOT NULL) PARTITION BY LIST (owner);
CREATE TABLE epm.items_1 PARTITION OF epm.items FOR VALUES IN ('epm_alice', 'epm_rep');
CREATE TABLE epm.items_2 (LIKE epm.items);
CREATE TABLE epm.items_3 PARTITION OF epm.items FOR VALUES IN ('c');
INSERT INTO epm.items VALUES (1, 'epm_alice'), (2, 'epm_rep'), (3, 'c');
INSERT INTO epm.items_2 VALUES (4, 'b');
CREATE TABLE epm.plain (id int, owner name);
INSERT INTO epm.plain VALUES (1, 'epm_alice'), (2, 'epm_rep');
CREATE TABLE epm.inh (id int);
CREATE TABLE epm.inh_c () INHERITS (epm.inh);
INSERT INTO epm.inh_c VALUES (10);
CREATE TABLE epm.orders (id int, d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE epm.orders_2025 PARTITION OF epm.orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO epm.orders VALUES (20, '2025-05-01');
CREATE TABLE epm.orders_archive (id int, d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE epm.q (id int);
SELECT inventree_perms.protect('epm.items', 'epm_item');
SELECT inventree_perms.protect('epm.plain', 'epm_plain');
SELECT inventree_perms.protect('epm.inh', 'epm_inh');
SELECT inventree_perms.protect('epm.orders', 'epm_order');
GRANT SELECT ON ALL TABLES IN SCHEMA epm TO epm_rep, epm_alice;
RESET ROLE;
SELECT inventree_perms.grant_user_perm('epm_alice', 'epm_item', 'view');
SELECT inventree_perms.grant_user_perm('epm_alice', 'epm_plain', 'view');

-- The number of rows a role sees naming a table.
CREATE FUNCTION pg_temp.n(r name, t regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE seen bigint;
BEGIN
	EXECUTE format('SET ROLE %I', r);
	EXECUTE format('SELECT count(*) FROM %s', t) INTO seen;
	RESET ROLE;
	RETURN seen;
END;
$$;
-- protect()'s admit-all policies on a table.
CREATE FUNCTION pg_temp.admit(t regclass) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(polname, ',' ORDER BY polname), '') FROM pg_policy
	 WHERE polrelid = t AND polname LIKE 'inventree\_perms\_permissive\_%';
$$;

-- 1. A partition's admit-all and its parent's restriction ------------------------------
SELECT is(pg_temp.n('epm_alice', 'epm.items_1'), 2::bigint,
	'before: a user with view sees both rows of the partition');
SET ROLE epm_adm;
CREATE POLICY own_rows ON epm.items FOR SELECT USING (owner = current_user);
RESET ROLE;
SELECT is(pg_temp.n('epm_alice', 'epm.items'), 1::bigint,
	'the owner''s policy on the parent decides SELECT there');
SELECT is(pg_temp.n('epm_alice', 'epm.items_1'), 0::bigint,
	'naming the partition gives no more than the parent: its admit-all for SELECT goes too (fail closed)');
SELECT is(pg_temp.admit('epm.items_3'),
	'inventree_perms_permissive_delete,inventree_perms_permissive_insert,inventree_perms_permissive_update',
	'every partition loses the admit-all of the command the parent''s policy decides, the others stay');
SET ROLE epm_adm;
CREATE POLICY own_rows ON epm.items_1 FOR SELECT USING (owner = current_user);
RESET ROLE;
SELECT is(pg_temp.n('epm_alice', 'epm.items_1'), 1::bigint,
	'a policy of the partition''s own admits what it says');
-- attached below the restricted parent: a new table, and one detached before
-- the parent was restricted (it kept its admit-all while detached)
SET ROLE epm_adm;
ALTER TABLE epm.items ATTACH PARTITION epm.items_2 FOR VALUES IN ('b');
RESET ROLE;
SELECT is(pg_temp.admit('epm.items_2'),
	'inventree_perms_permissive_delete,inventree_perms_permissive_insert,inventree_perms_permissive_update',
	'a partition attached below the restricted parent gets no admit-all for SELECT');
SELECT is(pg_temp.n('epm_alice', 'epm.items_2'), 0::bigint,
	'... and shows nothing by itself');
SET ROLE epm_adm;
DROP POLICY own_rows ON epm.items;
ALTER TABLE epm.items DETACH PARTITION epm.items_3;
CREATE POLICY own_rows ON epm.items FOR SELECT USING (owner = current_user);
RESET ROLE;
SELECT is(pg_temp.n('epm_alice', 'epm.items_3'), 1::bigint,
	'a partition detached before the parent was restricted keeps its admit-all');
SET ROLE epm_adm;
ALTER TABLE epm.items ATTACH PARTITION epm.items_3 FOR VALUES IN ('c');
RESET ROLE;
SELECT is(pg_temp.n('epm_alice', 'epm.items_3'), 0::bigint,
	're-attached below the restricted parent, it loses it');
-- the restriction goes: the admit-alls come back where nothing else decides
SET ROLE epm_adm;
DROP POLICY own_rows ON epm.items;
RESET ROLE;
SELECT is(pg_temp.n('epm_alice', 'epm.items'), 4::bigint,
	'the parent''s restriction dropped: the parent admits every row again');
SELECT is(pg_temp.n('epm_alice', 'epm.items_2'), 1::bigint,
	'... and so does a partition without a policy of its own');
SELECT is(pg_temp.n('epm_alice', 'epm.items_1'), 1::bigint,
	'... while a partition''s own policy still decides there');
SET ROLE epm_adm;
DROP POLICY own_rows ON epm.items_1;
RESET ROLE;
SELECT is(pg_temp.n('epm_alice', 'epm.items_1'), 2::bigint,
	'the partition''s own policy dropped too: its admit-all is back');
SELECT is(pg_temp.n('epm_rep', 'epm.items_1'), 0::bigint,
	'and the restrictive policy still holds for a role without view');

-- 2. An owner's policy named like protect()'s --------------------------------------------
SET ROLE epm_adm;
CREATE POLICY inventree_perms_own_rows ON epm.plain FOR SELECT USING (owner = current_user);
RESET ROLE;
SELECT is(pg_temp.n('epm_alice', 'epm.plain'), 1::bigint,
	'an owner''s policy named inventree_perms_own_rows decides SELECT (the admit-all goes)');
SET ROLE epm_adm;
DROP POLICY inventree_perms_own_rows ON epm.plain;
RESET ROLE;
SELECT is(pg_temp.n('epm_alice', 'epm.plain'), 2::bigint,
	'dropped, the admit-all comes back');
SELECT lives_ok($$SELECT inventree_perms.unprotect('epm.plain')$$,
	'unprotect() of the table');
SELECT is((SELECT count(*) FROM pg_policy WHERE polrelid = 'epm.plain'::regclass), 0::bigint,
	'unprotect() drops every policy protect() made');

-- 3. No parent that is not protected alike ---------------------------------------------
SET ROLE epm_adm;
SELECT throws_ok($$ALTER TABLE epm.inh_c INHERIT epm.q$$, '55000', NULL,
	'ALTER TABLE .. INHERIT an unprotected parent of a protected child: 55000');
SELECT throws_ok($$CREATE TABLE epm.inh_d () INHERITS (epm.inh, epm.q)$$, '55000', NULL,
	'CREATE TABLE .. INHERITS a protected and an unprotected parent: 55000');
SELECT is(pg_temp.n('epm_rep', 'epm.q'), 0::bigint,
	'the unprotected table shows no protected row');
ALTER TABLE epm.orders DETACH PARTITION epm.orders_2025;
SELECT throws_ok($$ALTER TABLE epm.orders_archive ATTACH PARTITION epm.orders_2025
					FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')$$, '55000', NULL,
	'a detached protected partition attached to an unprotected table: 55000');
SELECT is(pg_temp.n('epm_rep', 'epm.orders_archive'), 0::bigint,
	'the unprotected partitioned table shows none of its rows');
SELECT lives_ok($$ALTER TABLE epm.orders ATTACH PARTITION epm.orders_2025
				  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')$$,
	'attached back to its protected parent: fine');
CREATE TABLE epm.two (id int);
CREATE TABLE epm.two_c () INHERITS (epm.two, epm.q);
SELECT throws_ok($$SELECT inventree_perms.protect('epm.two', 'epm_two')$$, '55000', NULL,
	'protect() of a table whose child has an unprotected parent: 55000');
SELECT throws_ok($$SELECT inventree_perms.protect('epm.orders_archive', 'epm_order')$$, '42710', NULL,
	'the model of the protected table cannot protect a second one');
RESET ROLE;

-- 4. Foreign tables ---------------------------------------------------------------------
CREATE FOREIGN DATA WRAPPER epm_fdw;
CREATE SERVER epm_srv FOREIGN DATA WRAPPER epm_fdw;
GRANT USAGE ON FOREIGN SERVER epm_srv TO epm_adm;
SET ROLE epm_adm;
CREATE FOREIGN TABLE epm.ft (id int) SERVER epm_srv;
SELECT throws_ok($$ALTER FOREIGN TABLE epm.ft INHERIT epm.inh$$, '42809', NULL,
	'ALTER FOREIGN TABLE .. INHERIT a protected table: 42809 (a foreign table has no row-level security)');
SELECT throws_ok($$CREATE FOREIGN TABLE epm.ft2 () INHERITS (epm.inh) SERVER epm_srv$$, '42809', NULL,
	'CREATE FOREIGN TABLE .. INHERITS a protected table: 42809');
SELECT is((SELECT count(*) FROM pg_inherits WHERE inhparent = 'epm.inh'::regclass), 1::bigint,
	'the protected table has its one child only');
RESET ROLE;

-- 5. protect()'s own policies are recognised by exact name only -----------------------
SELECT is(inventree_perms_internal._protect_policy_names() @> '{inventree_perms_select,inventree_perms_permissive_select}'::name[]
		  AND NOT inventree_perms_internal._protect_policy_names() @> '{inventree_perms_own_rows}'::name[],
	true, 'the one list of protect()''s policy names');

SELECT * FROM finish();
ROLLBACK;
