// Plain BM25 (Okapi, k1 1.2, b 0.75) over lower-cased word tokens with no normalisation: the baseline every
// search-quality figure is printed beside, computed in the same run on the same texts. Each loaded text is its
// own document (no fingerprint merging), so the baseline is never helped or hurt by how records merge.

const K1 = 1.2;
const B = 0.75;

/** @param {string} text */
export function wordTokens(text) {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

export class PlainBm25 {
  /** @param {Array<{ key: string, text: string }>} documents */
  constructor(documents) {
    /** @type {Array<{ key: string, tf: Map<string, number>, length: number }>} */
    this.docs = documents.map(({ key, text }) => {
      const tf = new Map();
      const tokens = wordTokens(text);
      for (const token of tokens) tf.set(token, (tf.get(token) ?? 0) + 1);
      return { key, tf, length: tokens.length };
    });
    /** @type {Map<string, number>} */
    this.df = new Map();
    for (const doc of this.docs) for (const term of doc.tf.keys()) this.df.set(term, (this.df.get(term) ?? 0) + 1);
    this.averageLength = this.docs.reduce((sum, doc) => sum + doc.length, 0) / Math.max(1, this.docs.length);
  }

  /** Keys of the best `k` documents for `query`, best first (ties in key order). @param {string} query @param {number} k */
  search(query, k) {
    const n = this.docs.length;
    const terms = [...new Set(wordTokens(query))].filter((term) => this.df.has(term));
    const idf = new Map(
      terms.map((term) => {
        const df = this.df.get(term) ?? 0;
        return [term, Math.log(1 + (n - df + 0.5) / (df + 0.5))];
      }),
    );
    const scored = [];
    for (const doc of this.docs) {
      let score = 0;
      const norm = K1 * (1 - B + (B * doc.length) / this.averageLength);
      for (const term of terms) {
        const tf = doc.tf.get(term);
        if (tf) score += (idf.get(term) ?? 0) * ((tf * (K1 + 1)) / (tf + norm));
      }
      if (score > 0) scored.push({ key: doc.key, score });
    }
    scored.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
    return scored.slice(0, k).map((hit) => hit.key);
  }
}
