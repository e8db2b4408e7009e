import { describe, expect, it } from 'vitest';
import { HostList, InvalidConnectStringError, parseConnectString } from '../../../client/host-list.js';
import { Rng } from '../../../util/rng.js';

describe('parseConnectString', () => {
  it('parses hosts with and without ports, defaulting to 2181', () => {
    expect(parseConnectString('a:1,b, c:3')).toEqual({
      hosts: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2181 },
        { host: 'c', port: 3 },
      ],
      chroot: undefined,
    });
  });

  it('splits off the chroot at the first slash', () => {
    expect(parseConnectString('127.0.0.1:2181,h:2/app/x')).toEqual({
      hosts: [
        { host: '127.0.0.1', port: 2181 },
        { host: 'h', port: 2 },
      ],
      chroot: '/app/x',
    });
  });

  it('treats a chroot of "/" as no chroot', () => {
    expect(parseConnectString('h:1/').chroot).toBeUndefined();
  });

  it('accepts bracketed IPv6 addresses', () => {
    expect(parseConnectString('[::1]:2182,[fe80::1]').hosts).toEqual([
      { host: '::1', port: 2182 },
      { host: 'fe80::1', port: 2181 },
    ]);
  });

  it.each(['', ',', 'h:0', 'h:70000', 'h:x', '[::1', 'h:1/a/', 'h:1/a//b', 'h:1/a/../b'])(
    'rejects %j',
    (text) => {
      expect(() => parseConnectString(text)).toThrow(InvalidConnectStringError);
    },
  );
});

describe('HostList', () => {
  const hosts = [1, 2, 3, 4, 5].map((n) => ({ host: `h${n}`, port: 2180 + n }));
  const options = { backoffMsMin: 100, backoffMsMax: 1_000 };

  it('shuffles deterministically from the seed and keeps every host', () => {
    const a = new HostList(hosts, new Rng(7), options).hosts;
    const b = new HostList(hosts, new Rng(7), options).hosts;
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x.port - y.port)).toEqual(hosts);
  });

  it('different seeds give some different order', () => {
    const orders = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => JSON.stringify(new HostList(hosts, new Rng(s), options).hosts)));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('tries each host once without delay, then backs off with a growing, capped delay', () => {
    const list = new HostList(hosts, new Rng(1), options);
    const firstRound = hosts.map(() => list.next());
    expect(firstRound.map((a) => a.delayMs)).toEqual([0, 0, 0, 0, 0]);
    expect(new Set(firstRound.map((a) => a.host.host)).size).toBe(5);
    const delays: number[] = [];
    for (let round = 0; round < 8; round++) {
      const attempts = hosts.map(() => list.next());
      delays.push(attempts[0]?.delayMs ?? -1);
      expect(attempts.slice(1).map((a) => a.delayMs)).toEqual([0, 0, 0, 0]);
    }
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(options.backoffMsMin / 2);
      expect(d).toBeLessThanOrEqual(options.backoffMsMax);
    }
    expect(delays.at(-1)).toBeGreaterThanOrEqual(options.backoffMsMax / 2);
  });

  it('a successful connection resets the backoff', () => {
    const list = new HostList(hosts.slice(0, 1), new Rng(1), options);
    list.next();
    expect(list.next().delayMs).toBeGreaterThan(0);
    list.connected();
    expect(list.next().delayMs).toBe(0);
    expect(list.next().delayMs).toBeGreaterThan(0);
  });
});
