/** Where the eval's per-section composition root lives; `visage eval` runs it once per section. */
import { fileURLToPath } from 'node:url';

export const EVAL_SECTION_SCRIPT = fileURLToPath(new URL('./eval-section.compose.ts', import.meta.url));
