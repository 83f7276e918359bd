"""``numeros-rules-v1``: a deterministic, explainable answer from a Vedic snapshot.

1. Topic: keyword match on the question (most matches wins; ties go to the earlier topic below); none
   matched is ``general``.
2. The topic's houses (career 10/6/2/11, relationships 7/2/11/5, ...) and natural significators (karakas).
3. Promise: for each house, its lord's dignity and house (kendra/trikona good, dusthana weak), the SAV
   bindus of the house (28 is average) and the bhava bala.
4. Timing: the current mahadasha/antardasha lords, and each antardasha of the next 12 months within the
   horizon, count as "activating" when the lord rules or occupies a topic house or is a karaka.
5. Transits: Jupiter in a topic house supports, Saturn in one delays/tests, Rahu/Ketu on one unsettles;
   Sade Sati is a general risk.
6. Confidence: topic confidence from the keyword evidence; overall from the promise and timing scores,
   reduced when the birth time's uncertainty flips the lagna, Moon sign, D9 lagna or a dasha.
Every evidence entry's ``calc_field`` is a path into the snapshot (see ``predictions.resolve_path``) and
its ``value`` the value found there.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .predictions import PredictionRequest, resolve_path

MODEL = "numeros-rules-v1"
METHOD = ("numeros-rules-v1: keyword topic, topic houses' lords / SAV bindus, dasha lords and transits "
          "(deterministic; no language model)")
DIGNITY_WORDS = {"own": "in its own sign", "exalted": "exalted", "debilitated": "debilitated",
                 "mooltrikona": "in its mooltrikona sign", "friend": "in a friendly sign", "enemy": "in an enemy sign"}
KENDRA_TRIKONA = {1, 4, 5, 7, 9, 10}
DUSTHANA = {6, 8, 12}
GOOD_DIGNITY = {"exalted": 1.0, "mooltrikona": 0.8, "own": 0.7, "friend": 0.3, "neutral": 0.0, "enemy": -0.3,
                "debilitated": -0.8}
ORDINAL = {1: "1st", 2: "2nd", 3: "3rd"}


@dataclass(frozen=True)
class Topic:
    name: str
    keywords: tuple[str, ...]
    houses: tuple[int, ...]
    karakas: tuple[str, ...]
    focus: str  # what a favourable window is good for
    actions: tuple[str, ...]
    risks: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic("career", ("job", "career", "work", "promotion", "business", "boss", "office", "profession", "interview",
                     "employ", "employment", "company", "startup", "position", "role", "hired", "resign"),
          (10, 6, 2, 11), ("Saturn", "Sun", "Mercury", "Jupiter"), "career moves and professional recognition",
          ("Apply, interview or pitch during the activating windows below",
           "Strengthen skills tied to your 10th-house lord's themes before the first window",
           "Keep a steady routine at work: the 6th house rewards consistent service"),
          ("Avoid impulsive resignations outside the favourable windows",)),
    Topic("relationships", ("marriage", "marry", "married", "wedding", "spouse", "partner", "relationship", "love",
                            "girlfriend", "boyfriend", "husband", "wife", "romance", "dating", "soulmate",
                            "engagement", "divorce", "proposal"),
          (7, 2, 11, 5), ("Venus", "Jupiter"), "commitment, meeting a partner or deepening a bond",
          ("Make important relationship conversations in the activating windows",
           "Involve family (2nd house) early in commitment decisions"),
          ("Guard against misunderstandings when Saturn or the nodes touch the 7th house",)),
    Topic("finance", ("money", "wealth", "finance", "financial", "income", "salary", "invest", "investment", "loan",
                      "debt", "savings", "profit", "rich", "stock", "property", "buy", "lottery"),
          (2, 11, 5, 9), ("Jupiter", "Venus"), "gains, savings and investments",
          ("Time larger investments and negotiations to the activating windows",
           "Build savings first: the 2nd house holds accumulated wealth"),
          ("Avoid speculative bets when the 5th or 11th lord is weak",
           "Do not take on new debt in a Saturn-tested period")),
    Topic("health", ("health", "illness", "ill", "disease", "surgery", "sick", "hospital", "recovery", "fitness",
                     "pain", "medical", "energy", "weight", "stress", "sleep"),
          (1, 6, 8, 12), ("Sun", "Moon", "Mars", "Saturn"), "recovery and building vitality",
          ("Schedule check-ups and treatments in the supportive windows",
           "Keep a regular daily routine (1st and 6th houses govern body and habits)"),
          ("This is not medical advice: consult a doctor for any health concern",
           "Avoid overexertion when Saturn or the nodes transit the 1st, 6th, 8th or 12th house")),
    Topic("education", ("study", "studies", "exam", "exams", "education", "degree", "college", "university", "school",
                        "learn", "learning", "course", "admission", "scholarship", "phd", "masters"),
          (4, 5, 9), ("Mercury", "Jupiter"), "exams, admissions and learning",
          ("Sit exams and submit applications in the activating windows",
           "Use Mercury's and Jupiter's strengths: structured study and guidance from teachers"),
          ("Avoid changing course mid-way in a weak window",)),
    Topic("travel", ("travel", "abroad", "foreign", "visa", "relocate", "relocation", "move", "moving", "trip",
                     "journey", "immigration", "overseas", "emigrate", "settle"),
          (3, 9, 12), ("Rahu", "Moon"), "journeys, relocation and foreign connections",
          ("File visa or relocation paperwork at the start of an activating window",
           "Plan long journeys (9th and 12th houses) when Jupiter supports them"),
          ("Expect delays in paperwork when Saturn transits the 3rd, 9th or 12th house",)),
    Topic("family", ("family", "mother", "father", "parents", "children", "child", "baby", "pregnancy", "son",
                     "daughter", "sibling", "brother", "sister", "home", "house"),
          (4, 2, 5), ("Moon", "Jupiter"), "home, family harmony and children",
          ("Hold family gatherings and home decisions in the activating windows",
           "Nurture the 4th-house themes: home, mother, emotional security"),
          ("Avoid big household changes while Saturn tests the 4th house",)),
    Topic("spirituality", ("spiritual", "spirituality", "meditation", "god", "moksha", "karma", "dharma",
                           "pilgrimage", "faith", "religion", "guru", "enlightenment", "purpose", "soul"),
          (9, 12, 5), ("Jupiter", "Ketu"), "practice, retreat and inner growth",
          ("Begin a practice or retreat in a Jupiter- or Ketu-activated window",
           "Seek a teacher (9th house) for guidance"),
          ("Avoid escapism when the 12th house is emphasised",)),
)
GENERAL = Topic("general", (), (1, 10, 7, 4), ("Sun", "Moon", "Jupiter"), "general progress",
                ("Use the activating windows for new beginnings", "Strengthen the lagna lord's themes"),
                ("Avoid major decisions in windows marked as testing",))
_WORD = re.compile(r"[a-z]+")


def classify_topic(question: str) -> tuple[Topic, int]:
    """The topic a question is about and how many of its keywords matched (0 for ``general``)."""
    words = _WORD.findall(question.lower())
    best, best_hits = GENERAL, 0
    for topic in TOPICS:
        hits = sum(1 for word in words if word in topic.keywords or word.rstrip("s") in topic.keywords)
        if hits > best_hits:
            best, best_hits = topic, hits
    return best, best_hits


def _ordinal(n: int) -> str:
    return ORDINAL.get(n, f"{n}th")


class _Evidence:
    """Evidence entries whose value is read from the document at the cited path (so they always resolve)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.entries: list[dict[str, Any]] = []

    def get(self, path: str, default: Any = None) -> Any:
        try:
            return resolve_path(self.document, path)
        except KeyError:
            return default

    def cite(self, path: str, interpretation: str) -> Any:
        try:
            value = resolve_path(self.document, path)
        except KeyError:
            return None
        if not any(e["calc_field"] == path for e in self.entries):
            self.entries.append({"calc_field": path, "value": value, "interpretation": interpretation})
        return value


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


class RulesEngine:
    model = MODEL

    def predict(self, request: PredictionRequest) -> dict[str, Any]:
        doc = request.snapshot
        topic, hits = classify_topic(request.question)
        ev = _Evidence(doc)
        houses = topic.houses
        planets = {p.get("name"): p for p in ev.get("d1.planets", []) or [] if isinstance(p, dict)}

        def rules(planet: str) -> list[int]:
            return [h for h in range(1, 13) if ev.get(f"d1.houses.{h}.lord") == planet]

        def relevant(planet: str) -> bool:
            placed = planets.get(planet, {}).get("house")
            return planet in topic.karakas or placed in houses or any(h in houses for h in rules(planet))

        # --- promise: house lords, SAV, bhava bala ------------------------------------------------------
        promise: list[float] = []
        strong_houses, weak_houses = [], []
        for house in houses:
            lord = ev.get(f"d1.houses.{house}.lord")
            score = 0.0
            if lord in planets:
                placed = planets[lord].get("house")
                dignity = planets[lord].get("dignity") or "neutral"
                score += GOOD_DIGNITY.get(dignity, 0.0) * 0.5
                score += 0.3 if placed in KENDRA_TRIKONA else -0.3 if placed in DUSTHANA else 0.0
                quality = ("well placed" if placed in KENDRA_TRIKONA else
                           "in a dusthana (6/8/12), so results come with effort" if placed in DUSTHANA else
                           "moderately placed")
                ev.cite(f"d1.houses.{house}.lord", f"{lord} rules your {_ordinal(house)} house")
                ev.cite(f"d1.planets.{lord}.house", f"The {_ordinal(house)} lord {lord} sits in house {placed}: "
                                                    f"{quality}")
                if dignity != "neutral":
                    ev.cite(f"d1.planets.{lord}.dignity",
                            f"{lord} is {DIGNITY_WORDS.get(dignity, dignity)} in the birth chart")
            bindus = ev.get(f"ashtakavarga.sav_by_house.{house - 1}")
            if isinstance(bindus, int | float):
                score += max(-0.4, min(0.4, (bindus - 28) / 10))
                ev.cite(f"ashtakavarga.sav_by_house.{house - 1}",
                        f"House {house} has {bindus} Sarvashtakavarga bindus "
                        f"({'above' if bindus > 28 else 'at' if bindus == 28 else 'below'} the average of 28)")
            promise.append(score)
            (strong_houses if score > 0.15 else weak_houses if score < -0.15 else []).append(house)
        promise_score = sum(promise) / len(promise) if promise else 0.0

        # --- timing: current dasha ------------------------------------------------------------------------
        md, ad = ev.get("dasha.current_md"), ev.get("dasha.current_ad")
        timing = 0.0
        for path, lord, label in (("dasha.current_md", md, "mahadasha"), ("dasha.current_ad", ad, "antardasha")):
            if not lord:
                continue
            if relevant(lord):
                timing += 0.25
                ev.cite(path, f"The current {label} lord {lord} is tied to {topic.name} "
                              f"(rules/occupies a {topic.name} house or is a significator)")
            else:
                ev.cite(path, f"The current {label} lord {lord} has no direct link to the {topic.name} houses")

        # --- transits ------------------------------------------------------------------------------------
        transit_notes: list[str] = []
        risks = list(topic.risks)
        jupiter = ev.get("transits.jupiter_house_from_lagna")
        saturn = ev.get("transits.saturn_house_from_lagna")
        nodes = ev.get("transits.rahu_ketu_axis_from_lagna") or []
        sade_sati = ev.get("transits.sade_sati_phase")
        if jupiter in houses:
            timing += 0.2
            transit_notes.append(f"Jupiter is transiting your {_ordinal(jupiter)} house, supporting {topic.focus}")
            ev.cite("transits.jupiter_house_from_lagna", f"Jupiter transits house {jupiter}, a {topic.name} house: "
                                                         "expansion and support")
        elif jupiter is not None:
            ev.cite("transits.jupiter_house_from_lagna", f"Jupiter transits house {jupiter}, outside the "
                                                         f"{topic.name} houses")
        if saturn in houses:
            timing -= 0.1
            transit_notes.append(f"Saturn in your {_ordinal(saturn)} house asks for patience: results come slowly "
                                 "but last")
            risks.append(f"Saturn's transit of house {saturn} can bring delays; avoid forcing outcomes")
            ev.cite("transits.saturn_house_from_lagna", f"Saturn transits house {saturn}, a {topic.name} house: "
                                                        "delay and testing")
        if any(h in houses for h in nodes):
            risks.append("The Rahu-Ketu axis falls on a topic house: expect sudden turns; verify before committing")
            ev.cite("transits.rahu_ketu_axis_from_lagna", f"Rahu/Ketu transit houses {nodes}")
        if sade_sati and sade_sati != "none":
            timing -= 0.1
            risks.append(f"Sade Sati ({sade_sati} phase) is running: a period of pressure and restructuring")
            ev.cite("transits.sade_sati_phase", f"Sade Sati phase: {sade_sati}")

        # --- yogas bearing on the topic ------------------------------------------------------------------
        for yoga in ev.get("yogas", []) or []:
            if not isinstance(yoga, dict) or yoga.get("cancelled"):
                continue
            involved = yoga.get("planets") or []
            if any(relevant(p) for p in involved):
                promise_score += 0.05
                ev.cite(f"yogas.{yoga['name']}.strength",
                        f"{yoga['name']} ({', '.join(involved)}) strengthens the {topic.name} significations")
            if len([e for e in ev.entries if e["calc_field"].startswith("yogas.")]) >= 2:
                break

        # --- time windows from the next 12 months' antardashas ---------------------------------------------
        horizon_end = _add_months(request.as_of, request.time_horizon_months)
        windows = []
        for period in ev.get("dasha.next_12m_ads", []) or []:
            try:
                start = dt.date.fromisoformat(period["start_date"])
                end = dt.date.fromisoformat(period["end_date"])
            except (KeyError, TypeError, ValueError):
                continue
            if start > horizon_end or end < request.as_of:
                continue
            lord = period.get("dasha")
            active = bool(lord) and relevant(lord)
            confidence = 0.5 + (0.2 if active else -0.1) + max(-0.15, min(0.15, promise_score / 2))
            if jupiter in houses:
                confidence += 0.05
            windows.append({
                "start": max(start, request.as_of).isoformat(), "end": min(end, horizon_end).isoformat(),
                "focus": f"{topic.focus} ({lord} antardasha)" if active else f"consolidation ({lord} antardasha)",
                "confidence": round(max(0.1, min(0.95, confidence)), 2), "dasha": lord, "activating": active,
            })
        if windows:
            ev.cite("dasha.next_12m_ads", "Antardashas of the next 12 months: the time windows")

        # --- sensitivity ------------------------------------------------------------------------------------
        flips = [name for name in ("lagna_flips", "moon_sign_flips", "d9_asc_flips", "dasha_boundary_risky")
                 if ev.get(f"sensitivity.{name}") is True]
        for name in flips:
            ev.cite(f"sensitivity.{name}", "The birth-time uncertainty changes this factor")
        notice = None
        if flips:
            notice = ("The birth time's uncertainty changes " + ", ".join(f.replace("_", " ") for f in flips)
                      + "; house-based timing is less certain.")

        # --- summary and confidences -----------------------------------------------------------------------
        confidence_topic = 0.4 if hits == 0 else min(0.9, 0.6 + 0.1 * hits)
        overall = 0.5 + promise_score * 0.3 + timing * 0.5
        overall -= 0.08 * len(flips)
        overall = round(max(0.1, min(0.9, (overall + confidence_topic) / 2)), 2)
        outlook = "promising" if overall >= 0.6 else "mixed" if overall >= 0.45 else "challenging"
        active = [w for w in windows if w["activating"]]
        parts = [f"Your {topic.name} outlook over the next {request.time_horizon_months} months looks {outlook}."]
        if md:
            parts.append(f"You are in {md} mahadasha and {ad} antardasha.")
        if strong_houses:
            parts.append("Strong houses for this question: " + ", ".join(map(str, strong_houses)) + ".")
        if weak_houses:
            parts.append("Houses needing effort: " + ", ".join(map(str, weak_houses)) + ".")
        parts.extend(note + "." for note in transit_notes)
        if active:
            parts.append("The most supportive period"
                         + (f"s begin {active[0]['start']}" if len(active) > 1 else f" is {active[0]['start']} to "
                            f"{active[0]['end']}") + ".")
        actions = list(topic.actions)
        if active:
            actions.insert(0, f"Act on {topic.name} matters between {active[0]['start']} and {active[0]['end']}")
        return {
            "topic": topic.name,
            "answer": {"summary": " ".join(parts), "time_windows": windows, "actions": actions, "risks": risks,
                       "evidence": ev.entries, "confidence_topic": round(confidence_topic, 2),
                       "houses": list(houses), "method": METHOD},
            "confidence_overall": overall,
            "sensitivity_notice": notice,
        }
