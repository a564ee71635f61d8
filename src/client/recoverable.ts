import { AttachRejectedError, isAttachDisconnectedError, isAttachRejectedError, isReconnectBudgetExceededError, isTokenProviderError } from '../errors.js';
import { AUTH_HINT, isAuthRefusal } from '../observables/attach.js';

/** Refusals that no reconnect can fix: the credentials or the request are wrong. */
const FINAL_REFUSALS: readonly (number | undefined)[] = [400, 401, 403];

/** Close 1008: the server refused what the socket did (serve: a write on a read-only attach); the next socket would too. */
const POLICY_VIOLATION = 1008;

/**
 * Whether an attach failure takes the recovery path (probe, then drain or reconnect): any cut but
 * a Close 1008 (policy violation),
 * and any refused or failed connect except an auth or request refusal. A 404 goes there too: the
 * probe then tells a finished execution (drain) from a gone one (`ExecutionGoneError`). A token
 * provider that failed for this socket (`TokenProviderError`) is a failed connect too: the next
 * connection asks it again, and the reconnect budget bounds a provider that keeps failing.
 *
 * @example
 * drainOnTerminal({ probe, reattach, isDisconnect: isRecoverableAttachFailure });
 */
export function isRecoverableAttachFailure(error: unknown): boolean {
  if (isAttachDisconnectedError(error)) return error.closeCode !== POLICY_VIOLATION;
  if (isTokenProviderError(error)) return true;
  return isAttachRejectedError(error) && !FINAL_REFUSALS.includes(error.status);
}

/** A refused or failed connect whose status the socket did not show. */
const isUnknownRefusal = (error: unknown): boolean => isAttachRejectedError(error) && error.status === undefined;

/**
 * Whether a drain's failure ends the execution with it (`drainOnTerminal`'s `isFinal`): a refusal
 * for auth (401, 403), and, while no socket of the execution has `opened`, a refusal without a
 * status: a wrong `webSocketAuth` looks like that where the socket shows no status.
 */
export const isFinalDrainFailure = (error: unknown, opened: boolean): boolean => isAuthRefusal(error) || (!opened && isUnknownRefusal(error));

/**
 * The error an execution ends with when none of its sockets ever opened: a refusal without a
 * status (the drain's last, or the one a spent reconnect budget gave up on) becomes an
 * `AttachRejectedError` that names the likely cause; any other error stays as it is.
 */
export function unopenedError(error: unknown): unknown {
  const last = isReconnectBudgetExceededError(error) ? (error.cause as Error | undefined)?.cause : error;
  return isUnknownRefusal(last)
    ? new AttachRejectedError(`attach refused: status unknown (${AUTH_HINT})`, undefined, undefined, { cause: error })
    : error;
}
