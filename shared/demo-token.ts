// The token of each demo user: the demo seed gives it (server/seed/demo.ts), and the desk signs in to the
// embedded demo server with it (electron/core/session-service.ts), also when it restores a demo session.
export const demoToken = (userId: string): string => `demo-${userId}`;
