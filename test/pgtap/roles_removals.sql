-- roles_removals.sql -- removing catalogue rows (models, roles, role pairs
-- that CREATE EXTENSION loads) is recorded in catalogue_removals, so that
-- pg_restore, which runs CREATE EXTENSION and then copies the data back,
-- removes them again.  The restore itself is test/shell/dump_restore.sh;
-- here: what leaves a mark, what takes it away, and what a restored mark does.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(27);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

CREATE FUNCTION pg_temp.marks() RETURNS text
LANGUAGE sql AS $$
	SELECT coalesce(string_agg(kind || ':' || name || CASE WHEN model <> '' THEN '/' || model ELSE '' END,
							   ' ' ORDER BY kind, name, model), '')
	FROM inventree_perms.catalogue_removals
$$;

SELECT is(pg_temp.marks(), '', 'a fresh install has no marks');

-- 1. What leaves a mark --------------------------------------------------------
SELECT inventree_perms.remove_model_from_role('stock', 'stock_stockitemtracking');
SELECT is(pg_temp.marks(), 'role_model:stock/stock_stockitemtracking',
		  'remove_model_from_role on a catalogue pair leaves a mark');

SELECT inventree_perms.unregister_model('report_reportasset');
SELECT is(pg_temp.marks(),
		  'model:report_reportasset role_model:admin/report_reportasset role_model:stock/stock_stockitemtracking',
		  'unregister_model on a catalogue model marks it and the role pairs that went with it');

SELECT inventree_perms.drop_role('transfer_order');
SELECT ok(pg_temp.marks() LIKE '%role:transfer_order %', 'drop_role on a catalogue role marks it');
SELECT is((SELECT count(*) FROM inventree_perms.catalogue_removals
			WHERE kind = 'role_model' AND name = 'transfer_order'), 3::bigint,
		  '... and its 3 pairs');

-- rows made by hand leave no mark
SELECT inventree_perms.register_model('qa_widget');
SELECT inventree_perms.create_role('qa_role');
SELECT inventree_perms.add_model_to_role('qa_role', 'qa_widget');
SELECT inventree_perms.remove_model_from_role('qa_role', 'qa_widget');
SELECT inventree_perms.drop_role('qa_role');
SELECT inventree_perms.unregister_model('qa_widget');
SELECT is((SELECT count(*) FROM inventree_perms.catalogue_removals
			WHERE name LIKE 'qa\_%' OR model LIKE 'qa\_%'), 0::bigint,
		  'models, roles and pairs made by hand leave no mark');

-- a superuser's DELETE is a removal too
DELETE FROM inventree_perms.role_models WHERE role = 'build' AND model = 'build_build';
SELECT ok(EXISTS (SELECT FROM inventree_perms.catalogue_removals
				   WHERE kind = 'role_model' AND name = 'build' AND model = 'build_build'),
		  'DELETE of a catalogue pair by a superuser leaves a mark');
-- the built-ins always exist: no mark for them
SAVEPOINT builtin;
DELETE FROM inventree_perms.models WHERE name = 'group';
SELECT ok(NOT EXISTS (SELECT FROM inventree_perms.catalogue_removals WHERE kind = 'model' AND name = 'group'),
		  'deleting a built-in model by DML leaves no mark (a restore brings it back)');
ROLLBACK TO SAVEPOINT builtin;

-- 2. What takes a mark away ---------------------------------------------------
SELECT inventree_perms.register_model('report_reportasset', NULL, 'by hand');
SELECT ok(NOT EXISTS (SELECT FROM inventree_perms.catalogue_removals WHERE kind = 'model' AND name = 'report_reportasset'),
		  'register_model of a removed catalogue name takes its mark away');
SELECT ok(EXISTS (SELECT FROM inventree_perms.catalogue_removals
				   WHERE kind = 'role_model' AND name = 'admin' AND model = 'report_reportasset'),
		  '... but not the marks of its pairs (they are still removed)');
SELECT is((SELECT shipped FROM inventree_perms.models WHERE name = 'report_reportasset'), false,
		  'the model registered again is a model made by hand');

SELECT inventree_perms.add_model_to_role('stock', 'stock_stockitemtracking');
SELECT ok(NOT EXISTS (SELECT FROM inventree_perms.catalogue_removals
					   WHERE kind = 'role_model' AND name = 'stock' AND model = 'stock_stockitemtracking'),
		  'add_model_to_role of a removed catalogue pair takes its mark away');

SELECT inventree_perms.create_role('transfer_order', 'Transfers, by hand');
SELECT ok(NOT EXISTS (SELECT FROM inventree_perms.catalogue_removals WHERE kind = 'role' AND name = 'transfer_order'),
		  'create_role of a removed catalogue role takes its mark away');
SELECT is((SELECT count(*) FROM inventree_perms.role_models WHERE role = 'transfer_order'), 0::bigint,
		  '... and the role made again has none of the old pairs');

-- 3. What a restored mark does (pg_restore: CREATE EXTENSION loaded the whole
-- catalogue, then the marks are copied back) ---------------------------------
SAVEPOINT restore;
SELECT is((SELECT count(*) FROM inventree_perms.models WHERE name = 'stock_stocklocation' AND shipped), 1::bigint,
		  'stock_stocklocation is a catalogue model before its mark is restored');
INSERT INTO inventree_perms.catalogue_removals (kind, name) VALUES ('model', 'stock_stocklocation');
SELECT is((SELECT count(*) FROM inventree_perms.models WHERE name = 'stock_stocklocation'), 0::bigint,
		  'a restored model mark removes the catalogue model');
SELECT is((SELECT count(*) FROM inventree_perms.role_models WHERE model = 'stock_stocklocation'), 0::bigint,
		  '... and its role pairs');
-- the pair marks that came with it in the dump are copied too: no conflict
INSERT INTO inventree_perms.catalogue_removals (kind, name, model)
	SELECT 'role_model', 'stock_location', 'stock_stocklocation';
SELECT is((SELECT count(*) FROM inventree_perms.catalogue_removals
			WHERE kind = 'role_model' AND name = 'stock_location' AND model = 'stock_stocklocation'), 1::bigint,
		  'a mark already there is not added twice (no error)');

INSERT INTO inventree_perms.catalogue_removals (kind, name) VALUES ('role', 'sales_order');
SELECT is((SELECT count(*) FROM inventree_perms.roles WHERE name = 'sales_order'), 0::bigint,
		  'a restored role mark removes the catalogue role');
INSERT INTO inventree_perms.catalogue_removals (kind, name, model) VALUES ('role_model', 'part', 'part_part');
SELECT is((SELECT count(*) FROM inventree_perms.role_models WHERE role = 'part' AND model = 'part_part'), 0::bigint,
		  'a restored pair mark removes the catalogue pair');
SELECT is((SELECT count(*) FROM inventree_perms.models WHERE name = 'part_part'), 1::bigint,
		  '... and nothing else');

-- a mark never removes a row made by hand
SELECT inventree_perms.register_model('qa_kept');
INSERT INTO inventree_perms.catalogue_removals (kind, name) VALUES ('model', 'qa_kept');
SELECT is((SELECT count(*) FROM inventree_perms.models WHERE name = 'qa_kept'), 1::bigint,
		  'a mark does not remove a model made by hand');
SELECT inventree_perms.create_role('qa_kept_role');
INSERT INTO inventree_perms.catalogue_removals (kind, name) VALUES ('role', 'qa_kept_role');
SELECT is((SELECT count(*) FROM inventree_perms.roles WHERE name = 'qa_kept_role'), 1::bigint,
		  'a mark does not remove a role made by hand');
ROLLBACK TO SAVEPOINT restore;

-- 4. The checks follow, and the table is closed to PUBLIC --------------------
SELECT inventree_perms.create_user('qa_ann');
SELECT inventree_perms.create_group('qa_stock');
SELECT inventree_perms.add_user_to_group('qa_ann', 'qa_stock');
SELECT inventree_perms.grant_group_role('qa_stock', 'build', 'view');
SELECT ok(NOT inventree_perms.has_model_perm('qa_ann', 'build_build', 'view'),
		  'a removed catalogue pair no longer grants through the role');
SELECT ok(inventree_perms.has_model_perm('qa_ann', 'build_buildline', 'view'),
		  '... the role''s other pairs still do');
SELECT is(has_table_privilege('public', 'inventree_perms.catalogue_removals', 'select'), false,
		  'PUBLIC may not read catalogue_removals');
SELECT ok((SELECT 'inventree_perms.catalogue_removals'::regclass = ANY (extconfig)
			 FROM pg_extension WHERE extname = 'inventree_perms'),
		  'catalogue_removals is dumped by pg_dump (pg_extension_config_dump)');

SELECT * FROM finish();
ROLLBACK;
