// A worker thread's entry must be JavaScript on Node 20: `--import tsx` in a worker's
// execArgv does not reach the worker's own entry module, so tsx is registered here.
import { register } from 'tsx/esm/api';

register();
await import('./api-thread.ts');
