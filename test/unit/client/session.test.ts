import { describe, expect, it } from 'vitest';
import { Session } from '../../../client/session.js';
import type { ConnectResponse } from '../../../protocol/records.js';
import { ManualClock } from '../../../util/clock.js';

const passwd = new Uint8Array(16).fill(7);

function granted(timeOut: number, sessionId = 0x1234n): ConnectResponse {
  return { protocolVersion: 0, timeOut, sessionId, passwd, readOnly: false };
}

function connected(clock: ManualClock, timeOut = 30_000): Session {
  const s = new Session({ clock, sessionTimeoutMs: 30_000, hostCount: 1 });
  s.attemptStarted();
  s.transportOpened();
  expect(s.connectResponse(granted(timeOut))).toBe('connected');
  return s;
}

describe('Session', () => {
  it('starts connecting and sends a new-session ConnectRequest', () => {
    const s = new Session({ clock: new ManualClock(), sessionTimeoutMs: 12_000, hostCount: 2 });
    expect(s.state).toBe('connecting');
    s.attemptStarted();
    const req = s.transportOpened();
    expect(req).toEqual({
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: 12_000,
      sessionId: 0n,
      passwd: new Uint8Array(16),
      readOnly: false,
    });
  });

  it('keeps session id, password and lastZxidSeen for the reconnect request', () => {
    const clock = new ManualClock();
    const s = connected(clock);
    s.replyReceived({ xid: 5, zxid: 0x20n, err: 0 });
    expect(s.transportClosed()).toBe('disconnected');
    s.attemptStarted();
    const req = s.transportOpened();
    expect(req.sessionId).toBe(0x1234n);
    expect(req.passwd).toEqual(passwd);
    expect(req.lastZxidSeen).toBe(0x20n);
    expect(s.connectResponse(granted(30_000))).toBe('connected');
  });

  it('tracks lastZxidSeen only from normal replies with a larger zxid', () => {
    const s = connected(new ManualClock());
    s.replyReceived({ xid: 1, zxid: 10n, err: 0 });
    s.replyReceived({ xid: -2, zxid: 99n, err: 0 });
    s.replyReceived({ xid: -1, zxid: -1n, err: 0 });
    s.replyReceived({ xid: 2, zxid: 4n, err: 0 });
    s.replyReceived({ xid: -4, zxid: 0n, err: 0 });
    expect(s.lastZxidSeen).toBe(10n);
  });

  it('a ConnectResponse with timeOut <= 0 expires the session for good', () => {
    const clock = new ManualClock();
    const s = connected(clock);
    s.transportClosed();
    s.attemptStarted();
    s.transportOpened();
    expect(s.connectResponse(granted(0, 0n))).toBe('expired');
    expect(s.state).toBe('expired');
    expect(s.transportClosed()).toBeUndefined();
    expect(s.close()).toBe('closed');
  });

  it('a loss before the first handshake stays connecting (no disconnected event)', () => {
    const s = new Session({ clock: new ManualClock(), sessionTimeoutMs: 30_000, hostCount: 1 });
    s.attemptStarted();
    expect(s.transportClosed()).toBeUndefined();
    expect(s.state).toBe('connecting');
  });

  it('derives read timeout 2T/3, ping interval T/3 (max 10 s) and connect timeout T/hosts', () => {
    const clock = new ManualClock();
    const s = new Session({ clock, sessionTimeoutMs: 30_000, hostCount: 3 });
    expect(s.connectTimeoutMs).toBe(10_000);
    s.attemptStarted();
    s.transportOpened();
    s.connectResponse(granted(6_000));
    expect(s.negotiatedTimeoutMs).toBe(6_000);
    expect(s.readTimeoutMs).toBe(4_000);
    expect(s.pingIntervalMs).toBe(2_000);
    const long = connected(new ManualClock(), 60_000);
    expect(long.pingIntervalMs).toBe(10_000);
  });

  it('asks for a ping after T/3 of send-idleness, and not before', () => {
    const clock = new ManualClock();
    const s = connected(clock, 6_000);
    s.frameSent();
    clock.advance(1_999);
    s.replyReceived({ xid: 1, zxid: 1n, err: 0 });
    expect(s.tick()).toBeUndefined();
    clock.advance(1);
    expect(s.tick()).toEqual({ kind: 'sendPing' });
    s.frameSent();
    expect(s.tick()).toBeUndefined();
  });

  it('drops the connection after 2T/3 without hearing from the server', () => {
    const clock = new ManualClock();
    const s = connected(clock, 6_000);
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      s.frameSent();
    }
    clock.advance(1_000);
    expect(s.tick()).toEqual({ kind: 'dropConnection', reason: 'readTimeout' });
  });

  it('drops an attempt whose handshake takes longer than T/hosts', () => {
    const clock = new ManualClock();
    const s = new Session({ clock, sessionTimeoutMs: 10_000, hostCount: 2 });
    s.attemptStarted();
    clock.advance(4_999);
    expect(s.tick()).toBeUndefined();
    clock.advance(1);
    expect(s.tick()).toEqual({ kind: 'dropConnection', reason: 'connectTimeout' });
  });

  it('authFailed is terminal except for close', () => {
    const s = connected(new ManualClock());
    expect(s.authFailed()).toBe('authFailed');
    expect(s.transportClosed()).toBeUndefined();
    expect(s.state).toBe('authFailed');
    expect(s.tick()).toBeUndefined();
    expect(s.close()).toBe('closed');
    expect(s.close()).toBeUndefined();
  });

  it('with canBeReadOnly asks for read-only, reports connectedReadOnly, and presents a read-only member\'s session id only after a read-write server answered', () => {
    const s = new Session({ clock: new ManualClock(), sessionTimeoutMs: 30_000, hostCount: 2, canBeReadOnly: true });
    s.attemptStarted();
    expect(s.transportOpened().readOnly).toBe(true);
    expect(s.connectResponse({ ...granted(30_000, 0x77n), readOnly: true })).toBe('connectedReadOnly');
    expect([s.isReadOnly, s.sessionId]).toEqual([true, 0x77n]);
    expect(s.transportClosed()).toBe('disconnected');
    s.attemptStarted();
    // ClientCnxn.seenRwServerBefore: the read-only member's id is not a real session.
    expect(s.transportOpened().sessionId).toBe(0n);
    expect(s.connectResponse(granted(30_000, 0x99n))).toBe('connected');
    expect(s.isReadOnly).toBe(false);
    expect(s.transportClosed()).toBe('disconnected');
    s.attemptStarted();
    expect(s.transportOpened().sessionId).toBe(0x99n);
    expect(s.connectResponse({ ...granted(30_000, 0x99n), readOnly: true })).toBe('connectedReadOnly');
    expect(s.transportClosed()).toBe('disconnected');
    s.attemptStarted();
    expect(s.transportOpened().sessionId).toBe(0x99n);
  });
});
