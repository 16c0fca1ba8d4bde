"""PostgreSQL only: accent-insensitive and typo-tolerant search (fleet/search.py).

Both extensions are "trusted" since PostgreSQL 13, so the database owner may create them."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("fleet", "0008_category_name_it")]
    operations = [TrigramExtension(), UnaccentExtension()]
