// A local fake of the Bitrix24 REST methods the preset calls (crm.lead.add,
// crm.timeline.comment.add, tasks.task.add, profile), reached by an incoming-webhook URL.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface BitrixFake {
  /** The incoming-webhook URL to paste: http://127.0.0.1:<port>/rest/1/<code>/ */
  url: string;
  leads: { id: number; fields: Record<string, unknown> }[];
  comments: { ENTITY_ID: number; ENTITY_TYPE: string; COMMENT: string }[];
  tasks: Record<string, unknown>[];
  /** Methods called, in order. */
  calls: string[];
  /** The next `times` calls of `method` answer `status` with a Bitrix24 error body. */
  fail(method: string, status: number, times: number): void;
  close(): Promise<void>;
}

const CODE = "testcode123";

export async function startBitrixFake(): Promise<BitrixFake> {
  const fake: Omit<BitrixFake, "url" | "close" | "fail"> = {
    leads: [],
    comments: [],
    tasks: [],
    calls: [],
  };
  const failures = new Map<string, { status: number; times: number }>();
  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      raw += chunk;
    });
    req.on("end", () => {
      const reply = (status: number, body: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      const match = /^\/rest\/1\/([^/]+)\/([a-z.]+)\.json$/.exec(req.url ?? "");
      if (!match || match[1] !== CODE)
        return reply(401, {
          error: "INVALID_CREDENTIALS",
          error_description: "Invalid request credentials",
        });
      const method = match[2] as string;
      fake.calls.push(method);
      const failure = failures.get(method);
      if (failure && failure.times > 0) {
        failure.times--;
        return reply(failure.status, {
          error: "INTERNAL_SERVER_ERROR",
          error_description: "scripted",
        });
      }
      const params = JSON.parse(raw || "{}") as { fields?: Record<string, unknown> };
      switch (method) {
        case "crm.lead.add": {
          const id = fake.leads.length + 101;
          fake.leads.push({ id, fields: params.fields ?? {} });
          return reply(200, { result: id });
        }
        case "crm.timeline.comment.add": {
          const fields = params.fields as BitrixFake["comments"][number];
          if (!fake.leads.some((l) => l.id === Number(fields.ENTITY_ID)))
            return reply(400, { error: "NOT_FOUND", error_description: "lead not found" });
          fake.comments.push(fields);
          return reply(200, { result: fake.comments.length });
        }
        case "tasks.task.add":
          fake.tasks.push(params.fields ?? {});
          return reply(200, { result: { task: { id: fake.tasks.length } } });
        case "profile":
          return reply(200, { result: { ID: "1", ADMIN: true } });
        default:
          return reply(404, {
            error: "ERROR_METHOD_NOT_FOUND",
            error_description: "Method not found!",
          });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...fake,
    url: `http://127.0.0.1:${port}/rest/1/${CODE}/`,
    fail(method, status, times) {
      failures.set(method, { status, times });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
