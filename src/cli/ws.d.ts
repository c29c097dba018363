// The part of the `ws` package (8.x) that sparkctl and its tests use; ws ships no types of its own.
declare module 'ws' {
  import type { ClientRequest, Server as HttpServer, IncomingMessage } from 'node:http';
  import type { Server as HttpsServer, RequestOptions } from 'node:https';
  import type { AddressInfo } from 'node:net';
  import type { Duplex } from 'node:stream';

  /** A message's payload: a Buffer unless binaryType was changed. */
  export type RawData = Buffer | ArrayBuffer | Buffer[];

  /** The options of the opening handshake's request (https' options: TLS material, headers, agent) and ws' own. */
  export interface ClientOptions extends RequestOptions {
    handshakeTimeout?: number;
    perMessageDeflate?: boolean;
    maxPayload?: number;
    followRedirects?: boolean;
  }

  export class WebSocket {
    static readonly CONNECTING: 0;
    static readonly OPEN: 1;
    static readonly CLOSING: 2;
    static readonly CLOSED: 3;
    constructor(address: string | URL, protocols?: string | string[], options?: ClientOptions);
    readonly readyState: 0 | 1 | 2 | 3;
    /** The subprotocol the server chose. */
    readonly protocol: string;
    readonly bufferedAmount: number;
    send(data: Buffer | Uint8Array | string, cb?: (err?: Error) => void): void;
    close(code?: number, reason?: string | Buffer): void;
    terminate(): void;
    pause(): void;
    resume(): void;
    on(event: 'open', listener: () => void): this;
    on(event: 'message', listener: (data: RawData, isBinary: boolean) => void): this;
    on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'unexpected-response', listener: (req: ClientRequest, res: IncomingMessage) => void): this;
    once(event: 'open', listener: () => void): this;
    once(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    once(event: 'error', listener: (err: Error) => void): this;
  }

  export interface ServerOptions {
    host?: string;
    port?: number;
    server?: HttpServer | HttpsServer;
    noServer?: boolean;
    perMessageDeflate?: boolean;
    handleProtocols?: (protocols: Set<string>, request: IncomingMessage) => string | false;
  }

  export class WebSocketServer {
    constructor(options: ServerOptions, callback?: () => void);
    readonly clients: Set<WebSocket>;
    address(): AddressInfo | string;
    close(cb?: (err?: Error) => void): void;
    handleUpgrade(
      request: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      callback: (ws: WebSocket, request: IncomingMessage) => void,
    ): void;
    on(event: 'connection', listener: (ws: WebSocket, request: IncomingMessage) => void): this;
    on(event: 'listening', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
  }

  export default WebSocket;
}
