// The sandboxed preload (bundled to dist/electron/preload.cjs; a sandboxed preload can require only
// 'electron'). It exposes window.desk and window.deskFiles and nothing else: no ipcRenderer, no raw channels.
import { contextBridge, ipcRenderer } from 'electron';
import { buildDesk } from './build-api';
import { buildDeskFiles } from './desk-files-api';

contextBridge.exposeInMainWorld('desk', buildDesk(ipcRenderer).bridgeable);
contextBridge.exposeInMainWorld('deskFiles', buildDeskFiles(ipcRenderer));
