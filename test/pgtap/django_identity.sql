-- django_identity.sql -- SPEC "Interop with a Django / InvenTree database":
-- identity is Django's primary key, not the name.  A user or group renamed
-- in Django is renamed here, with everything that hangs on it (hand-made
-- grants and memberships included) and one audit row (from, to); a Django
-- user whose name a hand-made user holds is skipped, reported, and imported
-- once the clash ends; a model name the SPEC refuses is reported by name; a
-- re-import that changes nothing writes nothing.  Runs as a PostgreSQL
-- superuser; rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(26);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
\ir django_site.inc
SET CONSTRAINTS ALL IMMEDIATE;

CREATE FUNCTION pg_temp.import() RETURNS TABLE (what text, count bigint)
LANGUAGE sql AS $$ SELECT * FROM inventree_perms.import_django('dj_site') $$;
-- Rows written to the extension's tables so far in this transaction.
CREATE FUNCTION pg_temp.writes() RETURNS bigint
LANGUAGE sql AS $$
	SELECT sum(n_tup_ins + n_tup_upd + n_tup_del)::bigint FROM pg_stat_xact_user_tables
	WHERE schemaname = 'inventree_perms'
$$;

SELECT lives_ok($$SELECT * FROM pg_temp.import()$$, 'first import');
SELECT is((SELECT django_id FROM inventree_perms.users WHERE name = 'alice'),
		  (SELECT id::bigint FROM dj_site.auth_user WHERE username = 'alice'),
		  'an imported user keeps its Django id');
SELECT is((SELECT django_id FROM inventree_perms.groups WHERE name = 'Stock Team'),
		  (SELECT id::bigint FROM dj_site.auth_group WHERE name = 'Stock Team'),
		  'an imported group keeps its Django id');
SELECT is((SELECT django_ct FROM inventree_perms.models WHERE name = 'report_labeloutput'),
		  (SELECT id::bigint FROM dj_site.django_content_type WHERE (app_label, model) = ('report', 'labeloutput')),
		  'a model registered by the import keeps its content type''s id');

-- A re-import that changes nothing writes nothing.
SELECT pg_temp.writes() AS w0 \gset
SELECT count(*) AS a0 FROM inventree_perms.audit_log \gset
SELECT is((SELECT sum(count) FROM pg_temp.import() WHERE what IN
			('users', 'groups', 'memberships', 'models', 'user_perms', 'group_perms', 'role_flags', 'removed')),
		  0::numeric, 'a second import changes nothing');
SELECT is(pg_temp.writes(), :w0::bigint, '... and writes no row');
SELECT is((SELECT count(*) FROM inventree_perms.audit_log), :a0::bigint, '... and no audit row');

-- 1. Renames -------------------------------------------------------------------
-- Hand-made things hanging on alice and on the group Stock Team.
SELECT inventree_perms.register_model('widget');
SELECT inventree_perms.grant_user_perm('alice', 'widget', 'view');
SELECT inventree_perms.create_group('Hand Made');
SELECT inventree_perms.add_user_to_group('alice', 'Hand Made');
SELECT inventree_perms.grant_group_perm('Stock Team', 'widget', 'change');
SELECT count(*) AS a1 FROM inventree_perms.audit_log \gset
UPDATE dj_site.auth_user SET username = 'alice.w' WHERE username = 'alice';
UPDATE dj_site.auth_group SET name = 'Warehouse' WHERE name = 'Stock Team';
SELECT set_eq($$SELECT what, count FROM pg_temp.import() WHERE count > 0 AND what !~ ':'$$,
			  $$VALUES ('users', 1::bigint), ('groups', 1::bigint)$$,
			  'a rename in Django is one changed user and one changed group, nothing removed');
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'alice')
		  AND EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'alice.w' AND source = 'dj_site'),
		  'the user is renamed');
SELECT ok(inventree_perms.has_model_perm('alice.w', 'widget', 'view'), '... a hand-made grant stays, under the new name');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.memberships WHERE username = 'alice.w' AND groupname = 'Hand Made'),
		  '... so does a hand-made membership');
SELECT ok(inventree_perms.has_role_perm('alice.w', 'stock', 'add'), '... and the imported ones (Warehouse: stock add)');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.groups WHERE name = 'Warehouse')
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.groups WHERE name = 'Stock Team'),
		  'the group is renamed');
SELECT ok(inventree_perms.has_model_perm('alice.w', 'widget', 'change'),
		  '... its hand-made grant stays');
SELECT set_eq($$SELECT operation, detail->>'from' AS f, detail->>'to' AS t FROM inventree_perms.audit_log
				WHERE id > $$ || :a1 || $$ AND operation LIKE 'rename_%'$$,
			  $$VALUES ('rename_user', 'alice', 'alice.w'), ('rename_group', 'Stock Team', 'Warehouse')$$,
			  'one audit row per rename: from, to');

-- 2. A name held by a hand-made user --------------------------------------------
SELECT inventree_perms.create_user('zoe');
INSERT INTO dj_site.auth_user (password, is_superuser, username, is_active, first_name, last_name, email,
							   is_staff, date_joined)
VALUES ('x', false, 'zoe', true, '', '', '', false, now());
INSERT INTO dj_site.auth_user_groups (user_id, group_id)
SELECT u.id, g.id FROM dj_site.auth_user u, dj_site.auth_group g WHERE u.username = 'zoe' AND g.name = 'Readers';
SELECT set_has($$SELECT what, count FROM pg_temp.import()$$, $$VALUES ('conflict_user:zoe', 1::bigint)$$,
			   'a Django user whose name a hand-made user holds is reported');
SELECT ok((SELECT source IS NULL AND django_id IS NULL FROM inventree_perms.users WHERE name = 'zoe')
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.memberships WHERE username = 'zoe'),
		  '... and skipped: the hand-made user is untouched, no membership');
SELECT inventree_perms.drop_user('zoe');
SELECT set_hasnt($$SELECT what FROM pg_temp.import()$$, $$VALUES ('conflict_user:zoe')$$,
				 'once the clash ends ...');
SELECT ok((SELECT source = 'dj_site' FROM inventree_perms.users WHERE name = 'zoe')
		  AND EXISTS (SELECT 1 FROM inventree_perms.memberships WHERE username = 'zoe' AND groupname = 'Readers'),
		  '... the Django user is imported with its memberships');
-- A rename in Django onto a hand-made user's name.
SELECT inventree_perms.create_user('bobby');
UPDATE dj_site.auth_user SET username = 'bobby' WHERE username = 'bob';
SELECT set_has($$SELECT what, count FROM pg_temp.import()$$, $$VALUES ('conflict_user:bobby', 1::bigint)$$,
			   'a rename onto a hand-made user''s name is reported');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'bob' AND source = 'dj_site')
		  AND (SELECT source IS NULL FROM inventree_perms.users WHERE name = 'bobby'),
		  '... the imported user keeps its name, the hand-made one is untouched');
SELECT inventree_perms.drop_user('bobby');
SELECT lives_ok($$SELECT * FROM pg_temp.import()$$, '... once the clash ends');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'bobby' AND source = 'dj_site')
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'bob'),
		  '... the rename happens');

-- 3. A model name the SPEC refuses is reported by name ---------------------------
INSERT INTO dj_site.django_content_type (app_label, model)
VALUES ('plugin', 'a_model_name_that_is_far_too_long_to_be_a_model_name_here_xyz');
SELECT set_has($$SELECT what, count FROM pg_temp.import()$$,
			   $$VALUES ('invalid_model_names', 1::bigint),
						('invalid_model:plugin_a_model_name_that_is_far_too_long_to_be_a_model_name_here_xyz', 1::bigint)$$,
			   'a model name longer than 63 characters is reported by name');

-- 4. Through the link ------------------------------------------------------------
SELECT inventree_perms.link_django('dj_site');
SELECT inventree_perms.grant_user_perm('carol', 'widget', 'delete');
UPDATE dj_site.auth_user SET username = 'carol.c' WHERE username = 'carol';
SELECT ok(inventree_perms.has_model_perm('carol.c', 'widget', 'delete')
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'carol'),
		  'a rename through the link is a rename: the hand-made grant stays');
SELECT is((SELECT detail->>'from' FROM inventree_perms.audit_log
		   WHERE operation = 'rename_user' ORDER BY id DESC LIMIT 1), 'carol',
		  '... with its audit row');

SELECT * FROM finish();
ROLLBACK;
