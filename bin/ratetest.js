#!/usr/bin/env node
// Entry point for `npx ratetest`: the CLI lives in dist/cli.js (compiled from src/cli.ts).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv);
