import { describe, expect, it } from "vitest";
import { errorFeatures, stemWord } from "../../src/domain/errors/features";
import { matchesErrorFilters, NO_FILTERS } from "../../src/domain/errors/filters";
import { lexicalTerms, MAX_LEXICAL_TERMS } from "../../src/domain/errors/normalize";
import { HashingEmbedder } from "../../src/domain/vectors/hash-embedder";
import type { ErrorRecord } from "../../src/domain/core/records";
import { cosine } from "../../src/domain/vectors/ports";

const JAVA = [
  "java.lang.NullPointerException",
  "\tat org.jfree.chart.plot.XYPlot.getDataRange(XYPlot.java:4493)",
  "\tat org.jfree.chart.axis.NumberAxis.autoAdjustRange(NumberAxis.java:434)",
  "\tat org.jfree.chart.plot.junit.XYPlotTests.testDrawRangeGridlines(XYPlotTests.java:1056)",
].join("\n");

describe("lexicalTerms", () => {
  it("keeps values a duplicate report would share, and splits identifiers", () => {
    const terms = lexicalTerms("ModuleNotFoundError: No module named 'selectable_list' in dupeguru_pe");
    expect(terms).toEqual(
      expect.arrayContaining(["modulenotfounderror", "module", "found", "selectable_list", "dupeguru_pe"]),
    );
    expect(terms).not.toContain("no");
    expect(new Set(terms).size).toBe(terms.length);
  });

  it("is bounded and only yields FTS-safe terms", () => {
    const text = Array.from({ length: 2_000 }, (_, i) => `word${i} "quote" (x) -- ${i}`).join(" ");
    const terms = lexicalTerms(text);
    expect(terms.length).toBe(MAX_LEXICAL_TERMS);
    for (const term of terms) expect(term).toMatch(/^[a-z0-9_]{2,}$/);
  });
});

describe("errorFeatures", () => {
  it("reads the exception class, frames, classes, the class under test and identifier words", () => {
    const features = errorFeatures(JAVA);
    expect(features.has("t:nullpointerexception")).toBe(true);
    expect(features.has("f:xyplot.getdatarange")).toBe(true);
    expect(features.has("c:numberaxis")).toBe(true);
    // XYPlotTests tests XYPlot: a failure in the test class points at the class under test.
    expect(features.get("c:xyplot")?.count).toBeGreaterThanOrEqual(2);
    expect(features.has(`w:${stemWord("gridlines")}`)).toBe(true);
  });

  it("reads Python and V8 frames too, with the file standing in for the class", () => {
    const python = errorFeatures(
      'Traceback (most recent call last):\n  File "/srv/app/billing/invoice.py", line 12, in total\n    x = a + b\nTypeError: unsupported operand',
    );
    expect(python.has("f:invoice.total")).toBe(true);
    const node = errorFeatures("TypeError: x is not a function\n    at renderCart (/srv/web/src/cart/view.ts:10:5)");
    expect(node.has("f:view.rendercart")).toBe(true);
  });

  it("stems inflections to one feature", () => {
    expect(stemWord("escaping")).toBe(stemWord("escaped"));
    expect(stemWord("datetimes")).toBe(stemWord("datetime"));
  });
});

describe("HashingEmbedder (structural)", () => {
  it("places two failures of one bug closer than a failure elsewhere with the same exception", async () => {
    const embedder = new HashingEmbedder();
    const [a, b, c] = await embedder.embed([
      JAVA,
      "java.lang.IllegalStateException: no range\n\tat org.jfree.chart.plot.XYPlot.getDataRange(XYPlot.java:4470)\n\tat org.jfree.chart.plot.junit.XYPlotTests.testSetRenderer(XYPlotTests.java:900)",
      "java.lang.NullPointerException\n\tat com.acme.billing.InvoiceService.total(InvoiceService.java:42)\n\tat com.acme.billing.InvoiceServiceTest.testTotal(InvoiceServiceTest.java:12)",
    ]);
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!));
  });

  it("finds a paraphrase that shares stems but not words", async () => {
    const embedder = new HashingEmbedder();
    const [recorded, paraphrase, unrelated] = await embedder.embed([
      "TypeError: can't compare offset-naive and offset-aware datetimes",
      "comparing naive and aware datetime objects fails",
      "KeyError: 'user_id' when loading the session",
    ]);
    expect(cosine(recorded!, paraphrase!)).toBeGreaterThan(0.3);
    expect(cosine(recorded!, paraphrase!)).toBeGreaterThan(cosine(recorded!, unrelated!) + 0.2);
  });
});

describe("matchesErrorFilters", () => {
  const error = {
    errorType: "java.lang.NullPointerException",
    filePath: "/srv/app/src/auth/login.py",
    tags: ["auth"],
    resolved: true,
    lastSeen: Date.parse("2026-11-01T00:00:00Z"),
  } as ErrorRecord;

  it("matches simple or qualified types, path suffixes at separators, exact tags and since", () => {
    expect(matchesErrorFilters(error, { ...NO_FILTERS, errorType: "nullpointerexception" })).toBe(true);
    expect(matchesErrorFilters(error, { ...NO_FILTERS, errorType: "PointerException" })).toBe(false);
    expect(matchesErrorFilters(error, { ...NO_FILTERS, file: "auth/login.py" })).toBe(true);
    expect(matchesErrorFilters(error, { ...NO_FILTERS, file: "h/login.py" })).toBe(false);
    expect(matchesErrorFilters(error, { ...NO_FILTERS, tag: "aut" })).toBe(false);
    expect(matchesErrorFilters(error, { ...NO_FILTERS, since: Date.parse("2026-11-02T00:00:00Z") })).toBe(false);
    expect(matchesErrorFilters({ ...error, resolved: false }, { ...NO_FILTERS, resolvedOnly: true })).toBe(false);
  });
});
