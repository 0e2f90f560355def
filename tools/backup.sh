#!/bin/sh
# Back up Pelita: the PostgreSQL database (pg_dump -Fc) and the instance folder (the
# credential signing key, the development secret key, waiting uploads), dated, keeping the
# newest BACKUP_KEEP of each. docs/deploy.md, "Backups".
#
# Environment (as the app reads it; /etc/pelita/pelita.env in production):
#   DATABASE_URL         postgresql+psycopg://user@host/db (the +driver part is dropped)
#   PELITA_INSTANCE_DIR  the instance folder (default: ./instance)
#   BACKUP_DIR           where backups go (default: ./backups)
#   BACKUP_KEEP          how many to keep (default: 14)
#   BACKUP_STAMP         the date part of the names (default: now, UTC, YYYYMMDD-HHMMSS)
# Writes BACKUP_DIR/pelita-<stamp>.dump and BACKUP_DIR/pelita-<stamp>.tar.gz and prints their
# common prefix (what tools/restore.sh takes).
set -eu

: "${DATABASE_URL:?DATABASE_URL is not set}"
instance_dir=${PELITA_INSTANCE_DIR:-instance}
backup_dir=${BACKUP_DIR:-backups}
keep=${BACKUP_KEEP:-14}

case "$DATABASE_URL" in
  postgresql*) ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL; for SQLite use: sqlite3 FILE \".backup COPY\"" >&2
     exit 2 ;;
esac
# libpq does not know SQLAlchemy's driver suffix (postgresql+psycopg://).
pg_url=$(printf '%s' "$DATABASE_URL" | sed 's#^postgresql+[a-z0-9]*://#postgresql://#')

mkdir -p "$backup_dir"
prefix="$backup_dir/pelita-${BACKUP_STAMP:-$(date -u +%Y%m%d-%H%M%S)}"
# Written under temporary names and renamed when complete: a backup that failed halfway is
# never taken for a good one, nor counted among the BACKUP_KEEP.
trap 'rm -f "$prefix.dump.part" "$prefix.tar.gz.part"' EXIT
pg_dump --format=custom --no-owner --no-acl --file="$prefix.dump.part" "$pg_url"
if [ -d "$instance_dir" ]; then
  # run/: the pid files and control sockets of `make serve`, nothing to restore.
  tar -czf "$prefix.tar.gz.part" --exclude=./run -C "$instance_dir" .
else
  echo "backup.sh: $instance_dir does not exist; the archive is empty" >&2
  tar -czf "$prefix.tar.gz.part" -T /dev/null
fi
mv "$prefix.dump.part" "$prefix.dump"
mv "$prefix.tar.gz.part" "$prefix.tar.gz"

# Keep the newest $keep backups (the names sort by date).
for old in $(ls -1 "$backup_dir" | grep -E '^pelita-[0-9]{8}-[0-9]{6}\.dump$' | sort -r |
             tail -n +"$((keep + 1))"); do
  rm -f "$backup_dir/$old" "$backup_dir/${old%.dump}.tar.gz"
done
echo "$prefix"
