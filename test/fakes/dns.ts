// A FAKE DNS server over UDP that answers PTR questions (RFC 1035 §4.1 message format, RFC 1035 §3.5
// in-addr.arpa, RFC 3596 §2.5 ip6.arpa): names it knows get PTR answers, others NXDOMAIN.
import { createSocket, type Socket } from 'node:dgram';

export interface FakeDns {
  /** `IP:PORT` to give a resolver. */
  server: string;
  /** PTR names by reverse name, e.g. `1.20.9.45.in-addr.arpa`. */
  ptr: Map<string, string[]>;
  questions: string[];
  close(): Promise<void>;
}

export function reverseName(ipv4: string): string {
  return `${ipv4.split('.').reverse().join('.')}.in-addr.arpa`;
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function readQuestion(msg: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let i = 12;
  while (msg[i] !== 0) {
    const len = msg[i]!;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString());
    i += len + 1;
  }
  return { name: labels.join('.'), end: i + 5 }; // zero byte + QTYPE + QCLASS
}

export async function startFakeDns(): Promise<FakeDns> {
  const socket: Socket = createSocket('udp4');
  const fake = { ptr: new Map<string, string[]>(), questions: [] as string[] };
  socket.on('message', (msg, from) => {
    const { name, end } = readQuestion(msg);
    fake.questions.push(name);
    const names = fake.ptr.get(name.toLowerCase()) ?? [];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // the query's id
    header.writeUInt16BE(names.length > 0 ? 0x8180 : 0x8183, 2); // response, RD, RA; rcode 3 = NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(names.length, 6);
    const answers = names.map((n) => {
      const rdata = encodeName(n);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
      rr.writeUInt16BE(12, 2); // PTR
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(300, 6);
      rr.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([rr, rdata]);
    });
    socket.send(Buffer.concat([header, msg.subarray(12, end), ...answers]), from.port, from.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return Object.assign(fake, {
    server: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  });
}
