/**
 * The connect string (`host:port,host:port/chroot`) and the order in which hosts are tried.
 * Pure: randomness comes from an injected Rng and delays are returned, never slept.
 */
import type { Rng } from '../util/rng.js';

/** The port a host without one gets, as in ZooKeeper's ConnectStringParser. */
export const defaultClientPort = 2181;

/** One server address of a connect string. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A parsed connect string: its hosts in written order and an optional chroot. */
export interface ConnectString {
  readonly hosts: readonly HostPort[];
  /** The chroot prefix without a trailing slash, or undefined when there is none (or it is `/`). */
  readonly chroot: string | undefined;
}

/** Raised for a connect string that cannot be parsed; names the offending part. */
export class InvalidConnectStringError extends Error {
  override name = 'InvalidConnectStringError';
}

/** Parses `host:port,host:port/chroot` after ZooKeeper's ConnectStringParser (IPv6 as `[::1]:2181`). */
export function parseConnectString(text: string): ConnectString {
  const slash = text.indexOf('/');
  const hostPart = slash === -1 ? text : text.slice(0, slash);
  const chrootPart = slash === -1 ? undefined : text.slice(slash);
  const hosts = hostPart
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0)
    .map(parseHostPort);
  if (hosts.length === 0) throw new InvalidConnectStringError(`connect string has no hosts: "${text}"`);
  return { hosts, chroot: parseChroot(chrootPart) };
}

function parseChroot(chroot: string | undefined): string | undefined {
  if (chroot === undefined || chroot === '/') return undefined;
  const bad =
    chroot.endsWith('/') ||
    chroot.includes('//') ||
    chroot.split('/').some((segment) => segment === '.' || segment === '..');
  if (bad) throw new InvalidConnectStringError(`invalid chroot: "${chroot}"`);
  return chroot;
}

function parseHostPort(item: string): HostPort {
  let host: string;
  let portText: string | undefined;
  if (item.startsWith('[')) {
    const close = item.indexOf(']');
    if (close === -1) throw new InvalidConnectStringError(`unclosed IPv6 bracket: "${item}"`);
    host = item.slice(1, close);
    const rest = item.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new InvalidConnectStringError(`bad host: "${item}"`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = item.lastIndexOf(':');
    host = colon === -1 ? item : item.slice(0, colon);
    portText = colon === -1 ? undefined : item.slice(colon + 1);
  }
  const port = portText === undefined ? defaultClientPort : Number(portText);
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidConnectStringError(`bad host:port: "${item}"`);
  }
  return { host, port };
}

/** Backoff bounds for a HostList, in milliseconds. */
export interface HostListOptions {
  readonly backoffMsMin: number;
  readonly backoffMsMax: number;
}

/** The next host to try and how long to wait before trying it. */
export interface HostAttempt {
  readonly host: HostPort;
  readonly delayMs: number;
}

/**
 * Hosts shuffled once (like ZooKeeper's StaticHostProvider) and tried round-robin. After a
 * whole round fails, the next attempt waits a doubling delay capped at `backoffMsMax`, with
 * jitter, so a dead ensemble is not hammered; a successful connection resets the delay.
 */
export class HostList {
  readonly #hosts: readonly HostPort[];
  readonly #rng: Rng;
  readonly #options: HostListOptions;
  #index = -1;
  #attemptsSinceConnected = 0;
  #failedRounds = 0;

  constructor(hosts: readonly HostPort[], rng: Rng, options: HostListOptions) {
    if (hosts.length === 0) throw new InvalidConnectStringError('host list is empty');
    this.#hosts = rng.shuffle(hosts);
    this.#rng = rng;
    this.#options = options;
  }

  /** The hosts in the (shuffled) order they are tried. */
  get hosts(): readonly HostPort[] {
    return this.#hosts;
  }

  /** The next host in round-robin order, with the delay to wait before connecting to it. */
  next(): HostAttempt {
    this.#index = (this.#index + 1) % this.#hosts.length;
    const host = this.#hosts[this.#index] as HostPort;
    const roundDone = this.#attemptsSinceConnected > 0 && this.#attemptsSinceConnected % this.#hosts.length === 0;
    this.#attemptsSinceConnected++;
    if (!roundDone) return { host, delayMs: 0 };
    this.#failedRounds++;
    return { host, delayMs: this.#backoffMs() };
  }

  /** Records a successful connection, so the next failure starts a fresh round without delay. */
  connected(): void {
    this.#attemptsSinceConnected = 0;
    this.#failedRounds = 0;
  }

  #backoffMs(): number {
    const { backoffMsMin, backoffMsMax } = this.#options;
    const exponent = Math.min(this.#failedRounds - 1, 20);
    const ceiling = Math.min(backoffMsMax, backoffMsMin * 2 ** exponent);
    // Half fixed, half jitter: clients that lost the same server do not retry in lockstep.
    return Math.floor(ceiling / 2 + this.#rng.next() * (ceiling / 2));
  }
}
