/** The `doctor` subcommand's synopsis and notes, for `boxlite-rx --help` and `boxlite-rx doctor --help`. */

export const DOCTOR_SYNOPSIS = 'boxlite-rx doctor [--url URL] [--token TOKEN] [--prefix P] [--json] BOX_ID';

export const DOCTOR_NOTES = `doctor checks the wire behaviour of the server BOX_ID runs on against docs/protocol.md. It runs
three harmless commands in the box (echo, seq 1 70000, and a silent sleep 30 it deletes after the
first Ping) and prints one line per check with the value it measured: the token accepted on REST
and on the upgrade, the POST /exec answer, the replay shape (one ring frame, or one frame per
chunk, from a re-attach after the exit), the ring size when the replay shows it, the Ping period,
the 409 of a second attach, the Close after the exit frame (whether the server waits for the
client's), DELETE while attached, the frames, the error bodies of an unknown execution and of a
wrong token, the round trip, the server's reading of the attach query stdin (an attach with
stdin=false and one with stdin=bogus beside the sleep's writer: serve's, the newer runner's, or
ignored), the box's main session (a read-only attach to /boxes/BOX_ID/attach: its id, 404 or 409)
and the listing (GET /boxes/BOX_ID/executions: 200 or 404); then the client options it recommends
for that server. It takes about as long as the server's first Ping (15 s), plus up to 5 s if the
server waits for the Close.
Every execution it starts is deleted before it leaves; the token is never printed.
--json prints the same report as one JSON document.
Exit statuses: 0 every line agrees with docs/protocol.md; 1 a line differs (marked DIFFERS);
2 bad usage; 125 the doctor could not run (its first POST /exec failed; one line on stderr).`;
