// A handler refuses with a DeskFailure; the dispatcher turns it into { ok:false, error:{code,message} }.
// Codes are the stable ones listed on DeskError in shared/desk-api.ts.
export type DeskErrorCode =
  | 'bad_input' | 'unknown_method' | 'not_signed_in' | 'not_found' | 'conflict' | 'unauthorized'
  | 'network' | 'server' | 'locked' | 'internal' | 'item_changed'
  /** The signed-in user's roles may not call this method (shared/ops-access.ts). */
  | 'forbidden';

export class DeskFailure extends Error {
  constructor(readonly code: DeskErrorCode, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'DeskFailure';
  }
}
