/**
 * The nodes of the 3-node cluster of test/broker/cluster.sh, from what
 * `cluster.sh env` prints (test/cluster/run.sh and test/bench/cluster.sh export
 * it). No test hooks here: the cluster benchmark imports it too.
 */

function listFromEnv(name: string): string[] {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: export what \`bash test/broker/cluster.sh env\` prints (test/cluster/run.sh does)`);
  return value.split(/\s+/).filter(Boolean);
}

/** AMQP URLs of nodes a, b, c. */
export const NODE_URLS = listFromEnv("FM_CLUSTER_AMQP_URLS");
/** Management HTTP URLs (credentials included) of nodes a, b, c. */
export const MGMT_URLS = listFromEnv("FM_CLUSTER_MGMT_URLS");
/** Erlang node names of a, b, c. */
export const NODES = listFromEnv("FM_CLUSTER_NODES");
export const LETTERS = ["a", "b", "c"] as const;

/** The node list starting at node `first`, then the others in order: each daemon its own first node. */
export function urlsFrom(first: number): string[] {
  return NODE_URLS.map((_, i) => NODE_URLS[(first + i) % NODE_URLS.length]!);
}
