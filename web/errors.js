// Human messages for the error codes of PROTOCOL.md, and which of them end a join for good.

const kMessages = new Map([
  [400, 'The server did not understand a request from this page (bad request).'],
  [401, 'Your invitation token is missing, invalid or expired. Ask for a new link.'],
  [403, 'This room is full. Try again later or pick another room.'],
  [409, 'Someone with the same participant id is already in this room.'],
  [413, 'A message was too large for the server.'],
  [429, 'Too many messages were sent too quickly; the server is slowing this page down.'],
  [500, 'The server hit an internal error.'],
]);

// The message to show for an `error` from the server. The server's own text is added when it
// says more than the code alone.
export function describe_error(code, server_message) {
  const known = kMessages.get(code);
  if (!known) return server_message ? `Server error ${code}: ${server_message}` : `Server error ${code}.`;
  return known;
}

// Errors answering `join` after which retrying the same join cannot succeed, so the page stops
// reconnecting and shows the join form again.
export function is_fatal_join_error(code) {
  return code === 400 || code === 401 || code === 403 || code === 409;
}

export const kConnectionLostText = 'Connection lost';
