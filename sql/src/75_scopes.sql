-- ---------------------------------------------------------------------------
-- Row scopes (1.2): trees, owners, scoped grants, has_row_perm, user_scopes.
--
-- A tree is a table of the user's (InvenTree's stock_stocklocation,
-- part_partcategory) whose one-column integer primary key is the node id and
-- whose parent column names the parent node.  The extension follows it live:
-- register_tree() puts triggers on it that invalidate every session's tree
-- cache at commit (like the extension's own tables) and remove the scoped
-- grants of deleted nodes.  A model protected with a tree is *scoped*
-- (model_scopes); its scoped grants count while it is.  Checks are in C
-- (src/tree.c, src/scope.c).
-- ---------------------------------------------------------------------------

CREATE TABLE inventree_perms.trees (
	name		text COLLATE "C" PRIMARY KEY
		CHECK (name OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_.]{0,62}$'),
	relation	regclass NOT NULL UNIQUE,
	parent_column name NOT NULL,
	owner_column name,
	key_column	name NOT NULL
);
COMMENT ON TABLE inventree_perms.trees IS
	'Trees: tables whose integer primary key is a node id and whose parent column names the parent node (NULL: a root); owner_column, if any, holds an owner id';

CREATE TABLE inventree_perms.owners (
	id			bigint PRIMARY KEY,
	username	text COLLATE "C"
		REFERENCES inventree_perms.users (name) ON DELETE CASCADE ON UPDATE CASCADE,
	groupname	text COLLATE "C"
		REFERENCES inventree_perms.groups (name) ON DELETE CASCADE ON UPDATE CASCADE,
	source		text,
	CHECK (pg_catalog.num_nonnulls(username, groupname) OPERATOR(pg_catalog.=) 1)
);
CREATE INDEX owners_username_idx ON inventree_perms.owners (username);
CREATE INDEX owners_groupname_idx ON inventree_perms.owners (groupname);
COMMENT ON TABLE inventree_perms.owners IS
	'Owner ids (InvenTree''s users_owner): each stands for exactly one user or one group, and goes with it';

CREATE TABLE inventree_perms.model_scopes (
	model		text COLLATE "C" PRIMARY KEY
		REFERENCES inventree_perms.models (name) ON DELETE CASCADE ON UPDATE CASCADE,
	tree		text COLLATE "C"
		REFERENCES inventree_perms.trees (name) ON DELETE CASCADE,
	scope_column name,
	owner_column name
);
CREATE INDEX model_scopes_tree_idx ON inventree_perms.model_scopes (tree);
COMMENT ON TABLE inventree_perms.model_scopes IS
	'Row rules of protected models: the tree a model is scoped by (NULL: not scoped) and the columns of its table holding the node and the owner';

CREATE TABLE inventree_perms.user_scope_grants (
	username	text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.users (name) ON DELETE CASCADE ON UPDATE CASCADE,
	model		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.models (name) ON DELETE CASCADE ON UPDATE CASCADE,
	action		text COLLATE "C" NOT NULL
		CHECK (action OPERATOR(pg_catalog.=) ANY ('{view,add,change,delete}')),
	node		bigint NOT NULL,
	tree		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.trees (name) ON DELETE CASCADE,
	source		text,
	PRIMARY KEY (username, model, action, tree, node)
);
CREATE INDEX user_scope_grants_node_idx ON inventree_perms.user_scope_grants (tree, node);
CREATE INDEX user_scope_grants_model_idx ON inventree_perms.user_scope_grants (model);
COMMENT ON TABLE inventree_perms.user_scope_grants IS
	'Scoped grants to users: the action on the model''s rows within the node (the node or its descendants) of the tree';

CREATE TABLE inventree_perms.group_scope_grants (
	groupname	text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.groups (name) ON DELETE CASCADE ON UPDATE CASCADE,
	model		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.models (name) ON DELETE CASCADE ON UPDATE CASCADE,
	action		text COLLATE "C" NOT NULL
		CHECK (action OPERATOR(pg_catalog.=) ANY ('{view,add,change,delete}')),
	node		bigint NOT NULL,
	tree		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.trees (name) ON DELETE CASCADE,
	source		text,
	PRIMARY KEY (groupname, model, action, tree, node)
);
CREATE INDEX group_scope_grants_node_idx ON inventree_perms.group_scope_grants (tree, node);
CREATE INDEX group_scope_grants_model_idx ON inventree_perms.group_scope_grants (model);
COMMENT ON TABLE inventree_perms.group_scope_grants IS
	'Scoped grants to groups: the action on the model''s rows within the node (the node or its descendants) of the tree';

-- The checks (C). -------------------------------------------------------------
CREATE FUNCTION inventree_perms.has_row_perm(username text, model text, action text, node bigint,
											 owner bigint DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_has_row_perm'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.has_row_perm(text, text, text, bigint, bigint) IS
	'The answer a protected row gets: does the user hold the action on the model, model-wide or within the node, and (add, change, delete) does the row''s effective owner cover the user?  NULL username, model or action: NULL; 22023 unknown action; 42704 unregistered model';

CREATE FUNCTION inventree_perms.has_row_perm(model text, action text, node bigint, owner bigint DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_has_row_perm_acting'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.has_row_perm(text, text, bigint, bigint) IS
	'has_row_perm for the acting user: the answer a protected row gets';

-- What the scoped policies that protect() writes call (src/scope_plan.c):
-- the acting user's allowed nodes (an InitPlan: once per statement), and the
-- per-row answer whose planner support function writes the policy's
-- condition in a form an index on the scope column can serve (or, for a
-- model-wide holder, one that does not deform the rows it admits).  Everybody
-- runs the policies, so both are everybody's (they answer for the acting
-- user only, as has_row_perm does); the support function is nobody's (the
-- planner calls it).
CREATE FUNCTION inventree_perms_internal.allowed_nodes(model text, action text)
RETURNS bigint[]
AS 'MODULE_PATHNAME', 'ip_allowed_nodes'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms_internal.allowed_nodes(text, text) IS
	'The nodes of the model''s tree within which the acting user holds the action now (her scoped grants'' nodes and everything below them), as of the statement; empty for a model-wide holder, a superuser, an unknown or inactive user, or a model that is not scoped; 22023 unknown action, 42704 unregistered model';

CREATE FUNCTION inventree_perms_internal._scope_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'ip_scope_admits_support'
LANGUAGE C STRICT;
COMMENT ON FUNCTION inventree_perms_internal._scope_support(internal) IS
	'Internal: planner support of scope_admits(): while a query is planned, writes the condition for the acting user: "modelwide OR scope_admits_row(the row)" for a model-wide holder, "node = ANY(scope_nodes(allowed))" for a narrow scope (an index on the scope column serves it alone), scope_test(node) for a broad one; the plan depends on scope_admits(), and the extension invalidates such plans when the acting user, a permission, a grant or a tree changes';

CREATE FUNCTION inventree_perms_internal.scope_nodes(model text, action text, allowed bigint[])
RETURNS bigint[]
AS 'MODULE_PATHNAME', 'ip_scope_nodes'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms_internal.scope_nodes(text, text, bigint[]) IS
	'allowed (allowed_nodes() of the same model and action; NULL: empty) once the acting user is one for whom "node = ANY(allowed)" is the whole answer (not a model-wide holder, not a superuser, the model scoped): the condition the planner writes for a narrow scope; for anyone else (a plan run without being checked after a change) 40001, never a short answer; NULL model or action: NULL; 22023 unknown action, 42704 unregistered model';

CREATE FUNCTION inventree_perms_internal.scope_admits(model text, action text, node bigint, modelwide boolean,
											 allowed bigint[], planned boolean DEFAULT false)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_scope_admits'
LANGUAGE C STABLE PARALLEL SAFE
SUPPORT inventree_perms_internal._scope_support;
COMMENT ON FUNCTION inventree_perms_internal.scope_admits(text, text, bigint, boolean, bigint[], boolean) IS
	'The condition of a scoped policy (protect()): the acting user''s answer for a row whose ownership does not apply, model-wide or within the node (has_row_perm''s); modelwide and allowed, the policy''s (SELECT has_model_perm(...)) and (SELECT allowed_nodes(...)), let the planner use an index on the scope column; NULL model or action: NULL; 22023 unknown action, 42704 unregistered model';

CREATE FUNCTION inventree_perms_internal.scope_admits_row(model text, action text, r record, attno integer)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_scope_admits_row'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms_internal.scope_admits_row(text, text, record, integer) IS
	'scope_admits() of the node in attribute attno (an integer column) of the row: what the planner writes for a model-wide holder, whose rows are then not even deformed; NULL model or action: NULL; 22023 unknown action or attribute, 42704 unregistered model, 42804 not an integer column';

CREATE FUNCTION inventree_perms_internal.scope_test2(model text, action text, node smallint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_scope_test2'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms_internal.scope_test2(text, text, smallint) IS
	'scope_test() of a smallint node (a name of its own: no call is ambiguous)';
CREATE FUNCTION inventree_perms_internal.scope_test4(model text, action text, node integer)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_scope_test4'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms_internal.scope_test4(text, text, integer) IS
	'scope_test() of an integer node (a name of its own: no call is ambiguous)';
CREATE FUNCTION inventree_perms_internal.scope_test(model text, action text, node bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_scope_test8'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms_internal.scope_test(text, text, bigint) IS
	'scope_admits() (the acting user''s answer for a row whose ownership does not apply, exact for every acting user) with the node in the scope column''s own type and the least work per row: what the planner writes for a broad scope; NULL model or action: NULL; 22023 unknown action, 42704 unregistered model';

CREATE FUNCTION inventree_perms_internal._tree_has_node(tree text, node bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_tree_has_node'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION inventree_perms_internal._tree_has_node(text, bigint) IS
	'Internal: is the node in the tree''s table now (read through the tree cache)?';

-- Trees followed live. ------------------------------------------------------

-- Internal trigger on a tree's table: a deleted node (TG_OP DELETE, row), a
-- node given another id (UPDATE of the key: gone under its old id), or all
-- of them (TRUNCATE, statement) take their scoped grants along, audited, so
-- no grant passes to a later node with that id.  TG_ARGV[0]: the tree's
-- name, TG_ARGV[1]: the key column.
CREATE FUNCTION inventree_perms_internal._tree_deleted()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t text := TG_ARGV[0];
	n bigint;
	m bigint;
	r record;
BEGIN
	IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
		FOR r IN
			WITH u AS (DELETE FROM inventree_perms.user_scope_grants g
						WHERE g.tree OPERATOR(pg_catalog.=) t
					   RETURNING 'user'::text AS kind, g.username AS who, g.model, g.action, g.node),
				 gr AS (DELETE FROM inventree_perms.group_scope_grants g
						 WHERE g.tree OPERATOR(pg_catalog.=) t
						RETURNING 'group'::text AS kind, g.groupname AS who, g.model, g.action, g.node)
			SELECT * FROM u UNION ALL SELECT * FROM gr
		LOOP
			PERFORM inventree_perms_internal._audit_insert(SESSION_USER::text, inventree_perms.acting_user(),
				'node_deleted', r.who,
				pg_catalog.jsonb_build_object('tree', t, 'node', r.node, 'kind', r.kind,
											  'model', r.model, 'action', r.action,
											  'truncate', true));
		END LOOP;
		RETURN NULL;
	END IF;
	EXECUTE pg_catalog.format('SELECT ($1).%I::pg_catalog.int8', TG_ARGV[1]) INTO n USING OLD;
	IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
		EXECUTE pg_catalog.format('SELECT ($1).%I::pg_catalog.int8', TG_ARGV[1]) INTO m USING NEW;
		IF m OPERATOR(pg_catalog.=) n THEN
			RETURN NULL;
		END IF;
	END IF;
	FOR r IN
		WITH u AS (DELETE FROM inventree_perms.user_scope_grants g
					WHERE g.tree OPERATOR(pg_catalog.=) t AND g.node OPERATOR(pg_catalog.=) n
				   RETURNING 'user'::text AS kind, g.username AS who, g.model, g.action, g.node),
			 gr AS (DELETE FROM inventree_perms.group_scope_grants g
					 WHERE g.tree OPERATOR(pg_catalog.=) t AND g.node OPERATOR(pg_catalog.=) n
					RETURNING 'group'::text AS kind, g.groupname AS who, g.model, g.action, g.node)
		SELECT * FROM u UNION ALL SELECT * FROM gr
	LOOP
		PERFORM inventree_perms_internal._audit_insert(SESSION_USER::text, inventree_perms.acting_user(),
			'node_deleted', r.who,
			pg_catalog.jsonb_build_object('tree', t, 'node', r.node, 'kind', r.kind,
										  'model', r.model, 'action', r.action));
	END LOOP;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._tree_deleted() IS
	'Internal trigger on a tree''s table: removes (audited) the scoped grants on deleted nodes and on the old ids of nodes given another id, or on all nodes after TRUNCATE';

-- Internal: put the triggers on (add) or take them off a tree's table (locked
-- by the caller), verified by OID.
CREATE FUNCTION inventree_perms_internal._tree_triggers(relation regclass, tree text, add boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	tr inventree_perms.trees;
	rel text := inventree_perms_internal._protect_relname(relation);
	trig text;
	cols text;
BEGIN
	IF NOT add THEN
		FOREACH trig IN ARRAY '{inventree_perms_tree_invalidate,inventree_perms_tree_invalidate_truncate,inventree_perms_tree_deleted,inventree_perms_tree_truncated}'::text[] LOOP
			IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger x
					   WHERE x.tgrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
						 AND x.tgname OPERATOR(pg_catalog.=) trig) THEN
				EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', trig, rel);
				PERFORM inventree_perms_internal._protect_reached(relation,
					NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger x
								WHERE x.tgrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
								  AND x.tgname OPERATOR(pg_catalog.=) trig));
			END IF;
		END LOOP;
		RETURN;
	END IF;
	SELECT * INTO STRICT tr FROM inventree_perms.trees x WHERE x.name OPERATOR(pg_catalog.=) tree;
	SELECT pg_catalog.string_agg(DISTINCT pg_catalog.quote_ident(c), ', ') INTO cols
	  FROM pg_catalog.unnest(ARRAY[tr.key_column, tr.parent_column, tr.owner_column]) c
	 WHERE c IS NOT NULL;
	EXECUTE pg_catalog.format(
		'CREATE TRIGGER inventree_perms_tree_invalidate AFTER INSERT OR DELETE OR UPDATE OF %s ON %s'
		' FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._invalidate()', cols, rel);
	EXECUTE pg_catalog.format(
		'CREATE TRIGGER inventree_perms_tree_invalidate_truncate AFTER TRUNCATE ON %s'
		' FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._invalidate()', rel);
	EXECUTE pg_catalog.format(
		'CREATE TRIGGER inventree_perms_tree_deleted AFTER DELETE OR UPDATE OF %I ON %s'
		' FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._tree_deleted(%L, %L)', tr.key_column, rel, tree, tr.key_column);
	EXECUTE pg_catalog.format(
		'CREATE TRIGGER inventree_perms_tree_truncated AFTER TRUNCATE ON %s'
		' FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._tree_deleted(%L, %L)', rel, tree, tr.key_column);
	FOREACH trig IN ARRAY '{inventree_perms_tree_invalidate,inventree_perms_tree_invalidate_truncate,inventree_perms_tree_deleted,inventree_perms_tree_truncated}'::text[] LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', rel, trig);
		PERFORM inventree_perms_internal._protect_reached(relation,
			EXISTS (SELECT 1 FROM pg_catalog.pg_trigger x
					WHERE x.tgrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
					  AND x.tgname OPERATOR(pg_catalog.=) trig
					  AND x.tgenabled OPERATOR(pg_catalog.=) 'A'));
	END LOOP;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._tree_triggers(regclass, text, boolean) IS
	'Internal: creates (add) or drops the triggers that make the extension follow a tree''s table live, verified by OID';

-- Internal: the attribute of a column of a table, or 42703.
CREATE FUNCTION inventree_perms_internal._tree_column(relation regclass, col name, what text)
RETURNS pg_catalog.pg_attribute
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	a pg_catalog.pg_attribute;
BEGIN
	SELECT * INTO a FROM pg_catalog.pg_attribute x
	 WHERE x.attrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid
	   AND x.attname OPERATOR(pg_catalog.=) col
	   AND x.attnum OPERATOR(pg_catalog.>) 0 AND NOT x.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'column "%" of relation % does not exist', col, relation
			USING ERRCODE = 'undefined_column',
				  DETAIL = pg_catalog.format('It was given as the %s.', what);
	END IF;
	IF a.atttypid OPERATOR(pg_catalog.<>) ALL ('{int2,int4,int8}'::regtype[]::oid[]) THEN
		RAISE EXCEPTION 'column "%" of relation % is not an integer column', col, relation
			USING ERRCODE = 'datatype_mismatch',
				  DETAIL = pg_catalog.format('The %s must be smallint, integer or bigint.', what);
	END IF;
	RETURN a;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._tree_column(regclass, name, text) IS
	'Internal: the pg_attribute row of a column; 42703 if missing, 42804 unless it is an integer column';

-- Internal: tree names follow the model-name rule.
CREATE FUNCTION inventree_perms_internal._check_tree_name(tree text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF tree OPERATOR(pg_catalog.!~) '^[a-z][a-z0-9_.]{0,62}$' THEN
		RAISE EXCEPTION 'invalid tree name "%"', tree
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Tree names match ^[a-z][a-z0-9_.]{0,62}$, like model names.';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._check_tree_name(text) IS
	'Internal: raise 22023 unless tree is a valid tree name (the model-name rule)';

-- register_tree --------------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._register_tree(tree text, relation regclass, parent_column name,
											   owner_column name)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	prev inventree_perms.trees;
	key name;
	c pg_catalog.pg_class;
BEGIN
	PERFORM inventree_perms_internal._require_admin('register trees');
	PERFORM inventree_perms_internal._check_tree_name(tree);
	c := inventree_perms_internal._protect_target(relation, 'register trees');
	-- A plain table only: the nodes are read with one scan of the table
	-- itself (src/tree.c), which a partitioned table has no storage for.
	IF c.relkind OPERATOR(pg_catalog.<>) 'r' THEN
		RAISE EXCEPTION 'table % is not a plain table', relation
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'A tree is a plain table; a partitioned table cannot be one.';
	END IF;

	-- The primary key: one integer column.
	SELECT a.attname INTO key
	  FROM pg_catalog.pg_index i
	  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid
									AND a.attnum OPERATOR(pg_catalog.=) i.indkey[0]
	 WHERE i.indrelid OPERATOR(pg_catalog.=) relation::pg_catalog.oid AND i.indisprimary
	   AND i.indnkeyatts OPERATOR(pg_catalog.=) 1
	   AND a.atttypid OPERATOR(pg_catalog.=) ANY ('{int2,int4,int8}'::regtype[]::oid[]);
	IF key IS NULL THEN
		RAISE EXCEPTION 'table % has no primary key of one integer column', relation
			USING ERRCODE = 'invalid_column_reference',
				  DETAIL = 'A tree''s nodes are identified by a primary key of one smallint, integer or bigint column.';
	END IF;
	PERFORM inventree_perms_internal._tree_column(relation, parent_column, 'parent column');
	IF owner_column IS NOT NULL THEN
		PERFORM inventree_perms_internal._tree_column(relation, owner_column, 'owner column');
	END IF;

	SELECT * INTO prev FROM inventree_perms.trees x WHERE x.name OPERATOR(pg_catalog.=) tree;
	IF FOUND THEN
		IF prev.relation OPERATOR(pg_catalog.=) relation
		   AND prev.parent_column OPERATOR(pg_catalog.=) parent_column
		   AND prev.owner_column IS NOT DISTINCT FROM owner_column
		   AND prev.key_column OPERATOR(pg_catalog.=) key THEN
			RETURN;
		END IF;
		RAISE EXCEPTION 'tree "%" is already registered', tree
			USING ERRCODE = 'duplicate_object',
				  DETAIL = pg_catalog.format('It is table %s, parent column %s, owner column %s.',
											 prev.relation, prev.parent_column,
											 coalesce(prev.owner_column::text, 'none')),
				  HINT = 'Unregister it first with inventree_perms.unregister_tree().';
	END IF;
	SELECT * INTO prev FROM inventree_perms.trees x WHERE x.relation OPERATOR(pg_catalog.=) relation;
	IF FOUND THEN
		RAISE EXCEPTION 'table % is already registered as tree "%"', relation, prev.name
			USING ERRCODE = 'duplicate_object';
	END IF;

	INSERT INTO inventree_perms.trees (name, relation, parent_column, owner_column, key_column)
	VALUES (tree, relation, parent_column, owner_column, key);
	PERFORM inventree_perms_internal._tree_triggers(relation, tree, true);
	PERFORM inventree_perms_internal._log('register_tree', tree,
		pg_catalog.jsonb_build_object('relation', relation::text, 'parent_column', parent_column,
									  'owner_column', owner_column, 'key_column', key));
END;
$$;
CREATE FUNCTION inventree_perms.register_tree(tree text, relation regclass, parent_column name DEFAULT 'parent_id',
											  owner_column name DEFAULT NULL)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.register_tree(text, regclass, name, name) IS
	'Register a table as a tree of nodes (one-column integer primary key, parent column, optional owner column), followed live; an administrator owning the table, or a PostgreSQL superuser; 42710, 42809 (not a plain table), 42P10, 42703';

-- unregister_tree ------------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._unregister_tree(tree text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	tr inventree_perms.trees;
	users_gone bigint;
	groups_gone bigint;
	scoped_by text;
BEGIN
	PERFORM inventree_perms_internal._require_admin('unregister trees');
	PERFORM inventree_perms_internal._check_tree_name(tree);
	SELECT * INTO tr FROM inventree_perms.trees x WHERE x.name OPERATOR(pg_catalog.=) tree;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'tree "%" is not registered', tree
			USING ERRCODE = 'undefined_object',
				  HINT = 'Register it with inventree_perms.register_tree().';
	END IF;
	PERFORM inventree_perms_internal._protect_target(tr.relation, 'unregister trees');
	SELECT pg_catalog.string_agg(pg_catalog.format('%s (model "%s")', p.relation, s.model), ', '
								 ORDER BY s.model)
	  INTO scoped_by
	  FROM inventree_perms.model_scopes s
	  JOIN inventree_perms.protected p ON p.model OPERATOR(pg_catalog.=) s.model
									  AND p.root OPERATOR(pg_catalog.=) p.relation
	 WHERE s.tree OPERATOR(pg_catalog.=) tree;
	IF scoped_by IS NOT NULL THEN
		RAISE EXCEPTION 'tree "%" scopes protected tables', tree
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = pg_catalog.format('Protected tables scoped by it: %s.', scoped_by),
				  HINT = 'Call inventree_perms.unprotect() on them first.';
	END IF;
	SELECT pg_catalog.count(*) INTO users_gone FROM inventree_perms.user_scope_grants g
	 WHERE g.tree OPERATOR(pg_catalog.=) tree;
	SELECT pg_catalog.count(*) INTO groups_gone FROM inventree_perms.group_scope_grants g
	 WHERE g.tree OPERATOR(pg_catalog.=) tree;
	PERFORM inventree_perms_internal._tree_triggers(tr.relation, tree, false);
	DELETE FROM inventree_perms.trees x WHERE x.name OPERATOR(pg_catalog.=) tree;
	PERFORM inventree_perms_internal._log('unregister_tree', tree,
		pg_catalog.jsonb_build_object('relation', tr.relation::text,
									  'user_scope_grants', users_gone,
									  'group_scope_grants', groups_gone));
END;
$$;
CREATE FUNCTION inventree_perms.unregister_tree(tree text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.unregister_tree(text) IS
	'Stop following a tree and remove its scoped grants; 2BP01 while a protected table is scoped by it; an administrator owning the table, or a PostgreSQL superuser';

-- Internal: forget the trees whose tables are gone (dropped, or a temporary
-- table's session ended), with their scoped grants and the scoping of the
-- models they scoped (ON DELETE CASCADE), one audit row each, as
-- unregister_tree() writes one; the stored OID must not pass to a new table.
-- Only the trees named are deleted, one statement each: a statement on
-- trees, even one that deletes no row, makes every session load its trees
-- again (its statement trigger), and any role drops what it owns.
CREATE FUNCTION inventree_perms_internal._forget_trees(relations pg_catalog.oid[])
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT t.name, t.relation::pg_catalog.oid AS relid,
			   (SELECT pg_catalog.count(*) FROM inventree_perms.user_scope_grants g
				 WHERE g.tree OPERATOR(pg_catalog.=) t.name) AS users_gone,
			   (SELECT pg_catalog.count(*) FROM inventree_perms.group_scope_grants g
				 WHERE g.tree OPERATOR(pg_catalog.=) t.name) AS groups_gone,
			   (SELECT coalesce(pg_catalog.array_agg(s.model ORDER BY s.model), '{}')
				  FROM inventree_perms.model_scopes s
				 WHERE s.tree OPERATOR(pg_catalog.=) t.name) AS models
		  FROM inventree_perms.trees t
		 WHERE t.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (relations)
		 ORDER BY t.name
	LOOP
		DELETE FROM inventree_perms.trees t WHERE t.name OPERATOR(pg_catalog.=) r.name;
		PERFORM inventree_perms_internal._audit_insert(SESSION_USER::text, inventree_perms.acting_user(),
			'tree_table_dropped', r.name,
			pg_catalog.jsonb_build_object('relation', r.relid,
										  'user_scope_grants', r.users_gone,
										  'group_scope_grants', r.groups_gone,
										  'models_no_longer_scoped', pg_catalog.to_jsonb(r.models)));
	END LOOP;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._forget_trees(pg_catalog.oid[]) IS
	'Internal: takes the OIDs of relations that are gone; forgets the trees on them with their scoped grants (the models they scoped are no longer scoped), one audit row (tree_table_dropped) each; returns nothing';

-- A tree whose table is dropped is forgotten (with its scoped grants): the
-- stored OID must not pass to a new table.
CREATE FUNCTION inventree_perms_internal._forget_dropped_trees()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._forget_trees(ARRAY(
		SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
		 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
		   AND d.objsubid OPERATOR(pg_catalog.=) 0));
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._forget_dropped_trees() IS
	'Internal event trigger: forgets trees whose tables are dropped, with their scoped grants';
CREATE EVENT TRIGGER inventree_perms_forget_dropped_trees ON sql_drop
	EXECUTE FUNCTION inventree_perms_internal._forget_dropped_trees();
-- A temporary table goes at session end without sql_drop: a tree on one
-- makes the session forget it then (_forget_temp_tables, src/protect.c).
CREATE TRIGGER inventree_perms_watch_temp AFTER INSERT ON inventree_perms.trees
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._watch_temp_tables();
ALTER TABLE inventree_perms.trees ENABLE ALWAYS TRIGGER inventree_perms_watch_temp;

-- A model stops being scoped when no table is protected by it any more
-- (unprotect(), a dropped table); its scoped grants stay.
CREATE FUNCTION inventree_perms_internal._scope_forget()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- Only if one is left: a DELETE from protected that removes nothing
	-- (the event triggers issue one for every relation any role creates or
	-- drops) must not invalidate every session's cache, which a statement
	-- on model_scopes does even when it changes no row.
	IF EXISTS (SELECT 1 FROM inventree_perms.model_scopes s
				WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.protected p
								  WHERE p.model OPERATOR(pg_catalog.=) s.model)) THEN
		DELETE FROM inventree_perms.model_scopes s
		 WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.protected p
						   WHERE p.model OPERATOR(pg_catalog.=) s.model);
	END IF;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._scope_forget() IS
	'Internal trigger: a model no table is protected by is no longer scoped (its scoped grants stay)';
CREATE TRIGGER inventree_perms_scope_forget AFTER DELETE OR TRUNCATE ON inventree_perms.protected
	FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._scope_forget();

-- Owners ----------------------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._set_owner(owner bigint, username text, groupname text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	prev inventree_perms.owners;
BEGIN
	PERFORM inventree_perms_internal._require_admin('set owners');
	IF (username IS NULL) OPERATOR(pg_catalog.=) (groupname IS NULL) THEN
		RAISE EXCEPTION 'an owner stands for exactly one user or one group'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give username or groupname, not both.';
	END IF;
	IF username IS NOT NULL THEN
		PERFORM inventree_perms_internal._user(username);
	ELSE
		PERFORM inventree_perms_internal._require_group(groupname);
	END IF;
	SELECT * INTO prev FROM inventree_perms.owners o WHERE o.id OPERATOR(pg_catalog.=) owner;
	IF FOUND THEN
		IF prev.username IS NOT DISTINCT FROM username AND prev.groupname IS NOT DISTINCT FROM groupname THEN
			RETURN;
		END IF;
		UPDATE inventree_perms.owners o SET username = _set_owner.username, groupname = _set_owner.groupname
		 WHERE o.id OPERATOR(pg_catalog.=) owner;
	ELSE
		INSERT INTO inventree_perms.owners (id, username, groupname) VALUES (owner, username, groupname);
	END IF;
	PERFORM inventree_perms_internal._log('set_owner', owner::text,
		pg_catalog.jsonb_build_object('username', username, 'groupname', groupname,
									  'was', CASE WHEN prev.id IS NOT NULL THEN
												pg_catalog.jsonb_build_object('username', prev.username,
																			  'groupname', prev.groupname) END));
END;
$$;
CREATE FUNCTION inventree_perms.set_owner(owner bigint, username text DEFAULT NULL, groupname text DEFAULT NULL)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.set_owner(bigint, text, text) IS
	'Make an owner id stand for one user or one group (exactly one of the two, else 22023); administrators only';

CREATE FUNCTION inventree_perms_internal._drop_owner(owner bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	prev inventree_perms.owners;
BEGIN
	PERFORM inventree_perms_internal._require_admin('drop owners');
	DELETE FROM inventree_perms.owners o WHERE o.id OPERATOR(pg_catalog.=) owner
	RETURNING * INTO prev;
	IF prev.id IS NULL THEN
		RAISE EXCEPTION 'owner % does not exist', owner
			USING ERRCODE = 'undefined_object',
				  HINT = 'Set it with inventree_perms.set_owner().';
	END IF;
	PERFORM inventree_perms_internal._log('drop_owner', owner::text,
		pg_catalog.jsonb_build_object('username', prev.username, 'groupname', prev.groupname));
END;
$$;
CREATE FUNCTION inventree_perms.drop_owner(owner bigint)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.drop_owner(bigint) IS
	'Drop an owner id: rows it owns can then be added to, changed and deleted by superusers only; 42704 if unknown; administrators only';

-- Scoped grants -------------------------------------------------------------

-- Internal: the tree a model is scoped by; 42704 for an unregistered model,
-- 55000 for a model that is not scoped.
CREATE FUNCTION inventree_perms_internal._scope_tree(model text)
RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	t text;
BEGIN
	PERFORM inventree_perms_internal._require_model(model);
	SELECT s.tree INTO t FROM inventree_perms.model_scopes s
	 WHERE s.model OPERATOR(pg_catalog.=) model AND s.tree IS NOT NULL;
	IF t IS NULL THEN
		RAISE EXCEPTION 'model "%" is not scoped', model
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Protect its table with a tree: inventree_perms.protect(relation, model, scope_column, tree).';
	END IF;
	RETURN t;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._scope_tree(text) IS
	'Internal: the tree a model is scoped by; 42704 if unregistered, 55000 if not scoped';

-- Internal: one grant or revoke of a scoped permission, for a user (is_user)
-- or a group.
CREATE FUNCTION inventree_perms_internal._scope_change(is_user boolean, is_grant boolean, who text, model text,
											  action text, node bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	acts text[];
	t text;
	done text[];
	op text := CASE WHEN is_grant THEN 'grant' ELSE 'revoke' END
			   OPERATOR(pg_catalog.||) CASE WHEN is_user THEN '_user_scope' ELSE '_group_scope' END;
BEGIN
	PERFORM inventree_perms_internal._require_admin(CASE WHEN is_grant THEN 'grant permissions' ELSE 'revoke permissions' END);
	acts := inventree_perms_internal._actions(action, true);
	IF is_user THEN
		PERFORM inventree_perms_internal._user(who);
	ELSE
		PERFORM inventree_perms_internal._require_group(who);
	END IF;
	t := inventree_perms_internal._scope_tree(model);
	IF is_grant THEN
		IF NOT inventree_perms_internal._tree_has_node(t, node) THEN
			RAISE EXCEPTION 'node % does not exist in tree "%"', node, t
				USING ERRCODE = 'undefined_object',
					  DETAIL = pg_catalog.format('Model "%s" is scoped by tree "%s".', model, t);
		END IF;
		IF is_user THEN
			WITH ins AS (
				INSERT INTO inventree_perms.user_scope_grants (username, model, action, node, tree)
				SELECT who, model, a, node, t FROM pg_catalog.unnest(acts) a
				ON CONFLICT DO NOTHING
				RETURNING user_scope_grants.action)
			SELECT pg_catalog.array_agg(ins.action) INTO done FROM ins;
		ELSE
			WITH ins AS (
				INSERT INTO inventree_perms.group_scope_grants (groupname, model, action, node, tree)
				SELECT who, model, a, node, t FROM pg_catalog.unnest(acts) a
				ON CONFLICT DO NOTHING
				RETURNING group_scope_grants.action)
			SELECT pg_catalog.array_agg(ins.action) INTO done FROM ins;
		END IF;
	ELSIF is_user THEN
		WITH del AS (
			DELETE FROM inventree_perms.user_scope_grants g
			 WHERE g.username OPERATOR(pg_catalog.=) who AND g.model OPERATOR(pg_catalog.=) model
			   AND g.action OPERATOR(pg_catalog.=) ANY (acts) AND g.tree OPERATOR(pg_catalog.=) t
			   AND g.node OPERATOR(pg_catalog.=) node
			RETURNING g.action)
		SELECT pg_catalog.array_agg(del.action) INTO done FROM del;
	ELSE
		WITH del AS (
			DELETE FROM inventree_perms.group_scope_grants g
			 WHERE g.groupname OPERATOR(pg_catalog.=) who AND g.model OPERATOR(pg_catalog.=) model
			   AND g.action OPERATOR(pg_catalog.=) ANY (acts) AND g.tree OPERATOR(pg_catalog.=) t
			   AND g.node OPERATOR(pg_catalog.=) node
			RETURNING g.action)
		SELECT pg_catalog.array_agg(del.action) INTO done FROM del;
	END IF;
	IF done IS NOT NULL THEN
		PERFORM inventree_perms_internal._log(op, who,
			pg_catalog.jsonb_build_object('model', model, 'tree', t, 'node', node, 'actions', done));
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._scope_change(boolean, boolean, text, text, text, bigint) IS
	'Internal: grant or revoke a scoped permission of a user or a group (audited when it changed something)';

CREATE FUNCTION inventree_perms_internal._grant_user_scope(username text, model text, action text, node bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._scope_change(true, true, username, model, action, node);
END;
$$;
CREATE FUNCTION inventree_perms.grant_user_scope(username text, model text, action text, node bigint)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.grant_user_scope(text, text, text, bigint) IS
	'Grant a user an action (or all) on a scoped model''s rows within a node of its tree; 55000 unless the model is scoped, 42704 for a node not in the tree; administrators only';

CREATE FUNCTION inventree_perms_internal._revoke_user_scope(username text, model text, action text, node bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._scope_change(true, false, username, model, action, node);
END;
$$;
CREATE FUNCTION inventree_perms.revoke_user_scope(username text, model text, action text, node bigint)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.revoke_user_scope(text, text, text, bigint) IS
	'Revoke a user''s scoped grant (whether the node still exists or not); administrators only';

CREATE FUNCTION inventree_perms_internal._grant_group_scope(groupname text, model text, action text, node bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._scope_change(false, true, groupname, model, action, node);
END;
$$;
CREATE FUNCTION inventree_perms.grant_group_scope(groupname text, model text, action text, node bigint)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.grant_group_scope(text, text, text, bigint) IS
	'Grant a group an action (or all) on a scoped model''s rows within a node of its tree; 55000 unless the model is scoped, 42704 for a node not in the tree; administrators only';

CREATE FUNCTION inventree_perms_internal._revoke_group_scope(groupname text, model text, action text, node bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._scope_change(false, false, groupname, model, action, node);
END;
$$;
CREATE FUNCTION inventree_perms.revoke_group_scope(groupname text, model text, action text, node bigint)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.revoke_group_scope(text, text, text, bigint) IS
	'Revoke a group''s scoped grant (whether the node still exists or not); administrators only';

-- Seeing ----------------------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._user_scopes(username text)
RETURNS TABLE (model text, action text, tree text, node bigint, via text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	u inventree_perms.users;
BEGIN
	IF username OPERATOR(pg_catalog.<>) inventree_perms_internal._caller_acting() THEN
		PERFORM inventree_perms_internal._require_admin('see another user''s scopes');
	END IF;
	u := inventree_perms_internal._user(username);
	IF NOT u.is_active THEN
		RETURN;
	END IF;
	RETURN QUERY
	SELECT w.model::text, w.action::text, w.tree::text, w.node, w.via
	  FROM (SELECT g.model, g.action, g.tree, g.node, 'user'::text AS via
			  FROM inventree_perms.user_scope_grants g
			 WHERE g.username OPERATOR(pg_catalog.=) u.name
			UNION ALL
			SELECT g.model, g.action, g.tree, g.node, 'group:' OPERATOR(pg_catalog.||) g.groupname
			  FROM inventree_perms.group_scope_grants g
			  JOIN inventree_perms.memberships m ON m.groupname OPERATOR(pg_catalog.=) g.groupname
			 WHERE m.username OPERATOR(pg_catalog.=) u.name) w
	  JOIN inventree_perms.model_scopes s ON s.model OPERATOR(pg_catalog.=) w.model
										 AND s.tree OPERATOR(pg_catalog.=) w.tree
	 ORDER BY 1, CASE w.action WHEN 'view' THEN 1 WHEN 'add' THEN 2 WHEN 'change' THEN 3 ELSE 4 END,
			  3, 4, 5;
END;
$$;
CREATE FUNCTION inventree_perms.user_scopes(username text DEFAULT inventree_perms.acting_user())
RETURNS TABLE (model text, action text, tree text, node bigint, via text)
AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms.user_scopes(text) IS
	'One row per scoped grant that applies to a user (via user or group:G); administrators only for another user';

-- pg_dump keeps every row.
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.trees', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.owners', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.model_scopes', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.user_scope_grants', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.group_scope_grants', '');
