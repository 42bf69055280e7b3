#!/usr/bin/env bash
# Back up or restore the database (PostgreSQL, pg_dump custom format) and the media folder
# (signed-letter PDFs, exports, scans) as one dated archive.
#   scripts/backup.sh backup [DIR]     -> DIR/jianyi-backup-YYYYmmdd-HHMMSS.tar.gz (default DIR: var/backups)
#   scripts/backup.sh restore FILE     -> restores into DATABASE_URL and DJANGO_MEDIA_ROOT
# DATABASE_URL must name a PostgreSQL database; DJANGO_MEDIA_ROOT defaults to var/media.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database}"
case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "backup needs PostgreSQL, not $DATABASE_URL" >&2; exit 2 ;; esac
MEDIA="${DJANGO_MEDIA_ROOT:-var/media}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

case "${1:-}" in
  backup)
    dir="${2:-var/backups}"
    mkdir -p "$dir" "$MEDIA"
    name="jianyi-backup-$(date +%Y%m%d-%H%M%S).tar.gz"
    pg_dump --format=custom --no-owner --file="$work/database.dump" "$DATABASE_URL"
    tar -C "$MEDIA" -cf "$work/media.tar" .
    tar -C "$work" -czf "$dir/$name" database.dump media.tar
    echo "$dir/$name"
    ;;
  restore)
    file="${2:?usage: $0 restore FILE}"
    tar -C "$work" -xzf "$file"
    pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$DATABASE_URL" "$work/database.dump"
    mkdir -p "$MEDIA"
    tar -C "$MEDIA" -xf "$work/media.tar"
    echo "restored $file"
    ;;
  *) echo "usage: $0 backup [DIR] | restore FILE" >&2; exit 2 ;;
esac
