/** A local HTTP server on 127.0.0.1 serving an image (typed, octet-stream, untyped), a redirect, HTML, an endless body and a hang. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ImageServer {
  base: string;
  port: number;
  lastHeaders: IncomingHttpHeaders | undefined;
  close(): Promise<void>;
}

export async function startImageServer(image: Buffer): Promise<ImageServer> {
  const state: { lastHeaders: IncomingHttpHeaders | undefined } = { lastHeaders: undefined };
  const server: Server = createServer((req, res) => {
    state.lastHeaders = req.headers;
    switch (req.url) {
      case '/img.jpg':
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': image.length });
        return res.end(image);
      case '/octet':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(image);
      case '/untyped':
        // No content-type header at all.
        res.writeHead(200, { 'content-length': image.length });
        return res.end(image);
      case '/redirect':
        res.writeHead(302, { location: '/img.jpg' });
        return res.end();
      case '/page.html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end('<html>not an image</html>');
      case '/endless': {
        // No content-length: only the streaming cap can stop it.
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        const chunk = Buffer.alloc(64 * 1024, 1);
        let sent = 0;
        const pump = () => {
          while (sent < 64 * 1024 * 1024 && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      case '/hang':
        return; // never answers
      default:
        res.writeHead(404);
        return res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    get lastHeaders() {
      return state.lastHeaders;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
