-- django_owners.sql -- SPEC "Interop with a Django / InvenTree database" and
-- "Row scopes" (Owners): InvenTree's users_owner is imported into owners by
-- import_django() (marked as from the schema; an owner id set by hand is
-- left alone and reported) and kept by link_django() row by row.  It is
-- read like the other Django tables: by OID, as its owner; one of another
-- owner is refused (42501), a relation that is no plain table too (42809).
-- Runs as a PostgreSQL superuser; rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(18);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
\ir django_site.inc
SET CONSTRAINTS ALL IMMEDIATE;
-- InvenTree's users_owner: owner_type is the content type of auth.user or
-- auth.group, owner_id that user's or group's id.
CREATE TABLE dj_site.users_owner (
	id serial PRIMARY KEY,
	owner_id integer,
	owner_type_id integer REFERENCES dj_site.django_content_type DEFERRABLE INITIALLY DEFERRED,
	UNIQUE (owner_type_id, owner_id)
);
CREATE FUNCTION pg_temp.ct(app text, m text) RETURNS integer
LANGUAGE sql AS $$ SELECT id FROM dj_site.django_content_type WHERE app_label = app AND model = m $$;
CREATE FUNCTION pg_temp.uid(name text) RETURNS integer
LANGUAGE sql AS $$ SELECT id FROM dj_site.auth_user WHERE username = name $$;
CREATE FUNCTION pg_temp.gid(name text) RETURNS integer
LANGUAGE sql AS $$ SELECT id FROM dj_site.auth_group WHERE auth_group.name = gid.name $$;
INSERT INTO dj_site.users_owner (id, owner_id, owner_type_id) VALUES
	(1, pg_temp.uid('alice'), pg_temp.ct('auth', 'user')),
	(2, pg_temp.gid('Stock Team'), pg_temp.ct('auth', 'group')),
	(3, pg_temp.uid('bob'), pg_temp.ct('auth', 'user')),
	(4, 9999, pg_temp.ct('auth', 'user')),					-- a user Django does not have
	(5, pg_temp.uid('carol'), pg_temp.ct('stock', 'stockitem'));	-- not a user or group
SELECT inventree_perms.create_user('hand');
SELECT inventree_perms.set_owner(3, 'hand');				-- owner 3 set by hand

-- 1. The import -------------------------------------------------------------
CREATE TEMP TABLE result1 AS SELECT * FROM inventree_perms.import_django('dj_site');
SELECT set_eq($$SELECT id, username, groupname FROM inventree_perms.owners WHERE source = 'dj_site'$$,
			  $$VALUES (1::bigint, 'alice', NULL::text), (2, NULL, 'Stock Team')$$,
			  'import: users_owner rows of a user or group of the schema are owners, marked as from it');
SELECT is((SELECT count FROM result1 WHERE what = 'owners'), 2::bigint, '... counted in the result');
SELECT is((SELECT count FROM result1 WHERE what = 'conflict_owner:3'), 1::bigint,
		  '... an owner id set by hand is reported');
SELECT ok((SELECT username = 'hand' AND source IS NULL FROM inventree_perms.owners WHERE id = 3),
		  '... and left alone');
SELECT is((SELECT sum(count) FROM inventree_perms.import_django('dj_site') WHERE what !~ ':'), 0::numeric,
		  'a second import changes nothing');
UPDATE dj_site.users_owner SET owner_id = pg_temp.uid('carol') WHERE id = 1;
DELETE FROM dj_site.users_owner WHERE id = 2;
SELECT lives_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, 'import after changes');
SELECT set_eq($$SELECT id, username, groupname FROM inventree_perms.owners WHERE source = 'dj_site'$$,
			  $$VALUES (1::bigint, 'carol', NULL::text)$$,
			  '... an owner that names another user now follows it; one deleted in Django is dropped');

-- 2. The link ---------------------------------------------------------------
SELECT inventree_perms.link_django('dj_site');
INSERT INTO dj_site.users_owner (id, owner_id, owner_type_id) VALUES (6, pg_temp.gid('Readers'), pg_temp.ct('auth', 'group'));
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.owners WHERE id = 6 AND groupname = 'Readers' AND source = 'dj_site'),
		  'link: an owner made in Django is an owner here');
UPDATE dj_site.users_owner SET owner_id = pg_temp.uid('dave'), owner_type_id = pg_temp.ct('auth', 'user') WHERE id = 6;
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.owners WHERE id = 6 AND username = 'dave' AND groupname IS NULL),
		  'link: an owner changed in Django follows');
DELETE FROM dj_site.users_owner WHERE id = 6;
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.owners WHERE id = 6), 'link: an owner deleted in Django is dropped');
INSERT INTO dj_site.users_owner (id, owner_id, owner_type_id) VALUES (7, pg_temp.uid('hand'), pg_temp.ct('auth', 'user'));
UPDATE dj_site.users_owner SET owner_id = pg_temp.uid('erin') WHERE id = 3;
SELECT ok((SELECT username = 'hand' AND source IS NULL FROM inventree_perms.owners WHERE id = 3),
		  'link: an owner id set by hand is left alone');
-- A Django user made later gets the owners that name it (InvenTree makes a
-- user's owner after the user; here before, in one transaction).
INSERT INTO dj_site.users_owner (id, owner_id, owner_type_id) VALUES (8, 500, pg_temp.ct('auth', 'user'));
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.owners WHERE id = 8), 'link: an owner of a user not imported is no owner');
INSERT INTO dj_site.auth_user (id, password, is_superuser, username, first_name, last_name, email,
							   is_staff, is_active, date_joined)
VALUES (500, 'x', false, 'ivan', '', '', '', false, true, now());
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.owners WHERE id = 8 AND username = 'ivan' AND source = 'dj_site'),
		  '... once the user is made, it is');
DELETE FROM dj_site.auth_user WHERE id = 500;
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.owners WHERE id = 8), '... the user deleted: the owner goes with it');
SELECT is((SELECT count(*) FROM inventree_perms.audit_log WHERE operation = 'import_django'
			 AND detail ? 'via' AND NOT detail ? 'delta'), 0::bigint, 'link: no change re-ran the import');
SELECT inventree_perms.unlink_django('dj_site');

-- 3. Read safely ------------------------------------------------------------
CREATE ROLE dj_owner_other;
ALTER TABLE dj_site.users_owner OWNER TO dj_owner_other;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42501', NULL,
				 'a users_owner of another owner: 42501');
ALTER TABLE dj_site.users_owner OWNER TO CURRENT_USER;
ALTER TABLE dj_site.users_owner RENAME TO users_owner_t;
CREATE VIEW dj_site.users_owner AS SELECT * FROM dj_site.users_owner_t;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42809', NULL,
				 'a users_owner that is a view: 42809');
DROP VIEW dj_site.users_owner;
ALTER TABLE dj_site.users_owner_t RENAME TO users_owner;
SELECT inventree_perms.link_django('dj_site');
ALTER TABLE dj_site.users_owner RENAME TO users_owner_t;
SELECT throws_ok($$UPDATE dj_site.auth_user SET is_active = false WHERE username = 'alice'$$, '55000', NULL,
				 'linked: a users_owner renamed away since the link: linked writes fail (55000)');

SELECT * FROM finish();
ROLLBACK;
