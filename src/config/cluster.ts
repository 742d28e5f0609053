// `cluster:` several Vigil nodes sharing one NATS JetStream stream (ingest, correlation partitions) and one
// PostgreSQL store (README "Cluster mode"). Off by default: one process is the default and stays so.
import { z } from 'zod';
import { componentSchema } from './component.js';
import { duration, MIN, HOUR } from './fragments.js';

export const clusterSchema = componentSchema({
  /** This node's name, unique in the cluster (default: the host name). Shown by `vigil cluster status`. */
  nodeId: z.string().regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, - and _ (it names a key in NATS)').default(''),
  /** NATS server URLs (nats://host:4222, tls://host:4222); the client fails over between them. */
  servers: z.array(z.string().min(1)).min(1).default(['nats://127.0.0.1:4222']),
  /** NATS user and password (write ${NAME} for an environment variable). */
  user: z.string().default(''),
  password: z.string().default(''),
  /** NATS token authentication. */
  token: z.string().default(''),
  /** A NATS credentials file (JWT and NKey seed, as `nsc` writes it). */
  credsFile: z.string().default(''),
  /** TLS to NATS: the CA that signed the servers' certificates, and this node's certificate and key (mutual TLS). */
  tls: z
    .object({
      caFile: z.string().default(''),
      certFile: z.string().default(''),
      keyFile: z.string().default(''),
    })
    .strict()
    .default({ caFile: '', certFile: '', keyFile: '' }),
  /** The JetStream stream every node shares; its subjects are `<stream>.in` and `<stream>.p.<partition>`. */
  stream: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _').default('VIGIL'),
  /**
   * Correlation partitions. Fixed for the life of the stream: every correlation group (rule, group-by values) lives
   * on one of them, and each is served by one node at a time. More partitions than nodes lets the load spread.
   */
  partitions: z.number().int().min(1).max(1024).default(16),
  /** How long an ownership lease (and a node's membership) lasts without renewal: the failover time. */
  leaseTtl: duration.default(10_000),
  /** How long the stream keeps alerts: the longest outage of the store (or of every node) it bridges, and the rebuild window. */
  maxAge: duration.default(24 * HOUR),
  /** Most bytes the stream keeps (0: bounded by maxAge only). */
  maxBytes: z.number().int().nonnegative().default(0),
  /** Stream replicas (3 on a three-server NATS cluster). */
  replicas: z.number().int().min(1).max(5).default(1),
  /** Within this window JetStream drops a second publish of the same alert key (Nats-Msg-Id). */
  duplicateWindow: duration.default(10 * MIN),
  /** How long a node may take over a batch from the stream before JetStream gives it to another node (a crashed node's batch waits this long). */
  ackWait: duration.default(30_000),
  /** How long ingest waits for JetStream's acknowledgement before answering 503. */
  publishTimeout: duration.default(5_000),
});

export type ClusterConfig = z.output<typeof clusterSchema>;
