import { describe, expect, it } from "vitest";
import {
  analyseError,
  analyseQuery,
  bm25f,
  FIELD_WEIGHTS,
  framePositionWeight,
  frameSimilarity,
  matchTerms,
  weightedTerms,
} from "../../src/domain/errors/ranking";
import type { TermStatistics } from "../../src/domain/errors/ports";

const jvm = (frames: string[]) => frames.map((frame) => `\tat ${frame}`).join("\n");
const record = (type: string, message: string, frames: string[]) =>
  analyseError({ errorType: type, message, stackTrace: jvm(frames), filePath: null });
/** Statistics of a project of `documents` errors where every listed term is in `docs` of them. */
const statistics = (documents: number, docs: Record<string, number>): TermStatistics => ({
  documents,
  averageTerms: 20,
  docs: new Map(Object.entries(docs)),
});

describe("BM25F fields", () => {
  it("weighs a term by the strongest field it occurs in: own innermost frames fully, library frames a quarter", () => {
    const analysed = record("java.lang.NullPointerException", "java.lang.NullPointerException", [
      "java.util.ArrayList.get(ArrayList.java:433)",
      "org.jfree.chart.plot.XYPlot.getDataRange(XYPlot.java:4493)",
      "org.jfree.chart.axis.NumberAxis.configure(NumberAxis.java:417)",
    ]);
    expect(analysed.terms.get("arraylist")).toBe(FIELD_WEIGHTS.libraryFrame);
    expect(analysed.terms.get("getdatarange")).toBe(FIELD_WEIGHTS.ownFrame * framePositionWeight(0));
    expect(analysed.terms.get("configure")).toBe(FIELD_WEIGHTS.ownFrame * framePositionWeight(1));
    expect(analysed.terms.get("nullpointerexception")).toBe(FIELD_WEIGHTS.type);
    expect(analysed.frames).toEqual(["xyplot.getdatarange", "numberaxis.configure"]);
  });

  it("ranks a record sharing the query's own frames above one sharing only the harness's frames", () => {
    const query = analyseQuery(
      "java.lang.IllegalStateException: boom\n" +
        jvm(["junit.framework.Assert.fail(Assert.java:57)", "org.acme.Parser.parse(Parser.java:10)"]),
    );
    const own = record("java.lang.IllegalStateException", "other words", ["org.acme.Parser.parse(Parser.java:12)"]);
    const harness = record("java.lang.IllegalStateException", "other words", [
      "junit.framework.Assert.fail(Assert.java:57)",
      "org.acme.Printer.print(Printer.java:3)",
    ]);
    const stats = statistics(100, { parse: 5, parser: 5, junit: 5, framework: 5, assert: 5, fail: 5, acme: 50 });
    expect(bm25f(query, own, stats)).toBeGreaterThan(bm25f(query, harness, stats));
  });

  it("saturates a term the query repeats instead of multiplying it", () => {
    const once = analyseQuery("gc.dowidth failed");
    const often = analyseQuery(Array.from({ length: 6 }, () => "gc.dowidth").join("\n") + "\nfailed");
    const ratio = (often.weights.get("gc") ?? 0) / (once.weights.get("gc") ?? 1);
    expect(ratio).toBeGreaterThan(1);
    expect(ratio).toBeLessThan(2.2);
  });

  it("orders match terms by information (weight · IDF) and leaves out terms the project does not have", () => {
    const query = analyseQuery("TypeError: widgetFactory is undefined in renderList");
    const stats = statistics(1000, { typeerror: 400, widgetfactory: 2, undefined: 300, renderlist: 10 });
    const terms = matchTerms(weightedTerms(query), stats);
    expect(terms.slice(0, 2)).toEqual(["widgetfactory", "renderlist"]);
    expect(terms).not.toContain("widget");
  });

  it("keeps common terms out of the match unless they are among the two most informative", () => {
    const stats = statistics(1000, { rare: 1, scarce: 2, common: 900 });
    const terms = (weights: Record<string, number>) =>
      matchTerms(
        Object.entries(weights).map(([term, weight]) => ({ term, weight })),
        stats,
      );
    expect(terms({ rare: 1, scarce: 1, common: 1 })).toEqual(["rare", "scarce"]);
    expect(terms({ common: 1 })).toEqual(["common"]);
    // Weighted up enough, a common term is the most informative: kept, ahead of rarer ones.
    expect(terms({ common: 100, rare: 1, scarce: 0.001 })).toEqual(["common", "rare", "scarce"]);
  });
});

describe("frame similarity", () => {
  const stats = statistics(100, {});
  const frames = ["org.a.Foo.run(Foo.java:1)", "org.a.Bar.call(Bar.java:2)", "org.a.BazTest.testIt(BazTest.java:3)"];

  it("is 1 for the same trace, 0 for traces with nothing in common or without own frames", () => {
    const same = record("E", "m", frames);
    expect(frameSimilarity(same, record("E", "m", frames), stats)).toBeCloseTo(1, 5);
    expect(frameSimilarity(same, record("E", "m", ["org.b.Other.thing(Other.java:1)"]), stats)).toBe(0);
    expect(frameSimilarity(same, record("E", "m", ["java.util.ArrayList.get(ArrayList.java:1)"]), stats)).toBe(0);
  });

  it("counts a shared innermost frame (where the bug is) more than a shared outermost one (the test)", () => {
    const query = record("E", "m", frames);
    const sameThrowSite = record("E", "m", [frames[0] ?? "", "org.c.Other.x(Other.java:1)", "org.c.T.t(T.java:1)"]);
    const sameTest = record("E", "m", ["org.c.Y.y(Y.java:1)", "org.c.Z.z(Z.java:1)", frames[2] ?? ""]);
    expect(frameSimilarity(query, sameThrowSite, stats)).toBeGreaterThan(frameSimilarity(query, sameTest, stats));
  });

  it("counts a frame every error passes through less than a rare one", () => {
    const query = record("E", "m", ["org.a.Foo.run(Foo.java:1)", "org.a.Bar.call(Bar.java:2)"]);
    const sharesCommon = record("E", "m", ["org.a.Foo.run(Foo.java:1)", "org.q.Q.q(Q.java:1)"]);
    const sharesRare = record("E", "m", ["org.q.Q.q(Q.java:1)", "org.a.Bar.call(Bar.java:2)"]);
    const skewed = statistics(1000, { run: 900, call: 2 });
    expect(frameSimilarity(query, sharesRare, skewed)).toBeGreaterThan(frameSimilarity(query, sharesCommon, skewed));
  });
});
