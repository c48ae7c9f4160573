/**
 * Loopback runs past ~15,000 connections make connect() kernel-bound on ephemeral ports (docs/design.md,
 * "Performance facts"). Every address in 127.0.0.0/8 is loopback on Linux, and each source
 * address has its own port range, so big local runs bind clients to 127.0.0.1, .2, .3, …
 * Keep each address well below ~7,000 sockets: libuv binds with SO_REUSEADDR, and past that many
 * ports in use Linux scans the used ones on every bind (measured: ~20 µs per bind+connect below,
 * 0.7–1.5 ms above; bench/RESULTS.md).
 */
export const CLIENTS_PER_SOURCE_ADDRESS = 5_000;

/** Spreading applies only to a loopback IPv4 target (by its host name) and only when one address would not do. */
export function clientsPerSourceAddress(host: string | undefined, clients: number): number {
  if (host === undefined || !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return 0;
  return clients > CLIENTS_PER_SOURCE_ADDRESS ? CLIENTS_PER_SOURCE_ADDRESS : 0;
}

/** The source address of `client`, or undefined to let the kernel choose. */
export function sourceAddressFor(client: number, perAddress: number): string | undefined {
  if (perAddress <= 0) return undefined;
  const n = 1 + Math.floor(client / perAddress);
  return `127.0.${Math.floor(n / 256)}.${n % 256}`;
}
