import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { OpCode } from '../../protocol/opcodes.js';
import { ensembleTargets, suiteName, useServer } from './targets.js';

/** The op type of every sub-result of a failed multi. */
const errorResult = OpCode.error;

describe.each(ensembleTargets)('$label', (target) => {
  describe.skipIf(target.skip)(suiteName(target, 'multi'), () => {
    const fx = useServer(target);

    it('a successful multi applies every op and returns one typed result per op', async () => {
      const c = await fx.connect();
      await c.create('/m1');
      const { err, results } = await c.multi((t) =>
        t.create('/m1/a', 'a').create('/m1/b', 'b').setData('/m1/a', 'a2').check('/m1/a', 1).remove('/m1/b'),
      );
      expect(err).toBe(ErrorCode.Ok);
      expect(results).toEqual([
        { type: OpCode.create, err: 0, path: '/m1/a' },
        { type: OpCode.create, err: 0, path: '/m1/b' },
        { type: OpCode.setData, err: 0 },
        { type: OpCode.check, err: 0 },
        { type: OpCode.delete, err: 0 },
      ]);
      expect((await c.getChildren('/m1')).children).toEqual(['a']);
      expect((await c.getData('/m1/a')).data).toBe('a2');
    });

    it('a failing multi applies nothing: Ok before the failure, the code at it, RuntimeInconsistency after', async () => {
      const c = await fx.connect();
      await c.create('/m2', 'orig');
      const { err, results } = await c.multi((t) =>
        t.create('/m2/new').remove('/m2/nonexistent').setData('/m2', 'changed'),
      );
      expect(err).toBe(ErrorCode.NoNode);
      expect(results).toEqual([
        { type: errorResult, err: ErrorCode.Ok },
        { type: errorResult, err: ErrorCode.NoNode },
        { type: errorResult, err: ErrorCode.RuntimeInconsistency },
      ]);
      expect(await c.exists('/m2/new')).toBeNull();
      expect((await c.getData('/m2')).data).toBe('orig');
    });

    it('check with a wrong version fails the multi with BadVersion', async () => {
      const c = await fx.connect();
      await c.create('/m3');
      const { err, results } = await c.multi((t) => t.check('/m3', 7).create('/m3/x'));
      expect(err).toBe(ErrorCode.BadVersion);
      expect(results.map((r) => r.err)).toEqual([ErrorCode.BadVersion, ErrorCode.RuntimeInconsistency]);
      expect(await c.exists('/m3/x')).toBeNull();
    });

    it('NodeExists and NotEmpty inside a multi are reported at their op', async () => {
      const c = await fx.connect();
      await c.create('/m4');
      await c.create('/m4/child');
      const exists = await c.multi((t) => t.create('/m4/other').create('/m4/child'));
      expect(exists.results.map((r) => r.err)).toEqual([ErrorCode.Ok, ErrorCode.NodeExists]);
      const notEmpty = await c.multi((t) => t.remove('/m4'));
      expect(notEmpty.results.map((r) => r.err)).toEqual([ErrorCode.NotEmpty]);
      expect((await c.getChildren('/m4')).children).toEqual(['child']);
    });

    it('ops in one multi see the effects of the earlier ops', async () => {
      const c = await fx.connect();
      const { err } = await c.multi((t) => t.create('/m5').create('/m5/a').setData('/m5/a', 'x').remove('/m5/a'));
      expect(err).toBe(ErrorCode.Ok);
      expect((await c.getChildren('/m5')).children).toEqual([]);
      expect((await c.getChildren('/m5')).stat.cversion).toBe(2);
    });
  });
});
