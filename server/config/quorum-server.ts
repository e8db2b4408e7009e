import { ConfigError } from './config-error.js';
import type { QuorumServerConfig } from './server-config.js';

/** A host and the colon-separated fields after it; a bracketed IPv6 host keeps its colons. */
function splitHost(text: string): { host: string; rest: string[] } | null {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    const after = text.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return null;
    return { host: text.slice(1, close), rest: after === '' ? [] : after.slice(1).split(':') };
  }
  const [host = '', ...rest] = text.split(':');
  return { host, rest };
}

function port(text: string | undefined, min: number): number | null {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= 65535 ? n : null;
}

function parseClientPart(key: string, text: string, file: string): { clientHost?: string; clientPort: number } {
  const split = text.includes(':') ? splitHost(text) : { host: '', rest: [text] };
  const clientPort = port(split?.rest[0], 0);
  if (split === null || split.rest.length !== 1 || clientPort === null) {
    throw new ConfigError(file, key, `expected a client port or host:port after ";", got "${text}"`);
  }
  return split.host === '' ? { clientPort } : { clientHost: split.host, clientPort };
}

function parseRole(key: string, text: string | undefined, file: string): 'participant' | 'observer' {
  const role = (text ?? 'participant').toLowerCase();
  if (role === 'participant' || role === 'observer') return role;
  throw new ConfigError(file, key, `expected participant or observer, got "${text ?? ''}"`);
}

/**
 * Parses the value of `server.<id>` as QuorumPeer.QuorumServer does:
 * `host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]`.
 */
export function parseQuorumServer(key: string, id: number, value: string, file: string): QuorumServerConfig {
  const form = 'host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]';
  if (value.includes('|')) throw new ConfigError(file, key, 'multiple addresses per server are not supported');
  const parts = value.split(';');
  if (parts.length > 2) throw new ConfigError(file, key, `expected ${form}, got "${value}"`);
  const split = splitHost(parts[0] ?? '');
  if (split === null || split.host === '' || split.rest.length < 2 || split.rest.length > 3) {
    throw new ConfigError(file, key, `expected ${form}, got "${value}"`);
  }
  const quorumPort = port(split.rest[0], 1);
  const electionPort = port(split.rest[1], 1);
  if (quorumPort === null || electionPort === null) {
    throw new ConfigError(file, key, `expected ports in 1..65535, got "${value}"`);
  }
  if (quorumPort === electionPort) {
    throw new ConfigError(file, key, `quorumPort and electionPort must differ, got "${value}"`);
  }
  const role = parseRole(key, split.rest[2], file);
  const client = parts[1] === undefined ? {} : parseClientPart(key, parts[1], file);
  return { id, host: split.host, quorumPort, electionPort, role, ...client };
}
