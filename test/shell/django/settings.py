# Django settings of the small project test/shell/django.sh migrates into a
# throwaway cluster.  The database comes from the environment (the test sets
# it): a unix socket directory, a port, a database and the role Django
# connects as (the owner of its tables, not a superuser).
import os

SECRET_KEY = 'only-for-a-throwaway-test-database'
DEBUG = False
USE_TZ = True
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'part',
    'users',
]
DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'HOST': os.environ['DJ_HOST'],
        'PORT': os.environ['DJ_PORT'],
        'NAME': os.environ['DJ_DB'],
        'USER': os.environ['DJ_USER'],
    }
}
# InvenTree's role catalogue as the extension ships it (role,model lines):
# users.RuleSet turns a group's rulesets into Django group permissions with it.
ROLES_CSV = os.environ['DJ_ROLES_CSV']
