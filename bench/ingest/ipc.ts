// One request to a benchmark's peer process (forked, talking over IPC) and the answer of the kind awaited.
import type { ChildProcess } from 'node:child_process';

export function ask<Reply extends { kind: string }, K extends Reply['kind']>(peer: ChildProcess, message: { kind: string }, kind: K): Promise<Extract<Reply, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (r: Reply) => {
      if (r.kind !== kind) return;
      peer.off('exit', onExit);
      peer.off('message', onMessage);
      resolve(r as Extract<Reply, { kind: K }>);
    };
    const onExit = (code: number | null) => reject(new Error(`the peer process exited (${code}) before answering ${message.kind}`));
    peer.on('message', onMessage);
    peer.once('exit', onExit);
    peer.send(message);
  });
}
