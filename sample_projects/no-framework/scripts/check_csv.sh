#!/usr/bin/env bash
# Fail if any row of the CSV does not have the same column count as the header.
set -euo pipefail

file="${1:-data/sales.csv}"
expected="$(head -n 1 "$file" | awk -F, '{print NF}')"

bad="$(awk -F, -v n="$expected" 'NF != n {print NR}' "$file")"
if [[ -n "$bad" ]]; then
  echo "bad column count on lines: $bad" >&2
  exit 1
fi
echo "$file ok ($expected columns)"
