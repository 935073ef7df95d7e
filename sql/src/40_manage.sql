-- ---------------------------------------------------------------------------
-- Managing users, groups, models and grants.  Each public function is the C
-- gate; the implementation is the function of the same name prefixed "_".
-- ---------------------------------------------------------------------------

-- create_user ---------------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._create_user(username text, is_superuser boolean, is_active boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('create users');
	PERFORM inventree_perms_internal._check_name('user', username);
	IF is_superuser THEN
		PERFORM inventree_perms_internal._require_superadmin('create a superuser');
	END IF;
	IF EXISTS (SELECT 1 FROM inventree_perms.users u WHERE u.name OPERATOR(pg_catalog.=) username) THEN
		RAISE EXCEPTION 'user "%" already exists', username
			USING ERRCODE = 'duplicate_object';
	END IF;
	INSERT INTO inventree_perms.users (name, is_superuser, is_active)
	VALUES (username, is_superuser, is_active);
	PERFORM inventree_perms_internal._log('create_user', username,
		pg_catalog.jsonb_build_object('is_superuser', is_superuser, 'is_active', is_active));
END;
$$;
CREATE FUNCTION inventree_perms.create_user(username text, is_superuser boolean DEFAULT false,
											is_active boolean DEFAULT true)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.create_user(text, boolean, boolean) IS
	'Create a user; administrators only, superusers only for a superuser';

-- drop_user -----------------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._drop_user(username text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	u inventree_perms.users;
BEGIN
	PERFORM inventree_perms_internal._require_admin('drop users');
	u := inventree_perms_internal._user(username);
	IF u.is_superuser THEN
		PERFORM inventree_perms_internal._require_superadmin('drop a superuser');
	END IF;
	DELETE FROM inventree_perms.users x WHERE x.name OPERATOR(pg_catalog.=) username;
	PERFORM inventree_perms_internal._log('drop_user', username, pg_catalog.to_jsonb(u));
END;
$$;
CREATE FUNCTION inventree_perms.drop_user(username text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.drop_user(text) IS
	'Drop a user with its grants and memberships; administrators only';

-- set_user_active -----------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._set_user_active(username text, active boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	u inventree_perms.users;
BEGIN
	PERFORM inventree_perms_internal._require_admin('change users');
	u := inventree_perms_internal._user(username);
	IF u.is_superuser THEN
		PERFORM inventree_perms_internal._require_superadmin('activate or deactivate a superuser');
	END IF;
	IF u.is_active IS DISTINCT FROM active THEN
		UPDATE inventree_perms.users x SET is_active = active
		WHERE x.name OPERATOR(pg_catalog.=) username;
		PERFORM inventree_perms_internal._log('set_user_active', username,
			pg_catalog.jsonb_build_object('is_active', active));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.set_user_active(username text, active boolean)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.set_user_active(text, boolean) IS
	'Activate or deactivate a user; an inactive user has no permission at all';

-- set_user_superuser --------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._set_user_superuser(username text, superuser boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	u inventree_perms.users;
BEGIN
	PERFORM inventree_perms_internal._require_admin('change users');
	PERFORM inventree_perms_internal._require_superadmin('change superuser status');
	u := inventree_perms_internal._user(username);
	IF u.is_superuser IS DISTINCT FROM superuser THEN
		UPDATE inventree_perms.users x SET is_superuser = superuser
		WHERE x.name OPERATOR(pg_catalog.=) username;
		PERFORM inventree_perms_internal._log('set_user_superuser', username,
			pg_catalog.jsonb_build_object('is_superuser', superuser));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.set_user_superuser(username text, superuser boolean)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.set_user_superuser(text, boolean) IS
	'Make a user a superuser or not; superusers only';

-- create_group / drop_group -------------------------------------------------
CREATE FUNCTION inventree_perms_internal._create_group(groupname text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('create groups');
	PERFORM inventree_perms_internal._check_name('group', groupname);
	IF EXISTS (SELECT 1 FROM inventree_perms.groups g WHERE g.name OPERATOR(pg_catalog.=) groupname) THEN
		RAISE EXCEPTION 'group "%" already exists', groupname
			USING ERRCODE = 'duplicate_object';
	END IF;
	INSERT INTO inventree_perms.groups (name) VALUES (groupname);
	PERFORM inventree_perms_internal._log('create_group', groupname);
END;
$$;
CREATE FUNCTION inventree_perms.create_group(groupname text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.create_group(text) IS 'Create a group; administrators only';

CREATE FUNCTION inventree_perms_internal._drop_group(groupname text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('drop groups');
	PERFORM inventree_perms_internal._require_group(groupname);
	DELETE FROM inventree_perms.groups g WHERE g.name OPERATOR(pg_catalog.=) groupname;
	PERFORM inventree_perms_internal._log('drop_group', groupname);
END;
$$;
CREATE FUNCTION inventree_perms.drop_group(groupname text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.drop_group(text) IS
	'Drop a group with its grants, role flags and memberships; administrators only';

-- memberships ---------------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._add_user_to_group(username text, groupname text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('change group memberships');
	PERFORM inventree_perms_internal._user(username);
	PERFORM inventree_perms_internal._require_group(groupname);
	INSERT INTO inventree_perms.memberships (username, groupname)
	VALUES (username, groupname)
	ON CONFLICT DO NOTHING;
	IF FOUND THEN
		PERFORM inventree_perms_internal._log('add_user_to_group', username,
			pg_catalog.jsonb_build_object('group', groupname));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.add_user_to_group(username text, groupname text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.add_user_to_group(text, text) IS
	'Make a user a member of a group; administrators only';

CREATE FUNCTION inventree_perms_internal._remove_user_from_group(username text, groupname text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('change group memberships');
	PERFORM inventree_perms_internal._user(username);
	PERFORM inventree_perms_internal._require_group(groupname);
	DELETE FROM inventree_perms.memberships m
	WHERE m.username OPERATOR(pg_catalog.=) _remove_user_from_group.username
	  AND m.groupname OPERATOR(pg_catalog.=) _remove_user_from_group.groupname;
	IF FOUND THEN
		PERFORM inventree_perms_internal._log('remove_user_from_group', username,
			pg_catalog.jsonb_build_object('group', groupname));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.remove_user_from_group(username text, groupname text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.remove_user_from_group(text, text) IS
	'Remove a user from a group; administrators only';

-- models --------------------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._register_model(model text, relation regclass, description text, open boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m inventree_perms.models;
BEGIN
	PERFORM inventree_perms_internal._require_admin('register models');
	PERFORM inventree_perms_internal._check_name('model', model);
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
		PERFORM inventree_perms_internal._log('register_model', model,
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
		PERFORM inventree_perms_internal._log('register_model', model,
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

CREATE FUNCTION inventree_perms_internal._unregister_model(model text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('unregister models');
	PERFORM inventree_perms_internal._require_model(model);
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
	PERFORM inventree_perms_internal._log('unregister_model', model);
END;
$$;
CREATE FUNCTION inventree_perms.unregister_model(model text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.unregister_model(text) IS
	'Unregister a model and remove its grants; the built-in models user and group stay';

-- grants --------------------------------------------------------------------
CREATE FUNCTION inventree_perms_internal._grant_user_perm(username text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[];
	added text[];
BEGIN
	PERFORM inventree_perms_internal._require_admin('grant permissions');
	acts := inventree_perms_internal._actions(action, true);
	PERFORM inventree_perms_internal._user(username);
	PERFORM inventree_perms_internal._require_model(model);
	WITH ins AS (
		INSERT INTO inventree_perms.user_perms (username, model, action)
		SELECT username, model, a FROM pg_catalog.unnest(acts) a
		ON CONFLICT DO NOTHING
		RETURNING user_perms.action)
	SELECT pg_catalog.array_agg(ins.action) INTO added FROM ins;
	IF added IS NOT NULL THEN
		PERFORM inventree_perms_internal._log('grant_user_perm', username,
			pg_catalog.jsonb_build_object('model', model, 'actions', added));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.grant_user_perm(username text, model text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.grant_user_perm(text, text, text) IS
	'Grant a user an action (or all) on a model; administrators only';

CREATE FUNCTION inventree_perms_internal._revoke_user_perm(username text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[];
	removed text[];
BEGIN
	PERFORM inventree_perms_internal._require_admin('revoke permissions');
	acts := inventree_perms_internal._actions(action, true);
	PERFORM inventree_perms_internal._user(username);
	PERFORM inventree_perms_internal._require_model(model);
	WITH del AS (
		DELETE FROM inventree_perms.user_perms p
		WHERE p.username OPERATOR(pg_catalog.=) _revoke_user_perm.username
		  AND p.model OPERATOR(pg_catalog.=) _revoke_user_perm.model
		  AND p.action OPERATOR(pg_catalog.=) ANY (acts)
		RETURNING p.action)
	SELECT pg_catalog.array_agg(del.action) INTO removed FROM del;
	IF removed IS NOT NULL THEN
		PERFORM inventree_perms_internal._log('revoke_user_perm', username,
			pg_catalog.jsonb_build_object('model', model, 'actions', removed));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.revoke_user_perm(username text, model text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.revoke_user_perm(text, text, text) IS
	'Revoke a user''s direct grant of an action (or all) on a model; administrators only';

CREATE FUNCTION inventree_perms_internal._grant_group_perm(groupname text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[];
	added text[];
BEGIN
	PERFORM inventree_perms_internal._require_admin('grant permissions');
	acts := inventree_perms_internal._actions(action, true);
	PERFORM inventree_perms_internal._require_group(groupname);
	PERFORM inventree_perms_internal._require_model(model);
	WITH ins AS (
		INSERT INTO inventree_perms.group_perms (groupname, model, action)
		SELECT groupname, model, a FROM pg_catalog.unnest(acts) a
		ON CONFLICT DO NOTHING
		RETURNING group_perms.action)
	SELECT pg_catalog.array_agg(ins.action) INTO added FROM ins;
	IF added IS NOT NULL THEN
		PERFORM inventree_perms_internal._log('grant_group_perm', groupname,
			pg_catalog.jsonb_build_object('model', model, 'actions', added));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.grant_group_perm(groupname text, model text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.grant_group_perm(text, text, text) IS
	'Grant a group an action (or all) on a model; administrators only';

CREATE FUNCTION inventree_perms_internal._revoke_group_perm(groupname text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[];
	removed text[];
BEGIN
	PERFORM inventree_perms_internal._require_admin('revoke permissions');
	acts := inventree_perms_internal._actions(action, true);
	PERFORM inventree_perms_internal._require_group(groupname);
	PERFORM inventree_perms_internal._require_model(model);
	WITH del AS (
		DELETE FROM inventree_perms.group_perms p
		WHERE p.groupname OPERATOR(pg_catalog.=) _revoke_group_perm.groupname
		  AND p.model OPERATOR(pg_catalog.=) _revoke_group_perm.model
		  AND p.action OPERATOR(pg_catalog.=) ANY (acts)
		RETURNING p.action)
	SELECT pg_catalog.array_agg(del.action) INTO removed FROM del;
	IF removed IS NOT NULL THEN
		PERFORM inventree_perms_internal._log('revoke_group_perm', groupname,
			pg_catalog.jsonb_build_object('model', model, 'actions', removed));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.revoke_group_perm(groupname text, model text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.revoke_group_perm(text, text, text) IS
	'Revoke a group''s grant of an action (or all) on a model; administrators only';

-- delegates -----------------------------------------------------------------
-- Rows of roles dropped (or renamed) since they were added no longer count
-- (the checks compare OID and name); add_delegate and remove_delegate also
-- remove them, audited, so they are not listed either.
CREATE FUNCTION inventree_perms_internal._forget_dropped_delegates()
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	gone text;
BEGIN
	FOR gone IN
		DELETE FROM inventree_perms.delegates d
		 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
						   WHERE r.oid OPERATOR(pg_catalog.=) d.role::pg_catalog.oid
							 AND r.rolname OPERATOR(pg_catalog.=) d.role_name)
		RETURNING coalesce(d.role_name::text, d.role::pg_catalog.oid::text)
	LOOP
		PERFORM inventree_perms_internal._log('forget_delegate', gone,
			pg_catalog.jsonb_build_object('reason', 'role dropped or renamed'));
	END LOOP;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._forget_dropped_delegates() IS
	'Internal: remove (audited) delegate rows whose role was dropped or renamed; they no longer count anyway';

CREATE FUNCTION inventree_perms_internal._add_delegate(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_pg_admin('add a delegate');
	PERFORM inventree_perms_internal._forget_dropped_delegates();
	-- The role's name is kept beside its OID: the row counts only while both
	-- match (there is no event trigger for DROP ROLE).  Adding a renamed
	-- delegate again takes its new name.
	INSERT INTO inventree_perms.delegates AS d (role, role_name)
	SELECT r.oid::pg_catalog.regrole, r.rolname FROM pg_catalog.pg_roles r
	 WHERE r.oid OPERATOR(pg_catalog.=) _add_delegate.role::pg_catalog.oid
	ON CONFLICT ON CONSTRAINT delegates_pkey DO UPDATE SET role_name = excluded.role_name
	 WHERE d.role_name IS DISTINCT FROM excluded.role_name;
	IF FOUND THEN
		PERFORM inventree_perms_internal._log('add_delegate', role::text);
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.add_delegate(role regrole)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.add_delegate(regrole) IS
	'Allow a role to call set_acting_user(); PostgreSQL superuser or extension owner only';

CREATE FUNCTION inventree_perms_internal._remove_delegate(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_pg_admin('remove a delegate');
	PERFORM inventree_perms_internal._forget_dropped_delegates();
	DELETE FROM inventree_perms.delegates d WHERE d.role OPERATOR(pg_catalog.=) _remove_delegate.role;
	IF FOUND THEN
		PERFORM inventree_perms_internal._log('remove_delegate', role::text);
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.remove_delegate(role regrole)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.remove_delegate(regrole) IS
	'Stop a role from calling set_acting_user(); PostgreSQL superuser or extension owner only';

