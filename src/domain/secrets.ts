// Secrets never reach a prompt: every piece of text bound for Bedrock passes through redactSecrets first, which
// replaces secret values with `[REDACTED:<kind>]` markers and reports how many of each kind it removed (never the
// values). It over-redacts rather than under-redacts: a lost password-looking value costs the analysis little.
// Three passes: PEM blocks; structure (a whole JSON document is walked; YAML is read line by line); then patterns
// over the remaining text (key formats, assignments, headers, URLs).

export const SECRET_KINDS = [
  'kubernetes-secret-data',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'bearer-token',
  'basic-auth',
  'jwt',
  'private-key',
  'certificate',
  'kubeconfig-credential',
  'secret-env-value',
  'secret-field',
  'url-credentials',
  'github-token',
  'slack-token',
  'api-key',
  'docker-registry-auth',
] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

export interface RedactionResult {
  text: string;
  /** How many values of each kind were replaced. */
  counts: Partial<Record<SecretKind, number>>;
  total: number;
}

export const redactionMarker = (kind: SecretKind): string => `[REDACTED:${kind}]`;

/** Kubeconfig `users[].user` fields holding credentials (certificate-authority-data is public and kept). */
const KUBECONFIG_CREDENTIAL_KEYS = new Set([
  'client-key-data',
  'client-key',
  'client-certificate-data',
  'token',
  'token-file',
  'password',
  'id-token',
  'refresh-token',
  'access-token',
  'client-secret',
]);
const SECRET_NAME_PARTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'accountkey',
  'privatekey',
  'credential',
  'clientkey',
  'sessionkey',
  'signingkey',
  'encryptionkey',
  'masterkey',
  'connectionstring',
  'dsn',
];
/** Names that point at a secret rather than hold one (secretName, secretKeyRef, passwordFile, tokenTTL, credential-id…). */
const REFERENCE_SUFFIX =
  /(name|names|ref|refs|path|file|dir|url|type|ttl|kind|mode|enabled|count|length|expiry|expiration|seconds|version|format|policy|provider|selector|id|ids)$/;

/** Whether a field, variable or flag name suggests its value is a secret (DB_PASSWORD, apiKey, client_secret…). */
export function isSecretLikeName(name: string): boolean {
  const compact = name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  if (compact === 'auth' || compact === 'authorization' || compact.endsWith('accesskeyid')) return true;
  if (REFERENCE_SUFFIX.test(compact) || compact.startsWith('existing')) return false;
  return SECRET_NAME_PARTS.some((part) => compact.includes(part));
}

/** The kind of a value known by its name: AWS credential names get their own kinds. */
export function kindForName(name: string, fallback: SecretKind): SecretKind {
  const compact = name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  if (compact.endsWith('secretaccesskey')) return 'aws-secret-access-key';
  if (compact.endsWith('accesskeyid')) return 'aws-access-key-id';
  if (compact.endsWith('sessiontoken')) return 'aws-session-token';
  if (compact === 'auth') return 'docker-registry-auth';
  return fallback;
}

type Counts = Partial<Record<SecretKind, number>>;
const bump = (counts: Counts, kind: SecretKind, n = 1) => void (counts[kind] = (counts[kind] ?? 0) + n);
const NOT_A_SECRET_VALUE = /^(?:|""|''|true|false|null|~|\[REDACTED:[a-z-]+\]|"\[REDACTED:[a-z-]+\]")$/i;

export function redactSecrets(input: string): RedactionResult {
  const counts: Counts = {};
  let text = redactPem(input, counts);
  text = redactStructure(text, counts);
  text = redactPatterns(text, counts);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return { text, counts, total };
}

function redactPem(text: string, counts: Counts): string {
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  let out = text.replace(pem, (_block, label: string) => {
    const kind: SecretKind = /PRIVATE KEY/.test(label) ? 'private-key' : 'certificate';
    bump(counts, kind);
    return redactionMarker(kind);
  });
  // A private key cut off before its END line (truncated logs) is still a private key.
  out = out.replace(
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*$/,
    () => (bump(counts, 'private-key'), redactionMarker('private-key')),
  );
  return out;
}

function redactStructure(text: string, counts: Counts): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return JSON.stringify(redactJson(parsed, false, counts), null, 2);
    } catch {
      // Not a JSON document: fall through to the line reader.
    }
  }
  return text
    .split(/^(?=---[ \t]*$)/m)
    .map((doc) => redactYamlDocument(doc, counts))
    .join('');
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function redactJson(value: unknown, inKubeconfig: boolean, counts: Counts): unknown {
  if (Array.isArray(value)) return value.map((v) => redactJson(v, inKubeconfig, counts));
  if (typeof value === 'string') {
    // Annotations such as last-applied-configuration hold whole JSON documents as strings.
    if (/^\s*[{[]/.test(value)) {
      try {
        return JSON.stringify(redactJson(JSON.parse(value), inKubeconfig, counts));
      } catch {
        // Not JSON after all: treat it as text below.
      }
    }
    // Strings can hold whole documents (a manifest, a kubeconfig, a log): give them the full treatment.
    if (value.length < 8) return value;
    const inner = redactSecrets(value);
    for (const [kind, n] of Object.entries(inner.counts) as Array<[SecretKind, number]>) bump(counts, kind, n);
    return inner.text;
  }
  if (!isObject(value)) return value;
  const isSecret = value.kind === 'Secret';
  const kube = inKubeconfig || value.kind === 'Config' || (Array.isArray(value.users) && Array.isArray(value.clusters));
  const envSecret = typeof value.name === 'string' && 'value' in value && isSecretLikeName(value.name);
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (isSecret && (key === 'data' || key === 'stringData') && isObject(v)) {
      out[key] = Object.fromEntries(
        Object.keys(v).map(
          (k) => (bump(counts, 'kubernetes-secret-data'), [k, redactionMarker('kubernetes-secret-data')]),
        ),
      );
    } else if (isSecret && key === 'kubectl.kubernetes.io/last-applied-configuration') {
      bump(counts, 'kubernetes-secret-data');
      out[key] = redactionMarker('kubernetes-secret-data');
    } else if (kube && KUBECONFIG_CREDENTIAL_KEYS.has(key) && isScalarSecret(v)) {
      bump(counts, 'kubeconfig-credential');
      out[key] = redactionMarker('kubeconfig-credential');
    } else if (envSecret && key === 'value' && isScalarSecret(v)) {
      bump(counts, 'secret-env-value');
      out[key] = redactionMarker('secret-env-value');
    } else if (isSecretLikeName(key) && isScalarSecret(v)) {
      const kind = kindForName(key, 'secret-field');
      bump(counts, kind);
      out[key] = redactionMarker(kind);
    } else {
      out[key] = redactJson(v, kube, counts);
    }
  }
  return out;
}

const isScalarSecret = (v: unknown) =>
  (typeof v === 'string' && !NOT_A_SECRET_VALUE.test(v.trim())) || typeof v === 'number';

/** `key: value` lines, with an optional list dash and quotes around the key. */
const YAML_KEY = /^(\s*)(-\s+)?(["']?)([A-Za-z0-9_./-]+)\3:(?:[ \t]+(.*))?$/;
const BLOCK_SCALAR = /^[|>][0-9+-]*\s*(#.*)?$/;

function redactYamlDocument(doc: string, counts: Counts): string {
  const isSecretDoc = /^\s*(-\s+)?kind:\s*["']?Secret["']?\s*$/m.test(doc);
  const isKubeconfig =
    /^kind:\s*["']?Config["']?\s*$/m.test(doc) || (/^users:\s*$/m.test(doc) && /^clusters:\s*$/m.test(doc));
  const out: string[] = [];
  let skipDeeperThan: number | undefined; // continuation lines of a block scalar being redacted
  let secretDataAt: number | undefined; // column of a Secret's data:/stringData: key
  let env: { col: number; name: string } | undefined; // the `- name: X` list item being read

  for (const line of doc.split('\n')) {
    const indent = line.search(/\S/);
    if (skipDeeperThan !== undefined) {
      if (indent === -1 || indent > skipDeeperThan) continue;
      skipDeeperThan = undefined;
    }
    if (secretDataAt !== undefined && indent !== -1 && indent <= secretDataAt) secretDataAt = undefined;
    const m = YAML_KEY.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const [, spaces = '', dash = '', , key = '', rawValue] = m;
    const col = spaces.length + dash.length;
    const value = rawValue?.replace(/\s+#.*$/, '').trim();
    if (env !== undefined && (col < env.col || (dash !== '' && col <= env.col))) env = undefined;
    const replace = (kind: SecretKind) => {
      bump(counts, kind);
      if (value !== undefined && BLOCK_SCALAR.test(value)) skipDeeperThan = col;
      // Keep the line's own key text, quoting and trailing comma (JSON-looking YAML stays JSON-looking).
      const prefix = line.slice(0, line.length - (rawValue?.length ?? 0));
      const quoted = value?.startsWith('"') ? `"${redactionMarker(kind)}"` : redactionMarker(kind);
      out.push(`${prefix}${quoted}${value?.endsWith(',') ? ',' : ''}`);
    };
    const hasValue = value !== undefined && !NOT_A_SECRET_VALUE.test(value.replace(/,$/, ''));

    if (secretDataAt !== undefined && col > secretDataAt) {
      if (hasValue) replace('kubernetes-secret-data');
      else out.push(line);
    } else if (isSecretDoc && (key === 'data' || key === 'stringData')) {
      if (hasValue) replace('kubernetes-secret-data');
      else {
        secretDataAt = col;
        out.push(line);
      }
    } else if (isSecretDoc && key === 'kubectl.kubernetes.io/last-applied-configuration' && hasValue) {
      replace('kubernetes-secret-data');
    } else if (isKubeconfig && KUBECONFIG_CREDENTIAL_KEYS.has(key) && hasValue) {
      replace('kubeconfig-credential');
    } else if (key === 'name' && dash !== '' && value) {
      env = { col, name: value.replace(/^["']|["']$/g, '') };
      out.push(line);
    } else if (key === 'value' && env !== undefined && col === env.col && isSecretLikeName(env.name) && hasValue) {
      replace('secret-env-value');
    } else if (isSecretLikeName(key) && hasValue) {
      replace(kindForName(key, 'secret-field'));
    } else {
      out.push(line);
    }
  }
  return out.join('\n');
}

interface Pattern {
  kind: SecretKind;
  /** The kind when it depends on the match (e.g. the variable's name). */
  kindOf?: (...groups: string[]) => SecretKind;
  re: RegExp;
  /** Replacement keeping context (e.g. the key name); default: the whole match becomes the marker. */
  replace?: (marker: string, ...groups: string[]) => string;
  /** Skip matches that are not secrets after all. */
  accept?: (match: string, ...groups: string[]) => boolean;
}

const keep = (marker: string, prefix: string) => `${prefix}${marker}`;
const hasMixedCharClasses = (s: string) =>
  /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s) && !/^[0-9a-f]+$/i.test(s);

const PATTERNS: Pattern[] = [
  // Embedded JSON Secret (e.g. inside a log line): blank its data maps.
  {
    kind: 'kubernetes-secret-data',
    re: /(\\?"(?:data|stringData)\\?"\s*:\s*)\{[^{}]*\}/g,
    replace: (m, p = '') => `${p}"${m}"`,
  },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g },
  { kind: 'bearer-token', re: /(\b[Bb]earer\s+)[A-Za-z0-9\-._~+/]{8,}=*/g, replace: keep },
  { kind: 'basic-auth', re: /(\b[Bb]asic\s+)[A-Za-z0-9+/]{8,}=*/g, replace: keep },
  { kind: 'aws-access-key-id', re: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/g },
  { kind: 'aws-session-token', re: /\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz)[A-Za-z0-9/+=]{20,}/g },
  { kind: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})\b/g },
  { kind: 'slack-token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  {
    kind: 'api-key',
    re: /\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35}|(?:sk|rk)_live_[A-Za-z0-9]{16,}|npm_[A-Za-z0-9]{36}|glpat-[A-Za-z0-9_-]{20}|hf_[A-Za-z0-9]{30,})/g,
  },
  { kind: 'url-credentials', re: /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@'"]+:)[^/\s@'"]+(?=@)/gi, replace: keep },
  // JSON pairs outside a parsed document: {"name":"DB_PASSWORD","value":"…"} and "client_secret": "…".
  {
    kind: 'secret-env-value',
    re: /(\\?"name\\?"\s*:\s*\\?"([^"\\]+)\\?"\s*,\s*\\?"value\\?"\s*:\s*\\?")((?:[^"\\]|\\[^"])*)(?=\\?")/g,
    replace: keep,
    accept: (_m, _p, name = '', value = '') => isSecretLikeName(name) && value !== '',
  },
  {
    kind: 'secret-field',
    kindOf: (_p, key = '') => kindForName(key, 'secret-field'),
    re: /(\\?"([^"\\\n]+)\\?"\s*:\s*\\?")((?:[^"\\\n]|\\[^"])*)(?=\\?")/g,
    replace: keep,
    accept: (_m, _p, key = '', value = '') => isSecretLikeName(key) && !NOT_A_SECRET_VALUE.test(value),
  },
  // Command-line flags: --token xyz, --password=xyz
  {
    kind: 'secret-field',
    re: /(--([a-z][a-z0-9-]*)[= ])("[^"\n]*"|'[^'\n]*'|[^\s"'-][^\s"']*)/g,
    replace: keep,
    accept: (_m, _p, name = '', value = '') => isSecretLikeName(name) && !NOT_A_SECRET_VALUE.test(value),
  },
  // Shell, .env and INI assignments: export DB_PASSWORD=…, aws_secret_access_key = …
  {
    kind: 'secret-env-value',
    kindOf: (_p, name = '') => kindForName(name, 'secret-env-value'),
    re: /(\b([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s"'&;]+)/g,
    replace: keep,
    accept: (_m, _p, name = '', value = '') => isSecretLikeName(name) && !NOT_A_SECRET_VALUE.test(value),
  },
  // A bare 40-character AWS secret access key (mixed case and digits, not a hex digest).
  {
    kind: 'aws-secret-access-key',
    re: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    accept: (m) => hasMixedCharClasses(m),
  },
];

function redactPatterns(text: string, counts: Counts): string {
  let out = text;
  // An embedded Secret is recognised by its kind; only then are its data maps blanked by the first pattern.
  const embeddedSecret = /\\?"kind\\?"\s*:\s*\\?"Secret\\?"/.test(out);
  for (const [i, p] of PATTERNS.entries()) {
    if (i === 0 && !embeddedSecret) continue;
    out = out.replace(p.re, (match: string, ...args: unknown[]) => {
      const groups = args.filter((a): a is string => typeof a === 'string' || a === undefined).map((a) => a ?? '');
      if (p.accept && !p.accept(match, ...groups)) return match;
      if (match.includes('[REDACTED:')) return match;
      const kind = p.kindOf ? p.kindOf(...groups) : p.kind;
      bump(counts, kind);
      const marker = redactionMarker(kind);
      return p.replace ? p.replace(marker, ...groups) : marker;
    });
  }
  return out;
}
