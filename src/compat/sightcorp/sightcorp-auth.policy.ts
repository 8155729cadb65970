/**
 * The dialect's access policy: its one endpoint needs the `detect` scope and costs one credit
 * (`detect`), like POST /v1/detect. Keyed by the path below the dialect's prefix, so the same
 * table serves /sightcorp/api/detect/ on the main port and /api/detect/ on its own port.
 */
import type { AuthPolicy } from '../../http/shared/auth.plugin.js';

const DETECT: AuthPolicy = { scope: 'detect', op: 'detect' };

export const SIGHTCORP_POLICY: Record<string, AuthPolicy> = {
  'POST /api/detect/': DETECT,
  'POST /api/detect': DETECT,
};

export const sightcorpPolicy =
  (prefix: string) =>
  (method: string, url: string): AuthPolicy | undefined =>
    url.startsWith(prefix) ? SIGHTCORP_POLICY[`${method} ${url.slice(prefix.length)}`] : undefined;
