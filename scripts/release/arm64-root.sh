#!/usr/bin/env bash
# An arm64 Debian userland to run the aarch64 artifacts under qemu-user, without binfmt and
# without installing arm64 packages on the host (it does add dpkg's arm64 architecture and
# update apt's lists): Debian's arm64 nodejs (18, below the package's engines: the corpus
# needs only ESM and Node-API) and python3 with their dependency closure, downloaded by apt
# and unpacked with dpkg -x into ROOT.
# Run as `qemu-aarch64 -L ROOT ROOT/usr/bin/node …`. Idempotent: a finished ROOT is kept.
set -euo pipefail
ROOT=${1:?usage: arm64-root.sh ROOT}
[ -f "$ROOT/.done" ] && exit 0
command -v qemu-aarch64 >/dev/null || apt-get install -y -q qemu-user >/dev/null
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
fi
apt-get update -q >/dev/null
debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
# The closure of Depends/PreDepends (no recommends): each package's arm64 build, or its
# architecture-independent one (Debian's node keeps its JS builtins in arch-all packages).
names=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances \
  nodejs:arm64 python3:arm64 python3-venv:arm64 | grep -E '^[a-z0-9]' | sed 's/:arm64$//' | sort -u)
pkgs=()
for n in $names; do
  # (captured first: grep -q closing the pipe early would fail it under pipefail)
  policy=$(apt-cache policy "$n:arm64" 2>/dev/null)
  if [[ $policy == *"Candidate: "[0-9]* ]]; then pkgs+=("$n:arm64"); continue; fi
  # else only an architecture-independent package, never the host's build of a library
  if [[ $(apt-cache show --no-all-versions "$n" 2>/dev/null) == *$'\nArchitecture: all\n'* ]]; then pkgs+=("$n"); fi
done
# (as root into a root-only directory: apt warns that it cannot sandbox the download as _apt)
(cd "$debs" && apt-get download -q "${pkgs[@]}" >/dev/null 2>&1)
rm -rf "$ROOT" && mkdir -p "$ROOT"
for d in "$debs"/*.deb; do dpkg -x "$d" "$ROOT"; done
# Debian's python3 and node symlinks (alternatives are not run by dpkg -x).
[ -e "$ROOT/usr/bin/python3" ] || ln -s python3.11 "$ROOT/usr/bin/python3"
[ -e "$ROOT/usr/bin/node" ] || ln -s nodejs "$ROOT/usr/bin/node"
touch "$ROOT/.done"
echo "arm64-root: $(ls "$debs" | wc -l) packages in $ROOT"
