// Write coalescing on a Redis connection's socket. ioredis writes each command to
// the socket as it is issued: one system call per command, which was about a quarter
// of the daemon's CPU in a burst of schedule fires and of the engine's per step. Here
// the writes issued while the event loop handles one round of I/O are held
// (socket.cork) and leave together once that round is over (setImmediate, then
// uncork: one writev). Nothing else changes: the order of commands on the connection,
// ioredis' replies, retries and reconnects. Only when the bytes leave does, by at
// most one turn of the loop. Unlike ioredis' autopipelining, it keeps any number of
// commands in flight and never regroups them.
import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';

const held = new WeakSet<Socket>();

/** Coalesces the writes of `socket` from now on (idempotent). */
export function coalesceWrites(socket: Socket): void {
  if (held.has(socket)) return;
  held.add(socket);
  const write = socket.write;
  let corked = false;
  const release = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(release);
    }
    return write.apply(this, args);
  } as Socket['write'];
}

/** Coalesces the writes of every socket `client` connects with (each reconnect opens a new one). */
export function coalesceClientWrites(client: Redis): void {
  // `stream` is unset until the first connect.
  if (client.stream) coalesceWrites(client.stream);
  client.on('connect', () => coalesceWrites(client.stream));
}
