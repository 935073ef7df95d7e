-- django_bulk.sql -- how import_django() writes many rows at once
-- (_django_insert()): it checks the foreign keys of the memberships,
-- grants and owners it inserts as a whole, locking every user, group and
-- model they name, and skips the per-row checks with session_replication_role =
-- replica for its own duration only.  Nobody else may call it; a row naming
-- something that does not exist is refused (23503) with nothing written;
-- the session is back in origin mode afterwards, error or not; the cache is
-- still invalidated.  (The race with a concurrent drop_user() is in
-- test/isolation/specs/django_race_bulk.spec.)  Runs as a PostgreSQL
-- superuser; rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(21);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
SET CONSTRAINTS ALL IMMEDIATE;

SELECT inventree_perms.create_user('bulk_admin', true);
-- Made in a subtransaction: rows of another transaction than the top
-- level's, as users made before the import are (those it makes itself it
-- need not lock: nobody else sees them).
SAVEPOINT made;
SELECT inventree_perms.create_user('bulk_ann');
SELECT inventree_perms.create_user('bulk_bob');
RELEASE SAVEPOINT made;
SELECT inventree_perms.create_group('bulk_team');
CREATE ROLE bulk_admin;

-- 1. Nobody but the extension calls it --------------------------------------
SELECT ok(NOT has_function_privilege('public',
		  'inventree_perms_internal._django_insert(text, text, text[], text[], text[])', 'EXECUTE'),
		  '_django_insert(): no EXECUTE for PUBLIC');
SELECT ok(NOT has_function_privilege('public',
		  'inventree_perms_internal._django_insert_rows(text, text, text[], text[], text[], boolean)', 'EXECUTE'),
		  '_django_insert_rows(): no EXECUTE for PUBLIC');
SET ROLE bulk_admin;
SELECT throws_ok($$SELECT inventree_perms_internal._django_insert('user_perms', 'x', '{bulk_ann}', '{stock_stockitem}', '{view}')$$,
				 '42501', NULL, 'an administrator of the extension (no PostgreSQL superuser) may not call it: 42501');
SELECT is(current_setting('session_replication_role'), 'origin', '... and cannot set replica mode');
SELECT throws_ok($$SET session_replication_role = replica$$, '42501', NULL,
				 '... nor by hand');
RESET ROLE;

-- 2. Referential integrity by construction ----------------------------------
SELECT throws_ok($$SELECT inventree_perms_internal._django_insert('user_perms', 'x',
					   '{bulk_ann,nobody}', '{stock_stockitem,stock_stockitem}', '{view,view}')$$,
				 '23503', NULL, 'a grant for a user that does not exist: 23503');
SELECT throws_ok($$SELECT inventree_perms_internal._django_insert('group_perms', 'x',
					   '{bulk_team}', '{no_such_model}', '{view}')$$,
				 '23503', NULL, 'a grant on a model that does not exist: 23503');
SELECT throws_ok($$SELECT inventree_perms_internal._django_insert('memberships', 'x',
					   '{bulk_ann}', '{no_such_group}', NULL)$$,
				 '23503', NULL, 'a membership of a group that does not exist: 23503');
SELECT throws_ok($$SELECT inventree_perms_internal._django_insert('owners', 'x',
					   ARRAY['900', '901'], ARRAY['bulk_ann', NULL], ARRAY[NULL, 'no_such_group'])$$,
				 '23503', NULL, 'an owner standing for a group that does not exist: 23503');
SELECT is_empty($$SELECT 1 FROM inventree_perms.user_perms UNION ALL SELECT 1 FROM inventree_perms.group_perms
				  UNION ALL SELECT 1 FROM inventree_perms.memberships UNION ALL SELECT 1 FROM inventree_perms.owners$$,
				'... and nothing was written');
SELECT is(current_setting('session_replication_role'), 'origin', '... and the session is back in origin mode');
SELECT throws_ok($$SELECT inventree_perms_internal._django_insert('users', 'x', '{a}', '{b}', '{c}')$$,
				 '22023', NULL, 'only memberships, user_perms and group_perms: 22023 otherwise');

-- 3. What it writes, and the cache --------------------------------------------
-- A check now builds bulk_bob's cache entry (no grant yet).
SELECT ok(NOT inventree_perms.has_model_perm('bulk_bob', 'stock_stockitem', 'view'),
		  'before: bulk_bob may not view stock_stockitem');
SELECT is(inventree_perms_internal._django_insert('user_perms', 'x',
			  '{bulk_bob,bulk_ann,bulk_bob}', '{stock_stockitem,stock_stockitem,stock_stockitem}', '{view,add,view}'),
		  2::bigint, 'it inserts the rows, a row given twice once');
SELECT ok(inventree_perms.has_model_perm('bulk_bob', 'stock_stockitem', 'view'),
		  '... and the next check sees them (the cache was invalidated)');
SELECT is(inventree_perms_internal._django_insert('memberships', 'x', '{bulk_bob}', '{bulk_team}', NULL),
		  1::bigint, 'memberships too');
SELECT is(inventree_perms_internal._django_insert('owners', 'x',
			  ARRAY['900', '901'], ARRAY['bulk_ann', NULL], ARRAY[NULL, 'bulk_team']),
		  2::bigint, 'owners too (a user''s, a group''s)');
SELECT is((SELECT string_agg(concat_ws(',', username, model, action, source), ';' ORDER BY username, action)
		   FROM inventree_perms.user_perms),
		  'bulk_ann,stock_stockitem,add,x;bulk_bob,stock_stockitem,view,x', '... marked with the source given');
-- The users and models the rows name are locked (FOR KEY SHARE, as a
-- foreign key check locks them): their xmax is this transaction.
SELECT is((SELECT count(*) FROM inventree_perms.users
		   WHERE name IN ('bulk_ann', 'bulk_bob') AND xmax::text = pg_current_xact_id()::xid::text),
		  2::bigint, 'the users the rows name are locked by this transaction');
SELECT is(current_setting('session_replication_role'), 'origin', 'origin mode after it returns');
-- A foreign key the import did not check itself still cascades.
SELECT inventree_perms.drop_user('bulk_bob');
SELECT is_empty($$SELECT 1 FROM inventree_perms.user_perms WHERE username = 'bulk_bob'
				  UNION ALL SELECT 1 FROM inventree_perms.memberships WHERE username = 'bulk_bob'$$,
				'dropping a user removes the rows it inserted (the foreign keys are there)');

SELECT * FROM finish();
ROLLBACK;
