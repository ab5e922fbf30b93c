#!/usr/bin/env bash
# Archive a directory into a timestamped tarball and keep the last 5.
set -euo pipefail

src="${1:?usage: backup.sh SRC_DIR DEST_DIR}"
dest="${2:?usage: backup.sh SRC_DIR DEST_DIR}"
stamp="$(date +%Y%m%d-%H%M%S)"

mkdir -p "$dest"
tar -czf "$dest/$(basename "$src")-$stamp.tar.gz" "$src"
echo "wrote $dest/$(basename "$src")-$stamp.tar.gz"

ls -1t "$dest"/*.tar.gz | tail -n +6 | xargs -r rm --
