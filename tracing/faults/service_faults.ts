/**
 * The faults of the running services, as the tracing page shows and switches them: each
 * service's `GET /faults` read over HTTP (SERVICE_URLS), and switches passed on to its
 * `PUT /faults/{name}` with FAULTS_TOKEN, so the page never needs the services' token.
 */
import type { FaultView } from "../../lib/faults/registry.ts";

/** One service's faults, or why they could not be read. */
export interface ServiceFaultsView {
  service: string;
  url: string;
  faults: FaultView[];
  /** Set when the service did not answer with its faults. */
  error?: string;
}

/** A service's answer to a switch: its status and JSON body, passed on as they are. */
export interface SwitchAnswer {
  status: number;
  body: unknown;
}

/** Raised for a service that SERVICE_URLS does not name. */
export class UnknownServiceError extends Error {
  constructor(service: string, known: readonly string[]) {
    super(`Unknown service "${service}": expected one of ${known.join(", ") || "(none set)"}`);
    this.name = "UnknownServiceError";
  }
}

/** Reads and switches the services' faults. */
export class ServiceFaults {
  readonly #services: Readonly<Record<string, string>>;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: {
    /** SERVICE_URLS: base URL by service name. */
    services: Readonly<Record<string, string>>;
    /** FAULTS_TOKEN: sent as a bearer token with every switch. */
    token?: string | undefined;
    timeoutMs?: number;
    fetch?: typeof fetch;
  }) {
    this.#services = options.services;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Every configured service's faults, read at once; one that is down gets an `error`. */
  list(): Promise<ServiceFaultsView[]> {
    return Promise.all(
      Object.entries(this.#services).map(async ([service, url]) => {
        try {
          const response = await this.#call(url, "/faults");
          const body = await response.json().catch(() => undefined);
          if (response.status !== 200 || !Array.isArray(body?.faults)) {
            return { service, url, faults: [], error: `GET /faults answered ${response.status}` };
          }
          return { service, url, faults: body.faults as FaultView[] };
        } catch (error) {
          return { service, url, faults: [], error: `Not reachable: ${(error as Error).message}` };
        }
      }),
    );
  }

  /** Passes a switch on to `service`; throws `UnknownServiceError`, or fetch's error when down. */
  async change(service: string, fault: string, change: unknown): Promise<SwitchAnswer> {
    const url = this.#services[service];
    if (url === undefined) throw new UnknownServiceError(service, Object.keys(this.#services));
    const response = await this.#call(url, `/faults/${encodeURIComponent(fault)}`, {
      method: "PUT",
      headers: {
        "content-type": "application/json",
        ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }),
      },
      body: JSON.stringify(change),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  #call(base: string, path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${base.replace(/\/+$/, "")}${path}`;
    return this.#fetch(url, { ...init, signal: AbortSignal.timeout(this.#timeoutMs) });
  }
}
