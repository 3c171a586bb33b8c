import { describe, expect, it } from "vitest";
import { parseCiJob, parseCiLog, parseJUnitXml, type CiFailure } from "../../src/domain/ci/logs";

/** The fields a test checks exactly; the excerpt is checked for what it must contain. */
function summary(failures: CiFailure[] | null) {
  return failures?.map(({ stackTrace: _stackTrace, ...rest }) => rest) ?? null;
}

/** `pytest --junitxml=report.xml` (junit_family xunit2, pytest 8): no file or line attributes, no failure type. */
const PYTEST_REPORT = `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="2" skipped="1" tests="5" time="0.412" timestamp="2026-11-24T10:00:02.118736+00:00" hostname="fv-az1020-318"><testcase classname="tests.test_auth" name="test_login" time="0.002" /><testcase classname="tests.test_auth" name="test_token_expiry" time="0.003"><failure message="TypeError: can't compare offset-naive and offset-aware datetimes">def test_token_expiry():
        token = issue_token(user)
&gt;       assert token.expires_at &gt; datetime.now()
E       TypeError: can't compare offset-naive and offset-aware datetimes

tests/test_auth.py:42: TypeError</failure></testcase><testcase classname="tests.test_math.TestAdd" name="test_adds[1-2]" time="0.001"><failure message="assert 3 == 4&#10; +  where 3 = add(1, 2)">self = &lt;tests.test_math.TestAdd object at 0x7f3a2c1d0e50&gt;, a = 1, b = 2

    @pytest.mark.parametrize("a,b", [(1, 2)])
    def test_adds(self, a, b):
&gt;       assert add(a, b) == 4
E       assert 3 == 4
E        +  where 3 = add(1, 2)

tests/test_math.py:9: AssertionError</failure></testcase><testcase classname="tests.test_db" name="test_connect" time="0.000"><error message="failed on setup with &quot;ConnectionRefusedError: [Errno 111] Connection refused&quot;">@pytest.fixture
    def db():
&gt;       return connect("localhost:5432")

tests/conftest.py:12:
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _

    def connect(url):
&gt;       raise ConnectionRefusedError(111, "Connection refused")
E       ConnectionRefusedError: [Errno 111] Connection refused

app/db.py:30: ConnectionRefusedError</error></testcase><testcase classname="tests.test_slow" name="test_big" time="0.000"><skipped type="pytest.skip" message="slow">/home/runner/work/api/api/tests/test_slow.py:4: slow</skipped></testcase></testsuite></testsuites>`;

/** jest-junit defaults: classname and name are "{classname} {title}", `<failure>` has no attributes. */
const JEST_JUNIT_REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="3" failures="1" errors="1" time="2.114">
  <testsuite name="math" errors="0" failures="1" skipped="0" timestamp="2026-11-24T10:00:01" time="0.412" tests="2">
    <testcase classname="math adds" name="math adds" time="0.002">
    </testcase>
    <testcase classname="math subtracts" name="math subtracts" time="0.004">
      <failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: 1
Received: -1
    at Object.toBe (/home/runner/work/web/web/src/math.test.js:9:29)
    at Promise.then.completed (/home/runner/work/web/web/node_modules/jest-circus/build/utils.js:298:28)
    at new Promise (&lt;anonymous&gt;)
    at callAsyncCircusFn (/home/runner/work/web/web/node_modules/jest-circus/build/utils.js:231:10)</failure>
    </testcase>
  </testsuite>
  <testsuite name="src/broken.test.js" errors="1" failures="0" skipped="0" timestamp="2026-11-24T10:00:01" time="0" tests="0">
    <testcase classname="Test suite failed to run" name="src/broken.test.js" time="0">
      <error>  ● Test suite failed to run

    Cannot find module './missing' from 'src/broken.test.js'

      1 | import { thing } from "./missing";
        | ^

      at Resolver._throwModNotFoundError (node_modules/jest-resolve/build/resolver.js:427:11)
      at Object.&lt;anonymous&gt; (src/broken.test.js:1:1)</error>
    </testcase>
  </testsuite>
</testsuites>`;

/** maven-surefire-plugin 3: one file per test class, traces in CDATA, captured output per testcase. */
const SUREFIRE_REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report.xsd" version="3.0.2" name="com.example.billing.InvoiceServiceTest" time="0.087" tests="3" errors="1" skipped="0" failures="1">
  <properties>
    <property name="java.version" value="21.0.5"/>
    <property name="user.dir" value="/home/runner/work/billing/billing"/>
  </properties>
  <testcase name="totalsLineItems" classname="com.example.billing.InvoiceServiceTest" time="0.012"/>
  <testcase name="appliesDiscount" classname="com.example.billing.InvoiceServiceTest" time="0.021">
    <failure message="expected: &lt;90.00&gt; but was: &lt;100.00&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected: <90.00> but was: <100.00>
	at org.junit.jupiter.api.AssertionFailureBuilder.build(AssertionFailureBuilder.java:151)
	at org.junit.jupiter.api.AssertionFailureBuilder.buildAndThrow(AssertionFailureBuilder.java:132)
	at org.junit.jupiter.api.AssertEquals.failNotEqual(AssertEquals.java:197)
	at org.junit.jupiter.api.Assertions.assertEquals(Assertions.java:1145)
	at com.example.billing.InvoiceServiceTest.appliesDiscount(InvoiceServiceTest.java:41)
	at java.base/java.lang.reflect.Method.invoke(Method.java:580)
]]></failure>
    <system-out><![CDATA[10:00:01.412 [main] INFO  c.e.billing.InvoiceService - applying discount SPRING10
]]></system-out>
  </testcase>
  <testcase name="rejectsUnknownCustomer" classname="com.example.billing.InvoiceServiceTest" time="0.004">
    <error message="Cannot invoke &quot;com.example.billing.Customer.id()&quot; because &quot;customer&quot; is null" type="java.lang.NullPointerException"><![CDATA[java.lang.NullPointerException: Cannot invoke "com.example.billing.Customer.id()" because "customer" is null
	at com.example.billing.InvoiceService.create(InvoiceService.java:58)
	at com.example.billing.InvoiceServiceTest.rejectsUnknownCustomer(InvoiceServiceTest.java:63)
	at java.base/java.lang.reflect.Method.invoke(Method.java:580)
]]></error>
  </testcase>
</testsuite>`;

/** Vitest's junit reporter: the classname is the test file, frames are printed with ❯. */
const VITEST_REPORT = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="2" failures="1" errors="0" time="0.532">
    <testsuite name="src/math.test.ts" timestamp="2026-11-24T10:00:01.123Z" hostname="fv-az1020-318" tests="2" failures="1" errors="0" skipped="0" time="0.004">
        <testcase classname="src/math.test.ts" name="math &gt; adds" time="0.001">
        </testcase>
        <testcase classname="src/math.test.ts" name="math &gt; subtracts" time="0.003">
            <failure message="expected -1 to be 1 // Object.is equality" type="AssertionError">
AssertionError: expected -1 to be 1 // Object.is equality

- Expected
+ Received

- 1
+ -1

 ❯ src/math.test.ts:9:24
            </failure>
        </testcase>
    </testsuite>
</testsuites>`;

/** go-junit-report v2 over `go test -v` output. */
const GO_JUNIT_REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="3" failures="1">
	<testsuite name="github.com/acme/calc" tests="3" failures="1" errors="0" id="0" hostname="fv-az1020-318" time="0.004" timestamp="2026-11-24T10:00:01Z">
		<properties>
			<property name="go.version" value="go1.23.3 linux/amd64"></property>
		</properties>
		<testcase name="TestAdd" classname="github.com/acme/calc" time="0.000"></testcase>
		<testcase name="TestDivide" classname="github.com/acme/calc" time="0.000">
			<failure message="Failed"><![CDATA[    calc_test.go:21: Divide(1, 0): expected an error, got 0]]></failure>
		</testcase>
		<testcase name="TestRound" classname="github.com/acme/calc" time="0.000">
			<skipped message="Skipped"><![CDATA[    calc_test.go:30: flaky on arm64]]></skipped>
		</testcase>
	</testsuite>
</testsuites>`;

/** cargo2junit: an empty `<failure>`, the panic in the testcase's system-out. */
const CARGO2JUNIT_REPORT = `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testsuite id="0" name="calc" package="testsuite/calc" tests="2" errors="0" failures="1" hostname="localhost" timestamp="2026-11-24T10:00:01.000000Z" time="0">
    <testcase name="tests::it_adds" classname="calc" time="0"/>
    <testcase name="tests::it_divides" classname="calc" time="0">
      <failure type="cargo test" message="failed tests::it_divides"/>
      <system-out><![CDATA[
thread 'tests::it_divides' panicked at src/lib.rs:24:9:
assertion \`left == right\` failed
  left: 0
 right: 1
note: run with \`RUST_BACKTRACE=1\` environment variable to display a backtrace
]]></system-out>
    </testcase>
  </testsuite>
</testsuites>`;

describe("parseJUnitXml: real reports", () => {
  it("reads pytest's report: the innermost location, the node id, errors at setup", () => {
    const failures = parseJUnitXml(PYTEST_REPORT);
    expect(summary(failures)).toEqual([
      {
        tool: "junit",
        errorType: "TypeError",
        message: "can't compare offset-naive and offset-aware datetimes",
        filePath: "tests/test_auth.py",
        lineNumber: 42,
        testName: "tests/test_auth.py::test_token_expiry",
      },
      {
        tool: "junit",
        errorType: "AssertionError",
        message: "assert 3 == 4\n +  where 3 = add(1, 2)",
        filePath: "tests/test_math.py",
        lineNumber: 9,
        testName: "tests/test_math.py::TestAdd::test_adds[1-2]",
      },
      {
        tool: "junit",
        errorType: "ConnectionRefusedError",
        message: 'failed on setup with "ConnectionRefusedError: [Errno 111] Connection refused"',
        filePath: "app/db.py",
        lineNumber: 30,
        testName: "tests.test_db.test_connect",
      },
    ]);
    // The excerpt is the failure text, entities decoded; the skipped test is not a failure.
    expect(failures?.[0]?.stackTrace).toContain(">       assert token.expires_at > datetime.now()");
  });

  it("reads jest-junit's attribute-less failures from their text, and a suite that failed to run", () => {
    expect(summary(parseJUnitXml(JEST_JUNIT_REPORT))).toEqual([
      {
        tool: "junit",
        errorType: "AssertionError",
        message: "expect(received).toBe(expected) // Object.is equality\nExpected: 1\nReceived: -1",
        filePath: "src/math.test.js",
        lineNumber: 9,
        testName: "math subtracts",
      },
      {
        tool: "junit",
        errorType: "test failure",
        message: "Cannot find module './missing' from 'src/broken.test.js'",
        filePath: "src/broken.test.js",
        lineNumber: 1,
        testName: "src/broken.test.js",
      },
    ]);
  });

  it("reads Surefire's report: the exception class, the innermost frame outside the JDK and JUnit", () => {
    const failures = parseJUnitXml(SUREFIRE_REPORT);
    expect(summary(failures)).toEqual([
      {
        tool: "junit",
        errorType: "org.opentest4j.AssertionFailedError",
        message: "expected: <90.00> but was: <100.00>",
        filePath: "com/example/billing/InvoiceServiceTest.java",
        lineNumber: 41,
        testName: "com.example.billing.InvoiceServiceTest.appliesDiscount",
      },
      {
        tool: "junit",
        errorType: "java.lang.NullPointerException",
        message: 'Cannot invoke "com.example.billing.Customer.id()" because "customer" is null',
        filePath: "com/example/billing/InvoiceService.java",
        lineNumber: 58,
        testName: "com.example.billing.InvoiceServiceTest.rejectsUnknownCustomer",
      },
    ]);
    // CDATA is kept as written: `<90.00>` is not markup there.
    expect(failures?.[0]?.stackTrace).toContain(
      "org.opentest4j.AssertionFailedError: expected: <90.00> but was: <100.00>",
    );
  });

  it("reads Vitest, go-junit-report and cargo2junit reports", () => {
    expect(summary(parseJUnitXml(VITEST_REPORT))).toEqual([
      {
        tool: "junit",
        errorType: "AssertionError",
        message: "expected -1 to be 1 // Object.is equality",
        filePath: "src/math.test.ts",
        lineNumber: 9,
        testName: "src/math.test.ts > math > subtracts",
      },
    ]);
    expect(summary(parseJUnitXml(GO_JUNIT_REPORT))).toEqual([
      {
        tool: "junit",
        errorType: "test failure",
        message: "Divide(1, 0): expected an error, got 0",
        filePath: "calc_test.go",
        lineNumber: 21,
        testName: "github.com/acme/calc.TestDivide",
      },
    ]);
    expect(summary(parseJUnitXml(CARGO2JUNIT_REPORT))).toEqual([
      {
        tool: "junit",
        errorType: "panic",
        message: "assertion `left == right` failed\nleft: 0\nright: 1",
        filePath: "src/lib.rs",
        lineNumber: 24,
        testName: "calc.tests::it_divides",
      },
    ]);
  });

  it("takes the file and line attributes when the text has no location", () => {
    const report = `<testsuite name="e2e"><testcase classname="checkout" name="pays" file="e2e/checkout.spec.ts" line="12"><failure message="Timed out 5000ms waiting for expect(locator).toBeVisible()" type="TimeoutError"/></testcase></testsuite>`;
    expect(summary(parseJUnitXml(report))).toEqual([
      {
        tool: "junit",
        errorType: "TimeoutError",
        message: "Timed out 5000ms waiting for expect(locator).toBeVisible()",
        filePath: "e2e/checkout.spec.ts",
        lineNumber: 12,
        testName: "checkout.pays",
      },
    ]);
  });
});

describe("parseCiLog: JUnit XML is preferred", () => {
  it("reads a report given as the log instead of running the console recognisers over it", () => {
    const withConsoleNoise = PYTEST_REPORT.replace(
      "</testsuite>",
      `<system-out>Traceback (most recent call last):
  File "app/retry.py", line 8, in call
ValueError: retried and recovered</system-out></testsuite>`,
    );
    const failures = parseCiLog(withConsoleNoise);
    expect(failures.map((failure) => [failure.tool, failure.errorType])).toEqual([
      ["junit", "TypeError"],
      ["junit", "AssertionError"],
      ["junit", "ConnectionRefusedError"],
    ]);
    // A passing report is no failure, whatever its captured output prints.
    const passing = `<testsuites><testsuite name="pytest" tests="1"><testcase classname="t" name="ok"><system-out>TypeError: logged, not raised
    at handler (src/app.js:3:9)</system-out></testcase></testsuite></testsuites>`;
    expect(parseCiLog(passing)).toEqual([]);
    expect(parseCiLog(SUREFIRE_REPORT, { maxFailures: 1 })).toHaveLength(1);
    expect(parseCiLog(SUREFIRE_REPORT, { maxFailures: 0 })).toEqual([]);
  });

  it("takes a job's reports over its log, and the log when the reports hold no failure", () => {
    const log = "src/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\n";
    expect(parseCiJob({ log, junit: [SUREFIRE_REPORT, GO_JUNIT_REPORT] }).map((failure) => failure.filePath)).toEqual([
      "com/example/billing/InvoiceServiceTest.java",
      "com/example/billing/InvoiceService.java",
      "calc_test.go",
    ]);
    const passing = `<testsuite name="x" tests="1"><testcase classname="a" name="b"/></testsuite>`;
    expect(parseCiJob({ log, junit: [passing] }).map((failure) => failure.tool)).toEqual(["tsc"]);
    expect(parseCiJob({ log })).toEqual(parseCiLog(log));
    expect(parseCiJob({ log, junit: [SUREFIRE_REPORT, PYTEST_REPORT] }, { maxFailures: 3 })).toHaveLength(3);
  });
});

describe("parseJUnitXml: hostile and broken input", () => {
  it("returns null for malformed XML and other documents, and parseCiLog falls back without a crash", () => {
    const truncated = PYTEST_REPORT.slice(0, PYTEST_REPORT.indexOf("tests/test_auth.py:42"));
    const inputs = [
      truncated,
      "<testsuites><testsuite></testsuites>",
      "<testsuites><testcase name='a'><failure>x</testcase></testsuites>",
      '<?xml version="1.0"?><project><modelVersion>4.0.0</modelVersion></project>',
      `<testsuites>${"<testsuite>".repeat(500)}${"</testsuite>".repeat(500)}</testsuites>`,
      '<testsuite><testcase name="a" __proto__="x"><failure>x</failure></testcase></testsuite>',
      "<testsuite",
      "",
    ];
    for (const input of inputs) {
      expect(parseJUnitXml(input)).toBeNull();
      expect(() => parseCiLog(input)).not.toThrow();
    }
    // A truncated report is console text: a traceback in it is still found.
    const cut = `<testsuite name="pytest"><testcase classname="a" name="b"><failure message="boom">
Traceback (most recent call last):
  File "app/x.py", line 3, in f
ValueError: boom
`;
    expect(parseJUnitXml(cut)).toBeNull();
    expect(summary(parseCiLog(cut))).toEqual([
      {
        tool: "python-traceback",
        errorType: "ValueError",
        message: "boom",
        filePath: "app/x.py",
        lineNumber: 3,
        testName: null,
      },
    ]);
  });

  it("refuses a DOCTYPE and expands no entity, decoding only the predefined ones and character references", () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<testsuite name="x"><testcase classname="a" name="b"><failure message="&lol3;">&lol3;</failure></testcase></testsuite>`;
    expect(parseJUnitXml(laughs)).toBeNull();
    expect(parseCiLog(laughs)).toEqual([]);
    const external = `<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><testsuite><testcase name="t"><failure message="&x;"/></testcase></testsuite>`;
    expect(parseJUnitXml(external)).toBeNull();

    // A DOCTYPE that is not in the prolog is never applied either.
    const inside = `<testsuite><!DOCTYPE x [<!ENTITY a "AAAA">]><testcase name="t"><failure message="&a; &amp;lt; &#60;&#x1F600; &#0;">x</failure></testcase></testsuite>`;
    expect(parseJUnitXml(inside)?.map((failure) => failure.message)).toEqual(["&a; &lt; <😀 &#0;"]);
  });

  it("reads a 5 MB report to the failure cap, in document order", () => {
    const cases: string[] = [];
    let size = 0;
    for (let index = 0; size < 5_000_000; index++) {
      const failed = index % 10 === 0;
      const testcase = failed
        ? `<testcase classname="tests.test_mod${index % 50}" name="test_case_${index}" time="0.001"><failure message="AssertionError: value ${index} != ${index + 1}">def test_case_${index}():
&gt;       assert compute(${index}) == ${index + 1}
E       AssertionError: value ${index} != ${index + 1}

tests/test_mod${index % 50}.py:${(index % 300) + 1}: AssertionError</failure></testcase>\n`
        : `<testcase classname="tests.test_mod${index % 50}" name="test_case_${index}" time="0.001"><system-out>${"captured output ".repeat(12)}</system-out></testcase>\n`;
      cases.push(testcase);
      size += testcase.length;
    }
    const report = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="${cases.length}">\n${cases.join("")}</testsuite></testsuites>`;
    expect(report.length).toBeGreaterThan(5_000_000);
    const failures = parseCiLog(report);
    expect(failures).toHaveLength(50);
    expect(failures[0]).toMatchObject({
      errorType: "AssertionError",
      message: "value 0 != 1",
      filePath: "tests/test_mod0.py",
      lineNumber: 1,
      testName: "tests/test_mod0.py::test_case_0",
    });
    expect(failures[49]?.testName).toBe("tests/test_mod40.py::test_case_490");
    expect(parseJUnitXml(report, { maxFailures: 3 })).toHaveLength(3);
  });
});
