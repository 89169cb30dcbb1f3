import type { LanguageFamily } from '../languages';

/** Words that are never a symbol to look up (keywords, builtins that no workspace defines). */
const KEYWORDS: Record<LanguageFamily, Set<string>> = {
  js: new Set(
    'abstract any as async await boolean break case catch class const constructor continue debugger declare default delete do else enum export extends false finally for from function get if implements import in infer instanceof interface is keyof let module namespace never new null number object of private protected public readonly require return set static string super switch symbol this throw true try type typeof undefined unique unknown var void while with yield Array Object String Number Boolean Promise Map Set Error Symbol JSON Math console Date RegExp Infinity NaN globalThis window document'.split(' '),
  ),
  python: new Set(
    'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield self cls print len str int float bool list dict set tuple isinstance issubclass getattr setattr hasattr super type object range enumerate zip map filter sorted reversed min max sum any all open iter next repr hash id callable ValueError TypeError KeyError IndexError AttributeError RuntimeError Exception NotImplementedError StopIteration'.split(' '),
  ),
  go: new Set(
    'break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var nil true false iota append cap close copy delete len make new panic print println recover error string int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr byte rune bool float32 float64 any complex128 complex64'.split(' '),
  ),
  rust: new Set(
    'as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool char str String Vec Option Some None Result Ok Err Box println format vec assert assert_eq panic'.split(' '),
  ),
  java: new Set(
    'abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try void volatile while true false null var record String Object Integer Long Boolean List Map Set System Override'.split(' '),
  ),
  other: new Set('if else for while return break continue class struct enum fn let mut pub use impl trait self Self static const void int char float double long short unsigned signed sizeof typedef namespace public private protected new delete this true false null nullptr import package extends implements interface final'.split(' ')),
};

export function isKeyword(family: LanguageFamily, word: string): boolean {
  return KEYWORDS[family].has(word);
}
