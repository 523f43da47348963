// A wire-level fake of raw.githubusercontent.com for the Kubernetes CHANGELOG files the release-notes activity
// downloads (GET <base>/CHANGELOG-1.NN.md), with a switch that leaves requests hanging: a slow network, for tests
// that abort or kill a worker while the evidence phase is running. Point the activity's changelogBaseUrl at `url`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChangelogFake {
  url: string;
  /** Paths requested, in order. */
  readonly hits: string[];
  /** While true, requests get no answer (until `hang` turns false for new requests, or close()). */
  hang: boolean;
  close(): Promise<void>;
}

/** A minimal CHANGELOG for a minor: the x.y.0 section with one urgent upgrade note. */
export function changelogText(minor: string): string {
  return [
    `# v${minor}.0`,
    '',
    '## Urgent Upgrade Notes',
    '',
    '### (No, really, you MUST read this before you upgrade)',
    '',
    `- The fake CHANGELOG for ${minor}: kube-proxy's iptables mode needs a node restart after the upgrade. ([#1](https://github.com/kubernetes/kubernetes/pull/1), [@fake](https://github.com/fake))`,
    '',
  ].join('\n');
}

export async function startChangelogFake(options: { hang?: boolean } = {}): Promise<ChangelogFake> {
  const hanging = new Set<ServerResponse>();
  const hits: string[] = [];
  const state = { hang: options.hang ?? false };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    hits.push(req.url ?? '');
    if (state.hang) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const match = /^\/CHANGELOG-(1\.\d+)\.md$/.exec(req.url ?? '');
    if (!match?.[1]) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(changelogText(match[1]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    get hang() {
      return state.hang;
    },
    set hang(value: boolean) {
      state.hang = value;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
