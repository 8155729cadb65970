import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config.loader.js';

test('defaults: port 8080, 10 MB uploads, 40 MP, private URLs refused; frozen', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.maxUploadBytes, 10 * 1024 * 1024);
  assert.equal(c.urlFetchMaxBytes, c.maxUploadBytes);
  assert.equal(c.maxPixels, 40_000_000);
  assert.ok(c.maxPixels < 50_000_000, 'a 50 MP image is refused');
  assert.equal(c.maxAnalysisSide, 3072);
  assert.equal(c.urlAllowPrivate, false);
  assert.equal(c.urlFetchTimeoutMs, 5000);
  assert.equal(c.defaultMinFaceSize, 12);
  assert.ok(c.workers >= 1);
  assert.ok(Object.isFrozen(c));
});

test('reads variables; PORT works and VISAGE_PORT wins; fetch limit follows the upload limit', () => {
  assert.equal(loadConfig({ PORT: '3000' }).port, 3000);
  assert.equal(loadConfig({ PORT: '3000', VISAGE_PORT: '4000' }).port, 4000);
  const c = loadConfig({ VISAGE_MAX_UPLOAD_BYTES: '2048000', VISAGE_URL_ALLOW_PRIVATE: 'true', VISAGE_LOG_LEVEL: 'debug', VISAGE_WORKERS: '3' });
  assert.equal(c.urlFetchMaxBytes, 2048000);
  assert.equal(c.urlAllowPrivate, true);
  assert.equal(c.logLevel, 'debug');
  assert.equal(c.workers, 3);
  assert.equal(loadConfig({ VISAGE_MAX_ANALYSIS_SIDE: '8192' }).maxAnalysisSide, 8192);
  assert.equal(loadConfig({}).detectorEarlyExit, true);
  assert.equal(loadConfig({ VISAGE_DETECTOR_EARLY_EXIT: 'false' }).detectorEarlyExit, false);
  assert.throws(() => loadConfig({ VISAGE_MAX_ANALYSIS_SIDE: '100' }), /VISAGE_MAX_ANALYSIS_SIDE/);
});

test('every bad variable is named in one error', () => {
  try {
    loadConfig({ VISAGE_PORT: 'eighty', VISAGE_MAX_PIXELS: '-5', VISAGE_URL_ALLOW_PRIVATE: 'maybe', VISAGE_LOG_LEVEL: 'loud', VISAGE_ETHNICITY: 'true' });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    for (const name of ['VISAGE_PORT', 'VISAGE_MAX_PIXELS', 'VISAGE_URL_ALLOW_PRIVATE', 'VISAGE_LOG_LEVEL', 'VISAGE_ETHNICITY']) {
      assert.match(e.message, new RegExp(name), `${name} named`);
    }
    assert.equal(e.problems.length, 5);
  }
});
