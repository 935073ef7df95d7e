-- roles_inherit.sql -- SPEC "Roles -- InvenTree's rulesets", change
-- inheritance (InvenTree's RULESET_CHANGE_INHERIT, shipped: part ->
-- part_bomitem): a group holding a role's change flag holds every action on
-- the inheriting model, in has_model_perm, user_permissions() and
-- my_permissions; has_role_perm is unchanged; add_change_inherit /
-- remove_change_inherit (administrators only, 42501 first, no-op rules,
-- audit); removals of the shipped pair are catalogue removals; the update
-- from 1.1 ships the pair.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(99);
-- The matrix queries below cost enough for JIT; loading llvmjit under
-- valgrind (test/sanitize.sh) shows glibc's loader, nothing of ours.
SET LOCAL jit = off;

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

CREATE TEMP TABLE exp_inherits (role text, model text);
\copy exp_inherits FROM 'data/inventree_change_inherits.csv' WITH (FORMAT csv, HEADER true)

-- the four answers of has_model_perm for (user, model), as 'vacd' with '-'
-- for a refused action
CREATE FUNCTION pg_temp.perms(u text, m text) RETURNS text
LANGUAGE sql AS $$
	SELECT string_agg(CASE WHEN inventree_perms.has_model_perm(u, m, a) THEN left(a, 1) ELSE '-' END, ''
					  ORDER BY o)
	FROM unnest('{view,add,change,delete}'::text[]) WITH ORDINALITY x(a, o)
$$;
CREATE FUNCTION pg_temp.role_perms(u text, r text) RETURNS text
LANGUAGE sql AS $$
	SELECT string_agg(CASE WHEN inventree_perms.has_role_perm(u, r, a) THEN left(a, 1) ELSE '-' END, ''
					  ORDER BY o)
	FROM unnest('{view,add,change,delete}'::text[]) WITH ORDINALITY x(a, o)
$$;
CREATE FUNCTION pg_temp.inherit_rows(u text) RETURNS text
LANGUAGE sql AS $$
	SELECT coalesce(string_agg(model || ' ' || action || ' ' || via, ', ' ORDER BY model, action, via), '')
	FROM inventree_perms.user_permissions(u) WHERE via LIKE 'inherit:%'
$$;
CREATE FUNCTION pg_temp.marks() RETURNS text
LANGUAGE sql AS $$
	SELECT coalesce(string_agg(name || '/' || model, ' ' ORDER BY name, model), '')
	FROM inventree_perms.catalogue_removals WHERE kind = 'change_inherit'
$$;
CREATE FUNCTION pg_temp.audit_rows() RETURNS bigint
LANGUAGE sql AS $$ SELECT count(*) FROM inventree_perms.audit_log $$;

-- 1. The shipped catalogue ---------------------------------------------------
SELECT is((SELECT count(*) FROM exp_inherits), 1::bigint, '(the CSV has one pair: part -> part_bomitem)');
SELECT set_eq($$SELECT role, model FROM inventree_perms.role_change_inherits$$,
			  $$SELECT role, model FROM exp_inherits$$, 'the shipped change inheritance is the CSV''s');
SELECT ok((SELECT bool_and(shipped) FROM inventree_perms.role_change_inherits), '... marked shipped');
SELECT ok(EXISTS (SELECT FROM pg_extension, unnest(extconfig) c
				  WHERE extname = 'inventree_perms' AND c = 'inventree_perms.role_change_inherits'::regclass),
		  'role_change_inherits is registered with pg_extension_config_dump');
SELECT is((SELECT count(*) FROM pg_trigger
		   WHERE tgrelid = 'inventree_perms.role_change_inherits'::regclass AND NOT tgisinternal
			 AND tgname IN ('inventree_perms_invalidate', 'inventree_perms_invalidate_truncate',
							'inventree_perms_guard', 'inventree_perms_guard_truncate')
			 AND tgenabled = 'A'), 4::bigint,
		  'it has the invalidation and write-guard triggers, ENABLE ALWAYS');
SELECT ok(NOT EXISTS (SELECT FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
					  WHERE c.oid = 'inventree_perms.role_change_inherits'::regclass AND a.grantee = 0),
		  'PUBLIC has no privilege on it');

-- 2. has_model_perm ----------------------------------------------------------
-- One group per way of holding the part role; users one per group.
SELECT inventree_perms.create_group(g) FROM unnest('{g_change,g_view,g_add,g_delete,g_all,g_none}'::text[]) g;
SELECT inventree_perms.create_user(u) FROM unnest('{u_change,u_view,u_add,u_delete,u_all,u_none,u_two}'::text[]) u;
SELECT inventree_perms.create_user('u_inactive', false, false);
SELECT inventree_perms.create_user('u_super', true);
SELECT inventree_perms.create_user('u_super_inactive', true, false);
SELECT inventree_perms.add_user_to_group(u, g) FROM (VALUES ('u_change', 'g_change'), ('u_view', 'g_view'),
	('u_add', 'g_add'), ('u_delete', 'g_delete'), ('u_all', 'g_all'), ('u_none', 'g_none'),
	('u_two', 'g_view'), ('u_two', 'g_change'), ('u_inactive', 'g_change'),
	('u_super_inactive', 'g_change')) x(u, g);
SELECT inventree_perms.grant_group_role('g_change', 'part', 'change');
SELECT inventree_perms.grant_group_role('g_view', 'part', 'view');
SELECT inventree_perms.grant_group_role('g_all', 'part', 'all');
-- a flag without change: only by DML (grant_group_role's monotone rule would
-- set change too), as a Django ruleset saved by hand could hold it
INSERT INTO inventree_perms.group_roles (groupname, role, action) VALUES
	('g_add', 'part', 'view'), ('g_add', 'part', 'add'),
	('g_delete', 'part', 'view'), ('g_delete', 'part', 'delete');

SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'vacd',
		  'part change flag: every action on part_bomitem (add and delete by inheritance)');
SELECT is(pg_temp.perms('u_change', 'part_part'), 'v-c-',
		  '... and only its flags on part_part (a model it covers without inheritance)');
SELECT is(pg_temp.perms('u_view', 'part_bomitem'), 'v---', 'part view flag alone: only view on part_bomitem');
SELECT is(pg_temp.perms('u_add', 'part_bomitem'), 'va--', 'part view+add flags (no change): no change or delete');
SELECT is(pg_temp.perms('u_delete', 'part_bomitem'), 'v--d', 'part view+delete flags (no change): no add or change');
SELECT is(pg_temp.perms('u_all', 'part_bomitem'), 'vacd', 'all part flags: every action');
SELECT is(pg_temp.perms('u_none', 'part_bomitem'), '----', 'no flag: nothing');
SELECT is(pg_temp.perms('u_two', 'part_bomitem'), 'vacd', 'a user in a view group and a change group: every action');
SELECT is(pg_temp.perms('u_inactive', 'part_bomitem'), '----', 'inactive user in the change group: nothing');
SELECT is(pg_temp.perms('u_super_inactive', 'part_bomitem'), '----', 'inactive superuser in the change group: nothing');
SELECT is(pg_temp.perms('u_super', 'part_bomitem'), 'vacd', 'superuser: every action (as always)');
SELECT is(pg_temp.perms('nobody at all', 'part_bomitem'), '----', 'unknown user: nothing');
SELECT is(pg_temp.perms('u_change', 'build_build'), '----', 'the part role''s change flag gives nothing on other roles'' models');
-- the build role covers part_bomitem too, but only part's change flag is inherited
SELECT inventree_perms.create_group('g_build');
SELECT inventree_perms.create_user('u_build');
SELECT inventree_perms.add_user_to_group('u_build', 'g_build');
SELECT inventree_perms.grant_group_role('g_build', 'build', 'change');
SELECT is(pg_temp.perms('u_build', 'part_bomitem'), 'v-c-',
		  'build''s change flag (build covers part_bomitem too, no inheritance): its flags only');

-- has_role_perm is InvenTree's check_user_role: inheritance is no role flag
SELECT is(pg_temp.role_perms('u_change', 'part'), 'v-c-', 'has_role_perm: the change group holds view and change of part, not more');
SELECT is(pg_temp.role_perms('u_view', 'part'), 'v---', 'has_role_perm: view only');

-- a role of one's own, inheriting to a model it does not cover
SELECT inventree_perms.create_role('qa');
SELECT inventree_perms.register_model('qa_line');
SELECT inventree_perms.register_model('qa_sheet');
SELECT inventree_perms.add_model_to_role('qa', 'qa_sheet');
SELECT inventree_perms.create_group(g) FROM unnest('{qa_change,qa_view}'::text[]) g;
SELECT inventree_perms.create_user(u) FROM unnest('{u_qa_change,u_qa_view}'::text[]) u;
SELECT inventree_perms.add_user_to_group('u_qa_change', 'qa_change');
SELECT inventree_perms.add_user_to_group('u_qa_view', 'qa_view');
SELECT inventree_perms.grant_group_role('qa_change', 'qa', 'change');
SELECT inventree_perms.grant_group_role('qa_view', 'qa', 'view');
SELECT is(pg_temp.perms('u_qa_change', 'qa_line'), '----', 'before add_change_inherit: nothing on a model the role does not cover');
-- (the cache is warm now; the next statement sees the change)
SELECT lives_ok($$SELECT inventree_perms.add_change_inherit('qa', 'qa_line')$$, 'add_change_inherit');
SELECT is(pg_temp.perms('u_qa_change', 'qa_line'), 'vacd',
		  'after it, next statement: the change group holds every action on a model its role does not cover');
SELECT is(pg_temp.perms('u_qa_view', 'qa_line'), '----', '... a view group nothing');
SELECT is(pg_temp.perms('u_qa_change', 'qa_sheet'), 'v-c-', '... the role''s own model keeps the flags');

-- 3. Freshness: every change counts from the next statement --------------------
SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'vacd', '(warm) part change group: every action');
SELECT inventree_perms.remove_change_inherit('part', 'part_bomitem');
SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'v-c-', 'remove_change_inherit: the next statement answers with the flags only');
SELECT inventree_perms.add_change_inherit('part', 'part_bomitem');
SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'vacd', 'add_change_inherit again: every action again');
SELECT inventree_perms.revoke_group_role('g_change', 'part', 'change');
SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'v---', 'revoking the change flag: the next statement answers view only');
SELECT inventree_perms.grant_group_role('g_change', 'part', 'change');
SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'vacd', 'granting it again: every action');
DELETE FROM inventree_perms.group_roles WHERE groupname = 'g_change' AND role = 'part' AND action = 'change';
SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'v---', 'the flag deleted by DML: view only');
INSERT INTO inventree_perms.group_roles (groupname, role, action) VALUES ('g_change', 'part', 'change');
SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'vacd', 'the flag inserted by DML: every action');
DELETE FROM inventree_perms.role_change_inherits WHERE role = 'qa';
SELECT is(pg_temp.perms('u_qa_change', 'qa_line'), '----', 'the inheritance deleted by DML: nothing');
INSERT INTO inventree_perms.role_change_inherits (role, model) VALUES ('qa', 'qa_line');
SELECT is(pg_temp.perms('u_qa_change', 'qa_line'), 'vacd', 'inserted by DML: every action');
SAVEPOINT truncated;
TRUNCATE inventree_perms.role_change_inherits;
SELECT is(pg_temp.perms('u_qa_change', 'qa_line') || pg_temp.perms('u_change', 'part_bomitem'), '----v-c-',
		  'TRUNCATE of role_change_inherits: no inheritance');
ROLLBACK TO SAVEPOINT truncated;
SELECT is(pg_temp.perms('u_qa_change', 'qa_line'), 'vacd', 'rolled back: every action again');
SAVEPOINT aborted;
SELECT inventree_perms.remove_change_inherit('qa', 'qa_line');
SELECT is(pg_temp.perms('u_qa_change', 'qa_line'), '----', '(in a savepoint) removed');
ROLLBACK TO SAVEPOINT aborted;
SELECT is(pg_temp.perms('u_qa_change', 'qa_line'), 'vacd', 'a removal rolled back is forgotten');
SAVEPOINT dropped;
SELECT inventree_perms.unregister_model('qa_line');
SELECT is((SELECT count(*) FROM inventree_perms.role_change_inherits WHERE model = 'qa_line'), 0::bigint,
		  'unregister_model removes the model''s inheritance (cascade)');
SELECT inventree_perms.drop_role('qa');
SELECT is((SELECT count(*) FROM inventree_perms.role_change_inherits WHERE role = 'qa'), 0::bigint,
		  'drop_role removes the role''s inheritance (cascade)');
ROLLBACK TO SAVEPOINT dropped;

-- 4. user_permissions() and my_permissions ------------------------------------
SELECT is(pg_temp.inherit_rows('u_change'),
		  'part_bomitem add inherit:part@g_change, part_bomitem change inherit:part@g_change, '
		  'part_bomitem delete inherit:part@g_change, part_bomitem view inherit:part@g_change',
		  'user_permissions: one inherit:<role>@<group> row for each of the four actions');
SELECT is((SELECT string_agg(action || ' ' || via, ', ' ORDER BY action, via)
		   FROM inventree_perms.user_permissions('u_change') WHERE model = 'part_bomitem' AND via NOT LIKE 'inherit:%'),
		  'change role:part@g_change, view role:part@g_change', '... beside the role flag rows');
SELECT is(pg_temp.inherit_rows('u_two'),
		  'part_bomitem add inherit:part@g_change, part_bomitem change inherit:part@g_change, '
		  'part_bomitem delete inherit:part@g_change, part_bomitem view inherit:part@g_change',
		  'a user in two groups: the rows name the group with the change flag');
SELECT is(pg_temp.inherit_rows('u_view'), '', 'a view-only group: no inherit rows');
SELECT is(pg_temp.inherit_rows('u_add'), '', 'view+add flags without change: no inherit rows');
SELECT is(pg_temp.inherit_rows('u_inactive'), '', 'an inactive user: no rows');
SELECT is(pg_temp.inherit_rows('u_qa_change'),
		  'qa_line add inherit:qa@qa_change, qa_line change inherit:qa@qa_change, '
		  'qa_line delete inherit:qa@qa_change, qa_line view inherit:qa@qa_change',
		  'a role of one''s own: the same four rows');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT u.name, p.model, p.action
								  FROM inventree_perms.users u, inventree_perms.user_permissions(u.name) p) x),
		  (SELECT count(*) FROM inventree_perms.users u, inventree_perms.models m,
				  unnest('{view,add,change,delete}'::text[]) a
		   WHERE inventree_perms.has_model_perm(u.name, m.name, a)),
		  'user_permissions lists exactly what has_model_perm grants (every user, model and action)');
SELECT inventree_perms.set_acting_user('u_change');
SELECT is((SELECT can_view::text || can_add || can_change || can_delete FROM inventree_perms.my_permissions
		   WHERE model = 'part_bomitem'), 'truetruetruetrue', 'my_permissions follows: all four on part_bomitem');
SELECT is(pg_temp.inherit_rows(inventree_perms.acting_user()),
		  'part_bomitem add inherit:part@g_change, part_bomitem change inherit:part@g_change, '
		  'part_bomitem delete inherit:part@g_change, part_bomitem view inherit:part@g_change',
		  'user_permissions() of the acting user');
SELECT inventree_perms.set_acting_user('u_view');
SELECT is((SELECT can_view::text || can_add || can_change || can_delete FROM inventree_perms.my_permissions
		   WHERE model = 'part_bomitem'), 'truefalsefalsefalse', 'my_permissions of a view-only user');
SELECT inventree_perms.reset_acting_user();

-- 5. Managing -----------------------------------------------------------------
CREATE ROLE inh_stranger;
CREATE ROLE inh_plain;
CREATE ROLE inh_admin;
SELECT inventree_perms.create_user('inh_plain');
SELECT inventree_perms.create_user('inh_admin');
SELECT inventree_perms.grant_user_perm('inh_admin', 'user', 'change');
GRANT ALL ON inventree_perms.role_change_inherits TO inh_plain;	-- a mistaken grant
SET ROLE inh_plain;
SELECT throws_ok($$SELECT inventree_perms.add_change_inherit('part', 'part_bomitem')$$, '42501', NULL,
				 'add_change_inherit: administrators only');
SELECT throws_ok($$SELECT inventree_perms.remove_change_inherit('part', 'part_bomitem')$$, '42501', NULL,
				 'remove_change_inherit: administrators only');
SELECT throws_ok($$SELECT inventree_perms.add_change_inherit(NULL, NULL)$$, '42501', NULL,
				 '42501 before the NULL check');
SELECT throws_ok($$SELECT inventree_perms.remove_change_inherit('Bad Role', 'no_such_model')$$, '42501', NULL,
				 '42501 before the name checks');
SELECT throws_ok($$INSERT INTO inventree_perms.role_change_inherits (role, model) VALUES ('part', 'part_part')$$,
				 '42501', NULL, 'the write guard: a mistaken table grant writes nothing');
SELECT throws_ok($$DELETE FROM inventree_perms.role_change_inherits$$, '42501', NULL, '... nor deletes');
SELECT throws_ok($$TRUNCATE inventree_perms.role_change_inherits$$, '42501', NULL, '... nor truncates');
SET ROLE inh_stranger;
SELECT throws_ok($$SELECT inventree_perms.add_change_inherit('part', 'part_bomitem')$$, '42501', NULL,
				 'a role that is no user: 42501');
RESET ROLE;
SELECT is((SELECT count(*) FROM inventree_perms.role_change_inherits WHERE model = 'part_part'), 0::bigint,
		  '(the refused insert left nothing)');

SET ROLE inh_admin;
SELECT throws_ok($$SELECT inventree_perms.add_change_inherit(NULL, 'part_part')$$, '22004', NULL,
				 'an administrator: a NULL role 22004');
SELECT throws_ok($$SELECT inventree_perms.remove_change_inherit('part', NULL)$$, '22004', NULL, 'a NULL model 22004');
SELECT throws_ok($$SELECT inventree_perms.add_change_inherit('no_such_role', 'part_part')$$, '42704', NULL,
				 'unknown role 42704');
SELECT throws_ok($$SELECT inventree_perms.add_change_inherit('part', 'no_such_model')$$, '42704', NULL,
				 'unknown model 42704');
SELECT throws_ok($$SELECT inventree_perms.remove_change_inherit('no_such_role', 'part_part')$$, '42704', NULL,
				 'remove: unknown role 42704');
SELECT throws_ok($$SELECT inventree_perms.remove_change_inherit('part', 'no_such_model')$$, '42704', NULL,
				 'remove: unknown model 42704');
SELECT throws_ok($$SELECT inventree_perms.add_change_inherit('Bad Role', 'part_part')$$, '22023', NULL,
				 'a malformed role name 22023');
RESET ROLE;
SELECT pg_temp.audit_rows() AS a0 \gset
SET ROLE inh_admin;
SELECT lives_ok($$SELECT inventree_perms.add_change_inherit('stock', 'part_part')$$,
				'an administrator (change on user) adds an inheritance');
SELECT lives_ok($$SELECT inventree_perms.add_change_inherit('stock', 'part_part')$$, 'adding it twice: no error');
SELECT lives_ok($$SELECT inventree_perms.remove_change_inherit('stock', 'company_company')$$,
				'removing one that is not there: no error');
RESET ROLE;
SELECT is(pg_temp.audit_rows(), :a0::bigint + 1, '... one audit row for the three calls');
SELECT is((SELECT session_role || ' ' || acting_user || ' ' || operation || ' ' || target || ' ' || detail::text
		   FROM inventree_perms.audit_log ORDER BY id DESC LIMIT 1),
		  'inh_admin inh_admin add_change_inherit stock {"model": "part_part"}', 'the audit row says who, what, to what');
SET ROLE inh_admin;
SELECT lives_ok($$SELECT inventree_perms.remove_change_inherit('stock', 'part_part')$$, 'remove_change_inherit');
SELECT lives_ok($$SELECT inventree_perms.remove_change_inherit('stock', 'part_part')$$, 'removing it twice: no error');
RESET ROLE;
SELECT is(pg_temp.audit_rows(), :a0::bigint + 2, '... one audit row for the two calls');
SELECT is((SELECT operation || ' ' || target || ' ' || detail::text FROM inventree_perms.audit_log ORDER BY id DESC LIMIT 1),
		  'remove_change_inherit stock {"model": "part_part"}', 'the removal''s audit row');
SELECT is((SELECT count(*) FROM inventree_perms.role_change_inherits WHERE role = 'stock'), 0::bigint,
		  'nothing of it remains');
SELECT is((SELECT shipped FROM inventree_perms.role_change_inherits WHERE role = 'qa'), false,
		  'a pair added by hand is not shipped');

-- 6. Catalogue removals -------------------------------------------------------
-- (the shipped pair was removed and added again in 3.: that took the mark away)
SELECT is(pg_temp.marks(), '', 'adding a removed shipped pair again takes its mark away');
SELECT is((SELECT shipped FROM inventree_perms.role_change_inherits WHERE role = 'part'), false,
		  '... and the pair added again is one made by hand');
UPDATE inventree_perms.role_change_inherits SET shipped = true WHERE role = 'part';	-- as shipped again
SELECT inventree_perms.remove_change_inherit('part', 'part_bomitem');
SELECT is(pg_temp.marks(), 'part/part_bomitem', 'remove_change_inherit of the shipped pair leaves a mark');
SELECT inventree_perms.remove_change_inherit('qa', 'qa_line');
SELECT is(pg_temp.marks(), 'part/part_bomitem', 'a pair made by hand leaves none');
SELECT inventree_perms.add_change_inherit('qa', 'qa_line');
SAVEPOINT marks;
-- a restore: CREATE EXTENSION loaded the shipped pair, then the marks and rows come back
INSERT INTO inventree_perms.role_change_inherits (role, model, shipped) VALUES ('part', 'part_bomitem', true);
SELECT is(pg_temp.marks(), '', '(the shipped pair back, no mark)');
INSERT INTO inventree_perms.catalogue_removals (kind, name, model) VALUES ('change_inherit', 'part', 'part_bomitem');
SELECT is((SELECT count(*) FROM inventree_perms.role_change_inherits WHERE role = 'part'), 0::bigint,
		  'a restored mark removes the shipped pair');
SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'v-c-', '... and the next statement answers so');
INSERT INTO inventree_perms.catalogue_removals (kind, name, model) VALUES ('change_inherit', 'qa', 'qa_line');
SELECT is((SELECT count(*) FROM inventree_perms.role_change_inherits WHERE role = 'qa'), 1::bigint,
		  'a mark never removes a pair made by hand');
DELETE FROM inventree_perms.catalogue_removals WHERE kind = 'change_inherit' AND name = 'qa';
-- a restored copy of a shipped pair that is there already
INSERT INTO inventree_perms.role_change_inherits (role, model, shipped) VALUES ('part', 'part_bomitem', true);
SELECT lives_ok($$INSERT INTO inventree_perms.role_change_inherits (role, model, shipped)
				  VALUES ('part', 'part_bomitem', false)$$,
				'a restored copy of a shipped pair already there is no conflict');
SELECT is((SELECT count(*)::text || ' ' || bool_and(shipped) FROM inventree_perms.role_change_inherits WHERE role = 'part'),
		  '1 false', '... it updates the row (shipped as dumped)');
ROLLBACK TO SAVEPOINT marks;
SAVEPOINT cascades;
SELECT inventree_perms.add_change_inherit('part', 'part_bomitem');
UPDATE inventree_perms.role_change_inherits SET shipped = true WHERE role = 'part';
SELECT inventree_perms.drop_role('part');
SELECT is(pg_temp.marks(), 'part/part_bomitem', 'drop_role of a catalogue role marks its shipped inheritance');
ROLLBACK TO SAVEPOINT cascades;
SAVEPOINT cascades2;
SELECT inventree_perms.add_change_inherit('part', 'part_bomitem');
UPDATE inventree_perms.role_change_inherits SET shipped = true WHERE role = 'part';
SELECT inventree_perms.unregister_model('part_bomitem');
SELECT is(pg_temp.marks(), 'part/part_bomitem', 'unregister_model of the inheriting model marks it');
SELECT throws_ok($$INSERT INTO inventree_perms.catalogue_removals (kind, name, model) VALUES ('bogus', 'part', 'x')$$,
				 '23514', NULL, 'catalogue_removals: an unknown kind is refused');
ROLLBACK TO SAVEPOINT cascades2;

-- 7. The update from 1.1 ------------------------------------------------------
SAVEPOINT upgrade;
DROP EXTENSION inventree_perms CASCADE;
CREATE EXTENSION inventree_perms VERSION '1.1';
SELECT inventree_perms.create_group('g_change');
SELECT inventree_perms.create_user('u_change');
SELECT inventree_perms.add_user_to_group('u_change', 'g_change');
SELECT inventree_perms.grant_group_role('g_change', 'part', 'change');
SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'v-c-', '1.1 (with this library): the flags only');
ALTER EXTENSION inventree_perms UPDATE TO '1.2';
SELECT is((SELECT string_agg(role || '/' || model || ' ' || shipped, ',') FROM inventree_perms.role_change_inherits),
		  'part/part_bomitem true', 'the update ships part -> part_bomitem');
SELECT is(pg_temp.perms('u_change', 'part_bomitem'), 'vacd', '... and the next statement answers every action');
ROLLBACK TO SAVEPOINT upgrade;
SAVEPOINT upgrade_removed;
DROP EXTENSION inventree_perms CASCADE;
CREATE EXTENSION inventree_perms VERSION '1.1';
SELECT inventree_perms.drop_role('part');
SELECT inventree_perms.create_role('part', 'Parts, by hand');
ALTER EXTENSION inventree_perms UPDATE TO '1.2';
SELECT is((SELECT count(*) FROM inventree_perms.role_change_inherits), 0::bigint,
		  'the update from a 1.1 whose catalogue part role was removed ships no pair');
SELECT is(pg_temp.marks(), 'part/part_bomitem', '... and marks it removed (a restore keeps it removed)');
ROLLBACK TO SAVEPOINT upgrade_removed;

-- (outside every savepoint, so that finish() counts the tests above)
SELECT is(pg_temp.perms('u_change', 'part_bomitem') || ' ' || pg_temp.marks(), 'v-c- part/part_bomitem',
		  'back in 1.2: the shipped pair removed in 6. is still removed and marked');

SELECT * FROM finish();
ROLLBACK;
