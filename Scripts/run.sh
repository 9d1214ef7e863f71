#!/usr/bin/env bash
# The main job: top next-token predictions of the embedded model for a prompt.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
exec swift run -c release swiftsight run "${@:-And the LORD spake unto Moses,}"
