/**
 * One socket write per turn instead of one per frame.
 *
 * rhea writes every frame with its own `socket.write()`. A busy consumer sends
 * a DISPOSITION, a session FLOW and a link FLOW after each socket read: three
 * syscalls and three TCP segments, each waking the broker, where one would do
 * (measured with strace on the bench: three writes per read). rhea produces all
 * of a turn's frames in `Connection._process()`; corking the socket around it
 * sends them together in one writev.
 */
import type { Connection } from "rhea";

interface ConnectionInternals {
  _process(): void;
  socket?: { cork(): void; uncork(): void; writable?: boolean };
}

export function batchFramesPerTurn(connection: Connection): void {
  const internals = connection as unknown as ConnectionInternals;
  const process = internals._process;
  internals._process = function (this: ConnectionInternals): void {
    const socket = this.socket;
    if (!socket?.writable) {
      process.call(this);
      return;
    }
    socket.cork();
    try {
      process.call(this);
    } finally {
      socket.uncork();
    }
  };
}
