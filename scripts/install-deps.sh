#!/usr/bin/env bash
# Installs the system packages minigrad builds with, if any is missing, and the ones named as
# arguments (`make fuzz` adds clang).
# Debian and Ubuntu: through apt-get (with sudo when not root). Elsewhere: says what to install.
set -euo pipefail

packages=(cmake ninja-build g++ pkg-config libopenblas-dev libgtest-dev libbenchmark-dev
          libstb-dev nlohmann-json3-dev libsleef-dev "$@")

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "minigrad needs these packages (Debian names): ${missing[*]}" >&2
  echo "Install their equivalents with your system's package manager, then run make again." >&2
  exit 1
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "Installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
