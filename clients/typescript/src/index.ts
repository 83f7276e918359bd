/**
 * Typed client for the Numeros API (the React Native app's). Paths, parameters, bodies and answers come
 * from `schema.d.ts`, generated from the gateway's merged OpenAPI document: `npm run generate`.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, operations, paths } from "./schema";

export type { components, operations, paths };
export type Schemas = components["schemas"];

export interface NumerosClientOptions {
  /** The gateway, e.g. "http://127.0.0.1:8000"; paths already start with /api/v1. */
  baseUrl: string;
  /** The current access token, asked for before every request; null or undefined when signed out. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  fetch?: typeof globalThis.fetch;
}

export function createNumerosClient({ baseUrl, getToken, fetch }: NumerosClientOptions) {
  const client = createClient<paths>({ baseUrl, fetch });
  if (getToken) {
    const bearer: Middleware = {
      async onRequest({ request }) {
        const token = await getToken();
        if (token) request.headers.set("Authorization", `Bearer ${token}`);
        return request;
      },
    };
    client.use(bearer);
  }
  return client;
}

export type NumerosClient = ReturnType<typeof createNumerosClient>;
