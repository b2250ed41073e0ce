// Entry of a worker thread that runs TypeScript: Node 20 does not hand the main thread's `--import tsx`
// hooks to worker threads, so the thread registers tsx itself, then loads the module its workerData names
// (a file URL), which starts the thread's work when it sees its role in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
