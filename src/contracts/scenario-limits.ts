/**
 * The ranges a scenario may ask for, checked before anything starts. They keep every phase and
 * every timer the harness sets within what Node's timers hold (2^31 − 1 ms, about 24.8 days:
 * past it a timer fires at once) and every wait meaningful.
 */

/** The longest a phase may take: a send or idle duration, or a connect/join ramp at its rate. */
export const MAX_PHASE_MS = 24 * 3_600_000;

/** The shortest send phase (`duration`, `--duration`): one of 0 ms sends nothing and passes. */
export const MIN_SEND_MS = 1;

/**
 * connect and ack timeouts: below 100 ms the harness's own scheduling would be blamed on the
 * target; above 15 minutes (Lambda's longest timeout) nothing in the chain is still answering.
 */
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 15 * 60_000;

/** Connects, joins or messages per second: far above what one host can offer, but finite. */
export const MAX_RATE = 1_000_000;

/**
 * Clients in one run: past this no single host holds the sockets (files, ports, memory), so it is
 * refused whatever `--ignore-host-limits` says; below it the host's own limits decide (fleet-limits.ts).
 */
export const MAX_CLIENTS = 1_000_000;

/** Longest a single timer may be set for (Node clamps anything longer to 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
