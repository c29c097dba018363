#!/usr/bin/env node
// Entry point for `npx sparkctl`: Node (>= 22.18) runs the TypeScript sources directly.
import '../src/cli/sparkctl.ts';
