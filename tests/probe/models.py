from django.db import models
from django.db.models.functions import Length, Upper

from core.history import tracked_history


class ProbeRecord(models.Model):
    name = models.CharField(max_length=50)
    note = models.CharField(max_length=50, db_default="set by the database")
    shout = models.GeneratedField(
        expression=Upper("name"), output_field=models.CharField(max_length=50), db_persist=True
    )
    name_length = models.GeneratedField(expression=Length("name"), output_field=models.IntegerField(), db_persist=True)
    history = tracked_history()

    def __str__(self):
        return self.name
