/*
 * inventree_perms 1.0 -- install script.
 *
 * Assembled by the Makefile from the parts in sql/src, in name order; each part holds
 * one concern.  Every name is schema-qualified; every SECURITY DEFINER
 * function pins search_path.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION inventree_perms" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Tables.  Names are case-sensitive keys (COLLATE "C": byte equality, like
-- role names).  "source" is NULL for rows made by hand, or the Django schema
-- that import_django() took the row from.  "shipped" marks rows of the
-- catalogue that CREATE EXTENSION loads (see the *_upsert triggers below).
-- ---------------------------------------------------------------------------

CREATE TABLE inventree_perms.users (
	name		text COLLATE "C" PRIMARY KEY,
	is_superuser boolean NOT NULL DEFAULT false,
	is_active	boolean NOT NULL DEFAULT true,
	source		text
);
COMMENT ON TABLE inventree_perms.users IS
	'Users: a PostgreSQL role whose name equals a user''s name is that user';

CREATE TABLE inventree_perms.groups (
	name		text COLLATE "C" PRIMARY KEY,
	source		text
);
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
	source		text
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
	role		regrole PRIMARY KEY
);
COMMENT ON TABLE inventree_perms.delegates IS
	'Roles allowed to call set_acting_user()';

CREATE TABLE inventree_perms.protected (
	relation	regclass PRIMARY KEY,
	model		text COLLATE "C" NOT NULL,
	enabled_rls boolean NOT NULL,
	added_permissive boolean NOT NULL
);
COMMENT ON TABLE inventree_perms.protected IS
	'Tables protect() has put policies on, and what it changed to do so';

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
	source_schema name PRIMARY KEY
);
COMMENT ON TABLE inventree_perms.django_links IS
	'Django schemas kept in step by link_django()';


CREATE TABLE inventree_perms.catalogue_removals (
	kind		text COLLATE "C" NOT NULL CHECK (kind IN ('model', 'role', 'role_model')),
	name		text COLLATE "C" NOT NULL,
	model		text COLLATE "C" NOT NULL DEFAULT '',
	PRIMARY KEY (kind, name, model)
);
COMMENT ON TABLE inventree_perms.catalogue_removals IS
	'Catalogue rows (shipped, loaded by CREATE EXTENSION) removed here; restoring a dump removes them again';
-- ---------------------------------------------------------------------------
-- Functions implemented in C.
-- ---------------------------------------------------------------------------

-- The checks: the hot path, called from row-level-security policies.
CREATE FUNCTION inventree_perms.has_model_perm(username text, model text, action text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_has_model_perm'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.has_model_perm(text, text, text) IS
	'Does the user hold the action (view, add, change/edit, delete) on the model?';

CREATE FUNCTION inventree_perms.has_model_perm(model text, action text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_has_model_perm_acting'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.has_model_perm(text, text) IS
	'Does the acting user hold the action on the model?';

CREATE FUNCTION inventree_perms.has_role_perm(username text, role text, action text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_has_role_perm'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.has_role_perm(text, text, text) IS
	'Does one of the user''s groups hold this role flag (InvenTree''s check_user_role)?';

CREATE FUNCTION inventree_perms.has_role_perm(role text, action text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_has_role_perm_acting'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.has_role_perm(text, text) IS
	'Does one of the acting user''s groups hold this role flag?';

-- The acting user.
CREATE FUNCTION inventree_perms.acting_user()
RETURNS text
AS 'MODULE_PATHNAME', 'ip_acting_user_sql'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.acting_user() IS
	'The user whose permissions apply now: the one set by set_acting_user(), else current_user';

CREATE FUNCTION inventree_perms.set_acting_user(username text, is_local boolean DEFAULT true)
RETURNS void
AS 'MODULE_PATHNAME', 'ip_set_acting_user'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION inventree_perms.set_acting_user(text, boolean) IS
	'Act for an application user, to the end of the transaction (is_local) or of the session; superusers and delegates only';

CREATE FUNCTION inventree_perms.reset_acting_user()
RETURNS void
AS 'MODULE_PATHNAME', 'ip_reset_acting_user'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION inventree_perms.reset_acting_user() IS
	'Stop acting for an application user: acting_user() is current_user again';

-- Internal: the trigger that tells every backend's cache that a table changed.
CREATE FUNCTION inventree_perms._invalidate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ip_invalidate'
LANGUAGE C;
COMMENT ON FUNCTION inventree_perms._invalidate() IS
	'Internal trigger: invalidates the permission caches of every session at commit';

-- Internal: who called the management function being run.
CREATE FUNCTION inventree_perms._caller()
RETURNS oid
AS 'MODULE_PATHNAME', 'ip_caller'
LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms._caller() IS
	'Internal: the role that called the management function now running';

CREATE FUNCTION inventree_perms._caller_acting()
RETURNS text
AS 'MODULE_PATHNAME', 'ip_caller_acting'
LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms._caller_acting() IS
	'Internal: the acting user of the caller of the management function now running';

-- Internal: the SPEC's rules for names and actions, in one place.
CREATE FUNCTION inventree_perms._check_name(kind text, name text)
RETURNS void
AS 'MODULE_PATHNAME', 'ip_check_name_sql'
LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms._check_name(text, text) IS
	'Internal: raise 22023 unless name is a valid user, group, model or role name';

CREATE FUNCTION inventree_perms._actions(action text, allow_all boolean)
RETURNS text[]
AS 'MODULE_PATHNAME', 'ip_actions'
LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms._actions(text, boolean) IS
	'Internal: the canonical actions an action word stands for; 22023 if unknown';

-- Internal: what this session's permission cache holds (benchmarks, tests).
CREATE FUNCTION inventree_perms._cache_stats(OUT entries bigint, OUT bytes bigint, OUT cache_size bigint,
	OUT resets bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'ip_cache_stats'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms._cache_stats() IS
	'Internal: entries and bytes of this session''s permission cache, its bound, and how many times it was (re)filled';

-- ---------------------------------------------------------------------------
-- Internal helpers of the management functions.
--
-- Every management function is a C "gate" (ip_gate) that records the calling
-- role and its acting user, refuses NULL arguments (22004) except where NULL
-- is the documented default, and runs the PL/pgSQL implementation of the
-- same name with a leading underscore.  The implementation is SECURITY
-- DEFINER (it writes the extension's tables as their owner) and learns who
-- called through _caller() and _caller_acting(): never current_user.
-- ---------------------------------------------------------------------------

-- Is the caller a PostgreSQL superuser or the extension's owner?
CREATE FUNCTION inventree_perms._is_pg_admin()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_authid a
				   WHERE a.oid OPERATOR(pg_catalog.=) inventree_perms._caller() AND a.rolsuper)
		OR EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
				   WHERE e.extname OPERATOR(pg_catalog.=) 'inventree_perms'
					 AND e.extowner OPERATOR(pg_catalog.=) inventree_perms._caller());
$$;
COMMENT ON FUNCTION inventree_perms._is_pg_admin() IS
	'Internal: is the caller a PostgreSQL superuser or the extension''s owner?';

-- Is the caller a PostgreSQL superuser, the extension's owner, or acting as
-- an active superuser of the extension?
CREATE FUNCTION inventree_perms._is_superadmin()
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF inventree_perms._is_pg_admin() THEN
		RETURN true;
	END IF;
	RETURN EXISTS (SELECT 1 FROM inventree_perms.users u
				   WHERE u.name OPERATOR(pg_catalog.=) inventree_perms._caller_acting()
					 AND u.is_active AND u.is_superuser);
END;
$$;
COMMENT ON FUNCTION inventree_perms._is_superadmin() IS
	'Internal: is the caller a PostgreSQL superuser, the extension owner, or acting as an active superuser?';

-- The administrator rule of the SPEC.
CREATE FUNCTION inventree_perms._is_admin()
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN inventree_perms._is_superadmin()
		OR inventree_perms.has_model_perm(inventree_perms._caller_acting(), 'user', 'change');
END;
$$;
COMMENT ON FUNCTION inventree_perms._is_admin() IS
	'Internal: may the caller manage permissions (the administrator rule)?';

CREATE FUNCTION inventree_perms._require_admin(what text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT inventree_perms._is_admin() THEN
		RAISE EXCEPTION 'permission denied to %', what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Role "%s" acting as user "%s" is not an administrator.',
											 inventree_perms._caller()::regrole,
											 inventree_perms._caller_acting()),
				  HINT = 'Administrators are active superusers, users holding "change" on model "user", PostgreSQL superusers and the extension''s owner.';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms._require_admin(text) IS
	'Internal: raise 42501 unless the caller is an administrator';

CREATE FUNCTION inventree_perms._require_superadmin(what text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT inventree_perms._is_superadmin() THEN
		RAISE EXCEPTION 'permission denied to %', what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only a superuser may create, alter, deactivate or drop a superuser.';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms._require_superadmin(text) IS
	'Internal: raise 42501 unless the caller is a superuser (of PostgreSQL or of the extension)';

-- Append one row to the audit log, as the caller.
CREATE FUNCTION inventree_perms._log(operation text, target text, detail jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO inventree_perms.audit_log (session_role, acting_user, operation, target, detail)
	VALUES (inventree_perms._caller()::regrole::text,
			inventree_perms._caller_acting(),
			operation, target, detail);
END;
$$;
COMMENT ON FUNCTION inventree_perms._log(text, text, jsonb) IS
	'Internal: append a row to audit_log for the management call now running';

-- Lookups that raise 42704 for what does not exist.
CREATE FUNCTION inventree_perms._user(username text)
RETURNS inventree_perms.users
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r inventree_perms.users;
BEGIN
	PERFORM inventree_perms._check_name('user', username);
	SELECT * INTO r FROM inventree_perms.users u WHERE u.name OPERATOR(pg_catalog.=) username;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'user "%" does not exist', username
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create it with inventree_perms.create_user().';
	END IF;
	RETURN r;
END;
$$;
COMMENT ON FUNCTION inventree_perms._user(text) IS
	'Internal: the users row of username; 22023 if malformed, 42704 if unknown';

CREATE FUNCTION inventree_perms._require_group(groupname text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._check_name('group', groupname);
	IF NOT EXISTS (SELECT 1 FROM inventree_perms.groups g
				   WHERE g.name OPERATOR(pg_catalog.=) groupname) THEN
		RAISE EXCEPTION 'group "%" does not exist', groupname
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create it with inventree_perms.create_group().';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms._require_group(text) IS
	'Internal: 22023 if groupname is malformed, 42704 if no such group';

CREATE FUNCTION inventree_perms._require_model(model text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._check_name('model', model);
	IF NOT EXISTS (SELECT 1 FROM inventree_perms.models m
				   WHERE m.name OPERATOR(pg_catalog.=) model) THEN
		RAISE EXCEPTION 'model "%" is not registered', model
			USING ERRCODE = 'undefined_object',
				  HINT = 'Register it with inventree_perms.register_model().';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms._require_model(text) IS
	'Internal: 22023 if model is malformed, 42704 if it is not registered';

CREATE FUNCTION inventree_perms._require_role(role text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._check_name('role', role);
	IF NOT EXISTS (SELECT 1 FROM inventree_perms.roles r
				   WHERE r.name OPERATOR(pg_catalog.=) role) THEN
		RAISE EXCEPTION 'role "%" does not exist', role
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create it with inventree_perms.create_role().';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms._require_role(text) IS
	'Internal: 22023 if role is malformed, 42704 if no such role';

-- ---------------------------------------------------------------------------
-- Managing users, groups, models and grants.  Each public function is the C
-- gate; the implementation is the function of the same name prefixed "_".
-- ---------------------------------------------------------------------------

-- create_user ---------------------------------------------------------------
CREATE FUNCTION inventree_perms._create_user(username text, is_superuser boolean, is_active boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('create users');
	PERFORM inventree_perms._check_name('user', username);
	IF is_superuser THEN
		PERFORM inventree_perms._require_superadmin('create a superuser');
	END IF;
	IF EXISTS (SELECT 1 FROM inventree_perms.users u WHERE u.name OPERATOR(pg_catalog.=) username) THEN
		RAISE EXCEPTION 'user "%" already exists', username
			USING ERRCODE = 'duplicate_object';
	END IF;
	INSERT INTO inventree_perms.users (name, is_superuser, is_active)
	VALUES (username, is_superuser, is_active);
	PERFORM inventree_perms._log('create_user', username,
		pg_catalog.jsonb_build_object('is_superuser', is_superuser, 'is_active', is_active));
END;
$$;
CREATE FUNCTION inventree_perms.create_user(username text, is_superuser boolean DEFAULT false,
											is_active boolean DEFAULT true)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.create_user(text, boolean, boolean) IS
	'Create a user; administrators only, superusers only for a superuser';

-- drop_user -----------------------------------------------------------------
CREATE FUNCTION inventree_perms._drop_user(username text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	u inventree_perms.users;
BEGIN
	PERFORM inventree_perms._require_admin('drop users');
	u := inventree_perms._user(username);
	IF u.is_superuser THEN
		PERFORM inventree_perms._require_superadmin('drop a superuser');
	END IF;
	DELETE FROM inventree_perms.users x WHERE x.name OPERATOR(pg_catalog.=) username;
	PERFORM inventree_perms._log('drop_user', username, pg_catalog.to_jsonb(u));
END;
$$;
CREATE FUNCTION inventree_perms.drop_user(username text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.drop_user(text) IS
	'Drop a user with its grants and memberships; administrators only';

-- set_user_active -----------------------------------------------------------
CREATE FUNCTION inventree_perms._set_user_active(username text, active boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	u inventree_perms.users;
BEGIN
	PERFORM inventree_perms._require_admin('change users');
	u := inventree_perms._user(username);
	IF u.is_superuser THEN
		PERFORM inventree_perms._require_superadmin('activate or deactivate a superuser');
	END IF;
	IF u.is_active IS DISTINCT FROM active THEN
		UPDATE inventree_perms.users x SET is_active = active
		WHERE x.name OPERATOR(pg_catalog.=) username;
		PERFORM inventree_perms._log('set_user_active', username,
			pg_catalog.jsonb_build_object('is_active', active));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.set_user_active(username text, active boolean)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.set_user_active(text, boolean) IS
	'Activate or deactivate a user; an inactive user has no permission at all';

-- set_user_superuser --------------------------------------------------------
CREATE FUNCTION inventree_perms._set_user_superuser(username text, superuser boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	u inventree_perms.users;
BEGIN
	PERFORM inventree_perms._require_admin('change users');
	PERFORM inventree_perms._require_superadmin('change superuser status');
	u := inventree_perms._user(username);
	IF u.is_superuser IS DISTINCT FROM superuser THEN
		UPDATE inventree_perms.users x SET is_superuser = superuser
		WHERE x.name OPERATOR(pg_catalog.=) username;
		PERFORM inventree_perms._log('set_user_superuser', username,
			pg_catalog.jsonb_build_object('is_superuser', superuser));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.set_user_superuser(username text, superuser boolean)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.set_user_superuser(text, boolean) IS
	'Make a user a superuser or not; superusers only';

-- create_group / drop_group -------------------------------------------------
CREATE FUNCTION inventree_perms._create_group(groupname text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('create groups');
	PERFORM inventree_perms._check_name('group', groupname);
	IF EXISTS (SELECT 1 FROM inventree_perms.groups g WHERE g.name OPERATOR(pg_catalog.=) groupname) THEN
		RAISE EXCEPTION 'group "%" already exists', groupname
			USING ERRCODE = 'duplicate_object';
	END IF;
	INSERT INTO inventree_perms.groups (name) VALUES (groupname);
	PERFORM inventree_perms._log('create_group', groupname);
END;
$$;
CREATE FUNCTION inventree_perms.create_group(groupname text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.create_group(text) IS 'Create a group; administrators only';

CREATE FUNCTION inventree_perms._drop_group(groupname text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('drop groups');
	PERFORM inventree_perms._require_group(groupname);
	DELETE FROM inventree_perms.groups g WHERE g.name OPERATOR(pg_catalog.=) groupname;
	PERFORM inventree_perms._log('drop_group', groupname);
END;
$$;
CREATE FUNCTION inventree_perms.drop_group(groupname text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.drop_group(text) IS
	'Drop a group with its grants, role flags and memberships; administrators only';

-- memberships ---------------------------------------------------------------
CREATE FUNCTION inventree_perms._add_user_to_group(username text, groupname text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('change group memberships');
	PERFORM inventree_perms._user(username);
	PERFORM inventree_perms._require_group(groupname);
	INSERT INTO inventree_perms.memberships (username, groupname)
	VALUES (username, groupname)
	ON CONFLICT DO NOTHING;
	IF FOUND THEN
		PERFORM inventree_perms._log('add_user_to_group', username,
			pg_catalog.jsonb_build_object('group', groupname));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.add_user_to_group(username text, groupname text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.add_user_to_group(text, text) IS
	'Make a user a member of a group; administrators only';

CREATE FUNCTION inventree_perms._remove_user_from_group(username text, groupname text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('change group memberships');
	PERFORM inventree_perms._user(username);
	PERFORM inventree_perms._require_group(groupname);
	DELETE FROM inventree_perms.memberships m
	WHERE m.username OPERATOR(pg_catalog.=) _remove_user_from_group.username
	  AND m.groupname OPERATOR(pg_catalog.=) _remove_user_from_group.groupname;
	IF FOUND THEN
		PERFORM inventree_perms._log('remove_user_from_group', username,
			pg_catalog.jsonb_build_object('group', groupname));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.remove_user_from_group(username text, groupname text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.remove_user_from_group(text, text) IS
	'Remove a user from a group; administrators only';

-- models --------------------------------------------------------------------
CREATE FUNCTION inventree_perms._register_model(model text, relation regclass, description text, open boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m inventree_perms.models;
BEGIN
	PERFORM inventree_perms._require_admin('register models');
	PERFORM inventree_perms._check_name('model', model);
	SELECT * INTO m FROM inventree_perms.models x WHERE x.name OPERATOR(pg_catalog.=) model;
	IF relation IS NOT NULL AND EXISTS (
			SELECT 1 FROM inventree_perms.models x
			WHERE x.relation OPERATOR(pg_catalog.=) _register_model.relation
			  AND x.name OPERATOR(pg_catalog.<>) model) THEN
		RAISE EXCEPTION 'relation "%" is already bound to another model', relation
			USING ERRCODE = 'duplicate_object';
	END IF;
	IF NOT FOUND THEN
		INSERT INTO inventree_perms.models (name, relation, description, is_open)
		VALUES (model, relation, description, open);
		PERFORM inventree_perms._log('register_model', model,
			pg_catalog.jsonb_build_object('relation', relation::text,
										  'description', description, 'open', open));
		RETURN;
	END IF;
	IF m.relation IS NOT NULL AND relation IS NOT NULL
	   AND m.relation OPERATOR(pg_catalog.<>) relation THEN
		RAISE EXCEPTION 'model "%" is already bound to relation "%"', model, m.relation
			USING ERRCODE = 'duplicate_object',
				  DETAIL = pg_catalog.format('It cannot also be bound to "%s".', relation);
	END IF;
	IF m.relation IS DISTINCT FROM coalesce(relation, m.relation)
	   OR m.description IS DISTINCT FROM coalesce(description, m.description)
	   OR m.is_open IS DISTINCT FROM open THEN
		UPDATE inventree_perms.models x
		   SET relation = coalesce(_register_model.relation, x.relation),
			   description = coalesce(_register_model.description, x.description),
			   is_open = open
		 WHERE x.name OPERATOR(pg_catalog.=) model;
		PERFORM inventree_perms._log('register_model', model,
			pg_catalog.jsonb_build_object('relation', coalesce(relation, m.relation)::text,
										  'description', coalesce(description, m.description),
										  'open', open));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.register_model(model text, relation regclass DEFAULT NULL,
											   description text DEFAULT NULL,
											   open boolean DEFAULT false)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.register_model(text, regclass, text, boolean) IS
	'Register a model (optionally bound to a table, optionally open to every active user)';

CREATE FUNCTION inventree_perms._unregister_model(model text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('unregister models');
	PERFORM inventree_perms._require_model(model);
	IF EXISTS (SELECT 1 FROM inventree_perms.models x
			   WHERE x.name OPERATOR(pg_catalog.=) model AND x.builtin) THEN
		RAISE EXCEPTION 'cannot unregister built-in model "%"', model
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF EXISTS (SELECT 1 FROM inventree_perms.protected p
			   WHERE p.model OPERATOR(pg_catalog.=) _unregister_model.model) THEN
		RAISE EXCEPTION 'model "%" protects a table', model
			USING ERRCODE = 'dependent_objects_still_exist',
				  HINT = 'Call inventree_perms.unprotect() on the table first.';
	END IF;
	DELETE FROM inventree_perms.models x WHERE x.name OPERATOR(pg_catalog.=) model;
	PERFORM inventree_perms._log('unregister_model', model);
END;
$$;
CREATE FUNCTION inventree_perms.unregister_model(model text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.unregister_model(text) IS
	'Unregister a model and remove its grants; the built-in models user and group stay';

-- grants --------------------------------------------------------------------
CREATE FUNCTION inventree_perms._grant_user_perm(username text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[] := inventree_perms._actions(action, true);
	added text[];
BEGIN
	PERFORM inventree_perms._require_admin('grant permissions');
	PERFORM inventree_perms._user(username);
	PERFORM inventree_perms._require_model(model);
	WITH ins AS (
		INSERT INTO inventree_perms.user_perms (username, model, action)
		SELECT username, model, a FROM pg_catalog.unnest(acts) a
		ON CONFLICT DO NOTHING
		RETURNING user_perms.action)
	SELECT pg_catalog.array_agg(ins.action) INTO added FROM ins;
	IF added IS NOT NULL THEN
		PERFORM inventree_perms._log('grant_user_perm', username,
			pg_catalog.jsonb_build_object('model', model, 'actions', added));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.grant_user_perm(username text, model text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.grant_user_perm(text, text, text) IS
	'Grant a user an action (or all) on a model; administrators only';

CREATE FUNCTION inventree_perms._revoke_user_perm(username text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[] := inventree_perms._actions(action, true);
	removed text[];
BEGIN
	PERFORM inventree_perms._require_admin('revoke permissions');
	PERFORM inventree_perms._user(username);
	PERFORM inventree_perms._require_model(model);
	WITH del AS (
		DELETE FROM inventree_perms.user_perms p
		WHERE p.username OPERATOR(pg_catalog.=) _revoke_user_perm.username
		  AND p.model OPERATOR(pg_catalog.=) _revoke_user_perm.model
		  AND p.action OPERATOR(pg_catalog.=) ANY (acts)
		RETURNING p.action)
	SELECT pg_catalog.array_agg(del.action) INTO removed FROM del;
	IF removed IS NOT NULL THEN
		PERFORM inventree_perms._log('revoke_user_perm', username,
			pg_catalog.jsonb_build_object('model', model, 'actions', removed));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.revoke_user_perm(username text, model text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.revoke_user_perm(text, text, text) IS
	'Revoke a user''s direct grant of an action (or all) on a model; administrators only';

CREATE FUNCTION inventree_perms._grant_group_perm(groupname text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[] := inventree_perms._actions(action, true);
	added text[];
BEGIN
	PERFORM inventree_perms._require_admin('grant permissions');
	PERFORM inventree_perms._require_group(groupname);
	PERFORM inventree_perms._require_model(model);
	WITH ins AS (
		INSERT INTO inventree_perms.group_perms (groupname, model, action)
		SELECT groupname, model, a FROM pg_catalog.unnest(acts) a
		ON CONFLICT DO NOTHING
		RETURNING group_perms.action)
	SELECT pg_catalog.array_agg(ins.action) INTO added FROM ins;
	IF added IS NOT NULL THEN
		PERFORM inventree_perms._log('grant_group_perm', groupname,
			pg_catalog.jsonb_build_object('model', model, 'actions', added));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.grant_group_perm(groupname text, model text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.grant_group_perm(text, text, text) IS
	'Grant a group an action (or all) on a model; administrators only';

CREATE FUNCTION inventree_perms._revoke_group_perm(groupname text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[] := inventree_perms._actions(action, true);
	removed text[];
BEGIN
	PERFORM inventree_perms._require_admin('revoke permissions');
	PERFORM inventree_perms._require_group(groupname);
	PERFORM inventree_perms._require_model(model);
	WITH del AS (
		DELETE FROM inventree_perms.group_perms p
		WHERE p.groupname OPERATOR(pg_catalog.=) _revoke_group_perm.groupname
		  AND p.model OPERATOR(pg_catalog.=) _revoke_group_perm.model
		  AND p.action OPERATOR(pg_catalog.=) ANY (acts)
		RETURNING p.action)
	SELECT pg_catalog.array_agg(del.action) INTO removed FROM del;
	IF removed IS NOT NULL THEN
		PERFORM inventree_perms._log('revoke_group_perm', groupname,
			pg_catalog.jsonb_build_object('model', model, 'actions', removed));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.revoke_group_perm(groupname text, model text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.revoke_group_perm(text, text, text) IS
	'Revoke a group''s grant of an action (or all) on a model; administrators only';

-- delegates -----------------------------------------------------------------
CREATE FUNCTION inventree_perms._add_delegate(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT inventree_perms._is_pg_admin() THEN
		RAISE EXCEPTION 'permission denied to add a delegate'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only a PostgreSQL superuser or the extension''s owner may manage delegates.';
	END IF;
	INSERT INTO inventree_perms.delegates VALUES (role) ON CONFLICT DO NOTHING;
	IF FOUND THEN
		PERFORM inventree_perms._log('add_delegate', role::text);
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.add_delegate(role regrole)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.add_delegate(regrole) IS
	'Allow a role to call set_acting_user(); PostgreSQL superuser or extension owner only';

CREATE FUNCTION inventree_perms._remove_delegate(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT inventree_perms._is_pg_admin() THEN
		RAISE EXCEPTION 'permission denied to remove a delegate'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only a PostgreSQL superuser or the extension''s owner may manage delegates.';
	END IF;
	DELETE FROM inventree_perms.delegates d WHERE d.role OPERATOR(pg_catalog.=) _remove_delegate.role;
	IF FOUND THEN
		PERFORM inventree_perms._log('remove_delegate', role::text);
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.remove_delegate(role regrole)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.remove_delegate(regrole) IS
	'Stop a role from calling set_acting_user(); PostgreSQL superuser or extension owner only';

-- ---------------------------------------------------------------------------
-- Roles: InvenTree's rulesets.  A group holds, per role, four flags; a role
-- covers several models.  Flags stay monotone, as InvenTree saves a ruleset.
-- ---------------------------------------------------------------------------

CREATE FUNCTION inventree_perms._create_role(role text, label text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('create roles');
	PERFORM inventree_perms._check_name('role', role);
	IF EXISTS (SELECT 1 FROM inventree_perms.roles r WHERE r.name OPERATOR(pg_catalog.=) role) THEN
		RAISE EXCEPTION 'role "%" already exists', role
			USING ERRCODE = 'duplicate_object';
	END IF;
	INSERT INTO inventree_perms.roles (name, label) VALUES (role, label);
	PERFORM inventree_perms._log('create_role', role, pg_catalog.jsonb_build_object('label', label));
END;
$$;
CREATE FUNCTION inventree_perms.create_role(role text, label text DEFAULT NULL)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.create_role(text, text) IS
	'Create a role (a set of models a group can be given flags on); administrators only';

CREATE FUNCTION inventree_perms._drop_role(role text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('drop roles');
	PERFORM inventree_perms._require_role(role);
	DELETE FROM inventree_perms.roles r WHERE r.name OPERATOR(pg_catalog.=) role;
	PERFORM inventree_perms._log('drop_role', role);
END;
$$;
CREATE FUNCTION inventree_perms.drop_role(role text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.drop_role(text) IS
	'Drop a role with its model list and the role flags of every group; administrators only';

CREATE FUNCTION inventree_perms._add_model_to_role(role text, model text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('change roles');
	PERFORM inventree_perms._require_role(role);
	PERFORM inventree_perms._require_model(model);
	INSERT INTO inventree_perms.role_models (role, model) VALUES (role, model)
	ON CONFLICT DO NOTHING;
	IF FOUND THEN
		PERFORM inventree_perms._log('add_model_to_role', role,
			pg_catalog.jsonb_build_object('model', model));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.add_model_to_role(role text, model text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.add_model_to_role(text, text) IS
	'Make a role cover a model; administrators only';

CREATE FUNCTION inventree_perms._remove_model_from_role(role text, model text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('change roles');
	PERFORM inventree_perms._require_role(role);
	PERFORM inventree_perms._require_model(model);
	DELETE FROM inventree_perms.role_models rm
	WHERE rm.role OPERATOR(pg_catalog.=) _remove_model_from_role.role
	  AND rm.model OPERATOR(pg_catalog.=) _remove_model_from_role.model;
	IF FOUND THEN
		PERFORM inventree_perms._log('remove_model_from_role', role,
			pg_catalog.jsonb_build_object('model', model));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.remove_model_from_role(role text, model text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.remove_model_from_role(text, text) IS
	'Stop a role from covering a model; administrators only';

-- The flags a grant sets and a revoke clears, by InvenTree's monotone rule.
CREATE FUNCTION inventree_perms._role_flags(action text, granting boolean)
RETURNS text[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[] := inventree_perms._actions(action, true);
BEGIN
	IF pg_catalog.array_length(acts, 1) OPERATOR(pg_catalog.>) 1 THEN
		RETURN acts;			-- all
	END IF;
	IF granting THEN
		RETURN CASE acts[1]
			WHEN 'view' THEN '{view}'
			WHEN 'change' THEN '{view,change}'
			WHEN 'add' THEN '{view,change,add}'
			ELSE '{view,change,delete}' END;
	END IF;
	RETURN CASE acts[1]
		WHEN 'view' THEN '{view,add,change,delete}'
		WHEN 'change' THEN '{add,change,delete}'
		WHEN 'add' THEN '{add}'
		ELSE '{delete}' END;
END;
$$;
COMMENT ON FUNCTION inventree_perms._role_flags(text, boolean) IS
	'Internal: the role flags that granting (or revoking) an action sets (or clears)';

CREATE FUNCTION inventree_perms._grant_group_role(groupname text, role text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	flags text[] := inventree_perms._role_flags(action, true);
	added text[];
BEGIN
	PERFORM inventree_perms._require_admin('grant roles');
	PERFORM inventree_perms._require_group(groupname);
	PERFORM inventree_perms._require_role(role);
	WITH ins AS (
		INSERT INTO inventree_perms.group_roles (groupname, role, action)
		SELECT groupname, role, f FROM pg_catalog.unnest(flags) f
		ON CONFLICT DO NOTHING
		RETURNING group_roles.action)
	SELECT pg_catalog.array_agg(ins.action) INTO added FROM ins;
	IF added IS NOT NULL THEN
		PERFORM inventree_perms._log('grant_group_role', groupname,
			pg_catalog.jsonb_build_object('role', role, 'actions', added));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.grant_group_role(groupname text, role text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.grant_group_role(text, text, text) IS
	'Set a role flag of a group (add or delete also set change; any action sets view)';

CREATE FUNCTION inventree_perms._revoke_group_role(groupname text, role text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	flags text[] := inventree_perms._role_flags(action, false);
	removed text[];
BEGIN
	PERFORM inventree_perms._require_admin('revoke roles');
	PERFORM inventree_perms._require_group(groupname);
	PERFORM inventree_perms._require_role(role);
	WITH del AS (
		DELETE FROM inventree_perms.group_roles gr
		WHERE gr.groupname OPERATOR(pg_catalog.=) _revoke_group_role.groupname
		  AND gr.role OPERATOR(pg_catalog.=) _revoke_group_role.role
		  AND gr.action OPERATOR(pg_catalog.=) ANY (flags)
		RETURNING gr.action)
	SELECT pg_catalog.array_agg(del.action) INTO removed FROM del;
	IF removed IS NOT NULL THEN
		PERFORM inventree_perms._log('revoke_group_role', groupname,
			pg_catalog.jsonb_build_object('role', role, 'actions', removed));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.revoke_group_role(groupname text, role text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.revoke_group_role(text, text, text) IS
	'Clear a role flag of a group (revoking view clears all; revoking change clears add and delete)';

-- ---------------------------------------------------------------------------
-- InvenTree's catalogue, generated by data/gen_catalogue.sh from data/*.csv.
-- Rows marked shipped; see the *_upsert triggers.
-- ---------------------------------------------------------------------------

INSERT INTO inventree_perms.models (name, description, builtin, shipped) VALUES
	('user', 'Users (built-in)', true, true),
	('group', 'Groups (built-in)', true, true);

INSERT INTO inventree_perms.roles (name, label, shipped) VALUES
	('admin', 'Admin', true),
	('part_category', 'Part category', true),
	('part', 'Part', true),
	('stock_location', 'Stock location', true),
	('stock', 'Stock', true),
	('build', 'Build', true),
	('purchase_order', 'Purchase order', true),
	('sales_order', 'Sales order', true),
	('return_order', 'Return order', true),
	('transfer_order', 'Transfer order', true);

INSERT INTO inventree_perms.models (name, description, shipped) VALUES
	('auth_group', 'InvenTree table auth_group', true),
	('auth_user', 'InvenTree table auth_user', true),
	('auth_permission', 'InvenTree table auth_permission', true),
	('users_apitoken', 'InvenTree table users_apitoken', true),
	('users_ruleset', 'InvenTree table users_ruleset', true),
	('report_labeltemplate', 'InvenTree table report_labeltemplate', true),
	('report_reportasset', 'InvenTree table report_reportasset', true),
	('report_reportsnippet', 'InvenTree table report_reportsnippet', true),
	('report_reporttemplate', 'InvenTree table report_reporttemplate', true),
	('account_emailaddress', 'InvenTree table account_emailaddress', true),
	('account_emailconfirmation', 'InvenTree table account_emailconfirmation', true),
	('socialaccount_socialaccount', 'InvenTree table socialaccount_socialaccount', true),
	('socialaccount_socialapp', 'InvenTree table socialaccount_socialapp', true),
	('socialaccount_socialtoken', 'InvenTree table socialaccount_socialtoken', true),
	('otp_totp_totpdevice', 'InvenTree table otp_totp_totpdevice', true),
	('otp_static_statictoken', 'InvenTree table otp_static_statictoken', true),
	('otp_static_staticdevice', 'InvenTree table otp_static_staticdevice', true),
	('mfa_authenticator', 'InvenTree table mfa_authenticator', true),
	('oauth2_provider_application', 'InvenTree table oauth2_provider_application', true),
	('oauth2_provider_grant', 'InvenTree table oauth2_provider_grant', true),
	('oauth2_provider_idtoken', 'InvenTree table oauth2_provider_idtoken', true),
	('oauth2_provider_accesstoken', 'InvenTree table oauth2_provider_accesstoken', true),
	('oauth2_provider_refreshtoken', 'InvenTree table oauth2_provider_refreshtoken', true),
	('oauth2_provider_devicegrant', 'InvenTree table oauth2_provider_devicegrant', true),
	('plugin_pluginconfig', 'InvenTree table plugin_pluginconfig', true),
	('plugin_pluginsetting', 'InvenTree table plugin_pluginsetting', true),
	('plugin_pluginusersetting', 'InvenTree table plugin_pluginusersetting', true),
	('common_barcodescanresult', 'InvenTree table common_barcodescanresult', true),
	('common_newsfeedentry', 'InvenTree table common_newsfeedentry', true),
	('taggit_tag', 'InvenTree table taggit_tag', true),
	('taggit_taggeditem', 'InvenTree table taggit_taggeditem', true),
	('flags_flagstate', 'InvenTree table flags_flagstate', true),
	('machine_machineconfig', 'InvenTree table machine_machineconfig', true),
	('machine_machinesetting', 'InvenTree table machine_machinesetting', true),
	('common_emailmessage', 'InvenTree table common_emailmessage', true),
	('common_emailthread', 'InvenTree table common_emailthread', true),
	('django_mailbox_mailbox', 'InvenTree table django_mailbox_mailbox', true),
	('django_mailbox_messageattachment', 'InvenTree table django_mailbox_messageattachment', true),
	('django_mailbox_message', 'InvenTree table django_mailbox_message', true),
	('part_partcategory', 'InvenTree table part_partcategory', true),
	('part_partcategoryparametertemplate', 'InvenTree table part_partcategoryparametertemplate', true),
	('part_partcategorystar', 'InvenTree table part_partcategorystar', true),
	('part_part', 'InvenTree table part_part', true),
	('part_partpricing', 'InvenTree table part_partpricing', true),
	('part_bomitem', 'InvenTree table part_bomitem', true),
	('part_bomitemsubstitute', 'InvenTree table part_bomitemsubstitute', true),
	('part_partsellpricebreak', 'InvenTree table part_partsellpricebreak', true),
	('part_partinternalpricebreak', 'InvenTree table part_partinternalpricebreak', true),
	('part_parttesttemplate', 'InvenTree table part_parttesttemplate', true),
	('part_partrelated', 'InvenTree table part_partrelated', true),
	('part_partstar', 'InvenTree table part_partstar', true),
	('part_partstocktake', 'InvenTree table part_partstocktake', true),
	('company_supplierpart', 'InvenTree table company_supplierpart', true),
	('company_manufacturerpart', 'InvenTree table company_manufacturerpart', true),
	('stock_stocklocation', 'InvenTree table stock_stocklocation', true),
	('stock_stocklocationtype', 'InvenTree table stock_stocklocationtype', true),
	('stock_stockitem', 'InvenTree table stock_stockitem', true),
	('stock_stockitemtracking', 'InvenTree table stock_stockitemtracking', true),
	('stock_stockitemtestresult', 'InvenTree table stock_stockitemtestresult', true),
	('build_build', 'InvenTree table build_build', true),
	('build_builditem', 'InvenTree table build_builditem', true),
	('build_buildline', 'InvenTree table build_buildline', true),
	('company_company', 'InvenTree table company_company', true),
	('company_contact', 'InvenTree table company_contact', true),
	('company_address', 'InvenTree table company_address', true),
	('company_supplierpricebreak', 'InvenTree table company_supplierpricebreak', true),
	('order_purchaseorder', 'InvenTree table order_purchaseorder', true),
	('order_purchaseorderlineitem', 'InvenTree table order_purchaseorderlineitem', true),
	('order_purchaseorderextraline', 'InvenTree table order_purchaseorderextraline', true),
	('order_salesorder', 'InvenTree table order_salesorder', true),
	('order_salesorderallocation', 'InvenTree table order_salesorderallocation', true),
	('order_salesorderlineitem', 'InvenTree table order_salesorderlineitem', true),
	('order_salesorderextraline', 'InvenTree table order_salesorderextraline', true),
	('order_salesordershipment', 'InvenTree table order_salesordershipment', true),
	('order_returnorder', 'InvenTree table order_returnorder', true),
	('order_returnorderlineitem', 'InvenTree table order_returnorderlineitem', true),
	('order_returnorderextraline', 'InvenTree table order_returnorderextraline', true),
	('order_transferorder', 'InvenTree table order_transferorder', true),
	('order_transferorderallocation', 'InvenTree table order_transferorderallocation', true),
	('order_transferorderlineitem', 'InvenTree table order_transferorderlineitem', true);

INSERT INTO inventree_perms.role_models (role, model, shipped) VALUES
	('admin', 'auth_group', true),
	('admin', 'auth_user', true),
	('admin', 'auth_permission', true),
	('admin', 'users_apitoken', true),
	('admin', 'users_ruleset', true),
	('admin', 'report_labeltemplate', true),
	('admin', 'report_reportasset', true),
	('admin', 'report_reportsnippet', true),
	('admin', 'report_reporttemplate', true),
	('admin', 'account_emailaddress', true),
	('admin', 'account_emailconfirmation', true),
	('admin', 'socialaccount_socialaccount', true),
	('admin', 'socialaccount_socialapp', true),
	('admin', 'socialaccount_socialtoken', true),
	('admin', 'otp_totp_totpdevice', true),
	('admin', 'otp_static_statictoken', true),
	('admin', 'otp_static_staticdevice', true),
	('admin', 'mfa_authenticator', true),
	('admin', 'oauth2_provider_application', true),
	('admin', 'oauth2_provider_grant', true),
	('admin', 'oauth2_provider_idtoken', true),
	('admin', 'oauth2_provider_accesstoken', true),
	('admin', 'oauth2_provider_refreshtoken', true),
	('admin', 'oauth2_provider_devicegrant', true),
	('admin', 'plugin_pluginconfig', true),
	('admin', 'plugin_pluginsetting', true),
	('admin', 'plugin_pluginusersetting', true),
	('admin', 'common_barcodescanresult', true),
	('admin', 'common_newsfeedentry', true),
	('admin', 'taggit_tag', true),
	('admin', 'taggit_taggeditem', true),
	('admin', 'flags_flagstate', true),
	('admin', 'machine_machineconfig', true),
	('admin', 'machine_machinesetting', true),
	('admin', 'common_emailmessage', true),
	('admin', 'common_emailthread', true),
	('admin', 'django_mailbox_mailbox', true),
	('admin', 'django_mailbox_messageattachment', true),
	('admin', 'django_mailbox_message', true),
	('part_category', 'part_partcategory', true),
	('part_category', 'part_partcategoryparametertemplate', true),
	('part_category', 'part_partcategorystar', true),
	('part', 'part_part', true),
	('part', 'part_partpricing', true),
	('part', 'part_bomitem', true),
	('part', 'part_bomitemsubstitute', true),
	('part', 'part_partsellpricebreak', true),
	('part', 'part_partinternalpricebreak', true),
	('part', 'part_parttesttemplate', true),
	('part', 'part_partrelated', true),
	('part', 'part_partstar', true),
	('part', 'part_partstocktake', true),
	('part', 'part_partcategorystar', true),
	('part', 'company_supplierpart', true),
	('part', 'company_manufacturerpart', true),
	('stock_location', 'stock_stocklocation', true),
	('stock_location', 'stock_stocklocationtype', true),
	('stock', 'stock_stockitem', true),
	('stock', 'stock_stockitemtracking', true),
	('stock', 'stock_stockitemtestresult', true),
	('build', 'part_part', true),
	('build', 'part_partcategory', true),
	('build', 'part_bomitem', true),
	('build', 'part_bomitemsubstitute', true),
	('build', 'build_build', true),
	('build', 'build_builditem', true),
	('build', 'build_buildline', true),
	('build', 'stock_stockitem', true),
	('build', 'stock_stocklocation', true),
	('purchase_order', 'company_company', true),
	('purchase_order', 'company_contact', true),
	('purchase_order', 'company_address', true),
	('purchase_order', 'company_manufacturerpart', true),
	('purchase_order', 'company_supplierpart', true),
	('purchase_order', 'company_supplierpricebreak', true),
	('purchase_order', 'order_purchaseorder', true),
	('purchase_order', 'order_purchaseorderlineitem', true),
	('purchase_order', 'order_purchaseorderextraline', true),
	('sales_order', 'company_company', true),
	('sales_order', 'company_contact', true),
	('sales_order', 'company_address', true),
	('sales_order', 'order_salesorder', true),
	('sales_order', 'order_salesorderallocation', true),
	('sales_order', 'order_salesorderlineitem', true),
	('sales_order', 'order_salesorderextraline', true),
	('sales_order', 'order_salesordershipment', true),
	('return_order', 'company_company', true),
	('return_order', 'company_contact', true),
	('return_order', 'company_address', true),
	('return_order', 'order_returnorder', true),
	('return_order', 'order_returnorderlineitem', true),
	('return_order', 'order_returnorderextraline', true),
	('transfer_order', 'order_transferorder', true),
	('transfer_order', 'order_transferorderallocation', true),
	('transfer_order', 'order_transferorderlineitem', true);

INSERT INTO inventree_perms.models (name, description, is_open, shipped) VALUES
	('admin_logentry', 'InvenTree table open to every active user (Django core)', true, true),
	('contenttypes_contenttype', 'InvenTree table open to every active user (Django core)', true, true),
	('common_attachment', 'InvenTree table open to every active user (common)', true, true),
	('common_parametertemplate', 'InvenTree table open to every active user (common)', true, true),
	('common_parameter', 'InvenTree table open to every active user (common)', true, true),
	('common_customunit', 'InvenTree table open to every active user (common)', true, true),
	('common_dataoutput', 'InvenTree table open to every active user (common)', true, true),
	('common_inventreesetting', 'InvenTree table open to every active user (common)', true, true),
	('common_inventreeusersetting', 'InvenTree table open to every active user (common)', true, true),
	('common_notificationentry', 'InvenTree table open to every active user (common)', true, true),
	('common_notificationmessage', 'InvenTree table open to every active user (common)', true, true),
	('common_notesimage', 'InvenTree table open to every active user (common)', true, true),
	('common_projectcode', 'InvenTree table open to every active user (common)', true, true),
	('common_webhookendpoint', 'InvenTree table open to every active user (common)', true, true),
	('common_webhookmessage', 'InvenTree table open to every active user (common)', true, true),
	('common_inventreecustomuserstatemodel', 'InvenTree table open to every active user (common)', true, true),
	('common_selectionlistentry', 'InvenTree table open to every active user (common)', true, true),
	('common_selectionlist', 'InvenTree table open to every active user (common)', true, true),
	('users_owner', 'InvenTree table open to every active user (users)', true, true),
	('users_userprofile', 'InvenTree table open to every active user (users)', true, true),
	('error_report_error', 'InvenTree table open to every active user (third-party)', true, true),
	('exchange_rate', 'InvenTree table open to every active user (third-party)', true, true),
	('exchange_exchangebackend', 'InvenTree table open to every active user (third-party)', true, true),
	('usersessions_usersession', 'InvenTree table open to every active user (third-party)', true, true),
	('sessions_session', 'InvenTree table open to every active user (third-party)', true, true),
	('django_q_ormq', 'InvenTree table open to every active user (django_q)', true, true),
	('django_q_failure', 'InvenTree table open to every active user (django_q)', true, true),
	('django_q_task', 'InvenTree table open to every active user (django_q)', true, true),
	('django_q_schedule', 'InvenTree table open to every active user (django_q)', true, true),
	('django_q_success', 'InvenTree table open to every active user (django_q)', true, true),
	('importer_dataimportsession', 'InvenTree table open to every active user (importer)', true, true),
	('importer_dataimportcolumnmap', 'InvenTree table open to every active user (importer)', true, true),
	('importer_dataimportrow', 'InvenTree table open to every active user (importer)', true, true)
ON CONFLICT (name) DO UPDATE SET is_open = true;

-- ---------------------------------------------------------------------------
-- Seeing: why may she?  What may I?  What happened?
-- ---------------------------------------------------------------------------

CREATE FUNCTION inventree_perms._user_permissions(username text)
RETURNS TABLE (model text, action text, via text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	u inventree_perms.users;
BEGIN
	IF username OPERATOR(pg_catalog.<>) inventree_perms._caller_acting() THEN
		PERFORM inventree_perms._require_admin('see another user''s permissions');
	END IF;
	u := inventree_perms._user(username);
	IF NOT u.is_active THEN
		RETURN;
	END IF;
	RETURN QUERY
	WITH acts(action, ord) AS (
		VALUES ('view'::text, 1), ('add', 2), ('change', 3), ('delete', 4)
	), ways(model, action, via, rank) AS (
		SELECT m.name::text, a.action, 'superuser'::text, 1
		FROM inventree_perms.models m, acts a
		WHERE u.is_superuser
	  UNION ALL
		SELECT m.name, a.action, 'open', 2
		FROM inventree_perms.models m, acts a
		WHERE m.is_open
	  UNION ALL
		SELECT p.model, p.action, 'user', 3
		FROM inventree_perms.user_perms p
		WHERE p.username OPERATOR(pg_catalog.=) u.name
	  UNION ALL
		SELECT p.model, p.action, 'group:' OPERATOR(pg_catalog.||) p.groupname, 4
		FROM inventree_perms.memberships g
		JOIN inventree_perms.group_perms p ON p.groupname OPERATOR(pg_catalog.=) g.groupname
		WHERE g.username OPERATOR(pg_catalog.=) u.name
	  UNION ALL
		SELECT rm.model, gr.action,
			   'role:' OPERATOR(pg_catalog.||) gr.role OPERATOR(pg_catalog.||) '@'
			   OPERATOR(pg_catalog.||) gr.groupname, 5
		FROM inventree_perms.memberships g
		JOIN inventree_perms.group_roles gr ON gr.groupname OPERATOR(pg_catalog.=) g.groupname
		JOIN inventree_perms.role_models rm ON rm.role OPERATOR(pg_catalog.=) gr.role
		WHERE g.username OPERATOR(pg_catalog.=) u.name
	)
	SELECT DISTINCT w.model, w.action, w.via
	FROM ways w JOIN acts a ON a.action OPERATOR(pg_catalog.=) w.action
	ORDER BY 1, 2, 3;
END;
$$;
CREATE FUNCTION inventree_perms.user_permissions(username text DEFAULT inventree_perms.acting_user())
RETURNS TABLE (model text, action text, via text)
AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms.user_permissions(text) IS
	'One row per effective permission of a user and per way it is held (superuser, open, user, group:G, role:R@G)';

CREATE VIEW inventree_perms.my_permissions AS
	SELECT m.name::text AS model,
		   inventree_perms.has_model_perm(m.name, 'view') AS can_view,
		   inventree_perms.has_model_perm(m.name, 'add') AS can_add,
		   inventree_perms.has_model_perm(m.name, 'change') AS can_change,
		   inventree_perms.has_model_perm(m.name, 'delete') AS can_delete
	FROM inventree_perms.models m;
COMMENT ON VIEW inventree_perms.my_permissions IS
	'The acting user''s permission matrix over every registered model';

CREATE FUNCTION inventree_perms._audit(since timestamptz)
RETURNS SETOF inventree_perms.audit_log
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('read the audit log');
	RETURN QUERY
	SELECT * FROM inventree_perms.audit_log l
	WHERE l.at OPERATOR(pg_catalog.>=) since
	ORDER BY l.id;
END;
$$;
CREATE FUNCTION inventree_perms.audit(since timestamptz DEFAULT '-infinity')
RETURNS SETOF inventree_perms.audit_log
AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms.audit(timestamptz) IS
	'The audit log from a point in time on; administrators only';

-- ---------------------------------------------------------------------------
-- Enforcing: row-level security on the user's tables.
--
-- protect(t, model) puts four RESTRICTIVE policies on t, one per command:
--
--     inventree_perms_select  FOR SELECT USING      (view)
--     inventree_perms_insert  FOR INSERT WITH CHECK (add)
--     inventree_perms_update  FOR UPDATE USING      (change) WITH CHECK (change)
--     inventree_perms_delete  FOR DELETE USING      (delete)
--
-- each ((SELECT inventree_perms.has_model_perm('<model>', '<action>'))): the
-- 2-argument check, for the acting user; the scalar sub-SELECT makes it an
-- InitPlan, evaluated once per statement, not once per row.  Restrictive
-- policies are ANDed with the table's own permissive ones, so protect() never
-- widens what those allow.  PostgreSQL admits no row at all when a table with
-- RLS has no permissive policy, so where the table has none, protect() also
-- adds inventree_perms_permissive FOR ALL USING (true) WITH CHECK (true).
-- (To keep a table that has RLS and no permissive policy deny-all, give it a
-- permissive policy USING (false) first.)
--
-- What PostgreSQL does with these, and applications should know:
--  * An UPDATE or DELETE that reads the table (a WHERE clause, RETURNING, or
--    SET col = expression of columns) applies the SELECT policies to the rows
--    it reads as well: without "view", "change" and "delete" affect no row
--    (0 rows, no error).  A bare "DELETE FROM t" or "UPDATE t SET c = 1"
--    reads nothing, so "delete" / "change" alone are enough for it.
--  * INSERT ... RETURNING and INSERT ... ON CONFLICT DO UPDATE need view (and
--    change) as well.
--  * A refused INSERT, or an UPDATE whose new row fails the check, raises
--    PostgreSQL's own 42501 "new row violates row-level security policy".
--  * The table's owner (and any role with BYPASSRLS, superusers included)
--    bypasses row-level security unless the table has FORCE ROW LEVEL
--    SECURITY.  protect() does not change FORCE: grant the table to the
--    application's role, do not let it own the table.
--
-- inventree_perms.protected records what protect() changed (enabled_rls,
-- added_permissive) so that unprotect() puts the table back as it was.
-- ---------------------------------------------------------------------------

-- Internal: the table protect()/unprotect() is asked about, checked: it must
-- be a table (plain or partitioned), and the caller must be an administrator
-- who owns it, or a PostgreSQL superuser.  Returns the table's pg_class row.
CREATE FUNCTION inventree_perms._protect_target(relation regclass, what text)
RETURNS pg_catalog.pg_class
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c pg_catalog.pg_class;
BEGIN
	PERFORM inventree_perms._require_admin(what);
	SELECT * INTO c FROM pg_catalog.pg_class x WHERE x.oid OPERATOR(pg_catalog.=) relation;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'relation with OID % does not exist', relation::oid
			USING ERRCODE = 'undefined_table';
	END IF;
	IF c.relkind OPERATOR(pg_catalog.<>) ALL ('{r,p}'::"char"[]) THEN
		RAISE EXCEPTION '"%" is not a table', relation
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'Row-level security applies to tables and partitioned tables only.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_authid a
				   WHERE a.oid OPERATOR(pg_catalog.=) inventree_perms._caller() AND a.rolsuper)
	   AND NOT pg_catalog.pg_has_role(inventree_perms._caller(), c.relowner, 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to %', what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Role "%s" does not own table %s.',
											 inventree_perms._caller()::regrole, relation),
				  HINT = 'Only the table''s owner (or a member of the owning role) or a PostgreSQL superuser may do this.';
	END IF;
	RETURN c;
END;
$$;
COMMENT ON FUNCTION inventree_perms._protect_target(regclass, text) IS
	'Internal: the pg_class row of a table protect()/unprotect() may change; 42501 unless the caller is an administrator owning it or a PostgreSQL superuser';

-- Internal: make the policy "name" on the table exactly what protect() wants
-- (create it, or replace a policy of that name that is not it).  Returns true
-- if it changed anything.
CREATE FUNCTION inventree_perms._protect_policy(relation regclass, name text, permissive boolean,
												cmd "char", using_expr text, check_expr text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p pg_catalog.pg_policy;
	present boolean;
	before text;
	after text;
	cmdword text := CASE cmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
							 WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END;
	clauses text := '';
BEGIN
	IF using_expr IS NOT NULL THEN
		clauses := pg_catalog.format(' USING (%s)', using_expr);
	END IF;
	IF check_expr IS NOT NULL THEN
		clauses := clauses OPERATOR(pg_catalog.||) pg_catalog.format(' WITH CHECK (%s)', check_expr);
	END IF;

	SELECT * INTO p FROM pg_catalog.pg_policy x
	WHERE x.polrelid OPERATOR(pg_catalog.=) relation
	  AND x.polname OPERATOR(pg_catalog.=) name;
	present := FOUND;
	IF present AND (p.polcmd OPERATOR(pg_catalog.<>) cmd
				  OR p.polpermissive OPERATOR(pg_catalog.<>) permissive) THEN
		-- not ours (or altered beyond what ALTER POLICY can put back)
		EXECUTE pg_catalog.format('DROP POLICY %I ON %s', name, relation);
		present := false;
	END IF;
	IF NOT present THEN
		EXECUTE pg_catalog.format('CREATE POLICY %I ON %s AS %s FOR %s TO PUBLIC%s',
								  name, relation,
								  CASE WHEN permissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
								  cmdword, clauses);
		RETURN true;
	END IF;

	-- It exists with the right command and kind: put the roles and the
	-- expressions back, and tell whether that changed them.
	before := pg_catalog.concat_ws(' | ', p.polroles::text,
								   pg_catalog.pg_get_expr(p.polqual, p.polrelid),
								   pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid));
	EXECUTE pg_catalog.format('ALTER POLICY %I ON %s TO PUBLIC%s', name, relation, clauses);
	SELECT pg_catalog.concat_ws(' | ', x.polroles::text,
								pg_catalog.pg_get_expr(x.polqual, x.polrelid),
								pg_catalog.pg_get_expr(x.polwithcheck, x.polrelid))
	  INTO after
	  FROM pg_catalog.pg_policy x
	 WHERE x.polrelid OPERATOR(pg_catalog.=) relation
	   AND x.polname OPERATOR(pg_catalog.=) name;
	RETURN before IS DISTINCT FROM after;
END;
$$;
COMMENT ON FUNCTION inventree_perms._protect_policy(regclass, text, boolean, "char", text, text) IS
	'Internal: create or repair one policy protect() puts on a table; true if it changed anything';

-- protect -------------------------------------------------------------------
CREATE FUNCTION inventree_perms._protect(relation regclass, model text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c pg_catalog.pg_class;
	prev inventree_perms.protected;
	m inventree_perms.models;
	modelname text := model;
	registered boolean;
	bound text;
	enabled boolean := false;
	need_permissive boolean;
	keep_permissive boolean;
	dropped_permissive boolean := false;
	changed text[] := '{}';
	a record;
BEGIN
	c := inventree_perms._protect_target(relation, 'protect tables');

	SELECT * INTO prev FROM inventree_perms.protected p
	WHERE p.relation OPERATOR(pg_catalog.=) _protect.relation;
	SELECT x.name INTO bound FROM inventree_perms.models x
	WHERE x.relation OPERATOR(pg_catalog.=) _protect.relation;

	-- The model: as given; else the one protecting or bound to the table;
	-- else the table's own name.
	IF modelname IS NULL THEN
		modelname := coalesce(prev.model, bound);
	END IF;
	IF modelname IS NULL THEN
		modelname := c.relname;
		BEGIN
			PERFORM inventree_perms._check_name('model', modelname);
		EXCEPTION WHEN invalid_parameter_value THEN
			RAISE EXCEPTION 'table name "%" is not a valid model name', c.relname
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = 'Model names match ^[a-z][a-z0-9_.]{0,62}$.',
					  HINT = 'Name the model: inventree_perms.protect(relation, model).';
		END;
	ELSE
		PERFORM inventree_perms._check_name('model', modelname);
	END IF;

	-- One model per table, one table per model.
	IF prev.model IS NOT NULL AND prev.model OPERATOR(pg_catalog.<>) modelname THEN
		RAISE EXCEPTION 'table % is already protected by model "%"', relation, prev.model
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Call inventree_perms.unprotect() on the table first.';
	END IF;
	IF bound IS NOT NULL AND bound OPERATOR(pg_catalog.<>) modelname THEN
		RAISE EXCEPTION 'table % is already bound to model "%"', relation, bound
			USING ERRCODE = 'duplicate_object';
	END IF;
	SELECT * INTO m FROM inventree_perms.models x WHERE x.name OPERATOR(pg_catalog.=) modelname;
	registered := FOUND;
	IF registered AND m.relation IS NOT NULL AND m.relation OPERATOR(pg_catalog.<>) relation THEN
		RAISE EXCEPTION 'model "%" is already bound to table %', modelname, m.relation
			USING ERRCODE = 'duplicate_object',
				  DETAIL = pg_catalog.format('It cannot also protect %s.', relation);
	END IF;

	-- Register the model, or bind the registered one to the table.
	IF NOT registered THEN
		INSERT INTO inventree_perms.models (name, relation)
		VALUES (modelname, relation);
		changed := changed OPERATOR(pg_catalog.||) 'registered'::text;
	ELSIF m.relation IS NULL THEN
		UPDATE inventree_perms.models x SET relation = _protect.relation
		 WHERE x.name OPERATOR(pg_catalog.=) modelname;
		changed := changed OPERATOR(pg_catalog.||) 'bound'::text;
	END IF;

	-- Row-level security on.
	IF NOT c.relrowsecurity THEN
		EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', relation);
		enabled := true;
		changed := changed OPERATOR(pg_catalog.||) 'enabled_rls'::text;
	END IF;

	-- The four restrictive policies.
	FOR a IN
		SELECT * FROM (VALUES
			('inventree_perms_select', 'r'::"char", 'view', true, false),
			('inventree_perms_insert', 'a'::"char", 'add', false, true),
			('inventree_perms_update', 'w'::"char", 'change', true, true),
			('inventree_perms_delete', 'd'::"char", 'delete', true, false))
			AS v(polname, cmd, action, has_using, has_check)
	LOOP
		IF inventree_perms._protect_policy(
				relation, a.polname, false, a.cmd,
				CASE WHEN a.has_using THEN pg_catalog.format(
					'(SELECT inventree_perms.has_model_perm(%L::text, %L::text))',
					modelname, a.action) END,
				CASE WHEN a.has_check THEN pg_catalog.format(
					'(SELECT inventree_perms.has_model_perm(%L::text, %L::text))',
					modelname, a.action) END) THEN
			changed := changed OPERATOR(pg_catalog.||) a.polname::text;
		END IF;
	END LOOP;

	-- The permissive policy, where the table has no permissive policy of its
	-- own; dropped again once it has one (ours would widen it to every row).
	need_permissive := NOT EXISTS (
		SELECT 1 FROM pg_catalog.pg_policy x
		WHERE x.polrelid OPERATOR(pg_catalog.=) relation
		  AND x.polpermissive
		  AND x.polname OPERATOR(pg_catalog.<>) 'inventree_perms_permissive');
	IF need_permissive THEN
		IF inventree_perms._protect_policy(relation, 'inventree_perms_permissive', true, '*',
										   'true', 'true') THEN
			changed := changed OPERATOR(pg_catalog.||) 'inventree_perms_permissive'::text;
		END IF;
		keep_permissive := true;
	ELSE
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
				   WHERE x.polrelid OPERATOR(pg_catalog.=) relation
					 AND x.polname OPERATOR(pg_catalog.=) 'inventree_perms_permissive') THEN
			EXECUTE pg_catalog.format('DROP POLICY inventree_perms_permissive ON %s', relation);
			dropped_permissive := true;
			changed := changed OPERATOR(pg_catalog.||) 'dropped inventree_perms_permissive'::text;
		END IF;
		keep_permissive := false;
	END IF;

	-- Remember what to undo.
	IF prev.relation IS NULL THEN
		INSERT INTO inventree_perms.protected (relation, model, enabled_rls, added_permissive)
		VALUES (relation, modelname, enabled, keep_permissive);
		changed := changed OPERATOR(pg_catalog.||) 'protected'::text;
	ELSIF prev.enabled_rls OPERATOR(pg_catalog.<>) (prev.enabled_rls OR enabled)
		  OR prev.added_permissive OPERATOR(pg_catalog.<>) keep_permissive THEN
		UPDATE inventree_perms.protected p
		   SET enabled_rls = prev.enabled_rls OR enabled,
			   added_permissive = keep_permissive
		 WHERE p.relation OPERATOR(pg_catalog.=) _protect.relation;
	END IF;

	IF pg_catalog.cardinality(changed) OPERATOR(pg_catalog.>) 0 THEN
		PERFORM inventree_perms._log('protect', relation::text,
			pg_catalog.jsonb_build_object('model', modelname,
										  'enabled_rls', enabled,
										  'added_permissive', keep_permissive,
										  'dropped_permissive', dropped_permissive,
										  'changed', changed));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.protect(relation regclass, model text DEFAULT NULL)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.protect(regclass, text) IS
	'Enforce a model''s permissions on a table with row-level security (SELECT=view, INSERT=add, UPDATE=change, DELETE=delete); an administrator owning the table, or a PostgreSQL superuser';

-- unprotect -----------------------------------------------------------------
CREATE FUNCTION inventree_perms._unprotect(relation regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c pg_catalog.pg_class;
	prev inventree_perms.protected;
	pol text;
	dropped text[] := '{}';
	disabled boolean := false;
BEGIN
	-- A protected table that has since been dropped: forget it (and its
	-- model's binding), so that the model can be unregistered or reused.
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class x WHERE x.oid OPERATOR(pg_catalog.=) relation)
	   AND EXISTS (SELECT 1 FROM inventree_perms.protected p
				   WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation) THEN
		PERFORM inventree_perms._require_admin('unprotect tables');
		DELETE FROM inventree_perms.protected p
		WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation
		RETURNING * INTO prev;
		UPDATE inventree_perms.models x SET relation = NULL
		WHERE x.relation OPERATOR(pg_catalog.=) _unprotect.relation;
		PERFORM inventree_perms._log('unprotect', relation::oid::text,
			pg_catalog.jsonb_build_object('model', prev.model, 'dropped_table', true));
		RETURN;
	END IF;

	c := inventree_perms._protect_target(relation, 'unprotect tables');
	SELECT * INTO prev FROM inventree_perms.protected p
	WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation;
	IF NOT FOUND THEN
		RAISE NOTICE 'table % is not protected, skipping', relation;
		RETURN;
	END IF;

	FOR pol IN
		SELECT x.polname::text FROM pg_catalog.pg_policy x
		WHERE x.polrelid OPERATOR(pg_catalog.=) relation
		  AND (x.polname OPERATOR(pg_catalog.=) ANY ('{inventree_perms_select,inventree_perms_insert,inventree_perms_update,inventree_perms_delete}'::text[])
			   OR (prev.added_permissive
				   AND x.polname OPERATOR(pg_catalog.=) 'inventree_perms_permissive'))
		ORDER BY 1
	LOOP
		EXECUTE pg_catalog.format('DROP POLICY %I ON %s', pol, relation);
		dropped := dropped OPERATOR(pg_catalog.||) pol;
	END LOOP;

	-- Row-level security off again if protect() turned it on, unless the
	-- owner has given the table policies of its own since (turning it off
	-- would silently lift them).
	IF prev.enabled_rls AND c.relrowsecurity THEN
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_policy x
				   WHERE x.polrelid OPERATOR(pg_catalog.=) relation) THEN
			RAISE NOTICE 'row-level security stays enabled on %', relation
				USING DETAIL = 'The table has policies that protect() did not create.';
		ELSE
			EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', relation);
			disabled := true;
		END IF;
	END IF;

	DELETE FROM inventree_perms.protected p
	WHERE p.relation OPERATOR(pg_catalog.=) _unprotect.relation;
	PERFORM inventree_perms._log('unprotect', relation::text,
		pg_catalog.jsonb_build_object('model', prev.model,
									  'dropped_policies', dropped,
									  'disabled_rls', disabled));
END;
$$;
CREATE FUNCTION inventree_perms.unprotect(relation regclass)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.unprotect(regclass) IS
	'Drop the policies protect() created and disable row-level security if protect() enabled it; the model stays registered';
-- ---------------------------------------------------------------------------
-- Interop with a Django / InvenTree database.
--
-- import_django(schema) makes the extension's users, groups, memberships,
-- models, grants and role flags match Django's auth tables (and InvenTree's
-- users_ruleset) in that schema.  What it decides, so that the result is
-- what the InvenTree web UI would answer:
--
--  * Rows it creates carry source = the schema; it updates and removes only
--    rows with that source.  A hand-made row (source NULL, or another
--    schema's) is never touched: a Django user or group whose name is taken
--    by one is reported ("conflict_user:<name>", "conflict_group:<name>")
--    and skipped together with its memberships, grants and role flags.
--    Hand-made grants, memberships and role flags on imported users and
--    groups stay (they go with the user or group if Django removes it).
--  * is_superuser and is_active are copied as Django stores them; is_staff
--    is ignored (it only opens Django's admin site).  Creating, changing or
--    removing a superuser this way needs a superuser (of PostgreSQL or of
--    the extension), as create_user() does: 42501 otherwise.
--  * Every content type is a model named <app_label>_<model>; missing ones
--    are registered (closed, no table).  A model it registered is removed
--    with its content type, unless a table is protect()ed with it (reported
--    as "kept_protected_model:<name>").  Built-in and catalogue models are
--    never registered nor removed by it.
--  * A permission whose codename is exactly view_/add_/change_/delete_ +
--    the content type's model is that action on that model.  Any other
--    codename is custom: reported as "custom_codename:<app>.<codename>" with
--    the number of users and groups holding it, never guessed.
--  * users_ruleset (optional): each set flag (can_view, can_add, can_change,
--    can_delete) of a group's ruleset is a role flag, copied as stored (so
--    has_role_perm() answers what InvenTree's check_user_role() reads).  A
--    ruleset whose name is not a role in inventree_perms.roles is reported
--    ("unknown_role:<name>").  Django's auth.user permissions are not mapped
--    to the extension's built-in model "user" (that would hand the
--    administrator rule to Django); auth_user is just a model.
--  * Names the SPEC refuses are skipped and counted ("invalid_user_names",
--    "invalid_group_names", "invalid_model_names").
--  * It reads only named columns (never auth_user.password), only from plain
--    or partitioned tables whose columns have built-in types (no user code
--    runs with the extension owner's rights), and only what the caller may
--    SELECT itself.
--
-- The result: one row per kind of change with the number of rows this run
-- changed (users created or changed, groups, memberships, models, user_perms,
-- group_perms and role_flags added, and "removed" for every row it deleted),
-- then the report rows.  A second run returns zeros and writes no audit row;
-- a run that changed something writes one ("import_django", the schema, the
-- counts).
--
-- link_django(schema) records the schema in django_links, imports, and puts
-- a statement trigger inventree_perms_django on each Django table it reads
-- (AFTER INSERT, UPDATE of the columns read, DELETE, TRUNCATE; ENABLE
-- ALWAYS), which re-runs the import in the same transaction.  What it writes
-- goes through the extension's tables, whose own triggers invalidate every
-- session's cache at commit: a change committed through the InvenTree web UI
-- is enforced from the next statement of every session.  Because from then on
-- whoever may write those tables decides who is a superuser, link_django()
-- and unlink_django() need a superuser (of PostgreSQL or of the extension)
-- who owns the tables (or a PostgreSQL superuser).  unlink_django() drops the
-- triggers and the link; the imported rows stay.
--
-- Imports are serialised by a transaction-level advisory lock, so two
-- sessions changing Django's tables at once cannot undo each other's
-- changes.
-- ---------------------------------------------------------------------------

-- Internal: the Django tables import_django() reads, and the columns it reads
-- from each (the trigger of link_django() fires on updates of these columns
-- only: Django's updates of last_login at each login do not re-import).
CREATE FUNCTION inventree_perms._django_tables()
RETURNS TABLE (tablename text, columns text[], required boolean)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	VALUES ('auth_user', '{id,username,is_superuser,is_active}'::text[], true),
		   ('auth_group', '{id,name}', true),
		   ('auth_user_groups', '{user_id,group_id}', true),
		   ('django_content_type', '{id,app_label,model}', true),
		   ('auth_permission', '{id,content_type_id,codename}', true),
		   ('auth_group_permissions', '{group_id,permission_id}', true),
		   ('auth_user_user_permissions', '{user_id,permission_id}', true),
		   ('users_ruleset', '{name,group_id,can_view,can_add,can_change,can_delete}', false);
$$;
COMMENT ON FUNCTION inventree_perms._django_tables() IS
	'Internal: the Django / InvenTree tables import_django() reads and the columns it reads from each';

-- Internal: find and check one Django table.  It must be a plain or
-- partitioned table (reading a view or a foreign table would run code chosen
-- by its owner with the extension owner's rights) whose columns read have
-- built-in types; if caller is given, it must be allowed to read them.
-- Returns NULL for a missing table that is not required.
CREATE FUNCTION inventree_perms._django_table(source_schema name, tablename text, columns text[],
											  required boolean, caller oid)
RETURNS regclass
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	nsp oid;
	c pg_catalog.pg_class;
	col text;
	typ oid;
BEGIN
	SELECT n.oid INTO nsp FROM pg_catalog.pg_namespace n
	WHERE n.nspname OPERATOR(pg_catalog.=) source_schema;
	IF nsp IS NULL THEN
		RAISE EXCEPTION 'schema "%" does not exist', source_schema
			USING ERRCODE = 'invalid_schema_name';
	END IF;
	IF caller IS NOT NULL AND NOT pg_catalog.has_schema_privilege(caller, nsp, 'USAGE') THEN
		RAISE EXCEPTION 'permission denied for schema %', source_schema
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Role "%s" may not use schema "%s".', caller::regrole, source_schema);
	END IF;
	SELECT * INTO c FROM pg_catalog.pg_class x
	WHERE x.relnamespace OPERATOR(pg_catalog.=) nsp AND x.relname OPERATOR(pg_catalog.=) tablename;
	IF NOT FOUND THEN
		IF NOT required THEN
			RETURN NULL;
		END IF;
		RAISE EXCEPTION 'relation "%.%" does not exist', source_schema, tablename
			USING ERRCODE = 'undefined_table',
				  HINT = 'import_django() reads Django''s auth tables: give the schema that holds them.';
	END IF;
	IF c.relkind OPERATOR(pg_catalog.<>) ALL ('{r,p}'::"char"[]) THEN
		RAISE EXCEPTION '"%.%" is not a table', source_schema, tablename
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'import_django() reads plain and partitioned tables only.';
	END IF;
	FOREACH col IN ARRAY columns LOOP
		SELECT a.atttypid INTO typ FROM pg_catalog.pg_attribute a
		WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attname OPERATOR(pg_catalog.=) col
		  AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'column "%" of relation "%.%" does not exist', col, source_schema, tablename
				USING ERRCODE = 'undefined_column',
					  HINT = 'import_django() expects the layout of Django''s (and InvenTree''s) tables.';
		END IF;
		IF typ OPERATOR(pg_catalog.>=) 16384 THEN		-- FirstNormalObjectId
			RAISE EXCEPTION 'column "%" of relation "%.%" has type %, not a built-in type',
				col, source_schema, tablename, typ::regtype
				USING ERRCODE = 'datatype_mismatch';
		END IF;
		IF caller IS NOT NULL
		   AND NOT pg_catalog.has_column_privilege(caller, c.oid, col, 'SELECT') THEN
			RAISE EXCEPTION 'permission denied for table %.%', source_schema, tablename
				USING ERRCODE = 'insufficient_privilege',
					  DETAIL = pg_catalog.format('Role "%s" may not read column "%s".', caller::regrole, col);
		END IF;
	END LOOP;
	RETURN c.oid;
END;
$$;
COMMENT ON FUNCTION inventree_perms._django_table(name, text, text[], boolean, oid) IS
	'Internal: a Django table import_django() may read (plain table, built-in column types, readable by the caller)';

-- Internal: is name a valid user, group or model name?  Names Django itself
-- allows take the fast path; the rest ask _check_name() (the one place of the
-- SPEC's rules), catching its 22023.
CREATE FUNCTION inventree_perms._django_valid_name(kind text, name text)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL THEN
		RETURN false;
	END IF;
	IF kind OPERATOR(pg_catalog.=) 'model' THEN
		RETURN name OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_.]{0,62}$';
	END IF;
	IF name OPERATOR(pg_catalog.~) '^[A-Za-z0-9_.@+-]{1,150}$' THEN
		RETURN true;
	END IF;
	BEGIN
		PERFORM inventree_perms._check_name(kind, name);
	EXCEPTION WHEN invalid_parameter_value THEN
		RETURN false;
	END;
	RETURN true;
END;
$$;
COMMENT ON FUNCTION inventree_perms._django_valid_name(text, text) IS
	'Internal: does a name from Django follow the SPEC''s rules for its kind (user, group, model)?';

-- Internal: the import.  caller is the role to check (import_django(),
-- link_django()), or NULL on the trigger path of link_django() (no caller
-- check: the link was authorised when it was made; the audit row names the
-- session's login role and the trigger's table).
CREATE FUNCTION inventree_perms._django_sync(source_schema name, caller oid, via regclass)
RETURNS TABLE (what text, count bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src text := source_schema::text;
	t record;
	has_rulesets boolean := false;
	-- Django's side
	d_user text[];
	d_su boolean[];
	d_act boolean[];
	d_group text[];
	d_mu text[];
	d_mg text[];
	d_model text[];
	d_up_holder text[];
	d_up_app text[];
	d_up_model text[];
	d_up_code text[];
	d_gp_holder text[];
	d_gp_app text[];
	d_gp_model text[];
	d_gp_code text[];
	d_rs_group text[] := '{}';
	d_rs_role text[] := '{}';
	d_rs_v boolean[] := '{}';
	d_rs_a boolean[] := '{}';
	d_rs_c boolean[] := '{}';
	d_rs_d boolean[] := '{}';
	-- what this run did
	n_users bigint := 0;
	n_groups bigint := 0;
	n_members bigint := 0;
	n_models bigint := 0;
	n_uperms bigint := 0;
	n_gperms bigint := 0;
	n_flags bigint := 0;
	n_removed bigint := 0;
	k bigint;
	r_what text[] := '{}';
	r_n bigint[] := '{}';
	w text[];
	wn bigint[];
	detail jsonb;
BEGIN
	-- One import at a time: each one then reads what the previous committed.
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('inventree_perms.import_django')::bigint);

	FOR t IN SELECT * FROM inventree_perms._django_tables() LOOP
		IF inventree_perms._django_table(source_schema, t.tablename, t.columns, t.required, caller) IS NOT NULL
		   AND t.tablename OPERATOR(pg_catalog.=) 'users_ruleset' THEN
			has_rulesets := true;
		END IF;
	END LOOP;

	-- Read Django's side: named columns only, never the password.
	EXECUTE pg_catalog.format(
		'SELECT coalesce(array_agg(u.username::text ORDER BY u.id), ''{}''),'
		'       coalesce(array_agg(u.is_superuser ORDER BY u.id), ''{}''),'
		'       coalesce(array_agg(u.is_active ORDER BY u.id), ''{}'')'
		'  FROM %I.%I u', source_schema, 'auth_user')
	INTO d_user, d_su, d_act;
	EXECUTE pg_catalog.format(
		'SELECT coalesce(array_agg(g.name::text ORDER BY g.id), ''{}'') FROM %I.%I g',
		source_schema, 'auth_group')
	INTO d_group;
	EXECUTE pg_catalog.format(
		'SELECT coalesce(array_agg(u.username::text ORDER BY u.id, g.id), ''{}''),'
		'       coalesce(array_agg(g.name::text ORDER BY u.id, g.id), ''{}'')'
		'  FROM %I.%I ug'
		'  JOIN %I.%I u ON u.id OPERATOR(pg_catalog.=) ug.user_id'
		'  JOIN %I.%I g ON g.id OPERATOR(pg_catalog.=) ug.group_id',
		source_schema, 'auth_user_groups', source_schema, 'auth_user', source_schema, 'auth_group')
	INTO d_mu, d_mg;
	EXECUTE pg_catalog.format(
		'SELECT coalesce(array_agg(ct.app_label::text OPERATOR(pg_catalog.||) ''_'''
		'                          OPERATOR(pg_catalog.||) ct.model::text ORDER BY ct.id), ''{}'')'
		'  FROM %I.%I ct', source_schema, 'django_content_type')
	INTO d_model;
	EXECUTE pg_catalog.format(
		'SELECT coalesce(array_agg(u.username::text), ''{}''), coalesce(array_agg(ct.app_label::text), ''{}''),'
		'       coalesce(array_agg(ct.model::text), ''{}''), coalesce(array_agg(p.codename::text), ''{}'')'
		'  FROM %I.%I up'
		'  JOIN %I.%I u ON u.id OPERATOR(pg_catalog.=) up.user_id'
		'  JOIN %I.%I p ON p.id OPERATOR(pg_catalog.=) up.permission_id'
		'  JOIN %I.%I ct ON ct.id OPERATOR(pg_catalog.=) p.content_type_id',
		source_schema, 'auth_user_user_permissions', source_schema, 'auth_user',
		source_schema, 'auth_permission', source_schema, 'django_content_type')
	INTO d_up_holder, d_up_app, d_up_model, d_up_code;
	EXECUTE pg_catalog.format(
		'SELECT coalesce(array_agg(g.name::text), ''{}''), coalesce(array_agg(ct.app_label::text), ''{}''),'
		'       coalesce(array_agg(ct.model::text), ''{}''), coalesce(array_agg(p.codename::text), ''{}'')'
		'  FROM %I.%I gp'
		'  JOIN %I.%I g ON g.id OPERATOR(pg_catalog.=) gp.group_id'
		'  JOIN %I.%I p ON p.id OPERATOR(pg_catalog.=) gp.permission_id'
		'  JOIN %I.%I ct ON ct.id OPERATOR(pg_catalog.=) p.content_type_id',
		source_schema, 'auth_group_permissions', source_schema, 'auth_group',
		source_schema, 'auth_permission', source_schema, 'django_content_type')
	INTO d_gp_holder, d_gp_app, d_gp_model, d_gp_code;
	IF has_rulesets THEN
		EXECUTE pg_catalog.format(
			'SELECT coalesce(array_agg(g.name::text), ''{}''), coalesce(array_agg(r.name::text), ''{}''),'
			'       coalesce(array_agg(coalesce(r.can_view, false)), ''{}''),'
			'       coalesce(array_agg(coalesce(r.can_add, false)), ''{}''),'
			'       coalesce(array_agg(coalesce(r.can_change, false)), ''{}''),'
			'       coalesce(array_agg(coalesce(r.can_delete, false)), ''{}'')'
			'  FROM %I.%I r JOIN %I.%I g ON g.id OPERATOR(pg_catalog.=) r.group_id',
			source_schema, 'users_ruleset', source_schema, 'auth_group')
		INTO d_rs_group, d_rs_role, d_rs_v, d_rs_a, d_rs_c, d_rs_d;
	END IF;

	-- Names the SPEC refuses are skipped.
	SELECT pg_catalog.count(*) INTO k FROM pg_catalog.unnest(d_user) x(n)
	WHERE NOT inventree_perms._django_valid_name('user', x.n);
	IF k OPERATOR(pg_catalog.>) 0 THEN
		r_what := r_what OPERATOR(pg_catalog.||) 'invalid_user_names'::text;
		r_n := r_n OPERATOR(pg_catalog.||) k;
		SELECT coalesce(pg_catalog.array_agg(x.n ORDER BY x.o), '{}'),
			   coalesce(pg_catalog.array_agg(x.s ORDER BY x.o), '{}'),
			   coalesce(pg_catalog.array_agg(x.a ORDER BY x.o), '{}')
		  INTO d_user, d_su, d_act
		  FROM ROWS FROM (pg_catalog.unnest(d_user), pg_catalog.unnest(d_su), pg_catalog.unnest(d_act)) WITH ORDINALITY x(n, s, a, o)
		 WHERE inventree_perms._django_valid_name('user', x.n);
	END IF;
	SELECT pg_catalog.count(*) INTO k FROM pg_catalog.unnest(d_group) x(n)
	WHERE NOT inventree_perms._django_valid_name('group', x.n);
	IF k OPERATOR(pg_catalog.>) 0 THEN
		r_what := r_what OPERATOR(pg_catalog.||) 'invalid_group_names'::text;
		r_n := r_n OPERATOR(pg_catalog.||) k;
		d_group := ARRAY(SELECT x.n FROM pg_catalog.unnest(d_group) x(n)
						 WHERE inventree_perms._django_valid_name('group', x.n));
	END IF;
	SELECT pg_catalog.count(*) INTO k FROM pg_catalog.unnest(d_model) x(n)
	WHERE NOT inventree_perms._django_valid_name('model', x.n);
	IF k OPERATOR(pg_catalog.>) 0 THEN
		r_what := r_what OPERATOR(pg_catalog.||) 'invalid_model_names'::text;
		r_n := r_n OPERATOR(pg_catalog.||) k;
		d_model := ARRAY(SELECT x.n FROM pg_catalog.unnest(d_model) x(n)
						 WHERE inventree_perms._django_valid_name('model', x.n));
	END IF;

	-- Names taken by rows that are not this schema's: reported, skipped.
	SELECT coalesce(pg_catalog.array_agg('conflict_user:' OPERATOR(pg_catalog.||) u.name ORDER BY u.name), '{}'),
		   coalesce(pg_catalog.array_agg(1::bigint), '{}')
	  INTO w, wn
	  FROM inventree_perms.users u
	 WHERE u.name OPERATOR(pg_catalog.=) ANY (d_user) AND u.source IS DISTINCT FROM src;
	r_what := r_what OPERATOR(pg_catalog.||) w;
	r_n := r_n OPERATOR(pg_catalog.||) wn;
	SELECT coalesce(pg_catalog.array_agg(x.n ORDER BY x.o), '{}'),
		   coalesce(pg_catalog.array_agg(x.s ORDER BY x.o), '{}'),
		   coalesce(pg_catalog.array_agg(x.a ORDER BY x.o), '{}')
	  INTO d_user, d_su, d_act
	  FROM ROWS FROM (pg_catalog.unnest(d_user), pg_catalog.unnest(d_su), pg_catalog.unnest(d_act)) WITH ORDINALITY x(n, s, a, o)
	 WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.users u
					   WHERE u.name OPERATOR(pg_catalog.=) x.n AND u.source IS DISTINCT FROM src);
	SELECT coalesce(pg_catalog.array_agg('conflict_group:' OPERATOR(pg_catalog.||) g.name ORDER BY g.name), '{}'),
		   coalesce(pg_catalog.array_agg(1::bigint), '{}')
	  INTO w, wn
	  FROM inventree_perms.groups g
	 WHERE g.name OPERATOR(pg_catalog.=) ANY (d_group) AND g.source IS DISTINCT FROM src;
	r_what := r_what OPERATOR(pg_catalog.||) w;
	r_n := r_n OPERATOR(pg_catalog.||) wn;
	d_group := ARRAY(SELECT x.n FROM pg_catalog.unnest(d_group) x(n)
					 WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.groups g
									   WHERE g.name OPERATOR(pg_catalog.=) x.n
										 AND g.source IS DISTINCT FROM src));

	-- Creating, changing or removing a superuser needs a superuser.
	IF caller IS NOT NULL AND (
		EXISTS (SELECT 1
				FROM ROWS FROM (pg_catalog.unnest(d_user), pg_catalog.unnest(d_su), pg_catalog.unnest(d_act)) x(n, s, a)
				LEFT JOIN inventree_perms.users u ON u.name OPERATOR(pg_catalog.=) x.n
				WHERE (u.name IS NULL AND x.s)
				   OR (u.name IS NOT NULL AND (u.is_superuser OR x.s)
					   AND (u.is_superuser, u.is_active) IS DISTINCT FROM (x.s, x.a)))
		OR EXISTS (SELECT 1 FROM inventree_perms.users u
				   WHERE u.source OPERATOR(pg_catalog.=) src AND u.is_superuser
					 AND u.name OPERATOR(pg_catalog.<>) ALL (d_user))) THEN
		PERFORM inventree_perms._require_superadmin('import a superuser from Django');
	END IF;

	-- Users.
	WITH ins AS (
		INSERT INTO inventree_perms.users AS u (name, is_superuser, is_active, source)
		SELECT x.n, x.s, x.a, src FROM ROWS FROM (pg_catalog.unnest(d_user), pg_catalog.unnest(d_su), pg_catalog.unnest(d_act)) x(n, s, a)
		ON CONFLICT (name) DO UPDATE
			SET is_superuser = excluded.is_superuser, is_active = excluded.is_active
			WHERE u.source OPERATOR(pg_catalog.=) excluded.source
			  AND (u.is_superuser, u.is_active) IS DISTINCT FROM (excluded.is_superuser, excluded.is_active)
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO n_users FROM ins;
	WITH del AS (
		DELETE FROM inventree_perms.users u
		WHERE u.source OPERATOR(pg_catalog.=) src AND u.name OPERATOR(pg_catalog.<>) ALL (d_user)
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO k FROM del;
	n_removed := n_removed OPERATOR(pg_catalog.+) k;

	-- Groups.
	WITH ins AS (
		INSERT INTO inventree_perms.groups (name, source)
		SELECT x.n, src FROM pg_catalog.unnest(d_group) x(n)
		ON CONFLICT (name) DO NOTHING
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO n_groups FROM ins;
	WITH del AS (
		DELETE FROM inventree_perms.groups g
		WHERE g.source OPERATOR(pg_catalog.=) src AND g.name OPERATOR(pg_catalog.<>) ALL (d_group)
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO k FROM del;
	n_removed := n_removed OPERATOR(pg_catalog.+) k;

	-- Memberships, between this schema's users and groups.
	WITH want AS (
		SELECT DISTINCT x.u, x.g
		FROM ROWS FROM (pg_catalog.unnest(d_mu), pg_catalog.unnest(d_mg)) x(u, g)
		JOIN inventree_perms.users u ON u.name OPERATOR(pg_catalog.=) x.u
									AND u.source OPERATOR(pg_catalog.=) src
		JOIN inventree_perms.groups g ON g.name OPERATOR(pg_catalog.=) x.g
									 AND g.source OPERATOR(pg_catalog.=) src
	), ins AS (
		INSERT INTO inventree_perms.memberships (username, groupname, source)
		SELECT want.u, want.g, src FROM want
		ON CONFLICT DO NOTHING
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO n_members FROM ins;
	WITH del AS (
		DELETE FROM inventree_perms.memberships m
		WHERE m.source OPERATOR(pg_catalog.=) src
		  AND NOT EXISTS (SELECT 1 FROM ROWS FROM (pg_catalog.unnest(d_mu), pg_catalog.unnest(d_mg)) x(u, g)
						  WHERE x.u OPERATOR(pg_catalog.=) m.username
							AND x.g OPERATOR(pg_catalog.=) m.groupname)
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO k FROM del;
	n_removed := n_removed OPERATOR(pg_catalog.+) k;

	-- Models: every content type.  Only names not registered at all are
	-- inserted (an INSERT of a catalogue model's name would update that row:
	-- see _upsert_shipped()).
	WITH ins AS (
		INSERT INTO inventree_perms.models (name, description, source)
		SELECT DISTINCT x.n, 'Django model ' OPERATOR(pg_catalog.||) x.n, src
		FROM pg_catalog.unnest(d_model) x(n)
		WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.models m
						  WHERE m.name OPERATOR(pg_catalog.=) x.n)
		ON CONFLICT (name) DO NOTHING
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO n_models FROM ins;
	SELECT coalesce(pg_catalog.array_agg('kept_protected_model:' OPERATOR(pg_catalog.||) m.name ORDER BY m.name), '{}'),
		   coalesce(pg_catalog.array_agg(1::bigint), '{}')
	  INTO w, wn
	  FROM inventree_perms.models m
	 WHERE m.source OPERATOR(pg_catalog.=) src AND m.name OPERATOR(pg_catalog.<>) ALL (d_model)
	   AND EXISTS (SELECT 1 FROM inventree_perms.protected p WHERE p.model OPERATOR(pg_catalog.=) m.name);
	r_what := r_what OPERATOR(pg_catalog.||) w;
	r_n := r_n OPERATOR(pg_catalog.||) wn;
	WITH del AS (
		DELETE FROM inventree_perms.models m
		WHERE m.source OPERATOR(pg_catalog.=) src AND m.name OPERATOR(pg_catalog.<>) ALL (d_model)
		  AND NOT m.builtin AND NOT m.shipped
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.protected p
						  WHERE p.model OPERATOR(pg_catalog.=) m.name)
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO k FROM del;
	n_removed := n_removed OPERATOR(pg_catalog.+) k;

	-- Custom codenames: reported with the number of users and groups holding them.
	SELECT coalesce(pg_catalog.array_agg('custom_codename:' OPERATOR(pg_catalog.||) c.app
										 OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) c.code
										 ORDER BY c.app, c.code), '{}'),
		   coalesce(pg_catalog.array_agg(c.n ORDER BY c.app, c.code), '{}')
	  INTO w, wn
	  FROM (SELECT x.app, x.code, pg_catalog.count(DISTINCT x.kind OPERATOR(pg_catalog.||) x.h) AS n
			FROM (SELECT 'u:'::text AS kind, * FROM ROWS FROM (pg_catalog.unnest(d_up_holder), pg_catalog.unnest(d_up_app), pg_catalog.unnest(d_up_model), pg_catalog.unnest(d_up_code))
				  UNION ALL
				  SELECT 'g:'::text, * FROM ROWS FROM (pg_catalog.unnest(d_gp_holder), pg_catalog.unnest(d_gp_app), pg_catalog.unnest(d_gp_model), pg_catalog.unnest(d_gp_code))) x(kind, h, app, model, code)
			WHERE inventree_perms._django_action(x.model, x.code) IS NULL
			GROUP BY x.app, x.code) c;
	r_what := r_what OPERATOR(pg_catalog.||) w;
	r_n := r_n OPERATOR(pg_catalog.||) wn;

	-- Direct user permissions.
	WITH want AS (
		SELECT DISTINCT u.name AS username, m.name AS model, x.act AS action
		FROM (SELECT y.h, y.app OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) y.model AS model,
					 inventree_perms._django_action(y.model, y.code) AS act
			  FROM ROWS FROM (pg_catalog.unnest(d_up_holder), pg_catalog.unnest(d_up_app), pg_catalog.unnest(d_up_model), pg_catalog.unnest(d_up_code)) y(h, app, model, code)) x
		JOIN inventree_perms.users u ON u.name OPERATOR(pg_catalog.=) x.h
									AND u.source OPERATOR(pg_catalog.=) src
		JOIN inventree_perms.models m ON m.name OPERATOR(pg_catalog.=) x.model
		WHERE x.act IS NOT NULL
	), ins AS (
		INSERT INTO inventree_perms.user_perms (username, model, action, source)
		SELECT want.username, want.model, want.action, src FROM want
		ON CONFLICT DO NOTHING
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO n_uperms FROM ins;
	WITH del AS (
		DELETE FROM inventree_perms.user_perms p
		WHERE p.source OPERATOR(pg_catalog.=) src
		  AND NOT EXISTS (
			SELECT 1 FROM ROWS FROM (pg_catalog.unnest(d_up_holder), pg_catalog.unnest(d_up_app), pg_catalog.unnest(d_up_model), pg_catalog.unnest(d_up_code)) y(h, app, model, code)
			WHERE y.h OPERATOR(pg_catalog.=) p.username
			  AND (y.app OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) y.model) OPERATOR(pg_catalog.=) p.model
			  AND inventree_perms._django_action(y.model, y.code) OPERATOR(pg_catalog.=) p.action)
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO k FROM del;
	n_removed := n_removed OPERATOR(pg_catalog.+) k;

	-- Group permissions.
	WITH want AS (
		SELECT DISTINCT g.name AS groupname, m.name AS model, x.act AS action
		FROM (SELECT y.h, y.app OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) y.model AS model,
					 inventree_perms._django_action(y.model, y.code) AS act
			  FROM ROWS FROM (pg_catalog.unnest(d_gp_holder), pg_catalog.unnest(d_gp_app), pg_catalog.unnest(d_gp_model), pg_catalog.unnest(d_gp_code)) y(h, app, model, code)) x
		JOIN inventree_perms.groups g ON g.name OPERATOR(pg_catalog.=) x.h
									 AND g.source OPERATOR(pg_catalog.=) src
		JOIN inventree_perms.models m ON m.name OPERATOR(pg_catalog.=) x.model
		WHERE x.act IS NOT NULL
	), ins AS (
		INSERT INTO inventree_perms.group_perms (groupname, model, action, source)
		SELECT want.groupname, want.model, want.action, src FROM want
		ON CONFLICT DO NOTHING
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO n_gperms FROM ins;
	WITH del AS (
		DELETE FROM inventree_perms.group_perms p
		WHERE p.source OPERATOR(pg_catalog.=) src
		  AND NOT EXISTS (
			SELECT 1 FROM ROWS FROM (pg_catalog.unnest(d_gp_holder), pg_catalog.unnest(d_gp_app), pg_catalog.unnest(d_gp_model), pg_catalog.unnest(d_gp_code)) y(h, app, model, code)
			WHERE y.h OPERATOR(pg_catalog.=) p.groupname
			  AND (y.app OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) y.model) OPERATOR(pg_catalog.=) p.model
			  AND inventree_perms._django_action(y.model, y.code) OPERATOR(pg_catalog.=) p.action)
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO k FROM del;
	n_removed := n_removed OPERATOR(pg_catalog.+) k;

	-- Role flags from InvenTree's rulesets, as stored.
	SELECT coalesce(pg_catalog.array_agg('unknown_role:' OPERATOR(pg_catalog.||) x.r ORDER BY x.r), '{}'),
		   coalesce(pg_catalog.array_agg(x.n ORDER BY x.r), '{}')
	  INTO w, wn
	  FROM (SELECT y.r, pg_catalog.count(*) AS n FROM pg_catalog.unnest(d_rs_role) y(r)
			WHERE NOT EXISTS (SELECT 1 FROM inventree_perms.roles ro WHERE ro.name OPERATOR(pg_catalog.=) y.r)
			GROUP BY y.r) x;
	r_what := r_what OPERATOR(pg_catalog.||) w;
	r_n := r_n OPERATOR(pg_catalog.||) wn;
	WITH want AS (
		SELECT DISTINCT g.name AS groupname, ro.name AS role, f.act AS action
		FROM ROWS FROM (pg_catalog.unnest(d_rs_group), pg_catalog.unnest(d_rs_role), pg_catalog.unnest(d_rs_v), pg_catalog.unnest(d_rs_a), pg_catalog.unnest(d_rs_c), pg_catalog.unnest(d_rs_d)) x(g, r, v, a, c, d)
		CROSS JOIN LATERAL (VALUES ('view'::text, x.v), ('add', x.a), ('change', x.c), ('delete', x.d)) f(act, isset)
		JOIN inventree_perms.groups g ON g.name OPERATOR(pg_catalog.=) x.g
									 AND g.source OPERATOR(pg_catalog.=) src
		JOIN inventree_perms.roles ro ON ro.name OPERATOR(pg_catalog.=) x.r
		WHERE f.isset
	), ins AS (
		INSERT INTO inventree_perms.group_roles (groupname, role, action, source)
		SELECT want.groupname, want.role, want.action, src FROM want
		ON CONFLICT DO NOTHING
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO n_flags FROM ins;
	WITH del AS (
		DELETE FROM inventree_perms.group_roles gr
		WHERE gr.source OPERATOR(pg_catalog.=) src
		  AND NOT EXISTS (
			SELECT 1
			FROM ROWS FROM (pg_catalog.unnest(d_rs_group), pg_catalog.unnest(d_rs_role), pg_catalog.unnest(d_rs_v), pg_catalog.unnest(d_rs_a), pg_catalog.unnest(d_rs_c), pg_catalog.unnest(d_rs_d)) x(g, r, v, a, c, d)
			CROSS JOIN LATERAL (VALUES ('view'::text, x.v), ('add', x.a), ('change', x.c), ('delete', x.d)) f(act, isset)
			WHERE f.isset AND x.g OPERATOR(pg_catalog.=) gr.groupname
			  AND x.r OPERATOR(pg_catalog.=) gr.role AND f.act OPERATOR(pg_catalog.=) gr.action)
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO k FROM del;
	n_removed := n_removed OPERATOR(pg_catalog.+) k;

	-- One audit row if anything changed.
	detail := pg_catalog.jsonb_build_object(
		'users', n_users, 'groups', n_groups, 'memberships', n_members, 'models', n_models,
		'user_perms', n_uperms, 'group_perms', n_gperms, 'role_flags', n_flags, 'removed', n_removed);
	IF n_users OPERATOR(pg_catalog.+) n_groups OPERATOR(pg_catalog.+) n_members
	   OPERATOR(pg_catalog.+) n_models OPERATOR(pg_catalog.+) n_uperms OPERATOR(pg_catalog.+) n_gperms
	   OPERATOR(pg_catalog.+) n_flags OPERATOR(pg_catalog.+) n_removed OPERATOR(pg_catalog.>) 0 THEN
		IF caller IS NOT NULL THEN
			PERFORM inventree_perms._log('import_django', src, detail);
		ELSE
			-- The trigger path of link_django(): no management call is running
			-- (_caller() would raise 55000).  Name the role the session made the
			-- change as (its SET ROLE, else its login role: a SECURITY DEFINER
			-- function changes neither) and the acting user it set, and say
			-- which table's change caused the import and who owns it.
			INSERT INTO inventree_perms.audit_log (session_role, acting_user, operation, target, detail)
			VALUES (CASE pg_catalog.current_setting('role')
						WHEN 'none' THEN session_user::text
						ELSE pg_catalog.current_setting('role') END,
					NULLIF(pg_catalog.current_setting('inventree_perms.acting_user', true), ''),
					'import_django', src,
					detail OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(
						'via', 'link_django',
						'table', via::text,
						'table_owner', (SELECT c.relowner::regrole::text FROM pg_catalog.pg_class c
										WHERE c.oid OPERATOR(pg_catalog.=) via)));
		END IF;
	END IF;

	RETURN QUERY
	SELECT x.w, x.n
	FROM ROWS FROM (
			pg_catalog.unnest('{users,groups,memberships,models,user_perms,group_perms,role_flags,removed}'::text[]
							  OPERATOR(pg_catalog.||) r_what),
			pg_catalog.unnest(ARRAY[n_users, n_groups, n_members, n_models, n_uperms, n_gperms, n_flags, n_removed]
							  OPERATOR(pg_catalog.||) r_n)) x(w, n);
END;
$$;
COMMENT ON FUNCTION inventree_perms._django_sync(name, oid, regclass) IS
	'Internal: make the extension''s rows from a Django schema match it; caller NULL on link_django()''s trigger path';

-- Internal: the action a Django codename stands for on its model, or NULL
-- for a custom codename.
CREATE FUNCTION inventree_perms._django_action(model text, codename text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.act FROM (VALUES ('view'::text), ('add'), ('change'), ('delete')) a(act)
	WHERE codename OPERATOR(pg_catalog.=) (a.act OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) model);
$$;
COMMENT ON FUNCTION inventree_perms._django_action(text, text) IS
	'Internal: view/add/change/delete for Django''s default codenames of a model, NULL for a custom codename';

-- import_django ---------------------------------------------------------------
CREATE FUNCTION inventree_perms._import_django(source_schema name)
RETURNS TABLE (what text, count bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms._require_admin('import from Django');
	RETURN QUERY SELECT * FROM inventree_perms._django_sync(source_schema, inventree_perms._caller(), NULL);
END;
$$;
COMMENT ON FUNCTION inventree_perms._import_django(name) IS
	'Internal: implementation of import_django()';
CREATE FUNCTION inventree_perms.import_django(source_schema name DEFAULT 'public')
RETURNS TABLE (what text, count bigint)
AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.import_django(name) IS
	'Make users, groups, memberships, models, grants and role flags match a Django / InvenTree schema; returns what changed and what was skipped';

-- link_django / unlink_django -------------------------------------------------

-- Internal: the trigger link_django() puts on the Django tables.
CREATE FUNCTION inventree_perms._django_trigger()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM inventree_perms.django_links l
			   WHERE l.source_schema OPERATOR(pg_catalog.=) TG_TABLE_SCHEMA::name) THEN
		PERFORM inventree_perms._django_sync(TG_TABLE_SCHEMA::name, NULL, TG_RELID::regclass);
	END IF;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION inventree_perms._django_trigger() IS
	'Internal trigger on a linked Django schema''s tables: re-runs the import in the same transaction';

-- Internal: may the caller link or unlink this schema?  A superuser (of
-- PostgreSQL or of the extension) owning every Django table in it, or a
-- PostgreSQL superuser.
CREATE FUNCTION inventree_perms._django_link_check(source_schema name, what text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller oid := inventree_perms._caller();
	t record;
BEGIN
	PERFORM inventree_perms._require_admin(what);
	PERFORM inventree_perms._require_superadmin(what);
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_authid a
			   WHERE a.oid OPERATOR(pg_catalog.=) caller AND a.rolsuper) THEN
		RETURN;
	END IF;
	FOR t IN
		SELECT c.oid::regclass AS rel, c.relowner
		FROM inventree_perms._django_tables() d
		JOIN pg_catalog.pg_class c ON c.relname OPERATOR(pg_catalog.=) d.tablename
		JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		WHERE n.nspname OPERATOR(pg_catalog.=) source_schema
	LOOP
		IF NOT pg_catalog.pg_has_role(caller, t.relowner, 'USAGE') THEN
			RAISE EXCEPTION 'permission denied to %', what
				USING ERRCODE = 'insufficient_privilege',
					  DETAIL = pg_catalog.format('Role "%s" does not own table %s.', caller::regrole, t.rel),
					  HINT = 'Only the owner of the Django tables (or a member of the owning role) or a PostgreSQL superuser may do this.';
		END IF;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION inventree_perms._django_link_check(name, text) IS
	'Internal: 42501 unless the caller is a superuser of the extension owning the Django tables, or a PostgreSQL superuser';

CREATE FUNCTION inventree_perms._link_django(source_schema name)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
	added text[] := '{}';
	linked boolean;
BEGIN
	PERFORM inventree_perms._django_link_check(source_schema, 'link a Django schema');
	INSERT INTO inventree_perms.django_links AS l (source_schema) VALUES (_link_django.source_schema)
	ON CONFLICT DO NOTHING;
	linked := FOUND;
	PERFORM inventree_perms._django_sync(source_schema, inventree_perms._caller(), NULL);
	FOR t IN
		SELECT c.oid::regclass AS rel, d.tablename, d.columns,
			   (SELECT tg.tgenabled FROM pg_catalog.pg_trigger tg
				WHERE tg.tgrelid OPERATOR(pg_catalog.=) c.oid
				  AND tg.tgname OPERATOR(pg_catalog.=) 'inventree_perms_django') AS enabled
		FROM inventree_perms._django_tables() d
		JOIN pg_catalog.pg_class c ON c.relname OPERATOR(pg_catalog.=) d.tablename
		JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		WHERE n.nspname OPERATOR(pg_catalog.=) source_schema
	LOOP
		IF t.enabled IS NULL THEN
			EXECUTE pg_catalog.format(
				'CREATE TRIGGER inventree_perms_django'
				' AFTER INSERT OR UPDATE OF %s OR DELETE OR TRUNCATE ON %I.%I'
				' FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms._django_trigger()',
				(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(col), ', ')
				 FROM pg_catalog.unnest(t.columns) col),
				source_schema, t.tablename);
			added := added OPERATOR(pg_catalog.||) t.tablename;
		END IF;
		-- ALWAYS: also when session_replication_role = replica (a logical
		-- replica applying InvenTree's changes).  ALTER TABLE refuses a table
		-- with pending trigger events (Django's deferred foreign keys, in
		-- this transaction): then the trigger fires in origin mode until
		-- link_django() is run again.
		IF t.enabled IS DISTINCT FROM 'A' THEN
			BEGIN
				EXECUTE pg_catalog.format(
					'ALTER TABLE %I.%I ENABLE ALWAYS TRIGGER inventree_perms_django',
					source_schema, t.tablename);
			EXCEPTION WHEN object_in_use THEN
				RAISE WARNING 'trigger inventree_perms_django on "%.%" is not enabled ALWAYS',
					source_schema, t.tablename
					USING DETAIL = 'The table has pending trigger events in this transaction.',
						  HINT = 'It fires all the same, except under session_replication_role = replica; run link_django() again in a transaction of its own.';
			END;
		END IF;
	END LOOP;
	IF linked OR pg_catalog.cardinality(added) OPERATOR(pg_catalog.>) 0 THEN
		PERFORM inventree_perms._log('link_django', source_schema::text,
			pg_catalog.jsonb_build_object('triggers', added));
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms._link_django(name) IS
	'Internal: implementation of link_django()';
CREATE FUNCTION inventree_perms.link_django(source_schema name DEFAULT 'public')
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.link_django(name) IS
	'Import from a Django schema and keep it imported: triggers on its tables re-run the import on every change; superusers owning the tables only';

CREATE FUNCTION inventree_perms._unlink_django(source_schema name)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
	dropped text[] := '{}';
	unlinked boolean;
BEGIN
	PERFORM inventree_perms._django_link_check(source_schema, 'unlink a Django schema');
	FOR t IN
		SELECT c.relname::text AS tablename
		FROM pg_catalog.pg_trigger tg
		JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
		JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		WHERE n.nspname OPERATOR(pg_catalog.=) source_schema
		  AND tg.tgname OPERATOR(pg_catalog.=) 'inventree_perms_django'
		  AND tg.tgfoid OPERATOR(pg_catalog.=) 'inventree_perms._django_trigger()'::pg_catalog.regprocedure
		ORDER BY 1
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER inventree_perms_django ON %I.%I',
								  source_schema, t.tablename);
		dropped := dropped OPERATOR(pg_catalog.||) t.tablename;
	END LOOP;
	DELETE FROM inventree_perms.django_links l
	WHERE l.source_schema OPERATOR(pg_catalog.=) _unlink_django.source_schema;
	unlinked := FOUND;
	IF unlinked OR pg_catalog.cardinality(dropped) OPERATOR(pg_catalog.>) 0 THEN
		PERFORM inventree_perms._log('unlink_django', source_schema::text,
			pg_catalog.jsonb_build_object('triggers', dropped));
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms._unlink_django(name) IS
	'Internal: implementation of unlink_django()';
CREATE FUNCTION inventree_perms.unlink_django(source_schema name DEFAULT 'public')
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.unlink_django(name) IS
	'Stop keeping a Django schema imported (drops link_django()''s triggers; imported rows stay); not an error if it was not linked';
-- ---------------------------------------------------------------------------
-- Triggers, privileges, and what pg_dump keeps.  Last, so it covers every
-- object the parts above created.
-- ---------------------------------------------------------------------------

-- Every change to a table the checks read, whoever makes it and however
-- (management function, direct DML, TRUNCATE, an upgrade script, logical
-- replication's apply worker), invalidates every session's cache at commit.
-- ENABLE ALWAYS: session_replication_role = replica must not skip it.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['users', 'groups', 'memberships', 'models', 'user_perms',
							 'group_perms', 'roles', 'role_models', 'group_roles'] LOOP
		-- Row triggers: logical replication's apply worker fires row
		-- triggers only.  TRUNCATE fires statement triggers only.
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER inventree_perms_invalidate'
			' AFTER INSERT OR UPDATE OR DELETE ON inventree_perms.%I'
			' FOR EACH ROW EXECUTE FUNCTION inventree_perms._invalidate()', t);
		EXECUTE pg_catalog.format(
			'ALTER TABLE inventree_perms.%I ENABLE ALWAYS TRIGGER inventree_perms_invalidate', t);
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER inventree_perms_invalidate_truncate'
			' AFTER TRUNCATE ON inventree_perms.%I'
			' FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms._invalidate()', t);
		EXECUTE pg_catalog.format(
			'ALTER TABLE inventree_perms.%I ENABLE ALWAYS TRIGGER inventree_perms_invalidate_truncate', t);
	END LOOP;
END;
$$;

-- The catalogue is loaded by CREATE EXTENSION.  pg_restore then copies the
-- dumped rows back, catalogue rows included (an administrator may have bound
-- a catalogue model to a table): a dumped row whose key is already there
-- updates that row instead of failing the restore.
CREATE FUNCTION inventree_perms._upsert_shipped()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'models' THEN
		UPDATE inventree_perms.models m
		   SET relation = NEW.relation, description = NEW.description, is_open = NEW.is_open,
			   builtin = NEW.builtin, shipped = NEW.shipped, source = NEW.source
		 WHERE m.name OPERATOR(pg_catalog.=) NEW.name AND m.shipped;
	ELSIF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'roles' THEN
		UPDATE inventree_perms.roles r
		   SET label = NEW.label, shipped = NEW.shipped
		 WHERE r.name OPERATOR(pg_catalog.=) NEW.name AND r.shipped;
	ELSE
		PERFORM FROM inventree_perms.role_models rm
		 WHERE rm.role OPERATOR(pg_catalog.=) NEW.role
		   AND rm.model OPERATOR(pg_catalog.=) NEW.model AND rm.shipped;
	END IF;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	RETURN NEW;
END;
$$;
COMMENT ON FUNCTION inventree_perms._upsert_shipped() IS
	'Internal trigger: a restored copy of a catalogue row updates the row CREATE EXTENSION loaded';
CREATE TRIGGER inventree_perms_upsert BEFORE INSERT ON inventree_perms.models
	FOR EACH ROW EXECUTE FUNCTION inventree_perms._upsert_shipped();
CREATE TRIGGER inventree_perms_upsert BEFORE INSERT ON inventree_perms.roles
	FOR EACH ROW EXECUTE FUNCTION inventree_perms._upsert_shipped();
CREATE TRIGGER inventree_perms_upsert BEFORE INSERT ON inventree_perms.role_models
	FOR EACH ROW EXECUTE FUNCTION inventree_perms._upsert_shipped();

-- A catalogue row removed here (unregister_model, drop_role,
-- remove_model_from_role, or a superuser's DELETE) leaves a mark in
-- catalogue_removals, dumped with the data; a row added again under the same
-- key takes the mark away.  pg_restore runs CREATE EXTENSION, which loads the
-- whole catalogue, then copies the marks back: each restored mark removes its
-- row again, so a restore keeps what was removed removed.
CREATE FUNCTION inventree_perms._mark_removal()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k text;
	n text;
	m text := '';
BEGIN
	IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'models' THEN
		k := 'model';
	ELSIF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'roles' THEN
		k := 'role';
	ELSE
		k := 'role_model';
	END IF;
	IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
		IF NOT OLD.shipped THEN
			RETURN NULL;
		END IF;
		IF k OPERATOR(pg_catalog.=) 'role_model' THEN
			n := OLD.role;
			m := OLD.model;
		ELSIF k OPERATOR(pg_catalog.=) 'model' THEN
			IF OLD.builtin THEN
				RETURN NULL;	-- the built-ins always exist: a restore brings them back
			END IF;
			n := OLD.name;
		ELSE
			n := OLD.name;
		END IF;
		INSERT INTO inventree_perms.catalogue_removals (kind, name, model) VALUES (k, n, m);
	ELSE
		IF k OPERATOR(pg_catalog.=) 'role_model' THEN
			n := NEW.role;
			m := NEW.model;
		ELSE
			n := NEW.name;
		END IF;
		DELETE FROM inventree_perms.catalogue_removals r
		 WHERE r.kind OPERATOR(pg_catalog.=) k AND r.name OPERATOR(pg_catalog.=) n
		   AND r.model OPERATOR(pg_catalog.=) m;
	END IF;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION inventree_perms._mark_removal() IS
	'Internal trigger: records the removal of a catalogue row, forgets it when the row is back';
CREATE TRIGGER inventree_perms_mark_removal AFTER INSERT OR DELETE ON inventree_perms.models
	FOR EACH ROW EXECUTE FUNCTION inventree_perms._mark_removal();
CREATE TRIGGER inventree_perms_mark_removal AFTER INSERT OR DELETE ON inventree_perms.roles
	FOR EACH ROW EXECUTE FUNCTION inventree_perms._mark_removal();
CREATE TRIGGER inventree_perms_mark_removal AFTER INSERT OR DELETE ON inventree_perms.role_models
	FOR EACH ROW EXECUTE FUNCTION inventree_perms._mark_removal();

-- A mark that is already there is not added twice (removing a model also
-- removes its role pairs, whose marks a restore then brings as well); a new
-- mark removes the catalogue row it names, if that is still there.
CREATE FUNCTION inventree_perms._apply_removal()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_WHEN OPERATOR(pg_catalog.=) 'BEFORE' THEN
		PERFORM FROM inventree_perms.catalogue_removals r
		 WHERE r.kind OPERATOR(pg_catalog.=) NEW.kind AND r.name OPERATOR(pg_catalog.=) NEW.name
		   AND r.model OPERATOR(pg_catalog.=) NEW.model;
		IF FOUND THEN
			RETURN NULL;
		END IF;
		RETURN NEW;
	END IF;
	IF NEW.kind OPERATOR(pg_catalog.=) 'model' THEN
		DELETE FROM inventree_perms.models m
		 WHERE m.name OPERATOR(pg_catalog.=) NEW.name AND m.shipped AND NOT m.builtin;
	ELSIF NEW.kind OPERATOR(pg_catalog.=) 'role' THEN
		DELETE FROM inventree_perms.roles r
		 WHERE r.name OPERATOR(pg_catalog.=) NEW.name AND r.shipped;
	ELSE
		DELETE FROM inventree_perms.role_models rm
		 WHERE rm.role OPERATOR(pg_catalog.=) NEW.name AND rm.model OPERATOR(pg_catalog.=) NEW.model
		   AND rm.shipped;
	END IF;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION inventree_perms._apply_removal() IS
	'Internal trigger: a restored removal mark removes the catalogue row CREATE EXTENSION loaded';
CREATE TRIGGER inventree_perms_skip_known BEFORE INSERT ON inventree_perms.catalogue_removals
	FOR EACH ROW EXECUTE FUNCTION inventree_perms._apply_removal();
CREATE TRIGGER inventree_perms_apply AFTER INSERT ON inventree_perms.catalogue_removals
	FOR EACH ROW EXECUTE FUNCTION inventree_perms._apply_removal();

-- A dropped table is no longer bound to its model, nor protected: the model
-- keeps its grants, and protect() may bind it to a new table of that name.
CREATE FUNCTION inventree_perms._forget_dropped_tables()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM inventree_perms.protected p
	 USING pg_catalog.pg_event_trigger_dropped_objects() d
	 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
	   AND d.objsubid OPERATOR(pg_catalog.=) 0
	   AND p.relation::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid;
	UPDATE inventree_perms.models m SET relation = NULL
	  FROM pg_catalog.pg_event_trigger_dropped_objects() d
	 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
	   AND d.objsubid OPERATOR(pg_catalog.=) 0
	   AND m.relation::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid;
END;
$$;
COMMENT ON FUNCTION inventree_perms._forget_dropped_tables() IS
	'Internal event trigger: unbinds models from dropped tables';
CREATE EVENT TRIGGER inventree_perms_forget_dropped_tables ON sql_drop
	EXECUTE FUNCTION inventree_perms._forget_dropped_tables();

-- The audit log is append-only, for everybody.
CREATE FUNCTION inventree_perms._audit_append_only()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only'
		USING ERRCODE = 'insufficient_privilege',
			  DETAIL = pg_catalog.format('%s on inventree_perms.audit_log is not allowed.', TG_OP);
END;
$$;
COMMENT ON FUNCTION inventree_perms._audit_append_only() IS
	'Internal trigger: refuses UPDATE, DELETE and TRUNCATE of audit_log';
CREATE TRIGGER inventree_perms_append_only BEFORE UPDATE OR DELETE ON inventree_perms.audit_log
	FOR EACH ROW EXECUTE FUNCTION inventree_perms._audit_append_only();
CREATE TRIGGER inventree_perms_no_truncate BEFORE TRUNCATE ON inventree_perms.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms._audit_append_only();
ALTER TABLE inventree_perms.audit_log ENABLE ALWAYS TRIGGER inventree_perms_append_only;
ALTER TABLE inventree_perms.audit_log ENABLE ALWAYS TRIGGER inventree_perms_no_truncate;

-- Privileges: nothing for PUBLIC on the tables; the internal functions only
-- for the owner; the documented functions for everybody (they check).
REVOKE ALL ON ALL TABLES IN SCHEMA inventree_perms FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA inventree_perms FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA inventree_perms FROM PUBLIC;
GRANT USAGE ON SCHEMA inventree_perms TO PUBLIC;
GRANT SELECT ON inventree_perms.my_permissions TO PUBLIC;
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN
		SELECT p.oid FROM pg_catalog.pg_proc p
		WHERE p.pronamespace OPERATOR(pg_catalog.=) 'inventree_perms'::regnamespace
		  AND p.proname OPERATOR(pg_catalog.!~) '^_'
	LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
	END LOOP;
END;
$$;

-- pg_dump keeps every row.
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.users', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.groups', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.memberships', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.models', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.user_perms', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.group_perms', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.roles', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.role_models', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.group_roles', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.delegates', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.protected', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.audit_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.django_links', '');
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.catalogue_removals', '');
