// What every Kubernetes read shares: following a list's pages (limit/continue), and recording a failed read instead
// of failing the whole inventory: a 403 becomes a denied entry (the checks that need it are skipped, with the RBAC
// rule), another failure an unavailable one; a 401 (the identity is unknown to the cluster) stops the read.
import { ApiException } from '@kubernetes/client-node';
import type { DeniedResource, KubernetesAccess } from '../../domain/kubernetes-inventory';

export type Json = Record<string, unknown>;

/** A list response: typed models call the continue token `_continue`, plain objects `continue`. */
export interface Page<T> {
  items: T[];
  metadata?: { _continue?: string; continue?: string };
}

/** Typed client models carry the JSON field names, so the domain can read them as plain JSON. */
export function plain(value: unknown): Json {
  return value as Json;
}

/** Every page of a list, handing each item to `each` (bodies are not kept). */
export async function listAll<T>(
  list: (cont: string | undefined) => Promise<Page<T>>,
  each: (item: T) => void,
): Promise<void> {
  let cont: string | undefined;
  do {
    const page = await list(cont);
    for (const item of page.items ?? []) each(item);
    cont = page.metadata?._continue ?? page.metadata?.continue;
  } while (cont);
}

function errorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: unknown } | string | undefined;
    const message = typeof body === 'object' && body && typeof body.message === 'string' ? body.message : '';
    return `HTTP ${error.code}${message ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export class AccessRecorder {
  readonly access: KubernetesAccess;

  constructor(
    via: string,
    private readonly onWarning?: (message: string) => void,
  ) {
    this.access = { via, denied: [], unavailable: [] };
  }

  /** Runs one read; its result, or undefined when it was denied or failed (recorded, and told to onWarning). */
  async section<T>(
    what: string,
    denied: Omit<DeniedResource, 'message'>,
    read: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof ApiException && error.code === 401)
        throw new Error(
          `the Kubernetes API refused the credentials (HTTP 401) while reading ${what}: check the kubeconfig user or the IAM identity's access entry`,
          { cause: error },
        );
      const message = errorMessage(error);
      if (error instanceof ApiException && error.code === 403) {
        this.access.denied.push({ ...denied, message });
        this.onWarning?.(`cannot ${denied.verb} ${what} (403); checks that need it are skipped`);
      } else {
        this.unavailable(what, message);
      }
      return undefined;
    }
  }

  unavailable(what: string, reason: string): void {
    this.access.unavailable.push({ what, reason });
    this.onWarning?.(`could not read ${what}: ${reason}`);
  }
}
