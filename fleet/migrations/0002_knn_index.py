"""PostgreSQL only: a KNN index for "nearest available machine of this category".

cube/earthdistance (contrib, no PostGIS needed) turns lat/lon into a point on the earth's
surface; `<->` between two such points orders by straight-line (chord) distance, which ranks
exactly like great-circle distance. btree_gist lets the category lead the index, so a rare
category far away is an index condition rather than a filter walking the whole fleet, and
the partial WHERE keeps only available machines in it."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX IF NOT EXISTS machine_available_knn ON fleet_machine
    USING gist (category_id, ll_to_earth(lat, lon))
    WHERE status = 'available' AND lat IS NOT NULL;
"""
DROP = "DROP INDEX IF EXISTS machine_available_knn;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("fleet", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
