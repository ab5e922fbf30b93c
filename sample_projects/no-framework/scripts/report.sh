#!/usr/bin/env bash
# Print total units and revenue per region from a sales CSV.
set -euo pipefail

file="${1:-data/sales.csv}"

printf "%-10s %8s %12s\n" "region" "units" "revenue"
awk -F, 'NR > 1 {
  units[$2] += $4
  revenue[$2] += $4 * $5
}
END {
  for (r in units) printf "%-10s %8d %12.2f\n", r, units[r], revenue[r]
}' "$file" | sort
