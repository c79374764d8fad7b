import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const CODE_DIRS = ['src', 'bots', 'dialogs', 'test', 'bench'];
const PROTOCOL_DOC = 'docs/genesys-protocol.md';

/** Every file under `dir` (relative to the repository root) whose name ends with `suffix`. */
function filesUnder(dir: string, suffix: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!existsSync(abs)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'results') found.push(...filesUnder(rel, suffix));
    } else if (entry.name.endsWith(suffix)) {
      found.push(rel);
    }
  }
  return found;
}

/** The section numbers of a markdown file's numbered headings: `## 3. Title` gives `3`, `### 5.9 Title` gives `5.9`. */
function sectionNumbers(markdown: string): string[] {
  const numbers: string[] = [];
  for (const line of stripFencedCode(markdown).split('\n')) {
    const match = /^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s/.exec(line);
    if (match?.[1] !== undefined) numbers.push(match[1]);
  }
  return numbers;
}

/** One `docs/<file>.md §x.y` citation found in code. */
interface Citation {
  file: string;
  doc: string;
  section: string | undefined;
}

const SECTION = String.raw`§\d+(?:\.\d+)*`;
const CITATION = new RegExp(
  String.raw`docs/([\w./-]+?\.md)((?:\s*${SECTION})(?:\s*(?:/|,|–|-|and)\s*${SECTION})*)?`,
  'g',
);

/** Expands `§3.2–§3.6` into 3.2 … 3.6 (same parent); other lists give each number once. */
function citedSections(tail: string): string[] {
  const sections: string[] = [];
  const rangePattern = new RegExp(String.raw`§(\d+(?:\.\d+)*)\s*[–-]\s*§(\d+(?:\.\d+)*)`, 'g');
  for (const range of tail.matchAll(rangePattern)) {
    const from = range[1]!.split('.');
    const to = range[2]!.split('.');
    const parent = from.slice(0, -1).join('.');
    if (from.length === to.length && parent === to.slice(0, -1).join('.')) {
      for (let n = Number(from.at(-1)); n <= Number(to.at(-1)); n++)
        sections.push(parent === '' ? String(n) : `${parent}.${n}`);
    }
  }
  for (const single of tail.matchAll(/§(\d+(?:\.\d+)*)/g)) sections.push(single[1]!);
  return [...new Set(sections)];
}

function findCitations(file: string, text: string): Citation[] {
  const citations: Citation[] = [];
  for (const match of text.matchAll(CITATION)) {
    const doc = `docs/${match[1]!}`;
    const tail = match[2];
    if (tail === undefined) citations.push({ file, doc, section: undefined });
    else for (const section of citedSections(tail)) citations.push({ file, doc, section });
  }
  return citations;
}

function stripFencedCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of stripFencedCode(markdown).split('\n')) {
    const match = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (match?.[1] === undefined) continue;
    const text = match[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = githubSlug(text);
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

/** Relative link targets of a markdown file (outside code), without external URLs. */
function relativeLinks(markdown: string): string[] {
  const text = stripFencedCode(markdown).replace(/`[^`\n]*`/g, '');
  const links: string[] = [];
  for (const match of text.matchAll(/!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    links.push(target);
  }
  return links;
}

const codeFiles = CODE_DIRS.flatMap((dir) => filesUnder(dir, '.ts'));
const citations = codeFiles.flatMap((file) => findCitations(file, readFileSync(path.join(ROOT, file), 'utf8')));

describe('the citation finder', () => {
  it('reads single sections, lists and ranges', () => {
    const doc = ['docs', 'genesys-protocol.md'].join('/');
    expect(findCitations('x.ts', `see ${doc} §3.2.`).map((c) => c.section)).toEqual(['3.2']);
    expect(findCitations('x.ts', `(${doc} §5.3/§5.7, error)`).map((c) => c.section)).toEqual(['5.3', '5.7']);
    expect(findCitations('x.ts', `${doc} §3.5, §3.7`).map((c) => c.section)).toEqual(['3.5', '3.7']);
    expect(findCitations('x.ts', `${doc} §3.2–§3.6`).map((c) => c.section)).toEqual([
      '3.2',
      '3.3',
      '3.4',
      '3.5',
      '3.6',
    ]);
    expect(findCitations('x.ts', `${doc} §3.10/§4`).map((c) => c.section)).toEqual(['3.10', '4']);
    expect(findCitations('x.ts', `${doc} says`)).toEqual([{ file: 'x.ts', doc, section: undefined }]);
  });

  it('reads numbered headings', () => {
    expect(sectionNumbers('# Title\n## 2. Hosts\n### 3.10 Notes\n```\n## 9. not a heading\n```\n')).toEqual([
      '2',
      '3.10',
    ]);
  });

  it('finds relative links only', () => {
    expect(relativeLinks('[a](guide/x.md#y) ![i](img.png) [w](https://example.com) `[c](no.md)` [t](#top)')).toEqual([
      'guide/x.md#y',
      'img.png',
      '#top',
    ]);
  });
});

describe('docs cited in code', () => {
  it('finds the protocol citations the code makes', () => {
    expect(citations.filter((c) => c.doc === PROTOCOL_DOC && c.section !== undefined).length).toBeGreaterThan(50);
  });

  it('every cited doc exists and every cited section is a heading in it', () => {
    const missing: string[] = [];
    const sectionsByDoc = new Map<string, Set<string>>();
    for (const citation of citations) {
      const docPath = path.join(ROOT, citation.doc);
      if (!existsSync(docPath)) {
        missing.push(`${citation.file}: ${citation.doc} does not exist`);
        continue;
      }
      let sections = sectionsByDoc.get(citation.doc);
      if (sections === undefined) {
        sections = new Set(sectionNumbers(readFileSync(docPath, 'utf8')));
        sectionsByDoc.set(citation.doc, sections);
      }
      if (citation.section !== undefined && !sections.has(citation.section))
        missing.push(`${citation.file}: ${citation.doc} has no section §${citation.section}`);
    }
    expect(missing).toEqual([]);
  });

  it('the protocol notes keep the reference numbering: §2, §3.1–§3.10, §4, §5.1–§5.16, §6.1–§6.12', () => {
    const numbers = sectionNumbers(readFileSync(path.join(ROOT, PROTOCOL_DOC), 'utf8'));
    const range = (parent: number, last: number): string[] =>
      Array.from({ length: last }, (_, i) => `${parent}.${i + 1}`);
    const expected = ['2', '3', ...range(3, 10), '4', '5', ...range(5, 16), '6', ...range(6, 12)];
    expect(numbers.filter((n) => expected.includes(n))).toEqual(expected);
  });
});

describe('relative links in the documentation', () => {
  const markdownFiles = ['README.md', 'bench/README.md', 'deploymentTemplates/README.md', ...filesUnder('docs', '.md')];

  it.each(markdownFiles)('%s links only to files that exist', (file) => {
    const markdown = readFileSync(path.join(ROOT, file), 'utf8');
    const broken: string[] = [];
    for (const link of relativeLinks(markdown)) {
      const [target = '', anchor] = link.split('#', 2);
      const resolved =
        target === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), target);
      if (!resolved.startsWith(ROOT) || !existsSync(resolved)) {
        broken.push(`${link}: no such file`);
        continue;
      }
      if (anchor !== undefined && anchor !== '' && statSync(resolved).isFile() && resolved.endsWith('.md')) {
        if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${link}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });
});
