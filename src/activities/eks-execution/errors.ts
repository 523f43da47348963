// How EKS errors become activity outcomes (eks-execution.md §1, §3): throttling, 5xx and network errors are
// retryable (Temporal's retry policy owns the backoff); every 4xx is a non-retryable ApplicationFailure whose type is
// the EKS error name (InvalidStateException, ResourceInUseException, …), so the workflow can branch on it and ask the
// operator. Anything else (a bug) is left as it is.
import { ApplicationFailure } from '@temporalio/common';

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ServerException',
  'ServiceUnavailableException',
  'InternalFailure',
  'RequestTimeout',
  'TimeoutError',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

/** An EKS answer with a status (a service error), or a failure to get one (the network). */
export function isAwsError(error: unknown): boolean {
  const e = error as SdkError | undefined;
  return (
    !!e &&
    typeof e === 'object' &&
    ('$metadata' in e || NETWORK_CODES.has(e.code ?? '') || /socket hang up|ECONNRESET/i.test(e.message ?? ''))
  );
}

export function isRetryableEksError(error: unknown): boolean {
  const e = error as SdkError;
  const status = httpStatusOf(error);
  if (RETRYABLE_NAMES.has(e.name ?? '')) return true;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  // No HTTP answer at all: a dropped connection or a timeout. The request may have been applied (a lost 200); the
  // next attempt reads state first and resends with the same token.
  return status === undefined && isAwsError(error);
}

/** The EKS error as a Temporal failure; non-EKS errors are returned unchanged. */
export function toActivityFailure(error: unknown, what: string): unknown {
  if (error instanceof ApplicationFailure || !isAwsError(error)) return error;
  const e = error as SdkError;
  const name = e.name ?? 'EksError';
  const details = { errorName: name, message: e.message ?? '', httpStatus: httpStatusOf(error) ?? null };
  const message = `${what}: ${name}: ${e.message ?? ''}`;
  return isRetryableEksError(error)
    ? ApplicationFailure.retryable(message, name, details)
    : ApplicationFailure.nonRetryable(message, name, details);
}
