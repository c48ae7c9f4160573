/** Where a stack's $connect authorizer finds its token, as a scenario (`target.auth.identitySource`) and `--token-in` name it; src/fleet/protocols/connect-token.ts puts it there. */
export const TOKEN_PLACEMENTS = ['header', 'query'] as const;
export type TokenPlacement = (typeof TOKEN_PLACEMENTS)[number];
export const DEFAULT_TOKEN_PLACEMENT: TokenPlacement = 'header';
