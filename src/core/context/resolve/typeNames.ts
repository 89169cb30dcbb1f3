/**
 * Declared type texts to the names worth resolving, per language family, most likely first:
 * `Subscriber<T> | undefined` -> [Subscriber]; `Optional["Console"]` -> [Console];
 * `*text.Segment` -> [text.Segment]. Each name is a path: `ns.Type` is ['ns', 'Type'].
 */
import type { LanguageFamily } from '../languages';

const JS_NOISE = new Set(['null', 'undefined', 'void', 'never', 'any', 'unknown', 'string', 'number', 'boolean', 'bigint', 'symbol', 'object', 'this', 'true', 'false', 'Function', 'Array', 'ReadonlyArray', 'Record', 'Map', 'Set', 'Promise', 'Partial', 'Readonly', 'Required', 'NonNullable', 'Awaited', 'ReturnType', 'InstanceType', 'Pick', 'Omit', 'Iterable', 'AsyncIterable', 'PromiseLike', 'ArrayLike', 'Exclude', 'Extract']);
const PY_NOISE = new Set(['None', 'Optional', 'Union', 'List', 'Dict', 'Set', 'Tuple', 'Type', 'ClassVar', 'Final', 'Iterable', 'Iterator', 'Sequence', 'Mapping', 'Callable', 'Any', 'str', 'int', 'float', 'bool', 'bytes', 'list', 'dict', 'set', 'tuple', 'type', 'object', 'typing', 'Generator', 'Awaitable', 'Coroutine', 'AsyncIterator', 'Literal', 'TypeVar', 'MutableMapping', 'MutableSequence', 'FrozenSet', 'frozenset', 'Collection', 'Container']);
const GO_NOISE = new Set(['error', 'string', 'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr', 'byte', 'rune', 'bool', 'float32', 'float64', 'complex64', 'complex128', 'any', 'interface', 'map', 'chan', 'func', 'struct']);

const RUST_NOISE = new Set(['i8', 'i16', 'i32', 'i64', 'i128', 'isize', 'u8', 'u16', 'u32', 'u64', 'u128', 'usize', 'f32', 'f64', 'bool', 'char', 'str', 'String', 'Vec', 'Option', 'Result', 'Box', 'Rc', 'Arc', 'RefCell', 'Cell', 'Mutex', 'RwLock', 'HashMap', 'HashSet', 'BTreeMap', 'BTreeSet', 'VecDeque', 'Self', 'mut', 'dyn', 'impl', 'std', 'self', 'crate', 'super']);
const JAVA_NOISE = new Set(['int', 'long', 'short', 'byte', 'char', 'boolean', 'float', 'double', 'void', 'String', 'Object', 'Integer', 'Long', 'Boolean', 'Double', 'List', 'ArrayList', 'Map', 'HashMap', 'Set', 'HashSet', 'Collection', 'Optional', 'Iterable', 'Iterator', 'Stream', 'extends', 'super', 'java', 'util']);
const NOISE: Record<LanguageFamily, Set<string>> = { js: JS_NOISE, python: PY_NOISE, go: GO_NOISE, rust: RUST_NOISE, java: JAVA_NOISE, other: JS_NOISE };

/** Candidate type paths in `text`, outer type first, then type arguments (for `Promise<T>`, `Optional[T]`). */
export function typeNamesIn(text: string, family: LanguageFamily): string[][] {
  const noise = NOISE[family];
  const cleaned = text.replace(/["'`]/g, ' ').replace(/\b(readonly|typeof|keyof|unique|const)\s+/g, ' ');
  const out: string[][] = [];
  const seen = new Set<string>();
  // Qualified identifiers in order of appearance: the outer type comes before its arguments.
  for (const m of cleaned.matchAll(/[A-Za-z_$][\w$]*(?:\s*(?:\.|::)\s*[A-Za-z_$][\w$]*)*/g)) {
    const path = m[0].split(/\.|::/).map((s) => s.trim());
    const last = path[path.length - 1]!;
    if (noise.has(last) || (path.length === 1 && noise.has(path[0]!))) continue;
    if (family === 'python' && path[0] === 'typing') continue;
    const key = path.join('.');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(path);
  }
  return out;
}
