/**
 * Every vendor dialect the server speaks, one line each. Adding a dialect is one folder under
 * src/compat/<vendor>/ (an encapsulated plugin over the core's public entry and http/shared)
 * and one line here; the composition root mounts each under its prefix.
 */
import type { Dialect } from '../http/shared/surface.js';
import { facecheckDialect } from './facecheck/facecheck.plugin.js';
import { facematchApi } from './facematch/facematch.plugin.js';
import { findfaceDialect } from './findface/findface.plugin.js';
import { facehubDialect } from './facehub/facehub.plugin.js';
import { sightcorpDialect } from './sightcorp/sightcorp.plugin.js';

export const DIALECTS: readonly Dialect[] = [
  { name: 'facecheck', prefix: '/facecheck', portKey: 'facecheckPort', plugin: facecheckDialect },
  { name: 'facehub', prefix: '/facehub', portKey: 'facehubPort', plugin: facehubDialect },
  { name: 'facematch', prefix: '/facematch', portKey: 'facematchPort', plugin: facematchApi },
  { name: 'findface', prefix: '/findface', portKey: 'findfacePort', plugin: findfaceDialect },
  { name: 'sightcorp', prefix: '/sightcorp', portKey: 'sightcorpPort', plugin: sightcorpDialect },
];
