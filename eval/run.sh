#!/usr/bin/env bash
# Regenerates docs/EVALUATION.md and the plots under docs/eval/ from fixed seeds.
# Usage: eval/run.sh [--quick] [--million] [--check]
#   --quick    2,000-node networks, for a fast try of the suite (do not commit the result)
#   --million  also the 1,000,000-node run (minutes, about 3 GB); without it its section is kept from the file
#   --check    rerun only the fast subset and exit 1 when the file's checked sections differ (what CI runs
#              through EvaluationDocumentTests); writes nothing
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project src/Kademlia.Cli -c Release -- sim --report docs/EVALUATION.md "$@"
