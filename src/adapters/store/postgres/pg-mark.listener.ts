/**
 * The push half of the PostgreSQL change feed: one dedicated connection (outside the pool, so
 * it never holds a pooled client) LISTENing on `visage_marks`. Every face-store commit that
 * moves a gallery's mark sends `pg_notify` in its transaction, so PostgreSQL delivers it only
 * once committed. The payload is `schema <TAB> writer token <TAB> gallery id <TAB> seq`: the
 * schema keeps deployments on one database apart, the token lets a store skip its own commits
 * (it told its listeners already, synchronously).
 *
 * A lost connection is reopened after a second; notifications sent meanwhile are lost, which
 * costs only latency: readers compare the gallery's mark with their index before each search.
 */
import pg from 'pg';

export const MARKS_CHANNEL = 'visage_marks';

export type MarkListener = (galleryId: number, seq: number) => void;

export class PgMarkListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly schema: Promise<string>,
    private readonly ownToken: string,
    private readonly deliver: MarkListener,
  ) {}

  /** Starts listening (idempotent); settles once LISTEN is in place, or the attempt failed. */
  start(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    if (!this.connecting) this.connecting = this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const c = new pg.Client(this.config);
    const schema = await this.schema;
    c.on('notification', (n) => {
      if (n.channel !== MARKS_CHANNEL || !n.payload) return;
      const [s, token, gid, seq] = n.payload.split('\t');
      if (s !== schema || token === this.ownToken) return;
      const galleryId = Number(gid);
      const mark = Number(seq);
      if (Number.isFinite(galleryId) && Number.isFinite(mark)) this.deliver(galleryId, mark);
    });
    const lost = () => {
      if (this.client === c) this.client = null;
      c.end().catch(() => undefined);
      this.scheduleRetry();
    };
    c.on('error', lost);
    c.on('end', () => this.client === c && lost());
    try {
      await c.connect();
      await c.query(`LISTEN ${MARKS_CHANNEL}`);
      if (this.closed) {
        await c.end();
        return;
      }
      this.client = c;
    } catch {
      await c.end().catch(() => undefined);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.start();
    }, 1000);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.connecting?.catch(() => undefined);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
