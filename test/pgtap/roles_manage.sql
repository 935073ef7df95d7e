-- roles_manage.sql -- SPEC "Roles -- InvenTree's rulesets": the shipped
-- catalogue, role management, the monotone flag rule, has_role_perm's order,
-- has_model_perm honouring roles, open models.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(64);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

CREATE TEMP TABLE exp_role_models (role text, model text);
\copy exp_role_models FROM 'data/inventree_roles.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE exp_open (model text, note text);
\copy exp_open FROM 'data/inventree_open_models.csv' WITH (FORMAT csv, HEADER true)

CREATE FUNCTION pg_temp.flags(g text, r text) RETURNS text
LANGUAGE sql AS $$
	SELECT coalesce(string_agg(action, ',' ORDER BY array_position('{view,add,change,delete}'::text[], action)), '')
	FROM inventree_perms.group_roles WHERE groupname = g AND role = r
$$;
CREATE FUNCTION pg_temp.audit_rows() RETURNS bigint
LANGUAGE sql AS $$ SELECT count(*) FROM inventree_perms.audit_log $$;

-- 1. The shipped catalogue ---------------------------------------------------
SELECT is((SELECT count(*) FROM inventree_perms.roles), 10::bigint, '10 roles');
SELECT is((SELECT count(*) FROM inventree_perms.role_models), 95::bigint, '95 role -> model pairs');
SELECT is((SELECT count(*) FROM exp_role_models), 95::bigint, '(the CSV has 95 pairs)');
SELECT set_eq($$SELECT name FROM inventree_perms.roles$$, $$SELECT DISTINCT role FROM exp_role_models$$,
			  'the roles are InvenTree''s');
SELECT set_eq($$SELECT role, model FROM inventree_perms.role_models$$,
			  $$SELECT role, model FROM exp_role_models$$, 'the pairs are exactly the CSV''s');
SELECT ok((SELECT bool_and(shipped) FROM inventree_perms.role_models), 'every pair is marked shipped');
SELECT set_eq($$SELECT name FROM inventree_perms.models WHERE is_open$$, $$SELECT model FROM exp_open$$,
			  'the open models are InvenTree''s ignore list');

-- 2. Managing roles -----------------------------------------------------------
CREATE ROLE dj_nobody;
SELECT inventree_perms.create_user('dj_nobody');
SET ROLE dj_nobody;
SELECT throws_ok($$SELECT inventree_perms.create_role('qa')$$, '42501', NULL, 'create_role: administrators only');
SELECT throws_ok($$SELECT inventree_perms.grant_group_role('x', 'part', 'view')$$, '42501', NULL,
				 'grant_group_role: administrators only');
RESET ROLE;
SELECT lives_ok($$SELECT inventree_perms.create_role('qa', 'Quality')$$, 'create_role');
SELECT is((SELECT label FROM inventree_perms.roles WHERE name = 'qa'), 'Quality', '... with its label');
SELECT throws_ok($$SELECT inventree_perms.create_role('qa')$$, '42710', NULL, 'a duplicate role: 42710');
SELECT throws_ok($$SELECT inventree_perms.create_role('Bad Role')$$, '22023', NULL, 'a bad role name: 22023');
SELECT throws_ok($$SELECT inventree_perms.create_role(NULL)$$, '22004', NULL, 'a NULL role: 22004');
SELECT inventree_perms.register_model('qa_report');
SELECT lives_ok($$SELECT inventree_perms.add_model_to_role('qa', 'qa_report')$$, 'add_model_to_role');
SELECT lives_ok($$SELECT inventree_perms.add_model_to_role('qa', 'stock_stockitem')$$,
				'a catalogue model in a second role of one''s own');
SELECT pg_temp.audit_rows() AS a0 \gset
SELECT lives_ok($$SELECT inventree_perms.add_model_to_role('qa', 'qa_report')$$, 'adding it twice: no error');
SELECT is(pg_temp.audit_rows(), :a0::bigint, '... and no audit row');
SELECT throws_ok($$SELECT inventree_perms.add_model_to_role('nosuchrole', 'qa_report')$$, '42704', NULL,
				 'add_model_to_role: unknown role 42704');
SELECT throws_ok($$SELECT inventree_perms.add_model_to_role('qa', 'no_such_model')$$, '42704', NULL,
				 'add_model_to_role: unknown model 42704');

SELECT inventree_perms.create_user('ann');
SELECT inventree_perms.create_user('ben');
SELECT inventree_perms.create_group('QA Team');
SELECT inventree_perms.create_group('Builders');
SELECT inventree_perms.add_user_to_group('ann', 'QA Team');
SELECT inventree_perms.add_user_to_group('ben', 'Builders');
SELECT inventree_perms.grant_group_role('QA Team', 'qa', 'view');
SELECT ok(inventree_perms.has_model_perm('ann', 'qa_report', 'view'), 'a role of one''s own gives its models');
SELECT ok(inventree_perms.has_role_perm('ann', 'qa', 'view') AND NOT inventree_perms.has_role_perm('ann', 'qa', 'add'),
		  'has_role_perm on a role of one''s own');
SELECT lives_ok($$SELECT inventree_perms.remove_model_from_role('qa', 'qa_report')$$, 'remove_model_from_role');
SELECT ok(NOT inventree_perms.has_model_perm('ann', 'qa_report', 'view'), '... the role no longer gives it');
SELECT ok(inventree_perms.has_model_perm('ann', 'stock_stockitem', 'view'), '... but still its other model');
SELECT pg_temp.audit_rows() AS a1 \gset
SELECT lives_ok($$SELECT inventree_perms.remove_model_from_role('qa', 'qa_report')$$, 'removing it twice: no error');
SELECT is(pg_temp.audit_rows(), :a1::bigint, '... and no audit row');
SELECT lives_ok($$SELECT inventree_perms.drop_role('qa')$$, 'drop_role');
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.group_roles WHERE role = 'qa')
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.role_models WHERE role = 'qa'),
		  '... with its flags and its model list');
SELECT ok(NOT inventree_perms.has_model_perm('ann', 'stock_stockitem', 'view'), '... and what they gave');
SELECT throws_ok($$SELECT inventree_perms.drop_role('qa')$$, '42704', NULL, 'drop_role: unknown role 42704');

-- 3. The monotone rule ---------------------------------------------------------
SELECT inventree_perms.grant_group_role('Builders', 'build', 'add');
SELECT is(pg_temp.flags('Builders', 'build'), 'view,add,change', 'granting add also grants change and view');
SELECT inventree_perms.revoke_group_role('Builders', 'build', 'all');
SELECT inventree_perms.grant_group_role('Builders', 'build', 'delete');
SELECT is(pg_temp.flags('Builders', 'build'), 'view,change,delete', 'granting delete also grants change and view');
SELECT inventree_perms.revoke_group_role('Builders', 'build', 'all');
SELECT inventree_perms.grant_group_role('Builders', 'build', 'EDIT');
SELECT is(pg_temp.flags('Builders', 'build'), 'view,change', 'granting edit (= change) also grants view');
SELECT inventree_perms.revoke_group_role('Builders', 'build', 'all');
SELECT inventree_perms.grant_group_role('Builders', 'build', 'view');
SELECT is(pg_temp.flags('Builders', 'build'), 'view', 'granting view grants view only');
SELECT inventree_perms.grant_group_role('Builders', 'build', 'all');
SELECT is(pg_temp.flags('Builders', 'build'), 'view,add,change,delete', 'granting all');
SELECT inventree_perms.revoke_group_role('Builders', 'build', 'add');
SELECT is(pg_temp.flags('Builders', 'build'), 'view,change,delete', 'revoking add revokes add only');
SELECT inventree_perms.revoke_group_role('Builders', 'build', 'change');
SELECT is(pg_temp.flags('Builders', 'build'), 'view', 'revoking change revokes add and delete too');
SELECT inventree_perms.grant_group_role('Builders', 'build', 'all');
SELECT inventree_perms.revoke_group_role('Builders', 'build', 'delete');
SELECT is(pg_temp.flags('Builders', 'build'), 'view,add,change', 'revoking delete revokes delete only');
SELECT inventree_perms.revoke_group_role('Builders', 'build', 'view');
SELECT is(pg_temp.flags('Builders', 'build'), '', 'revoking view revokes all');
SELECT pg_temp.audit_rows() AS a2 \gset
SELECT inventree_perms.revoke_group_role('Builders', 'build', 'view');
SELECT is(pg_temp.audit_rows(), :a2::bigint, 'revoking what is not held: no audit row');
SELECT throws_ok($$SELECT inventree_perms.grant_group_role('Builders', 'build', 'fly')$$, '22023', NULL,
				 'grant_group_role: unknown action 22023');
SELECT throws_ok($$SELECT inventree_perms.grant_group_role('Builders', 'nosuchrole', 'view')$$, '42704', NULL,
				 'grant_group_role: unknown role 42704');
SELECT throws_ok($$SELECT inventree_perms.grant_group_role('Nobody', 'build', 'view')$$, '42704', NULL,
				 'grant_group_role: unknown group 42704');

-- 4. has_role_perm: the order of its rules ------------------------------------
SELECT inventree_perms.create_user('sue', true);
SELECT inventree_perms.create_user('old_sue', true, false);
SELECT inventree_perms.create_user('gone', false, false);
SELECT inventree_perms.add_user_to_group('gone', 'Builders');
SELECT inventree_perms.add_user_to_group('old_sue', 'Builders');
SELECT inventree_perms.grant_group_role('Builders', 'build', 'change');
SELECT ok(inventree_perms.has_role_perm(NULL, 'build', 'view') IS NULL
		  AND inventree_perms.has_role_perm('ben', NULL, 'view') IS NULL
		  AND inventree_perms.has_role_perm('ben', 'build', NULL) IS NULL
		  AND inventree_perms.has_role_perm(NULL::text, 'view') IS NULL, 'a NULL argument: NULL');
SELECT throws_ok($$SELECT inventree_perms.has_role_perm('nobody', 'nosuchrole', 'fly')$$, '22023', NULL,
				 'an unknown action is 22023 before an unknown role or user');
SELECT throws_ok($$SELECT inventree_perms.has_role_perm('ben', 'build', 'all')$$, '22023', NULL,
				 '"all" is no action here: 22023');
SELECT throws_ok($$SELECT inventree_perms.has_role_perm('nobody', 'nosuchrole', 'view')$$, '42704', NULL,
				 'an unknown role is 42704 before an unknown user');
SELECT ok(NOT inventree_perms.has_role_perm('nobody', 'build', 'view'), 'an unknown user: false');
SELECT ok(NOT inventree_perms.has_role_perm('gone', 'build', 'view'), 'an inactive user: false');
SELECT ok(NOT inventree_perms.has_role_perm('old_sue', 'build', 'view'), 'an inactive superuser: false');
SELECT ok(inventree_perms.has_role_perm('sue', 'transfer_order', 'delete'), 'a superuser: true');
SELECT ok(inventree_perms.has_role_perm('ben', 'build', 'Edit') AND NOT inventree_perms.has_role_perm('ben', 'build', 'delete'),
		  'a member: the group''s flags (edit = change, any case)');
SELECT ok(NOT inventree_perms.has_role_perm('ben', 'part', 'view'), 'a member: not another role''s flags');
CREATE ROLE ben;
SET ROLE ben;
SELECT ok(inventree_perms.has_role_perm('build', 'change') AND NOT inventree_perms.has_role_perm('build', 'add'),
		  'the two-argument form answers for the acting user');
RESET ROLE;

-- 5. has_model_perm honours roles; a table in several roles -------------------
SELECT ok(inventree_perms.has_model_perm('ben', 'part_part', 'change'),
		  'part_part is in roles part and build: build gives it');
SELECT ok(inventree_perms.has_model_perm('ben', 'stock_stockitem', 'change')
		  AND inventree_perms.has_model_perm('ben', 'build_builditem', 'change'),
		  'every model of the role');
SELECT ok(NOT inventree_perms.has_model_perm('ben', 'part_part', 'delete')
		  AND NOT inventree_perms.has_model_perm('ben', 'part_partpricing', 'view'),
		  'not an action the role lacks, nor a model of another role');
SELECT inventree_perms.grant_group_role('Builders', 'part', 'delete');
SELECT ok(inventree_perms.has_model_perm('ben', 'part_part', 'delete')
		  AND inventree_perms.has_model_perm('ben', 'part_partpricing', 'delete'),
		  'another role covering the table: either grants');
SELECT inventree_perms.revoke_group_role('Builders', 'build', 'view');
SELECT ok(inventree_perms.has_model_perm('ben', 'part_part', 'delete')
		  AND NOT inventree_perms.has_model_perm('ben', 'build_build', 'view'),
		  'revoking one role leaves what the other gives');

-- 6. Open models -----------------------------------------------------------------
SELECT is_empty($$SELECT o.model, a FROM exp_open o, unnest('{view,add,change,delete}'::text[]) a
				 WHERE NOT inventree_perms.has_model_perm('ann', o.model, a)$$,
				'every model of the ignore list is open to an active user with no grant');
SELECT is_empty($$SELECT o.model, a FROM exp_open o, unnest('{view,add,change,delete}'::text[]) a
				 WHERE inventree_perms.has_model_perm('gone', o.model, a)
					OR inventree_perms.has_model_perm('old_sue', o.model, a)$$,
				'... and closed to inactive users, superusers included');
SELECT ok(NOT inventree_perms.has_model_perm('ann', 'part_part', 'view'), 'a model not on the list is not open');
SELECT inventree_perms.register_model('qa_notes', open => true);
SELECT ok(inventree_perms.has_model_perm('ann', 'qa_notes', 'delete'), 'register_model(open => true)');

SELECT * FROM finish();
ROLLBACK;
