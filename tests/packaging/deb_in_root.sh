#!/usr/bin/env bash
# Inside deb_test.sh's private mount namespace: makes the throwaway root and runs the checks in it.
set -euo pipefail
work=$1 agent_deb=$2 next_deb=$3 hub_deb=$4
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$work/layers"
mount -t tmpfs tmpfs "$work/layers"
mkdir -p "$work/layers/upper" "$work/layers/work" "$work/layers/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/layers/upper,workdir=$work/layers/work" "$work/layers/root"
root=$work/layers/root
mount --bind /proc "$root/proc"
mount --bind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/run"  # no /run/systemd/system: the scripts skip systemctl, as in a container
mount -t tmpfs tmpfs "$root/tmp"
mkdir -p "$root/tmp/debs"
cp "$agent_deb" "$root/tmp/debs/agent.deb"
cp "$next_deb" "$root/tmp/debs/agent-next.deb"
cp "$hub_deb" "$root/tmp/debs/hub.deb"
cp "$here/deb_checks.sh" "$root/tmp/deb_checks.sh"
# Whatever this machine has of Régua must not hide what the packages install.
rm -f "$root/usr/bin/regua-agent" "$root/usr/bin/regua-hub"
chroot "$root" /bin/bash /tmp/deb_checks.sh
