# Sourced by run.sh and run-hub.sh with $here (this folder) and $work (the build's folder for the
# test) set: checks the tools and installs playwright-core exactly as pinned in package-lock.json
# (`npm ci`, into $work so that the source tree stays clean), and exports what the tests read.
for tool in node npm /usr/bin/chromium sqlite3; do
  if ! command -v "$tool" >/dev/null; then
    echo "browser tests: $tool is missing; run installer/bootstrap.sh (it installs chromium, nodejs, npm, sqlite3)" >&2
    exit 1
  fi
done

mkdir -p "$work/browser-artifacts"
cp "$here/package.json" "$here/package-lock.json" "$work/"
# Reinstall only when the lock changed: npm ci empties node_modules first.
if ! cmp -s "$here/package-lock.json" "$work/node_modules/.installed-lock.json" 2>/dev/null; then
  (cd "$work" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  cp "$here/package-lock.json" "$work/node_modules/.installed-lock.json"
fi

export NODE_PATH="$work/node_modules"
export REGUA_BROWSER_ARTIFACTS="$work/browser-artifacts"
