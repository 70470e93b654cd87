// layers.test.ts: the layer table in docs/architecture.md against src/'s real imports, type-only
// imports included, so the page and the tree cannot drift apart.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');

/** The rows between the layers markers: folder -> folders it may import ('*' = any). */
function layerTable(): Map<string, Set<string> | '*'> {
  const page = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const block = page.slice(page.indexOf('<!-- layers:begin -->'), page.indexOf('<!-- layers:end -->'));
  const table = new Map<string, Set<string> | '*'>();
  for (const line of block.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`(\w[\w-]*)\/`$/.exec(cells[1] ?? '')?.[1];
    if (!folder) continue;
    const allowed = cells[3] ?? '';
    table.set(folder, allowed === 'every folder' ? '*' : new Set(allowed === '—' ? [] : allowed.split(',').map((s) => s.trim())));
  }
  return table;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Every relative import in src/ as [importing folder, imported folder, file]. */
function crossings(): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const file of sourceFiles(src)) {
    const from = relative(src, file).split('/');
    if (from.length < 2) continue; // src/index.ts, the export list, may import anything
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = relative(src, resolve(dirname(file), m[1] ?? m[2]!)).split('/');
      if (to.length >= 2 && to[0] !== from[0]) out.push([from[0]!, to[0]!, relative(root, file)]);
    }
  }
  return out;
}

describe('layers', () => {
  const table = layerTable();

  it('docs/architecture.md has a row for every folder of src/, and no row for a folder that is gone', () => {
    const folders = readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect([...table.keys()].sort()).toEqual(folders);
  });

  it('no file imports from a folder its row does not allow', () => {
    const wrong = crossings()
      .filter(([from, to]) => {
        const allowed = table.get(from);
        return allowed !== '*' && !allowed?.has(to);
      })
      .map(([from, to, file]) => `${file}: ${from}/ may not import ${to}/`);
    expect(wrong).toEqual([]);
  });
});
