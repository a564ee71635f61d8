import { isAttachDisconnectedError, isAttachRejectedError, isTokenProviderError } from '../errors.js';

/** Refusals that no reconnect can fix: the credentials or the request are wrong. */
const FINAL_REFUSALS: readonly (number | undefined)[] = [400, 401, 403];

/**
 * Whether an attach failure takes the recovery path (probe, then drain or reconnect): any cut,
 * and any refused or failed connect except an auth or request refusal. A 404 goes there too: the
 * probe then tells a finished execution (drain) from a gone one (`ExecutionGoneError`). A token
 * provider that failed for this socket (`TokenProviderError`) is a failed connect too: the next
 * connection asks it again, and the reconnect budget bounds a provider that keeps failing.
 *
 * @example
 * drainOnTerminal({ probe, reattach, isDisconnect: isRecoverableAttachFailure });
 */
export function isRecoverableAttachFailure(error: unknown): boolean {
  if (isAttachDisconnectedError(error) || isTokenProviderError(error)) return true;
  return isAttachRejectedError(error) && !FINAL_REFUSALS.includes(error.status);
}
