// Free loopback ports, so that several control planes (one per test run, one per developer) run side by side.
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

// Below the kernel's ephemeral range (32768–60999 by default): a port there can be taken at any moment by an
// outgoing connection's local end, between our check and the component's bind.
const LOW = 20_000;
const HIGH = 32_000;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Returns `count` distinct ports that were free a moment ago, picked at random so that parallel starts rarely pick
 * the same. A component that still loses a race fails with "address already in use", and LocalCluster.start
 * retries with new ports.
 */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < count; tries++) {
    if (tries > 1000) throw new Error(`found no ${count} free ports in ${LOW}-${HIGH} on 127.0.0.1`);
    const port = randomInt(LOW, HIGH);
    if (!ports.has(port) && (await canBind(port))) ports.add(port);
  }
  return [...ports];
}
