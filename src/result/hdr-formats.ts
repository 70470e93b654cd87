// hdr-formats.ts: the one loader of hdr-histogram-js's full module, for the standard formats only
// (the compressed base64 encoding, the interval log). Loading it costs about 15 MB of RSS and
// 50–80 ms of CPU (its index compiles a WebAssembly build and loads pako even for pure-JS
// histograms), so it is required on first use: a run that prints only text never pays for it.
import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';

const require = createRequire(import.meta.url);
let loaded: typeof Hdr | undefined;

/** The full module, loaded once, synchronously (it is CommonJS). */
function hdr(): typeof Hdr {
  loaded ??= require('hdr-histogram-js') as typeof Hdr;
  return loaded;
}

/** HdrHistogram's V2 compressed encoding, base64. */
export function encodeIntoCompressedBase64(histogram: Hdr.Histogram): string {
  return hdr().encodeIntoCompressedBase64(histogram);
}

/** The inverse of encodeIntoCompressedBase64, into a pure-JS histogram of `bitBucketSize`-bit counts. */
export function decodeFromCompressedBase64(base64: string, bitBucketSize: 8 | 16 | 32 | 64 | 'packed', useWebAssembly: boolean): Hdr.Histogram {
  return hdr().decodeFromCompressedBase64(base64, bitBucketSize, useWebAssembly);
}

/** A writer of HdrHistogram's interval log format, each line handed to `write`. */
export function histogramLogWriter(write: (text: string) => void): Hdr.HistogramLogWriter {
  return new (hdr().HistogramLogWriter)(write);
}

/** A reader of an interval log's text, decoding into 64-bit pure-JS histograms. */
export function histogramLogReader(text: string): Hdr.HistogramLogReader {
  return new (hdr().HistogramLogReader)(text, 64, false);
}
