// Golden outputs of the ESRGAN-slim models, computed by the package's own model on the pure-JavaScript
// TensorFlow.js CPU backend (no native binary), for EsrganGoldenTest. Run by scripts/esrgan-golden.sh:
//   node golden.mjs <output directory>
// writes golden-x2.json and golden-x4.json: a fixed 16x16 input and the model's output, both as
// planar float32 values (NCHW, the layout of the converted ONNX model), in the model's own range.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const PACKAGE = '@upscalerjs/esrgan-slim';
const PACKAGE_DIR = new URL(`./node_modules/${PACKAGE}/`, import.meta.url).pathname;
const SIZE = 16;

/** The input pixel (x, y, c): integers 0..255 with edges, gradients and fine texture. */
function inputPixel(x, y, c) {
  return (x * x * 7 + y * 13 + x * y * 5 + c * 71 + (x ^ y) * 29) % 256;
}

/** Loads models/x<scale>/model.json and its weight shards from the installed package. */
async function loadModel(scale) {
  const modelJson = join(PACKAGE_DIR, `models/x${scale}/model.json`);
  const artifacts = JSON.parse(readFileSync(modelJson, 'utf8'));
  const specs = artifacts.weightsManifest.flatMap(group => group.weights);
  const shards = artifacts.weightsManifest.flatMap(group => group.paths)
    .map(path => readFileSync(join(dirname(modelJson), path)));
  const weights = Buffer.concat(shards);
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: artifacts.modelTopology,
    weightSpecs: specs,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }));
}

async function golden(scale, outDir) {
  // The package's model definition says what range the model takes and gives ([0, 255] for its
  // "rdn" architecture; UpscalerJS feeds pixels as they are then, and clips the output to the range).
  const definition = require(`${PACKAGE}/${scale}x`);
  const [low, high] = definition.inputRange;
  const nhwc = new Float32Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      for (let c = 0; c < 3; c++) {
        nhwc[(y * SIZE + x) * 3 + c] = low + inputPixel(x, y, c) / 255 * (high - low);
      }
    }
  }
  const model = await loadModel(scale);
  const output = model.predict(tf.tensor4d(nhwc, [1, SIZE, SIZE, 3]));
  const [, outHeight, outWidth, channels] = output.shape;
  const result = {
    package: `${PACKAGE}@${JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')).version}`,
    model: `models/x${scale}/model.json`,
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    inputRange: definition.inputRange,
    outputRange: definition.outputRange,
    layout: 'NCHW',
    input: { shape: [1, 3, SIZE, SIZE], values: Array.from(toPlanar(nhwc, SIZE, SIZE, 3)) },
    output: { shape: [1, channels, outHeight, outWidth], values: Array.from(toPlanar(await output.data(), outHeight, outWidth, channels)) },
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `golden-x${scale}.json`), JSON.stringify(result) + '\n');
}

function toPlanar(nhwc, height, width, channels) {
  const planar = new Float32Array(nhwc.length);
  for (let i = 0; i < height * width; i++) {
    for (let c = 0; c < channels; c++) {
      planar[c * height * width + i] = nhwc[i * channels + c];
    }
  }
  return planar;
}

await tf.setBackend('cpu');
for (const scale of [2, 4]) {
  await golden(scale, process.argv[2]);
}
