-- inventree_perms 1.0 -> 1.1
--
-- New in 1.1:
--  * catalogue_removals: removing a catalogue model, role or role pair
--    survives pg_dump / pg_restore (before, CREATE EXTENSION during the
--    restore brought it back);
--  * an event trigger unbinds a model from its table when the table is
--    dropped (before, models.relation and protected kept the dropped OID);
--  * _cache_stats() reports resets (how many times the cache was filled).
-- Data of 1.0 is kept; removals made under 1.0 are recorded from the 1.0
-- catalogue (listed below), and bindings to tables already dropped are
-- cleared.

\echo Use "ALTER EXTENSION inventree_perms UPDATE TO '1.1'" to load this file. \quit

CREATE TABLE inventree_perms.catalogue_removals (
	kind		text COLLATE "C" NOT NULL CHECK (kind IN ('model', 'role', 'role_model')),
	name		text COLLATE "C" NOT NULL,
	model		text COLLATE "C" NOT NULL DEFAULT '',
	PRIMARY KEY (kind, name, model)
);
COMMENT ON TABLE inventree_perms.catalogue_removals IS
	'Catalogue rows (shipped, loaded by CREATE EXTENSION) removed here; restoring a dump removes them again';

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

-- _cache_stats() also says how many times the cache was (re)filled.
DROP FUNCTION inventree_perms._cache_stats();
CREATE FUNCTION inventree_perms._cache_stats(OUT entries bigint, OUT bytes bigint, OUT cache_size bigint,
	OUT resets bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'ip_cache_stats'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms._cache_stats() IS
	'Internal: entries and bytes of this session''s permission cache, its bound, and how many times it was (re)filled';
REVOKE ALL ON FUNCTION inventree_perms._cache_stats() FROM PUBLIC;
REVOKE ALL ON inventree_perms.catalogue_removals FROM PUBLIC;
REVOKE ALL ON FUNCTION inventree_perms._mark_removal() FROM PUBLIC;
REVOKE ALL ON FUNCTION inventree_perms._apply_removal() FROM PUBLIC;
REVOKE ALL ON FUNCTION inventree_perms._forget_dropped_tables() FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.catalogue_removals', '');

-- Bindings to tables dropped under 1.0.
DELETE FROM inventree_perms.protected p
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_class c
					WHERE c.oid OPERATOR(pg_catalog.=) p.relation::pg_catalog.oid);
UPDATE inventree_perms.models m SET relation = NULL
 WHERE m.relation IS NOT NULL
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c
					WHERE c.oid OPERATOR(pg_catalog.=) m.relation::pg_catalog.oid);

-- Catalogue rows of 1.0 removed under 1.0 (a row of that name made again by
-- hand is there, so not removed).
INSERT INTO inventree_perms.catalogue_removals (kind, name)
SELECT 'model', x.name
  FROM pg_catalog.unnest(ARRAY[
	'auth_group', 'auth_user', 'auth_permission', 'users_apitoken',
	'users_ruleset', 'report_labeltemplate', 'report_reportasset',
	'report_reportsnippet', 'report_reporttemplate', 'account_emailaddress',
	'account_emailconfirmation', 'socialaccount_socialaccount',
	'socialaccount_socialapp', 'socialaccount_socialtoken',
	'otp_totp_totpdevice', 'otp_static_statictoken', 'otp_static_staticdevice',
	'mfa_authenticator', 'oauth2_provider_application', 'oauth2_provider_grant',
	'oauth2_provider_idtoken', 'oauth2_provider_accesstoken',
	'oauth2_provider_refreshtoken', 'oauth2_provider_devicegrant',
	'plugin_pluginconfig', 'plugin_pluginsetting', 'plugin_pluginusersetting',
	'common_barcodescanresult', 'common_newsfeedentry', 'taggit_tag',
	'taggit_taggeditem', 'flags_flagstate', 'machine_machineconfig',
	'machine_machinesetting', 'common_emailmessage', 'common_emailthread',
	'django_mailbox_mailbox', 'django_mailbox_messageattachment',
	'django_mailbox_message', 'part_partcategory',
	'part_partcategoryparametertemplate', 'part_partcategorystar', 'part_part',
	'part_partpricing', 'part_bomitem', 'part_bomitemsubstitute',
	'part_partsellpricebreak', 'part_partinternalpricebreak',
	'part_parttesttemplate', 'part_partrelated', 'part_partstar',
	'part_partstocktake', 'company_supplierpart', 'company_manufacturerpart',
	'stock_stocklocation', 'stock_stocklocationtype', 'stock_stockitem',
	'stock_stockitemtracking', 'stock_stockitemtestresult', 'build_build',
	'build_builditem', 'build_buildline', 'company_company', 'company_contact',
	'company_address', 'company_supplierpricebreak', 'order_purchaseorder',
	'order_purchaseorderlineitem', 'order_purchaseorderextraline',
	'order_salesorder', 'order_salesorderallocation',
	'order_salesorderlineitem', 'order_salesorderextraline',
	'order_salesordershipment', 'order_returnorder',
	'order_returnorderlineitem', 'order_returnorderextraline',
	'order_transferorder', 'order_transferorderallocation',
	'order_transferorderlineitem', 'admin_logentry', 'contenttypes_contenttype',
	'common_attachment', 'common_parametertemplate', 'common_parameter',
	'common_customunit', 'common_dataoutput', 'common_inventreesetting',
	'common_inventreeusersetting', 'common_notificationentry',
	'common_notificationmessage', 'common_notesimage', 'common_projectcode',
	'common_webhookendpoint', 'common_webhookmessage',
	'common_inventreecustomuserstatemodel', 'common_selectionlistentry',
	'common_selectionlist', 'users_owner', 'users_userprofile',
	'error_report_error', 'exchange_rate', 'exchange_exchangebackend',
	'usersessions_usersession', 'sessions_session', 'django_q_ormq',
	'django_q_failure', 'django_q_task', 'django_q_schedule',
	'django_q_success', 'importer_dataimportsession',
	'importer_dataimportcolumnmap', 'importer_dataimportrow'
  ]::text[]) AS x(name)
 WHERE NOT EXISTS (SELECT FROM inventree_perms.models m WHERE m.name OPERATOR(pg_catalog.=) x.name);
INSERT INTO inventree_perms.catalogue_removals (kind, name)
SELECT 'role', x.name
  FROM pg_catalog.unnest(ARRAY[
	'admin', 'part_category', 'part', 'stock_location', 'stock', 'build',
	'purchase_order', 'sales_order', 'return_order', 'transfer_order'
  ]::text[]) AS x(name)
 WHERE NOT EXISTS (SELECT FROM inventree_perms.roles r WHERE r.name OPERATOR(pg_catalog.=) x.name);
INSERT INTO inventree_perms.catalogue_removals (kind, name, model)
SELECT 'role_model', x.role, x.model
  FROM (VALUES
	('admin', 'auth_group'),
	('admin', 'auth_user'),
	('admin', 'auth_permission'),
	('admin', 'users_apitoken'),
	('admin', 'users_ruleset'),
	('admin', 'report_labeltemplate'),
	('admin', 'report_reportasset'),
	('admin', 'report_reportsnippet'),
	('admin', 'report_reporttemplate'),
	('admin', 'account_emailaddress'),
	('admin', 'account_emailconfirmation'),
	('admin', 'socialaccount_socialaccount'),
	('admin', 'socialaccount_socialapp'),
	('admin', 'socialaccount_socialtoken'),
	('admin', 'otp_totp_totpdevice'),
	('admin', 'otp_static_statictoken'),
	('admin', 'otp_static_staticdevice'),
	('admin', 'mfa_authenticator'),
	('admin', 'oauth2_provider_application'),
	('admin', 'oauth2_provider_grant'),
	('admin', 'oauth2_provider_idtoken'),
	('admin', 'oauth2_provider_accesstoken'),
	('admin', 'oauth2_provider_refreshtoken'),
	('admin', 'oauth2_provider_devicegrant'),
	('admin', 'plugin_pluginconfig'),
	('admin', 'plugin_pluginsetting'),
	('admin', 'plugin_pluginusersetting'),
	('admin', 'common_barcodescanresult'),
	('admin', 'common_newsfeedentry'),
	('admin', 'taggit_tag'),
	('admin', 'taggit_taggeditem'),
	('admin', 'flags_flagstate'),
	('admin', 'machine_machineconfig'),
	('admin', 'machine_machinesetting'),
	('admin', 'common_emailmessage'),
	('admin', 'common_emailthread'),
	('admin', 'django_mailbox_mailbox'),
	('admin', 'django_mailbox_messageattachment'),
	('admin', 'django_mailbox_message'),
	('part_category', 'part_partcategory'),
	('part_category', 'part_partcategoryparametertemplate'),
	('part_category', 'part_partcategorystar'),
	('part', 'part_part'),
	('part', 'part_partpricing'),
	('part', 'part_bomitem'),
	('part', 'part_bomitemsubstitute'),
	('part', 'part_partsellpricebreak'),
	('part', 'part_partinternalpricebreak'),
	('part', 'part_parttesttemplate'),
	('part', 'part_partrelated'),
	('part', 'part_partstar'),
	('part', 'part_partstocktake'),
	('part', 'part_partcategorystar'),
	('part', 'company_supplierpart'),
	('part', 'company_manufacturerpart'),
	('stock_location', 'stock_stocklocation'),
	('stock_location', 'stock_stocklocationtype'),
	('stock', 'stock_stockitem'),
	('stock', 'stock_stockitemtracking'),
	('stock', 'stock_stockitemtestresult'),
	('build', 'part_part'),
	('build', 'part_partcategory'),
	('build', 'part_bomitem'),
	('build', 'part_bomitemsubstitute'),
	('build', 'build_build'),
	('build', 'build_builditem'),
	('build', 'build_buildline'),
	('build', 'stock_stockitem'),
	('build', 'stock_stocklocation'),
	('purchase_order', 'company_company'),
	('purchase_order', 'company_contact'),
	('purchase_order', 'company_address'),
	('purchase_order', 'company_manufacturerpart'),
	('purchase_order', 'company_supplierpart'),
	('purchase_order', 'company_supplierpricebreak'),
	('purchase_order', 'order_purchaseorder'),
	('purchase_order', 'order_purchaseorderlineitem'),
	('purchase_order', 'order_purchaseorderextraline'),
	('sales_order', 'company_company'),
	('sales_order', 'company_contact'),
	('sales_order', 'company_address'),
	('sales_order', 'order_salesorder'),
	('sales_order', 'order_salesorderallocation'),
	('sales_order', 'order_salesorderlineitem'),
	('sales_order', 'order_salesorderextraline'),
	('sales_order', 'order_salesordershipment'),
	('return_order', 'company_company'),
	('return_order', 'company_contact'),
	('return_order', 'company_address'),
	('return_order', 'order_returnorder'),
	('return_order', 'order_returnorderlineitem'),
	('return_order', 'order_returnorderextraline'),
	('transfer_order', 'order_transferorder'),
	('transfer_order', 'order_transferorderallocation'),
	('transfer_order', 'order_transferorderlineitem')
  ) AS x(role, model)
 WHERE NOT EXISTS (SELECT FROM inventree_perms.role_models rm
					WHERE rm.role OPERATOR(pg_catalog.=) x.role AND rm.model OPERATOR(pg_catalog.=) x.model);
