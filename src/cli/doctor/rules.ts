/**
 * The values docs/protocol.md gives, which the doctor holds a server to, and the slack a measured
 * time gets for the network (in round trips) and for timers.
 */

import { DEFAULT_RING_BYTES } from '../../delivery/replayCursor.js';

/** The replay ring per stream. */
export const RING_BYTES = DEFAULT_RING_BYTES;
/** The longest Ping period a client's default idle bound (45 s, three periods) allows. */
export const PING_INTERVAL_MS = 15_000;
/** Timer slack on the Ping period. */
export const PING_SLACK_MS = 1_000;
/** The longest a newer runner waits for the client's Close after the exit frame. */
export const CLOSE_WAIT_MAX_MS = 5_000;
/** A Close later than this (plus two round trips) after the exit frame means the server waited. */
export const CLOSE_AT_ONCE_MS = 250;
/** `DELETE` while attached: the exit frame and Close come "within milliseconds"; this, plus two round trips, is the bound. */
export const DELETE_CLOSE_MS = 1_000;
/** The exit code of a SIGKILLed process. */
export const KILLED_EXIT_CODE = 137;
