#!/usr/bin/env bash
# Writes the golden outputs of the ESRGAN-slim models (job/src/test/resources/esrgan/golden-x*.json),
# computed by the npm package's own model on the pure-JavaScript TensorFlow.js CPU backend, both
# pinned by build-tools/esrgan/golden/package-lock.json. EsrganGoldenTest compares the converted
# ONNX models with them. Needs Node.js 20 and npm.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT/build-tools/esrgan/golden"
npm ci --ignore-scripts --no-audit --no-fund
node golden.mjs "$ROOT/job/src/test/resources/esrgan"
