// Token counts with js-tiktoken's cl100k_base: an estimate (Claude's tokenizer is not public), consistent enough
// to compare full notes with extracts and to size chunks with a margin.
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

let encoder: Tiktoken | undefined;

export function countTokens(text: string): number {
  encoder ??= new Tiktoken(cl100kBase);
  return encoder.encode(text, [], []).length;
}
