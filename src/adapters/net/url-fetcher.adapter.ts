/**
 * Fetches an image by URL without letting a client reach the server's own network (SSRF).
 *
 * The host is resolved once, every resolved address is checked, and the connection goes to the
 * checked address itself (a custom `lookup`), so a DNS answer that changes between check and
 * connect (rebinding) cannot swap it. The Host header and TLS SNI keep the name. Redirects are
 * never followed (each hop would need the same checks), the whole fetch has one deadline, and
 * the body is capped while it streams.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { VisageError, badParam } from '../../domain/error.registry.js';
import { canonicalIp, classifyAddress, isIpLiteral } from '../../domain/ip-address.rules.js';
import type { FetchLimits, ImageFetcher } from '../../ports/image.port.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface UrlFetcherOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Lets URLs reach loopback/private addresses: tests and closed intranets only. */
  allowPrivate: boolean;
  /** DNS resolution; injectable so tests can map a name to a local server. */
  resolve?: Resolver;
}

const systemResolver: Resolver = async (hostname) => {
  const all = await dnsLookup(hostname, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

const fetchFailed = (message: string, details = {}) => new VisageError('URL_FETCH_FAILED', message, { param: 'url', ...details });
const forbidden = (message: string) => new VisageError('URL_FORBIDDEN', message, { param: 'url' });

/**
 * Media types we accept from a server; octet-stream (or none) is sniffed by the decoder, unless
 * the caller asked for an `image/*` type only.
 */
function acceptableContentType(header: string | undefined, requireImageType: boolean): boolean {
  if (!header) return !requireImageType; // RFC 9110 §8.3: a recipient may sniff when the type is missing.
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type.startsWith('image/') || (!requireImageType && type === 'application/octet-stream');
}

export class UrlFetcher implements ImageFetcher {
  private readonly resolve: Resolver;

  constructor(private readonly opts: UrlFetcherOptions) {
    this.resolve = opts.resolve ?? systemResolver;
  }

  async fetch(rawUrl: string, limits: FetchLimits = {}): Promise<Uint8Array> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw badParam('url', 'url must be an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw forbidden(`Only http and https URLs are allowed, not ${url.protocol}`);
    // A caller's deadline can only shorten the server's.
    const timeoutMs = Math.min(this.opts.timeoutMs, limits.timeoutMs ?? Infinity);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const target = await this.withDeadline(this.pickAddress(url), controller.signal, timeoutMs);
      return await this.download(url, target, controller.signal, timeoutMs, limits.requireImageType ?? false);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves the host and returns an address only when every address is allowed. */
  private async pickAddress(url: URL): Promise<ResolvedAddress> {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    let addresses: ResolvedAddress[];
    if (isIpLiteral(host)) {
      const ip = canonicalIp(host)!;
      addresses = [{ address: ip, family: ip.includes(':') ? 6 : 4 }];
    } else {
      try {
        addresses = await this.resolve(host);
      } catch {
        throw fetchFailed(`The host ${host} could not be resolved`);
      }
      if (addresses.length === 0) throw fetchFailed(`The host ${host} has no address`);
    }
    if (!this.opts.allowPrivate) {
      for (const a of addresses) {
        const v = classifyAddress(a.address);
        // Any bad address refuses the URL: a name that resolves to both a public and a private address is a known trick.
        if (!v.allowed) throw forbidden(`The URL resolves to a ${v.reason}, which is not allowed`);
      }
    }
    return addresses[0]!;
  }

  private withDeadline<T>(p: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.timeoutError(timeoutMs));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private timeoutError(timeoutMs: number): VisageError {
    return fetchFailed(`Fetching the URL took longer than ${timeoutMs} ms`);
  }

  private download(url: URL, target: ResolvedAddress, signal: AbortSignal, timeoutMs: number, requireImageType: boolean): Promise<Uint8Array> {
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<Uint8Array>((resolve, reject) => {
      let settled = false;
      const fail = (e: VisageError) => {
        if (settled) return;
        settled = true;
        reject(e);
      };
      const req = lib.request(
        {
          protocol: url.protocol,
          hostname,
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          lookup: pinned,
          agent: false,
          signal,
          // SNI must be a name, never an IP literal.
          ...(url.protocol === 'https:' && !isIpLiteral(hostname) ? { servername: hostname } : {}),
          headers: { accept: 'image/*', 'user-agent': 'visage-url-fetcher', 'accept-encoding': 'identity' },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const drop = (e: VisageError) => {
            res.destroy();
            fail(e);
          };
          if (status >= 300 && status < 400) return drop(fetchFailed(`The URL answered with a redirect (${status}); redirects are not followed`, { status }));
          if (status < 200 || status >= 300) return drop(fetchFailed(`The URL answered with HTTP ${status}`, { status }));
          const ctype = res.headers['content-type'];
          if (!acceptableContentType(ctype, requireImageType)) {
            return drop(new VisageError('UNSUPPORTED_MEDIA_TYPE', ctype ? `The URL served ${ctype}, not an image/* type` : 'The URL served no content type; an image/* type is required', { param: 'url' }));
          }
          const tooLarge = () =>
            new VisageError('IMAGE_TOO_LARGE', `The image at the URL exceeds ${this.opts.maxBytes} bytes`, { param: 'url', maxBytes: this.opts.maxBytes });
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > this.opts.maxBytes) return drop(tooLarge());
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.opts.maxBytes) return drop(tooLarge());
            chunks.push(chunk);
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            const buf = Buffer.concat(chunks);
            resolve(new Uint8Array(buf.buffer, buf.byteOffset, buf.length));
          });
          res.on('error', () => fail(signal.aborted ? this.timeoutError(timeoutMs) : fetchFailed('The connection broke while reading the image')));
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (signal.aborted) return fail(this.timeoutError(timeoutMs));
        fail(fetchFailed(`The URL could not be fetched${e.code ? ` (${e.code})` : ''}`));
      });
      req.end();
    });
  }
}
