// A response body a service has already serialised (stored JSON spliced in as text, never parsed and
// stringified again: issue 15 gap 1, pull pages). The route sends it as it is; with response validation on
// (tests), it is parsed and checked against the route's schema like any other answer.
export class JsonText {
  constructor(readonly text: string) {}
}
