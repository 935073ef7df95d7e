#!/usr/bin/env bash
# package.sh -- the Debian package: build it, install it, and run the
# regression suite against the installed package in a fresh cluster.
#
#  1. installs what the build needs when it is missing (postgresql-server-dev-all
#     for pg_buildext, debhelper, dpkg-dev, fakeroot: apt-get update first);
#  2. copies the repository (tracked and untracked-but-not-ignored files) to a
#     temp directory: nothing is ever built in the checkout;
#  3. dpkg-buildpackage -b -us -uc there: the binary package
#     postgresql-15-inventree-perms, whose files must be exactly what
#     `make install` installs (library, control file, every install and
#     upgrade script);
#  4. installs it:
#       - with the system PostgreSQL (IP_PGBIN unset: CI), `dpkg -i`;
#       - with a private PostgreSQL tree (IP_PGBIN=/X/usr/lib/postgresql/15/bin,
#         a copy of the system layout under /X), the package's files are
#         unpacked into that tree instead, so that the system tree stays
#         untouched;
#     either way the installed files must equal the package's;
#  5. starts a fresh cluster and runs `make installcheck` of the copy (the
#     pg_regress tests sql/*.sql and the isolation specs) against it: the
#     server loads the installed package; CREATE EXTENSION VERSION '1.0' and
#     ALTER EXTENSION UPDATE reach default_version with the package's scripts;
#  6. on exit puts back what was there before: the package is purged and
#     the files it replaced (run_all.sh's own `make install` of the same
#     source) are restored, so the tests that run after this one use the
#     build they used before.  (A package that was installed before this
#     test stays installed, in the version built here.)
#
# Prints TAP.  Run as root.  Port: 5760 (or the next free up to 5769).
source "$(dirname "$0")/lib/common.bash"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PKG=postgresql-15-inventree-perms
SYSBIN=/usr/lib/postgresql/15/bin

# 1. build dependencies -----------------------------------------------------
need="postgresql-server-dev-all debhelper dpkg-dev fakeroot make gcc"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	diag "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >"$T/apt.log" 2>&1 ||
		{ sed 's/^/#   /' "$T/apt.log" | tail -20; bail "apt-get install$missing failed"; }
fi

# 2. a copy of the repository -----------------------------------------------
SRC=$T/src
mkdir -p "$SRC"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done | xargs -0 -r cp --parents -a -t "$SRC")
else
	(cd "$ROOT" && tar -cf - --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
		--exclude=results --exclude=tmp_check --exclude=log --exclude='regression.*' .) |
		tar -xf - -C "$SRC"
fi
ok "$([ -f "$SRC/debian/control" ] && [ -f "$SRC/Makefile" ] && ! [ -e "$SRC/inventree_perms.so" ]; echo $?)" \
	"the repository is copied to a temp directory, without build products"

# 3. build ------------------------------------------------------------------
(cd "$SRC" && dpkg-checkbuilddeps) >"$T/checkbuilddeps.log" 2>&1
ok $? "dpkg-checkbuilddeps: the build dependencies of debian/control are installed"
start=$SECONDS
(cd "$SRC" && dpkg-buildpackage -b -us -uc) >"$T/build.log" 2>&1
rc=$?
ok $rc "dpkg-buildpackage -b -us -uc ($((SECONDS - start)) s)"
[ $rc -eq 0 ] || { tail -40 "$T/build.log" | sed 's/^/#   /'; bail "the package did not build"; }
DEB=$(ls "$T"/${PKG}_*.deb 2>/dev/null | head -1)
[ -n "$DEB" ] || bail "no ${PKG}_*.deb built"
diag "built $(basename "$DEB")"
is "$(dpkg-deb -f "$DEB" Package)" "$PKG" "the binary package is $PKG"
dpkg-deb -f "$DEB" Depends | grep -q 'postgresql-15'
ok $? "it depends on postgresql-15 ($(dpkg-deb -f "$DEB" Depends))"

# What `make install` installs: the library, the control file, the frozen
# scripts in sql/ and the two assembled from sql/src and sql/upgrade.
version=$(sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$SRC/inventree_perms.control")
from=$(sed -n 's/^UPGRADE_FROM[[:space:]]*=[[:space:]]*//p' "$SRC/Makefile")
{
	echo "lib/inventree_perms.so"
	echo "share/extension/inventree_perms.control"
	for f in "$SRC"/sql/inventree_perms--*.sql; do echo "share/extension/$(basename "$f")"; done
	echo "share/extension/inventree_perms--$version.sql"
	echo "share/extension/inventree_perms--$from--$version.sql"
} | sort -u >"$T/want.list"
dpkg-deb -x "$DEB" "$T/deb"
(cd "$T/deb/usr" && find lib/postgresql/15/lib share/postgresql/15/extension -type f ! -path '*/bitcode/*' |
	sed -e 's|^lib/postgresql/15/lib/|lib/|' -e 's|^share/postgresql/15/|share/|' | sort) >"$T/got.list"
same_file "$T/got.list" "$T/want.list" "the package holds exactly what make install installs ($(wc -l <"$T/want.list") files)"
cmp -s "$T/deb/usr/share/postgresql/15/extension/inventree_perms--$version.sql" <(cat "$SRC"/sql/src/*.sql)
ok $? "its install script of $version is sql/src/*.sql of this source"
[ -f "$T/deb/usr/share/doc/$PKG/copyright" ] && [ -f "$T/deb/usr/share/doc/$PKG/reference.md.gz" ]
ok $? "it ships the copyright and the reference"

# 4. install ----------------------------------------------------------------
# Target directories: the system tree, or the private tree IP_PGBIN names.
if [ "$PGBIN" = "$SYSBIN" ]; then
	MODE=system
	PREFIX=""
else
	MODE=tree
	case "$PGBIN" in
		*"$SYSBIN") PREFIX=${PGBIN%"$SYSBIN"} ;;
		*) bail "IP_PGBIN=$PGBIN is neither $SYSBIN nor a copy of that layout (/X$SYSBIN)" ;;
	esac
fi
LIBDIR=$("$PGBIN/pg_config" --pkglibdir)
SHAREDIR=$("$PGBIN/pg_config" --sharedir)
is "$LIBDIR|$SHAREDIR" "$PREFIX/usr/lib/postgresql/15/lib|$PREFIX/usr/share/postgresql/15" \
	"pg_config of $PGBIN points where the package installs ($MODE)"

# Keep what is there now (run_all.sh's make install, or nothing), to put it
# back on exit.
was_installed=no
dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'install ok installed' && was_installed=yes
mkdir -p "$T/saved"
(cd "$T/deb" && find usr -type f -path 'usr/lib/postgresql/*' -o -type f -path 'usr/share/postgresql/*') >"$T/files.list"
while IFS= read -r f; do
	if [ -e "$PREFIX/$f" ]; then
		mkdir -p "$T/saved/$(dirname "$f")"
		cp -a "$PREFIX/$f" "$T/saved/$f"
	fi
done <"$T/files.list"
restore() {
	local f
	# a package that was installed before stays, in the version built here
	[ "$MODE" = system ] && [ "$was_installed" = yes ] && return 0
	if [ "$MODE" = system ] &&
		dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'ok installed'; then
		dpkg --purge "$PKG" >"$T/purge.log" 2>&1 || echo "# dpkg --purge $PKG failed: $(tail -1 "$T/purge.log")"
	fi
	[ -s "$T/files.list" ] || return 0
	while IFS= read -r f; do
		if [ -e "$T/saved/$f" ]; then
			mkdir -p "$PREFIX/$(dirname "$f")"
			cp -a "$T/saved/$f" "$PREFIX/$f"
		elif [ "$MODE" = tree ]; then
			rm -f "$PREFIX/$f"
		fi
	done <"$T/files.list"
}
trap 'restore; cleanup' EXIT

if [ "$MODE" = system ]; then
	dpkg -i "$DEB" >"$T/dpkg.log" 2>&1
	rc=$?
	ok $rc "dpkg -i $(basename "$DEB")"
	[ $rc -eq 0 ] || { sed 's/^/#   /' "$T/dpkg.log"; bail "the package did not install"; }
	dpkg-query -W -f='${Status} ${Version}' "$PKG" | grep -q '^install ok installed'
	ok $? "dpkg knows $PKG as installed ($(dpkg-query -W -f='${Version}' "$PKG"))"
	dpkg -V "$PKG" >"$T/verify.log" 2>&1 && ! [ -s "$T/verify.log" ]
	ok $? "dpkg -V $PKG: every installed file matches the package's checksums"
else
	diag "private PostgreSQL tree $PREFIX: unpacking the package there (no dpkg -i into the system tree)"
	(cd "$T/deb" && while IFS= read -r f; do
		mkdir -p "$PREFIX/$(dirname "$f")" && cp -a "$f" "$PREFIX/$f" || exit 1
	done <"$T/files.list")
	ok $? "the package's files are unpacked into $PREFIX"
fi
bad=""
while IFS= read -r f; do
	cmp -s "$T/deb/$f" "$PREFIX/$f" || bad="$bad $f"
done <"$T/files.list"
is "${bad:-none}" none "every file of the package is installed, byte for byte"

# 5. the regression suite against the installed package ---------------------
P=$(free_port 5760 5769)
# (prepared transactions: an isolation spec commits one, as run_all.sh's
# cluster allows)
new_cluster pkg "$P" "max_prepared_transactions = 10"
is "$(q "$P" postgres "SELECT default_version FROM pg_available_extensions WHERE name = 'inventree_perms'")" \
	"$version" "the server sees the installed extension, default_version $version"
q "$P" postgres "CREATE DATABASE upd" >/dev/null
got=$(q "$P" upd "CREATE EXTENSION inventree_perms VERSION '1.0';
	ALTER EXTENSION inventree_perms UPDATE;
	SELECT extversion FROM pg_extension WHERE extname = 'inventree_perms';
	SELECT inventree_perms.create_user('alice');
	SELECT inventree_perms.grant_user_perm('alice', 'part_part', 'view');
	SELECT inventree_perms.has_model_perm('alice', 'part_part', 'view');" 2>&1)
is "$got" "$version
t" "CREATE EXTENSION VERSION '1.0', ALTER EXTENSION UPDATE: $version, and it answers"
# the library a backend maps once it has answered a check
got=$(q "$P" upd "SELECT inventree_perms.has_model_perm('alice', 'part_part', 'add');
	SELECT DISTINCT substring(l FROM '(/[^ ]*inventree_perms[^ ]*)$')
	FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\\n') l
	WHERE l LIKE '%inventree_perms%'" 2>&1)
is "$got" "f
$LIBDIR/inventree_perms.so" "a backend runs the installed library ($LIBDIR/inventree_perms.so)"

start=$SECONDS
(cd "$SRC" && env PGHOST="$T" PGPORT="$P" PGUSER=postgres \
	make -s PG_CONFIG="$PGBIN/pg_config" installcheck) >"$T/installcheck.log" 2>&1
rc=$?
ok $rc "make installcheck (pg_regress sql/, isolation specs) against the installed package ($((SECONDS - start)) s)"
if [ $rc -ne 0 ]; then
	tail -30 "$T/installcheck.log" | sed 's/^/#   /'
	for f in "$SRC/regression.diffs" "$SRC/test/isolation/output/regression.diffs"; do
		[ -s "$f" ] && head -100 "$f" | sed 's/^/#   /'
	done
fi
n=$(grep -cE '^(ok|not ok) |^test .* \.\.\. ' "$T/installcheck.log")
sqln=$(ls "$SRC"/sql/*.sql | grep -vc 'inventree_perms--')
specn=$(ls "$SRC"/test/isolation/specs/*.spec | wc -l)
diag "installcheck ran $n tests ($sqln pg_regress, $specn isolation)"
is "$n" "$((sqln + specn))" "installcheck ran every pg_regress test and every isolation spec"
grep -qE '^(not ok|test .* \.\.\. FAILED)' "$T/installcheck.log"
ok "$([ $? -ne 0 ]; echo $?)" "no test failed"
[ -z "$(log_crashes pkg)" ]
ok $? "the server log shows no crash"

tap_done
