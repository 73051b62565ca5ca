// Where a setting of a checked project is written, asked long after checking (a changed setting's
// line in a plan, a policy violation): from the fast path's line index, else from the file's text
// parsed again, so no parsed document is kept for the run.
import { SET_BY_PATH, memberKeyOfItem } from '../../model/fields.js';
import type { SettingPosition } from '../manifest-set.js';
import { parseYamlText } from '../read/load-files.js';
import { locatePath, type ParsedDocument } from '../read/yaml-position.js';
import { inCurrentVersion } from '../versions/current-view.js';

/**
 * Keeping 10,000 parsed YAML documents alive costs hundreds of MB; only changed projects ever
 * need a position, so keep the text and parse again on demand, unless the fast path's line index
 * already knows the positions.
 */
export function lazyLocator(parsed: ParsedDocument): (path: string, member?: string) => SettingPosition {
  const { file, index, text } = parsed;
  // Only a fast-path document is kept (its syntax tree is parsed on demand, never here).
  const indexed = 'positions' in parsed ? parsed : undefined;
  let again: ParsedDocument | undefined;
  return (path, member) => {
    if (!again && indexed?.positions) again = indexed; // the fast path's line index: no second parse
    if (!again) {
      const found = parseYamlText(file, text, []).find((d) => d.index === index);
      again = found && inCurrentVersion(found);
    }
    if (!again) return { line: 1, column: 1, found: false };
    const segs: (string | number)[] = path.split('.');
    const set = SET_BY_PATH.get(path);
    if (member !== undefined && set) {
      const items = segs.reduce<unknown>(
        (node, seg) => (node as Record<string, unknown> | undefined)?.[seg],
        again.value,
      );
      const at = Array.isArray(items) ? items.findIndex((item) => memberKeyOfItem(set, item) === member) : -1;
      if (at >= 0) segs.push(at);
    }
    return locatePath(again, segs);
  };
}
