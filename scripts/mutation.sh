#!/usr/bin/env bash
# `npm run mutation [-- --incremental]`: every scope of stryker.config.mjs, one after the other.
# MUTATION_SCOPES="keliweb payway" runs only those (each scope writes reports/mutation/<scope>/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for scope in ${MUTATION_SCOPES:-core keliweb payway rebilly billing-care}; do
  echo "== mutation scope: $scope"
  MUTATION_SCOPE="$scope" npx stryker run stryker.config.mjs "$@"
done
