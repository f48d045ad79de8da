#!/usr/bin/env bash
# Software Vulkan for the WebGPU tests: Mesa 25's lavapipe from Debian
# bookworm-backports, unpacked into $LAVAPIPE_DIR (default /opt/lavapipe)
# without touching the system's Mesa. Writes $LAVAPIPE_DIR/env.sh, which
# exports VK_ICD_FILENAMES / VK_DRIVER_FILES (the edited lvp_icd.json) and
# LD_LIBRARY_PATH (the newer libdrm); `.ci/run` sources it before `npm test`.
#
# Why backports: Dawn (`webgpu` 0.6.2) needs the descriptor dynamic-indexing
# features that bookworm's own lavapipe (Mesa 22.3) lacks; Mesa 25 has them.
# Mesa 25's lavapipe needs libdrm2/libdrm-amdgpu1 >= 2.4.121, also from
# backports; its other dependencies (libllvm15, libvulkan1, xcb, …) are
# bookworm's and are installed normally.
#
# Versions are pinned so CI does not change under us. When backports moves on
# (`apt-get download` then fails with "Version … was not found"), run
# `apt-cache policy mesa-vulkan-drivers libdrm2` after `apt-get update`, put the
# new bookworm-backports versions below, check `apt-cache show
# mesa-vulkan-drivers/bookworm-backports | grep Depends` for new runtime
# dependencies (add them to RUNTIME_DEPS), and run the WebGPU tests
# (`source /opt/lavapipe/env.sh && CI=true npx vitest run
# packages/fea-core/test/backend-conformance.test.ts`) before committing.
set -euo pipefail
MESA_VERSION=25.0.7-2~bpo12+1
LIBDRM_VERSION=2.4.123-1~bpo12+1
RUNTIME_DEPS=(libvulkan1 libllvm15 libelf1 libexpat1 libwayland-client0 libx11-xcb1 libxcb-dri3-0
  libxcb-present0 libxcb-randr0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxcb1 libxshmfence1 libzstd1)
DIR=${LAVAPIPE_DIR:-/opt/lavapipe}
STAMP="mesa $MESA_VERSION libdrm $LIBDRM_VERSION"
if [[ -f "$DIR/env.sh" && "$(cat "$DIR/VERSION" 2>/dev/null)" == "$STAMP" ]]; then
  echo "lavapipe: $STAMP already in $DIR"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
SRC=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # Debian's default pin for backports is 100: nothing installs from it unless asked.
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$SRC"
fi
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${RUNTIME_DEPS[@]}" >/dev/null
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
chmod 777 "$TMP" # apt's _apt user writes the downloads
(cd "$TMP" && apt-get download -qq "mesa-vulkan-drivers=$MESA_VERSION" "libdrm2=$LIBDRM_VERSION" "libdrm-amdgpu1=$LIBDRM_VERSION")
rm -rf "$DIR"
mkdir -p "$DIR"
for deb in "$TMP"/*.deb; do dpkg -x "$deb" "$DIR"; done
LIB="$DIR/usr/lib/x86_64-linux-gnu"
# The packaged ICD names the library by its installed path; point it at ours.
sed "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$LIB/libvulkan_lvp.so\"#" \
  "$DIR/usr/share/vulkan/icd.d/lvp_icd.json" >"$DIR/lvp_icd.json"
cat >"$DIR/env.sh" <<ENV
# source this file: Vulkan (and so Dawn / the \`webgpu\` package) sees only lavapipe ($STAMP)
export VK_ICD_FILENAMES=$DIR/lvp_icd.json
export VK_DRIVER_FILES=$DIR/lvp_icd.json
export LD_LIBRARY_PATH=$LIB\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
ENV
echo "$STAMP" >"$DIR/VERSION"
echo "lavapipe: $STAMP unpacked into $DIR (source $DIR/env.sh)"
