"""A server makes its listener's Discover list ahead of the first look (`MUSICFLOW_API_RECOMMEND_AHEAD`,
on by default; the other tests turn it off): the page and the API then answer with that list, made once."""

from __future__ import annotations

from musicflow.app.recommendation_answers import RecommendationQuestion
from tests.api.conftest import ClientFactory
from tests.lists_made import ListsMade
from tests.trained import PROFILE


def test_the_list_is_made_at_start_and_the_first_look_reads_it(
    api: ClientFactory, lists_made: ListsMade
) -> None:
    client = api(api_recommend_ahead=True)
    assert lists_made.wait_for(1) == [PROFILE]  # nobody asked yet
    asked = client.get("/api/recommendations/")
    assert asked.status_code == 200, asked.text
    body = asked.json()
    assert body["top"] == RecommendationQuestion().top and len(body["recommendations"]) == body["top"]
    page = client.get("/discover")
    assert page.status_code == 200 and body["recommendations"][0]["song"] in page.text
    assert lists_made.profiles == [PROFILE]  # both read the list made ahead: none made again
    shorter = client.get("/api/recommendations/", params={"top": 5})  # its first songs: none made again
    assert shorter.status_code == 200 and lists_made.profiles == [PROFILE]
    assert shorter.json()["recommendations"] == body["recommendations"][:5] and shorter.json()["top"] == 5
    other = client.get("/api/recommendations/", params={"per_artist": 1})  # another question: made when asked
    assert other.status_code == 200 and lists_made.profiles == [PROFILE, PROFILE]
