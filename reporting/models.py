from django.db import models


class DataStamp(models.Model):
    """A data stamp (`common/stamps.py`): a value every write of its tables replaces, in the
    same transaction, by one never given before. Written only by database triggers."""

    name = models.CharField(max_length=20, primary_key=True)
    stamp = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}={self.stamp}"
