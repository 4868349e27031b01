#!/usr/bin/env node
// The `hubdrive` command runs the build in dist/ (made by `npm run build`, which `npm ci` runs).
import '../dist/cli/main.js';
