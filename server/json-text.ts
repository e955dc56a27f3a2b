// A response body a service has already serialised (stored JSON spliced in as text, never parsed and
// stringified again: issue 15 gap 1, pull pages). The route sends it as it is; with response validation on
// (tests), it is parsed and checked against the route's schema like any other answer. A Buffer holds the
// UTF-8 bytes themselves (a pull page the database wrote: never a JS string on its way out).
export class JsonText {
  constructor(readonly text: string | Buffer) {}
}
