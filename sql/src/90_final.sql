-- ---------------------------------------------------------------------------
-- Triggers, privileges, and what pg_dump keeps.  Last, so it covers every
-- object the parts above created.
-- ---------------------------------------------------------------------------

-- Dropped tables are unbound and forgotten (sql/src/70_protect.sql); the
-- event trigger has existed since 1.0, so an update keeps its own.
CREATE EVENT TRIGGER inventree_perms_forget_dropped_tables ON sql_drop
	EXECUTE FUNCTION inventree_perms_internal._forget_dropped_tables();

-- A role that holds TRIGGER on one of the tables (GRANT ALL by mistake)
-- could hang its own function on them, to run as whoever writes them next:
-- the event trigger of sql/src/05_schema.sql (_guard_members) refuses every
-- trigger, index, rule and policy on them outside the extension's scripts.

-- The catalogue is loaded by CREATE EXTENSION.  pg_restore then copies the
-- dumped rows back, catalogue rows included (an administrator may have bound
-- a catalogue model to a table): a dumped row whose key is already there
-- updates that row instead of failing the restore.
CREATE FUNCTION inventree_perms_internal._upsert_shipped()
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
	ELSIF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'role_change_inherits' THEN
		UPDATE inventree_perms.role_change_inherits ci
		   SET shipped = NEW.shipped
		 WHERE ci.role OPERATOR(pg_catalog.=) NEW.role
		   AND ci.model OPERATOR(pg_catalog.=) NEW.model AND ci.shipped;
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
COMMENT ON FUNCTION inventree_perms_internal._upsert_shipped() IS
	'Internal trigger: a restored copy of a catalogue row updates the row CREATE EXTENSION loaded';
CREATE TRIGGER inventree_perms_upsert BEFORE INSERT ON inventree_perms.models
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._upsert_shipped();
CREATE TRIGGER inventree_perms_upsert BEFORE INSERT ON inventree_perms.roles
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._upsert_shipped();
CREATE TRIGGER inventree_perms_upsert BEFORE INSERT ON inventree_perms.role_models
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._upsert_shipped();
CREATE TRIGGER inventree_perms_upsert BEFORE INSERT ON inventree_perms.role_change_inherits
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._upsert_shipped();

-- A catalogue row removed here (unregister_model, drop_role,
-- remove_model_from_role, remove_change_inherit, or a superuser's DELETE)
-- leaves a mark in catalogue_removals, dumped with the data; a row added
-- again under the same key takes the mark away.  pg_restore runs CREATE EXTENSION, which loads the
-- whole catalogue, then copies the marks back: each restored mark removes its
-- row again, so a restore keeps what was removed removed.
CREATE FUNCTION inventree_perms_internal._mark_removal()
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
	ELSIF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'role_change_inherits' THEN
		k := 'change_inherit';
	ELSE
		k := 'role_model';
	END IF;
	IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
		IF NOT OLD.shipped THEN
			RETURN NULL;
		END IF;
		IF k OPERATOR(pg_catalog.=) ANY ('{role_model,change_inherit}') THEN
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
		IF k OPERATOR(pg_catalog.=) ANY ('{role_model,change_inherit}') THEN
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
COMMENT ON FUNCTION inventree_perms_internal._mark_removal() IS
	'Internal trigger: records the removal of a catalogue row, forgets it when the row is back';
CREATE TRIGGER inventree_perms_mark_removal AFTER INSERT OR DELETE ON inventree_perms.models
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._mark_removal();
CREATE TRIGGER inventree_perms_mark_removal AFTER INSERT OR DELETE ON inventree_perms.roles
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._mark_removal();
CREATE TRIGGER inventree_perms_mark_removal AFTER INSERT OR DELETE ON inventree_perms.role_models
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._mark_removal();
CREATE TRIGGER inventree_perms_mark_removal AFTER INSERT OR DELETE ON inventree_perms.role_change_inherits
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._mark_removal();

-- A mark that is already there is not added twice (removing a model also
-- removes its role pairs, whose marks a restore then brings as well); a new
-- mark removes the catalogue row it names, if that is still there.
CREATE FUNCTION inventree_perms_internal._apply_removal()
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
	ELSIF NEW.kind OPERATOR(pg_catalog.=) 'change_inherit' THEN
		DELETE FROM inventree_perms.role_change_inherits ci
		 WHERE ci.role OPERATOR(pg_catalog.=) NEW.name AND ci.model OPERATOR(pg_catalog.=) NEW.model
		   AND ci.shipped;
	ELSE
		DELETE FROM inventree_perms.role_models rm
		 WHERE rm.role OPERATOR(pg_catalog.=) NEW.name AND rm.model OPERATOR(pg_catalog.=) NEW.model
		   AND rm.shipped;
	END IF;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._apply_removal() IS
	'Internal trigger: a restored removal mark removes the catalogue row CREATE EXTENSION loaded';
CREATE TRIGGER inventree_perms_skip_known BEFORE INSERT ON inventree_perms.catalogue_removals
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._apply_removal();
CREATE TRIGGER inventree_perms_apply AFTER INSERT ON inventree_perms.catalogue_removals
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._apply_removal();

-- (The event triggers that follow the user's DDL on protected tables are in
-- 70_protect.sql.)

-- The audit log is append-only, for everybody.
CREATE FUNCTION inventree_perms_internal._audit_append_only()
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
COMMENT ON FUNCTION inventree_perms_internal._audit_append_only() IS
	'Internal trigger: refuses UPDATE, DELETE and TRUNCATE of audit_log';
CREATE TRIGGER inventree_perms_append_only BEFORE UPDATE OR DELETE ON inventree_perms.audit_log
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._audit_append_only();
CREATE TRIGGER inventree_perms_no_truncate BEFORE TRUNCATE ON inventree_perms.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._audit_append_only();
ALTER TABLE inventree_perms.audit_log ENABLE ALWAYS TRIGGER inventree_perms_append_only;
ALTER TABLE inventree_perms.audit_log ENABLE ALWAYS TRIGGER inventree_perms_no_truncate;

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
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.role_change_inherits', '');
