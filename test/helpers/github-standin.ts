// A local stand-in for the GitHub REST API on 127.0.0.1: just the endpoints argosctl uses, with
// every request recorded and faults that can be queued (a 502, a secondary rate limit). Comments
// and issues carry `user.login`: what the token posts as (`viewer`), or whoever a test says.
// GET /user answers with the viewer, or 403 like the GITHUB_TOKEN of GitHub Actions.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
  authorization?: string;
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string };
}

interface Fault {
  match: RegExp;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class GithubStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly comments = new Map<number, Comment[]>();
  readonly issues: {
    number: number;
    title: string;
    body: string;
    state: string;
    labels: { name: string }[];
    user: { login: string };
  }[] = [];
  /** Who the token is. `canReadUser: false` is the Actions GITHUB_TOKEN: GET /user is 403, posts are by github-actions[bot]. */
  viewer = { login: 'argos-ci', canReadUser: true };
  readonly statuses: { sha: string; state: string; context: string; description: string }[] = [];
  private faults: Fault[] = [];
  private nextId = 1000;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** The login new comments and issues are written by, as GitHub would record it. */
  get author(): string {
    return this.viewer.canReadUser ? this.viewer.login : 'github-actions[bot]';
  }

  /** A comment written by someone else (or by us, with `login` = `author`). */
  addComment(issue: number, body: string, login: string): Comment {
    const comment = { id: this.nextId++, body, user: { login } };
    this.comments.set(issue, [...(this.comments.get(issue) ?? []), comment]);
    return comment;
  }

  /** The next request whose "METHOD path" matches gets this answer instead. */
  failNext(match: RegExp, status: number, body: unknown, headers?: Record<string, string>): void {
    this.faults.push({ match, status, body, headers });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      body,
      authorization: req.headers.authorization,
    });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const line = `${req.method} ${url.pathname}`;
    const fault = this.faults.findIndex((f) => f.match.test(line));
    if (fault >= 0) {
      const [f] = this.faults.splice(fault, 1);
      return send(f.status, f.body, f.headers);
    }
    const json = body ? JSON.parse(body) : {};
    let m: RegExpExecArray | null;
    if (line === 'GET /user') {
      return this.viewer.canReadUser
        ? send(200, { login: this.viewer.login, type: 'User' })
        : send(403, {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
          });
    }
    if ((m = /^GET \/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(line)))
      return send(200, this.comments.get(Number(m[1])) ?? []);
    if ((m = /^POST \/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(line)))
      return send(201, this.addComment(Number(m[1]), json.body, this.author));
    if ((m = /^PATCH \/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(line))) {
      for (const list of this.comments.values()) {
        const c = list.find((x) => x.id === Number(m![1]));
        if (c) {
          c.body = json.body;
          return send(200, c);
        }
      }
      return send(404, { message: 'Not Found' });
    }
    if ((m = /^POST \/repos\/[^/]+\/[^/]+\/statuses\/(\w+)$/.exec(line))) {
      this.statuses.push({ sha: m[1], ...json });
      return send(201, { id: this.nextId++, ...json });
    }
    if (/^GET \/repos\/[^/]+\/[^/]+\/issues$/.test(line)) {
      const label = url.searchParams.get('labels');
      const state = url.searchParams.get('state') ?? 'open';
      return send(
        200,
        this.issues.filter(
          (i) => (state === 'all' || i.state === state) && (!label || i.labels.some((l) => l.name === label)),
        ),
      );
    }
    if (/^POST \/repos\/[^/]+\/[^/]+\/issues$/.test(line)) {
      const issue = {
        number: this.issues.length + 1,
        title: json.title,
        body: json.body,
        state: 'open',
        labels: (json.labels ?? []).map((name: string) => ({ name })),
        user: { login: this.author },
      };
      this.issues.push(issue);
      return send(201, issue);
    }
    if ((m = /^PATCH \/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/.exec(line))) {
      const issue = this.issues.find((i) => i.number === Number(m![1]));
      if (!issue) return send(404, { message: 'Not Found' });
      Object.assign(issue, json.body !== undefined ? { body: json.body } : {}, json.state ? { state: json.state } : {});
      return send(200, issue);
    }
    send(404, { message: `stand-in has no route for ${line}` });
  }
}
