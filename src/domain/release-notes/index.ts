// Release notes: parsing, classification, extraction, token counting and chunking (pure; fetching is an activity).
export { chunkExtract, type ExtractChunk } from './chunks';
export { classifyEntry } from './classify';
export { extractHeader, extractReleaseNotes, FACTS_SECTION, mentionsRemoval, renderEntry, renderExtract, type ExtractOptions } from './extract';
export { entryParts, parseReleaseNotes, selectMinorReleaseSection, type RawEntry } from './parse';
export { countTokens } from './tokens';
