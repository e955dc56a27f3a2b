// The page's first script (vite.config.ts puts it ahead of the bundle in index.html): sends the boot's
// first reads before the bundle arrives (desk/early-calls.ts).
import { earlyCalls } from './desk/early-calls';

earlyCalls.send();
