-- ---------------------------------------------------------------------------
-- Tables.  Names are case-sensitive keys (COLLATE "C": byte equality, like
-- role names).  "source" is NULL for rows made by hand, or the Django schema
-- that import_django() took the row from; then django_id (users, groups) is
-- the row's primary key in Django, its identity (a changed name is a
-- rename), and models.django_ct the id of its content type.  "shipped"
-- marks rows of the catalogue that CREATE EXTENSION loads (see the *_upsert
-- triggers below).
-- ---------------------------------------------------------------------------

CREATE TABLE inventree_perms.users (
	name		text COLLATE "C" PRIMARY KEY,
	is_superuser boolean NOT NULL DEFAULT false,
	is_active	boolean NOT NULL DEFAULT true,
	source		text,
	django_id	bigint
);
CREATE UNIQUE INDEX users_django_id_idx ON inventree_perms.users (source, django_id)
	WHERE django_id IS NOT NULL;
COMMENT ON TABLE inventree_perms.users IS
	'Users: a PostgreSQL role whose name equals a user''s name is that user';

CREATE TABLE inventree_perms.groups (
	name		text COLLATE "C" PRIMARY KEY,
	source		text,
	django_id	bigint
);
CREATE UNIQUE INDEX groups_django_id_idx ON inventree_perms.groups (source, django_id)
	WHERE django_id IS NOT NULL;
COMMENT ON TABLE inventree_perms.groups IS 'Groups of users';

CREATE TABLE inventree_perms.memberships (
	username	text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.users (name) ON DELETE CASCADE ON UPDATE CASCADE,
	groupname	text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.groups (name) ON DELETE CASCADE ON UPDATE CASCADE,
	source		text,
	PRIMARY KEY (username, groupname)
);
CREATE INDEX memberships_groupname_idx ON inventree_perms.memberships (groupname);
COMMENT ON TABLE inventree_perms.memberships IS 'Which user is in which group';

CREATE TABLE inventree_perms.models (
	name		text COLLATE "C" PRIMARY KEY
		CHECK (name OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_.]{0,62}$'),
	relation	regclass UNIQUE,
	description text,
	is_open		boolean NOT NULL DEFAULT false,
	builtin		boolean NOT NULL DEFAULT false,
	shipped		boolean NOT NULL DEFAULT false,
	source		text,
	django_ct	bigint
);
COMMENT ON TABLE inventree_perms.models IS
	'Registered models: what permissions are given on, optionally bound to a table';

CREATE TABLE inventree_perms.user_perms (
	username	text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.users (name) ON DELETE CASCADE ON UPDATE CASCADE,
	model		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.models (name) ON DELETE CASCADE ON UPDATE CASCADE,
	action		text COLLATE "C" NOT NULL
		CHECK (action OPERATOR(pg_catalog.=) ANY ('{view,add,change,delete}')),
	source		text,
	PRIMARY KEY (username, model, action)
);
CREATE INDEX user_perms_model_idx ON inventree_perms.user_perms (model);
COMMENT ON TABLE inventree_perms.user_perms IS 'Permissions granted to a user directly';

CREATE TABLE inventree_perms.group_perms (
	groupname	text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.groups (name) ON DELETE CASCADE ON UPDATE CASCADE,
	model		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.models (name) ON DELETE CASCADE ON UPDATE CASCADE,
	action		text COLLATE "C" NOT NULL
		CHECK (action OPERATOR(pg_catalog.=) ANY ('{view,add,change,delete}')),
	source		text,
	PRIMARY KEY (groupname, model, action)
);
CREATE INDEX group_perms_model_idx ON inventree_perms.group_perms (model);
COMMENT ON TABLE inventree_perms.group_perms IS 'Permissions granted to a group';

CREATE TABLE inventree_perms.roles (
	name		text COLLATE "C" PRIMARY KEY
		CHECK (name OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_.]{0,62}$'),
	label		text,
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE inventree_perms.roles IS
	'Roles (InvenTree rulesets): a role covers several models';

CREATE TABLE inventree_perms.role_models (
	role		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.roles (name) ON DELETE CASCADE ON UPDATE CASCADE,
	model		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.models (name) ON DELETE CASCADE ON UPDATE CASCADE,
	shipped		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (role, model)
);
CREATE INDEX role_models_model_idx ON inventree_perms.role_models (model);
COMMENT ON TABLE inventree_perms.role_models IS 'Which models each role covers';

CREATE TABLE inventree_perms.group_roles (
	groupname	text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.groups (name) ON DELETE CASCADE ON UPDATE CASCADE,
	role		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.roles (name) ON DELETE CASCADE ON UPDATE CASCADE,
	action		text COLLATE "C" NOT NULL
		CHECK (action OPERATOR(pg_catalog.=) ANY ('{view,add,change,delete}')),
	source		text,
	PRIMARY KEY (groupname, role, action)
);
CREATE INDEX group_roles_role_idx ON inventree_perms.group_roles (role);
COMMENT ON TABLE inventree_perms.group_roles IS
	'Role flags held by groups (an InvenTree ruleset: one row per set flag)';

CREATE TABLE inventree_perms.delegates (
	role		regrole PRIMARY KEY,
	role_name	name
);
COMMENT ON TABLE inventree_perms.delegates IS
	'Roles allowed to call set_acting_user(); a row counts only while its role exists under role_name';
COMMENT ON COLUMN inventree_perms.delegates.role_name IS
	'The role''s name when it was added: a dropped role''s OID taken by a new role, or a renamed role, does not count';

CREATE TABLE inventree_perms.protected (
	relation	regclass PRIMARY KEY,
	model		text COLLATE "C" NOT NULL,
	enabled_rls boolean NOT NULL,
	added_permissive boolean NOT NULL,
	root		regclass
);
COMMENT ON TABLE inventree_perms.protected IS
	'Tables protect() has put policies on, and what it changed to do so; root: the table whose protect() call it was (itself, or a table it is or was a partition or child of; NULL: itself)';

CREATE TABLE inventree_perms.audit_log (
	id			bigserial PRIMARY KEY,
	at			timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	session_role text NOT NULL,
	acting_user text,
	operation	text NOT NULL,
	target		text,
	detail		jsonb
);
COMMENT ON TABLE inventree_perms.audit_log IS
	'Append-only record of every management call that changed something';

CREATE TABLE inventree_perms.django_links (
	source_schema name PRIMARY KEY,
	tables		regclass[]
);
COMMENT ON TABLE inventree_perms.django_links IS
	'Django schemas kept in step by link_django(), and the Django tables it linked (in the order of _django_tables())';


CREATE TABLE inventree_perms.catalogue_removals (
	kind		text COLLATE "C" NOT NULL CHECK (kind IN ('model', 'role', 'role_model', 'change_inherit')),
	name		text COLLATE "C" NOT NULL,
	model		text COLLATE "C" NOT NULL DEFAULT '',
	PRIMARY KEY (kind, name, model)
);
COMMENT ON TABLE inventree_perms.catalogue_removals IS
	'Catalogue rows (shipped, loaded by CREATE EXTENSION) removed here; restoring a dump removes them again';

-- Change inheritance (1.2; InvenTree's RULESET_CHANGE_INHERIT): a group
-- holding the role's change flag holds every action on the model.
CREATE TABLE inventree_perms.role_change_inherits (
	role		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.roles (name) ON DELETE CASCADE ON UPDATE CASCADE,
	model		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.models (name) ON DELETE CASCADE ON UPDATE CASCADE,
	shipped		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (role, model)
);
CREATE INDEX role_change_inherits_model_idx ON inventree_perms.role_change_inherits (model);
COMMENT ON TABLE inventree_perms.role_change_inherits IS
	'Change inheritance: a group holding the role''s change flag holds every action (view, add, change, delete) on the model';
