#!/usr/bin/env node
// Runs the TypeScript CLI in this process (tsx registered as a loader), so the package works from a
// clone without a build step and `mpi serve` is one process: a signal sent to it reaches the service.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
