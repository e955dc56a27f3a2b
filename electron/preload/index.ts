// The sandboxed preload (bundled to dist/electron/preload.cjs; a sandboxed preload can require only
// 'electron'). It exposes window.desk and nothing else: no ipcRenderer, no raw channels.
import { contextBridge, ipcRenderer } from 'electron';
import { buildDesk } from './build-api';

contextBridge.exposeInMainWorld('desk', buildDesk(ipcRenderer).bridgeable);
