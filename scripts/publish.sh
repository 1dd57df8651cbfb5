#!/usr/bin/env bash
# Publishes the magpie executable as one self-contained single-file binary.
#   scripts/publish.sh [OUTPUT_DIR] [RUNTIME]     default: ./publish linux-x64
# Then: install -m 0755 publish/magpie /usr/local/bin/   (or put publish/ on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-publish}"
rid="${2:-linux-x64}"
dotnet publish src/Magpie/Magpie.csproj -c Release -r "$rid" -o "$out" -nologo -v quiet \
  --self-contained true \
  -p:PublishSingleFile=true \
  -p:IncludeNativeLibrariesForSelfExtract=true \
  -p:DebugType=none
rm -f "$out"/*.pdb
echo "published $out/magpie ($rid)"
