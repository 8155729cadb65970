/** The ban row every SQL rate store reads (SQLite, PostgreSQL: the same columns, times in ms) and its mapping. */
import type { IpBan } from '../../ports/rate-store.port.js';

export interface BanRow {
  ip: string;
  kind: 'block' | 'ban';
  until: number;
  strikes: number;
  reason: string;
  updated_at: number;
}

export const toBan = (r: BanRow): IpBan => ({ ip: r.ip, kind: r.kind, until: new Date(r.until), strikes: r.strikes, reason: r.reason, updatedAt: new Date(r.updated_at) });
