"""A living archive in Telegram: scheduled refresh, topic alerts, /status, failing sources,
article deep links and follow-up context that outlives a restart. The real bot, its real
JobQueue, the real index and shared state, talking HTTP to the Bot API stand-in."""

from __future__ import annotations

import asyncio

from qabot.interfaces.deeplink import article_token, ask_link, start_parameter
from qabot.service import alerts
from qabot.wiring import open_service

from .conftest import LATE, write_jsonl

CENTRAL_BANK = "Central bank cuts key rate"


def alerts_in(bot, chat_id: int) -> list[dict]:
    return [m for m in bot.api.sent(chat_id) if m["text"].startswith("🔔")]


async def test_scheduled_refresh_makes_a_new_article_searchable_and_alerts_only_matching_followers(
    start_bot, tmp_path
):
    feed = write_jsonl(tmp_path / "wire.jsonl", [])
    bot = await start_bot(sources=[str(feed)], refresh_every="1s")
    ada, bob = bot.api.user(1001, "Ada", "ada"), bot.api.user(2002, "Bob", "bob")
    [ok] = await bot.say("/follow ferries and boats", user=ada)
    assert "Following ferries and boats" in ok["text"]
    await bot.say("/follow central bank interest rates", user=bob)

    write_jsonl(feed, [LATE])  # the newsroom publishes
    [alert] = await bot.api.wait_for(lambda: alerts_in(bot, 1001), timeout=120)
    assert "Electric ferry starts service across Lake Sarmis, 2025-10-18" in alert["text"]
    assert "An electric ferry built at the Orsova shipyard started carrying passengers" in alert["text"]
    assert f'<a href="{LATE["url"]}">' in alert["html"]
    assert "Topic: ferries and boats" in alert["text"]

    [found] = await bot.say("/search ferry across the lake")
    assert "Electric ferry starts service" in found["text"]
    await asyncio.sleep(3)  # more rounds run: nothing new, nothing sent again
    assert len(alerts_in(bot, 1001)) == 1
    assert alerts_in(bot, 2002) == []
    assert bot.api.of("getUpdates", ok=False) == []


async def test_alerts_queued_by_another_process_are_delivered_once_and_a_blocked_subscriber_is_dropped(
    start_bot, tmp_path, encoder
):
    from qabot.interfaces.bot.schedule import housekeeping
    from qabot.service.qa import QAService

    bot = await start_bot()
    ada, cleo = bot.api.user(1001, "Ada", "ada"), bot.api.user(3003, "Cleo", "cleo")
    await bot.say("/follow electric ferry", user=ada)
    await bot.say("/follow lake ferries", user=cleo)
    bot.api.block(3003)

    # `qabot watch` (another process) refreshes and queues the alerts through the hook
    watcher = QAService(bot.settings, encoder)
    report = watcher.ingest([str(write_jsonl(tmp_path / "late.jsonl", [LATE]))])
    assert report.added_ids == [LATE["id"]]
    backfill = [LATE["id"], *(f"old-{i}" for i in range(alerts.BACKFILL))]  # a first import, not news
    assert alerts.queue_for_new_articles(watcher, watcher.state, backfill) == 0
    assert alerts.queue_for_new_articles(watcher, watcher.state, report.added_ids) == 2
    assert alerts.queue_for_new_articles(watcher, watcher.state, report.added_ids) == 0  # once only

    bot.app.job_queue.run_once(housekeeping, 0)
    [alert] = await bot.api.wait_for(lambda: alerts_in(bot, 1001))
    assert "Electric ferry starts service" in alert["text"]
    await bot.api.wait_for(lambda: bot.api.of("sendMessage", ok=False, chat_id=3003))
    await bot.api.wait_for(lambda: not alerts.following(watcher.state, 3003))
    assert [s.topic for s in alerts.following(watcher.state, 1001)] == ["electric ferry"]
    assert alerts.pending(watcher.state) == {}


async def test_follow_following_unfollow(start_bot):
    bot = await start_bot()
    [hint] = await bot.say("/follow")
    assert "Which topic?" in hint["text"]
    await bot.say("/follow Minimum   wage")
    [again] = await bot.say("/follow minimum wage")
    assert "already follow" in again["text"]
    await bot.say("/follow <b>rail</b> & roads")
    [listed] = await bot.say("/following")
    assert "1. Minimum wage\n2. <b>rail</b> & roads" in listed["text"]
    [bad] = await bot.say("/unfollow 7")
    assert "a number from 1 to 2" in bad["text"]
    [one] = await bot.say("/unfollow 1")
    assert "Stopped following Minimum wage" in one["text"]
    [rest] = await bot.say("/unfollow all")
    assert "Stopped following <b>rail</b> & roads" in rest["text"]
    [none] = await bot.say("/following")
    assert "You follow no topics" in none["text"]
    assert not bot.api.of("sendMessage", ok=False)


async def test_status_tells_everyone_how_fresh_the_archive_is(start_bot):
    bot = await start_bot(refresh_every="15m")
    stranger = bot.api.user(2002, "Bob", "bob")
    [status] = await bot.say("/status", user=stranger)
    count = bot.service.stats()["articles"]
    updated = bot.service.stats()["updated_at"]
    assert f"Articles: {count}\n" in status["text"]
    assert "Newest article: 2025-11-05\n" in status["text"]  # the newest in the sample archive
    assert f"Last updated successfully: {updated[:10]} {updated[11:16]} UTC" in status["text"]
    assert "Checked for new articles every 15m." in status["text"]


async def test_admins_hear_once_when_a_source_fails_three_rounds_and_once_when_it_recovers(start_bot, tmp_path):
    missing = tmp_path / "wire.jsonl"
    bot = await start_bot(sources=[str(missing)], refresh_every="1s", telegram_admins=["@ada"])
    await bot.say("/help")  # the admin (listed by @username) has written to the bot

    def told(word: str) -> list[dict]:
        return [m for m in bot.api.sent(1001) if word in m["text"]]

    [failing] = await bot.api.wait_for(lambda: told("Source failing"), timeout=120)
    assert f"{missing} failed 3 refresh rounds in a row (it has never worked)" in failing["text"]
    assert "no such file or folder" in failing["text"]
    write_jsonl(missing, [LATE])
    [recovered] = await bot.api.wait_for(lambda: told("Source recovered"), timeout=120)
    assert str(missing) in recovered["text"]
    await asyncio.sleep(3)
    assert len(told("Source failing")) == 1 and len(told("Source recovered")) == 1


async def test_deep_link_opens_the_bot_on_one_article_until_reset(start_bot):
    bot = await start_bot()
    [article] = [h for h in bot.service.search("Siret Valley motorway contract", k=3) if "Siret" in h.title]
    parameter = start_parameter(article.article_id)
    assert ask_link("archive_qa_bot", article.article_id) == f"https://t.me/archive_qa_bot?start={parameter}"
    assert parameter == "a_" + article_token(article.article_id) and len(parameter) <= 64

    [opened] = await bot.say(f"/start {parameter}")
    assert f"You're reading: {article.title}" in opened["text"]
    parts = await bot.say("How much will it cost and when must it be finished?", until_keyboard=True)
    text = "\n".join(p["text"] for p in parts)
    assert f"[1] {article.title}" in text and "[2]" not in text

    await bot.say("/reset")
    parts = await bot.say("What did the central bank decide?", until_keyboard=True)
    assert CENTRAL_BANK in "\n".join(p["text"] for p in parts)
    [unknown] = await bot.say("/start a_0000000000deadbeef00")
    assert "can't find that article" in unknown["text"]


async def test_follow_up_context_survives_a_restart(start_bot):
    bot = await start_bot()
    first = await bot.say("What did the central bank decide about the key interest rate?", until_keyboard=True)
    await bot.stop()

    again = await start_bot()  # a new process would open the same data folder
    assert again.service is not bot.service
    follow = await again.say("and what did the governor say about inflation?", until_keyboard=True)
    assert CENTRAL_BANK in "\n".join(p["text"] for p in follow)
    [sources] = await again.say("/sources")
    assert "Sources for: and what did the governor say about inflation?" in sources["text"]

    # the "Sources" button under the answer given before the restart still works
    buttons = {b["text"]: b["callback_data"] for row in first[-1]["reply_markup"]["inline_keyboard"] for b in row}
    before = len(again.api.sent(1001))
    again.api.press(first[-1], buttons["Sources"])
    [shown] = await again.api.wait_for(lambda: again.api.sent(1001)[before:])
    assert "Sources for: What did the central bank decide about the key interest rate?" in shown["text"]


async def test_refresh_skips_while_another_replica_holds_the_refresh_lock(start_bot, tmp_path):
    feed = write_jsonl(tmp_path / "wire.jsonl", [LATE])
    bot = await start_bot(sources=[str(feed)])
    with bot.service.state.exclusive("refresh") as mine:  # another replica's round
        assert mine
        await bot.say("/refresh")
        await bot.api.wait_for(lambda: "Another process is refreshing" in bot.api.sent(1001)[-1]["text"])
    assert "Electric ferry" not in (await bot.say("/search electric ferry"))[0]["text"]
    await bot.say("/refresh")
    await bot.api.wait_for(lambda: "Refresh done" in bot.api.sent(1001)[-1]["text"], timeout=120)
    assert "1 added" in bot.api.sent(1001)[-1]["text"]


async def test_a_follow_up_landing_on_another_webhook_replica_keeps_its_context(
    make_settings, standin, encoder, backend_settings
):
    """Two replicas on one archive and one shared state (the data folder, or one PostgreSQL)."""
    import httpx

    from qabot.interfaces.bot.app import UPDATES, build_application, post_stop, webhook_secret

    from .test_bot_process import free_port

    secret, replicas = webhook_secret(standin.token), []
    for port in (free_port(), free_port()):  # two `qabot telegram` behind one load balancer
        settings = make_settings(**backend_settings)
        app = build_application(settings, open_service(settings, encoder))
        await app.initialize()
        hook = f"http://127.0.0.1:{port}/hook"
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", webhook_url=hook, secret_token=secret,
            allowed_updates=UPDATES,
        )
        await app.start()
        replicas.append((app, hook))

    async def ask_via(replica: int, text: str, keyboard: bool = True) -> str:
        before = len(standin.sent(1001))
        standin.send_text(text)
        [update] = standin.pop_updates()
        async with httpx.AsyncClient() as client:
            r = await client.post(replicas[replica][1], json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert r.status_code == 200
        parts = await standin.wait_for(
            lambda: (new := standin.sent(1001)[before:]) and (new[-1].get("reply_markup") or not keyboard) and new,
            timeout=180,
        )
        return "\n".join(p["text"] for p in parts)

    try:
        assert CENTRAL_BANK in await ask_via(0, "What did the central bank decide about the key interest rate?")
        sources = await ask_via(1, "/sources", keyboard=False)  # the answer replica 0 gave
        assert "Sources for: What did the central bank decide about the key interest rate?" in sources
        assert CENTRAL_BANK in await ask_via(1, "and what did the governor say about inflation?")
    finally:
        for app, _hook in replicas:
            await app.updater.stop()
            await app.stop()
            await post_stop(app)
            await app.shutdown()


async def test_a_new_article_on_the_newsroom_site_reaches_telegram_on_schedule(start_bot):
    """The bot keeps in step with the site itself (its sitemap, on the loopback newsroom site):
    a newly published article becomes searchable after the next round, and only the follower
    of a matching topic is alerted."""
    from tests.ingest.site.site import NewsSite

    site = NewsSite()
    try:
        bot = await start_bot(sources=[site.url("/sitemap.xml")], refresh_every="1s")
        ada, bob = bot.api.user(1001, "Ada", "ada"), bot.api.user(2002, "Bob", "bob")
        await bot.say("/follow ferries and boats", user=ada)
        await bot.say("/follow central bank interest rates", user=bob)

        paragraphs = LATE["text"].split("\n\n")
        site.publish("lake-sarmis-electric-ferry", LATE["title"], paragraphs, LATE["published"])
        [alert] = await bot.api.wait_for(lambda: alerts_in(bot, 1001), timeout=120)
        assert f"{LATE['title']}, {LATE['published']}" in alert["text"]
        assert site.url("/news/lake-sarmis-electric-ferry") in alert["html"]

        [found] = await bot.say("/search ferry across the lake")
        assert LATE["title"] in found["text"]
        await asyncio.sleep(3)  # later rounds: the page is not downloaded again, nothing re-sent
        assert len(alerts_in(bot, 1001)) == 1
        assert alerts_in(bot, 2002) == []
        assert site.count("/news/lake-sarmis-electric-ferry", 200) == 1
    finally:
        site.close()
