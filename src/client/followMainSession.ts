import { Observable } from 'rxjs';
import type { ExecEvent } from '../events.js';
import type { FollowTarget } from './followTarget.js';

/**
 * Follows the box's main session: `follow(target)` is the recovery pipeline of a target whose id
 * its first socket names (see `mainSessionSocket`); `started` comes from that socket's open.
 *
 * ```
 * first socket (box route):  --o--a--|         o: 101, X-Boxlite-Execution-Id: e1
 * probe (by e1):                     -t|       t: terminal
 * drain (e1's route):                  --o(ax)|
 * followMainSession:         --s--a----------(x|)   s: started e1
 * ```
 */
export function followMainSession(follow: (target: FollowTarget) => Observable<ExecEvent>, readOnly?: boolean): Observable<ExecEvent> {
  return new Observable<ExecEvent>((subscriber) => follow({ readOnly, main: subscriber }).subscribe(subscriber));
}
