#!/usr/bin/env bash
# Rebuild the explorer's vendored JavaScript (src/zspace/explore/static/vendor/) from npm.
#
# Every package is pinned to an exact version (the bundle's whole dependency tree), bundled by
# esbuild into one minified IIFE that sets window.createScatterplot, and shipped with the licence
# of every package inside it. Needs node and npm, and the npm registry, only when run; the
# explorer itself never fetches anything (nothing from a CDN, works offline).
set -euo pipefail

PACKAGES=(
  regl-scatterplot@1.16.0
  regl@2.1.1
  pub-sub-es@3.0.0
  dom-2d-camera@2.2.6
  gl-matrix@3.4.4
  earcut@3.2.4
  @flekschas/utils@0.33.0
  regl-line@1.1.1
  camera-2d-simple@3.0.0
)
ESBUILD=esbuild@0.28.2

here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/src/zspace/explore/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --save-exact "${PACKAGES[@]}" "$ESBUILD" >/dev/null
printf "import createScatterplot from 'regl-scatterplot';\nwindow.createScatterplot = createScatterplot;\n" > entry.js
npx --no-install esbuild entry.js --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none --outfile="$out/regl-scatterplot.min.js"

{
  echo "Licences of the packages bundled into regl-scatterplot.min.js (built by tools/vendor_js.sh)."
  for spec in "${PACKAGES[@]}"; do
    name="${spec%@*}"
    dir="node_modules/$name"
    version="$(node -p "require('./$dir/package.json').version")"
    echo
    echo "================================================================================"
    echo "$name $version ($(node -p "require('./$dir/package.json').license"))"
    echo "================================================================================"
    cat "$dir"/LICENSE*
  done
} > "$out/LICENSES.txt"
echo "wrote $out/regl-scatterplot.min.js ($(wc -c < "$out/regl-scatterplot.min.js") bytes) and LICENSES.txt"
