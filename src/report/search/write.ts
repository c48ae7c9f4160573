import { mkdir } from 'node:fs/promises';
import { UserError } from '../../../common/errors.ts';
import type { Search } from '../../analyses/search/search-schema.ts';
import { reportAssets } from '../shared/assets.ts';
import { renderSearchHtml } from './html.ts';
import { renderSearchMarkdown } from './md.ts';
import { writeTextFiles } from '../shared/write-files.ts';

export const SEARCH_FILES = { json: 'search.json', html: 'index.html', summary: 'summary.md' } as const;

/**
 * Writes a search into `dir`: search.json first (what was measured is on disk whatever the
 * renderers do), then index.html and summary.md; a renderer that fails is a warning, not a lost
 * search. Called after every step and at the end.
 */
export async function writeSearch(search: Search, dir: string, o: { onWarning?: (m: string) => void } = {}): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`${dir}: cannot create the search's directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const files = await writeTextFiles(dir, [[SEARCH_FILES.json, `${JSON.stringify(search, null, 2)}\n`]]);
  try {
    files.push(...(await writeTextFiles(dir, [[SEARCH_FILES.html, renderSearchHtml(search, reportAssets())], [SEARCH_FILES.summary, renderSearchMarkdown(search)]])));
  } catch (err) {
    o.onWarning?.(`search report rendering failed: ${(err as Error).message} (search.json is complete)`);
  }
  return files;
}
