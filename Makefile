# inventree_perms: PGXS build
PG_CONFIG ?= pg_config
EXTENSION = inventree_perms
EXTVERSION = $(shell grep default_version $(EXTENSION).control | sed -e "s/default_version[[:space:]]*=[[:space:]]*'\([^']*\)'/\1/")

MODULE_big = inventree_perms
OBJS = \
	src/inventree_perms.o \
	src/names.o \
	src/catalog.o \
	src/cache.o \
	src/check.o \
	src/acting_user.o \
	src/gate.o \
	src/protect.o \
	src/guard.o \
	src/parallel.o \
	src/django.o \
	src/tree.o \
	src/scope.o \
	src/scope_plan.o

# The install script of the current version is assembled from sql/src/*.sql
# (numbered parts, one concern each).  The install scripts of released
# versions and the upgrade scripts are kept as written (released: frozen).
# The upgrade script from the last released version to the current one is
# assembled the same way from sql/upgrade/PREV--CUR/*.sql while the current
# version is being developed; once released, both scripts are frozen as files.
UPGRADE_FROM = 1.1
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql sql/$(EXTENSION)--$(UPGRADE_FROM)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

TESTS = $(sort $(filter-out sql/$(EXTENSION)--%.sql,$(wildcard sql/*.sql)))
REGRESS = $(patsubst sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)

ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation/output --load-extension=$(EXTENSION)

PG_CFLAGS ?= -Wall -Wextra -Werror
# PostgreSQL's headers are not ours to warn about: include them as system
# headers, so -Wall -Wextra -Werror judges our code only.
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)

EXTRA_CLEAN = test/isolation/output

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard sql/src/*.sql))
	cat $^ > $@

sql/$(EXTENSION)--$(UPGRADE_FROM)--$(EXTVERSION).sql: $(sort $(wildcard sql/upgrade/$(UPGRADE_FROM)--$(EXTVERSION)/*.sql))
	cat $^ > $@

.PHONY: prove
prove:
	pg_prove --ext .sql -r test/pgtap
