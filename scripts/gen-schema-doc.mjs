#!/usr/bin/env node
// Regenerates docs/schema.md from the analyzer's SCHEMA (the one source of
// the DDL, this document and `dropcap analyze schema`). Needs a build:
// npm run build:ts && node scripts/gen-schema-doc.mjs
import fs from 'node:fs';
import { schemaMarkdown } from '../packages/analyzer/dist/index.js';

const out = new URL('../docs/schema.md', import.meta.url);
fs.writeFileSync(out, schemaMarkdown());
console.log(`wrote ${out.pathname}`);
