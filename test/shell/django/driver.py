# driver.py -- the Django side of test/shell/django.sh, run with the
# project's settings (DJANGO_SETTINGS_MODULE=settings).  Every change goes
# through Django's ORM, connected as the role that owns Django's tables.
#
#   driver.py serve               read the commands below from stdin, one a
#                                 line (words separated by tabs), each answer
#                                 ended by a line '__end__ 0' ('__end__ 1' if
#                                 the command failed)
#   driver.py setup SEED          users, groups, memberships, permissions and
#                                 rulesets of a small site; picks the users and
#                                 the group the test gives hand-made rows to
#   driver.py name user|group ID  the current name of a user or group
#   driver.py hand KEY            id of a hand-made target (u1, u2, g1, m1)
#   driver.py hand-model NAME     the hand-made rows exist, on model NAME
#   driver.py rename user|group ID
#                                 rename one user or group (a fresh name);
#                                 prints the new name
#   driver.py rename-ct OLD NEW   rename content type part.OLD (a model)
#   driver.py create-user NAME APP.CODENAME
#                                 a new user holding one permission
#   driver.py grant-new APP.CODENAME
#                                 grant it to the first active user without it
#   driver.py batch SEED N SIZE [tolerant]
#                                 SIZE random changes (batch N), reproducible
#                                 from SEED and the database's state; tolerant:
#                                 a change that fails (another process changes
#                                 the site at the same time) is counted, and
#                                 the batch goes on
#   driver.py fork-state FILE OFFSET
#                                 the state for a second Django process
#   driver.py merge-state FILE    take its names and dead models back
#   driver.py expect DIR          what Django answers, as CSV files in DIR:
#                                 expect.csv (username, model, action, want),
#                                 users.csv, groups.csv, members.csv; prints
#                                 how often Django broke its own rules
#   driver.py explain USER MODEL ACTION
#                                 Django's reasons for one answer
#
# The expected answer for (user, model, action) is Django's own
# user.has_perm('<app_label>.<action>_<model>') on a user object fetched
# fresh (ModelBackend caches permissions on the object), and:
#  * an open model of InvenTree's ignore list (data/inventree_open_models.csv,
#    e.g. contenttypes_contenttype) is permitted to every active user: the
#    SPEC's rule, which Django's has_perm() does not know;
#  * the hand-made model (once hand-model has named it) follows the hand-made rows
#    the test made on the users and the group picked by setup, followed by
#    their Django primary keys: view for u1 (a user grant), change for u2 (a
#    membership of a hand-made group), delete for the members of g1 (a grant
#    to an imported group); add for nobody; everything for active
#    superusers; nothing for inactive users;
#  * a name that Django used once and no longer has (renamed, deleted) is
#    an unknown user: no permission.
# And for has_role_perm(user, role, action) (model column 'role:<role>'):
# InvenTree's check_user_role(), read from the rulesets through the ORM (a
# flag of a ruleset of one of the user's groups; active superusers: all;
# inactive users: nothing); a ruleset name that is no role is unknown
# (42704).
import csv
import json
import os
import random
import re
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.exceptions import ObjectDoesNotExist  # noqa: E402
from django.db import DatabaseError, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from users.models import ACTIONS, Owner, RuleSet, covered_models, role_models, standard_permissions  # noqa: E402

STATE = os.environ['DJ_STATE']
OPLOG = os.environ.get('DJ_OPLOG', os.devnull)
HAND_USERS = set(os.environ.get('DJ_HAND_USERS', '').split(',')) - {''}
HAND_GROUPS = set(os.environ.get('DJ_HAND_GROUPS', '').split(',')) - {''}
MODEL_NAME = re.compile(r'^[a-z][a-z0-9_.]{0,62}\Z')
RULESET_NAMES = ['part', 'part_category', 'build', 'admin', 'stock', 'robots']


def load_state():
    if os.path.exists(STATE):
        with open(STATE) as f:
            return json.load(f)
    return {'counter': 0, 'names_ever': [], 'hand': {}, 'dead_models': []}


def save_state(st):
    with open(STATE, 'w') as f:
        json.dump(st, f, indent=1, sort_keys=True)


def open_models():
    path = os.path.join(os.path.dirname(settings.ROLES_CSV), 'inventree_open_models.csv')
    with open(path, newline='') as f:
        return {row['model'] for row in csv.DictReader(f)}


class Site:
    """The random changes, drawn from one seeded generator.  Every choice is
    made from rows ordered by id, so a seed and a state give the same run."""

    def __init__(self, rng, st, batch):
        self.rng = rng
        self.st = st
        self.batch = batch
        self.log = open(OPLOG, 'a', buffering=1)
        self.refresh()

    def refresh(self):
        """The permissions to draw from (again, after content types came or
        went)."""
        covered = covered_models()
        self.all_perms = list(Permission.objects.select_related('content_type').order_by('id'))
        std = {p.id for p, _, _ in standard_permissions()}
        std_covered = {p.id for p, m, _ in standard_permissions() if m in covered}
        # Groups get direct permissions only where no role decides (a
        # ruleset's save would overwrite them, as in InvenTree).
        self.group_perms = [p for p in self.all_perms if p.id not in std_covered]
        self.custom = [p for p in self.all_perms if p.id not in std]

    def say(self, text):
        self.log.write('batch %s: %s\n' % (self.batch, text))

    # -- names ---------------------------------------------------------------
    def fresh(self, kind):
        self.st['counter'] += 1
        n = self.st['counter']
        if kind == 'user':
            styles = ['user%d' % n, 'p.kowalski%d@example.com' % n, 'a+b-%d' % n, 'José.%d' % n,
                      'Łukasz_%d' % n, 'AliceW%d' % n, 'alicew%d' % n, '%d.dot.' % n, '-%d-' % n,
                      'Ż' + 'a' * (148 - len(str(n))) + str(n) + 'ł']
            taken = set(User.objects.values_list('username', flat=True)) | HAND_USERS
        else:
            styles = ['Sales Team %d' % n, 'g.%d@example.com' % n, 'Ops-%d+' % n,
                      "Zoë's group %d" % n, 'QA  two  spaces %d' % n, 'grp%d' % n,
                      'Long ' + 'x' * (140 - len(str(n))) + ' %d end' % n]
            taken = set(Group.objects.values_list('name', flat=True)) | HAND_GROUPS
        name = self.rng.choice(styles)
        while name in taken:
            name = name + '_'
        if kind == 'user':
            self.st['names_ever'].append(name)
        return name

    def ghost_name(self):
        """A name Django used once and has no longer (or None)."""
        taken = set(User.objects.values_list('username', flat=True)) | HAND_USERS
        free = sorted(set(self.st['names_ever']) - taken)
        return self.rng.choice(free) if free else None

    # -- picks ---------------------------------------------------------------
    def users(self):
        return list(User.objects.order_by('id'))

    def groups(self):
        return list(Group.objects.order_by('id'))

    def user(self):
        return self.rng.choice(self.users())

    def group(self):
        gs = self.groups()
        return self.rng.choice(gs) if gs else None

    # -- changes -------------------------------------------------------------
    def create_user(self):
        name = None
        if self.rng.random() < 0.3:
            name = self.ghost_name()
        if name is None:
            name = self.fresh('user')
        su = self.rng.random() < 0.1
        active = self.rng.random() < 0.85
        u = User.objects.create_user(name, password=None, is_superuser=su, is_active=active)
        gs = self.rng.sample(self.groups(), k=min(len(self.groups()), self.rng.randint(0, 2)))
        if gs:
            u.groups.add(*gs)
        ps = self.rng.sample(self.all_perms, k=self.rng.randint(0, 3))
        if ps:
            u.user_permissions.add(*ps)
        self.say('create user %d %r su=%s active=%s groups=%s perms=%s' % (
            u.id, name, su, active, [g.id for g in gs], [p.codename for p in ps]))

    def create_group(self):
        g = Group.objects.create(name=self.fresh('group'))
        ps = self.rng.sample(self.group_perms, k=self.rng.randint(0, 3))
        if ps:
            g.permissions.add(*ps)
        self.say('create group %d %r perms=%s' % (g.id, g.name, [p.codename for p in ps]))
        if self.rng.random() < 0.5:
            self.ruleset_save(g)

    def grant_user_perm(self):
        u, p = self.user(), self.rng.choice(self.all_perms)
        u.user_permissions.add(p)
        self.say('user %d %r += %s.%s' % (u.id, u.username, p.content_type.app_label, p.codename))

    def revoke_user_perm(self):
        u = self.user()
        ps = list(u.user_permissions.order_by('id'))
        if not ps:
            return self.grant_user_perm()
        p = self.rng.choice(ps)
        u.user_permissions.remove(p)
        self.say('user %d %r -= %s' % (u.id, u.username, p.codename))

    def grant_group_perm(self):
        g = self.group()
        if g is None:
            return self.create_group()
        p = self.rng.choice(self.group_perms)
        g.permissions.add(p)
        self.say('group %d %r += %s.%s' % (g.id, g.name, p.content_type.app_label, p.codename))

    def revoke_group_perm(self):
        g = self.group()
        if g is None:
            return self.create_group()
        ids = {p.id for p in self.group_perms}
        ps = [p for p in g.permissions.order_by('id') if p.id in ids]
        if not ps:
            return self.grant_group_perm()
        p = self.rng.choice(ps)
        g.permissions.remove(p)
        self.say('group %d %r -= %s' % (g.id, g.name, p.codename))

    def add_member(self):
        u, g = self.user(), self.group()
        if g is None:
            return self.create_group()
        u.groups.add(g)
        self.say('user %d %r joins group %d %r' % (u.id, u.username, g.id, g.name))

    def remove_member(self):
        u = self.user()
        gs = list(u.groups.order_by('id'))
        if not gs:
            return self.add_member()
        g = self.rng.choice(gs)
        u.groups.remove(g)
        self.say('user %d %r leaves group %d %r' % (u.id, u.username, g.id, g.name))

    def set_groups(self):
        u = self.user()
        gs = self.rng.sample(self.groups(), k=min(len(self.groups()), self.rng.randint(0, 3)))
        u.groups.set(gs)
        self.say('user %d %r groups.set(%s)' % (u.id, u.username, [g.id for g in gs]))

    def toggle_active(self):
        u = self.user()
        u.is_active = not u.is_active
        u.save()
        self.say('user %d %r is_active=%s' % (u.id, u.username, u.is_active))

    def toggle_superuser(self):
        u = self.user()
        u.is_superuser = not u.is_superuser
        u.save(update_fields=['is_superuser'])
        self.say('user %d %r is_superuser=%s' % (u.id, u.username, u.is_superuser))

    def rename_user(self, u=None):
        u = u or self.user()
        old = u.username
        u.username = self.ghost_name() if self.rng.random() < 0.25 else None
        if u.username is None:
            u.username = self.fresh('user')
        u.save()
        self.say('user %d renamed %r -> %r' % (u.id, old, u.username))

    def rename_group(self, g=None):
        g = g or self.group()
        if g is None:
            return self.create_group()
        old = g.name
        g.name = self.fresh('group')
        g.save()
        self.say('group %d renamed %r -> %r' % (g.id, old, g.name))

    def delete_user(self):
        if User.objects.count() < 15:
            return self.create_user()
        u = self.user()
        self.say('delete user %d %r' % (u.id, u.username))
        u.delete()

    def delete_group(self):
        if Group.objects.count() < 4:
            return self.create_group()
        g = self.group()
        self.say('delete group %d %r' % (g.id, g.name))
        g.delete()

    def ruleset_save(self, g=None):
        g = g or self.group()
        if g is None:
            return self.create_group()
        name = self.rng.choice(RULESET_NAMES)
        rs, _ = RuleSet.objects.get_or_create(group=g, name=name)
        for act in ACTIONS:
            setattr(rs, 'can_' + act, self.rng.random() < 0.4)
        rs.save()
        self.say('ruleset %r of group %d %r = view %s add %s change %s delete %s' % (
            name, g.id, g.name, rs.can_view, rs.can_add, rs.can_change, rs.can_delete))

    def ruleset_delete(self):
        rss = list(RuleSet.objects.order_by('id'))
        if not rss:
            return self.ruleset_save()
        rs = self.rng.choice(rss)
        self.say('delete ruleset %r of group %d' % (rs.name, rs.group_id))
        rs.delete()

    def swap_user_names(self):
        a, b = self.rng.sample(self.users(), 2)
        na, nb = a.username, b.username
        with transaction.atomic():
            a.username = '~swap~%d' % a.id
            a.save()
            b.username = na
            b.save()
            a.username = nb
            a.save()
        self.say('swap names of users %d and %d: %r <-> %r' % (a.id, b.id, na, nb))

    def swap_group_names(self):
        gs = self.groups()
        if len(gs) < 2:
            return self.create_group()
        a, b = self.rng.sample(gs, 2)
        na, nb = a.name, b.name
        with transaction.atomic():
            a.name = '~swap~%d' % a.id
            a.save()
            b.name = na
            b.save()
            a.name = nb
            a.save()
        self.say('swap names of groups %d and %d: %r <-> %r' % (a.id, b.id, na, nb))

    def bulk_active(self):
        us = self.rng.sample(self.users(), k=self.rng.randint(2, 6))
        flag = self.rng.random() < 0.5
        n = User.objects.filter(id__in=[u.id for u in us]).update(is_active=flag)
        self.say('bulk update is_active=%s of %d users %s' % (flag, n, [u.id for u in us]))

    def bulk_revoke(self):
        p = self.rng.choice(self.all_perms)
        n, _ = User.user_permissions.through.objects.filter(permission=p).delete()
        self.say('bulk revoke %s.%s from every user (%d rows)' % (p.content_type.app_label, p.codename, n))

    def bulk_grant(self):
        p = self.rng.choice(self.all_perms)
        through = User.user_permissions.through
        have = set(through.objects.filter(permission=p).values_list('user_id', flat=True))
        rows = [through(user_id=u.id, permission_id=p.id) for u in self.users()
                if u.id not in have and self.rng.random() < 0.5]
        through.objects.bulk_create(rows)
        self.say('bulk grant %s.%s to %s' % (p.content_type.app_label, p.codename, [r.user_id for r in rows]))

    def rename_and_reuse(self):
        """In one transaction a user takes a fresh name and a new user (a new
        primary key) takes the old one: nothing of the first may follow the
        name."""
        u = self.user()
        old = u.username
        with transaction.atomic():
            u.username = self.fresh('user')
            u.save()
            v = User.objects.create_user(old, password=None)
            ps = self.rng.sample(self.all_perms, k=self.rng.randint(0, 2))
            if ps:
                v.user_permissions.add(*ps)
        self.say('user %d renamed %r -> %r, new user %d takes %r (perms %s)' % (
            u.id, old, u.username, v.id, old, [p.codename for p in ps]))

    def delete_and_recreate(self):
        """In one transaction a user is deleted and a new one gets its name."""
        if User.objects.count() < 15:
            return self.create_user()
        u = self.user()
        uid, name = u.id, u.username
        with transaction.atomic():
            u.delete()
            v = User.objects.create_user(name, password=None)
            gs = self.rng.sample(self.groups(), k=min(len(self.groups()), self.rng.randint(0, 1)))
            if gs:
                v.groups.add(*gs)
        self.say('delete user %d %r, new user %d takes the name (groups %s)' % (uid, name, v.id, [g.id for g in gs]))

    def new_content_type(self):
        """A model appears (as a migration makes it): a content type and its
        four permissions, granted to someone."""
        self.st['counter'] += 1
        model = 'extra%d' % self.st['counter']
        ct = ContentType.objects.create(app_label='part', model=model)
        perms = [Permission.objects.create(content_type=ct, codename='%s_%s' % (act, model),
                                           name='Can %s %s' % (act, model)) for act in ACTIONS]
        u, g = self.user(), self.group()
        u.user_permissions.add(self.rng.choice(perms))
        if g is not None:
            g.permissions.add(self.rng.choice(perms))
        self.say('new content type %d part.%s, a permission to user %d and group %s' % (
            ct.id, model, u.id, g.id if g else None))
        self.refresh()

    def delete_content_type(self):
        """A model goes (remove_stale_contenttypes): its content type, its
        permissions and every grant of them."""
        cts = list(ContentType.objects.filter(app_label='part', model__startswith='extra').order_by('id'))
        if not cts:
            return self.new_content_type()
        ct = self.rng.choice(cts)
        name = 'part_' + ct.model
        self.say('delete content type %d part.%s' % (ct.id, ct.model))
        ct.delete()
        transaction.on_commit(lambda: self.st['dead_models'].append(name))
        self.refresh()

    def rename_content_type(self):
        """A model is renamed (a RenameModel migration renames its content
        type; Django keeps the old codenames, and the next migrate adds the
        new ones).  The old model name is no model any more."""
        cts = list(ContentType.objects.filter(app_label='part', model__startswith='extra').order_by('id'))
        if not cts:
            return self.new_content_type()
        ct = self.rng.choice(cts)
        old = ct.model
        self.st['counter'] += 1
        ct.model = 'extra%d' % self.st['counter']
        ct.save()
        perms = [Permission.objects.create(content_type=ct, codename='%s_%s' % (act, ct.model),
                                           name='Can %s %s' % (act, ct.model)) for act in ACTIONS]
        u = self.user()
        u.user_permissions.add(self.rng.choice(perms))
        self.say('content type %d renamed part.%s -> part.%s, a permission to user %d' % (ct.id, old, ct.model, u.id))
        transaction.on_commit(lambda: self.st['dead_models'].append('part_' + old))
        self.refresh()

    def delete_and_recreate_group(self):
        """In one transaction a group is deleted and a new one gets its name."""
        if Group.objects.count() < 4:
            return self.create_group()
        g = self.group()
        gid, name = g.id, g.name
        with transaction.atomic():
            g.delete()
            h = Group.objects.create(name=name)
            us = self.rng.sample(self.users(), k=self.rng.randint(0, 3))
            if us:
                h.user_set.add(*us)
        self.say('delete group %d %r, new group %d takes the name (users %s)' % (gid, name, h.id, [u.id for u in us]))

    def bulk_touch_all(self):
        """What a login does to one user, to every user: a column the link
        does not read (nothing may change)."""
        n = User.objects.update(last_login=timezone.now())
        self.say('bulk update last_login of every user (%d rows)' % n)

    SIMPLE = ['grant_user_perm', 'revoke_user_perm', 'grant_group_perm', 'revoke_group_perm',
              'add_member', 'remove_member', 'set_groups', 'toggle_active', 'toggle_superuser',
              'rename_user', 'rename_group', 'delete_user', 'delete_group', 'create_user',
              'create_group', 'ruleset_save', 'ruleset_delete', 'new_content_type',
              'delete_content_type']
    WEIGHTS = {'grant_user_perm': 6, 'revoke_user_perm': 4, 'grant_group_perm': 4,
               'revoke_group_perm': 3, 'add_member': 5, 'remove_member': 3, 'set_groups': 2,
               'toggle_active': 3, 'toggle_superuser': 2, 'rename_user': 4, 'rename_group': 3,
               'delete_user': 2, 'delete_group': 1, 'create_user': 3, 'create_group': 1,
               'ruleset_save': 5, 'ruleset_delete': 2,
               'rolled_back': 3, 'savepoint_rolled_back': 2, 'swap_user_names': 1,
               'swap_group_names': 1, 'bulk_active': 1, 'bulk_revoke': 1, 'bulk_grant': 1,
               'bulk_touch_all': 1, 'rename_and_reuse': 1, 'delete_and_recreate': 1,
               'new_content_type': 1, 'delete_content_type': 1, 'rename_content_type': 1,
               'delete_and_recreate_group': 1}

    def simple(self):
        op = self.rng.choice(self.SIMPLE)
        getattr(self, op)()

    def rolled_back(self):
        """A few changes in transaction.atomic() that then fails."""
        self.say('atomic block that rolls back {')
        try:
            with transaction.atomic():
                for _ in range(self.rng.randint(1, 4)):
                    self.simple()
                raise RollBack()
        except RollBack:
            pass
        self.refresh()
        self.say('} rolled back')

    def savepoint_rolled_back(self):
        """An atomic block that commits, with a nested one (a savepoint)
        rolled back inside it."""
        self.say('atomic block {')
        with transaction.atomic():
            self.simple()
            self.say('  nested atomic block that rolls back {')
            try:
                with transaction.atomic():
                    self.simple()
                    self.simple()
                    raise RollBack()
            except RollBack:
                pass
            self.refresh()
            self.say('  } rolled back')
            self.simple()
        self.say('} committed')

    def one(self):
        ops = sorted(self.WEIGHTS)
        op = self.rng.choices(ops, weights=[self.WEIGHTS[o] for o in ops])[0]
        getattr(self, op)()
        return op


class RollBack(Exception):
    pass


def setup(seed):
    """A small site, before any import: varied names, superusers (one of
    them inactive), inactive users, groups with spaces in their names,
    memberships, user and group permissions, custom permissions, rulesets."""
    st = load_state()
    rng = random.Random('setup:%s' % seed)
    site = Site(rng, st, 'setup')
    fixed = [('admin.root', True, True), ('old.root', True, False), ('AliceW', False, True),
             ('alicew', False, True), ('p.kowalski@example.com', False, True),
             ('bob+ops-1', False, True), ('José', False, True), ('ghost.inactive', False, False),
             ('Ż' + 'a' * 148 + 'ł', False, True), ('carol', False, True), ('dave', False, False),
             ('erin', False, True), ('frank', False, True)]
    for name, su, active in fixed:
        User.objects.create_user(name, password=None, is_superuser=su, is_active=active)
        st['names_ever'].append(name)
    for _ in range(17):
        site.create_user()
    for name in ['Sales Team', 'stock.keepers@example.com', 'Ops-1+', "Zoë's group", 'Buyers']:
        Group.objects.create(name=name)
    for _ in range(3):
        site.create_group()
    users, groups = site.users(), site.groups()
    for u in users:
        gs = rng.sample(groups, k=rng.randint(0, 3))
        if gs:
            u.groups.add(*gs)
        ps = rng.sample(site.all_perms, k=rng.randint(0, 4))
        if ps:
            u.user_permissions.add(*ps)
    for g in groups:
        ps = rng.sample(site.group_perms, k=rng.randint(0, 4))
        if ps:
            g.permissions.add(*ps)
        for _ in range(rng.randint(0, 2)):
            site.ruleset_save(g)
    # a model known only by its content type (part.gadget), granted to some
    # users; the test renames it later
    ct = ContentType.objects.create(app_label='part', model='gadget')
    for act in ACTIONS:
        p = Permission.objects.create(content_type=ct, codename='%s_gadget' % act, name='Can %s gadget' % act)
        if act in ('view', 'change'):
            users[1].user_permissions.add(p)
            groups[3].permissions.add(p)
    # custom permissions are held by someone (the import reports them)
    for p in site.custom:
        users[3].user_permissions.add(p)
        groups[0].permissions.add(p)
    # the part role's change flag without add/delete: InvenTree's change
    # inheritance gives every action on part_bomitem
    rs, _ = RuleSet.objects.get_or_create(group=groups[1], name='part')
    rs.can_view, rs.can_add, rs.can_change, rs.can_delete = True, False, True, False
    rs.save()
    # hand-made rows go to: u1, u2 (active, not superusers), g1 (a group with
    # an active member m1 who is neither superuser, nor u1, nor u2)
    plain = [u for u in users if u.is_active and not u.is_superuser]
    u1, u2 = plain[2], plain[5]
    g1 = groups[2]
    m1 = next(u for u in plain if u not in (u1, u2) and not u.groups.filter(id=g1.id).exists())
    m1.groups.add(g1)
    st['hand'] = {'u1': u1.id, 'u2': u2.id, 'g1': g1.id, 'm1': m1.id}
    save_state(st)


def batch(seed, n, size, tolerant=False):
    """size random changes.  tolerant: another Django process changes the
    same site at the same time, so a change may meet a row the other one
    deleted, a unique key it took, or a deadlock: Django's transaction is
    rolled back, the change is counted as failed, the batch goes on."""
    st = load_state()
    rng = random.Random('batch:%s:%s' % (seed, n))
    site = Site(rng, st, n)
    done = {}
    for _ in range(size):
        if tolerant:
            try:
                op = site.one()
            except (DatabaseError, ObjectDoesNotExist) as e:
                op = 'failed'
                site.say('failed: %s: %s' % (type(e).__name__, str(e).splitlines()[0] if str(e) else ''))
                site.refresh()
        else:
            op = site.one()
        done[op] = done.get(op, 0) + 1
    save_state(st)
    print(' '.join('%s=%d' % kv for kv in sorted(done.items())))


def expect(outdir):
    st = load_state()
    opens = open_models()
    perms = standard_permissions()
    hand_model = st.get('hand_model')
    hand = st.get('hand', {})
    g1_members = set(User.objects.filter(groups__id=hand.get('g1')).values_list('id', flat=True))
    catalogue_roles = [r for r in RULESET_NAMES if r in role_models()]
    broken = 0
    rows = 0
    with open(os.path.join(outdir, 'expect.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        for uid in User.objects.order_by('id').values_list('id', flat=True):
            u = User.objects.get(pk=uid)        # fresh: no cached permissions
            for p, model, act in perms:
                if not MODEL_NAME.match(model):
                    continue        # refused by the SPEC: reported, not imported
                has = u.has_perm('%s.%s' % (p.content_type.app_label, p.codename))
                # Django's own rules, checked: inactive -> nothing, active superuser -> all
                if (not u.is_active and has) or (u.is_active and u.is_superuser and not has):
                    broken += 1
                want = has or (u.is_active and model in opens)
                w.writerow([u.username, model, act, 't' if want else 'f'])
                rows += 1
            # has_role_perm() against InvenTree's check_user_role(): the
            # flags of the rulesets of the user's groups, as stored
            flags = {(rs.name, act) for rs in RuleSet.objects.filter(group__user=u)
                     for act in ACTIONS if getattr(rs, 'can_' + act)}
            for role in catalogue_roles:
                for act in ACTIONS:
                    want = u.is_active and (u.is_superuser or (role, act) in flags)
                    w.writerow([u.username, 'role:' + role, act, 't' if want else 'f'])
                    rows += 1
            if hand_model:
                for act in ACTIONS:
                    held = {'view': u.id == hand.get('u1'), 'change': u.id == hand.get('u2'),
                            'delete': u.id in g1_members, 'add': False}[act]
                    want = u.is_active and (u.is_superuser or held)
                    w.writerow([u.username, hand_model, act, 't' if want else 'f'])
                    rows += 1
        # a model whose content type Django deleted is no model any more
        first = User.objects.order_by('id').values_list('username', flat=True).first()
        live = {m for _, m, _ in perms}
        for model in sorted(set(st['dead_models']) - live):
            w.writerow([first, model, 'view', 'E:42704'])
            rows += 1
        # a ruleset whose name is no role: has_role_perm() does not know it
        for role in RULESET_NAMES:
            if role not in catalogue_roles:
                w.writerow([first, 'role:' + role, 'view', 'E:42704'])
                rows += 1
        taken = set(User.objects.values_list('username', flat=True)) | HAND_USERS
        for ghost in sorted(set(st['names_ever']) - taken):
            for model in ['part_part', 'contenttypes_contenttype'] + ([hand_model] if hand_model else []):
                w.writerow([ghost, model, 'view', 'f'])
                rows += 1
    with open(os.path.join(outdir, 'users.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        for name, su, active in User.objects.order_by('id').values_list('username', 'is_superuser', 'is_active'):
            w.writerow([name, 't' if su else 'f', 't' if active else 'f'])
    with open(os.path.join(outdir, 'groups.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        for name in Group.objects.order_by('id').values_list('name', flat=True):
            w.writerow([name])
    with open(os.path.join(outdir, 'members.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        through = User.groups.through.objects.select_related('user', 'group').order_by('id')
        for m in through:
            w.writerow([m.user.username, m.group.name])
    # InvenTree's owners: each is an owner here, standing for its user or group
    with open(os.path.join(outdir, 'owners.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        users = dict(User.objects.values_list('id', 'username'))
        groups = dict(Group.objects.values_list('id', 'name'))
        for o in Owner.objects.select_related('owner_type').order_by('id'):
            t = (o.owner_type.app_label, o.owner_type.model) if o.owner_type else None
            if t == ('auth', 'user') and o.owner_id in users:
                w.writerow([o.id, users[o.owner_id], ''])
            elif t == ('auth', 'group') and o.owner_id in groups:
                w.writerow([o.id, '', groups[o.owner_id]])
    print('%d %d' % (rows, broken))


def explain(username, model, action):
    """Django's reasons for one answer (for a mismatch report)."""
    try:
        u = User.objects.get(username=username)
    except User.DoesNotExist:
        print('    django: no user %r' % username)
        return
    if model.startswith('role:'):
        rss = ['group %d %r: %s' % (r.group_id, r.group.name, ' '.join(
            a for a in ACTIONS if getattr(r, 'can_' + a)) or '-')
            for r in RuleSet.objects.filter(group__user=u, name=model[5:]).order_by('group_id')]
        print('    django: user id %d %r active=%s superuser=%s; rulesets %r of its groups: %s' % (
            u.id, u.username, u.is_active, u.is_superuser, model[5:], '; '.join(rss) or 'none'))
        return
    if model == load_state().get('hand_model'):
        hand = load_state()['hand']
        print('    django: user id %d %r active=%s superuser=%s; hand-made rows: view to user %s, change to'
              ' user %s (hand-made group), delete to group %s, of which this user is %sa member' % (
                  u.id, u.username, u.is_active, u.is_superuser, hand['u1'], hand['u2'], hand['g1'],
                  '' if u.groups.filter(id=hand['g1']).exists() else 'not '))
        return
    app, _, m = model.partition('_')
    perm = '%s.%s_%s' % (app, action, m)
    print('    django: user id %d %r active=%s superuser=%s has_perm(%r)=%s' % (
        u.id, u.username, u.is_active, u.is_superuser, perm, User.objects.get(pk=u.id).has_perm(perm)))
    direct = u.user_permissions.filter(content_type__app_label=app, codename='%s_%s' % (action, m)).exists()
    print('    django: direct user permission: %s' % direct)
    for g in u.groups.order_by('id'):
        gp = g.permissions.filter(content_type__app_label=app, codename='%s_%s' % (action, m)).exists()
        rss = ['%s(v%d a%d c%d d%d)' % (r.name, r.can_view, r.can_add, r.can_change, r.can_delete)
               for r in RuleSet.objects.filter(group=g).order_by('name')]
        print('    django: group %d %r: permission %s, rulesets %s' % (g.id, g.name, gp, ' '.join(rss)))
    with open(OPLOG) as f:
        mine = re.compile(r'\buser %d\b|\busers %d and\b|\band %d:|%s' % (u.id, u.id, u.id, re.escape(repr(u.username))))
        hits = [line.rstrip() for line in f if mine.search(line)]
    for line in hits[-6:]:
        print('    change: %s' % line)


def run(args):
    """One command (the words of a command line)."""
    cmd = args[0]
    if cmd == 'setup':
        setup(args[1])
    elif cmd == 'name':
        obj = (User if args[1] == 'user' else Group).objects.get(pk=int(args[2]))
        print(obj.username if args[1] == 'user' else obj.name)
    elif cmd == 'hand':
        print(load_state()['hand'][args[1]])
    elif cmd == 'hand-model':
        st = load_state()
        st['hand_model'] = args[1]
        save_state(st)
    elif cmd == 'rename':
        st = load_state()
        site = Site(random.Random('rename:%s' % args[2]), st, 'rename')
        if args[1] == 'user':
            u = User.objects.get(pk=int(args[2]))
            site.rename_user(u)
            print(u.username)
        else:
            g = Group.objects.get(pk=int(args[2]))
            site.rename_group(g)
            print(g.name)
        save_state(st)
    elif cmd == 'rename-ct':
        # rename content type part.OLD to part.NEW, add NEW's four permissions
        # (as a RenameModel migration and the next migrate do)
        ct = ContentType.objects.get(app_label='part', model=args[1])
        ct.model = args[2]
        ct.save()
        for act in ACTIONS:
            Permission.objects.create(content_type=ct, codename='%s_%s' % (act, args[2]),
                                      name='Can %s %s' % (act, args[2]))
        st = load_state()
        st['dead_models'].append('part_' + args[1])
        save_state(st)
        with open(OPLOG, 'a') as f:
            f.write('content type %d renamed part.%s -> part.%s\n' % (ct.id, args[1], args[2]))
    elif cmd == 'create-user':
        # a new active user holding one permission (app_label.codename)
        app, codename = args[2].split('.')
        u = User.objects.create_user(args[1], password=None)
        u.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
        st = load_state()
        st['names_ever'].append(u.username)
        save_state(st)
        with open(OPLOG, 'a') as f:
            f.write('create user %d %r perms=%s\n' % (u.id, u.username, [codename]))
        print(u.id)
    elif cmd == 'grant-new':
        # grant a permission to the first active non-superuser user who has
        # it in no way; print that user's name
        app, codename = args[1].split('.')
        p = Permission.objects.get(content_type__app_label=app, codename=codename)
        for uid in User.objects.filter(is_active=True, is_superuser=False).order_by('id').values_list('id', flat=True):
            u = User.objects.get(pk=uid)
            if not u.has_perm(args[1]):
                u.user_permissions.add(p)
                with open(OPLOG, 'a') as f:
                    f.write('user %d %r += %s\n' % (u.id, u.username, args[1]))
                print(u.username)
                break
    elif cmd == 'batch':
        batch(args[1], args[2], int(args[3]), args[4:] == ['tolerant'])
    elif cmd == 'fork-state':
        # a copy of the state for a second Django process, its fresh names
        # numbered from OFFSET on
        st = load_state()
        st['counter'] += int(args[2])
        with open(args[1], 'w') as f:
            json.dump(st, f)
    elif cmd == 'merge-state':
        # take back the names and dead models of the second process
        st = load_state()
        with open(args[1]) as f:
            other = json.load(f)
        st['names_ever'] = sorted(set(st['names_ever']) | set(other['names_ever']))
        st['dead_models'] = sorted(set(st['dead_models']) | set(other['dead_models']))
        save_state(st)
    elif cmd == 'expect':
        expect(args[1])
    elif cmd == 'explain':
        explain(args[1], args[2], args[3])
    else:
        raise SystemExit('unknown command %s' % cmd)


def serve():
    """Commands from stdin, one a line (words separated by tabs); after each
    command's output a line '__end__ 0' (done) or '__end__ 1' (it failed:
    the traceback comes before).  One process, one Django connection for the
    whole test: Django starts once."""
    import contextlib
    import io
    import traceback
    for line in sys.stdin:
        buf = io.StringIO()
        status = 0
        with contextlib.redirect_stdout(buf):
            try:
                run(line.rstrip('\n').split('\t'))
            except BaseException:       # noqa: B902 -- report it, serve on
                traceback.print_exc(file=buf)
                status = 1
        sys.stdout.write(buf.getvalue())
        if buf.getvalue() and not buf.getvalue().endswith('\n'):
            sys.stdout.write('\n')
        sys.stdout.write('__end__ %d\n' % status)
        sys.stdout.flush()


if __name__ == '__main__':
    if sys.argv[1:] == ['serve']:
        serve()
    else:
        run(sys.argv[1:])
