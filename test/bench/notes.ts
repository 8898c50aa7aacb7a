/** How each row was measured, beyond the table's last column; printed under the table in BENCHMARKS.md. */
export const BENCH_NOTES = `
## How to read the rows

Cases live in \`test/bench/\` as \`*.bench-case.ts\` (never matched by \`npm test\`) in three vitest projects: \`workerd\`
(the Worker in workerd with its real local KV), \`node\` (the Worker's code called in-process, the SDK over
fake-indexeddb, \`--expose-gc\`), and \`chromium\` (real Chromium through the browser suite's harness, against
\`wrangler dev\`). One file runs at a time; every timing is a median of interleaved runs of chatkeep and its baseline.

1. **KV ops per history load.** The Worker is built with \`createChatWorker({ kv })\` around a KV namespace that counts
   every call. chatkeep answers from \`list()\` metadata, which carries each record's content while the metadata stays
   under KV's 1,024-byte limit; a record over it costs one \`get\`. One request spends at most 1,000 KV operations,
   so a long conversation of large records pages, and each page lists again: that is the floor for large records.
2. **KV writes per exchange.** Workers KV's free plan allows 1,000 writes a day. chatkeep writes the user turn, a
   \`streaming\` placeholder (so a reload mid-reply finds the reply) and the final record: three, however long the
   reply. Its checkpoints (one per \`checkpointIntervalMs\`) go to the conversation object's own storage, one row
   rewritten, where a restart finds them; a client follows the text live. **Cost per
   1M thirty-second replies** at Cloudflare's published Workers Paid prices (KV writes $5.00 per million, SQLite-backed
   Durable Object rows written $1.00 per million, Durable Object requests $0.15 per million): with checkpoints in KV
   it was 32 KV writes a reply, $160; now 3 KV writes ($15) and about 31 object rows written (the running row, 29
   rewrites, its delete: $31), $46 in all, 3.5x less, and no KV write-per-key limit to meet mid-reply.
3. **Time to first token.** All three Workers run the same model (first piece after 200 ms) and the same KV wrapper
   (30 ms per call). The *no persistence* baseline parses and validates the JSON body, calls the model with the one
   user turn, and frames each piece as an SSE \`delta\`; it makes no KV call at all, so its model sees no earlier
   turns. chatkeep first lists the conversation (one KV call: the model sees the conversation as stored, and a
   repeated turn is answered without calling the model), then starts the model while the user turn and the
   placeholder are written, and sends \`start\` once both writes are done. *Write-then-stream* awaits the user
   turn's \`put\`, then calls the model. *Read, then stream* lists the conversation (one KV call) and then calls the
   model, writing nothing: the difference between it and chatkeep is what chatkeep's writes add. The goal is held
   where the conversation object runs as deployed, in workerd: a warm conversation (its object holds the context in
   memory, so the model starts with no KV read) within 5% of no persistence. Beside it, a conversation's first turn:
   a new object, which lists the conversation once before the model starts (informative, no goal). The node lines
   inform.
   The \`aiSdkModel\` lines run the AI SDK (\`streamText\` over \`@ai-sdk/openai-compatible\`) and chatkeep's built-in
   OpenAI provider on the same model bytes, served from memory after the same 200 ms: the difference is the AI
   SDK's own start.
4. **IndexedDB writes.** Counted by wrapping the client's \`ChatStorage\` (each write method is one IndexedDB
   transaction in \`idbStorage\`): transactions, message records written or deleted, and session-record writes (the
   conversation's last use and history cursor) apart. The reply spans 10 s of the clock passed as \`now\`.
5. **Time to cached render.** The floor opens the same database and reads the same index with one \`getAll\`, with
   no wrapper: the least any client must do to show a cached conversation.
6. **Stream ingest.** The Worker's bytes for one reply are recorded once and replayed from memory to both readers in
   16 KiB reads, so no network or model time is in either figure. ChatClient runs with its defaults: it parses each
   event, merges the delta into its conversation, notifies subscribers, and posts the change to other tabs through
   \`BroadcastChannel\` (node's, here, as a page would use the browser's).
7. **Bundle size.** \`demo/build/chatkeep.js\` is what \`npm run build\` makes for a browser (rollup, node-resolve,
   terser). The floor bundles, with the same plugins, only the values the SDK imports from its one dependency, eventsource-parser (its IndexedDB layer is its own code).
8. **Worker CPU.** Measured in node, because workerd does not advance its clocks during CPU work. The figure is
   \`process.cpuUsage()\` around one whole exchange: the real OpenAI-compatible provider reading the model's SSE from
   memory, the reply's SSE, checkpoints and the final write to a Map-backed KV. Node's web streams are written in
   JavaScript where workerd's are native, so the stream part weighs more here than on Cloudflare. The line with the
   conversation object runs the same exchange through \`createChatWorker({ conversations })\` and the object class
   built with the same options, both in this process: a Map stands in for the object's storage, and the hop from
   the Worker to its object is a direct call, so what the runtime spends routing and serializing that call is not
   in the figure; everything chatkeep's code does (the Worker, the object, the reply, every KV write) is. The goal
   is a ratio, at most the CPU of a bare relay of the same bytes (parse the model's SSE, write each piece as SSE),
   measured in the same runs: an absolute figure would measure node's web streams and the machine.
   The \`aiSdkModel\` lines run the same exchange with the AI SDK reading the model: over \`@ai-sdk/openai-compatible\`
   (the same bytes; the provider parses and validates each chunk), and over \`ai/test\`'s \`MockLanguageModelV4\` (the
   same deltas as parts, so what is left is \`streamText\`'s own stream pipeline per chunk).
9. **Memory.** \`heapUsed\` after forced collections. Each reply line runs a whole warm-up pass first: V8 keeps
   compiling hot code for a while, and compiled code is heap too. With \`clear()\` after each reply nothing should be
   retained; without it, each reply's two records stay in the client, its IndexedDB cache and KV, as they do for
   the bare client.
10. **Storage writes per reply with the conversation object.** The object keeps the reply's text in memory and
    writes to its own storage only the running reply's entry (so a restart can report it \`interrupted\`) and its
    removal; the baseline writes each piece as it arrives, as a resume-from-storage design does.
11. **Time from reconnect to the first resumed text.** One Worker configuration, with its conversation object; the
    baseline is the SDK's fallback when \`GET /chat/stream\` answers \`409 resume_unavailable\` (a Worker without
    objects, or an object restarted mid-reply): it polls history with the default poll backoff, and history holds the
    reply's \`streaming\` placeholder until its final record (the checkpoints are in the object's storage, and history
    asks the object only past the stale limit), so its text comes with the end of the reply. The clock starts when the
    new client is constructed (its IndexedDB open and history load included) and stops at the first text past what
    KV held of the reply at that moment: text that only a resume brings. Real timers throughout (the model's words are 40 ms apart in real time).
12. **Storage writes per reply with tool calls.** Row 10's measure on a reply of three tool steps (a call and its
    result each) among 500 text pieces: the object keeps the parts in memory with the text and checkpoints them in
    its own storage on the same cadence, so tool calls add no write of their own; the baseline writes every piece, tool calls and
    results included, as it arrives. The second line reloads the demo page while the demo tool runs (1.5 s at
    150 ms a word) and times, from the navigation's start, the tool's card shown again, beside the first message
    row of the same reload: the card comes from the resumed stream's catch-up when the SDK's cached checkpoint of
    the reply predates the call.
13. **KV operations to list an owner's conversations.** Each conversation's index entry carries its whole summary in
    its KV list metadata, so \`GET /conversations\` answers from \`list()\` alone: one operation per 1,000
    conversations, the floor. The baseline is an app that keeps the session ids itself and lists each
    conversation's message keys to summarize it: one operation per conversation.
`;
