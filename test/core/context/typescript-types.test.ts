/**
 * TypeScript members reached through declared types that are not plain interfaces, on a small fixture
 * (test/fixtures/context/ts-types): unions, type guards, destructured parameters, re-exported types,
 * ReturnType<typeof …>, generic interfaces and aliases, intersections, `this.` fields, declaration
 * merging, namespaces (and `export * as`), a large `dual`-style definition cut to its signatures;
 * globals read through `self.`/`window.` (test/fixtures/context/ts-globals).
 * Budgets are small on purpose: in a fixture this size a generous budget holds every definition
 * imported, whatever the engine understood.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ContextResult } from '../../../src/core/context';
import { assertCovers as covers, contextAtFixture, engineFor, lineOf } from './helpers';

const WS = 'ts-types';
/** Room for a few one-line headers. */
const TIGHT = 48;

describe('TypeScript members through declared types', () => {
  const engine = engineFor(WS);
  after(() => engine.dispose());
  const contextAt = (line: string, before: string, maxTokens = TIGHT) => contextAtFixture(engine, WS, 'src/app.ts', line, before, maxTokens);
  const defined = (file: string, text: string) => ({ file, line: lineOf(WS, file, text) });
  const assertCovers = (result: ContextResult, place: { file: string; line: number }, what: string) => covers(result, place.file, place.line, what);

  test('a union type alias, reached through two `export *` barrels, offers the members of every case', async () => {
    const result = await contextAt("return shape.kind === 'circle' ? 3 : shape.side * shape.side;", '? 3 : shape.', 96);
    assertCovers(result, defined('src/models/shapes.ts', 'side: number;'), 'Square.side');
    assertCovers(result, defined('src/models/shapes.ts', 'radius: number;'), 'Circle.radius');
  });

  test('a type guard before the cursor narrows an `unknown` parameter', async () => {
    const result = await contextAt('return String(thing.radius);', 'String(thing.');
    assertCovers(result, defined('src/models/shapes.ts', 'radius: number;'), 'Circle.radius');
  });

  test('destructured parameters take their members’ declared types (Props.member: User -> card: Profile)', async () => {
    const result = await contextAt('return palette.accent + member.card.displayName;', '+ member.card.');
    assertCovers(result, defined('src/models/user.ts', 'displayName: string;'), 'Profile.displayName');
    const palette = await contextAt('return palette.accent + member.card.displayName;', 'return palette.');
    assertCovers(palette, defined('src/models/user.ts', 'accent: string;'), 'Theme.accent');
  });

  test('ReturnType<typeof createStore> is what createStore returns', async () => {
    const result = await contextAt("store.write('k', 'v');", 'store.');
    assertCovers(result, defined('src/store.ts', 'write(key: string, value: string): void {'), 'Store.write');
  });

  test("a generic interface's member typed by its parameter takes the type argument (Box<Profile>.value)", async () => {
    const result = await contextAt('return box.value.avatarUrl;', 'box.value.');
    assertCovers(result, defined('src/models/user.ts', 'avatarUrl: string;'), 'Profile.avatarUrl');
  });

  test('a function declared with a generic function-type alias types its parameters (Handler<SaveEvent>)', async () => {
    const result = await contextAt('console.log(event.path);', 'event.');
    assertCovers(result, defined('src/store.ts', 'path: string;'), 'SaveEvent.path');
  });

  test('an intersection offers both halves, and a member typed by an object type literal has its members', async () => {
    const result = await contextAt('services.editor.focus();', 'services.editor.');
    assertCovers(result, defined('src/store.ts', 'editor: { focus(): void };'), 'EditorServices.editor.focus');
    const logger = await contextAt('services.editor.focus();', 'services.');
    assertCovers(logger, defined('src/store.ts', 'logger: { warn(message: string): void };'), 'CoreServices.logger');
  });

  test('`this.` reaches a field declared with a definite assignment (`lru!: Cache`)', async () => {
    const result = await contextAt('this.lru.evict(key);', 'this.lru.');
    assertCovers(result, defined('src/store.ts', 'evict(key: string): void;'), 'Cache.evict');
  });

  test('an interface and a class of one name merge their members', async () => {
    const result = await contextAt('p.move(1);', 'p.');
    assertCovers(result, defined('src/geo/geometry.ts', 'move(dx: number): void {'), 'class Point.move');
    assertCovers(result, defined('src/geo/geometry.ts', '  x: number;'), 'interface Point.x');
  });

  test('a namespace, imported directly or through `export * as`, offers its functions', async () => {
    const distance = defined('src/geo/geometry.ts', 'export function distance(a: number, b: number): number {');
    const line = 'return Geometry.distance(a, b) + geo.Geometry.distance(a, b);';
    assertCovers(await contextAt(line, 'return Geometry.'), distance, 'Geometry.distance');
    assertCovers(await contextAt(line, '+ geo.Geometry.'), distance, 'geo.Geometry.distance');
  });

  test('a callee too large for its share of the budget is cut to its signature lines, not to its first line', async () => {
    const result = await contextAt('return mapOver(values, (n) => n * 2);', 'mapOver(', 120);
    assertCovers(result, defined('src/format.ts', 'export const mapOver: {'), 'the definition');
    assertCovers(result, defined('src/format.ts', '<A, B>(f: (a: A) => B): (self: readonly A[]) => B[];'), 'data-last signature');
    assertCovers(result, defined('src/format.ts', '<A, B>(self: readonly A[], f: (a: A) => B): B[];'), 'data-first signature');
    for (const s of result.snippets.filter((s) => s.file === 'src/format.ts')) assert.doesNotMatch(s.text, /paragraph of it/, 'doc comments left out');
  });
});

describe('TypeScript globals through the global object', () => {
  const WS = 'ts-globals';
  const engine = engineFor(WS);
  after(() => engine.dispose());

  test('self. and window. offer the members of every `declare global { interface Window }` in the workspace', async () => {
    const viaSelf = await contextAtFixture(engine, WS, 'src/boot.ts', 'const state = self.__APP_STATE__ ?? emptyState();', 'self.', 64);
    covers(viaSelf, 'src/state.ts', lineOf(WS, 'src/state.ts', '__APP_STATE__?: AppState;'), 'Window.__APP_STATE__');
    covers(viaSelf, 'src/hydrate.ts', lineOf(WS, 'src/hydrate.ts', '[HYDRATED_KEY]?: boolean;'), 'Window[HYDRATED_KEY], declared in another file');
    const viaWindow = await contextAtFixture(engine, WS, 'src/boot.ts', 'window.hydrationQueue.push(() => console.log(state.user));', 'window.', 64);
    covers(viaWindow, 'src/hydrate.ts', lineOf(WS, 'src/hydrate.ts', 'hydrationQueue: Array<() => void>;'), 'Window.hydrationQueue');
  });

});
