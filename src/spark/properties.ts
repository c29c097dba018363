// Java properties files (java.util.Properties.store as Spark writes spark.properties) and their parsing.

function escapeProperty(text: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    switch (c) {
      case ' ':
        out += i === 0 || isKey ? '\\ ' : ' ';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\f':
        out += '\\f';
        break;
      case '=':
      case ':':
      case '#':
      case '!':
        out += `\\${c}`;
        break;
      default:
        out += c;
    }
  }
  return out;
}

/** A properties file with keys in sorted order (deterministic), after a comment line. */
export function storeProperties(properties: Readonly<Record<string, string>>, comment: string): string {
  const keys = Object.keys(properties).sort();
  return `#${comment}\n${keys.map((k) => `${escapeProperty(k, true)}=${escapeProperty(properties[k]!, false)}\n`).join('')}`;
}

/** Parses a properties file (the subset Properties.store writes: one entry per line, backslash escapes). */
export function parseProperties(text: string): Record<string, string> {
  const result = new Map<string, string>();
  for (const raw of text.split('\n')) {
    // Only space, tab and form feed are whitespace in a properties file.
    const line = raw.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    let key = '';
    let value = '';
    let inKey = true;
    for (let i = 0; i < line.length; i++) {
      let c = line.charAt(i);
      if (c === '\\' && i + 1 < line.length) {
        const n = line.charAt(++i);
        if (n === 'u') {
          c = String.fromCharCode(Number.parseInt(line.slice(i + 1, i + 5), 16));
          i += 4;
        } else {
          c = ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[n] ?? n;
        }
      } else if (inKey && (c === '=' || c === ':')) {
        inKey = false;
        continue;
      }
      if (inKey) key += c;
      else value += c;
    }
    result.set(key, value);
  }
  return Object.fromEntries(result);
}
