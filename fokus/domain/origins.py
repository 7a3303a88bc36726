"""One suggestion, several sources: how rule and model suggestions on the same span share one coding.

The codebook's rules (``fokus tag``) and a model trained on the team's decisions (``fokus suggest``) may propose the
same code for the same sentence. That is one proposal for a researcher to decide on, so it is one coding by the
machine coder, whose ``origin`` names both (``rule:krise:beredskap+model:3``) and whose ``details`` keep each
source's part: the rules' matches and their confidence (``rule_confidence``), and the model's version and
probability (``model``). Its ``confidence`` is the model's calibrated probability when a model supports it, else the
rules' weight. Each writer changes only its own part: when the rules stop firing, a suggestion the model still
supports stays (as the model's), and the other way round.
"""

from __future__ import annotations

from typing import Any

RULE_PREFIX = "rule:"
MODEL_PREFIX = "model:"
TOPIC_PREFIX = "topic:"  # a theme discovered in the text (`fokus discover`), adopted as a code
MACHINE_PREFIXES = (RULE_PREFIX, MODEL_PREFIX, TOPIC_PREFIX)  # what the machine coder proposes
JOIN = "+"


def split_origin(origin: str) -> tuple[str | None, str | None]:
    """(rule part, model part) of an origin; either may be missing."""
    rule = model = None
    for part in origin.split(JOIN):
        if part.startswith(RULE_PREFIX):
            rule = part
        elif part.startswith(MODEL_PREFIX):
            model = part
    return rule, model


def join_origin(rule: str | None, model: str | None) -> str:
    return JOIN.join(part for part in (rule, model) if part)


def model_origin(version: int) -> str:
    return f"{MODEL_PREFIX}{version}"


def is_machine_origin(origin: str) -> bool:
    rule, model = split_origin(origin)
    return rule is not None or model is not None


def with_model(
    origin: str, confidence: float | None, details: dict[str, Any] | None, version: int, probability: float
) -> tuple[str, float, dict[str, Any]]:
    """A suggestion's origin, confidence and details once the model (``version``) supports it with ``probability``."""
    rule, _old = split_origin(origin)
    kept = dict(details or {})
    if rule is not None and "rule_confidence" not in kept:
        kept["rule_confidence"] = confidence
    kept["model"] = {"version": version, "probability": round(probability, 4)}
    return join_origin(rule, model_origin(version)), round(probability, 4), kept


def without_model(origin: str, details: dict[str, Any] | None) -> tuple[str, float | None, dict[str, Any]] | None:
    """The suggestion once the model no longer supports it: the rules' alone, or None when nothing is left."""
    rule, _model = split_origin(origin)
    if rule is None:
        return None
    kept = {k: v for k, v in (details or {}).items() if k not in ("model", "combined")}
    return rule, kept.get("rule_confidence"), kept


def with_rule(
    rule_origin: str, rule_confidence: float, rule_details: dict[str, Any], current: tuple[str, dict[str, Any] | None]
) -> tuple[str, float, dict[str, Any]]:
    """A suggestion's origin, confidence and details once the rules support it, keeping a model's part if any."""
    origin, details = current
    _rule, model = split_origin(origin)
    merged = {**rule_details, "rule_confidence": rule_confidence}
    confidence = rule_confidence
    if model is not None and details and "model" in details:
        merged["model"] = details["model"]
        origin, confidence = join_origin(rule_origin, model), float(details["model"]["probability"])
    else:
        origin = rule_origin
    if details and "combined" in details:  # the combiner's number stays the one shown until it scores again
        merged["combined"] = details["combined"]
        confidence = float(details["combined"]["confidence"])
    return origin, confidence, merged


def without_rule(origin: str, details: dict[str, Any] | None) -> tuple[str, float, dict[str, Any]] | None:
    """The suggestion once no rule supports it: the model's alone, or None when nothing is left."""
    _rule, model = split_origin(origin)
    if model is None or not details or "model" not in details:
        return None
    return model, float(details["model"]["probability"]), {"model": details["model"]}
