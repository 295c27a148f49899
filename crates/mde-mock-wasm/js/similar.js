// "Did you mean": the flag most like a mistyped one, chosen as the native binary's clap chooses it (the Jaro
// similarity of strsim, above 0.7; the most similar wins, the later one on a tie).

/** The Jaro similarity of two strings, from 0 (nothing alike) to 1 (equal), over UTF-16 code units. */
export function jaro(a, b) {
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const range = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aFlags = new Array(a.length).fill(false);
  const bFlags = new Array(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const end = Math.min(b.length, i + range + 1);
    for (let j = Math.max(0, i - range); j < end; j++) {
      if (!bFlags[j] && a[i] === b[j]) {
        aFlags[i] = bFlags[j] = true;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aFlags[i]) continue;
    while (!bFlags[j]) j++;
    if (a[i] !== b[j]) transpositions++;
    j++;
  }
  transpositions = Math.floor(transpositions / 2);
  return (matches / a.length + matches / b.length + (matches - transpositions) / matches) / 3;
}

/** The candidate most similar to `word` (similarity above 0.7), or undefined. */
export function mostSimilar(word, candidates) {
  let best;
  let bestScore = 0.7;
  for (const candidate of candidates) {
    const score = jaro(word, candidate);
    if (score > bestScore || (best !== undefined && score === bestScore)) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
