/**
 * Socket settings shared by both SDK clients. Keep-alive matters: every SDK call costs ~0.55 ms
 * of CPU already (docs/design.md, "Performance facts"); a new TCP/TLS handshake per call would add more.
 */
export function httpHandlerOptions(maxSockets: number) {
  return {
    httpAgent: { keepAlive: true, maxSockets },
    httpsAgent: { keepAlive: true, maxSockets },
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
  };
}
