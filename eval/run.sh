#!/usr/bin/env bash
# Regenerates docs/EVALUATION.md and the plots under docs/eval/ from fixed seeds.
# Usage: eval/run.sh [--quick]   (--quick: 2,000-node networks, for a fast check of the suite)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project src/Kademlia.Cli -c Release -- sim --report docs/EVALUATION.md "$@"
