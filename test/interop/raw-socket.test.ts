import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { OpCode } from '../../protocol/opcodes.js';
import { fourLetterWord } from '../helpers/index.js';
import { connectRequest, RawConnection, requestFrame } from './raw-socket.js';
import { suiteName, targets, useServer } from './targets.js';

/** The ConnectResponse a server sends for a session it will not resume (reference §2.3 step 7). */
const refusedReply = { sizeBytes: 37, protocolVersion: 0, timeOutMs: 0, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false };

describe.each(targets)('$label', (target) => {
  describe.skipIf(target.skip)(suiteName(target, 'raw socket'), () => {
    const fx = useServer(target);
    const open: RawConnection[] = [];
    afterEach(() => {
      for (const conn of open.splice(0)) conn.destroy();
    });
    const session = async () => {
      const s = await RawConnection.session(fx.server.host, fx.server.port);
      open.push(s.conn);
      return s;
    };

    it('a new session gets a 37-byte ConnectResponse with the requested timeout and a 16-byte password', async () => {
      const { reply } = await session();
      expect(reply).toMatchObject({ sizeBytes: 37, protocolVersion: 0, timeOutMs: 30_000, readOnly: false });
      expect(reply.sessionId).not.toBe(0n);
      expect(reply.passwd).toHaveLength(16);
    });

    it('unknown opcode 99 gets err Unimplemented with zxid -1, then the connection is closed', async () => {
      const { conn } = await session();
      conn.send(requestFrame(1, 99));
      const reply = await conn.readReply();
      expect(reply).toMatchObject({ xid: 1, zxid: -1n, err: ErrorCode.Unimplemented });
      expect(reply.body).toHaveLength(0);
      expect(await conn.waitClosed()).toBe(true);
    });

    it('a frame longer than jute.maxbuffer closes the connection without a reply; the server still serves', async () => {
      const { conn } = await session();
      // jute.maxbuffer defaults to 0xFFFFF; one byte more is already refused (NIOServerCnxn.readLength).
      const header = Buffer.alloc(4);
      header.writeInt32BE(0xfffff + 1);
      conn.send(header);
      expect(await conn.readFrame()).toBeNull();
      expect(conn.isClosed).toBe(true);
      const again = await session();
      expect(again.reply.timeOutMs).toBe(30_000);
      expect(await fourLetterWord(fx.server.host, fx.server.port, 'ruok')).toBe('imok');
    });

    it('a reconnect with a wrong password gets the all-zero 37-byte reply and is closed; the old connection too', async () => {
      const first = await session();
      const wrong = Buffer.from(first.reply.passwd);
      wrong[0] = (wrong[0] ?? 0) ^ 0xff;
      const intruder = await RawConnection.open(fx.server.host, fx.server.port);
      open.push(intruder);
      intruder.send(connectRequest({ sessionId: first.reply.sessionId, passwd: wrong }));
      expect(await intruder.readConnectReply()).toEqual(refusedReply);
      expect(await intruder.waitClosed()).toBe(true);
      // ZooKeeper closes the session's other connections before it checks the password (§2.3).
      expect(await first.conn.waitClosed()).toBe(true);
    });

    it('closeSession is answered with err 0 and a close; reconnecting to that session gets timeOut 0', async () => {
      const { conn, reply } = await session();
      conn.send(requestFrame(1, OpCode.closeSession));
      const closed = await conn.readReply();
      expect(closed).toMatchObject({ xid: 1, err: ErrorCode.Ok });
      expect(closed.body).toHaveLength(0);
      expect(await conn.waitClosed()).toBe(true);
      const again = await RawConnection.open(fx.server.host, fx.server.port);
      open.push(again);
      again.send(connectRequest({ sessionId: reply.sessionId, passwd: reply.passwd }));
      expect(await again.readConnectReply()).toEqual(refusedReply);
      expect(await again.waitClosed()).toBe(true);
    });

    it('a ping is answered with xid -2 and no body', async () => {
      const { conn } = await session();
      conn.send(requestFrame(-2, OpCode.ping));
      const reply = await conn.readReply();
      expect(reply).toMatchObject({ xid: -2, err: ErrorCode.Ok });
      expect(reply.body).toHaveLength(0);
    });
  });
});
