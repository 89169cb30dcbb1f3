export { SyntaxParsers } from './parsers';
