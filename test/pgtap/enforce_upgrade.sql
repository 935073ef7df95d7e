-- enforce_upgrade.sql -- ALTER EXTENSION UPDATE from 1.1 converts what 1.1's
-- protect() left: a protected partitioned table's partitions (which 1.1
-- left open) and an inheritance child get the parent's protection; 1.1's
-- one FOR ALL admit-all policy becomes one per command, on the commands no
-- permissive policy of the table's own applies to; every protected table
-- records its root.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(9);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms VERSION '1.1';

CREATE ROLE upg_reader LOGIN;
CREATE SCHEMA upg;
GRANT USAGE ON SCHEMA upg TO upg_reader;
CREATE TABLE upg.m (id int, d date NOT NULL, who name) PARTITION BY RANGE (d);
CREATE TABLE upg.m_1 PARTITION OF upg.m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY RANGE (d);
CREATE TABLE upg.m_1a PARTITION OF upg.m_1 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
INSERT INTO upg.m VALUES (1, '2024-02-01', 'upg_reader');
CREATE TABLE upg.inh (id int, who name);
CREATE TABLE upg.inh_c () INHERITS (upg.inh);
INSERT INTO upg.inh_c VALUES (2, 'upg_reader');
CREATE TABLE upg.own (id int, who name);
ALTER TABLE upg.own ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON upg.own FOR SELECT USING (who = current_user);
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA upg TO upg_reader;
SELECT inventree_perms.create_user('upg_reader');
SELECT inventree_perms.protect('upg.m', 'upg_m');
SELECT inventree_perms.protect('upg.inh', 'upg_inh');
SELECT inventree_perms.protect('upg.own', 'upg_own');

CREATE FUNCTION pg_temp.permissive(t regclass) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(polname || ':' || polcmd::text, ' ' ORDER BY polname), '')
	  FROM pg_policy WHERE polrelid = t AND polpermissive;
$$;
SET ROLE upg_reader;
SELECT is((SELECT count(*) FROM upg.m_1a), 1::bigint, '1.1: a partition named directly shows its rows to anyone (the hole)');
RESET ROLE;

ALTER EXTENSION inventree_perms UPDATE TO '1.2';

SELECT is((SELECT string_agg(relation::text || '<' || root::text, ' ' ORDER BY relation::text) FROM inventree_perms.protected),
	'upg.inh<upg.inh upg.inh_c<upg.inh upg.m<upg.m upg.m_1<upg.m upg.m_1a<upg.m upg.own<upg.own',
	'after the update the partitions (both levels) and the child are protected under their parent; every row has its root');
SELECT is((SELECT string_agg(DISTINCT model, ' ') FROM inventree_perms.protected WHERE root = 'upg.m'::regclass), 'upg_m',
	'... under the parent''s model');
SET ROLE upg_reader;
SELECT is((SELECT count(*) FROM upg.m_1a), 0::bigint, 'the reader without permission gets nothing from the level-2 partition');
SELECT is((SELECT count(*) FROM upg.inh_c), 0::bigint, '... nor from the child');
RESET ROLE;
SELECT is(pg_temp.permissive('upg.m'),
	'inventree_perms_permissive_delete:d inventree_perms_permissive_insert:a inventree_perms_permissive_select:r inventree_perms_permissive_update:w',
	'1.1''s FOR ALL admit-all became one per command');
SELECT is(pg_temp.permissive('upg.m_1a'), pg_temp.permissive('upg.m'), '... on the partitions as well');
SELECT is(pg_temp.permissive('upg.own'),
	'inventree_perms_permissive_delete:d inventree_perms_permissive_insert:a inventree_perms_permissive_update:w mine:r',
	'a table whose own permissive policy is FOR SELECT: its policy decides SELECT, the other commands (no permissive policy, so no row at all in 1.1) get the admit-all of 1.2, as a fresh protect() gives');
SELECT is((SELECT count(*) FROM pg_policy WHERE polname = 'inventree_perms_permissive'), 0::bigint,
	'no 1.1 admit-all policy is left');

SELECT * FROM finish();
ROLLBACK;
