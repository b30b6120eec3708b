export const USAGE = `team-messenger: a team messenger relay and command-line client

Usage:
  team-messenger relay  [--host H] [--port P] [--secret S | --secret-file F | --no-auth]
                        [--cert F --key F | --plain] [--history-dir D]
                        [--history-max N] [--history-max-days D] [--history-max-mb M]
                        [--max-connections N] [--max-per-address N]
                        [--max-startups N] [--max-startups-per-address N]
                        [--throttle-bytes-per-second N] [--full-presence-limit N]
                        [--cluster nats://H:4222[,nats://H2:4222...] [--cluster-replicas 1|3|5]]
                        [--log-level debug|info|warn|error]
  team-messenger listen --server HOST:PORT --name NAME [--secret S] [--json]
                        [--channel NAME] [--accept-files DIR] [--max-file-size BYTES]
                        messages (markdown as plain text; --json: as sent, with
                        mentions, urgent, attachments, code, patch, block and
                        problem), edits, deletes, reactions
                        and thread replies (as "update" events), channel news;
                        --channel: that channel only
  team-messenger send   --server HOST:PORT --name NAME [--secret S]
                        (--to NAME[,NAME...] | --channel NAME | --all)
                        [--thread ID] [--file PATH]... [--mention NAME]... [--urgent]
                        [--patch FILE|- | --code PATH:L1-L2] [--json] TEXT|-
                        --all is #general; --thread ID replies in that message's thread;
                        --patch sends a unified diff (git diff) to preview and apply;
                        --code sends those lines with their repository, commit and
                        hash, so Open finds them in the receiver's checkout;
                        --file (with --to) offers files too and waits like send-file;
                        --mention NAME|channel|here notifies them; --urgent gets
                        through quiet mode and Do Not Disturb
  team-messenger channels --server HOST:PORT --name NAME [--json]
                        [list | create NAME [--private] [--topic T] | join NAME |
                        leave NAME]      the channels you may see; make, join, leave one
  team-messenger history --server HOST:PORT --name NAME [--json]
                        (--channel NAME | --to NAME[,NAME...]) [--limit N (50)]
                        [--before SEQ] [--thread ID]  a page of a conversation, oldest
                        first; the relay is the history
  team-messenger search --server HOST:PORT --name NAME [--json] [--limit N (20)]
                        [--before SEQ] QUERY...  words, "a phrase", from:NAME,
                        in:#channel, in:@NAME, has:file, has:image, has:code,
                        is:mention, before:/after:/on: YYYY-MM-DD; only what you may
                        read, newest first
  team-messenger send-file --server HOST:PORT --name NAME [--secret S]
                        --to NAME [--json] PATH...
  team-messenger invite --server HOST:PORT --name NAME [--uses N] [--expires 7d]
                        [--json]         print an invite link for newcomers
  team-messenger invites --server HOST:PORT --name NAME [revoke ID] [--json]
  team-messenger join   INVITE --name NAME  join with an invite (a link or tm1.…);
                        the team secret it brings is kept for later commands

Common options:
  --server HOST:PORT[,HOST:PORT…]  the relay; for a cluster, several relays,
                    tried in turn when one cannot be reached or goes away
  --secret S        the team secret (or set TEAM_MESSENGER_SECRET, or --secret-file F;
                    after join, the one the invite brought)
  --invite INVITE   log in with an invite instead of a secret (its relay and
                    fingerprint too, unless --server / --fingerprint say otherwise)
  --identity FILE   the identity key to use (default: one per name, created on first use)
  --fingerprint FP  require the relay's TLS certificate to have this SHA-256 fingerprint
  --ca FILE         verify the relay's TLS certificate with this CA instead of pinning
  --plain           plain TCP, no TLS (only with a relay started with --plain)
TLS is on by default: the relay makes a certificate on first start and prints its
fingerprint; clients pin it on first use (known-relays.json) and refuse a changed one.
  --timeout MS      how long send waits for the relay (default 15000)
  --max-per-address N  relay: logged-in connections from one address (default
                    4096: a whole office may share one NAT address)
  --max-startups N, --max-startups-per-address N  relay: connections still
                    logging in, in total (default 1024) and from one address
                    (default 128); when full, the oldest makes room
  --full-presence-limit N  relay: above N people online, clients hear only about
                    the people they watch, plus a count (default 1000)
  --cluster URLS    relay: join other relays through these NATS JetStream servers;
                    chat goes through one replicated stream, so a client may use any
                    relay (--cluster-replicas: stream copies, default 1; 3 in production)

Exit codes: 0 ok, 1 failed, 2 bad usage, 3 relay unreachable or connection lost,
            4 authentication failed or invite not valid, 5 unknown or ambiguous peer,
            or no such channel or message that you may see, 6 declined, cancelled or
            not answered in time, 7 not allowed or in conflict (not in that channel,
            not your message or invite, channel name taken, channel archived,
            #general cannot be left).
Files live in $TEAM_MESSENGER_HOME (default ~/.config/team-messenger).`;
