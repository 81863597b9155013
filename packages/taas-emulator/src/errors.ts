export type ApiErrorType = "invalid_request_error" | "server_error";

/** An error that maps directly onto an OpenAI-shaped HTTP error response. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: ApiErrorType;
  readonly code: string | null;
  readonly param: string | null;

  constructor(
    status: number,
    message: string,
    details: { code?: string | null; param?: string | null; type?: ApiErrorType } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.type = details.type ?? (status >= 500 ? "server_error" : "invalid_request_error");
    this.code = details.code ?? null;
    this.param = details.param ?? null;
  }
}

export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Headers | Record<string, string> = {},
): Response {
  const response = new Response(JSON.stringify(body), { status, headers });
  response.headers.set("content-type", "application/json");
  return response;
}

export function errorResponse(
  error: ApiError,
  headers: Headers | Record<string, string> = {},
): Response {
  const body = {
    error: { message: error.message, type: error.type, param: error.param, code: error.code },
  };
  return jsonResponse(body, error.status, headers);
}
