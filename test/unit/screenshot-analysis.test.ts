import { describe, expect, it } from "vitest";
import {
  analysisFromVision,
  framesAsStackTrace,
  mergeErrorFields,
  readOcrText,
  visionAnswerSchema,
} from "../../src/domain/screenshots/screenshot-analysis";

const read = (answer: unknown) => {
  const parsed = visionAnswerSchema.safeParse(answer);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
  return analysisFromVision(parsed.data, "openai/gpt-4o-mini", 0);
};

describe("vision answers", () => {
  it("reads a sparse answer leniently: missing keys null, numbers as strings, junk frames dropped", () => {
    const analysis = read({
      is_error: "true",
      error_type: "KeyError",
      message: "'user_id'\nsecond line",
      line_number: "17",
      stack_frames: [{ file: "app/views.py", line: "17", function: "show" }, { line: 3 }, "junk"],
      confidence: "certain",
    });
    expect(analysis).toMatchObject({
      isError: true,
      errorType: "KeyError",
      message: "'user_id'",
      filePath: null,
      lineNumber: 17,
      stackFrames: [{ file: "app/views.py", line: 17, function: "show" }],
      visibleCode: null,
      confidence: null,
    });
  });

  it("takes is_error false and null strings at their word", () => {
    const analysis = read({ is_error: false, error_type: "null", message: null, stack_frames: [], confidence: "high" });
    expect(analysis.isError).toBe(false);
    expect(analysis.errorType).toBeNull();
  });

  it("writes frames as the language's own stack trace", () => {
    const python = read({
      error_type: "ValueError",
      message: "bad",
      language: "Python",
      stack_frames: [
        { file: "main.py", line: 3, function: "<module>" },
        { file: "lib.py", line: 9, function: "parse" },
      ],
    });
    expect(framesAsStackTrace(python)).toBe(
      'Traceback (most recent call last):\n  File "main.py", line 3, in <module>\n  File "lib.py", line 9, in parse\nValueError: bad',
    );
    const node = read({
      error_type: "TypeError",
      message: "x is undefined",
      language: "javascript",
      stack_frames: [
        { file: "src/app.js", line: 10, function: "main" },
        { file: "src/list.js", line: 4, function: null },
      ],
    });
    expect(framesAsStackTrace(node)).toBe(
      "TypeError: x is undefined\n    at src/list.js:4\n    at main (src/app.js:10)",
    );
  });
});

describe("mergeErrorFields", () => {
  const given = { errorType: null, message: null, stackTrace: null, filePath: null, lineNumber: 7 };
  const ocrText = 'Traceback (most recent call last):\n  File "a.py", line 2, in f\nValueError: from ocr';

  it("prefers what was typed, then the vision model, then OCR; the stack from OCR's literal text", () => {
    const vision = read({ error_type: "ValueError", message: "from vision", file_path: "b.py", line_number: 5 });
    const ocr = readOcrText(ocrText, 0);
    expect(mergeErrorFields(given, vision, ocr)).toEqual({
      errorType: "ValueError",
      message: "from vision",
      filePath: "b.py",
      lineNumber: 7,
      stackTrace: expect.stringContaining('File "a.py", line 2'),
    });
  });

  it("ignores a vision reading that saw no error, and uses OCR's", () => {
    const vision = read({ is_error: false, error_type: "Nothing", message: "none" });
    const ocr = readOcrText(ocrText, 0);
    expect(mergeErrorFields(given, vision, ocr)).toMatchObject({
      errorType: "ValueError",
      message: "from ocr",
      filePath: "a.py",
    });
  });
});

describe("OCR text of a Python traceback", () => {
  it("reads file and line although OCR dropped the indentation (regression: smoke got no file or line)", () => {
    const ocr = [
      "Traceback (most recent call last):",
      'File "/home/dev/shop/app/main.py", line 12, in <module>',
      "total = parse total(raw)",
      'File "/home/dev/shop/app/pricing.py", line 41, in parse total',
      "return Decimal (value)",
      "ValueError: invalid literal for Decimal: 'twelve'",
    ].join("\n");
    expect(readOcrText(ocr, 0)?.analysis).toMatchObject({
      errorType: "ValueError",
      message: "invalid literal for Decimal: 'twelve'",
      filePath: "/home/dev/shop/app/pricing.py",
      lineNumber: 41,
    });
  });

  it("tells a frame without a source line from the exception after it", () => {
    const ocr = ["Traceback (most recent call last):", 'File "<stdin>", line 1, in <module>', "KeyError: 'id'"].join(
      "\n",
    );
    expect(readOcrText(ocr, 0)?.analysis).toMatchObject({ errorType: "KeyError", message: "'id'" });
  });
});
