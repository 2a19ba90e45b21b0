// The baseline: a bare Fastify server answering a fixed JSON body. Every other figure is
// reported as a share of this one, measured in the same run on the same machine.
import Fastify from "fastify";
import { defineTarget } from "../lib/target";

export default defineTarget({
  name: "fastify-hello",
  description: "bare Fastify, GET / -> {hello:'world'}",
  async start() {
    const app = Fastify({ logger: false });
    app.get("/", async () => ({ hello: "world" }));
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (!address || typeof address === "string") throw new Error("no TCP address");
    return {
      url: `http://127.0.0.1:${address.port}/`,
      expectBody: "world",
      stop: () => app.close(),
    };
  },
});
