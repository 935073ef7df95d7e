-- django_security.sql -- SPEC "Interop with a Django / InvenTree database"
-- and "Safety rules that always hold": what the import and the link read
-- belongs to the role owning Django's tables.  A relation of another kind in
-- a table's place (42809) or a table of another owner (42501) is refused and
-- nothing changes; nothing of that schema runs with the extension's rights;
-- an advisory lock number stalls no import.  (The races are in
-- test/isolation/specs/django_race_*.spec.)  Runs as a PostgreSQL superuser;
-- rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(23);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
\ir django_site.inc
SET CONSTRAINTS ALL IMMEDIATE;

-- The Django tables belong to dj_owner, an administrator of the extension
-- (an extension superuser: it may import and link) who is no PostgreSQL
-- superuser.  dj_guest may create in the schema, nothing more.
CREATE ROLE dj_owner;
CREATE ROLE dj_guest;
SELECT format('ALTER TABLE %s OWNER TO dj_owner', c.oid::regclass)
FROM pg_class c WHERE c.relnamespace = 'dj_site'::regnamespace AND c.relkind = 'r' \gexec
GRANT USAGE, CREATE ON SCHEMA dj_site TO dj_owner, dj_guest;
SELECT inventree_perms.create_user('dj_owner', true);

-- What the attacker's code would leave behind if it ever ran.
CREATE TABLE public.dj_ran (who text, as_role text);
GRANT ALL ON public.dj_ran TO PUBLIC;
CREATE FUNCTION public.dj_spy() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.dj_ran VALUES (session_user, current_user);
	RETURN true;
END;
$$;

-- A fingerprint of everything the import writes.
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql SECURITY DEFINER AS $$
	SELECT md5(concat_ws('|',
		(SELECT string_agg(concat_ws(',', name, is_superuser, is_active, source), ';' ORDER BY name) FROM inventree_perms.users),
		(SELECT string_agg(concat_ws(',', name, source), ';' ORDER BY name) FROM inventree_perms.groups),
		(SELECT string_agg(concat_ws(',', username, groupname), ';' ORDER BY 1) FROM inventree_perms.memberships),
		(SELECT string_agg(name, ';' ORDER BY name) FROM inventree_perms.models),
		(SELECT string_agg(concat_ws(',', username, model, action), ';' ORDER BY 1) FROM inventree_perms.user_perms),
		(SELECT string_agg(concat_ws(',', groupname, model, action), ';' ORDER BY 1) FROM inventree_perms.group_perms),
		(SELECT string_agg(concat_ws(',', groupname, role, action), ';' ORDER BY 1) FROM inventree_perms.group_roles),
		(SELECT count(*) FROM inventree_perms.audit_log)))
$$;

SET ROLE dj_owner;
SELECT lives_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$,
				'the owner of the Django tables, an administrator, imports');
RESET ROLE;
SELECT ok(inventree_perms.has_role_perm('alice', 'stock', 'add'), '... and the import took');
-- Something to import, so that an accepted import would change the state.
UPDATE dj_site.auth_user SET is_active = false WHERE username = 'alice';
SELECT pg_temp.state() AS s0 \gset

-- 1. Another kind of relation in a table's place: 42809, nothing changed ----
SET ROLE dj_owner;
ALTER TABLE dj_site.auth_group RENAME TO auth_group_real;
CREATE VIEW dj_site.auth_group AS SELECT * FROM dj_site.auth_group_real WHERE public.dj_spy();
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42809', NULL,
				 'a view in auth_group''s place: 42809');
SELECT is(pg_temp.state(), :'s0', '... nothing changed');
DROP VIEW dj_site.auth_group;
CREATE MATERIALIZED VIEW dj_site.auth_group AS SELECT * FROM dj_site.auth_group_real WHERE public.dj_spy();
DELETE FROM public.dj_ran;		-- its creation ran it as dj_owner itself: fine
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42809', NULL,
				 'a materialized view in its place: 42809');
DROP MATERIALIZED VIEW dj_site.auth_group;
RESET ROLE;
CREATE FOREIGN DATA WRAPPER dj_fdw;
CREATE SERVER dj_server FOREIGN DATA WRAPPER dj_fdw;
CREATE FOREIGN TABLE dj_site.auth_group (id integer, name varchar(150)) SERVER dj_server;
ALTER FOREIGN TABLE dj_site.auth_group OWNER TO dj_owner;
SET ROLE dj_owner;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42809', NULL,
				 'a foreign table in its place: 42809');
RESET ROLE;
DROP FOREIGN TABLE dj_site.auth_group;
SET ROLE dj_owner;
CREATE TABLE dj_site.auth_group (id integer, name varchar(150)) PARTITION BY RANGE (id);
CREATE TABLE dj_site.auth_group_p1 PARTITION OF dj_site.auth_group FOR VALUES FROM (0) TO (1000000);
INSERT INTO dj_site.auth_group SELECT * FROM dj_site.auth_group_real;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42809', NULL,
				 'a partitioned table in its place: 42809');
DROP TABLE dj_site.auth_group;
ALTER TABLE dj_site.auth_group_real RENAME TO auth_group;
-- auth_user itself (it names the owner) as a view.
ALTER TABLE dj_site.auth_user RENAME TO auth_user_real;
CREATE VIEW dj_site.auth_user AS SELECT * FROM dj_site.auth_user_real WHERE public.dj_spy();
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42809', NULL,
				 'a view in auth_user''s place: 42809');
DROP VIEW dj_site.auth_user;
ALTER TABLE dj_site.auth_user_real RENAME TO auth_user;
RESET ROLE;
SELECT is(pg_temp.state(), :'s0', 'none of these changed anything');
SELECT is_empty($$SELECT * FROM public.dj_ran$$, '... and no function of the schema ran');

-- 2. A table of another owner: 42501, nothing changed ------------------------
ALTER TABLE dj_site.auth_user_groups OWNER TO dj_guest;
SET ROLE dj_owner;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42501', NULL,
				 'a Django table of another owner: 42501');
RESET ROLE;
ALTER TABLE dj_site.auth_user_groups OWNER TO dj_owner;
-- users_ruleset made later by a role that may only create in the schema.
ALTER TABLE dj_site.users_ruleset RENAME TO users_ruleset_real;
SET ROLE dj_guest;
CREATE TABLE dj_site.users_ruleset (id integer, name varchar(50), can_view boolean, can_add boolean,
									can_change boolean, can_delete boolean, group_id integer);
INSERT INTO dj_site.users_ruleset
SELECT 1000 + g, 'admin', true, true, true, true, g FROM generate_series(1, 5) g;
RESET ROLE;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42501', NULL,
				 'a users_ruleset of another owner: 42501 (also for a PostgreSQL superuser)');
SELECT is(pg_temp.state(), :'s0', '... nothing changed');
DROP TABLE dj_site.users_ruleset;
ALTER TABLE dj_site.users_ruleset_real RENAME TO users_ruleset;

-- 3. Column types: only built-in integer, text and boolean -------------------
CREATE DOMAIN public.dj_name AS text CHECK (public.dj_spy());
ALTER TABLE dj_site.auth_group ALTER COLUMN name TYPE public.dj_name;
DELETE FROM public.dj_ran;
SET ROLE dj_owner;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42804', NULL,
				 'a column of a user-defined type: 42804');
RESET ROLE;
ALTER TABLE dj_site.auth_group ALTER COLUMN name TYPE varchar(150);
DELETE FROM public.dj_ran;

-- 4. The link's trigger path ------------------------------------------------
SET ROLE dj_owner;
SELECT lives_ok($$SELECT inventree_perms.link_django('dj_site')$$, 'the owner, an extension superuser, links');
RESET ROLE;
SELECT ok(NOT inventree_perms.has_role_perm('alice', 'stock', 'view'), '... the link imported');
SELECT pg_temp.state() AS s1 \gset
-- The linked users_ruleset renamed away and one of another role put in its
-- place: that one is not the site's (never read), and the table the link
-- recorded is gone from its place: every linked write is refused (55000).
ALTER TABLE dj_site.users_ruleset RENAME TO users_ruleset_real;
SET ROLE dj_guest;
CREATE TABLE dj_site.users_ruleset (id integer, name varchar(50), can_view boolean, can_add boolean,
									can_change boolean, can_delete boolean, group_id integer);
INSERT INTO dj_site.users_ruleset
SELECT 1000 + g, 'admin', true, true, true, true, g FROM generate_series(1, 5) g;
RESET ROLE;
SET ROLE dj_owner;
SELECT throws_ok($$UPDATE dj_site.auth_user SET is_active = true WHERE username = 'alice'$$, '55000', NULL,
				 'linked write with the linked users_ruleset replaced by one of another owner: 55000');
RESET ROLE;
SELECT is(pg_temp.state(), :'s1', '... nothing changed');
DROP TABLE dj_site.users_ruleset;
ALTER TABLE dj_site.users_ruleset_real RENAME TO users_ruleset;
-- A view put in a linked table's place by the owner.
SET ROLE dj_owner;
ALTER TABLE dj_site.auth_group RENAME TO auth_group_real;
CREATE VIEW dj_site.auth_group AS SELECT * FROM dj_site.auth_group_real WHERE public.dj_spy();
SELECT throws_ok($$UPDATE dj_site.auth_user SET is_active = true WHERE username = 'alice'$$, '42809', NULL,
				 'linked write with a view in auth_group''s place: 42809');
DROP VIEW dj_site.auth_group;
ALTER TABLE dj_site.auth_group_real RENAME TO auth_group;
RESET ROLE;
SELECT is(pg_temp.state(), :'s1', '... nothing changed');
SELECT is_empty($$SELECT * FROM public.dj_ran$$, '... and no function of the schema ran');
SET ROLE dj_owner;
SELECT lives_ok($$UPDATE dj_site.auth_user SET is_active = true WHERE username = 'alice'$$,
				'with the real tables back, the linked write goes through');
RESET ROLE;
SELECT ok(inventree_perms.has_role_perm('alice', 'stock', 'view'), '... and is enforced');

SELECT * FROM finish();
ROLLBACK;
