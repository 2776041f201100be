#!/usr/bin/env node
// Launcher for `npx seeable …` in a checkout: registers tsx so the TypeScript sources run as they are.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
