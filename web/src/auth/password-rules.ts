/** The server's minimum (src/drive/passwords.ts), checked here too so a short password fails at once. */
export const MIN_PASSWORD_LENGTH = 8;
