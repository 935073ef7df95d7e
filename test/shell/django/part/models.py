# part: models named like InvenTree's (part_part, part_partcategory and
# part_bomitem are in its role catalogue; part_note and part_drawing are in
# no role), one custom permission, and one model whose name
# part_<model> is longer than the SPEC's 63 characters.
from django.db import models


class PartCategory(models.Model):
    name = models.CharField(max_length=100)


class Part(models.Model):
    name = models.CharField(max_length=100)
    category = models.ForeignKey(PartCategory, null=True, on_delete=models.SET_NULL)

    class Meta:
        permissions = [('audit_part', 'Can audit parts')]


class BomItem(models.Model):
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name='bom_items')
    sub_part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name='used_in')
    quantity = models.IntegerField(default=1)


class Note(models.Model):
    text = models.TextField()


class Drawing(models.Model):
    title = models.CharField(max_length=100)


class PartParameterTemplateSelectionListEntryHistoricalRecordArchive(models.Model):
    note = models.TextField()
