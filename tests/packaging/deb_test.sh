#!/usr/bin/env bash
# The .deb packages installed, used, upgraded, removed and purged for real, in a throwaway root:
# an overlay of this machine's own root file system in a private mount namespace, so that dpkg, the
# maintainer scripts, useradd and the agent all run as on a store's machine while nothing of this
# machine changes. docs/operations.md describes what is checked.
#
#   tests/packaging/deb_test.sh BUILD_DIR      (run by ctest; needs root for the namespace)
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || ! grep -qw overlay /proc/filesystems; then
  echo "skipped: needs root, unshare and overlayfs to make a throwaway root"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/regua-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== cpack: building the packages"
(cd "$build" && cpack -G DEB -B "$work/packages" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
agent_deb=$(ls "$work"/packages/regua-agent_*.deb)
hub_deb=$(ls "$work"/packages/regua-hub_*.deb)
dpkg-deb --info "$agent_deb" | sed -n '/Package:/,/Description:/p'

# An upgrade needs a newer package: the same one with a higher version number.
dpkg-deb -R "$agent_deb" "$work/next"
sed -i 's/^Version: \(.*\)$/Version: \1+next1/' "$work/next/DEBIAN/control"
dpkg-deb -b "$work/next" "$work/packages/regua-agent-next.deb" >/dev/null

unshare --mount --propagation private bash "$here/deb_in_root.sh" "$work" "$agent_deb" \
  "$work/packages/regua-agent-next.deb" "$hub_deb"
