import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInstanceError } from '../../../client/recipes/errors.js';
import {
  type ServiceInstance,
  encodeServiceInstance,
  instancePath,
  makeServiceInstance,
  parseServiceInstance,
} from '../../../client/recipes/service-instance.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * The znode text Curator 5.4's ServiceDiscovery wrote for an instance with a payload and a
 * UriSpec, as captured by test/interop/java-client.test.ts ('ServiceDiscovery: ... the instance
 * znode JSON'); keep the two in step.
 */
const curatorZnodeJson =
  '{"name":"web","id":"web-1","address":"127.0.0.1","port":8080,"sslPort":null,' +
  '"payload":{"@class":"CuratorScenarios$Details","zone":"eu-1","weight":5},' +
  '"registrationTimeUTC":1700000000000,"serviceType":"DYNAMIC","uriSpec":{"parts":[' +
  '{"value":"scheme","variable":true},{"value":"://","variable":false},' +
  '{"value":"address","variable":true},{"value":":","variable":false},{"value":"port","variable":true}]}}';

describe("service instances in Curator's JSON layout", () => {
  it("gives back Curator's own znode bytes after parse then encode", () => {
    const parsed = parseServiceInstance('/c-services/web/web-1', bytes(curatorZnodeJson));
    expect(parsed.payload).toEqual({ '@class': 'CuratorScenarios$Details', zone: 'eu-1', weight: 5 });
    expect(Buffer.from(encodeServiceInstance(parsed)).equals(Buffer.from(curatorZnodeJson, 'utf8'))).toBe(true);
  });

  it('encodes the fields in Curator order with nulls written out, and enabled only when set', () => {
    const instance = makeServiceInstance({ name: 's', address: 'h', port: 1 }, { wallMs: 5, id: 'i' });
    expect(new TextDecoder().decode(encodeServiceInstance(instance))).toBe(
      '{"name":"s","id":"i","address":"h","port":1,"sslPort":null,"payload":null,"registrationTimeUTC":5,"serviceType":"DYNAMIC","uriSpec":null}',
    );
    const enabled = makeServiceInstance({ name: 's', id: 'x', enabled: false }, { wallMs: 5, id: 'unused' });
    expect(new TextDecoder().decode(encodeServiceInstance(enabled))).toMatch(/"uriSpec":null,"enabled":false}$/);
  });

  it('parses with the defaults of Curator for missing fields and ignores unknown ones', () => {
    const parsed = parseServiceInstance('/services/s/i', bytes('{"name":"s","id":"i","extra":1}'));
    expect(parsed).toEqual({
      name: 's',
      id: 'i',
      address: null,
      port: null,
      sslPort: null,
      payload: null,
      registrationTimeUTC: 0,
      serviceType: 'DYNAMIC',
      uriSpec: null,
    });
  });

  it('rejects what is not an instance with InvalidInstanceError naming the path', () => {
    for (const data of [null, bytes(''), bytes('nope'), bytes('{"id":"i"}'), bytes('{"name":"s","id":"i","port":"80"}'), new Uint8Array([0xff])]) {
      let error: unknown;
      try {
        parseServiceInstance('/services/s/i', data);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(InvalidInstanceError);
      expect((error as InvalidInstanceError).path).toBe('/services/s/i');
    }
  });

  it('keeps a payload key named __proto__ as an own key, as JSON and Jackson do', () => {
    const data = new TextEncoder().encode('{"name":"a","id":"b","payload":{"__proto__":[1],"x":{"__proto__":null}}}');
    const parsed = parseServiceInstance('/p', data);
    expect(JSON.stringify(parsed.payload)).toBe('{"__proto__":[1],"x":{"__proto__":null}}');
    expect(Object.keys(parsed.payload as object)).toEqual(['__proto__', 'x']);
  });

  it('round-trips every instance (property)', () => {
    const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as ServiceInstance['payload']);
    const instance = fc.record({
      name: fc.string({ minLength: 1 }),
      id: fc.string({ minLength: 1 }),
      address: fc.option(fc.string(), { nil: null }),
      port: fc.option(fc.integer({ min: 0, max: 65_535 }), { nil: null }),
      sslPort: fc.option(fc.integer({ min: 0, max: 65_535 }), { nil: null }),
      payload: json,
      registrationTimeUTC: fc.integer({ min: 0, max: 2 ** 45 }),
      serviceType: fc.constantFrom('DYNAMIC', 'STATIC', 'PERMANENT', 'DYNAMIC_SEQUENTIAL' as const),
      uriSpec: fc.option(fc.record({ parts: fc.array(fc.record({ value: fc.string(), variable: fc.boolean() })) }), { nil: null }),
    });
    fc.assert(
      fc.property(instance, (i) => {
        expect(parseServiceInstance('/p', encodeServiceInstance(i))).toEqual(i);
      }),
    );
  });

  it('instancePath is <basePath>/<name>/<id>', () => {
    expect(instancePath('/services', 'api', 'x1')).toBe('/services/api/x1');
  });
});
