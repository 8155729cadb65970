/**
 * Every weight file Visage loads, the npm package it comes from and its SHA-256. Files are read
 * from node_modules (pinned in package.json) and verified before use: a missing or altered file
 * stops start-up with the package to reinstall.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ModelFile {
  package: string;
  version: string;
  licence: string;
  /** Path inside the package. */
  file: string;
  sha256: string;
}

const FACEPLUGIN = { package: 'faceplugin-face-recognition-js', version: '0.0.1', licence: 'MIT (declared)' };
const FACE_API = { package: '@vladmandic/face-api', version: '1.7.15', licence: 'MIT' };

export const MODEL_FILES = {
  frDetect: { ...FACEPLUGIN, file: 'model/fr_detect.onnx', sha256: '6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854' },
  frLandmark: { ...FACEPLUGIN, file: 'model/fr_landmark.onnx', sha256: 'f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258' },
  frFeature: { ...FACEPLUGIN, file: 'model/fr_feature.onnx', sha256: '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581' },
  frExpression: { ...FACEPLUGIN, file: 'model/fr_expression.onnx', sha256: '88959314d9dc14d6c968cca31dc068e4350bf1944154e3bdd2eece5d0f318d05' },
  frPose: { ...FACEPLUGIN, file: 'model/fr_pose.onnx', sha256: '72d032ec941b7153bf8d3f2c03a4c165453cc7e63d479041ec7c6ef087e5839d' },
  frEye: { ...FACEPLUGIN, file: 'model/fr_eye.onnx', sha256: '1afcea006abc1ccac3c517022abde0aa092bed74ff3c9fe6878483ef9e6e38de' },
  frLiveness: { ...FACEPLUGIN, file: 'model/fr_liveness.onnx', sha256: 'afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d' },
  faceApiAgeGenderManifest: { ...FACE_API, file: 'model/age_gender_model-weights_manifest.json', sha256: '74b60bf3ebf981bf4e661e9cca3a185614e10b25d797118b62e2a68d3ff2569f' },
  faceApiAgeGenderWeights: { ...FACE_API, file: 'model/age_gender_model.bin', sha256: '49f92bbc0afef2342c4385e4a2b0acb6d7a727c6f0aa539499719a81acf9abaa' },
} as const satisfies Record<string, ModelFile>;

export type ModelFileName = keyof typeof MODEL_FILES;

export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

const require = createRequire(import.meta.url);

function packageDir(pkg: string): string {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new ModelFileError(`Model package ${pkg} is not installed: run \`npm ci\` (or \`npm install ${pkg}\`)`);
  }
}

export function modelFilePath(f: ModelFile): string {
  return join(packageDir(f.package), f.file);
}

/** Reads a weight file and checks its SHA-256; throws ModelFileError naming the package to reinstall. */
export function readVerifiedModelFile(f: ModelFile): Buffer {
  const path = modelFilePath(f);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new ModelFileError(`Model file ${f.file} is missing from ${f.package}: reinstall it with \`npm install ${f.package}@${f.version}\``);
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== f.sha256) {
    throw new ModelFileError(
      `Model file ${f.package}/${f.file} has SHA-256 ${actual}, expected ${f.sha256}: reinstall it with \`npm install ${f.package}@${f.version}\``,
    );
  }
  return bytes;
}
