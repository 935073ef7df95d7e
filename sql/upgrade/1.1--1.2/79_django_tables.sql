-- ---------------------------------------------------------------------------
-- Django interop, 1.1 -> 1.2, before the functions (80_django.sql is
-- sql/src/80_django.sql itself: its CREATE OR REPLACE keeps link_django()'s
-- triggers on _django_trigger()): two functions whose arguments changed, and
-- Django's ids beside the names (columns at the end, as in a fresh install).
-- ---------------------------------------------------------------------------
DROP FUNCTION inventree_perms_internal._django_table(name, text, text[], boolean, oid);
DROP FUNCTION inventree_perms_internal._django_sync(name, oid, regclass);
-- Django's ids beside the names (columns at the end, as in a fresh install).
ALTER TABLE inventree_perms.users ADD COLUMN django_id bigint;
CREATE UNIQUE INDEX users_django_id_idx ON inventree_perms.users (source, django_id)
	WHERE django_id IS NOT NULL;
ALTER TABLE inventree_perms.groups ADD COLUMN django_id bigint;
CREATE UNIQUE INDEX groups_django_id_idx ON inventree_perms.groups (source, django_id)
	WHERE django_id IS NOT NULL;
ALTER TABLE inventree_perms.models ADD COLUMN django_ct bigint;
ALTER TABLE inventree_perms.django_links ADD COLUMN tables regclass[];
COMMENT ON TABLE inventree_perms.django_links IS
	'Django schemas kept in step by link_django(), and the Django tables it linked (in the order of _django_tables())';
