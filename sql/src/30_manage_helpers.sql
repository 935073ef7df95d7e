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

-- Is the caller a PostgreSQL superuser or the extension's owner?  Reads
-- pg_roles, not pg_authid: the owner may have lost SUPERUSER.
CREATE FUNCTION inventree_perms_internal._is_pg_admin()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles a
				   WHERE a.oid OPERATOR(pg_catalog.=) inventree_perms_internal._caller() AND a.rolsuper)
		OR EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
				   WHERE e.extname OPERATOR(pg_catalog.=) 'inventree_perms'
					 AND e.extowner OPERATOR(pg_catalog.=) inventree_perms_internal._caller());
$$;
COMMENT ON FUNCTION inventree_perms_internal._is_pg_admin() IS
	'Internal: is the caller a PostgreSQL superuser or the extension''s owner?';

-- Is the caller a PostgreSQL superuser, the extension's owner, or acting as
-- an active superuser of the extension?
CREATE FUNCTION inventree_perms_internal._is_superadmin()
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF inventree_perms_internal._is_pg_admin() THEN
		RETURN true;
	END IF;
	RETURN EXISTS (SELECT 1 FROM inventree_perms.users u
				   WHERE u.name OPERATOR(pg_catalog.=) inventree_perms_internal._caller_acting()
					 AND u.is_active AND u.is_superuser);
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._is_superadmin() IS
	'Internal: is the caller a PostgreSQL superuser, the extension owner, or acting as an active superuser?';

-- The administrator rule of the SPEC.
CREATE FUNCTION inventree_perms_internal._is_admin()
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN inventree_perms_internal._is_superadmin()
		OR inventree_perms.has_model_perm(inventree_perms_internal._caller_acting(), 'user', 'change');
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._is_admin() IS
	'Internal: may the caller manage permissions (the administrator rule)?';

CREATE FUNCTION inventree_perms_internal._require_admin(what text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT inventree_perms_internal._is_admin() THEN
		RAISE EXCEPTION 'permission denied to %', what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Role "%s" acting as user "%s" is not an administrator.',
											 inventree_perms_internal._caller()::regrole,
											 inventree_perms_internal._caller_acting()),
				  HINT = 'Administrators are active superusers, users holding "change" on model "user", PostgreSQL superusers and the extension''s owner.';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._require_admin(text) IS
	'Internal: raise 42501 unless the caller is an administrator';

CREATE FUNCTION inventree_perms_internal._require_superadmin(what text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT inventree_perms_internal._is_superadmin() THEN
		RAISE EXCEPTION 'permission denied to %', what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only a superuser may create, alter, deactivate or drop a superuser.';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._require_superadmin(text) IS
	'Internal: raise 42501 unless the caller is a superuser (of PostgreSQL or of the extension)';

CREATE FUNCTION inventree_perms_internal._require_pg_admin(what text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT inventree_perms_internal._is_pg_admin() THEN
		RAISE EXCEPTION 'permission denied to %', what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only a PostgreSQL superuser or the extension''s owner may manage delegates.';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._require_pg_admin(text) IS
	'Internal: raise 42501 unless the caller is a PostgreSQL superuser or the extension''s owner (who may manage delegates)';

-- _log(operation, target, detail), one row of the audit log as the caller,
-- is in 95_api.sql, with the audit log's numbering.

-- Lookups that raise 42704 for what does not exist.
CREATE FUNCTION inventree_perms_internal._user(username text)
RETURNS inventree_perms.users
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r inventree_perms.users;
BEGIN
	PERFORM inventree_perms_internal._check_name('user', username);
	SELECT * INTO r FROM inventree_perms.users u WHERE u.name OPERATOR(pg_catalog.=) username;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'user "%" does not exist', username
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create it with inventree_perms.create_user().';
	END IF;
	RETURN r;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._user(text) IS
	'Internal: the users row of username; 22023 if malformed, 42704 if unknown';

CREATE FUNCTION inventree_perms_internal._require_group(groupname text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._check_name('group', groupname);
	IF NOT EXISTS (SELECT 1 FROM inventree_perms.groups g
				   WHERE g.name OPERATOR(pg_catalog.=) groupname) THEN
		RAISE EXCEPTION 'group "%" does not exist', groupname
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create it with inventree_perms.create_group().';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._require_group(text) IS
	'Internal: 22023 if groupname is malformed, 42704 if no such group';

CREATE FUNCTION inventree_perms_internal._require_model(model text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._check_name('model', model);
	IF NOT EXISTS (SELECT 1 FROM inventree_perms.models m
				   WHERE m.name OPERATOR(pg_catalog.=) model) THEN
		RAISE EXCEPTION 'model "%" is not registered', model
			USING ERRCODE = 'undefined_object',
				  HINT = 'Register it with inventree_perms.register_model().';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._require_model(text) IS
	'Internal: 22023 if model is malformed, 42704 if it is not registered';

CREATE FUNCTION inventree_perms_internal._require_role(role text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._check_name('role', role);
	IF NOT EXISTS (SELECT 1 FROM inventree_perms.roles r
				   WHERE r.name OPERATOR(pg_catalog.=) role) THEN
		RAISE EXCEPTION 'role "%" does not exist', role
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create it with inventree_perms.create_role().';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._require_role(text) IS
	'Internal: 22023 if role is malformed, 42704 if no such role';

