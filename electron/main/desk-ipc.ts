// The shell's whole IPC surface: one channel. A trusted frame asks to connect and receives a MessagePort
// straight to the core; desk calls then never pass through main.
import { z } from 'zod';
import { DESK_IPC_CHANNELS } from '../../shared/desk-api';
import type { CoreHost } from './core-host';
import type { IpcWrapper } from './ipc-wrapper';

export const ConnectInput = z.object({}).strict();

export function registerDeskIpc(ipc: IpcWrapper, core: Pick<CoreHost, 'connectFrame'>): void {
  ipc.on(DESK_IPC_CHANNELS.connect, ConnectInput, (_input, sender) => core.connectFrame(sender.frame));
}
