DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
--
-- scopes: a scoped table as a psql user meets it.  A team that may change
-- the stock in its own locations and view the rest; the condition each
-- acting user's statements are planned with; and, for a model-wide holder,
-- the condition dropped from the scan once its model-wide answer is known
-- (nothing tested per row), never for anyone else.
--
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS sc_inv CASCADE;
DROP ROLE IF EXISTS sc_app;
RESET client_min_messages;
CREATE ROLE sc_app LOGIN;
CREATE SCHEMA sc_inv;
GRANT USAGE ON SCHEMA sc_inv TO sc_app;
-- locations: 1 the site, 2 and 3 its stores, 4..7 their shelves
CREATE TABLE sc_inv.stock_stocklocation (id int PRIMARY KEY, parent_id int, name text);
INSERT INTO sc_inv.stock_stocklocation VALUES
	(1, NULL, 'site'), (2, 1, 'store A'), (3, 1, 'store B'),
	(4, 2, 'A1'), (5, 2, 'A2'), (6, 3, 'B1'), (7, 3, 'B2');
CREATE TABLE sc_inv.stock_stockitem (id int PRIMARY KEY, location_id int, part text, quantity int);
INSERT INTO sc_inv.stock_stockitem VALUES
	(1, 4, 'bolt', 100), (2, 5, 'nut', 250), (3, 6, 'washer', 75), (4, 7, 'spring', 10),
	(5, 2, 'crate', 3), (6, NULL, 'in transit', 40);
CREATE INDEX ON sc_inv.stock_stockitem (location_id);
GRANT SELECT, UPDATE ON sc_inv.stock_stockitem TO sc_app;
SELECT inventree_perms.register_tree('stock_location', 'sc_inv.stock_stocklocation');
SELECT inventree_perms.protect('sc_inv.stock_stockitem', scope_column => 'location_id', tree => 'stock_location');
SELECT inventree_perms.add_delegate('sc_app');
SELECT inventree_perms.create_user('anna');		-- store A's team: view everything, change in store A
SELECT inventree_perms.create_user('ben');		-- shelf B1 only
SELECT inventree_perms.create_user('root', true);
SELECT inventree_perms.grant_user_perm('anna', 'stock_stockitem', 'view');
SELECT inventree_perms.grant_user_scope('anna', 'stock_stockitem', 'change', 2);
SELECT inventree_perms.grant_user_scope('ben', 'stock_stockitem', 'view', 6);
SELECT * FROM inventree_perms.user_scopes('anna');
--
-- What each sees and may change.
--
SET ROLE sc_app;
SELECT inventree_perms.set_acting_user('anna', false);
SELECT id, part FROM sc_inv.stock_stockitem ORDER BY id;
UPDATE sc_inv.stock_stockitem SET quantity = quantity - 1 RETURNING id, part, quantity;
-- moving an item out of her scope is a change there too: refused
UPDATE sc_inv.stock_stockitem SET location_id = 6 WHERE id = 1;
SELECT inventree_perms.set_acting_user('ben', false);
SELECT id, part FROM sc_inv.stock_stockitem ORDER BY id;
UPDATE sc_inv.stock_stockitem SET quantity = 0 RETURNING id;
--
-- The condition each is planned with: ben's few nodes are an index
-- condition; anna, a model-wide viewer, gets a condition that the
-- executor drops once her model-wide answer is known (the DEBUG line).
--
EXPLAIN (COSTS OFF) SELECT id FROM sc_inv.stock_stockitem;
SELECT inventree_perms.set_acting_user('anna', false);
EXPLAIN (COSTS OFF) SELECT id FROM sc_inv.stock_stockitem;
SET client_min_messages = debug1;
SELECT count(*) FROM sc_inv.stock_stockitem;
-- only the extension's own function is dropped: a policy of the same shape
-- over another function (here one of the same name in another schema) is
-- left as it is, also where its $modelwide is true (no DEBUG line for it)
RESET client_min_messages;
RESET ROLE;
CREATE FUNCTION sc_inv.scope_admits_row(text, text, record, integer) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RETURN false; END $$;
CREATE TABLE sc_inv.look (id int);
INSERT INTO sc_inv.look VALUES (1), (2);
ALTER TABLE sc_inv.look ENABLE ROW LEVEL SECURITY;
CREATE POLICY look ON sc_inv.look USING ((SELECT inventree_perms.has_model_perm('stock_stockitem', 'view'))
	OR sc_inv.scope_admits_row('stock_stockitem', 'view', look, 1));
GRANT SELECT ON sc_inv.look TO sc_app;
SET ROLE sc_app;
SET client_min_messages = debug1;
SELECT (SELECT count(*) FROM sc_inv.stock_stockitem) AS items, (SELECT count(*) FROM sc_inv.look) AS looks;
SELECT inventree_perms.set_acting_user('root', false);
SELECT count(*) FROM sc_inv.stock_stockitem;
-- a cursor opened for anna and first read for ben: the model-wide answer
-- is read when the condition first tests a row, for ben: nothing dropped
SELECT inventree_perms.set_acting_user('anna', false);
BEGIN;
DECLARE c CURSOR FOR SELECT id, part FROM sc_inv.stock_stockitem ORDER BY id;
SELECT inventree_perms.set_acting_user('ben');
FETCH ALL FROM c;
COMMIT;
RESET client_min_messages;
SELECT inventree_perms.reset_acting_user();
RESET ROLE;
--
-- Clean up.
--
SELECT inventree_perms.unprotect('sc_inv.stock_stockitem');
SELECT inventree_perms.unregister_tree('stock_location');
DROP SCHEMA sc_inv CASCADE;
SELECT inventree_perms.remove_delegate('sc_app');
DROP ROLE sc_app;
