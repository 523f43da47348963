// No Docker engine runs here, so docker-compose.yml and the Dockerfile are checked for structure and for agreement
// with the code's defaults: ports, addresses, task queue, environment variable names, shutdown grace, non-root user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigSchema } from '../../src/domain/config';
import { DEFAULT_UI_URL } from '../../src/client/context';
import { DEFAULT_ADDRESS, DEFAULT_NAMESPACE } from '../../src/worker/temporal-target';
import { DEFAULT_SHUTDOWN_GRACE_MS, WORKER_ENV_VARS } from '../../src/worker/worker-env';
import { TASK_QUEUE } from '../../src/workflows/constants';

const root = join(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  depends_on?: string[] | Record<string, unknown>;
  environment?: string[] | Record<string, string>;
  ports?: string[];
  stop_grace_period?: string;
  healthcheck?: { test?: string[]; interval?: string; retries?: number };
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

function service(name: string): Service {
  const s = compose.services[name];
  assert.ok(s, `docker-compose.yml has no service '${name}'`);
  return s;
}

/** Environment as a map; a bare `KEY` (pass-through from the host) maps to undefined. */
function envOf(s: Service): Map<string, string | undefined> {
  const env = s.environment ?? [];
  if (!Array.isArray(env)) return new Map(Object.entries(env).map(([k, v]) => [k, String(v)]));
  return new Map(
    env.map((entry) => {
      const i = entry.indexOf('=');
      return i < 0 ? [entry, undefined] : [entry.slice(0, i), entry.slice(i + 1)];
    }),
  );
}

function dependsOn(s: Service): string[] {
  return Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
}

/** host:container port mappings. */
function portMap(s: Service): Map<number, number> {
  return new Map(
    (s.ports ?? []).map((p) => {
      const [host, container] = String(p).split(':').slice(-2).map(Number);
      return [host ?? NaN, container ?? NaN];
    }),
  );
}

function seconds(duration: string | undefined): number {
  const m = /^(\d+)(ms|s|m)$/.exec(duration ?? '');
  assert.ok(m, `stop_grace_period '${duration}' is not a duration like 150s`);
  return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60 } as Record<string, number>)[m[2] ?? 's']!;
}

void test('the stack has PostgreSQL, a Temporal server on it, the Web UI and the worker', () => {
  assert.match(service('postgresql').image ?? '', /^postgres:\d+/);
  const temporal = service('temporal');
  assert.match(
    temporal.image ?? '',
    /^temporalio\/auto-setup:1\.29\.\d+$/,
    'server 1.29.x, like the dev server the tests use',
  );
  const env = envOf(temporal);
  assert.equal(env.get('DB'), 'postgres12', 'auto-setup selects its PostgreSQL plugin with DB=postgres12');
  assert.equal(env.get('POSTGRES_SEEDS'), 'postgresql', 'POSTGRES_SEEDS must name the database service');
  assert.equal(env.get('POSTGRES_USER'), envOf(service('postgresql')).get('POSTGRES_USER'));
  assert.equal(env.get('POSTGRES_PWD'), envOf(service('postgresql')).get('POSTGRES_PASSWORD'));
  assert.ok(dependsOn(temporal).includes('postgresql'));
  assert.match(service('temporal-ui').image ?? '', /^temporalio\/ui:\d+\.\d+\.\d+$/);
});

void test('published ports match the client defaults (TEMPORAL_ADDRESS and the Web UI link)', () => {
  const frontendPort = Number(DEFAULT_ADDRESS.split(':')[1]);
  assert.equal(portMap(service('temporal')).get(frontendPort), 7233, `${DEFAULT_ADDRESS} must reach the frontend`);
  const uiPort = Number(new URL(DEFAULT_UI_URL).port);
  assert.equal(
    portMap(service('temporal-ui')).get(uiPort),
    8080,
    `${DEFAULT_UI_URL} must reach the UI container's port 8080`,
  );
  assert.equal(envOf(service('temporal-ui')).get('TEMPORAL_ADDRESS'), 'temporal:7233');
});

void test("the worker is built from this repository's Dockerfile and points at the compose server", () => {
  const worker = service('worker');
  assert.deepEqual(worker.build, { context: '.', dockerfile: 'Dockerfile' });
  assert.deepEqual(worker.command, ['worker']);
  assert.ok(dependsOn(worker).includes('temporal'));
  const env = envOf(worker);
  assert.equal(env.get('TEMPORAL_ADDRESS'), 'temporal:7233');
  assert.equal(env.get('TEMPORAL_NAMESPACE'), DEFAULT_NAMESPACE);
  assert.equal(
    env.get('EKS_UPGRADE_TASK_QUEUE'),
    TASK_QUEUE,
    'the worker must poll the queue the CLI starts upgrades on',
  );
  assert.equal(Number(env.get('EKS_UPGRADE_SHUTDOWN_GRACE_MS')), DEFAULT_SHUTDOWN_GRACE_MS);
  assert.ok(
    seconds(worker.stop_grace_period) * 1000 > DEFAULT_SHUTDOWN_GRACE_MS,
    'docker must wait longer than the worker drains, or in-flight calls are SIGKILLed',
  );
});

void test('the worker gets every configuration variable the code reads, and no unknown one', () => {
  const configVars = Object.keys(ConfigSchema.in.shape);
  const env = envOf(service('worker'));
  for (const name of configVars)
    assert.ok(env.has(name), `docker-compose.yml worker does not pass ${name} (src/domain/config.ts reads it)`);
  const known = new Set([...configVars, ...WORKER_ENV_VARS]);
  for (const name of env.keys()) {
    const ok = known.has(name) || /^(TEMPORAL|AWS)_/.test(name);
    assert.ok(ok, `docker-compose.yml sets ${name}, which no code reads (typo?)`);
  }
});

void test('the Dockerfile runs as a non-root user, on a supported Node, starting the worker', () => {
  const from = /^FROM\s+node:(\d+)/m.exec(dockerfile);
  assert.ok(from, 'FROM node:<major>');
  const engines = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } })
    .engines.node;
  assert.ok(Number(from[1]) >= Number(/\d+/.exec(engines)?.[0]), `Node ${from[1]} must satisfy engines ${engines}`);
  const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
  assert.ok(users.length > 0, 'the Dockerfile must switch to a non-root USER');
  assert.ok(!['root', '0'].includes(users[users.length - 1] ?? ''), 'the last USER must not be root');
  assert.match(dockerfile, /^ENTRYPOINT \["node", "bin\/eks-upgrade\.cjs"\]$/m);
  assert.match(dockerfile, /^CMD \["worker"\]$/m);
  assert.match(dockerfile, new RegExp(`EKS_UPGRADE_TASK_QUEUE=${TASK_QUEUE}\\b`));
  assert.match(dockerfile, /npm ci --omit=dev/);
});

void test('healthchecks gate start-up, the database tag is pinned, its password comes from the environment', () => {
  assert.match(service('postgresql').image ?? '', /^postgres:\d+\.\d+$/, 'a pinned PostgreSQL tag (major.minor)');
  for (const name of ['postgresql', 'temporal', 'worker'])
    assert.ok(service(name).healthcheck?.test?.length, `${name} has a healthcheck`);
  assert.deepEqual(service('temporal').healthcheck?.test?.slice(1, 5), ['temporal', 'operator', 'cluster', 'health']);
  const workerHealth = envOf(service('worker')).get('EKS_UPGRADE_HEALTH_FILE');
  assert.ok(workerHealth && service('worker').healthcheck?.test?.join(' ').includes(workerHealth));
  for (const name of ['worker', 'temporal-ui'])
    assert.deepEqual(
      (service(name).depends_on as Record<string, { condition?: string }>).temporal,
      { condition: 'service_healthy' },
      `${name} waits for a healthy server`,
    );
  assert.match(String(envOf(service('postgresql')).get('POSTGRES_PASSWORD')), /^\$\{POSTGRES_PASSWORD:\?/);
  assert.equal(envOf(service('temporal')).get('POSTGRES_PWD'), envOf(service('postgresql')).get('POSTGRES_PASSWORD'));
  assert.doesNotMatch(composeText, /PASSWORD: temporal|PWD: temporal/, 'no password written in the file');
});

void test('published ports listen on 127.0.0.1 unless EKS_UPGRADE_BIND_ADDRESS says otherwise', () => {
  for (const s of Object.values(compose.services))
    for (const port of s.ports ?? [])
      assert.match(String(port), /^\$\{EKS_UPGRADE_BIND_ADDRESS:-127\.0\.0\.1\}:\d+:\d+$/);
});
