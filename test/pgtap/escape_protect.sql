-- escape_protect.sql -- every way to a protected table's rows is protected,
-- and stays so.  A reporting role with the table privileges on every table
-- of the schema (GRANT ... ON ALL TABLES IN SCHEMA) and no permission on the
-- model tries each way in: partitions at two levels, a partition created or
-- attached after protect(), inheritance children (existing, created later,
-- adopted with INHERIT later), a detached partition.  A user with the
-- permission gets from each exactly what the parent gives.  Then the
-- admit-all policies command by command, unprotect() of parents, partitions
-- and detached tables, and attacks: a grandchild created by a role that owns
-- a child but not the parent, NO INHERIT, a table protected by another model
-- attached, two protected parents, a DDL statement that reaches another
-- table than the one checked.
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

CREATE ROLE ep_owner LOGIN;			-- owns the tables, an administrator
CREATE ROLE ep_reader LOGIN;		-- table privileges everywhere, no permission
CREATE ROLE ep_user LOGIN;			-- table privileges, every permission on the models
CREATE ROLE ep_looker LOGIN;		-- table privileges, view only
CREATE ROLE ep_childowner LOGIN;	-- owns one child table, no administrator
CREATE SCHEMA ep AUTHORIZATION ep_owner;
GRANT USAGE ON SCHEMA ep TO ep_reader, ep_user, ep_looker, ep_childowner;
GRANT CREATE ON SCHEMA ep TO ep_childowner;
SELECT inventree_perms.create_user('ep_owner');
SELECT inventree_perms.grant_user_perm('ep_owner', 'user', 'change');
SELECT inventree_perms.create_user('ep_reader');
SELECT inventree_perms.create_user('ep_user');
SELECT inventree_perms.create_user('ep_looker');
SELECT inventree_perms.create_user('ep_childowner');

SET ROLE ep_owner;
-- partitioned on two levels
CREATE TABLE ep.m (id int, d date NOT NULL, who name) PARTITION BY RANGE (d);
CREATE TABLE ep.m_2024 PARTITION OF ep.m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
	PARTITION BY RANGE (d);
CREATE TABLE ep.m_2024_h1 PARTITION OF ep.m_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE ep.m_2024_h2 PARTITION OF ep.m_2024 FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
INSERT INTO ep.m VALUES (1, '2024-02-01', 'ep_user'), (2, '2024-08-01', 'ep_looker');
-- inheritance
CREATE TABLE ep.inh (id int, who name);
CREATE TABLE ep.inh_c1 (extra text) INHERITS (ep.inh);
INSERT INTO ep.inh VALUES (10, 'ep_user');
INSERT INTO ep.inh_c1 VALUES (11, 'ep_user', 'x');
SELECT inventree_perms.protect('ep.m', 'ep_m');
SELECT inventree_perms.protect('ep.inh', 'ep_inh');
-- after protect(): created, attached, adopted
CREATE TABLE ep.m_2025 PARTITION OF ep.m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO ep.m_2025 VALUES (3, '2025-03-01', 'ep_user');
CREATE TABLE ep.m_2026 (LIKE ep.m);
INSERT INTO ep.m_2026 VALUES (4, '2026-03-01', 'ep_user');
ALTER TABLE ep.m ATTACH PARTITION ep.m_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE ep.m_2027 (LIKE ep.m);
INSERT INTO ep.m_2027 VALUES (5, '2027-03-01', 'ep_user');
ALTER TABLE ep.m ATTACH PARTITION ep.m_2027 FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
ALTER TABLE ep.m DETACH PARTITION ep.m_2027;
CREATE TABLE ep.inh_c2 () INHERITS (ep.inh);
INSERT INTO ep.inh_c2 VALUES (12, 'ep_user');
CREATE TABLE ep.inh_c3 (id int, who name);
INSERT INTO ep.inh_c3 VALUES (13, 'ep_user');
ALTER TABLE ep.inh_c3 INHERIT ep.inh;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ep TO ep_reader, ep_user, ep_looker;
RESET ROLE;
SELECT inventree_perms.grant_user_perm('ep_user', 'ep_m', 'all');
SELECT inventree_perms.grant_user_perm('ep_user', 'ep_inh', 'all');
SELECT inventree_perms.grant_user_perm('ep_looker', 'ep_m', 'view');
SELECT inventree_perms.grant_user_perm('ep_looker', 'ep_inh', 'view');

-- What a role can do through a table: rows seen, an INSERT (ok or its
-- SQLSTATE), rows an UPDATE and a DELETE reach (each undone).
CREATE FUNCTION pg_temp.try(r name, t regclass, newrow text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	seen bigint;
	ins text := 'ok';
	upd bigint;
	del bigint;
BEGIN
	EXECUTE format('SET ROLE %I', r);
	EXECUTE format('SELECT count(*) FROM %s', t) INTO seen;
	BEGIN
		EXECUTE format('INSERT INTO %s SELECT * FROM (VALUES %s) v', t, newrow);
		RAISE EXCEPTION 'undo' USING ERRCODE = 'P0099';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN NULL;
			  WHEN OTHERS THEN ins := SQLSTATE;
	END;
	BEGIN
		EXECUTE format('UPDATE %s SET who = who', t);
		GET DIAGNOSTICS upd = ROW_COUNT;
		RAISE EXCEPTION 'undo' USING ERRCODE = 'P0099';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN NULL;
	END;
	BEGIN
		EXECUTE format('DELETE FROM %s', t);
		GET DIAGNOSTICS del = ROW_COUNT;
		RAISE EXCEPTION 'undo' USING ERRCODE = 'P0099';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN NULL;
	END;
	RESET ROLE;
	RETURN format('select=%s insert=%s update=%s delete=%s', seen, ins, upd, del);
END;
$$;
-- The tables at and below a table.
CREATE FUNCTION pg_temp.below(t regclass) RETURNS oid[] LANGUAGE sql AS $$
	WITH RECURSIVE b(rel) AS (SELECT t::oid UNION SELECT h.inhrelid FROM pg_inherits h JOIN b ON h.inhparent = b.rel)
	SELECT array_agg(rel) FROM b;
$$;
-- The rows (ids) a role sees naming the table, and through its parent.
CREATE FUNCTION pg_temp.seen(r name, t regclass) RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE ids int[];
BEGIN
	EXECUTE format('SET ROLE %I', r);
	EXECUTE format('SELECT coalesce(array_agg(id ORDER BY id), ''{}'') FROM %s', t) INTO ids;
	RESET ROLE;
	RETURN ids;
END;
$$;
CREATE FUNCTION pg_temp.seen_via(r name, parent regclass, t regclass) RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE ids int[];
BEGIN
	EXECUTE format('SET ROLE %I', r);
	EXECUTE format('SELECT coalesce(array_agg(id ORDER BY id), ''{}'') FROM %s WHERE tableoid = ANY (%L)',
				   parent, pg_temp.below(t)) INTO ids;
	RESET ROLE;
	RETURN ids;
END;
$$;
-- OK, or the SQLSTATE a statement run as a role fails with.
CREATE FUNCTION pg_temp.sqlstate_as(r name, stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text := 'OK';
BEGIN
	EXECUTE format('SET ROLE %I', r);
	BEGIN
		EXECUTE stmt;
	EXCEPTION WHEN OTHERS THEN st := SQLSTATE;
	END;
	RESET ROLE;
	RETURN st;
END;
$$;
CREATE FUNCTION pg_temp.permissive(t regclass) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(polname || ':' || polcmd::text, ' ' ORDER BY polname), '')
	  FROM pg_policy WHERE polrelid = t AND polpermissive;
$$;
CREATE FUNCTION pg_temp.ours(t regclass) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM pg_policy WHERE polrelid = t AND polname LIKE 'inventree\_perms\_%';
$$;

SELECT plan(75);

-- 1. The reader: nothing through any way in ---------------------------------
SELECT is(pg_temp.try('ep_reader', 'ep.m', $$(9, '2024-03-01'::date, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, the partitioned table itself: nothing');
SELECT is(pg_temp.try('ep_reader', 'ep.m_2024', $$(9, '2024-03-01'::date, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, a partition (level 1, itself partitioned): nothing');
SELECT is(pg_temp.try('ep_reader', 'ep.m_2024_h1', $$(9, '2024-03-01'::date, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, a partition of a partition (level 2): nothing');
SELECT is(pg_temp.try('ep_reader', 'ep.m_2024_h2', $$(9, '2024-09-01'::date, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, the other level-2 partition: nothing');
SELECT is(pg_temp.try('ep_reader', 'ep.m_2025', $$(9, '2025-03-01'::date, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, a partition created after protect(): nothing');
SELECT is(pg_temp.try('ep_reader', 'ep.m_2026', $$(9, '2026-03-01'::date, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, a partition attached after protect(): nothing');
SELECT is(pg_temp.try('ep_reader', 'ep.m_2027', $$(9, '2027-03-01'::date, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, a partition detached after being attached: nothing (fail closed)');
SELECT is(pg_temp.try('ep_reader', 'ep.inh', $$(9, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, the inheritance parent: nothing');
SELECT is(pg_temp.try('ep_reader', 'ep.inh_c1', $$(9, 'x'::name, 'y')$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, an inheritance child that existed: nothing');
SELECT is(pg_temp.try('ep_reader', 'ep.inh_c2', $$(9, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, a child created later (INHERITS): nothing');
SELECT is(pg_temp.try('ep_reader', 'ep.inh_c3', $$(9, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'reader, a child adopted later (ALTER TABLE ... INHERIT): nothing');

-- 2. With the permission: exactly the parent's answer --------------------------
SELECT is(pg_temp.seen('ep_user', 'ep.m'), '{1,2,3,4}'::int[], 'the user sees every row through the parent');
SELECT is(pg_temp.seen('ep_user', 'ep.m_2024'), pg_temp.seen_via('ep_user', 'ep.m', 'ep.m_2024'),
	'... level 1 partition: the same rows as through the parent');
SELECT is(pg_temp.seen('ep_user', 'ep.m_2024_h1'), pg_temp.seen_via('ep_user', 'ep.m', 'ep.m_2024_h1'),
	'... level 2 partition: the same');
SELECT is(pg_temp.seen('ep_user', 'ep.m_2025'), pg_temp.seen_via('ep_user', 'ep.m', 'ep.m_2025'),
	'... the partition created later: the same');
SELECT is(pg_temp.seen('ep_user', 'ep.m_2026'), pg_temp.seen_via('ep_user', 'ep.m', 'ep.m_2026'),
	'... the partition attached later: the same');
SELECT is(pg_temp.seen('ep_user', 'ep.inh_c3'), pg_temp.seen_via('ep_user', 'ep.inh', 'ep.inh_c3'),
	'... the adopted child: the same');
SELECT is(pg_temp.seen('ep_user', 'ep.m_2027'), '{5}'::int[], '... the detached partition: its rows, under the model');
SELECT is(pg_temp.try('ep_user', 'ep.m_2024_h1', $$(9, '2024-03-01'::date, 'x'::name)$$),
	'select=1 insert=ok update=1 delete=1', 'the user may add, change and delete through a level-2 partition');
SELECT is(pg_temp.try('ep_user', 'ep.inh_c2', $$(9, 'x'::name)$$),
	'select=1 insert=ok update=1 delete=1', '... and through a child created later');
SELECT is(pg_temp.try('ep_looker', 'ep.m_2024_h1', $$(9, '2024-03-01'::date, 'x'::name)$$),
	'select=1 insert=42501 update=0 delete=0', 'view only: a level-2 partition shows its rows and takes no change');
SELECT is(pg_temp.try('ep_looker', 'ep.m', $$(9, '2024-03-01'::date, 'x'::name)$$),
	'select=4 insert=42501 update=0 delete=0', '... as the parent does');
SELECT is(pg_temp.try('ep_looker', 'ep.inh_c1', $$(9, 'x'::name, 'y')$$),
	'select=1 insert=42501 update=0 delete=0', '... and an inheritance child likewise');

-- 3. What is recorded -----------------------------------------------------------
SELECT is((SELECT string_agg(relation::text || '<' || root::text, ' ' ORDER BY relation::text)
			 FROM inventree_perms.protected WHERE model = 'ep_m'),
	'ep.m<ep.m ep.m_2024<ep.m ep.m_2024_h1<ep.m ep.m_2024_h2<ep.m ep.m_2025<ep.m ep.m_2026<ep.m ep.m_2027<ep.m',
	'protected records every table under ep_m with the table whose protect() call put it there (root)');
SELECT is((SELECT relation FROM inventree_perms.models WHERE name = 'ep_m'), 'ep.m'::regclass,
	'the model is bound to the parent only');
CREATE TABLE ep.unrelated (id int);
CREATE TABLE ep.unrelated_child () INHERITS (ep.unrelated);
SELECT is((SELECT count(*) FROM inventree_perms.protected WHERE relation::text ~ 'unrelated'), 0::bigint,
	'tables with no protected parent are left alone');

-- 4. The admit-all policies, command by command ------------------------------------
SET ROLE ep_owner;
CREATE TABLE ep.life (id int, who name);
INSERT INTO ep.life VALUES (1, 'ep_user'), (2, 'ep_looker');
GRANT SELECT, INSERT, UPDATE, DELETE ON ep.life TO ep_user, ep_reader;
SELECT inventree_perms.protect('ep.life', 'ep_life');
RESET ROLE;
SELECT inventree_perms.grant_user_perm('ep_user', 'ep_life', 'all');
SELECT is(pg_temp.permissive('ep.life'),
	'inventree_perms_permissive_delete:d inventree_perms_permissive_insert:a inventree_perms_permissive_select:r inventree_perms_permissive_update:w',
	'protect(): one admit-all per command');
SET ROLE ep_owner;
CREATE POLICY own_select ON ep.life FOR SELECT USING (who = current_user);
RESET ROLE;
SELECT is(pg_temp.permissive('ep.life'),
	'inventree_perms_permissive_delete:d inventree_perms_permissive_insert:a inventree_perms_permissive_update:w own_select:r',
	'the owner''s FOR SELECT policy: the admit-all for SELECT goes, the others stay');
SELECT is(pg_temp.seen('ep_user', 'ep.life'), '{1}'::int[], 'SELECT is restricted by the owner''s policy');
SELECT is(pg_temp.try('ep_user', 'ep.life', $$(3, 'ep_looker'::name)$$),
	'select=1 insert=ok update=1 delete=2', 'INSERT is still admitted (a row of someone else''s); an UPDATE that reads reaches the rows SELECT shows (a bare DELETE reads nothing: PostgreSQL applies no SELECT policy to it)');
SET ROLE ep_owner;
CREATE POLICY own_all ON ep.life USING (who = current_user);
RESET ROLE;
SELECT is(pg_temp.permissive('ep.life'), 'own_all:* own_select:r',
	'a FOR ALL policy: every admit-all goes');
SELECT is(pg_temp.try('ep_user', 'ep.life', $$(3, 'ep_looker'::name)$$),
	'select=1 insert=42501 update=1 delete=1', '... and the owner''s policy decides INSERT too');
SELECT is((SELECT added_permissive FROM inventree_perms.protected WHERE relation = 'ep.life'::regclass), false,
	'protected.added_permissive: no admit-all left');
SET ROLE ep_owner;
SELECT inventree_perms.protect('ep.life');
RESET ROLE;
SELECT is(pg_temp.permissive('ep.life'), 'own_all:* own_select:r', 'protect() again brings no admit-all back');
SET ROLE ep_owner;
CREATE POLICY own_update ON ep.life FOR UPDATE USING (who = current_user);
CREATE POLICY own_restrictive ON ep.life AS RESTRICTIVE FOR DELETE USING (true);
DROP POLICY own_all ON ep.life;
RESET ROLE;
SELECT is(pg_temp.permissive('ep.life'),
	'inventree_perms_permissive_delete:d inventree_perms_permissive_insert:a own_select:r own_update:w',
	'the FOR ALL policy dropped: the admit-alls of INSERT and DELETE come back (a restrictive policy decides nothing), not those of SELECT and UPDATE');
SET ROLE ep_owner;
DROP POLICY own_select ON ep.life;
DROP POLICY own_update ON ep.life;
RESET ROLE;
SELECT is(pg_temp.permissive('ep.life'),
	'inventree_perms_permissive_delete:d inventree_perms_permissive_insert:a inventree_perms_permissive_select:r inventree_perms_permissive_update:w',
	'the last ones dropped: every admit-all is back');
SELECT is(pg_temp.try('ep_reader', 'ep.life', $$(3, 'ep_reader'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'all along, the model decides for the reader');
SET ROLE ep_owner;
CREATE POLICY m_own ON ep.m_2025 FOR SELECT USING (who = current_user);
RESET ROLE;
SELECT is(pg_temp.permissive('ep.m_2025'),
	'inventree_perms_permissive_delete:d inventree_perms_permissive_insert:a inventree_perms_permissive_update:w m_own:r',
	'on a partition the same: the owner''s policy for SELECT replaces the admit-all');
SET ROLE ep_owner;
DROP POLICY m_own ON ep.m_2025;
RESET ROLE;

-- 5. unprotect(): partitions, children, detached tables ------------------------------
SET ROLE ep_owner;
SELECT throws_ok($$SELECT inventree_perms.unprotect('ep.m_2024_h1')$$, '55000', NULL,
	'unprotect() of a partition still attached: 55000');
SELECT throws_ok($$SELECT inventree_perms.unprotect('ep.m_2024')$$, '55000', NULL,
	'... of a level-1 partition: 55000');
SELECT throws_ok($$SELECT inventree_perms.unprotect('ep.inh_c2')$$, '55000', NULL,
	'... of an inheritance child: 55000');
SELECT throws_ok($$SELECT inventree_perms.protect('ep.m_2024_h1', 'other_model')$$, '42710', NULL,
	'protect() of a partition under another model: 42710');
SELECT lives_ok($$SELECT inventree_perms.protect('ep.m_2024_h1')$$,
	'protect() of a partition without a model: it stays protected as its parent is');
RESET ROLE;
SELECT is((SELECT model || '<' || root::text FROM inventree_perms.protected WHERE relation = 'ep.m_2024_h1'::regclass),
	'ep_m<ep.m', '... under the parent''s model and root');
SET ROLE ep_owner;
SELECT lives_ok($$SELECT inventree_perms.unprotect('ep.m_2027')$$, 'unprotect() of the detached partition');
RESET ROLE;
SELECT is(pg_temp.ours('ep.m_2027') || ' ' || (SELECT relrowsecurity FROM pg_class WHERE oid = 'ep.m_2027'::regclass),
	'0 false', '... undoes it there: no policy of ours, RLS off');
SELECT is(pg_temp.ours('ep.m'), 8::bigint, '... and there alone: the parent keeps its protection');
SELECT is(pg_temp.try('ep_reader', 'ep.m_2027', $$(9, '2027-03-01'::date, 'x'::name)$$),
	'select=1 insert=ok update=1 delete=1', '(the detached table is the owner''s business again)');
SET ROLE ep_owner;
ALTER TABLE ep.m DETACH PARTITION ep.m_2026;
ALTER TABLE ep.inh_c3 NO INHERIT ep.inh;
RESET ROLE;
SELECT is(pg_temp.try('ep_reader', 'ep.inh_c3', $$(9, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', 'a child un-inherited (NO INHERIT) stays protected');
SET ROLE ep_owner;
SELECT lives_ok($$SELECT inventree_perms.unprotect('ep.m')$$, 'unprotect() of the parent');
RESET ROLE;
SELECT is((SELECT count(*) FROM inventree_perms.protected WHERE model = 'ep_m'), 0::bigint,
	'... undoes it everywhere its protect() call put it');
SELECT is((SELECT sum(pg_temp.ours(t)) FROM unnest('{ep.m,ep.m_2024,ep.m_2024_h1,ep.m_2024_h2,ep.m_2025,ep.m_2026}'::regclass[]) t),
	0::numeric, '... partitions and the detached partition included: no policy of ours left');
SELECT is((SELECT count(*) FROM pg_class WHERE oid = ANY ('{ep.m,ep.m_2024,ep.m_2024_h1,ep.m_2024_h2,ep.m_2025,ep.m_2026}'::regclass[])
			 AND relrowsecurity), 0::bigint, '... and RLS off on each (protect() had enabled it)');
-- a detached table stays protected after its parent is dropped
SET ROLE ep_owner;
CREATE TABLE ep.d (id int, d date, who name) PARTITION BY RANGE (d);
CREATE TABLE ep.d_1 PARTITION OF ep.d FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO ep.d VALUES (1, '2024-05-01', 'x');
GRANT SELECT, INSERT, UPDATE, DELETE ON ep.d_1 TO ep_reader;
SELECT inventree_perms.protect('ep.d', 'ep_d');
ALTER TABLE ep.d DETACH PARTITION ep.d_1;
DROP TABLE ep.d;
RESET ROLE;
SELECT is((SELECT model || '<' || root::text FROM inventree_perms.protected WHERE relation = 'ep.d_1'::regclass),
	'ep_d<ep.d_1', 'a detached partition stays protected after its parent is dropped (its own root now)');
SELECT is(pg_temp.try('ep_reader', 'ep.d_1', $$(9, '2024-03-01'::date, 'x'::name)$$),
	'select=0 insert=42501 update=0 delete=0', '... and still refuses the reader');
SET ROLE ep_owner;
SELECT lives_ok($$SELECT inventree_perms.unprotect('ep.d_1')$$, '... until it is unprotected');
RESET ROLE;
SELECT is(pg_temp.ours('ep.d_1'), 0::bigint, '... which undoes it');

-- 6. Attacks -------------------------------------------------------------------------
-- A role that owns a child but not the parent creates a grandchild.
ALTER TABLE ep.inh_c1 OWNER TO ep_childowner;
SET ROLE ep_childowner;
CREATE TABLE ep.grandchild () INHERITS (ep.inh_c1);
INSERT INTO ep.grandchild VALUES (20, 'ep_user', 'z');
GRANT SELECT, INSERT, UPDATE, DELETE ON ep.grandchild TO ep_reader;
RESET ROLE;
SELECT is((SELECT model || '<' || root::text FROM inventree_perms.protected WHERE relation = 'ep.grandchild'::regclass),
	'ep_inh<ep.inh', 'a grandchild created by the owner of a child (not of the parent) is protected under the parent''s model');
SELECT is(pg_temp.try('ep_reader', 'ep.grandchild', $$(9, 'x'::name, 'y')$$),
	'select=0 insert=42501 update=0 delete=0', '... and refuses the reader');
SET ROLE ep_childowner;
SELECT throws_ok($$SELECT inventree_perms.unprotect('ep.grandchild')$$, '42501', NULL,
	'... its owner, no administrator, cannot unprotect it');
ALTER TABLE ep.inh_c1 NO INHERIT ep.inh;
RESET ROLE;
SELECT is(pg_temp.try('ep_reader', 'ep.inh_c1', $$(9, 'x'::name, 'y')$$),
	'select=0 insert=42501 update=0 delete=0', 'the child''s owner takes it out of the parent (NO INHERIT): it stays protected');
SELECT is(pg_temp.try('ep_reader', 'ep.grandchild', $$(9, 'x'::name, 'y')$$),
	'select=0 insert=42501 update=0 delete=0', '... and so does the grandchild below it');
-- A temporary child of the protected parent (its session's own way in).
SET ROLE ep_owner;
CREATE TEMP TABLE ep_tmp_child () INHERITS (ep.inh);
GRANT SELECT, INSERT, UPDATE, DELETE ON pg_temp.ep_tmp_child TO ep_reader;
RESET ROLE;
SELECT is((SELECT model || '<' || root::text FROM inventree_perms.protected WHERE relation = 'pg_temp.ep_tmp_child'::regclass),
	'ep_inh<ep.inh', 'a temporary child of a protected table is protected under the parent''s model');
-- A table protected by another model is attached / adopted.
SET ROLE ep_owner;
CREATE TABLE ep.m2 (id int, d date NOT NULL, who name) PARTITION BY RANGE (d);
SELECT inventree_perms.protect('ep.m2', 'ep_m2');
CREATE TABLE ep.other (id int, d date NOT NULL, who name);
SELECT inventree_perms.protect('ep.other', 'ep_other');
SELECT throws_ok($$ALTER TABLE ep.m2 ATTACH PARTITION ep.other FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')$$,
	'42710', NULL, 'attaching a table protected by another model: 42710, the ATTACH is rolled back');
SELECT is((SELECT count(*) FROM pg_inherits WHERE inhrelid = 'ep.other'::regclass), 0::bigint, '... not attached');
CREATE TABLE ep.inh2 (id int, who name);
SELECT inventree_perms.protect('ep.inh2', 'ep_inh2');
SELECT throws_ok($$CREATE TABLE ep.both () INHERITS (ep.inh, ep.inh2)$$, '42710', NULL,
	'a child of two tables protected by different models: 42710');
SELECT throws_ok($$SELECT inventree_perms.protect('ep.m2', 'ep_inh')$$, '42710', NULL,
	'a protected table keeps its model');
RESET ROLE;
-- A foreign table (row-level security does not apply to it) as a partition.
CREATE FOREIGN DATA WRAPPER ep_fdw;
CREATE SERVER ep_server FOREIGN DATA WRAPPER ep_fdw;
CREATE FOREIGN TABLE ep.remote (id int, d date NOT NULL, who name) SERVER ep_server;
SELECT throws_ok($$ALTER TABLE ep.m2 ATTACH PARTITION ep.remote FOR VALUES FROM ('2030-01-01') TO ('2031-01-01')$$,
	'42809', NULL, 'a foreign table cannot become a partition of a protected table (its rows would pass): 42809');
SELECT throws_ok($$CREATE FOREIGN TABLE ep.remote2 PARTITION OF ep.m2 FOR VALUES FROM ('2031-01-01') TO ('2032-01-01') SERVER ep_server$$,
	'42809', NULL, '... nor be created as one');
-- The extension's own functions cannot be called around protect().
SET ROLE ep_owner;
SELECT throws_ok($$SELECT inventree_perms_internal._protect_tree('ep.m2', 'ep.m2', 'ep_inh')$$, '42501', NULL,
	'the internal functions are not for table owners');
SELECT throws_ok($$SELECT inventree_perms_internal._protect_lock('ep.m2'::regclass::oid)$$, '42501', NULL,
	'... nor is taking locks by OID');
RESET ROLE;
-- A DDL statement that reaches another table than the one checked (as a
-- concurrent schema rename would make it): refused, everything rolled back.
-- (Simulated: the name the DDL is built from is made to name a decoy.)
SET ROLE ep_owner;
CREATE TABLE ep.target (id int);
CREATE TABLE ep.decoy (id int);
RESET ROLE;
-- (pgTAP's results live in the transaction: measured inside a savepoint,
-- asserted after rolling it back)
SAVEPOINT renamed;
ALTER EVENT TRIGGER inventree_perms_guard_members DISABLE;	-- (it refuses replacing our functions)
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_relname(relation regclass) RETURNS text
	LANGUAGE sql STABLE AS $$ SELECT 'ep.decoy'::text $$;
SELECT pg_temp.sqlstate_as('ep_owner', $$SELECT inventree_perms.protect('ep.target', 'ep_target')$$) AS protect_state,
	   pg_temp.ours('ep.decoy') || ' ' || pg_temp.ours('ep.target') AS protect_left \gset
ROLLBACK TO SAVEPOINT renamed;
SELECT is(:'protect_state'::text, '40001',
	'protect(): a DDL statement that reached another table than the one locked and checked is refused (40001)');
SELECT is(:'protect_left'::text, '0 0', '... and nothing is left on either table');
SET ROLE ep_owner;
SELECT inventree_perms.protect('ep.target', 'ep_target');
SELECT inventree_perms.protect('ep.decoy', 'ep_decoy');
RESET ROLE;
SAVEPOINT renamed2;
ALTER EVENT TRIGGER inventree_perms_guard_members DISABLE;
CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_relname(relation regclass) RETURNS text
	LANGUAGE sql STABLE AS $$ SELECT 'ep.decoy'::text $$;
SELECT pg_temp.sqlstate_as('ep_owner', $$SELECT inventree_perms.unprotect('ep.target')$$) AS unprotect_state,
	   pg_temp.ours('ep.decoy') || ' ' || pg_temp.ours('ep.target') AS unprotect_left \gset
ROLLBACK TO SAVEPOINT renamed2;
SELECT is(:'unprotect_state'::text, '40001', 'unprotect(): the same');
SELECT is(:'unprotect_left'::text, '8 8', '... and both tables keep their protection');

SELECT * FROM finish();
ROLLBACK;
