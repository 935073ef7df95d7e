-- ---------------------------------------------------------------------------
-- Seeing: why may she?  What may I?  What happened?
-- ---------------------------------------------------------------------------

CREATE FUNCTION inventree_perms_internal._user_permissions(username text)
RETURNS TABLE (model text, action text, via text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	u inventree_perms.users;
BEGIN
	IF username OPERATOR(pg_catalog.<>) inventree_perms_internal._caller_acting() THEN
		PERFORM inventree_perms_internal._require_admin('see another user''s permissions');
	END IF;
	u := inventree_perms_internal._user(username);
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
	  UNION ALL
		-- change inheritance: the role's change flag gives every action
		SELECT ci.model, a.action,
			   'inherit:' OPERATOR(pg_catalog.||) gr.role OPERATOR(pg_catalog.||) '@'
			   OPERATOR(pg_catalog.||) gr.groupname, 6
		FROM inventree_perms.memberships g
		JOIN inventree_perms.group_roles gr ON gr.groupname OPERATOR(pg_catalog.=) g.groupname
		JOIN inventree_perms.role_change_inherits ci ON ci.role OPERATOR(pg_catalog.=) gr.role
		CROSS JOIN acts a
		WHERE g.username OPERATOR(pg_catalog.=) u.name
		  AND gr.action OPERATOR(pg_catalog.=) 'change'
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
	'One row per effective permission of a user and per way it is held (superuser, open, user, group:G, role:R@G, inherit:R@G); for another user than the acting one, administrators only (42501); unknown user: 42704';

CREATE VIEW inventree_perms.my_permissions AS
	SELECT m.name::text AS model,
		   inventree_perms.has_model_perm(m.name, 'view') AS can_view,
		   inventree_perms.has_model_perm(m.name, 'add') AS can_add,
		   inventree_perms.has_model_perm(m.name, 'change') AS can_change,
		   inventree_perms.has_model_perm(m.name, 'delete') AS can_delete
	FROM inventree_perms.models m;
COMMENT ON VIEW inventree_perms.my_permissions IS
	'The acting user''s permission matrix over every registered model';

CREATE FUNCTION inventree_perms_internal._audit(since timestamptz)
RETURNS SETOF inventree_perms.audit_log
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('read the audit log');
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

