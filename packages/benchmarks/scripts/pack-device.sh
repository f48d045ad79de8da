#!/usr/bin/env bash
# Bundle the GPU benchmark for the device machine (see docs/gpu.md).
# usage (from the repository root): bash packages/benchmarks/scripts/pack-device.sh
# then, with the device tool and carry [".device"]:
#   bash .device/remote.sh gpu-solve.mjs --sizes 32,69 --out $OUT
set -euo pipefail
# NODE_PATH: pack.sh must find webgpu 0.6.2 (a dependency of @spinefea/core), not gpu.js's
# nested webgpu 0.2.9, whose Dawn binary is missing.
# pack.sh bundles without our export condition, so its own bundle step fails on the unbuilt
# dist/ of @spinefea/*; it has copied Node, the Vulkan loader and Dawn by then. Bundle the
# entry from the TypeScript sources and add the runner ourselves.
NODE_PATH="$PWD/packages/fea-core/node_modules" ../shared/device/pack.sh packages/benchmarks/src/gpu-solve.ts >/dev/null 2>&1 || true
[ -s .device/node.xz ] && [ -s .device/node_modules/webgpu/dist/linux-x64/dawn.node.xz ] || { echo "pack.sh did not copy Node/Dawn" >&2; exit 1; }
cp ../shared/device/remote.sh .device/remote.sh
npx -y esbuild@0.25.12 packages/benchmarks/src/gpu-solve.ts --bundle --platform=node --format=esm \
  --target=node20 --conditions=@spinefea/source --external:webgpu --outfile=.device/gpu-solve.mjs --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"
du -sh .device
