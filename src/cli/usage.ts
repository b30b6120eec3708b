export const USAGE = `team-messenger: a team messenger relay and command-line client

Usage:
  team-messenger relay  [--host H] [--port P] [--secret S | --secret-file F | --no-auth]
                        [--history-dir D] [--log-level debug|info|warn|error]
  team-messenger listen --server HOST:PORT --name NAME [--secret S] [--json]
  team-messenger send   --server HOST:PORT --name NAME [--secret S]
                        (--to NAME[,NAME...] | --all) [--json] TEXT|-

Common options:
  --secret S        the team secret (or set TEAM_MESSENGER_SECRET, or --secret-file F)
  --identity FILE   the identity key to use (default: one per name, created on first use)
  --timeout MS      how long send waits for the relay (default 15000)

Exit codes: 0 ok, 1 failed, 2 bad usage, 3 relay unreachable or connection lost,
            4 authentication failed, 5 unknown or ambiguous peer.
Files live in $TEAM_MESSENGER_HOME (default ~/.config/team-messenger).`;
