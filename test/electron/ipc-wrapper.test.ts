// The one IPC wrapper: no handler runs unless the sender is the trusted top frame of app://desk and the
// payload parses. Driven through a fake ipcMain exactly as Electron would call it.
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createIpcWrapper, untrustedFrameReason, type TrustedSender } from '../../electron/main/ipc-wrapper';
import { FakeFrame, FakeIpcMain } from './helpers/fakes';

const Input = z.object({ itemId: z.string().min(1) }).strict();

function setup() {
  const ipc = new FakeIpcMain();
  const logs: string[] = [];
  const wrapper = createIpcWrapper(ipc, { log: (m) => logs.push(m) });
  const handler = vi.fn(async (input: { itemId: string }, _sender: TrustedSender) => ({ echoed: input.itemId }));
  const listener = vi.fn();
  wrapper.handle('test:invoke', Input, handler);
  wrapper.on('test:send', Input, listener);
  return { ipc, wrapper, handler, listener, logs };
}

const top = new FakeFrame('app://desk/index.html');

describe('untrustedFrameReason', () => {
  it('accepts only the top frame of app://desk', () => {
    expect(untrustedFrameReason(top)).toBeNull();
    expect(untrustedFrameReason(new FakeFrame('app://desk/deep/page.html?x=1#y'))).toBeNull();
    expect(untrustedFrameReason(null)).toMatch(/no sender frame/);
    expect(untrustedFrameReason(new FakeFrame('app://desk/index.html', top))).toMatch(/subframe/);
    expect(untrustedFrameReason(new FakeFrame('https://evil.example/'))).toMatch(/not app:\/\/desk/);
    expect(untrustedFrameReason(new FakeFrame('app://evil/index.html'))).toMatch(/not app:\/\/desk/);
    expect(untrustedFrameReason(new FakeFrame('file:///work/main/dist/renderer/index.html'))).toMatch(/not app:\/\/desk/);
    expect(untrustedFrameReason(new FakeFrame('app://desk.evil.example/'))).toMatch(/not app:\/\/desk/);
    expect(untrustedFrameReason(new FakeFrame('not a url'))).toMatch(/unparsable/);
    const detached = new FakeFrame();
    detached.detached = true;
    expect(untrustedFrameReason(detached)).toMatch(/detached/);
  });
});

describe('createIpcWrapper (invoke)', () => {
  it('runs the handler for a trusted sender and valid input', async () => {
    const { ipc, handler } = setup();
    const result = await ipc.invoke('test:invoke', { senderFrame: top }, { itemId: 'it-1' });
    expect(result).toEqual({ ok: true, value: { echoed: 'it-1' } });
    expect(handler).toHaveBeenCalledOnce();
    expect(handler.mock.calls[0]?.[1].frame).toBe(top);
  });

  it.each([
    ['a null frame', null, /no sender frame/],
    ['a subframe', new FakeFrame('app://desk/index.html', top), /subframe/],
    ['a foreign origin', new FakeFrame('https://evil.example/index.html'), /evil\.example/],
  ])('refuses %s without reaching the handler', async (_name, frame, reason) => {
    const { ipc, handler, logs } = setup();
    const result = (await ipc.invoke('test:invoke', { senderFrame: frame }, { itemId: 'it-1' })) as { ok: false; error: { code: string; message: string } };
    expect(result.ok).toBe(false);
    expect(result.error.code).toBe('unauthorized');
    expect(result.error.message).toMatch(reason);
    expect(handler).not.toHaveBeenCalled();
    expect(logs.join('\n')).toMatch(reason);
  });

  it.each([
    ['a missing field', {}],
    ['a wrong type', { itemId: 42 }],
    ['an extra field', { itemId: 'x', evil: true }],
    ['no payload', undefined],
    ['a prototype-pollution attempt', JSON.parse('{"itemId":"x","__proto__":{"polluted":true}}')],
  ])('refuses %s as bad_input before the handler', async (_name, payload) => {
    const { ipc, handler } = setup();
    const result = (await ipc.invoke('test:invoke', { senderFrame: top }, payload)) as { ok: false; error: { code: string; details?: unknown } };
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(result.error.details).toBeDefined();
    expect(handler).not.toHaveBeenCalled();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses extra arguments', async () => {
    const { ipc, handler } = setup();
    const result = await ipc.invoke('test:invoke', { senderFrame: top }, { itemId: 'a' }, 'smuggled');
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers a throwing handler with an internal error, not a rejected promise', async () => {
    const ipc = new FakeIpcMain();
    const wrapper = createIpcWrapper(ipc, { log: () => {} });
    wrapper.handle('boom', z.object({}), () => {
      throw new Error('secret internals');
    });
    const result = (await ipc.invoke('boom', { senderFrame: top }, {})) as { ok: false; error: { code: string; message: string } };
    expect(result.error.code).toBe('internal');
    expect(result.error.message).not.toMatch(/secret internals/);
  });

  it('refuses to register a channel twice and removes its channels on dispose', () => {
    const { ipc, wrapper } = setup();
    expect(() => wrapper.handle('test:invoke', Input, () => 1)).toThrow(/already handled/);
    wrapper.dispose();
    expect(ipc.handlers.size).toBe(0);
    expect(ipc.listeners.size).toBe(0);
  });
});

describe('createIpcWrapper (send)', () => {
  it('runs the listener only for trusted senders and valid input', async () => {
    const { ipc, listener } = setup();
    ipc.emit('test:send', { senderFrame: null }, { itemId: 'a' });
    ipc.emit('test:send', { senderFrame: new FakeFrame('app://desk/', top) }, { itemId: 'a' });
    ipc.emit('test:send', { senderFrame: new FakeFrame('https://evil.example/') }, { itemId: 'a' });
    ipc.emit('test:send', { senderFrame: top }, { itemId: 7 });
    await new Promise((r) => setTimeout(r, 5));
    expect(listener).not.toHaveBeenCalled();
    ipc.emit('test:send', { senderFrame: top }, { itemId: 'ok' });
    await vi.waitFor(() => expect(listener).toHaveBeenCalledOnce());
    expect(listener.mock.calls[0][0]).toEqual({ itemId: 'ok' });
  });
});
