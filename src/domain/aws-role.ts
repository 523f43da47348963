// The IAM role a worker assumes to read a cluster in another account: how a role ARN looks, and the STS session
// name that says in CloudTrail which upgrade (and campaign) made the calls. Both sides import this: the campaign
// file and the upgrade input check the ARN the same way, and the workflow names the session deterministically.

/** arn:<partition>:iam::<12-digit account>:role/<path and name>, the shape STS AssumeRole takes. */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const ROLE_ARN_HINT = 'expected an IAM role ARN such as arn:aws:iam::123456789012:role/eks-upgrade';

/** STS RoleSessionName: 2–64 characters of [A-Za-z0-9_+=,.@-]. */
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MAX_SESSION_NAME = 64;

/** FNV-1a, 32 bits, as 8 hex digits: keeps two long names that share a prefix apart after truncation. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * A valid session name from its parts (e.g. the campaign and the upgrade's workflow id), joined by '.': characters
 * STS refuses become '-', and a name over 64 characters keeps its start and ends in a hash of the whole.
 */
export function roleSessionName(parts: readonly string[]): string {
  const joined = parts
    .filter((p) => p.length > 0)
    .join('.')
    .replace(/[^\w+=,.@-]/g, '-');
  const name = joined.length >= 2 ? joined : `${joined}--`.slice(0, 2);
  if (name.length <= MAX_SESSION_NAME) return name;
  const hash = shortHash(name);
  return `${name.slice(0, MAX_SESSION_NAME - hash.length - 1)}-${hash}`;
}
