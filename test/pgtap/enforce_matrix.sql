-- enforce_matrix.sql: protect() on an InvenTree-like schema, end to end.
-- For every login role and for an application role acting for application
-- users: SELECT sees exactly what "view" allows, INSERT succeeds or fails with
-- PostgreSQL's RLS error as "add" says, UPDATE / DELETE touch the row or
-- nothing as "change" / "delete" (and "view") say.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;
\ir enforce_fixture.psql

SELECT plan(155);

-- protect() by the tables' owner, an administrator ------------------------
SET ROLE enf_owner;
SELECT lives_ok($$SELECT inventree_perms.protect('enf_inv.part_part')$$,
	'the owner (an administrator) protects part_part');
SELECT lives_ok($$SELECT inventree_perms.protect('enf_inv.stock_stocklocation')$$,
	'... stock_stocklocation');
SELECT lives_ok($$SELECT inventree_perms.protect('enf_inv.stock_stockitem')$$,
	'... stock_stockitem');
SELECT lives_ok($$SELECT inventree_perms.protect('enf_inv.order_purchaseorder')$$,
	'... order_purchaseorder');
RESET ROLE;

-- login roles ---------------------------------------------------------------
SET ROLE enf_alice;
SELECT is(inventree_perms.acting_user(), 'enf_alice', 'enf_alice acts as herself');
SELECT * FROM enf_inv.expect('enf_alice', 'part_part', false, false, false, false);
SELECT * FROM enf_inv.expect('enf_alice', 'stock_stocklocation', true, false, false, false);
SELECT * FROM enf_inv.expect('enf_alice', 'stock_stockitem', true, false, true, false);
SELECT * FROM enf_inv.expect('enf_alice', 'order_purchaseorder', true, false, false, false);
RESET ROLE;

SET ROLE enf_bob;
SELECT * FROM enf_inv.expect('enf_bob', 'part_part', true, false, false, false);
SELECT * FROM enf_inv.expect('enf_bob', 'stock_stocklocation', false, false, false, false);
SELECT * FROM enf_inv.expect('enf_bob', 'stock_stockitem', false, false, false, false);
SELECT * FROM enf_inv.expect('enf_bob', 'order_purchaseorder', true, true, true, true);
RESET ROLE;

SET ROLE enf_carol;
SELECT * FROM enf_inv.expect('enf_carol', 'part_part', true, true, false, false);
SELECT * FROM enf_inv.expect('enf_carol', 'stock_stocklocation', false, false, false, false);
-- delete without view: DELETE ... WHERE reads the rows, SELECT policies apply
SELECT * FROM enf_inv.expect('enf_carol', 'stock_stockitem', false, false, false, true);
-- change without view: likewise nothing
SELECT * FROM enf_inv.expect('enf_carol', 'order_purchaseorder', false, false, true, false);
-- ... but a statement that reads no column needs no SELECT right (documented)
SELECT is(enf_inv.try('DELETE FROM enf_inv.stock_stockitem'), 'rows 6',
	'enf_carol: a bare DELETE (no WHERE) needs only "delete": RLS applies no SELECT policy to it');
SELECT is(enf_inv.try($$UPDATE enf_inv.order_purchaseorder SET description = 'x'$$), 'rows 4',
	'enf_carol: a bare UPDATE (no WHERE, no column read) needs only "change"');
SELECT is(enf_inv.try($$UPDATE enf_inv.order_purchaseorder SET description = 'x' RETURNING id$$), 'rows 0',
	'enf_carol: ... with RETURNING it reads, and without "view" it updates nothing');
RESET ROLE;

SET ROLE enf_dave;
SELECT * FROM enf_inv.expect('enf_dave (superuser)', 'part_part', true, true, true, true);
SELECT * FROM enf_inv.expect('enf_dave (superuser)', 'stock_stocklocation', true, true, true, true);
SELECT * FROM enf_inv.expect('enf_dave (superuser)', 'stock_stockitem', true, true, true, true);
SELECT * FROM enf_inv.expect('enf_dave (superuser)', 'order_purchaseorder', true, true, true, true);
RESET ROLE;

SET ROLE enf_erin;
SELECT * FROM enf_inv.expect('enf_erin (inactive)', 'part_part', false, false, false, false);
SELECT * FROM enf_inv.expect('enf_erin (inactive)', 'order_purchaseorder', false, false, false, false);
RESET ROLE;

SET ROLE enf_frank;
SELECT * FROM enf_inv.expect('enf_frank (no user)', 'part_part', false, false, false, false);
SELECT * FROM enf_inv.expect('enf_frank (no user)', 'stock_stockitem', false, false, false, false);
RESET ROLE;

-- the application role, a delegate acting for application users -------------
SET ROLE enf_app;
SELECT is(inventree_perms.acting_user(), 'enf_app', 'enf_app before set_acting_user acts as itself');
SELECT * FROM enf_inv.expect('enf_app (itself, no user)', 'part_part', false, false, false, false);
SELECT * FROM enf_inv.expect('enf_app (itself, no user)', 'stock_stockitem', false, false, false, false);

SELECT lives_ok($$SELECT inventree_perms.set_acting_user('anna@example.com')$$,
	'enf_app (a delegate) may act for anna@example.com');
SELECT is(inventree_perms.acting_user(), 'anna@example.com', 'acting_user() is anna@example.com');
SELECT * FROM enf_inv.expect('enf_app as anna@example.com', 'part_part', false, false, false, false);
SELECT * FROM enf_inv.expect('enf_app as anna@example.com', 'stock_stocklocation', true, false, false, false);
SELECT * FROM enf_inv.expect('enf_app as anna@example.com', 'stock_stockitem', true, false, true, false);
SELECT * FROM enf_inv.expect('enf_app as anna@example.com', 'order_purchaseorder', false, false, false, false);

SELECT lives_ok($$SELECT inventree_perms.set_acting_user('p.kowalski@example.com')$$,
	'enf_app switches to p.kowalski@example.com');
SELECT * FROM enf_inv.expect('enf_app as p.kowalski@example.com', 'part_part', true, false, false, false);
SELECT * FROM enf_inv.expect('enf_app as p.kowalski@example.com', 'stock_stocklocation', false, false, false, false);
SELECT * FROM enf_inv.expect('enf_app as p.kowalski@example.com', 'stock_stockitem', false, false, false, false);
SELECT * FROM enf_inv.expect('enf_app as p.kowalski@example.com', 'order_purchaseorder', true, true, true, true);

SELECT lives_ok($$SELECT inventree_perms.set_acting_user('guest')$$, 'enf_app switches to guest');
SELECT * FROM enf_inv.expect('enf_app as guest', 'part_part', false, false, false, false);
SELECT * FROM enf_inv.expect('enf_app as guest', 'order_purchaseorder', false, false, false, false);

SELECT lives_ok($$SELECT inventree_perms.reset_acting_user()$$, 'enf_app stops acting');
SELECT is(inventree_perms.acting_user(), 'enf_app', 'acting_user() is enf_app again');
SELECT * FROM enf_inv.expect('enf_app (reset)', 'order_purchaseorder', false, false, false, false);
RESET ROLE;

-- writes that are allowed really happen ------------------------------------
SET ROLE enf_alice;
UPDATE enf_inv.stock_stockitem SET quantity = 499 WHERE id = 1;
RESET ROLE;
SELECT is((SELECT quantity FROM enf_inv.stock_stockitem WHERE id = 1), 499.00000::numeric(15,5),
	'enf_alice''s UPDATE of stock item 1 took effect');
SET ROLE enf_app;
SELECT inventree_perms.set_acting_user('p.kowalski@example.com');
INSERT INTO enf_inv.order_purchaseorder (reference, description) VALUES ('PO-0005', 'Screws again');
SELECT inventree_perms.reset_acting_user();
RESET ROLE;
SELECT is((SELECT description FROM enf_inv.order_purchaseorder WHERE reference = 'PO-0005'), 'Screws again',
	'the INSERT of enf_app acting for p.kowalski@example.com took effect');

-- the check is an InitPlan: run once per statement, not per row -----------
SET ROLE enf_alice;
SELECT matches(
	(SELECT string_agg(l, E'\n') FROM enf_inv.try_explain('SELECT * FROM enf_inv.stock_stockitem') l),
	$re$Filter: \$0.*InitPlan 1 .*inventree_perms\.has_model_perm\('stock_stockitem'::text, 'view'::text\)$re$,
	'the policy check is an InitPlan, the scan filters on its result');
RESET ROLE;

-- the owner bypasses RLS, unless FORCE ROW LEVEL SECURITY ------------------
SET ROLE enf_owner;
SELECT is((SELECT count(*) FROM enf_inv.part_part), 5::bigint,
	'the table owner (no permission on part_part) bypasses row-level security');
ALTER TABLE enf_inv.part_part FORCE ROW LEVEL SECURITY;
SELECT is((SELECT count(*) FROM enf_inv.part_part), 0::bigint,
	'... until the table has FORCE ROW LEVEL SECURITY');
RESET ROLE;

-- a permission change is enforced from the next statement on -------------
SET ROLE enf_bob;
SELECT is((SELECT count(*) FROM enf_inv.stock_stockitem), 0::bigint, 'enf_bob sees no stock item');
RESET ROLE;
SELECT inventree_perms.grant_user_perm('enf_bob', 'stock_stockitem', 'view');
SET ROLE enf_bob;
SELECT is((SELECT count(*) FROM enf_inv.stock_stockitem), 6::bigint, '... and after a grant, every one');
RESET ROLE;
SELECT inventree_perms.set_user_active('enf_bob', false);
SET ROLE enf_bob;
SELECT is((SELECT count(*) FROM enf_inv.stock_stockitem), 0::bigint, '... and none once deactivated');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
