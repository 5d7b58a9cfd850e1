import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isReadOnlyOperation } from '../../src/collect/index.js';

/**
 * A moto server (https://github.com/getmoto/moto, `python -m moto.server`) for one test file, on a
 * free loopback port, behind a request-logging proxy on another loopback port. lvs is pointed at the
 * proxy (AWS_ENDPOINT_URL); the proxy forwards every request unchanged and records which operation it
 * was, so that a test can prove `lvs audit` sent only reads. Nothing leaves 127.0.0.1.
 *
 * moto is started through moto-launcher.py, which corrects a few places where moto 5.2.1 answers
 * differently from AWS (each one documented there) before it runs moto's own server.
 */

/** The Python that runs moto: MOTO_PYTHON, else python3 on PATH. */
export const MOTO_PYTHON = process.env.MOTO_PYTHON ?? 'python3';

const LAUNCHER = fileURLToPath(new URL('./moto-launcher.py', import.meta.url));

/** Whether moto's server can be imported (no moto = the moto tests are skipped, saying why). */
export function motoAvailable(): { ok: true } | { ok: false; why: string } {
  const probe = spawnSync(MOTO_PYTHON, ['-c', 'import moto.server, moto; print(moto.__version__)'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (probe.error !== undefined)
    return { ok: false, why: `${MOTO_PYTHON} cannot run: ${probe.error.message}` };
  if (probe.status !== 0)
    return {
      ok: false,
      why: `${MOTO_PYTHON} -c "import moto.server" failed: ${probe.stderr.trim().split('\n').pop()}`,
    };
  return { ok: true };
}

/** One request seen by the proxy. */
export interface SeenCall {
  /** The operation when the request names it (query protocols: Action; JSON protocols: X-Amz-Target), else undefined. */
  operation: string | undefined;
  method: string;
  path: string;
  /** Whether the request is a read: a named Describe/List/Get operation, or a REST GET/HEAD. */
  read: boolean;
  /** moto's HTTP status (0 until it answered). */
  status: number;
}

export interface MotoServer {
  /** The proxy's URL: what AWS_ENDPOINT_URL points at. */
  url: string;
  /** moto itself, unlogged (the account builder writes here). */
  directUrl: string;
  /** Requests that went through the proxy since the last clearCalls(). */
  calls: SeenCall[];
  clearCalls(): void;
  /** POST /moto-api/reset: every backend back to empty. */
  reset(): Promise<void>;
  /** The last lines moto printed (its request log, tracebacks). */
  log(): string;
  /** Stops the proxy and kills moto's process group. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto did not answer on ${url} within 60 s: ${log()}`);
}

/** The operation a request names, if any (awsQuery/ec2: Action in the form body or query; awsJson: X-Amz-Target). */
function operationOf(req: IncomingMessage, body: Buffer): string | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const inQuery = url.searchParams.get('Action');
  if (inQuery !== null) return inQuery;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    const action = new URLSearchParams(body.toString('utf8')).get('Action');
    if (action !== null) return action;
  }
  return undefined;
}

function startProxy(target: number, calls: SeenCall[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = operationOf(req, body);
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const seen: SeenCall = {
        operation,
        method,
        path,
        read:
          operation !== undefined ? isReadOnlyOperation(operation) : method === 'GET' || method === 'HEAD',
        status: 0,
      };
      if (!path.startsWith('/moto-api')) calls.push(seen);
      const upstream = request(
        { host: '127.0.0.1', port: target, method, path: req.url, headers: req.headers },
        (answer) => {
          seen.status = answer.statusCode ?? 0;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      upstream.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export interface MotoOptions {
  /** Deviations moto-launcher.py should leave uncorrected (its LVS_MOTO_KEEP names). */
  keep?: string[];
}

export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const port = await freePort();
  let output = '';
  // detached: moto gets its own process group, so stop() can kill it and anything it forked.
  const child = spawn(MOTO_PYTHON, [LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // moto only knows AWS managed policies (AWSLambdaVPCAccessExecutionRole…) when asked to load them.
    env: {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
      MOTO_EC2_LOAD_DEFAULT_AMIS: 'false',
      LVS_MOTO_KEEP: (options.keep ?? []).join(','),
    },
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const directUrl = `http://127.0.0.1:${port}`;
  const kill = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  // Should the test end without stop() (a crash, a timeout), moto goes with it (the launcher also
  // exits once its parent process is gone).
  process.once('exit', kill);
  try {
    await waitUntilUp(directUrl, child, () => output);
  } catch (error) {
    kill();
    throw error;
  }
  const calls: SeenCall[] = [];
  const proxy = await startProxy(port, calls);
  const proxyPort = (proxy.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${proxyPort}`,
    directUrl,
    calls,
    clearCalls: () => void calls.splice(0, calls.length),
    log: () => output,
    async reset() {
      const res = await fetch(`${directUrl}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
      calls.splice(0, calls.length);
    },
    async stop() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      process.removeListener('exit', kill);
      kill();
      const timer = setTimeout(() => {
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
