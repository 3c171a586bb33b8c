import { describe, expect, it } from "vitest";
import {
  analyzeDiagramSource,
  classifyComponentKind,
  detectDiagramFormat,
  guessArchitecturePattern,
  parseDiagramSource,
  type DiagramComponent,
  type DiagramConnection,
} from "../../src/domain/diagrams";

/** One "id | name | kind | group" row per component, so a whole diagram reads as one exact expectation. */
function componentRows(parsed: { components: DiagramComponent[] }): string[] {
  return parsed.components.map(({ id, name, kind, group }) => `${id} | ${name} | ${kind} | ${group ?? "-"}`);
}

/** One "from -> to | label | kind" row per connection. */
function connectionRows(parsed: { connections: DiagramConnection[] }): string[] {
  return parsed.connections.map(({ from, to, label, kind }) => `${from} -> ${to} | ${label ?? "-"} | ${kind}`);
}

const MERMAID_MICROSERVICES = `
%%{init: {"theme": "dark"}}%%
flowchart LR
  %% traffic enters through the gateway
  client[Web App] --> gw[API Gateway]
  gw --> orders[Orders Service]
  gw --> payments[Payments Service]
  gw --> inventory[Inventory Service]
  orders --> ordersDb[(Orders DB)]
  payments --> paymentsDb[(Payments DB)]
  inventory --> inventoryDb[(Inventory DB)]
  orders -.->|OrderPlaced| kafka[[Kafka: order-events]]
  kafka -.-> payments
  kafka -.-> inventory
  classDef svc fill:#f9f,stroke:#333
  class orders,payments,inventory svc
  style gw fill:#bbf
  linkStyle 0 stroke:#f00
  click orders "https://example.com/orders"
`;

const MERMAID_LAYERED = `
graph TD
  subgraph presentation [Presentation Layer]
    direction LR
    ui[Web UI]
    admin[Admin Console]
  end
  subgraph business [Business Layer]
    orderSvc[Order Service]
    billing[Billing Service]
  end
  subgraph data [Data Access Layer]
    orderRepo[Order Repository]
    db[(SQL Database)]
  end
  ui --> orderSvc
  admin --> billing
  orderSvc -- reads and writes --> orderRepo
  billing --> orderRepo
  orderRepo --> db
`;

const PLANTUML_EVENT_DRIVEN = `
@startuml
!include <tupadr3/common>
title Order events
skinparam componentStyle rectangle
' single-line comment
/' block
   comment [Ghost] --> [Phantom] '/
actor Customer
component [Checkout Service] as checkout
component [Inventory Service] as inventory
component [Email Worker] as email
queue "order-events" as events
database "Orders DB" as ordersdb
package "Analytics" {
  [Analytics Consumer] as analytics
}
note right of events : at-least-once delivery
note as N1
  [Noted] --> [Ignored]
end note
Customer -> checkout : places order
checkout --> ordersdb : writes
checkout --> events : publishes OrderPlaced
events --> inventory : OrderPlaced
events --> email
events ..> analytics
[Checkout Service] --> events : publishes OrderPlaced
@enduml
`;

const DOT_PIPELINE = `
// nightly ETL
digraph etl {
  rankdir=LR;
  node [shape=box, style=rounded];
  "Raw Events" [label="S3 Raw Bucket", shape=folder];
  ingest [label="Ingest"];
  subgraph cluster_processing {
    label="Processing";
    parse [label="Parse\\nRecords"];
    transform [label=<<b>Transform</b>>];
  }
  load [label="Load"];
  warehouse [label="Data Warehouse", shape=cylinder];
  "Raw Events" -> ingest -> parse -> transform -> load;
  load:out -> warehouse:in [label="COPY", style=dashed];
  /* a layout-only edge */
  ingest -> warehouse [style=invis];
}
`;

const D2_CLIENT_SERVER = `
# A browser talks to one API, which owns one database.
direction: right
browser: Web Browser { shape: person }
app: Backend {
  api: API Server
}
db: Postgres {
  shape: cylinder
  style.fill: "#eef"
}
browser -> app.api: HTTPS
app.api -> db: SQL queries
`;

const C4_CONTAINER = `
C4Container
  title Container diagram for Internet Banking System
  Person(customer, "Personal Banking Customer", "A customer of the bank")
  System_Ext(email_system, "E-Mail System", "The internal Microsoft Exchange system")
  Container_Boundary(c1, "Internet Banking") {
    Container(spa, "Single-Page App", "JavaScript, Angular", "Provides all the Internet banking functionality")
    Container(backend_api, "API Application", "Java, Docker Container", "Provides functionality via API")
    ContainerDb(database, "Database", "SQL Database", "Stores user registration information")
    ContainerQueue(queue, "Notifications", "RabbitMQ")
  }
  Rel(customer, spa, "Uses", "HTTPS")
  Rel(spa, backend_api, "Uses", "async, JSON/HTTPS")
  Rel_Back(database, backend_api, "Reads from and writes to", "sync, JDBC")
  Rel(backend_api, queue, "Publishes notifications")
  Rel(queue, email_system, "Sends e-mails", "SMTP")
  UpdateRelStyle(customer, spa, $offsetY="-40")
`;

const MERMAID_MVC = `
graph LR
  subgraph Controllers
    UserController
    OrderController
  end
  subgraph Models
    UserModel
    OrderModel
  end
  subgraph Views
    UserView
    OrderView
  end
  Browser((Browser)) --> UserController & OrderController
  UserController --> UserModel & UserView
  OrderController --> OrderModel & OrderView
  UserModel & OrderModel --> DB[(App DB)]
`;

/** What OCR reads off a screenshot of a whiteboard diagram: labels in rough rows, one drawn arrow, noise. */
const OCR_LABELS = `
API Gateway      Auth Service
Orders Service | Orders DB
• Kafka
Web App -> API Gateway
Auth Service → Users DB
This diagram shows how all the services talk to each other in production.
12
#@!%^&*
`;

describe("detectDiagramFormat", () => {
  it.each([
    ["flowchart TD\n  A --> B", "mermaid"],
    ["graph LR\n  A --> B", "mermaid"],
    ["graph TD;A-->B;", "mermaid"],
    ["---\ntitle: Shop\n---\nflowchart LR\n  A --> B", "mermaid"],
    ['C4Context\n  Person(u, "User")', "mermaid"],
    ["architecture-beta\n  service api(server)[API]", "mermaid"],
    ["sequenceDiagram\n  A->>B: hi", "mermaid"],
    ["```mermaid\nflowchart TD\n  A --> B\n```", "mermaid"],
    ["A[Web] --> B[(DB)]\nB --> C", "mermaid"],
    ["@startuml\n[A] --> [B]\n@enduml", "plantuml"],
    ["' exported\n@startuml\nactor User\n@enduml", "plantuml"],
    ["digraph G {\n  a -> b;\n}", "dot"],
    ["strict graph {\n  a -- b\n}", "dot"],
    ["graph G {\n  a -- b\n}", "dot"],
    ["graph\n{\n  a -- b\n}", "dot"],
    ["x: Label {\n  shape: cylinder\n}", "d2"],
    ["a -> b: call\nb -> c", "d2"],
    ["direction: right\nweb", "d2"],
    ["```d2\nweb\napi\n```", "d2"],
    ["API Gateway\nOrders Service\nWeb App -> API Gateway", "labels"],
    ["", "labels"],
    ["\u0000\u0001binary\uFFFD", "labels"],
  ])("%j → %s", (source, format) => {
    expect(detectDiagramFormat(source)).toBe(format);
  });
});

describe("Mermaid flowcharts", () => {
  it("reads a microservices diagram: gateway fan-out, a database per service and a Kafka topic", () => {
    const analysis = analyzeDiagramSource(MERMAID_MICROSERVICES);
    expect(analysis.format).toBe("mermaid");
    expect(componentRows(analysis)).toEqual([
      "client | Web App | client | -",
      "gw | API Gateway | gateway | -",
      "orders | Orders Service | service | -",
      "payments | Payments Service | service | -",
      "inventory | Inventory Service | service | -",
      "ordersDb | Orders DB | database | -",
      "paymentsDb | Payments DB | database | -",
      "inventoryDb | Inventory DB | database | -",
      "kafka | Kafka: order-events | queue | -",
    ]);
    expect(connectionRows(analysis)).toEqual([
      "client -> gw | - | sync",
      "gw -> orders | - | sync",
      "gw -> payments | - | sync",
      "gw -> inventory | - | sync",
      "orders -> ordersDb | - | data",
      "payments -> paymentsDb | - | data",
      "inventory -> inventoryDb | - | data",
      "orders -> kafka | OrderPlaced | async",
      "kafka -> payments | - | async",
      "kafka -> inventory | - | async",
    ]);
    expect(analysis.pattern.pattern).toBe("microservices");
    expect(analysis.pattern.confidence).toBe("high");
    expect(analysis.pattern.evidence).toEqual([
      "3 services each own a database (Orders Service → Orders DB, Payments Service → Payments DB, Inventory Service → Inventory DB)",
      "API Gateway fans out to 3 services (Orders Service, Payments Service, Inventory Service)",
      "also consistent with event-driven: Kafka: order-events is a queue with 1 producer (Orders Service) and 2 consumers (Payments Service, Inventory Service)",
    ]);
    expect(analysis.summary).toBe(
      "9 components, 10 connections; microservices (high): 3 services each own a database (Orders Service → Orders DB, " +
        "Payments Service → Payments DB, Inventory Service → Inventory DB). " +
        "Kinds: 3 services, 3 databases, 1 client, 1 gateway, 1 queue. Read as Mermaid.",
    );
  });

  it("reads subgraphs as groups and recognises presentation → business → data layers", () => {
    const analysis = analyzeDiagramSource(MERMAID_LAYERED);
    expect(componentRows(analysis)).toEqual([
      "ui | Web UI | client | Presentation Layer",
      "admin | Admin Console | client | Presentation Layer",
      "orderSvc | Order Service | service | Business Layer",
      "billing | Billing Service | service | Business Layer",
      "orderRepo | Order Repository | component | Data Access Layer",
      "db | SQL Database | database | Data Access Layer",
    ]);
    expect(connectionRows(analysis)).toEqual([
      "ui -> orderSvc | - | sync",
      "admin -> billing | - | sync",
      "orderSvc -> orderRepo | reads and writes | data",
      "billing -> orderRepo | - | sync",
      "orderRepo -> db | - | data",
    ]);
    expect(analysis.pattern).toEqual({
      pattern: "layered",
      confidence: "high",
      evidence: [
        "3 layers: Presentation Layer → Business Layer → Data Access Layer",
        "4 of 4 cross-layer connections point downward",
      ],
    });
    expect(analysis.summary).toContain("Groups: Presentation Layer, Business Layer, Data Access Layer.");
  });

  it("understands every node shape, link style, chain, fan-in/out and subgraph form", () => {
    const parsed = parseDiagramSource(`flowchart TB;A([Stadium]) --> B((Circle)) --- C{Decision}
      C -->|yes| D>Flag] & E[/Parallelogram/]
      C -- no --> F["Quoted [label] (with) brackets"]
      F ==> G{{Hexagon}}
      G --o H[\\Trapezoid/]
      H --x I[[Subroutine]]
      I <--> J(Round):::highlight
      J ~~~ K
      A -.- K
      L@{ shape: cyl, label: "Ledger" } -. audit .-> A
      outer --> A
      subgraph outer [Outer box]
        subgraph inner ["Inner box"]
          K
        end
        M[Plain]
      end
      subgraph Spaced title
        N
      end`);
    expect(parsed.format).toBe("mermaid");
    expect(componentRows(parsed)).toEqual([
      "A | Stadium | component | -",
      "B | Circle | component | -",
      "C | Decision | component | -",
      "D | Flag | component | -",
      "E | Parallelogram | component | -",
      "F | Quoted [label] (with) brackets | component | -",
      "G | Hexagon | component | -",
      "H | Trapezoid | component | -",
      "I | Subroutine | component | -",
      "J | Round | component | -",
      "K | K | component | Inner box",
      "L | Ledger | database | -",
      "outer | Outer box | component | -",
      "M | Plain | component | Outer box",
      "N | N | component | Spaced title",
    ]);
    expect(connectionRows(parsed)).toEqual([
      "A -> B | - | sync",
      "B -> C | - | dependency",
      "C -> D | yes | sync",
      "C -> E | yes | sync",
      "C -> F | no | sync",
      "F -> G | - | sync",
      "G -> H | - | sync",
      "H -> I | - | sync",
      "I -> J | - | sync",
      "J -> I | - | sync",
      "A -> K | - | async",
      "L -> A | audit | async",
      "outer -> A | - | sync",
    ]);
  });

  it("ignores comments, styling and click handlers, and deduplicates repeated nodes and edges", () => {
    const parsed = parseDiagramSource(`graph LR
      %% A --> Commented
      api[Orders API] --> db[(Orders DB)]
      api --> db
      api[Orders API] --> db
      api -->|reads| db
      api -->|reads| db
      classDef hot fill:#f00
      class api hot
      style db stroke:#333
      linkStyle default interpolate basis
      click api callback "Tooltip"`);
    expect(componentRows(parsed)).toEqual(["api | Orders API | service | -", "db | Orders DB | database | -"]);
    expect(connectionRows(parsed)).toEqual(["api -> db | - | data", "api -> db | reads | data"]);
  });

  it("reads an MVC diagram from controller, model and view names", () => {
    const analysis = analyzeDiagramSource(MERMAID_MVC);
    expect(componentRows(analysis)).toEqual([
      "UserController | UserController | component | Controllers",
      "OrderController | OrderController | component | Controllers",
      "UserModel | UserModel | component | Models",
      "OrderModel | OrderModel | component | Models",
      "UserView | UserView | component | Views",
      "OrderView | OrderView | component | Views",
      "Browser | Browser | client | -",
      "DB | App DB | database | -",
    ]);
    expect(connectionRows(analysis)).toEqual([
      "Browser -> UserController | - | sync",
      "Browser -> OrderController | - | sync",
      "UserController -> UserModel | - | sync",
      "UserController -> UserView | - | sync",
      "OrderController -> OrderModel | - | sync",
      "OrderController -> OrderView | - | sync",
      "UserModel -> DB | - | data",
      "OrderModel -> DB | - | data",
    ]);
    expect(analysis.pattern).toEqual({
      pattern: "mvc",
      confidence: "high",
      evidence: [
        "controllers: UserController, OrderController, group Controllers",
        "models: UserModel, OrderModel, group Models",
        "views: UserView, OrderView, group Views",
      ],
    });
  });
});

describe("Mermaid C4, architecture and sequence diagrams", () => {
  it("reads a C4 container diagram: element macros give kinds, boundaries give groups, Rel_Back reverses", () => {
    const analysis = analyzeDiagramSource(C4_CONTAINER);
    expect(analysis.format).toBe("mermaid");
    expect(componentRows(analysis)).toEqual([
      "customer | Personal Banking Customer | client | -",
      "email_system | E-Mail System | external | -",
      "spa | Single-Page App | client | Internet Banking",
      "backend_api | API Application | service | Internet Banking",
      "database | Database | database | Internet Banking",
      "queue | Notifications | queue | Internet Banking",
    ]);
    expect(connectionRows(analysis)).toEqual([
      "customer -> spa | Uses | sync",
      "spa -> backend_api | Uses | async",
      "backend_api -> database | Reads from and writes to | data",
      "backend_api -> queue | Publishes notifications | async",
      "queue -> email_system | Sends e-mails | async",
    ]);
    expect(analysis.pattern.pattern).toBe("client-server");
    expect(analysis.pattern.confidence).toBe("medium");
    expect(analysis.pattern.evidence[0]).toBe("Single-Page App → API Application → Database");
  });

  it("reads architecture-beta services, groups and edges", () => {
    const parsed = parseDiagramSource(`architecture-beta
      group api(cloud)[API]
      service db(database)[Database] in api
      service disk1(disk)[Storage] in api
      service server(server)[Server] in api
      service gh(internet)[GitHub]
      db:L -- R:server
      disk1:T -- B:server
      server:R --> L:gh`);
    expect(componentRows(parsed)).toEqual([
      "db | Database | database | API",
      "disk1 | Storage | storage | API",
      "server | Server | service | API",
      "gh | GitHub | external | -",
    ]);
    expect(connectionRows(parsed)).toEqual([
      "db -> server | - | data",
      "disk1 -> server | - | data",
      "server -> gh | - | sync",
    ]);
  });

  it("reads sequence diagram participants and calls, skipping replies", () => {
    const parsed = parseDiagramSource(`sequenceDiagram
      actor U as User
      box Aqua Backend
        participant A as Orders API
        participant D as Orders DB
      end
      U->>A: POST /orders
      loop retry
        A->>+D: INSERT order
      end
      D-->>-A: ok
      A-)U: notify`);
    expect(componentRows(parsed)).toEqual([
      "U | User | client | -",
      "A | Orders API | service | Backend",
      "D | Orders DB | database | Backend",
    ]);
    expect(connectionRows(parsed)).toEqual([
      "U -> A | POST /orders | sync",
      "A -> D | INSERT order | data",
      "A -> U | notify | async",
    ]);
  });
});

describe("PlantUML", () => {
  it("reads an event-driven component diagram with a queue, aliases and packages", () => {
    const analysis = analyzeDiagramSource(PLANTUML_EVENT_DRIVEN);
    expect(analysis.format).toBe("plantuml");
    expect(componentRows(analysis)).toEqual([
      "Customer | Customer | client | -",
      "checkout | Checkout Service | service | -",
      "inventory | Inventory Service | service | -",
      "email | Email Worker | function | -",
      "events | order-events | queue | -",
      "ordersdb | Orders DB | database | -",
      "analytics | Analytics Consumer | service | Analytics",
    ]);
    expect(connectionRows(analysis)).toEqual([
      "Customer -> checkout | places order | sync",
      "checkout -> ordersdb | writes | data",
      "checkout -> events | publishes OrderPlaced | async",
      "events -> inventory | OrderPlaced | async",
      "events -> email | - | async",
      "events -> analytics | - | async",
    ]);
    expect(analysis.pattern).toEqual({
      pattern: "event-driven",
      confidence: "high",
      evidence: [
        "order-events is a queue with 1 producer (Checkout Service) and 3 consumers (Inventory Service, Email Worker, Analytics Consumer)",
        "4 of 6 connections are asynchronous",
      ],
    });
  });

  it("reads nested elements, arrow directions and dependency arrows", () => {
    const parsed = parseDiagramSource(`@startuml
      left to right direction
      node "Web Server" as web {
        [Frontend] as fe
      }
      cloud "Stripe" as stripe
      component Billing <<service>>
      [Frontend] --> [Backend API] : REST
      [Backend API] -up-> stripe : charges
      [Backend API] ..> [Logger] : uses
      [Backend API] <- Billing
      [Backend API] -[#red,dashed]-> db
      database db
      @enduml`);
    expect(componentRows(parsed)).toEqual([
      "fe | Frontend | client | Web Server",
      "stripe | Stripe | external | -",
      "Billing | Billing | service | -",
      "Backend API | Backend API | service | -",
      "Logger | Logger | component | -",
      "db | db | database | -",
    ]);
    expect(connectionRows(parsed)).toEqual([
      "fe -> Backend API | REST | sync",
      "Backend API -> stripe | charges | sync",
      "Backend API -> Logger | uses | dependency",
      "Billing -> Backend API | - | sync",
      "Backend API -> db | - | data",
    ]);
  });

  it("reads C4-PlantUML macros", () => {
    const parsed = parseDiagramSource(`@startuml
      !include https://raw.githubusercontent.com/plantuml-stdlib/C4-PlantUML/master/C4_Container.puml
      Person(user, "Shopper")
      System_Boundary(shop, "Shop") {
        Container(web, "Storefront", "Next.js")
        ContainerDb(db, "Catalog", "PostgreSQL")
      }
      Rel(user, web, "Browses", "HTTPS")
      Rel(web, db, "Reads products")
      SHOW_LEGEND()
      @enduml`);
    expect(componentRows(parsed)).toEqual([
      "user | Shopper | client | -",
      // Neither the name nor "Next.js" says what it is; the id "web" does.
      "web | Storefront | client | Shop",
      "db | Catalog | database | Shop",
    ]);
    expect(connectionRows(parsed)).toEqual(["user -> web | Browses | sync", "web -> db | Reads products | data"]);
  });
});

describe("Graphviz DOT", () => {
  it("reads an ETL pipeline: quoted ids, labels, clusters, chains and ports", () => {
    const analysis = analyzeDiagramSource(DOT_PIPELINE);
    expect(analysis.format).toBe("dot");
    expect(componentRows(analysis)).toEqual([
      "Raw Events | S3 Raw Bucket | storage | -",
      "ingest | Ingest | component | -",
      "parse | Parse Records | component | Processing",
      "transform | Transform | component | Processing",
      "load | Load | component | -",
      "warehouse | Data Warehouse | database | -",
    ]);
    expect(connectionRows(analysis)).toEqual([
      "Raw Events -> ingest | - | data",
      "ingest -> parse | - | sync",
      "parse -> transform | - | sync",
      "transform -> load | - | sync",
      "load -> warehouse | COPY | async",
    ]);
    expect(analysis.pattern).toEqual({
      pattern: "pipeline",
      confidence: "high",
      evidence: [
        "linear chain of 6 stages: S3 Raw Bucket → Ingest → Parse Records → Transform → Load → Data Warehouse",
        "4 stages are named like processing steps",
      ],
    });
  });

  it("reads undirected graphs, node defaults, dir attributes and subgraph operands", () => {
    const parsed = parseDiagramSource(`graph infra {
      node [shape=cylinder];
      users; orders;
      node [shape=box];
      api -- users [label="queries"];
      api -- { orders cache [label="Redis"] };
      worker -- api [dir=back];
    }`);
    expect(componentRows(parsed)).toEqual([
      "users | users | database | -",
      "orders | orders | database | -",
      "api | api | service | -",
      "cache | cache | cache | -",
      "worker | worker | function | -",
    ]);
    expect(connectionRows(parsed)).toEqual([
      "api -> users | queries | data",
      "api -> orders | - | data",
      "api -> cache | - | data",
      "api -> worker | - | sync",
    ]);
  });

  it("still reads DOT the grammar rejects: subgraph operands and a truncated source", () => {
    const parsed = parseDiagramSource(`digraph {
      gateway -> subgraph services { orders; payments }
      subgraph cluster_data { label="Data"; ordersdb [shape=cylinder] } -> backup
      orders [label="Order\\
 Service"]
      payments -> ordersdb [label="writes"
    `);
    expect(componentRows(parsed)).toEqual([
      "gateway | gateway | gateway | -",
      "orders | Order Service | service | -",
      "payments | payments | component | -",
      "ordersdb | ordersdb | database | Data",
      "backup | backup | component | -",
    ]);
    expect(connectionRows(parsed)).toEqual([
      "gateway -> orders | - | sync",
      "gateway -> payments | - | sync",
      "ordersdb -> backup | - | data",
      "payments -> ordersdb | writes | data",
    ]);
    // Valid DOT goes through the grammar, which keeps a line continuation that DOT drops.
    expect(componentRows(parseDiagramSource(`digraph { orders [label="Order\\\n Service"] }`))).toEqual([
      "orders | Order Service | service | -",
    ]);
  });

  it("reads a diagram minified onto one long line", () => {
    const edges = Array.from({ length: 200 }, (_, index) => `n${index}->n${index + 1};`).join("");
    const parsed = parseDiagramSource(`digraph{${edges}}`);
    expect(parsed.components).toHaveLength(201);
    expect(parsed.connections).toHaveLength(200);
  });
});

describe("D2", () => {
  it("reads a client-server diagram with a container, shapes and edge labels", () => {
    const analysis = analyzeDiagramSource(D2_CLIENT_SERVER);
    expect(analysis.format).toBe("d2");
    expect(componentRows(analysis)).toEqual([
      "browser | Web Browser | client | -",
      "app.api | API Server | service | Backend",
      "db | Postgres | database | -",
    ]);
    expect(connectionRows(analysis)).toEqual([
      "browser -> app.api | HTTPS | sync",
      "app.api -> db | SQL queries | data",
    ]);
    expect(analysis.pattern.pattern).toBe("client-server");
    expect(analysis.pattern.confidence).toBe("high");
    expect(analysis.pattern.evidence[0]).toBe("Web Browser → API Server → Postgres");
    expect(analysis.summary).toBe(
      "3 components, 2 connections; client-server (high): Web Browser → API Server → Postgres. " +
        "Kinds: 1 client, 1 service, 1 database. Groups: Backend. Read as D2.",
    );
  });

  it("reads quoted keys, relative edges in containers, arrow directions, dashes and SQL tables", () => {
    const parsed = parseDiagramSource(`# services
"API Gateway": {shape: hexagon}
backend: Backend Services {
  orders: Orders Service
  users: "Users Service"
  orders -> users: lookup {style.stroke-dash: 3}
}
events: Events {shape: queue}
"API Gateway" -> backend.orders
backend.users <- events: consume
backend.orders <-> events
cache: Redis
cache -- backend.users
users_table: {
  shape: sql_table
  id: int
  name: string
}
explain: |md
  # Notes { not a block } -> not an edge
|
vars: { d2-config: { layout-engine: elk } }
(backend.orders -> backend.users)[0].style.stroke: red
`);
    expect(parsed.format).toBe("d2");
    expect(componentRows(parsed)).toEqual([
      "API Gateway | API Gateway | gateway | -",
      "backend.orders | Orders Service | service | Backend Services",
      "backend.users | Users Service | service | Backend Services",
      "events | Events | queue | -",
      "cache | Redis | cache | -",
      "users_table | users_table | database | -",
      "explain | explain | component | -",
    ]);
    expect(connectionRows(parsed)).toEqual([
      "backend.orders -> backend.users | lookup | async",
      "API Gateway -> backend.orders | - | sync",
      "events -> backend.users | consume | async",
      "backend.orders -> events | - | async",
      "events -> backend.orders | - | async",
      "cache -> backend.users | - | data",
    ]);
  });
});

describe("labels (OCR text)", () => {
  it("turns label-like lines and cells into components and inline arrows into connections", () => {
    const analysis = analyzeDiagramSource(OCR_LABELS);
    expect(analysis.format).toBe("labels");
    expect(componentRows(analysis)).toEqual([
      "api-gateway | API Gateway | gateway | -",
      "auth-service | Auth Service | service | -",
      "orders-service | Orders Service | service | -",
      "orders-db | Orders DB | database | -",
      "kafka | Kafka | queue | -",
      "web-app | Web App | client | -",
      "users-db | Users DB | database | -",
    ]);
    expect(connectionRows(analysis)).toEqual([
      "web-app -> api-gateway | - | sync",
      "auth-service -> users-db | - | data",
    ]);
  });

  it("guesses from kinds alone when the text has no arrows", () => {
    const analysis = analyzeDiagramSource(
      "API Gateway\nOrders Service    Payments Service    Shipping Service\nOrders DB   Payments DB",
    );
    expect(analysis.connections).toEqual([]);
    expect(analysis.pattern.pattern).toBe("microservices");
    expect(analysis.pattern.confidence).toBe("low");
  });
});

describe("classifyComponentKind", () => {
  it.each([
    ["Orders DB", null, "database"],
    ["PostgreSQL", null, "database"],
    ["DynamoDB", null, "database"],
    ["Cloudflare D1", null, "database"],
    ["Orders", "cylinder", "database"],
    ["Redis", null, "cache"],
    ["Session Cache", "cylinder", "cache"],
    ["Workers KV", null, "cache"],
    ["Kafka", null, "queue"],
    ["SQS", null, "queue"],
    ["Event Bus", null, "queue"],
    ["Orders Topic", null, "queue"],
    ["R2 Bucket", null, "storage"],
    ["CDN", null, "storage"],
    ["API Gateway", null, "gateway"],
    ["Load Balancer", null, "gateway"],
    ["Nginx", null, "gateway"],
    ["Web Browser", null, "client"],
    ["Mobile App", null, "client"],
    ["CLI", null, "client"],
    ["Customer", "actor", "client"],
    ["Email Worker", null, "function"],
    ["Lambda", null, "function"],
    ["Nightly Cron", null, "function"],
    ["Stripe", null, "external"],
    ["OpenAI API", null, "external"],
    ["Mailer", "System_Ext", "external"],
    ["Orders Service", null, "service"],
    ["UserSvc", null, "service"],
    ["Payments API", null, "service"],
    ["User Service", null, "service"],
    ["Kafka Consumer", null, "service"],
    ["Database Server", null, "database"],
    ["UserController", null, "component"],
    ["Analytics", null, "component"],
    ["", null, "component"],
  ] as const)("%j (shape %j) → %s", (name, shape, kind) => {
    expect(classifyComponentKind(name, shape)).toBe(kind);
  });
});

describe("guessArchitecturePattern", () => {
  const component = (id: string, kind: DiagramComponent["kind"], group: string | null = null): DiagramComponent => ({
    id,
    name: id,
    kind,
    group,
  });
  const connection = (from: string, to: string, kind: DiagramConnection["kind"] = "sync"): DiagramConnection => ({
    from,
    to,
    label: null,
    kind,
  });

  it("recognises serverless: mostly functions around managed storage", () => {
    const analysis = analyzeDiagramSource(`flowchart LR
      gw[API Gateway] --> upload[Upload Function] & thumbs[Thumbnail Lambda]
      upload --> bucket[(S3 Bucket)]
      bucket -.-> thumbs
      thumbs --> table[(DynamoDB)]
      cron[Nightly Cron] --> table`);
    expect(analysis.components.find((item) => item.id === "bucket")?.kind).toBe("storage");
    expect(analysis.pattern.pattern).toBe("serverless");
    expect(analysis.pattern.evidence[0]).toBe(
      "3 functions (Upload Function, Thumbnail Lambda, Nightly Cron) and no long-running services",
    );
  });

  it("recognises hexagonal: adapters, ports and a domain core", () => {
    const analysis = analyzeDiagramSource(`flowchart LR
      subgraph core [Domain Core]
        orders[Order Domain]
      end
      rest[REST Adapter] --> inport[Order Port]
      inport --> orders
      orders --> outport[Repository Port]
      pg[Postgres Adapter] --> outport
      pg --> db[(Postgres)]`);
    expect(analysis.pattern.pattern).toBe("hexagonal");
    expect(analysis.pattern.evidence.slice(0, 3)).toEqual([
      "adapters: REST Adapter, Postgres Adapter",
      "ports: Order Port, Repository Port",
      "core: group Domain Core",
    ]);
  });

  it("recognises a monolith: one service wired to everything", () => {
    const analysis = analyzeDiagramSource(`flowchart TD
      web[Browser] --> app[Rails Monolith]
      app --> db[(Postgres)]
      app --> cache[(Redis)]
      app --> jobs[[Sidekiq Queue]]
      app --> mail[SendGrid]`);
    expect(analysis.pattern.pattern).toBe("monolith");
    expect(analysis.pattern.confidence).toBe("high");
    expect(analysis.pattern.evidence[0]).toBe(
      "Rails Monolith is the only service and connects to 4 components (Postgres, Redis, Sidekiq Queue, SendGrid)",
    );
  });

  it("lowers confidence when two patterns score the same", () => {
    const guess = guessArchitecturePattern(
      [component("web", "client"), component("api", "service"), component("db", "database")],
      [connection("web", "api"), connection("api", "db", "data")],
    );
    expect(guess.pattern).toBe("client-server");
    expect(guess.confidence).toBe("high");
    // Stage-like names make the same shape, behind a gateway, just as convincing a pipeline.
    const tied = guessArchitecturePattern(
      [
        component("source", "client"),
        component("ingest", "gateway"),
        component("transform", "service"),
        component("sink", "database"),
      ],
      [connection("source", "ingest"), connection("ingest", "transform"), connection("transform", "sink", "data")],
    );
    expect(tied.pattern).toBe("pipeline");
    expect(tied.confidence).toBe("medium");
    expect(tied.evidence).toContain("also consistent with client-server: source → transform → sink");
  });

  it("answers unknown with low confidence when nothing matches, and for no components", () => {
    expect(
      guessArchitecturePattern([component("a", "component"), component("b", "component")], [connection("a", "b")]),
    ).toEqual({
      pattern: "unknown",
      confidence: "low",
      evidence: ["no pattern rule matched 2 components and 1 connection"],
    });
    expect(guessArchitecturePattern([], [])).toEqual({
      pattern: "unknown",
      confidence: "low",
      evidence: ["no components found"],
    });
  });

  it("counts a shared database against microservices", () => {
    const services = ["a", "b", "c"].map((id) => component(id, "service"));
    const guess = guessArchitecturePattern(
      [component("gw", "gateway"), ...services, component("db", "database")],
      [...services.map((service) => connection("gw", service.id)), ...services.map((s) => connection(s.id, "db"))],
    );
    expect(guess.pattern).toBe("microservices");
    expect(guess.confidence).toBe("low");
    expect(guess.evidence).toEqual(["gw fans out to 3 services (a, b, c)", "but db is shared by a, b, c"]);
  });
});

describe("robustness", () => {
  it("never throws on garbage and reads nothing from it", () => {
    const garbage = [
      "\u0000\u0001\u0002 }{}{ ->-> ::: [[[ ((( \n@#$%^&*\n\uFFFD\uFFFD",
      "digraph { " + "{".repeat(5_000) + " a -> b",
      "flowchart TD\n" + "[(".repeat(2_000),
      "@startuml\n" + '"'.repeat(3_000) + "\n@enduml",
      "C4Context\nRel(,,,)\nPerson()\n}}}}",
      "x: {\n".repeat(500) + "|md",
      "architecture-beta\n:L -- R:\nservice (x)[y] in",
    ];
    for (const source of garbage) {
      expect(() => analyzeDiagramSource(source)).not.toThrow();
    }
    expect(analyzeDiagramSource(garbage[0] ?? "").components).toEqual([]);
    expect(analyzeDiagramSource(null as unknown as string).components).toEqual([]);
    expect(analyzeDiagramSource("").summary).toBe(
      "0 components, 0 connections; unknown (low): no components found. Read as plain text labels.",
    );
  });

  it("survives random input in every format", () => {
    const prefixes = ["", "flowchart LR\n", "@startuml\n", "digraph {\n", "direction: right\n", "C4Container\n"];
    const alphabet = "ab -><|.:;{}[]()\"'#%&=\n\t→";
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let round = 0; round < 300; round++) {
      let text = prefixes[round % prefixes.length] ?? "";
      for (let index = 0; index < 200; index++) text += alphabet[Math.floor(random() * alphabet.length)];
      expect(() => analyzeDiagramSource(text)).not.toThrow();
    }
  });

  it("caps components at 500 and connections at 2,000", () => {
    const chain = Array.from({ length: 700 }, (_, index) => `n${index} --> n${index + 1}`).join("\n");
    const long = parseDiagramSource(`flowchart LR\n${chain}`);
    expect(long.components).toHaveLength(500);
    expect(long.connections).toHaveLength(499);

    const dense = Array.from({ length: 2_500 }, (_, index) => `a${index % 50} --> b${index}`).join("\n");
    const wide = parseDiagramSource(`flowchart LR\n${dense}`);
    expect(wide.components).toHaveLength(500);
    expect(wide.connections.length).toBeLessThanOrEqual(2_000);

    const labelled = Array.from({ length: 2_500 }, (_, index) => `a${index % 40} -->|call ${index}| b${index % 40}`);
    expect(parseDiagramSource(`flowchart LR\n${labelled.join("\n")}`).connections).toHaveLength(2_000);
  });

  it("stays fast on pathological lines", () => {
    const started = Date.now();
    parseDiagramSource(("a" + " ".repeat(1_990) + "-\n").repeat(200));
    parseDiagramSource("direction: right\n" + "a".repeat(100_000) + "|".repeat(100_000));
    parseDiagramSource("-".repeat(400_000));
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
