/** The parent's side of a peer engine: one child process running bench/peers/peer-worker.ts. */
import { fork, type ChildProcess } from 'node:child_process';
import { NODE_FLAGS } from '../src/main/node-flags.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PeerName, PeerReply, PeerRequest, PhotoRef, StageTimes } from './peer-protocol.js';

const WORKER = fileURLToPath(new URL('./peers/peer-worker.ts', import.meta.url));
const PEERS_MODULES = fileURLToPath(new URL('./peers/node_modules/@vladmandic', import.meta.url));

export function peersInstalled(): boolean {
  return existsSync(PEERS_MODULES);
}

export class PeerProcess {
  private waiting?: { resolve: (m: PeerReply) => void; reject: (e: Error) => void };
  private exited = false;
  version = '';
  config = '';
  backend = '';

  private constructor(
    readonly engine: PeerName,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (m: PeerReply) => {
      const w = this.waiting;
      this.waiting = undefined;
      if (!w) return;
      if (m.type === 'error') w.reject(new Error(`${engine}: ${m.message}`));
      else w.resolve(m);
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(new Error(`${engine} process exited (code ${code}, signal ${signal})`));
    });
  }

  /** Starts the process, loads the engine and the photos, and warms up on the first `warmup` photos. */
  static async start(engine: PeerName, photos: PhotoRef[], warmup: number): Promise<PeerProcess> {
    const child = fork(WORKER, [], {
      // The V8 flags Visage runs with, for every engine alike (Human measured the same with and
      // without them: 9.6–10.0 photos/s either way; its tensors live in the wasm heap).
      execArgv: [...NODE_FLAGS, '--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // One wasm thread each; keep tfjs quiet about the missing tfjs-node.
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
    });
    const p = new PeerProcess(engine, child);
    const ready = await p.ask({ type: 'init', engine, photos, warmup });
    if (ready.type !== 'ready') throw new Error(`${engine}: unexpected ${ready.type}`);
    p.version = ready.version;
    p.config = ready.config;
    p.backend = ready.backend;
    return p;
  }

  private ask(m: PeerRequest): Promise<PeerReply> {
    if (this.exited) return Promise.reject(new Error(`${this.engine} process has exited`));
    if (this.waiting) return Promise.reject(new Error(`${this.engine} process is busy`));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.child.send(m);
    });
  }

  async run(index: number): Promise<{ faces: number; ms: number }> {
    const r = await this.ask({ type: 'run', index });
    if (r.type !== 'done') throw new Error(`${this.engine}: unexpected ${r.type}`);
    return { faces: r.faces, ms: r.ms };
  }

  async stages(indices: number[]): Promise<StageTimes[]> {
    const r = await this.ask({ type: 'stages', indices });
    if (r.type !== 'stages') throw new Error(`${this.engine}: unexpected ${r.type}`);
    return r.times;
  }

  /** CPU time the process has used so far, ms. */
  async cpuMs(): Promise<number> {
    const r = await this.ask({ type: 'cpu' });
    if (r.type !== 'cpu') throw new Error(`${this.engine}: unexpected ${r.type}`);
    return r.ms;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'exit' } satisfies PeerRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}
