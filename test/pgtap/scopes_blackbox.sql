-- scopes_blackbox.sql: the SPEC's "Row scopes (version 1.2)" read as a
-- black box, for the rules scopes_rules.sql does not pin down: signatures,
-- argument names and defaults (named notation), the NULL, name and order
-- checks of every row-scope management function, the no-op and audit
-- rules, self-loops, owners that go with their group, ownership through a
-- membership, inactive users and superusers, both forms of has_row_perm()
-- with the owner argument, user_scopes() for administrators, scoped
-- partitions and children (55000, detached, parent dropped), grants of a
-- model scoped by another tree or unprotected on a deleted node, an
-- owner-only table, atomicity of a refused protect(), and the kinds of
-- relation a tree may be.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;

CREATE ROLE sbb_staff NOLOGIN;
CREATE ROLE sbb_towner LOGIN IN ROLE sbb_staff;		-- owns the tables, an administrator
CREATE ROLE sbb_admin2 LOGIN IN ROLE sbb_staff;		-- an administrator, owns nothing
CREATE ROLE sbb_alice LOGIN IN ROLE sbb_staff;		-- in team
CREATE ROLE sbb_bob LOGIN IN ROLE sbb_staff;		-- model-wide view, scoped change within 2
CREATE ROLE sbb_carol LOGIN IN ROLE sbb_staff;		-- a plain user
CREATE ROLE sbb_super LOGIN IN ROLE sbb_staff;		-- an active superuser of the extension
CREATE SCHEMA sbb;
GRANT USAGE ON SCHEMA sbb TO sbb_staff;
GRANT CREATE ON SCHEMA sbb TO sbb_towner;

SELECT inventree_perms.create_user('sbb_towner');
SELECT inventree_perms.grant_user_perm('sbb_towner', 'user', 'change');
SELECT inventree_perms.create_user('sbb_admin2');
SELECT inventree_perms.grant_user_perm('sbb_admin2', 'user', 'change');
SELECT inventree_perms.create_user('sbb_alice');
SELECT inventree_perms.create_user('sbb_bob');
SELECT inventree_perms.create_user('sbb_carol');
SELECT inventree_perms.create_user('sbb_super', true);
SELECT inventree_perms.create_user('sbb_idlesuper', true, false);
SELECT inventree_perms.create_group('sbb_team');
SELECT inventree_perms.add_user_to_group('sbb_alice', 'sbb_team');

CREATE FUNCTION pg_temp.audits() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM inventree_perms.audit_log;
$$;
CREATE FUNCTION pg_temp.last_audit() RETURNS text LANGUAGE sql AS $$
	SELECT operation || ' ' || target || ' ' || coalesce(detail->>'actions', '')
	  FROM inventree_perms.audit_log ORDER BY id DESC LIMIT 1;
$$;
-- the ids of a table a role sees / may change (an UPDATE that changes nothing)
CREATE FUNCTION pg_temp.seen(r text, t regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE format('SELECT coalesce(array_agg(id ORDER BY id)::text, ''{}'') FROM %s', t) INTO v;
	RESET ROLE;
	RETURN v;
END $$;
CREATE FUNCTION pg_temp.changeable(r text, t regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE format('WITH u AS (UPDATE %s SET id = id RETURNING id) SELECT coalesce(array_agg(id ORDER BY id)::text, ''{}'') FROM u', t)
	   INTO v;
	RESET ROLE;
	RETURN v;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.seen(text, regclass), pg_temp.changeable(text, regclass) TO PUBLIC;

-- locations: 1 > 2 > 3; 1 > 4 (owned by team: 10) > 5 > 9 (owned by 99, never set);
-- 11 its own parent (a self-loop), 12 below 11
SET ROLE sbb_towner;
CREATE TABLE sbb.loc (id int PRIMARY KEY, parent_id int, owner_id bigint);
INSERT INTO sbb.loc VALUES (1, NULL, NULL), (2, 1, NULL), (3, 2, NULL), (4, 1, 10), (5, 4, NULL),
	(9, 5, 99), (11, 11, NULL), (12, 11, NULL);
CREATE TABLE sbb.item (id int PRIMARY KEY, loc int, owner_id bigint);
INSERT INTO sbb.item VALUES (1, 1, NULL), (2, 2, NULL), (3, 3, NULL), (4, 4, NULL), (5, 5, NULL), (9, 9, NULL);
CREATE TABLE sbb.cat (id int PRIMARY KEY, up int);
INSERT INTO sbb.cat VALUES (1, NULL), (2, 1);
CREATE TABLE sbb.ptree (id int PRIMARY KEY, parent_id int) PARTITION BY RANGE (id);
CREATE TABLE sbb.ptree_a PARTITION OF sbb.ptree FOR VALUES FROM (0) TO (100);
CREATE TABLE sbb.fresh (id int PRIMARY KEY, loc int, owner_id bigint);
-- a partitioned table and an inheritance parent, scoped and owned
CREATE TABLE sbb.pitem (id int, loc int, owner_id bigint, PRIMARY KEY (id)) PARTITION BY RANGE (id);
CREATE TABLE sbb.pitem_a PARTITION OF sbb.pitem FOR VALUES FROM (0) TO (100);
CREATE TABLE sbb.pitem_b PARTITION OF sbb.pitem FOR VALUES FROM (100) TO (200);
INSERT INTO sbb.pitem VALUES (1, 1, NULL), (4, 4, NULL), (9, 9, NULL), (104, 4, NULL), (105, 5, NULL), (101, 1, NULL);
CREATE TABLE sbb.iitem (id int PRIMARY KEY, loc int, owner_id bigint);
CREATE TABLE sbb.iitem_c () INHERITS (sbb.iitem);
INSERT INTO sbb.iitem VALUES (1, 1, NULL);
INSERT INTO sbb.iitem_c VALUES (4, 4, NULL), (5, 5, NULL), (9, 9, NULL);
CREATE TABLE sbb.own (id int PRIMARY KEY, owner_id bigint);
INSERT INTO sbb.own VALUES (1, NULL), (2, 10), (3, 11), (4, 99);
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA sbb TO sbb_staff;
RESET ROLE;

SELECT plan(117);

-- 1. Signatures: argument names, defaults, properties ------------------------------------
SELECT is((SELECT array_agg(p.oid::regprocedure::text || ' ' || pg_get_function_arguments(p.oid)
					 ORDER BY p.oid::regprocedure::text COLLATE "C", p.pronargs)
		   FROM pg_proc p WHERE p.pronamespace = 'inventree_perms'::regnamespace
			AND p.proname IN ('register_tree', 'unregister_tree', 'set_owner', 'drop_owner', 'grant_user_scope',
							  'revoke_user_scope', 'grant_group_scope', 'revoke_group_scope', 'protect',
							  'has_row_perm', 'user_scopes')),
	ARRAY[
	'inventree_perms.drop_owner(bigint) owner bigint',
	'inventree_perms.grant_group_scope(text,text,text,bigint) groupname text, model text, action text, node bigint',
	'inventree_perms.grant_user_scope(text,text,text,bigint) username text, model text, action text, node bigint',
	'inventree_perms.has_row_perm(text,text,bigint,bigint) model text, action text, node bigint, owner bigint DEFAULT NULL::bigint',
	'inventree_perms.has_row_perm(text,text,text,bigint,bigint) username text, model text, action text, node bigint, owner bigint DEFAULT NULL::bigint',
	'inventree_perms.protect(regclass,text,name,text,name) relation regclass, model text DEFAULT NULL::text, scope_column name DEFAULT NULL::name, tree text DEFAULT NULL::text, owner_column name DEFAULT NULL::name',
	'inventree_perms.register_tree(text,regclass,name,name) tree text, relation regclass, parent_column name DEFAULT ''parent_id''::name, owner_column name DEFAULT NULL::name',
	'inventree_perms.revoke_group_scope(text,text,text,bigint) groupname text, model text, action text, node bigint',
	'inventree_perms.revoke_user_scope(text,text,text,bigint) username text, model text, action text, node bigint',
	'inventree_perms.set_owner(bigint,text,text) owner bigint, username text DEFAULT NULL::text, groupname text DEFAULT NULL::text',
	'inventree_perms.unregister_tree(text) tree text',
	'inventree_perms.user_scopes(text) username text DEFAULT inventree_perms.acting_user()'],
	'the row-scope functions have the SPEC''s argument names and defaults');
SELECT is((SELECT array_agg(pg_get_function_result(p.oid) ORDER BY p.oid::regprocedure::text COLLATE "C") FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms'::regnamespace
			 AND p.proname IN ('register_tree', 'unregister_tree', 'set_owner', 'drop_owner', 'grant_user_scope',
							   'revoke_user_scope', 'grant_group_scope', 'revoke_group_scope', 'has_row_perm',
							   'user_scopes')),
	ARRAY['void', 'void', 'void', 'boolean', 'boolean', 'void', 'void', 'void', 'void', 'void',
		  'TABLE(model text, action text, tree text, node bigint, via text)'],
	'... and the SPEC''s results (management functions return void)');
SELECT is((SELECT array_agg((p.provolatile, p.proisstrict, p.proparallel)::text) FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms'::regnamespace AND p.proname = 'has_row_perm'),
	'{"(s,f,s)","(s,f,s)"}', 'has_row_perm: both forms STABLE PARALLEL SAFE, not STRICT (a NULL node means model-wide only)');

-- 2. register_tree: defaults, named notation, NULLs, what a tree may be -------------------
SET ROLE sbb_towner;
SELECT throws_ok($$SELECT inventree_perms.register_tree('loc', NULL)$$, '22004', NULL,
	'register_tree: a NULL relation: 22004');
SELECT throws_ok($$SELECT inventree_perms.register_tree('loc', 'sbb.loc', NULL)$$, '22004', NULL,
	'... a NULL parent_column given explicitly: 22004');
SELECT throws_ok($$SELECT inventree_perms.register_tree('ptree', 'sbb.ptree')$$, '42809', NULL,
	'a partitioned table cannot be a tree (42809; reading its nodes crashed the server)');
SELECT lives_ok($$SELECT inventree_perms.register_tree(tree => 'cat', relation => 'sbb.cat', parent_column => 'up')$$,
	'register_tree in named notation');
SELECT lives_ok($$SELECT inventree_perms.register_tree('loc', 'sbb.loc', owner_column => 'owner_id')$$,
	'register_tree with parent_column by default');
RESET ROLE;
SELECT is((SELECT array_agg(row(name, parent_column, owner_column)::text ORDER BY name) FROM inventree_perms.trees
		   WHERE name IN ('cat', 'loc')),
	'{"(cat,up,)","(loc,parent_id,owner_id)"}', 'parent_column defaults to parent_id, owner_column to none');
SELECT lives_ok($$SELECT inventree_perms.register_tree('loc', 'sbb.loc', 'parent_id', 'owner_id')$$,
	'the same arguments spelled out: idempotent');
SET ROLE sbb_admin2;
SELECT throws_ok($$SELECT inventree_perms.unregister_tree('cat')$$, '42501', NULL,
	'unregister_tree by an administrator who does not own the table: 42501');
SELECT throws_ok($$SELECT inventree_perms.unregister_tree(NULL)$$, '22004', NULL,
	'unregister_tree(NULL) by an administrator: 22004');
SELECT throws_ok($$SELECT inventree_perms.unregister_tree('Bad Name')$$, '22023', NULL,
	'unregister_tree of a malformed name by an administrator: 22023');
RESET ROLE;

-- 3. owners: named notation, NULLs, names, audit ------------------------------------------
SET ROLE sbb_admin2;
SELECT throws_ok($$SELECT inventree_perms.drop_owner(NULL)$$, '22004', NULL, 'drop_owner(NULL): 22004');
SELECT throws_ok($$SELECT inventree_perms.set_owner(10, ' sbb_alice')$$, '22023', NULL,
	'set_owner with a malformed user name: 22023');
SELECT throws_ok($$SELECT inventree_perms.set_owner(10, groupname => '')$$, '22023', NULL,
	'... an empty group name: 22023');
SELECT lives_ok($$SELECT inventree_perms.set_owner(owner => 10, groupname => 'sbb_team')$$,
	'set_owner in named notation, a group');
SELECT lives_ok($$SELECT inventree_perms.set_owner(owner => 11, username => 'sbb_bob')$$, '... a user');
SELECT lives_ok($$SELECT inventree_perms.set_owner(12, 'sbb_super')$$,
	'an administrator who is no superuser may make an owner id stand for a superuser (it alters no superuser)');
RESET ROLE;
SELECT is((SELECT array_agg(row(id, username, groupname)::text ORDER BY id) FROM inventree_perms.owners),
	'{"(10,,sbb_team)","(11,sbb_bob,)","(12,sbb_super,)"}', 'the owners are recorded');

-- 4. protect: named notation; a refused call leaves nothing -------------------------------
SET ROLE sbb_towner;
SELECT throws_ok($$SELECT inventree_perms.protect('sbb.fresh', 'fresh', 'loc', 'loc', 'nope')$$, '42703', NULL,
	'protect with a missing owner column: 42703');
SELECT throws_ok($$SELECT inventree_perms.protect('sbb.fresh', 'fresh', 'loc', 'notree')$$, '42704', NULL,
	'protect with an unknown tree: 42704');
RESET ROLE;
SELECT ok((SELECT NOT relrowsecurity FROM pg_class WHERE oid = 'sbb.fresh'::regclass)
		  AND NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = 'sbb.fresh'::regclass)
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.models WHERE name = 'fresh')
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.audit_log WHERE target IN ('fresh', 'sbb.fresh')),
	'... and leave nothing: no RLS, no policy, no model, no audit row');
SET ROLE sbb_towner;
SELECT lives_ok($$SELECT inventree_perms.protect(relation => 'sbb.item', model => 'item', scope_column => 'loc',
												  tree => 'loc', owner_column => 'owner_id')$$,
	'protect in named notation, scoped and owned');
SELECT lives_ok($$SELECT inventree_perms.protect('sbb.loc', 'loc', tree => 'loc')$$, 'the tree''s own table, scoped');
SELECT lives_ok($$SELECT inventree_perms.protect('sbb.pitem', 'pitem', 'loc', 'loc', 'owner_id')$$,
	'a partitioned table, scoped and owned');
SELECT lives_ok($$SELECT inventree_perms.protect('sbb.iitem', 'iitem', 'loc', 'loc', 'owner_id')$$,
	'an inheritance parent, scoped and owned');
SELECT lives_ok($$SELECT inventree_perms.protect('sbb.own', 'own', owner_column => 'owner_id')$$,
	'a table owned row by row without a tree');
RESET ROLE;

-- 5. scoped grants: named notation, NULLs, no-ops and audit -------------------------------
SET ROLE sbb_admin2;
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope(NULL, 'item', 'view', 1)$$, '22004', NULL,
	'grant_user_scope: a NULL username: 22004');
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('sbb_bob', NULL, 'view', 1)$$, '22004', NULL,
	'... a NULL model: 22004');
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('sbb_bob', 'item', NULL, 1)$$, '22004', NULL,
	'... a NULL action: 22004');
SELECT throws_ok($$SELECT inventree_perms.grant_group_scope(NULL, 'item', 'view', 1)$$, '22004', NULL,
	'grant_group_scope: a NULL groupname: 22004');
SELECT throws_ok($$SELECT inventree_perms.grant_group_scope('sbb_team', 'item', 'view', NULL)$$, '22004', NULL,
	'... a NULL node: 22004');
SELECT throws_ok($$SELECT inventree_perms.revoke_user_scope('sbb_bob', 'item', 'view', NULL)$$, '22004', NULL,
	'revoke_user_scope: a NULL node: 22004');
SELECT throws_ok($$SELECT inventree_perms.revoke_group_scope('sbb_team', NULL, 'view', 1)$$, '22004', NULL,
	'revoke_group_scope: a NULL model: 22004');
SELECT throws_ok($$SELECT inventree_perms.grant_group_scope('sbb_team', 'item', 'fly', 1)$$, '22023', NULL,
	'grant_group_scope: an unknown action: 22023');
SELECT throws_ok($$SELECT inventree_perms.revoke_user_scope('sbb_bob', 'item', 'fly', 1)$$, '22023', NULL,
	'revoke_user_scope: an unknown action: 22023');
SELECT throws_ok($$SELECT inventree_perms.grant_group_scope('sbb_team', 'item', 'view', 777)$$, '42704', NULL,
	'grant_group_scope within a node not in the tree: 42704');
SELECT throws_ok($$SELECT inventree_perms.revoke_group_scope('nogroup', 'item', 'view', 1)$$, '42704', NULL,
	'revoke_group_scope of an unknown group: 42704');
SELECT throws_ok($$SELECT inventree_perms.revoke_user_scope('sbb_bob', 'nomodel', 'view', 1)$$, '42704', NULL,
	'revoke_user_scope on an unregistered model: 42704');
SELECT throws_ok($$SELECT inventree_perms.grant_group_scope('sbb_team', 'user', 'view', 1)$$, '55000', NULL,
	'grant_group_scope on a model that is not scoped: 55000');
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('sbb_bob', 'own', 'view', 1)$$, '55000', NULL,
	'... an owned table without a tree is not scoped either: 55000');
RESET ROLE;
SET ROLE sbb_admin2;
SELECT inventree_perms.grant_user_perm('sbb_bob', 'item', 'view');
SELECT lives_ok($$SELECT inventree_perms.grant_user_scope(username => 'sbb_bob', model => 'item', action => 'change', node => 2)$$,
	'grant_user_scope in named notation');
SELECT lives_ok($$SELECT inventree_perms.grant_group_scope(groupname => 'sbb_team', model => 'item', action => 'view', node => 4)$$,
	'grant_group_scope in named notation');
RESET ROLE;
SELECT is(pg_temp.last_audit(), 'grant_group_scope sbb_team ["view"]', 'grant_group_scope is audited');
SET ROLE sbb_admin2;
SELECT lives_ok($$SELECT inventree_perms.grant_group_scope('sbb_team', 'item', 'All', 4)$$,
	'"all" (any letter case) where view is held already');
RESET ROLE;
SELECT is(pg_temp.last_audit(), 'grant_group_scope sbb_team ["add", "change", "delete"]',
	'... audited with the actions it added only');
CREATE TEMP TABLE n1 AS SELECT pg_temp.audits() AS n;
SET ROLE sbb_admin2;
SELECT lives_ok($$SELECT inventree_perms.grant_group_scope('sbb_team', 'item', 'edit', 4)$$,
	'granting what is held ("edit" = change): no error');
SELECT lives_ok($$SELECT inventree_perms.revoke_user_scope('sbb_bob', 'item', 'delete', 2)$$,
	'revoking what is not held: no error');
SELECT lives_ok($$SELECT inventree_perms.revoke_group_scope(groupname => 'sbb_team', model => 'item', action => 'view', node => 777)$$,
	'revoking within a node that never existed, in named notation: no error');
RESET ROLE;
SELECT is(pg_temp.audits(), (SELECT n FROM n1), '... and none of these no-ops writes an audit row');
SET ROLE sbb_admin2;
SELECT inventree_perms.grant_user_scope('sbb_carol', 'item', 'view', 3);
SELECT lives_ok($$SELECT inventree_perms.revoke_user_scope(username => 'sbb_carol', model => 'item', action => 'all', node => 3)$$,
	'revoke_user_scope "all" in named notation');
RESET ROLE;
SELECT is(pg_temp.last_audit(), 'revoke_user_scope sbb_carol ["view"]', '... audited with what it removed');
SELECT is((SELECT count(*) FROM inventree_perms.user_scope_grants WHERE username = 'sbb_carol'), 0::bigint,
	'... and nothing of carol''s is left');

-- 6. has_row_perm: both forms, named notation, the owner argument --------------------------
SELECT is(inventree_perms.has_row_perm(username => 'sbb_alice', model => 'item', action => 'change', node => 5),
	true, 'has_row_perm in named notation: alice may change within 4, owned by her group');
SELECT is(inventree_perms.has_row_perm(username => 'sbb_alice', model => 'item', action => 'change', node => 5, owner => 11),
	false, '... not a row whose own owner (bob) does not cover her');
SELECT is(inventree_perms.has_row_perm('sbb_alice', 'item', 'view', 5, 11), true, '... though she may view it');
SELECT is(inventree_perms.has_row_perm('sbb_alice', 'item', 'add', 9), false,
	'an owner id never set (99) on a node covers nobody: no add');
SELECT is(inventree_perms.has_row_perm('sbb_alice', 'item', 'add', 9, 10), true,
	'... a row''s own owner counts before its node''s');
SELECT is(inventree_perms.has_row_perm('sbb_alice', 'item', 'add', 5, 98), false,
	'a row owned by an id never set, on her group''s node: no add');
SELECT is(inventree_perms.has_row_perm('sbb_super', 'item', 'delete', 9, 98), true, '... an active superuser may');
SELECT is(inventree_perms.has_row_perm('sbb_idlesuper', 'item', 'view', NULL), false,
	'an inactive superuser: false');
SELECT is(inventree_perms.has_row_perm('sbb_bob', 'item', 'change', 3, 12), false,
	'an owner that stands for a superuser covers only that superuser');
SET ROLE sbb_alice;
SELECT is(inventree_perms.has_row_perm(model => 'item', action => 'change', node => 5, owner => 10), true,
	'the acting-user form in named notation, with an owner that covers her');
SELECT is(inventree_perms.has_row_perm(model => 'item', action => 'change', node => 5, owner => 11), false,
	'... and one that does not');
SELECT is(inventree_perms.has_row_perm('item', 'change', NULL::bigint, 10), false,
	'the acting-user form, positional, a typed NULL node: model-wide only');
SELECT is(inventree_perms.has_row_perm('item', 'view', 5), true, 'the acting-user form, positional, without owner');
RESET ROLE;
-- A positional 4-argument call with an untyped NULL (or quoted) node: PostgreSQL
-- prefers the text parameter for an unknown-typed argument, so the call
-- resolves to has_row_perm(username, model, action, node), not to the
-- acting-user form (model, action, node, owner), as with any overloaded
-- function; doc/reference.md says to write NULL::bigint or named notation.
SET ROLE sbb_bob;
SELECT is(inventree_perms.has_row_perm('item', 'view', NULL, 11), NULL,
	'has_row_perm(''item'', ''view'', NULL, 11): the username form (user "item", action NULL): NULL');
SELECT throws_ok($$SELECT inventree_perms.has_row_perm('item', 'view', '3', 11)$$, '22023', NULL,
	'has_row_perm(''item'', ''view'', ''3'', 11): the username form, action "3": 22023');
RESET ROLE;

-- 7. trees: a self-loop ---------------------------------------------------------------------
SELECT inventree_perms.grant_user_scope('sbb_carol', 'loc', 'view', 12);
SELECT inventree_perms.grant_user_scope('sbb_carol', 'loc', 'change', 11);
SELECT is(inventree_perms.has_row_perm('sbb_carol', 'loc', 'view', 11), false,
	'a node that is its own parent is a root: a grant below it does not reach it');
SELECT is(inventree_perms.has_row_perm('sbb_carol', 'loc', 'change', 12), true, '... and a grant on it reaches below');
SELECT is(pg_temp.seen('sbb_carol', 'sbb.loc'), '{12}', 'carol sees node 12 of the tree''s own table');
SELECT is(pg_temp.changeable('sbb_carol', 'sbb.loc'), '{12}',
	'... and changes 12 only: within 11 for change, but a row she cannot view is not read by UPDATE');

-- 8. ownership follows memberships and owners that go ---------------------------------------
SELECT is(pg_temp.changeable('sbb_alice', 'sbb.item'), '{4,5}', 'alice changes within 4, not 9 (owned by nobody)');
SELECT inventree_perms.remove_user_from_group('sbb_alice', 'sbb_team');
SELECT inventree_perms.grant_user_scope('sbb_alice', 'item', 'change', 4);
SELECT is(inventree_perms.has_row_perm('sbb_alice', 'item', 'change', 5), false,
	'out of the group: her own scoped grant within 4 gives her nothing the group owns');
SELECT inventree_perms.add_user_to_group('sbb_alice', 'sbb_team');
SELECT is(pg_temp.changeable('sbb_alice', 'sbb.item'), '{4,5}', 'back in the group: the group''s rows again');
SELECT inventree_perms.create_group('sbb_g2');
SELECT inventree_perms.add_user_to_group('sbb_alice', 'sbb_g2');
SELECT inventree_perms.set_owner(20, groupname => 'sbb_g2');
SELECT is(inventree_perms.has_row_perm('sbb_alice', 'item', 'change', 5, 20), true, 'a second group owner covers her');
SELECT inventree_perms.drop_group('sbb_g2');
SELECT is((SELECT count(*) FROM inventree_perms.owners WHERE id = 20), 0::bigint, 'the owner goes with its group');
SELECT inventree_perms.create_group('sbb_g2');
SELECT inventree_perms.add_user_to_group('sbb_alice', 'sbb_g2');
SELECT is(inventree_perms.has_row_perm('sbb_alice', 'item', 'change', 5, 20), false,
	'a new group of the same name does not get the owner id back: it covers nobody');
SELECT inventree_perms.set_user_active('sbb_alice', false);
SELECT is(pg_temp.seen('sbb_alice', 'sbb.item'), '{}', 'an inactive user sees nothing, scoped grants or not');
SELECT is((SELECT count(*) FROM inventree_perms.user_scopes('sbb_alice')), 0::bigint, '... and has no scopes that apply');
SELECT inventree_perms.set_user_active('sbb_alice', true);

-- 9. UPDATE and INSERT check the new row's owner too -----------------------------------------
SET ROLE sbb_alice;
SELECT throws_ok($$UPDATE sbb.item SET owner_id = 11 WHERE id = 5$$, '42501', NULL,
	'giving a row to another owner is refused like any other change');
SELECT throws_ok($$INSERT INTO sbb.item VALUES (50, 5, 98)$$, '42501', NULL,
	'adding a row owned by nobody is refused');
SELECT lives_ok($$INSERT INTO sbb.item VALUES (51, 5, 10)$$, 'adding one her group owns works');
RESET ROLE;
SET ROLE sbb_super;
SELECT lives_ok($$INSERT INTO sbb.item VALUES (52, 9, 98)$$, 'an active superuser adds rows owned by nobody');
RESET ROLE;

-- 10. user_scopes: via, administrators, NULL --------------------------------------------------
SELECT is((SELECT array_agg(row(model, action, tree, node, via)::text ORDER BY node, action COLLATE "C", via COLLATE "C")
		   FROM inventree_perms.user_scopes(username => 'sbb_alice')),
	'{"(item,add,loc,4,group:sbb_team)","(item,change,loc,4,group:sbb_team)","(item,change,loc,4,user)","(item,delete,loc,4,group:sbb_team)","(item,view,loc,4,group:sbb_team)"}',
	'user_scopes in named notation: her own grant via user, her group''s via group:<group>');
SET ROLE sbb_admin2;
SELECT is((SELECT count(*) FROM inventree_perms.user_scopes('sbb_alice')), 5::bigint,
	'an administrator who is no superuser sees another user''s scopes');
SELECT throws_ok($$SELECT * FROM inventree_perms.user_scopes(NULL)$$, '22004', NULL,
	'user_scopes(NULL) for an administrator: 22004, as user_permissions(NULL)');
RESET ROLE;
SELECT inventree_perms.set_acting_user('sbb_idlesuper');	-- to the end of the transaction
SET LOCAL ROLE sbb_carol;
SELECT throws_ok($$SELECT * FROM inventree_perms.user_scopes('sbb_alice')$$, '42501', NULL,
	'an inactive superuser is no administrator: 42501 for another user''s scopes');
RESET ROLE;
SELECT inventree_perms.reset_acting_user();

-- 11. scoped partitions and children -----------------------------------------------------------
SET ROLE sbb_towner;
SELECT throws_ok($$SELECT inventree_perms.unprotect('sbb.pitem_a')$$, '55000', NULL,
	'unprotect() of a partition of a scoped table that is still attached: 55000');
SELECT throws_ok($$SELECT inventree_perms.unprotect('sbb.iitem_c')$$, '55000', NULL,
	'unprotect() of a child of a scoped table that still inherits: 55000');
CREATE TABLE sbb.pitem_c PARTITION OF sbb.pitem FOR VALUES FROM (200) TO (300);
GRANT SELECT, INSERT, UPDATE, DELETE ON sbb.pitem_c TO sbb_staff;
RESET ROLE;
SELECT inventree_perms.grant_group_scope('sbb_team', 'pitem', 'all', 4);
SELECT inventree_perms.grant_group_scope('sbb_team', 'iitem', 'all', 4);
SELECT is(pg_temp.seen('sbb_alice', 'sbb.pitem_b'), '{104,105}', 'a partition named directly: the rows within 4');
SELECT is(pg_temp.changeable('sbb_alice', 'sbb.pitem_a'), '{4}', '... and her group''s rows to change (not 9, owned by nobody)');
SET ROLE sbb_alice;
SELECT throws_ok($$INSERT INTO sbb.pitem_c VALUES (209, 9, NULL)$$, '42501', NULL,
	'a partition created after protect(): adding a row owned by nobody is refused');
SELECT lives_ok($$INSERT INTO sbb.pitem_c VALUES (205, 5, NULL)$$, '... one within her scope and owned by her group works');
SELECT throws_ok($$UPDATE sbb.pitem_b SET loc = 1 WHERE id = 104$$, '42501', NULL,
	'moving a row of a partition out of her scope is refused');
RESET ROLE;
SELECT is(pg_temp.seen('sbb_alice', 'sbb.iitem_c'), '{4,5,9}', 'an inheritance child named directly: the rows within 4');
SELECT is(pg_temp.changeable('sbb_alice', 'sbb.iitem_c'), '{4,5}', '... and her group''s rows to change');
SET ROLE sbb_towner;
ALTER TABLE sbb.pitem DETACH PARTITION sbb.pitem_b;
DROP TABLE sbb.pitem;
RESET ROLE;
SELECT is(pg_temp.seen('sbb_alice', 'sbb.pitem_b'), '{104,105}', 'a detached partition stays scoped after its parent is dropped');
SET ROLE sbb_alice;
SELECT throws_ok($$INSERT INTO sbb.pitem_b VALUES (109, 9, NULL)$$, '42501', NULL, '... and owned');
RESET ROLE;
SELECT is(inventree_perms.has_row_perm('sbb_alice', 'pitem', 'change', 5), true,
	'... its model still scoped by its tree');
SET ROLE sbb_towner;
SELECT lives_ok($$SELECT inventree_perms.unprotect('sbb.pitem_b')$$, 'unprotect() of the detached table works');
RESET ROLE;

-- 12. a table owned row by row without a tree ---------------------------------------------------
SELECT inventree_perms.grant_user_perm('sbb_bob', 'own', 'all');
SELECT is(pg_temp.seen('sbb_bob', 'sbb.own'), '{1,2,3,4}', 'owned without a tree: ownership never restricts view');
SELECT is(pg_temp.changeable('sbb_bob', 'sbb.own'), '{1,3}', '... change: rows without owner and his own');
SELECT is(inventree_perms.has_row_perm('sbb_bob', 'own', 'delete', 123, 10), false,
	'has_row_perm: a row of another owner, whatever the node');

-- 13. grants that do not count now still go with their node ---------------------------------------
SET ROLE sbb_towner;
INSERT INTO sbb.loc VALUES (60, 1, NULL), (61, 1, NULL);
RESET ROLE;
SELECT inventree_perms.grant_user_scope('sbb_carol', 'item', 'change', 60);
SELECT inventree_perms.grant_user_scope('sbb_carol', 'item', 'view', 61);
SET ROLE sbb_towner;
SELECT inventree_perms.protect('sbb.item', 'item', 'loc', 'cat');		-- scoped by another tree: loc's grants wait
RESET ROLE;
SELECT is(inventree_perms.has_row_perm('sbb_carol', 'item', 'change', 60), false,
	'a model scoped by another tree: the grants in the first do not count');
SET ROLE sbb_towner;
DELETE FROM sbb.loc WHERE id = 60;
SELECT inventree_perms.unprotect('sbb.item');
DELETE FROM sbb.loc WHERE id = 61;
RESET ROLE;
SELECT is((SELECT count(*) FROM inventree_perms.user_scope_grants WHERE tree = 'loc' AND node IN (60, 61)), 0::bigint,
	'deleting a node removes the grants on it of a model scoped by another tree, or unprotected');
SELECT is((SELECT array_agg(detail->>'node' ORDER BY id) FROM inventree_perms.audit_log
		   WHERE operation = 'node_deleted' AND detail->>'tree' = 'loc' AND detail->>'model' = 'item'),
	'{60,61}', '... audited');
SET ROLE sbb_towner;
INSERT INTO sbb.loc VALUES (60, 1, NULL), (61, 1, NULL);
SELECT inventree_perms.protect('sbb.item', 'item', 'loc', 'loc', 'owner_id');
RESET ROLE;
SELECT is(inventree_perms.has_row_perm('sbb_carol', 'item', 'change', 60)
		  OR inventree_perms.has_row_perm('sbb_carol', 'item', 'view', 61), false,
	'... so none passes to a later node with the same id');
SELECT is(inventree_perms.has_row_perm('sbb_bob', 'item', 'change', 3), true,
	'protected with the same tree again: the grants that were kept count again');

-- 14. a tree whose table has inheritance children: the children's rows are not nodes --------------
SET ROLE sbb_towner;
CREATE TABLE sbb.itree (id int PRIMARY KEY, parent_id int);
CREATE TABLE sbb.itree_c () INHERITS (sbb.itree);
INSERT INTO sbb.itree VALUES (1, NULL);
INSERT INTO sbb.itree_c VALUES (5, 1);
SELECT lives_ok($$SELECT inventree_perms.register_tree('itree', 'sbb.itree')$$, 'an inheritance parent may be a tree');
CREATE TABLE sbb.ithing (id int PRIMARY KEY, n int);
SELECT inventree_perms.protect('sbb.ithing', 'ithing', 'n', 'itree');
RESET ROLE;
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('sbb_carol', 'ithing', 'view', 5)$$, '42704', NULL,
	'... its nodes are the table''s own rows: a child''s row is no node (42704)');
SELECT inventree_perms.grant_user_scope('sbb_carol', 'ithing', 'view', 1);
SELECT is(inventree_perms.has_row_perm('sbb_carol', 'ithing', 'view', 5), false,
	'... and not within the node its parent column names (fail closed)');

-- A tree's table dropped: the tree goes with its scoped grants, the models
-- it scoped are scoped no more (a protected table scoped by it answers
-- model-wide), one audit row says which.
CREATE TABLE sbb.droptree (id int PRIMARY KEY, parent_id int);
INSERT INTO sbb.droptree VALUES (1, NULL), (2, 1);
CREATE TABLE sbb.dropitem (id int PRIMARY KEY, node int);
INSERT INTO sbb.dropitem VALUES (1, 1), (2, 2), (3, NULL);
SELECT inventree_perms.register_tree('droptree', 'sbb.droptree');
SELECT inventree_perms.protect('sbb.dropitem', 'dropitem', 'node', 'droptree');
SELECT inventree_perms.grant_user_scope('sbb_carol', 'dropitem', 'view', 2);
SELECT inventree_perms.grant_group_scope('sbb_team', 'dropitem', 'view', 1);
DROP TABLE sbb.droptree;
SELECT is((SELECT count(*) FROM inventree_perms.trees WHERE name = 'droptree')
		  + (SELECT count(*) FROM inventree_perms.user_scope_grants WHERE tree = 'droptree')
		  + (SELECT count(*) FROM inventree_perms.group_scope_grants WHERE tree = 'droptree')
		  + (SELECT count(*) FROM inventree_perms.model_scopes WHERE tree = 'droptree'), 0::bigint,
	'a tree''s table dropped: the tree, its scoped grants and its models'' scoping go');
SELECT is((SELECT array[detail->>'user_scope_grants', detail->>'group_scope_grants', detail->>'models_no_longer_scoped']
		   FROM inventree_perms.audit_log WHERE operation = 'tree_table_dropped' AND target = 'droptree'),
		  '{1,1,"[\"dropitem\"]"}'::text[],
	'... audited once: the grants and the models it scoped');
SELECT is(inventree_perms.has_row_perm('sbb_carol', 'dropitem', 'view', 2), false,
	'... and the grant no longer counts');

-- A tree row naming a partitioned table (only a PostgreSQL superuser writing
-- the table directly can make one; sbb.ptree above): the loader refuses it,
-- never crashes.
CREATE TABLE sbb.ltree (id int PRIMARY KEY, parent_id int);
INSERT INTO sbb.ltree VALUES (1, NULL);
CREATE TABLE sbb.litem (id int PRIMARY KEY, node int);
SELECT inventree_perms.register_tree('ltree', 'sbb.ltree');
SELECT inventree_perms.protect('sbb.litem', 'litem', 'node', 'ltree');
UPDATE inventree_perms.trees SET relation = 'sbb.ptree' WHERE name = 'ltree';
SELECT throws_ok($$SELECT inventree_perms.has_row_perm('sbb_carol', 'litem', 'view', 1)$$, '42809', NULL,
	'a tree whose table is not a plain table (written by hand): 42809 at the check, no crash');

SELECT * FROM finish();
ROLLBACK;
