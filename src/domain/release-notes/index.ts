// Release notes: parsing, classification, extraction, token counting and chunking (pure; fetching is an activity).
export { chunkExtract, type ExtractChunk } from './chunks';
export { categorize, classifyEntry } from './classify';
export { EKS_NOTES_SECTION, eksVersionSection, extractEksVersionNotes } from './eks-notes';
export {
  extractHeader,
  extractReleaseNotes,
  FACTS_SECTION,
  mentionsRemoval,
  renderEntry,
  renderExtract,
  type ExtractOptions,
} from './extract';
export { entryParts, parseReleaseNotes, selectMinorReleaseSection, type RawEntry } from './parse';
export { countTokens } from './tokens';
