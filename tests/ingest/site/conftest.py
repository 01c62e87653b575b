"""The loopback newsroom site as a fixture, with three stories published."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .site import NewsSite

STORIES = {
    "constanta-port-grain": (
        "Constanța port handles record grain exports in October",
        [
            "The port of Constanța handled a record 3.1 million tonnes of grain exports in October, "
            "the port administration said on Monday, as shipments from Ukraine and Moldova rose.",
            "Port director Mihai Olteanu said new berths on the Danube-Black Sea canal shortened "
            "waiting times for barges from nine days to four.",
            "The administration expects exports to stay high through the winter, weather permitting.",
        ],
        "2025-11-03",
    ),
    "cluj-metro-tender": (
        "Cluj-Napoca awards the tender for its first metro line",
        [
            "The city of Cluj-Napoca awarded the contract for its first metro line to a consortium "
            "led by a Turkish builder, mayor Emil Boc announced on Thursday.",
            "The 21-kilometre line will link Florești to the eastern districts and is financed "
            "through the national recovery plan and European cohesion funds.",
            "Works are due to start in the spring and the first trains should run in 2030.",
        ],
        "2025-11-06",
    ),
    "brasov-airport-passengers": (
        "Brașov airport passes half a million passengers",
        [
            "Brașov-Ghimbav International Airport welcomed its half-millionth passenger of the year "
            "on Sunday, two years after it opened, the county council said.",
            "New routes to Milan, Munich and Istanbul drove the growth, airport manager Alin Lupu said, "
            "and a cargo terminal will open next year.",
        ],
        "2025-11-09",
    ),
}


def make_site() -> NewsSite:
    site = NewsSite()
    for slug, (title, paragraphs, published) in STORIES.items():
        site.publish(slug, title, paragraphs, published)
    return site


@pytest.fixture
def news_site() -> Iterator[NewsSite]:
    site = make_site()
    yield site
    site.close()
