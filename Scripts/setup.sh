#!/usr/bin/env bash
# Installs what SwiftSight needs beside the Swift toolchain: Debian's OpenBLAS.
set -euo pipefail
if [ -e /usr/include/x86_64-linux-gnu/cblas.h ] || [ -e /usr/include/aarch64-linux-gnu/cblas.h ] || [ -e /usr/include/cblas.h ]; then
  exit 0
fi
echo "Installing libopenblas-dev..." >&2
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get install -y --no-install-recommends libopenblas-dev >/dev/null 2>&1 \
  || { $sudo_cmd apt-get update >/dev/null && $sudo_cmd apt-get install -y --no-install-recommends libopenblas-dev >/dev/null; }
