import { describe, expect, it } from "vitest";
import { redactSecrets, SECRET_KINDS } from "../../src/domain/core/redaction";
import samples from "../support/secret-samples.json";

describe("redactSecrets: token formats", () => {
  const cases: Array<{ name: string; input: string; expected: string; kind: string }> = [
    {
      name: "AWS access key id",
      input: "key AKIAIOSFODNN7EXAMPLE in use",
      expected: "key [REDACTED:aws_access_key] in use",
      kind: "aws_access_key",
    },
    {
      name: "AWS temporary access key id",
      input: "ASIAY34FZKBOKMUTVV7A",
      expected: "[REDACTED:aws_access_key]",
      kind: "aws_access_key",
    },
    {
      name: "AWS secret access key assignment keeps the key name",
      input: "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      expected: "aws_secret_access_key = [REDACTED:aws_secret]",
      kind: "aws_secret",
    },
    {
      name: "GitHub classic token",
      input: "push failed for ghp_1234567890abcdefghijABCDEFGHIJ123456",
      expected: "push failed for [REDACTED:github_token]",
      kind: "github_token",
    },
    {
      name: "GitHub fine-grained token",
      input: "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
      expected: "[REDACTED:github_token]",
      kind: "github_token",
    },
    {
      name: "GitHub server token",
      input: "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
      expected: "[REDACTED:github_token]",
      kind: "github_token",
    },
    {
      name: "OpenAI project key",
      input: "using sk-proj-abcdefghijklmnopqrstuvwxyz0123456789 now",
      expected: "using [REDACTED:openai_key] now",
      kind: "openai_key",
    },
    {
      name: "OpenAI legacy key",
      input: "sk-abcdefghijklmnopqrstuvwx12345678",
      expected: "[REDACTED:openai_key]",
      kind: "openai_key",
    },
    {
      name: "Slack bot token",
      input: "slack xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx",
      expected: "slack [REDACTED:slack_token]",
      kind: "slack_token",
    },
    {
      name: "Stripe live secret key",
      input: "stripe sk_live_51H8abcdefghijklmnop",
      expected: "stripe [REDACTED:stripe_key]",
      kind: "stripe_key",
    },
    {
      name: "Stripe restricted key",
      input: "rk_live_abcdefghij12345",
      expected: "[REDACTED:stripe_key]",
      kind: "stripe_key",
    },
    {
      name: "Stripe test key",
      input: "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
      expected: "[REDACTED:stripe_key]",
      kind: "stripe_key",
    },
    {
      name: "Google API key",
      input: "maps key=AIzaSyD-abcdefghijklmnopqrstuvwxyz01234 ok",
      expected: "maps key=[REDACTED:google_api_key] ok",
      kind: "google_api_key",
    },
    {
      name: "JWT",
      input:
        "session eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U expired",
      expected: "session [REDACTED:jwt] expired",
      kind: "jwt",
    },
    {
      name: "password in a connection URL keeps scheme, user and host",
      input: "connect postgres://admin:s3cr3tP@ss@db.example.com:5432/app failed",
      expected: "connect postgres://admin:[REDACTED:url_password]@db.example.com:5432/app failed",
      kind: "url_password",
    },
    {
      name: "password in a URL with an empty user",
      input: "redis://:hunter2@cache.internal:6379",
      expected: "redis://:[REDACTED:url_password]@cache.internal:6379",
      kind: "url_password",
    },
    {
      name: "Authorization header bearer token",
      input: "curl -H 'Authorization: Bearer abc.def-123' https://api.example.com",
      expected: "curl -H 'Authorization: Bearer [REDACTED:bearer_token]' https://api.example.com",
      kind: "bearer_token",
    },
    {
      name: "bare Bearer with a long token",
      input: "sent Bearer 9f8e7d6c5b4a39281706abcdef",
      expected: "sent Bearer [REDACTED:bearer_token]",
      kind: "bearer_token",
    },
    {
      name: "Authorization header basic credentials",
      input: "Authorization: Basic dXNlcjpwYXNzd29yZA==",
      expected: "Authorization: Basic [REDACTED:basic_auth]",
      kind: "basic_auth",
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = redactSecrets(testCase.input);
      expect(result.text).toBe(testCase.expected);
      expect(result.redactions).toEqual([{ kind: testCase.kind, count: 1 }]);
    });
  }

  it("reports an Anthropic key as anthropic_key, not openai_key", () => {
    const result = redactSecrets("ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789-ABCDEF");
    expect(result.text).toBe("ANTHROPIC_API_KEY=[REDACTED:anthropic_key]");
    expect(result.redactions).toEqual([{ kind: "anthropic_key", count: 1 }]);
  });

  it("redacts a whole private key block, keeping the text around it", () => {
    const input = [
      "before",
      "-----BEGIN RSA PRIVATE KEY-----",
      "MIIEowIBAAKCAQEAtQ0hX1R7c0cH",
      "c3VwZXJzZWNyZXRrZXltYXRlcmlhbA==",
      "-----END RSA PRIVATE KEY-----",
      "after",
    ].join("\n");
    const result = redactSecrets(input);
    expect(result.text).toBe("before\n[REDACTED:private_key]\nafter");
    expect(result.redactions).toEqual([{ kind: "private_key", count: 1 }]);
  });

  it("redacts a truncated private key block to the end of the text", () => {
    const result = redactSecrets("key:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B");
    expect(result.text).toBe("key:\n[REDACTED:private_key]");
  });

  it("redacts a JSON-escaped private key without double counting it as a generic secret", () => {
    const result = redactSecrets(
      '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQ\\n-----END PRIVATE KEY-----\\n"}',
    );
    expect(result.text).toBe('{"private_key": "[REDACTED:private_key]\\n"}');
    expect(result.redactions).toEqual([{ kind: "private_key", count: 1 }]);
  });

  it("reports a JWT inside an Authorization header once, as jwt", () => {
    const result = redactSecrets(
      "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    );
    expect(result.text).toBe("Authorization: Bearer [REDACTED:jwt]");
    expect(result.redactions).toEqual([{ kind: "jwt", count: 1 }]);
  });

  it("reports a token used as the user part of a URL once, as github_token", () => {
    const result = redactSecrets("git clone https://ghp_1234567890abcdefghijABCDEFGHIJ123456@github.com/acme/app.git");
    expect(result.text).toBe("git clone https://[REDACTED:github_token]@github.com/acme/app.git");
    expect(result.redactions).toEqual([{ kind: "github_token", count: 1 }]);
  });

  it("counts several secrets of several kinds, in canonical kind order", () => {
    const result = redactSecrets(
      "password=hunter2hunter2 AKIAIOSFODNN7EXAMPLE token: 'abcdef123' AKIAI44QH8DHBEXAMPLE",
    );
    expect(result.text).toBe(
      "password=[REDACTED:generic_secret] [REDACTED:aws_access_key] token: '[REDACTED:generic_secret]' [REDACTED:aws_access_key]",
    );
    expect(result.redactions).toEqual([
      { kind: "aws_access_key", count: 2 },
      { kind: "generic_secret", count: 2 },
    ]);
  });

  it("exposes the canonical kind order", () => {
    expect(SECRET_KINDS.indexOf("anthropic_key")).toBeLessThan(SECRET_KINDS.indexOf("openai_key"));
    expect(SECRET_KINDS[SECRET_KINDS.length - 1]).toBe("generic_secret");
  });
});

describe("redactSecrets: generic key/value secrets", () => {
  const cases: Array<[string, string]> = [
    ["password=hunter2hunter2", "password=[REDACTED:generic_secret]"],
    ["DB_PASSWORD=supersecretvalue", "DB_PASSWORD=[REDACTED:generic_secret]"],
    ['"api_key": "abcdef123456"', '"api_key": "[REDACTED:generic_secret]"'],
    ["client_secret: s3cr3t-value-9", "client_secret: [REDACTED:generic_secret]"],
    ["apiKey: 'Zm9vYmFyYmF6'", "apiKey: '[REDACTED:generic_secret]'"],
    ["PASSWD = 'letmein1'", "PASSWD = '[REDACTED:generic_secret]'"],
    ['SECRET_KEY = "django-insecure-3x@mpl3"', 'SECRET_KEY = "[REDACTED:generic_secret]"'],
    ["'password' => 'correct-horse'", "'password' => '[REDACTED:generic_secret]'"],
    ['dbPassword := "pa55word"', 'dbPassword := "[REDACTED:generic_secret]"'],
    [
      "GET /callback?access_token=abc123def456&state=xyz",
      "GET /callback?access_token=[REDACTED:generic_secret]&state=xyz",
    ],
    ["Refresh-Token: 1//0gLx9abcDEF", "Refresh-Token: [REDACTED:generic_secret]"],
  ];
  for (const [input, expected] of cases) {
    it(`redacts ${JSON.stringify(input)}`, () => {
      const result = redactSecrets(input);
      expect(result.text).toBe(expected);
      expect(result.redactions).toEqual([{ kind: "generic_secret", count: 1 }]);
    });
  }
});

describe("redactSecrets: text that must survive untouched", () => {
  const untouched: Array<[string, string]> = [
    ["function call", "const token = getToken();"],
    ["method chain call", "token = request.headers.get('x-token')"],
    ["call of a function whose name has digits", "token = sha256(data); secret = base64url(random_bytes(32))"],
    ["password_hash column", 'password_hash = "$2b$12$KIXQ1dAqk2Yx0rB9HcW3eO"'],
    ["password_hash assignment from code", "const password_hash = bcrypt.hash(pw);"],
    ["tokenizer", "const tokenizer = new Tokenizer(); tokenizer = AutoTokenizer.from_pretrained('bert')"],
    ["type annotations", "token: string; password: string | undefined; apiKey?: string"],
    ["identifier values", "token: TokenType, secret = someVariableName"],
    ["member access", "secret: process.env.SECRET_KEY_2; apiKey = settings.API_KEY"],
    ["environment lookup", "token = os.environ['GITHUB_TOKEN']"],
    ["shell substitution", "export GITHUB_TOKEN=$(gh auth token) PASSWORD=${DB_PASSWORD}"],
    ["templates", "password = \"********\" token = `${prefix}-${id}` secret: '{{ secrets.X }}'"],
    ["null-like and short values", 'token = None; password: null; "secret": "abc"; token=true'],
    ["plural and counts", "max_tokens: 4096, num_tokens = 12, token_count=123456789"],
    ["comparison", 'if password == "hunter2hunter2":'],
    ["Rust path", "let t = Token::new(42);"],
    ["template Authorization header", "headers: { Authorization: `Bearer ${token}` }"],
    ["prose", "Bearer authentication is required. Invalid token: expired_signature_error"],
    [
      "Python traceback",
      [
        "Traceback (most recent call last):",
        '  File "/usr/src/app/auth/token.py", line 42, in verify_token',
        "    payload = jwt.decode(token, secret, algorithms=['HS256'])",
        "jwt.exceptions.InvalidSignatureError: Signature verification failed",
      ].join("\n"),
    ],
    [
      "Node stack trace",
      "TypeError: x is undefined\n    at verifyToken (/app/src/auth/token.ts:12:5)\n    at Object.<anonymous> (C:\\Users\\dev\\secret-project\\index.js:3:1)",
    ],
    ["file paths", "/home/user/.ssh/id_rsa C:\\Users\\me\\tokens\\list.txt ./src/secrets/loader.ts"],
    ["UUIDs", "request 123e4567-e89b-12d3-a456-426614174000 failed"],
    ["git SHAs", "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (HEAD) 9fceb02"],
    ["URL without password", "https://github.com/acme/app and ssh://git@github.com/acme/app.git"],
    ["base64 data and hex", "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["sk- word", "disk-usage-report-for-cluster-2024 and task-1234567890abcdefghij"],
  ];
  for (const [name, input] of untouched) {
    it(name, () => {
      expect(redactSecrets(input)).toEqual({ text: input, redactions: [] });
    });
  }
});

describe("redactSecrets: the formats gitleaks and secretlint cover (test/support/secret-samples.json)", () => {
  // Bare tokens also inside a path (gitleaks' rules for these want a quote or space around them).
  for (const id of ["azure-ad-client-secret", "npm-token"]) {
    it(`${id} inside a file path`, () => {
      const secret = samples.samples.find((s) => s.id === id)!.secret;
      expect(redactSecrets(`/srv/app/${secret}/config/${secret}.env`).text).not.toContain(secret);
    });
  }
  for (const sample of samples.samples) {
    it(`${sample.id} (${sample.source})`, () => {
      const result = redactSecrets(sample.text);
      expect(result.text).not.toContain(sample.secret);
      expect(result.text).toContain("[REDACTED:");
      // Idempotent: redacted text is left as it is.
      expect(redactSecrets(result.text)).toEqual({ text: result.text, redactions: [] });
    });
  }
});
