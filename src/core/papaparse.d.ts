/**
 * The part of Papa Parse (`papaparse`) the CSV profile uses: its core `Parser`, which parses
 * one string and, with `ignoreLastRow`, stops before a last record that may continue in text
 * not seen yet. Papa Parse's own streamers are built on it the same way. Declared here, as
 * this is all the profile relies on.
 */
declare module 'papaparse' {
  interface PapaParserConfig {
    delimiter: string;
    newline: '\n' | '\r\n' | '\r';
    quoteChar: string;
  }

  interface PapaParseError {
    /** `MissingQuotes` (a quoted field never closes) or `InvalidQuotes` (text after a closing quote). */
    code: string;
    message: string;
    /** Index in `data` of the record being read when the error was found. */
    row: number;
  }

  interface PapaParserResult {
    /** The records, each an array of field values. */
    data: string[][];
    errors: PapaParseError[];
    /** `cursor`: where parsing stopped in the input (after the last record returned). */
    meta: { cursor: number };
  }

  interface PapaParser {
    parse(input: string, baseIndex: number, ignoreLastRow: boolean): PapaParserResult;
  }

  const Papa: { Parser: new (config: PapaParserConfig) => PapaParser };
  export default Papa;
}
