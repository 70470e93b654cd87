#!/usr/bin/env node
// Entry point for `npx ratetest`: the CLI lives in dist/cli/main.js (compiled from src/cli/main.ts).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
