/**
 * Never run: `tsc --noEmit` compiles it, so the calls the app makes keep type-checking against the
 * generated schema (a renamed path, field or parameter breaks the test suite, not the app).
 */
import { createNumerosClient, type Schemas } from "./index";

export async function signInAndChat(): Promise<Schemas["MessageOut"][]> {
  let token: string | null = null;
  const api = createNumerosClient({ baseUrl: "http://127.0.0.1:8000", getToken: () => token });

  const login = await api.POST("/api/v1/auth/login", {
    body: { email: "ada@example.com", password: "long-enough-pw" },
  });
  // /auth/login also takes {phone_number} and then answers Loopin's "code sent" body instead of tokens
  if (!login.data || !("token" in login.data)) return [];
  token = login.data.token;

  const me = await api.GET("/api/v1/auth/me");
  const userId: number | undefined = me.data?.user.id;

  await api.POST("/api/v1/matches/{match_id}/messages", {
    params: { path: { match_id: 1 } },
    body: { content: `hello from ${userId}` },
  });
  const page = await api.GET("/api/v1/matches/{match_id}/messages", { params: { path: { match_id: 1 } } });

  await api.POST("/api/v1/auth/logout");  // 204: no body to parse
  // @ts-expect-error an unknown path does not compile
  await api.GET("/api/v1/no-such-path");
  return page.data?.messages ?? [];
}
