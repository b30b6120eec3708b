// The team-messenger CLI bundled with the bench (out-bench/relayCli.js): W10 starts its relays as
// `relay --cluster …` processes it can kill -9, without depending on a separate build of the CLI.
import '../src/cli/main';
