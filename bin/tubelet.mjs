#!/usr/bin/env node
// Launcher of the `tubelet` CLI: loads the TypeScript sources through tsx and hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
