/**
 * V8 flags Visage runs with: `npm start`, `npm run eval`, `npm run bench` and the `visage` bin's
 * shebang pass them on Node's command line (V8 takes them only there: set at run time they abort
 * the process, and worker threads cannot have their own). test/main/node-flags.test.ts keeps those
 * places in step with this list.
 *
 * --single-threaded-gc: V8 otherwise marks and sweeps on background threads, which on a machine
 * whose cores the inference workers keep busy only take turns with them: on the bench's photos
 * (2 cores, 2 workers) those threads used ~2.4 ms of CPU per photo, and without them the pool made
 * 107–111 photos/s instead of 96–100 (docs/benchmarks.md). Garbage is collected on the thread
 * that made it instead.
 */
export const NODE_FLAGS = ['--single-threaded-gc'] as const;

/** Whether this process runs with every flag in NODE_FLAGS. */
export const hasNodeFlags = (): boolean => NODE_FLAGS.every((f) => process.execArgv.includes(f));
