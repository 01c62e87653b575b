"""The Telegram bot: typed handlers wired in ``app.build_application``; groups, inline mode,
deep links, topic alerts, /status and admin commands, and the scheduled refresh. It only
talks to the service (``BotState.service``), in worker threads so the event loop never waits."""
