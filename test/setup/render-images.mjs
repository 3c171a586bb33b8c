/**
 * Renders the images the tests send (in Node, before the workers start: sharp cannot run inside workerd) and
 * hands them to the tests as base64 through vitest's provide/inject.
 */
import { renderDiagramPng, renderTextPng, TEXT_STYLES } from "../support/render-text.mjs";

export const PYTHON_TRACEBACK = [
  "Traceback (most recent call last):",
  '  File "/home/dev/shop/app/main.py", line 12, in <module>',
  "    total = parse_total(raw)",
  '  File "/home/dev/shop/app/pricing.py", line 41, in parse_total',
  "    return Decimal(value)",
  "decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]",
].join("\n");

export const NODE_TYPE_ERROR = [
  "TypeError: Cannot read properties of undefined (reading 'map')",
  "    at renderItems (/app/src/components/List.tsx:27:18)",
  "    at App (/app/src/App.tsx:14:5)",
].join("\n");

/** @param {{ provide: (key: string, value: unknown) => void }} project */
export default async function setup(project) {
  const base64 = (/** @type {Uint8Array} */ bytes) => Buffer.from(bytes).toString("base64");
  project.provide("pythonTracebackPng", base64(await renderTextPng(PYTHON_TRACEBACK, TEXT_STYLES[0])));
  project.provide("nodeTypeErrorPng", base64(await renderTextPng(NODE_TYPE_ERROR, TEXT_STYLES[1])));
  project.provide(
    "architectureDiagramPng",
    base64(
      await renderDiagramPng(
        [
          { id: "web", label: "Web App", x: 280, y: 20 },
          { id: "gateway", label: "API Gateway", x: 280, y: 140 },
          { id: "orders", label: "Order Service", x: 40, y: 280 },
          { id: "payments", label: "Payment Service", x: 280, y: 280 },
          { id: "users", label: "User Service", x: 520, y: 280 },
          { id: "ordersdb", label: "Orders DB", x: 40, y: 420 },
          { id: "paymentsdb", label: "Payments DB", x: 280, y: 420 },
          { id: "usersdb", label: "Users DB", x: 520, y: 420 },
        ],
        [
          { from: "web", to: "gateway", label: "HTTPS" },
          { from: "gateway", to: "orders" },
          { from: "gateway", to: "payments" },
          { from: "gateway", to: "users" },
          { from: "orders", to: "ordersdb" },
          { from: "payments", to: "paymentsdb" },
          { from: "users", to: "usersdb" },
        ],
      ),
    ),
  );
}
