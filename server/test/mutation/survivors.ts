/**
 * Why each mutant still alive after the last run is left alive, matched by file, the original text and the
 * replacement (not by line, which moves). docs/mutation.md prints the reason beside the mutant; a survivor without one
 * is flagged there, to be killed by a test or explained here.
 */
interface Survivor {
  file: string;
  original: string;
  replacement: string;
  why: string;
}

const SURVIVORS: Survivor[] = [];

export function explainSurvivor(file: string, original: string, replacement: string): string | null {
  const match = SURVIVORS.find((s) => s.file === file && original.includes(s.original) && replacement === s.replacement);
  return match?.why ?? null;
}
