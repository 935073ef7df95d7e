-- enforce_dropped.sql -- a table dropped while bound to a model (protected or
-- registered with a relation): the model stays with its grants, unbound, and
-- protect() may bind it to a new table of that name.  Done by an event
-- trigger on sql_drop, whoever drops the table.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(15);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

CREATE ROLE drp_owner LOGIN;		-- owns the tables, an administrator, no superuser
CREATE SCHEMA drp;
GRANT USAGE, CREATE ON SCHEMA drp TO drp_owner;
SELECT inventree_perms.create_user('drp_owner');
SELECT inventree_perms.grant_user_perm('drp_owner', 'user', 'change');
SELECT inventree_perms.create_user('drp_ann');

SET ROLE drp_owner;
CREATE TABLE drp.parts (id int);
CREATE TABLE drp.bound (id int);
CREATE TABLE drp.other (id int);
SELECT inventree_perms.protect('drp.parts', 'drp_part');
SELECT inventree_perms.register_model('drp_bound', 'drp.bound');
SELECT inventree_perms.protect('drp.other');
SELECT inventree_perms.grant_user_perm('drp_ann', 'drp_part', 'view');
RESET ROLE;

CREATE FUNCTION pg_temp.binding(m text) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(relation::text, 'unbound') FROM inventree_perms.models WHERE name = m
$$;

SELECT is(pg_temp.binding('drp_part'), 'drp.parts', 'before: drp_part is bound to drp.parts');

-- 1. The owner (no superuser) drops the protected table ------------------------
SET ROLE drp_owner;
DROP TABLE drp.parts;
RESET ROLE;
SELECT is(pg_temp.binding('drp_part'), 'unbound', 'dropping a protected table unbinds its model');
SELECT is((SELECT count(*) FROM inventree_perms.protected p
			WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = p.relation)), 0::bigint,
		  '... and protected names no dropped table');
SELECT ok(inventree_perms.has_model_perm('drp_ann', 'drp_part', 'view'),
		  '... the model stays registered with its grants');

-- a new table of that name can be protected under the same model
SET ROLE drp_owner;
CREATE TABLE drp.parts (id int);
SELECT lives_ok($$SELECT inventree_perms.protect('drp.parts', 'drp_part')$$,
				'protect() binds the model to a new table of the same name');
RESET ROLE;
SELECT is(pg_temp.binding('drp_part'), 'drp.parts', '... bound again');
SELECT is((SELECT count(*) FROM pg_policy WHERE polrelid = 'drp.parts'::regclass
			AND polname LIKE 'inventree\_perms\_%'), 8::bigint, '... with its policies (four restrictive, four admit-all)');
SELECT lives_ok($$SELECT inventree_perms.unprotect('drp.parts')$$, 'unprotect() of the new table works');

-- 2. A model registered with a relation (not protected) ------------------------
DROP TABLE drp.bound;
SELECT is(pg_temp.binding('drp_bound'), 'unbound', 'dropping a table bound by register_model unbinds it');
SELECT lives_ok($$SELECT inventree_perms.register_model('drp_bound')$$,
				'register_model(name) without a relation is the same model again');

-- 3. DROP SCHEMA CASCADE, other drops -------------------------------------------
CREATE TABLE drp.unrelated (id int);
DROP TABLE drp.unrelated;
SELECT is(pg_temp.binding('other'), 'drp.other', 'dropping an unrelated table changes nothing');
-- (pgTAP's results live in the transaction: measure inside the savepoint,
-- assert after rolling it back)
SAVEPOINT before_cascade;
DROP SCHEMA drp CASCADE;
SELECT pg_temp.binding('other') AS cascade_binding,
	   (SELECT count(*) FROM inventree_perms.protected) AS cascade_protected \gset
ROLLBACK TO SAVEPOINT before_cascade;
SELECT is(:'cascade_binding'::text, 'unbound', 'DROP SCHEMA ... CASCADE unbinds the tables it drops');
SELECT is(:'cascade_protected'::text, '0', '... and forgets them as protected');
SELECT is(pg_temp.binding('other'), 'drp.other', 'a rolled-back DROP leaves the binding');

-- 4. The extension can still be dropped (its own event trigger goes with it) --
SELECT throws_ok($t$DO $$ BEGIN DROP EXTENSION inventree_perms CASCADE;
	RAISE EXCEPTION 'dropped' USING ERRCODE = 'P0099'; END $$$t$, 'P0099', 'dropped',
	'DROP EXTENSION works with the event trigger (and is then undone)');

SELECT * FROM finish();
ROLLBACK;
