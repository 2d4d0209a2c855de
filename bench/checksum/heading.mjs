// The heading of the checksum section of bench/RESULTS.md, which
// bench/checksum/run.mjs writes and bench/all.mjs carries over.
export const CHECKSUM_HEADING = '## Checksums (format version 2) against the commit before them';
