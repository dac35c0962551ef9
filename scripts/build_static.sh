#!/usr/bin/env bash
# Build the front end from the npm packages: compile the branded GOV.UK Frontend stylesheet and copy
# the browser files of each package into commonground/static/, where Django's staticfiles finds them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=commonground/static
vendor=$out/vendor
rm -rf "$vendor" "$out/build"
mkdir -p "$vendor/govuk" "$vendor/leaflet" "$out/build"
node_modules/.bin/sass --no-source-map --quiet-deps --style=compressed --load-path=node_modules \
  commonground/static_src/scss/main.scss "$out/build/main.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$vendor/govuk/"
# Fonts and images the stylesheet points at (the crest, icons, the favicon).
mkdir -p "$vendor/govuk/assets"
cp -r node_modules/govuk-frontend/dist/govuk/assets/. "$vendor/govuk/assets/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$vendor/leaflet/"
cp -r node_modules/leaflet/dist/images "$vendor/leaflet/"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/"
cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js \
  node_modules/vega-embed/build/vega-embed.min.js "$vendor/"
# Vega's expression interpreter, so charts draw under a CSP without 'unsafe-eval'. Its one import
# comes from vega-util, which vega.min.js already exposes as the `vega` global.
sed "s/^import { \(.*\) } from 'vega-util';$/const { \1 } = window.vega;/" \
  node_modules/vega-interpreter/build/vega-interpreter.js > "$vendor/vega-interpreter.js"
if grep -q "^import " "$vendor/vega-interpreter.js"; then
  echo "vega-interpreter.js has an import this script does not know how to rewrite" >&2
  exit 1
fi
cp node_modules/axe-core/axe.min.js "$vendor/"
# The packages' source maps are not shipped, so drop the comments that point at them: production's
# collectstatic (hashed file names) follows those comments and stops at a missing file.
find "$vendor" -name "*.js" -o -name "*.css" | while read -r file; do
  sed -i -E 's@(//|/\*)# sourceMappingURL=[^ *]+\.map( \*/)?@@' "$file"
done
echo "Static files built in $out/build and $out/vendor."
