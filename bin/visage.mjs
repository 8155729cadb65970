#!/usr/bin/env -S node --single-threaded-gc
// Entry point of the `visage` command: registers the TypeScript loader, then runs the CLI.
// The V8 flag on the first line is src/main/node-flags.ts's (env -S splits it from `node`).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
