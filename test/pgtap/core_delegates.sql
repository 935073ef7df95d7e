-- core_delegates.sql -- SPEC "Safety rules": stored references never pass to
-- a new object (a delegate whose role is dropped stops counting, a new role
-- that later gets the same OID or name is not a delegate), and a
-- session-level acting user stops applying at the next statement once the
-- role that set it is no longer a superuser or delegate.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(27);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

CREATE ROLE dl_app;
CREATE ROLE dl_gone;
CREATE ROLE dl_ren;
CREATE ROLE dl_other;
CREATE ROLE dl_su SUPERUSER;
CREATE ROLE dl_member;
CREATE ROLE dl_group;
GRANT dl_group TO dl_member;
DO $$ BEGIN
	PERFORM inventree_perms.create_user('dl_alice');
	PERFORM inventree_perms.register_model('dl_part');
	PERFORM inventree_perms.grant_user_perm('dl_alice', 'dl_part', 'view');
	PERFORM inventree_perms.add_delegate(r) FROM unnest(ARRAY['dl_app', 'dl_gone', 'dl_ren', 'dl_group']::regrole[]) r;
END $$;
SELECT is((SELECT array_agg(role_name::text ORDER BY role_name) FROM inventree_perms.delegates),
		  ARRAY['dl_app', 'dl_gone', 'dl_group', 'dl_ren'], 'add_delegate keeps each role''s name beside its OID');

-- a dropped delegate stops counting; a new role of the same name is no delegate
SET LOCAL ROLE dl_gone;
SELECT lives_ok($$SELECT inventree_perms.set_acting_user('dl_alice')$$, 'a delegate may set the acting user');
RESET ROLE;
SELECT oid AS gone_oid FROM pg_roles WHERE rolname = 'dl_gone' \gset
DROP ROLE dl_gone;
CREATE ROLE dl_gone;
SELECT isnt((SELECT oid FROM pg_roles WHERE rolname = 'dl_gone'), :'gone_oid'::oid, 'the new dl_gone has another OID');
SET LOCAL ROLE dl_gone;
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('dl_alice')$$, '42501', NULL,
				 'a new role with a dropped delegate''s name is no delegate');
RESET ROLE;
-- the same OID for a new role cannot be forced; make the row point at the new
-- role's OID as a reused OID would (under the old name it was added with)
UPDATE inventree_perms.delegates SET role = 'dl_other'::regrole WHERE role_name = 'dl_gone';
SET LOCAL ROLE dl_other;
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('dl_alice')$$, '42501', NULL,
				 'a role that got a dropped delegate''s OID is no delegate');
RESET ROLE;
UPDATE inventree_perms.delegates SET role = :'gone_oid'::oid::regrole WHERE role_name = 'dl_gone';

-- a renamed delegate stops counting (fail closed) until it is added again
ALTER ROLE dl_ren RENAME TO dl_ren2;
SET LOCAL ROLE dl_ren2;
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('dl_alice')$$, '42501', NULL,
				 'a renamed delegate no longer counts');
RESET ROLE;

-- add_delegate and remove_delegate forget the rows that no longer count, audited
SELECT lives_ok($$SELECT inventree_perms.remove_delegate('dl_other')$$, 'remove_delegate of a role that is none');
SELECT is((SELECT array_agg(role_name::text ORDER BY role_name) FROM inventree_perms.delegates),
		  ARRAY['dl_app', 'dl_group'], 'the dropped and the renamed delegate are no longer listed');
SELECT is((SELECT array_agg(target ORDER BY target) FROM inventree_perms.audit_log WHERE operation = 'forget_delegate'),
		  ARRAY['dl_gone', 'dl_ren'], 'each forgotten row is audited');
SELECT lives_ok($$SELECT inventree_perms.add_delegate('dl_ren2')$$, 'the renamed role is added again');
SET LOCAL ROLE dl_ren2;
SELECT lives_ok($$SELECT inventree_perms.set_acting_user('dl_alice')$$, 'and counts again');
RESET ROLE;

-- a member of a delegate role may act, and stops when the membership goes
SET LOCAL ROLE dl_member;
SELECT inventree_perms.set_acting_user('dl_alice', false);
SELECT is(inventree_perms.acting_user(), 'dl_alice', 'a member of a delegate role sets a session acting user');
RESET ROLE;
REVOKE dl_group FROM dl_member;
SET LOCAL ROLE dl_member;
SELECT is(inventree_perms.acting_user(), 'dl_member', 'membership revoked: the acting user no longer applies');
RESET ROLE;
SELECT inventree_perms.reset_acting_user();

-- a session-level acting user stops applying at the next statement once its
-- setter is no longer a delegate (remove_delegate) ...
SET LOCAL ROLE dl_app;
SELECT inventree_perms.set_acting_user('dl_alice', false);
SELECT is(inventree_perms.acting_user(), 'dl_alice', 'the delegate acts for dl_alice');
SELECT is(inventree_perms.has_model_perm('dl_part', 'view'), true, 'with dl_alice''s permissions');
RESET ROLE;
SELECT is(inventree_perms.acting_user(), 'dl_alice', 'also after RESET ROLE: the setter is still a delegate');
SELECT lives_ok($$SELECT inventree_perms.remove_delegate('dl_app')$$, 'remove_delegate');
SET LOCAL ROLE dl_app;
SELECT is(inventree_perms.acting_user(), 'dl_app', 'the next statement: acting_user() is current_user');
SELECT is(inventree_perms.has_model_perm('dl_part', 'view'), false, 'and the 2-argument check answers for it');
SELECT is(current_setting('inventree_perms.acting_user'), '', 'the setting was reset');
SELECT is(inventree_perms.has_model_perm('dl_alice', 'dl_part', 'view'), true, 'the 3-argument check is unchanged');
RESET ROLE;

-- ... or a superuser (ALTER ROLE .. NOSUPERUSER) ...
SET LOCAL ROLE dl_su;
SELECT inventree_perms.set_acting_user('dl_alice', false);
RESET ROLE;
SELECT is(inventree_perms.acting_user(), 'dl_alice', 'a superuser role set the acting user');
ALTER ROLE dl_su NOSUPERUSER;
SELECT is(inventree_perms.acting_user(), current_user::text, 'after NOSUPERUSER it no longer applies');

-- ... or exists at all (DROP ROLE of the delegate)
SELECT inventree_perms.add_delegate('dl_other');
SET LOCAL ROLE dl_other;
SELECT inventree_perms.set_acting_user('dl_alice', false);
RESET ROLE;
SELECT is(inventree_perms.acting_user(), 'dl_alice', 'a delegate set the acting user');
DROP ROLE dl_other;
SELECT is(inventree_perms.acting_user(), current_user::text, 'after DROP ROLE of the delegate it no longer applies');

-- a superuser's SET of the setting: the superuser is the setter
SET inventree_perms.acting_user = 'dl_alice';
SELECT is(inventree_perms.acting_user(), 'dl_alice', 'a superuser''s SET applies');
RESET inventree_perms.acting_user;

-- a delegate that stays one keeps acting
SELECT inventree_perms.add_delegate('dl_app');
SET LOCAL ROLE dl_app;
SELECT inventree_perms.set_acting_user('dl_alice', false);
RESET ROLE;
SELECT inventree_perms.create_user('dl_bob');
SET LOCAL ROLE dl_app;
SELECT is(inventree_perms.acting_user(), 'dl_alice', 'unrelated changes do not end a delegate''s acting user');
RESET ROLE;
SELECT inventree_perms.reset_acting_user();

SELECT * FROM finish();
ROLLBACK;
