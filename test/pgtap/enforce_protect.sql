-- enforce_protect.sql: protect() / unprotect() themselves: who may call them,
-- the policies they make, idempotence, exact undo, the table's own policies.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;

CREATE ROLE enf_staff NOLOGIN;
CREATE ROLE enf_towner LOGIN IN ROLE enf_staff;		-- owns the tables, an administrator
CREATE ROLE enf_plainowner LOGIN IN ROLE enf_staff;	-- owns a table, no administrator
CREATE ROLE enf_admin2 LOGIN IN ROLE enf_staff;		-- an administrator, owns nothing
CREATE ROLE enf_viewer LOGIN IN ROLE enf_staff;		-- may view widgets
CREATE ROLE enf_nobody LOGIN IN ROLE enf_staff;		-- may do nothing
CREATE SCHEMA enf_p;
GRANT USAGE ON SCHEMA enf_p TO enf_staff;
CREATE TABLE enf_p.widget (id int PRIMARY KEY, name text, owner name);
INSERT INTO enf_p.widget VALUES (1, 'sprocket', 'enf_viewer'), (2, 'gear', 'enf_nobody'), (3, 'cog', 'enf_viewer');
CREATE TABLE enf_p.gizmo (id int);
CREATE TABLE enf_p.gadget (id int);
CREATE TABLE enf_p."Bad Name" (id int);
CREATE TABLE enf_p.ownpolicy (id int, owner name);
INSERT INTO enf_p.ownpolicy VALUES (1, 'enf_viewer'), (2, 'enf_nobody'), (3, 'enf_viewer');
CREATE TABLE enf_p.denyall (id int);
INSERT INTO enf_p.denyall VALUES (1);
CREATE TABLE enf_p.plain (id int);
CREATE TABLE enf_p.measure (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE enf_p.measure_2024 PARTITION OF enf_p.measure FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO enf_p.measure VALUES (1, '2024-05-01');
CREATE VIEW enf_p.widget_v AS SELECT * FROM enf_p.widget;
DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY '{widget,gizmo,gadget,"Bad Name",ownpolicy,denyall,measure,measure_2024,widget_v}'::text[] LOOP
		EXECUTE format('ALTER TABLE enf_p.%I OWNER TO enf_towner', t);
	END LOOP;
END $$;
ALTER TABLE enf_p.plain OWNER TO enf_plainowner;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA enf_p TO enf_staff;

-- the table's own policies, before protect()
ALTER TABLE enf_p.ownpolicy ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON enf_p.ownpolicy USING (owner = current_user);
ALTER TABLE enf_p.denyall ENABLE ROW LEVEL SECURITY;

SELECT inventree_perms.create_user('enf_towner');
SELECT inventree_perms.grant_user_perm('enf_towner', 'user', 'change');
SELECT inventree_perms.create_user('enf_admin2');
SELECT inventree_perms.grant_user_perm('enf_admin2', 'user', 'change');
SELECT inventree_perms.create_user('enf_plainowner');
SELECT inventree_perms.create_user('enf_viewer');
SELECT inventree_perms.create_user('enf_nobody');

-- what is on a table: RLS flags and policies, one text
CREATE FUNCTION pg_temp.rls_state(t regclass) RETURNS text LANGUAGE sql AS $$
	SELECT format('rls=%s force=%s policies=[%s]', c.relrowsecurity, c.relforcerowsecurity,
		(SELECT string_agg(format('%s %s %s %s using(%s) check(%s)', p.polname,
					CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,
					p.polcmd, p.polroles::regrole[],
					pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)), '; '
				ORDER BY p.polname)
		   FROM pg_policy p WHERE p.polrelid = t))
	FROM pg_class c WHERE c.oid = t;
$$;
CREATE FUNCTION pg_temp.policy_oids(t regclass) RETURNS oid[] LANGUAGE sql AS $$
	SELECT array_agg(oid ORDER BY polname) FROM pg_policy WHERE polrelid = t;
$$;
CREATE FUNCTION pg_temp.audits(op text, t text) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM inventree_perms.audit_log WHERE operation = op AND target = t;
$$;

SELECT plan(62);

-- who may protect ------------------------------------------------------------
SET ROLE enf_plainowner;
SELECT throws_ok($$SELECT inventree_perms.protect('enf_p.plain')$$, '42501', NULL,
	'the owner of a table who is no administrator may not protect it');
RESET ROLE;
SET ROLE enf_admin2;
SELECT throws_ok($$SELECT inventree_perms.protect('enf_p.widget')$$, '42501', NULL,
	'an administrator who does not own the table may not protect it');
SELECT throws_ok($$SELECT inventree_perms.unprotect('enf_p.widget')$$, '42501', NULL,
	'... nor unprotect it');
RESET ROLE;
SET ROLE enf_nobody;
SELECT throws_ok($$SELECT inventree_perms.protect('enf_p.widget')$$, '42501', NULL,
	'a role that is neither may not');
RESET ROLE;
SELECT is(pg_temp.rls_state('enf_p.widget'), 'rls=f force=f policies=[]',
	'refused calls left the table alone');
SELECT throws_ok($$SELECT inventree_perms.protect(NULL)$$, '22004', NULL,
	'protect(NULL) is 22004');
SELECT throws_ok($$SELECT inventree_perms.unprotect(NULL)$$, '22004', NULL,
	'unprotect(NULL) is 22004');
SELECT throws_ok($$SELECT inventree_perms.protect('enf_p.widget_v')$$, '42809', NULL,
	'a view cannot be protected (42809)');
SELECT throws_ok($$SELECT inventree_perms.protect('enf_p."Bad Name"')$$, '22023',
	'table name "Bad Name" is not a valid model name',
	'a table whose name is no valid model name needs a model name (22023)');
SELECT throws_ok($$SELECT inventree_perms.protect('enf_p.gizmo', 'Not Valid')$$, '22023', NULL,
	'an invalid model name is 22023');

-- protect() by the owner, an administrator -----------------------------------
SET ROLE enf_towner;
SELECT lives_ok($$SELECT inventree_perms.protect('enf_p.widget')$$, 'the owner, an administrator, protects widget');
RESET ROLE;
SELECT is(pg_temp.rls_state('enf_p.widget'),
	'rls=t force=f policies=['
	'inventree_perms_delete restrictive d {-} using(( SELECT inventree_perms.has_model_perm(''widget''::text, ''delete''::text) AS has_model_perm)) check(); '
	'inventree_perms_insert restrictive a {-} using() check(( SELECT inventree_perms.has_model_perm(''widget''::text, ''add''::text) AS has_model_perm)); '
	'inventree_perms_permissive_delete permissive d {-} using(true) check(); '
	'inventree_perms_permissive_insert permissive a {-} using() check(true); '
	'inventree_perms_permissive_select permissive r {-} using(true) check(); '
	'inventree_perms_permissive_update permissive w {-} using(true) check(true); '
	'inventree_perms_select restrictive r {-} using(( SELECT inventree_perms.has_model_perm(''widget''::text, ''view''::text) AS has_model_perm)) check(); '
	'inventree_perms_update restrictive w {-} using(( SELECT inventree_perms.has_model_perm(''widget''::text, ''change''::text) AS has_model_perm)) check(( SELECT inventree_perms.has_model_perm(''widget''::text, ''change''::text) AS has_model_perm))]',
	'RLS on; four restrictive policies (view/add/change/delete) for PUBLIC and an admit-all permissive one per command');
SELECT is((SELECT relation FROM inventree_perms.models WHERE name = 'widget'), 'enf_p.widget'::regclass,
	'model "widget" (the table''s name) is registered and bound to the table');
SELECT is((SELECT row(model, enabled_rls, added_permissive)::text FROM inventree_perms.protected
		   WHERE relation = 'enf_p.widget'::regclass), '(widget,t,t)',
	'protected records that protect() enabled RLS and added the permissive policy');
SELECT is(pg_temp.audits('protect', 'enf_p.widget'), 1::bigint, 'one audit row');

-- it enforces --------------------------------------------------------------
SELECT inventree_perms.grant_user_perm('enf_viewer', 'widget', 'view');
SET ROLE enf_viewer;
SELECT is((SELECT count(*) FROM enf_p.widget), 3::bigint, 'a user with view sees every widget');
SELECT throws_ok($$INSERT INTO enf_p.widget VALUES (4, 'x', 'x')$$, '42501',
	'new row violates row-level security policy "inventree_perms_insert" for table "widget"',
	'... and may not add one');
RESET ROLE;
SET ROLE enf_nobody;
SELECT is((SELECT count(*) FROM enf_p.widget), 0::bigint, 'a user without view sees none');
RESET ROLE;

-- idempotent ---------------------------------------------------------------
CREATE TEMP TABLE before_oids AS SELECT pg_temp.policy_oids('enf_p.widget') AS o;
SET ROLE enf_towner;
SELECT lives_ok($$SELECT inventree_perms.protect('enf_p.widget')$$, 'protecting again is fine');
SELECT lives_ok($$SELECT inventree_perms.protect('enf_p.widget', 'widget')$$, '... with the model named too');
RESET ROLE;
SELECT is(pg_temp.policy_oids('enf_p.widget'), (SELECT o FROM before_oids),
	'... and changes no policy');
SELECT is(pg_temp.audits('protect', 'enf_p.widget'), 1::bigint, '... and writes no audit row');

-- one model per table, one table per model -----------------------------------
SELECT throws_ok($$SELECT inventree_perms.protect('enf_p.widget', 'gizmo')$$, '42710', NULL,
	'a protected table cannot take another model (42710)');
SELECT throws_ok($$SELECT inventree_perms.protect('enf_p.gizmo', 'widget')$$, '42710', NULL,
	'a model bound to one table cannot protect another (42710)');
SELECT inventree_perms.register_model('gadget_model', 'enf_p.gadget');
SELECT throws_ok($$SELECT inventree_perms.protect('enf_p.gadget', 'other_model')$$, '42710', NULL,
	'a table bound to a model cannot be protected by another (42710)');
SELECT lives_ok($$SELECT inventree_perms.protect('enf_p.gadget')$$,
	'without a model name, protect() uses the model the table is bound to');
SELECT is((SELECT model FROM inventree_perms.protected WHERE relation = 'enf_p.gadget'::regclass), 'gadget_model',
	'... gadget_model');
SELECT lives_ok($$SELECT inventree_perms.protect('enf_p."Bad Name"', 'bad_name')$$,
	'a table with an awkward name is protected under a model name given');
SELECT matches(pg_temp.rls_state('enf_p."Bad Name"'), 'has_model_perm\(''bad_name''::text, ''view''::text\)',
	'... and its policies check that model');
SELECT lives_ok($$SELECT inventree_perms.protect('enf_p.gizmo', 'stock_stockitem')$$,
	'a registered model (from the catalogue) is bound to the table');
SELECT is((SELECT relation FROM inventree_perms.models WHERE name = 'stock_stockitem'), 'enf_p.gizmo'::regclass,
	'... stock_stockitem is bound to gizmo');
SELECT throws_ok($$SELECT inventree_perms.unregister_model('widget')$$, '2BP01', NULL,
	'a model protecting a table cannot be unregistered');

-- a policy someone altered is put back ---------------------------------------
ALTER POLICY inventree_perms_select ON enf_p.widget USING (true);
SET ROLE enf_nobody;
SELECT is((SELECT count(*) FROM enf_p.widget), 3::bigint, '(an altered select policy lets everyone see)');
RESET ROLE;
SELECT inventree_perms.protect('enf_p.widget');
SET ROLE enf_nobody;
SELECT is((SELECT count(*) FROM enf_p.widget), 0::bigint, 'protect() again repairs it');
RESET ROLE;
SELECT is(pg_temp.audits('protect', 'enf_p.widget'), 2::bigint, '... and audits the repair');

-- the table's own permissive policy: protect() only narrows it ---------------
CREATE TEMP TABLE own_before AS SELECT pg_temp.rls_state('enf_p.ownpolicy') AS s;
SELECT inventree_perms.protect('enf_p.ownpolicy');
SELECT is((SELECT row(enabled_rls, added_permissive)::text FROM inventree_perms.protected
		   WHERE relation = 'enf_p.ownpolicy'::regclass), '(f,f)',
	'a table with RLS and a permissive policy: protect() enabled nothing, added no permissive policy');
SELECT inventree_perms.grant_user_perm('enf_viewer', 'ownpolicy', 'view');
SET ROLE enf_viewer;
SELECT is((SELECT array_agg(id ORDER BY id) FROM enf_p.ownpolicy), '{1,3}'::int[],
	'with view, a user sees what the table''s own policy shows her, no more');
RESET ROLE;
SET ROLE enf_nobody;
SELECT is((SELECT count(*) FROM enf_p.ownpolicy), 0::bigint, 'without view, nothing');
RESET ROLE;
SELECT inventree_perms.unprotect('enf_p.ownpolicy');
SELECT is(pg_temp.rls_state('enf_p.ownpolicy'), (SELECT s FROM own_before),
	'unprotect() leaves the table exactly as it was (RLS on, its own policy)');

-- RLS on without any policy ----------------------------------------------------
SELECT inventree_perms.protect('enf_p.denyall');
SELECT is((SELECT row(enabled_rls, added_permissive)::text FROM inventree_perms.protected
		   WHERE relation = 'enf_p.denyall'::regclass), '(f,t)',
	'RLS already on, no permissive policy: protect() adds its permissive policy');
SELECT inventree_perms.unprotect('enf_p.denyall');
SELECT is(pg_temp.rls_state('enf_p.denyall'), 'rls=t force=f policies=[]',
	'unprotect(): RLS stays on, no policy left, as before');

-- the owner adds a permissive policy later (FOR ALL): ours go at once -------
CREATE POLICY only_viewers_rows ON enf_p.widget USING (owner = current_user);
SELECT is((SELECT added_permissive FROM inventree_perms.protected WHERE relation = 'enf_p.widget'::regclass), false,
	'once the table has a permissive policy of its own for every command, protect()''s admit-alls are gone');
SELECT is((SELECT count(*) FROM pg_policy WHERE polrelid = 'enf_p.widget'::regclass
		   AND polname LIKE 'inventree\_perms\_permissive%'), 0::bigint, '... no inventree_perms_permissive* policy is left');
SELECT inventree_perms.protect('enf_p.widget');
SET ROLE enf_viewer;
SELECT is((SELECT array_agg(id ORDER BY id) FROM enf_p.widget), '{1,3}'::int[],
	'... so the table''s policy is not widened');
RESET ROLE;
DROP POLICY only_viewers_rows ON enf_p.widget;

-- FORCE is the owner's business ------------------------------------------------
ALTER TABLE enf_p.widget FORCE ROW LEVEL SECURITY;
SELECT inventree_perms.protect('enf_p.widget');
SELECT matches(pg_temp.rls_state('enf_p.widget'), '^rls=t force=t', 'protect() keeps FORCE ROW LEVEL SECURITY');
ALTER TABLE enf_p.widget NO FORCE ROW LEVEL SECURITY;

-- unprotect -------------------------------------------------------------------
SET ROLE enf_towner;
SELECT lives_ok($$SELECT inventree_perms.unprotect('enf_p.widget')$$, 'the owner unprotects widget');
RESET ROLE;
SELECT is(pg_temp.rls_state('enf_p.widget'), 'rls=f force=f policies=[]',
	'RLS off again and no policy left: as before protect()');
SELECT is((SELECT count(*) FROM inventree_perms.protected WHERE relation = 'enf_p.widget'::regclass), 0::bigint,
	'no longer recorded as protected');
SELECT is((SELECT relation FROM inventree_perms.models WHERE name = 'widget'), 'enf_p.widget'::regclass,
	'the model stays registered and bound');
SELECT is(pg_temp.audits('unprotect', 'enf_p.widget'), 1::bigint, 'one unprotect audit row');
SET ROLE enf_nobody;
SELECT is((SELECT count(*) FROM enf_p.widget), 3::bigint, 'everyone with the table privilege sees every row again');
RESET ROLE;
SELECT lives_ok($$SELECT inventree_perms.unprotect('enf_p.widget')$$, 'unprotecting an unprotected table is no error');
SELECT is(pg_temp.audits('unprotect', 'enf_p.widget'), 1::bigint, '... and no audit row');
SELECT lives_ok($$SELECT inventree_perms.protect('enf_p.widget')$$, 'protect again after unprotect');
SELECT is((SELECT model FROM inventree_perms.protected WHERE relation = 'enf_p.widget'::regclass), 'widget',
	'... with the same model');

-- a partitioned table ------------------------------------------------------------
SELECT lives_ok($$SELECT inventree_perms.protect('enf_p.measure')$$, 'a partitioned table can be protected');
SET ROLE enf_nobody;
SELECT is((SELECT count(*) FROM enf_p.measure), 0::bigint, '... and queries through it are filtered');
RESET ROLE;

-- a member of the owning role may protect ------------------------------------------
GRANT enf_towner TO enf_admin2;
SET ROLE enf_admin2;
SELECT lives_ok($$SELECT inventree_perms.unprotect('enf_p.measure')$$,
	'an administrator who has the owner''s privileges (member of the owning role) may unprotect');
RESET ROLE;

-- a protected table that is dropped is forgotten (event trigger) -----------------
CREATE TABLE enf_p.doomed (id int);
SELECT inventree_perms.protect('enf_p.doomed');
SELECT oid AS doomed_oid FROM pg_class WHERE oid = 'enf_p.doomed'::regclass \gset
DROP TABLE enf_p.doomed;
SELECT is((SELECT count(*)::int FROM inventree_perms.protected WHERE relation = :doomed_oid), 0,
	'a dropped protected table is no longer recorded as protected');
SET ROLE enf_nobody;
SELECT throws_ok(format('SELECT inventree_perms.unprotect(%s)', :doomed_oid), '42501', NULL,
	'unprotect() of a dropped table is still for administrators only');
RESET ROLE;
SELECT throws_ok(format('SELECT inventree_perms.unprotect(%s)', :doomed_oid), '42P01', NULL,
	'unprotect(oid) of the dropped table: no such relation (42P01), nothing left to undo');
SELECT lives_ok($$SELECT inventree_perms.unregister_model('doomed')$$, '... and its model can be unregistered');

SELECT * FROM finish();
ROLLBACK;
