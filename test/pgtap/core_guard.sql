-- core_guard.sql -- SPEC "Safety rules": the extension's tables refuse every
-- write that does not come from its own functions -- also from members of
-- pg_write_all_data and from roles a superuser granted table privileges to
-- by mistake.  A PostgreSQL superuser writing directly is on his own.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(50);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

CREATE ROLE guard_writer;				-- member of pg_write_all_data
GRANT pg_write_all_data TO guard_writer;
GRANT pg_read_all_data TO guard_writer;
CREATE ROLE guard_granted;				-- given every table privilege by mistake
GRANT ALL ON ALL TABLES IN SCHEMA inventree_perms TO guard_granted;
GRANT ALL ON ALL SEQUENCES IN SCHEMA inventree_perms TO guard_granted;
GRANT pg_execute_server_program TO guard_granted;
CREATE ROLE guard_admin;				-- an administrator of the extension (not of PostgreSQL)
DO $$ BEGIN
	PERFORM inventree_perms.create_user('guard_writer');
	PERFORM inventree_perms.create_user('guard_granted');
	PERFORM inventree_perms.create_user('guard_admin');
	PERFORM inventree_perms.grant_user_perm('guard_admin', 'user', 'change');
	PERFORM inventree_perms.create_group('guard_staff');
	PERFORM inventree_perms.register_model('guard_part');
	PERFORM inventree_perms.add_user_to_group('guard_writer', 'guard_staff');
	PERFORM inventree_perms.grant_group_perm('guard_staff', 'guard_part', 'view');
END $$;

CREATE TEMP TABLE attempts (sql text);
GRANT SELECT ON attempts TO PUBLIC;
INSERT INTO attempts VALUES
	($$INSERT INTO inventree_perms.users (name, is_superuser) VALUES ('guard_forged', true)$$),
	($$UPDATE inventree_perms.users SET is_superuser = true WHERE name = current_user$$),
	($$DELETE FROM inventree_perms.users WHERE name = 'guard_admin'$$),
	($$TRUNCATE inventree_perms.memberships$$),
	($$INSERT INTO inventree_perms.user_perms (username, model, action) VALUES (current_user, 'user', 'change')$$),
	($$UPDATE inventree_perms.user_perms SET username = current_user$$),
	($$INSERT INTO inventree_perms.group_perms (groupname, model, action) VALUES ('guard_staff', 'user', 'change')$$),
	($$DELETE FROM inventree_perms.group_perms$$),
	($$INSERT INTO inventree_perms.memberships (username, groupname) VALUES (current_user, 'guard_staff')$$),
	($$INSERT INTO inventree_perms.groups (name) VALUES ('guard_forged')$$),
	($$UPDATE inventree_perms.models SET is_open = true WHERE name = 'user'$$),
	($$INSERT INTO inventree_perms.group_roles (groupname, role, action) SELECT 'guard_staff', name, 'change' FROM inventree_perms.roles LIMIT 1$$),
	($$DELETE FROM inventree_perms.role_models$$),
	($$INSERT INTO inventree_perms.delegates VALUES (current_user::regrole, current_user)$$),
	($$INSERT INTO inventree_perms.audit_log (session_role, operation) VALUES ('x', 'forged')$$),
	($$INSERT INTO inventree_perms.protected (relation, model, enabled_rls, added_permissive) VALUES ('pg_class', 'user', false, false)$$),
	($$INSERT INTO inventree_perms.catalogue_removals (kind, name) VALUES ('model', 'user')$$),
	($$INSERT INTO inventree_perms.django_links VALUES ('public')$$),
	($$TRUNCATE inventree_perms.users CASCADE$$);

-- pg_write_all_data
SELECT ok(has_table_privilege('guard_writer', 'inventree_perms.users', 'INSERT'),
		  'pg_write_all_data gives INSERT on users (so the guard is what refuses)');
SET LOCAL ROLE guard_writer;
SELECT throws_ok(sql, '42501', NULL, 'pg_write_all_data: ' || sql)
	FROM attempts WHERE sql NOT LIKE 'TRUNCATE%';
RESET ROLE;

-- every privilege, granted by mistake
SET LOCAL ROLE guard_granted;
SELECT throws_ok(sql, '42501', NULL, 'granted by mistake: ' || sql) FROM attempts WHERE sql LIKE 'TRUNCATE%';
SELECT throws_ok($$COPY inventree_perms.users (name, is_superuser, is_active) FROM PROGRAM 'echo guard_forged,t,t' (FORMAT csv)$$, '42501', NULL,
				 'granted by mistake: COPY into users');
SELECT throws_ok($$INSERT INTO inventree_perms.users (name, is_superuser) VALUES ('guard_forged', true)$$,
				 '42501', 'permission denied to INSERT table inventree_perms.users',
				 'the message names the operation and the table');
SELECT is(inventree_perms.has_model_perm('guard_part', 'change'), false, 'it is still not allowed to change parts');
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('guard_admin')$$, '42501', NULL,
				 'and it is no delegate');
RESET ROLE;

SELECT is((SELECT count(*) FROM inventree_perms.users WHERE name = 'guard_forged' OR is_superuser), 0::bigint,
		  'nobody became a superuser of the extension');
SELECT is((SELECT count(*) FROM inventree_perms.delegates), 0::bigint, 'nobody became a delegate');
SELECT is((SELECT count(*) FROM inventree_perms.memberships), 1::bigint, 'memberships are untouched');
SELECT is((SELECT count(*) FROM inventree_perms.audit_log WHERE operation = 'forged'), 0::bigint,
		  'nothing was forged in the audit log');

-- the functions still work for an administrator who is no PostgreSQL superuser,
-- foreign-key cascades included
SET LOCAL ROLE guard_admin;
SELECT lives_ok($$SELECT inventree_perms.create_user('guard_new')$$, 'an administrator creates a user');
SELECT lives_ok($$SELECT inventree_perms.grant_user_perm('guard_new', 'guard_part', 'all')$$,
				'and grants it permissions');
SELECT lives_ok($$SELECT inventree_perms.add_user_to_group('guard_new', 'guard_staff')$$, 'and a membership');
SELECT lives_ok($$SELECT inventree_perms.drop_user('guard_new')$$, 'drop_user cascades to grants and memberships');
SELECT lives_ok($$SELECT inventree_perms.unregister_model('guard_part')$$, 'unregister_model cascades to grants');
RESET ROLE;
SELECT is((SELECT count(*) FROM inventree_perms.user_perms WHERE username = 'guard_new'), 0::bigint,
		  'the cascade removed the grants');
SELECT is((SELECT count(*) FROM inventree_perms.group_perms), 0::bigint, 'and the group''s grants of the model');

-- a PostgreSQL superuser writes directly (on his own); the audit log stays append-only
SELECT lives_ok($$INSERT INTO inventree_perms.users (name) VALUES ('guard_direct')$$, 'a superuser may INSERT directly');
SELECT lives_ok($$UPDATE inventree_perms.users SET is_active = false WHERE name = 'guard_direct'$$,
				'a superuser may UPDATE directly');
SELECT lives_ok($$DELETE FROM inventree_perms.users WHERE name = 'guard_direct'$$, 'a superuser may DELETE directly');
SELECT lives_ok($$TRUNCATE inventree_perms.django_links$$, 'a superuser may TRUNCATE directly');
SELECT throws_ok($$UPDATE inventree_perms.audit_log SET operation = 'x'$$, '42501', 'audit_log is append-only',
				 'audit_log refuses UPDATE even to a superuser');
SELECT throws_ok($$DELETE FROM inventree_perms.audit_log$$, '42501', 'audit_log is append-only',
				 'audit_log refuses DELETE even to a superuser');
SELECT throws_ok($$TRUNCATE inventree_perms.audit_log$$, '42501', 'audit_log is append-only',
				 'audit_log refuses TRUNCATE even to a superuser');

-- session_replication_role = replica skips no guard
SET LOCAL session_replication_role = replica;
SET LOCAL ROLE guard_writer;
SELECT throws_ok($$INSERT INTO inventree_perms.users (name, is_superuser) VALUES ('guard_forged', true)$$,
				 '42501', NULL, 'the guard fires with session_replication_role = replica');
RESET ROLE;
RESET session_replication_role;

-- TRIGGER granted by mistake: no function of the role's hangs on the tables,
-- to run as the extension's owner at its next write
CREATE SCHEMA guard_evil AUTHORIZATION guard_granted;
SET LOCAL ROLE guard_granted;
CREATE FUNCTION guard_evil.escalate() RETURNS trigger LANGUAGE plpgsql AS
	$f$ BEGIN EXECUTE 'ALTER ROLE guard_granted SUPERUSER'; RETURN NEW; END $f$;
SELECT ok(has_table_privilege('inventree_perms.users', 'TRIGGER'), 'guard_granted holds TRIGGER on users');
SELECT throws_ok($$CREATE TRIGGER a_evil BEFORE INSERT ON inventree_perms.users
				   FOR EACH ROW EXECUTE FUNCTION guard_evil.escalate()$$, '42501', NULL,
				 'granted by mistake: CREATE TRIGGER on users -> 42501');
SELECT throws_ok($$CREATE CONSTRAINT TRIGGER a_evil AFTER INSERT ON inventree_perms.audit_log
				   FOR EACH ROW EXECUTE FUNCTION guard_evil.escalate()$$, '42501', NULL,
				 'granted by mistake: CREATE CONSTRAINT TRIGGER on audit_log -> 42501');
RESET ROLE;
SELECT lives_ok($$SELECT inventree_perms.create_user('guard_after')$$, 'the next write through the functions');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'guard_granted'), false, 'ran nothing of guard_granted''s');
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgname = 'a_evil'), 0::bigint, 'and no such trigger exists');

-- every table has the guard, enabled always
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
		   WHERE c.relnamespace = 'inventree_perms'::regnamespace AND c.relkind IN ('r', 'p')
			 AND (SELECT count(*) FROM pg_trigger g
				  WHERE g.tgrelid = c.oid AND g.tgname IN ('inventree_perms_guard', 'inventree_perms_guard_truncate')
					AND g.tgenabled = 'A') <> 2),
		  NULL, 'every table of the extension has both guard triggers, ENABLE ALWAYS');

SELECT * FROM finish();
ROLLBACK;
