# users: InvenTree's RuleSet (table users_ruleset: name, group_id, can_view,
# can_add, can_change, can_delete), InvenTree's Owner (table users_owner:
# owner_type_id, owner_id: one for every user and every group, made and
# removed with it by signals, as InvenTree does) and a Badge model with a
# custom permission.
#
# As InvenTree does (users.models.RuleSet.save and update_group_roles),
# saving a ruleset normalises its flags (add or delete imply change, any flag
# implies view) and makes the group's Django permissions on every model a
# role covers match the group's rulesets: a flag of a role that lists the
# model grants that action, and the change flag of a role that a model
# inherits from (RULESET_CHANGE_INHERIT: part -> part_bomitem) grants every
# action on that model.  So Django's own user.has_perm() answers what
# InvenTree's web UI answers, rulesets included.
import csv

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

ACTIONS = ('view', 'add', 'change', 'delete')
CHANGE_INHERIT = [('part', 'part_bomitem')]


def role_models():
    """role name -> set of '<app_label>_<model>' names (the catalogue)."""
    out = {}
    with open(settings.ROLES_CSV, newline='') as f:
        for row in csv.DictReader(f):
            out.setdefault(row['role'], set()).add(row['model'])
    return out


def covered_models():
    """Every model whose Django permissions the rulesets decide."""
    covered = set()
    for ms in role_models().values():
        covered |= ms
    covered |= {child for _, child in CHANGE_INHERIT}
    return covered


def standard_permissions():
    """(permission, model name, action) for every view/add/change/delete
    permission Django has."""
    out = []
    for p in Permission.objects.select_related('content_type').order_by('id'):
        ct = p.content_type
        for act in ACTIONS:
            if p.codename == '%s_%s' % (act, ct.model):
                out.append((p, '%s_%s' % (ct.app_label, ct.model), act))
    return out


def sync_group(group):
    """Make the group's permissions on role-covered models match its
    rulesets (InvenTree's update_group_roles)."""
    roles = role_models()
    want = set()
    for rs in RuleSet.objects.filter(group=group):
        for m in roles.get(rs.name, ()):
            for act in ACTIONS:
                if getattr(rs, 'can_' + act):
                    want.add((m, act))
        for parent, child in CHANGE_INHERIT:
            if rs.name == parent and rs.can_change:
                for act in ACTIONS:
                    want.add((child, act))
    covered = covered_models()
    held = set(group.permissions.values_list('id', flat=True))
    add, remove = [], []
    for p, model, act in standard_permissions():
        if model not in covered:
            continue
        if (model, act) in want and p.id not in held:
            add.append(p)
        elif (model, act) not in want and p.id in held:
            remove.append(p)
    if add:
        group.permissions.add(*add)
    if remove:
        group.permissions.remove(*remove)


class RuleSet(models.Model):
    name = models.CharField(max_length=50)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name='rule_sets')
    can_view = models.BooleanField(default=False)
    can_add = models.BooleanField(default=False)
    can_change = models.BooleanField(default=False)
    can_delete = models.BooleanField(default=False)

    class Meta:
        db_table = 'users_ruleset'
        unique_together = (('name', 'group'),)

    def save(self, *args, **kwargs):
        if self.can_add or self.can_delete:
            self.can_change = True
        if self.can_add or self.can_change or self.can_delete:
            self.can_view = True
        super().save(*args, **kwargs)
        sync_group(self.group)

    def delete(self, *args, **kwargs):
        group = self.group
        out = super().delete(*args, **kwargs)
        sync_group(group)
        return out


class Badge(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        permissions = [('award_badge', 'Can award badges')]


class Owner(models.Model):
    """InvenTree's users.models.Owner: a user or a group that can own stock
    locations and items."""
    owner_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    owner_id = models.PositiveIntegerField(null=True, blank=True)
    owner = GenericForeignKey('owner_type', 'owner_id')

    class Meta:
        db_table = 'users_owner'
        unique_together = (('owner_type', 'owner_id'),)


@receiver(post_save, sender=Group)
@receiver(post_save, sender=User)
def create_owner(sender, instance, **kwargs):
    """InvenTree's create_owner: every user and group has its owner."""
    Owner.objects.get_or_create(owner_type=ContentType.objects.get_for_model(sender),
                                owner_id=instance.pk)


@receiver(post_delete, sender=Group)
@receiver(post_delete, sender=User)
def delete_owner(sender, instance, **kwargs):
    """InvenTree's delete_owner."""
    Owner.objects.filter(owner_type=ContentType.objects.get_for_model(sender),
                         owner_id=instance.pk).delete()
