"""Interfaces: thin shells over the service — the command line and chat (``cli``), the
Telegram bot (``bot``), and the deep links both share.

May import anything below: ``qabot.wiring`` builds what they drive. Nothing imports them.
"""
