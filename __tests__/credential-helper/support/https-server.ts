import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

export interface LoopbackTls {
  /** PEM of the self-signed server certificate: the only CA a child process needs (NODE_EXTRA_CA_CERTS). */
  caPem: string;
  key: string;
  cert: string;
}

/** A self-signed certificate for 127.0.0.1, made at test time so no key is ever committed. */
export async function makeLoopbackTls(): Promise<LoopbackTls> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { caPem: pems.cert, key: pems.private, cert: pems.cert };
}

export type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** Starts an HTTPS server on 127.0.0.1 and an ephemeral port; resolves with its base URL. */
export async function startHttpsServer(tls: LoopbackTls, handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  // Child processes open keep-alive connections; do not let them hold the server open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `https://127.0.0.1:${port}` };
}

export async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

export function sendXml(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/xml' });
  response.end(body);
}
