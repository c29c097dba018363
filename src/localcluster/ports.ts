// Free loopback ports, so that several control planes (one per test run, one per developer) run side by side.
import { createServer } from 'node:net';

function onePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port the kernel assigned'));
      });
    });
  });
}

/**
 * Returns `count` distinct free ports. The kernel hands out ephemeral ports in sequence, so a port just released is
 * unlikely to be handed to someone else before the component binds it; a component that loses the race fails to
 * start with a clear "address already in use" in its log.
 */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await onePort());
  return [...ports];
}
