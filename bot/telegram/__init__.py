"""The Telegram room: python-telegram-bot v22 in front of the ConversationService.

- app: `build_application` wires the Application, its services and every handler in one block;
  `run_telegram` checks the token and runs polling or a webhook until stopped.
- handlers: one small `async def` per command, kind of message and button, plus the error handler.
- replies: the services handlers share (`BotServices` in bot_data) and how a reply is rendered
  and sent.
- delivery: every Bot API call retried until CITATBOT_SEND_TIMEOUT while provably unsent, a
  reply sent once more after an ambiguous failure; long HTML split.
- buttons: inline buttons' callback data and the answers they belong to.
- chat_order: updates concurrent across chats, in order within a chat.
- polling: the newest of two processes polling one token wins; the offset confirmed at a stop.
- handled: the ids of the updates answered, so that a restart answers none twice.
- ratelimit, feedback, redact: per-chat rate limit, 👍/👎 in SQLite, the token out of every log.
- webhook: our own endpoint for replicas (secret, chat lock, once, 2xx only when handled);
  registration: `citatbot webhook set|delete|info`; feedback_pg: 👍/👎 in PostgreSQL.
"""
