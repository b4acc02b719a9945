#!/usr/bin/env bash
# Build the netspec node image offline: debootstrap a Debian bookworm minbase
# root file system with the packages of fixtures/node-image/packages.txt from
# this machine's own Debian mirror, add the official Node.js build of the
# Dockerfile's NODE_VERSION from the npm registry (node-linux-<arch>), then
# `docker import` it. No container registry needed.
#
# Usage: scripts/build-node-image.sh [--print-tag] [--force] [IMAGE]
#   IMAGE        image reference to create (default: netspec-node:<context hash>)
#   --print-tag  print the default image reference and exit
#   --force      rebuild even if IMAGE exists
# Env: NETSPEC_DEBIAN_MIRROR overrides the mirror read from /etc/apt/sources*.
#
# The tag's hash covers Dockerfile, packages.txt and this script, in that
# order, as sha256 over "name\0content\0" for each; image.ts computes the same
# hash, so an image is built once per machine and per build context.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ctx="$here/../fixtures/node-image"
self="$here/$(basename "${BASH_SOURCE[0]}")"

context_hash() {
  {
    for pair in "Dockerfile:$ctx/Dockerfile" "packages.txt:$ctx/packages.txt" "build-node-image.sh:$self"; do
      printf '%s\0' "${pair%%:*}"
      cat "${pair#*:}"
      printf '\0'
    done
  } | sha256sum | cut -c1-16
}

print_tag=0 force=0 image=""
for arg in "$@"; do
  case "$arg" in
    --print-tag) print_tag=1 ;;
    --force) force=1 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) image="$arg" ;;
  esac
done
image="${image:-netspec-node:$(context_hash)}"
if [[ $print_tag == 1 ]]; then echo "$image"; exit 0; fi

# Two runs building at once would each debootstrap; serialise them per tag and
# re-check for the image once the lock is ours.
lock="/tmp/netspec-node-image-${image//[^A-Za-z0-9_.-]/_}.lock"
exec 9>"$lock"
flock 9
if [[ $force == 0 ]] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "node image $image already present" >&2
  echo "$image"
  exit 0
fi

mirror_from_sources() {
  local f uri
  # deb822 sources first (bookworm's default), then the one-line format.
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    # First URIs: of a stanza whose Suites include bookworm (not -security).
    uri="$(awk '
      /^[[:space:]]*$/ { if (u != "" && s) { print u; exit } u=""; s=0; next }
      tolower($1) == "uris:" { u=$2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == "bookworm") s=1 }
      END { if (u != "" && s) print u }' "$f" | head -n1)"
    if [[ -n $uri ]]; then echo "$uri"; return; fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1) == "bookworm") { print $i; exit } break } }' "$f" | head -n1)"
    if [[ -n $uri ]]; then echo "$uri"; return; fi
  done
}

mirror="${NETSPEC_DEBIAN_MIRROR:-$(mirror_from_sources)}"
mirror="${mirror:-http://deb.debian.org/debian}"
packages="$(grep -v '^[[:space:]]*#' "$ctx/packages.txt" | tr -s '[:space:]' ',' | sed 's/^,//; s/,$//')"

command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is needed to fetch Node.js for the image" >&2; exit 1; }
node_version="$(sed -n 's/^ARG NODE_VERSION=//p' "$ctx/Dockerfile" | head -n1)"
[[ $node_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "no ARG NODE_VERSION=X.Y.Z in $ctx/Dockerfile" >&2; exit 1; }
case "$(uname -m)" in
  x86_64) node_arch=x64 ;;
  aarch64|arm64) node_arch=arm64 ;;
  *) echo "no Node.js package for $(uname -m)" >&2; exit 1 ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/netspec-rootfs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"

echo "debootstrap bookworm from $mirror with: $packages" >&2
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 40 "$work/debootstrap.log" >&2
  [[ -f $root/debootstrap/debootstrap.log ]] && tail -n 40 "$root/debootstrap/debootstrap.log" >&2
  exit 1
}

echo "adding Node.js $node_version (node-linux-$node_arch from the npm registry)" >&2
(cd "$work" && npm pack --silent "node-linux-$node_arch@$node_version" >"$work/npm-pack.log" 2>&1) || { cat "$work/npm-pack.log" >&2; exit 1; }
tar -xzf "$work"/node-linux-"$node_arch"-*.tgz -C "$work" package/bin/node
install -m 0755 "$work/package/bin/node" "$root/usr/local/bin/node"
chroot "$root" /usr/local/bin/node --version >/dev/null || { echo "the Node.js binary does not run in the image" >&2; exit 1; }

# Slim the tree: caches, docs and locales are dead weight in a node image.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
       "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
       "$root"/usr/share/locale/* "$root"/var/log/*.log
# Docker bind-mounts these at run time; leave them empty in the image.
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"

tar --numeric-owner -C "$root" -c . | docker import \
  --change 'CMD ["/usr/bin/tini", "--", "sleep", "infinity"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'LABEL netspec.node-image="1" netspec.node-image.build="offline"' \
  - "$image" >/dev/null
echo "built node image $image" >&2
echo "$image"
