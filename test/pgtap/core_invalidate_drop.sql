-- core_invalidate_drop.sql -- a CREATE or DROP that concerns none of the
-- extension's tables invalidates nothing.  Any role may create and drop
-- what it owns (a temporary table, a column of it); the event triggers then
-- look for models bound to, protected tables at, and trees following the
-- OIDs created or dropped.  A statement on models, model_scopes (which a
-- DELETE from protected cleans up) or trees fires their invalidation trigger
-- even when it changes no row, so such statements, issued for every CREATE
-- and DROP, emptied every session's cache (models, model_scopes: the
-- sentinel) and made every session load its trees again (trees) whenever an
-- ordinary role created or dropped its own temporary table.  The
-- cache's resets and the tree table's sequential scans (one per load) show
-- it, here in the dropping session itself (the others get the same
-- invalidations at commit).  A DROP of a bound table or of a tree's table
-- still invalidates (the controls).
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(8);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

CREATE ROLE cid_plain;		-- an ordinary role: no grants, not an administrator
CREATE SCHEMA cid;
CREATE TABLE cid.loc (id int PRIMARY KEY, parent_id int);
INSERT INTO cid.loc VALUES (1, NULL), (2, 1), (3, 2);
CREATE TABLE cid.item (id int PRIMARY KEY, location_id int);
CREATE TABLE cid.other_loc (id int PRIMARY KEY, parent_id int);
CREATE TABLE cid.bound (id int);
DO $$
BEGIN
	PERFORM inventree_perms.create_user('alice');
	PERFORM inventree_perms.register_model('part');
	PERFORM inventree_perms.grant_user_perm('alice', 'part', 'view');
	PERFORM inventree_perms.register_tree('loc', 'cid.loc');
	PERFORM inventree_perms.register_tree('other', 'cid.other_loc');
	PERFORM inventree_perms.protect('cid.item', 'item', 'location_id', 'loc');
	PERFORM inventree_perms.grant_user_scope('alice', 'item', 'view', 2);
	PERFORM inventree_perms.register_model('bound');
END;
$$;
UPDATE inventree_perms.models SET relation = 'cid.bound'::regclass WHERE name = 'bound';

-- warm: the cache and the tree loc
CREATE FUNCTION pg_temp.warm() RETURNS boolean LANGUAGE sql VOLATILE AS $$
	SELECT inventree_perms.has_model_perm('alice', 'part', 'view')
	   AND inventree_perms.has_row_perm('alice', 'item', 'view', 3)
$$;
CREATE FUNCTION pg_temp.resets() RETURNS bigint LANGUAGE sql VOLATILE AS $$
	SELECT resets FROM inventree_perms_internal._cache_stats()
$$;
CREATE FUNCTION pg_temp.loads() RETURNS bigint LANGUAGE sql VOLATILE AS $$
	SELECT seq_scan FROM pg_catalog.pg_stat_xact_user_tables WHERE relid = 'cid.loc'::regclass
$$;
SELECT pg_temp.warm() AS warm \gset
SELECT pg_temp.warm() AS warm \gset
SELECT pg_temp.resets() AS resets0, pg_temp.loads() AS loads0 \gset

-- an ordinary role drops its own temporary table, a column of one, a function
SET ROLE cid_plain;
CREATE TEMP TABLE cid_scratch (a int, b int);
ALTER TABLE cid_scratch DROP COLUMN b;
DROP TABLE cid_scratch;
CREATE FUNCTION pg_temp.cid_f() RETURNS int LANGUAGE sql AS 'SELECT 1';
DROP FUNCTION pg_temp.cid_f();
RESET ROLE;
SELECT ok(pg_temp.warm(), 'the answers after an ordinary role''s drops');
SELECT is(pg_temp.resets() - :resets0, 0::bigint,
	'an ordinary role''s DROP of its own objects empties no cache');
SELECT is(pg_temp.loads() - :loads0, 0::bigint,
	'an ordinary role''s DROP of its own objects makes no tree load again');

-- controls: a DROP of a bound table, of a tree's table
DROP TABLE cid.bound;
SELECT ok(pg_temp.warm(), 'the answers after a bound table is dropped');
SELECT cmp_ok(pg_temp.resets() - :resets0, '>', 0::bigint,
	'a DROP of a table bound to a model empties the cache');
SELECT is((SELECT relation FROM inventree_perms.models WHERE name = 'bound'), NULL,
	'... and unbinds it');
SELECT pg_temp.loads() AS loads1 \gset
DROP TABLE cid.other_loc;
SELECT ok(pg_temp.warm(), 'the answers after another tree''s table is dropped');
SELECT cmp_ok(pg_temp.loads() - :loads1, '>', 0::bigint,
	'a DROP of a tree''s table makes the trees load again');

SELECT * FROM finish();
ROLLBACK;
