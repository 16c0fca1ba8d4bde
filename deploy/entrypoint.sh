#!/bin/sh
# Every process of the image (web, worker, beat, migrate) runs Django's system checks first,
# so a production container with the default SECRET_KEY or DEBUG on stops here (pronto.E002/E003).
set -eu
python manage.py check --fail-level ERROR
exec "$@"
