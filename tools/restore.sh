#!/bin/sh
# Restore a Pelita backup made by tools/backup.sh into an EMPTY database and instance folder.
#   tools/restore.sh BACKUP_DIR/pelita-YYYYMMDD-HHMMSS
# Environment: DATABASE_URL (the database to fill: create it first, `createdb pelita`),
# PELITA_INSTANCE_DIR (default ./instance). Stop the web instances and the worker first, and
# run `flask --app wsgi db upgrade` after (a backup from an older release is migrated forward).
# docs/deploy.md, "Restoring".
set -eu

prefix=${1:?usage: restore.sh BACKUP_DIR/pelita-YYYYMMDD-HHMMSS}
prefix=${prefix%.dump}
prefix=${prefix%.tar.gz}
: "${DATABASE_URL:?DATABASE_URL is not set}"
instance_dir=${PELITA_INSTANCE_DIR:-instance}
for file in "$prefix.dump" "$prefix.tar.gz"; do
  [ -f "$file" ] || { echo "restore.sh: $file not found" >&2; exit 2; }
done
pg_url=$(printf '%s' "$DATABASE_URL" | sed 's#^postgresql+[a-z0-9]*://#postgresql://#')

# Refuse to mix a backup into live data.
tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$pg_url" \
  --command="SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
if [ "$tables" != "0" ]; then
  echo "restore.sh: the database already has $tables table(s); restore into an empty one" >&2
  exit 3
fi
if [ -d "$instance_dir" ] && [ -n "$(ls -A "$instance_dir")" ]; then
  echo "restore.sh: $instance_dir is not empty; restore into an empty folder" >&2
  exit 3
fi

# One transaction: a restore that fails leaves the database empty, never half filled.
pg_restore --no-owner --no-acl --exit-on-error --single-transaction --dbname="$pg_url" "$prefix.dump"
mkdir -p "$instance_dir"
tar -xzf "$prefix.tar.gz" -C "$instance_dir"
echo "restored $prefix into the database and $instance_dir"
